/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The in-kernel probe generator's ABI (bpf/xhop_gen.bpf.c <-> user/gen_send.c).
 *
 * Userspace fills up to XHOP_GEN_BATCH_MAX work items in the program's
 * .bss (mmapped: no syscall per item), then runs the program once per
 * batch with bpf_prog_test_run_opts(BPF_F_TEST_XDP_LIVE_FRAMES) on one
 * template frame; frame i of the batch becomes the probe of item i.
 *
 * Checksum constants are one's complement sums in the "raw" domain: 16-bit
 * words loaded in host (little-endian) order straight from wire bytes, so
 * that the program adds the fields it writes exactly as they lie in the
 * packet and stores the folded result without swapping (RFC 1071: the sum
 * is byte-order independent).
 */
#ifndef XHOP_GEN_H
#define XHOP_GEN_H

#include <linux/types.h>

/* bpf_prog_test_run_opts refuses a batch_size above 256 (E2BIG) */
#define XHOP_GEN_BATCH_MAX 256

struct xhop_gen_item {
	__u8 dst[16];	/* IPv4 as ::ffff:a.b.c.d */
	__u32 mac;	/* xhop_probe_mac(), when userspace computes it */
	__u16 probe_id;
	__u8 ttl;
	__u8 _pad;
};

_Static_assert(sizeof(struct xhop_gen_item) == 24, "xhop_gen_item ABI changed");

#endif /* XHOP_GEN_H */
