// SPDX-License-Identifier: GPL-2.0
/*
 * XDP_PASS for the prober's end of the simulator's veth. The responder's
 * XDP_TX frames go into the peer's XDP ring, and only a peer with an XDP
 * program gets its NAPI scheduled for them: with GRO alone (kernel 6.18)
 * they wait in the ring and no answer arrives. xhop brings its own program;
 * traceroute and scamper get this one (ip link set dev IF xdp obj ...).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("xdp")
int sim_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}
