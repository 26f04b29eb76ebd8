// SPDX-License-Identifier: GPL-2.0
/*
 * The probe generator as a program of its own (bpf/gen.h does the work),
 * for a sender without a running receiver (gen_cfg.rx NULL): the BPF
 * tests, or a scan that receives at tcx because another program holds
 * the XDP hook. It is attached nowhere, so every test run adds it to the
 * kernel's XDP dispatcher and removes it again (two text pokes with IPIs:
 * about 1.4 ms per call here); with a receiver, xhop_rx generates instead
 * (bpf/xhop.bpf.c), which is attached and so stays in the dispatcher.
 */
#include <linux/types.h>

/* Set by gen_open() before load: the run's key, for gen.conf.mac_in_bpf */
const volatile __u64 key0 = 0;
const volatile __u64 key1 = 0;

#include "gen.h"

char LICENSE[] SEC("license") = "GPL";

SEC("xdp")
int xhop_gen(struct xdp_md *ctx)
{
	return gen_frame(ctx);
}
