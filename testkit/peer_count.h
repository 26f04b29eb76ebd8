/* SPDX-License-Identifier: GPL-2.0 */
/* The counting far end of a veth, in another network namespace. */
#ifndef XHOP_PEER_COUNT_H
#define XHOP_PEER_COUNT_H

#include <linux/types.h>

struct xdp_count_bpf;
struct bpf_link;

struct peer_count {
	struct xdp_count_bpf *skel;
	struct bpf_link *link;
};

/*
 * Attach the counter to ifname in the network namespace netns (a name
 * under /run/netns), with verdict XDP_DROP or XDP_PASS, counting only
 * only_proto (1 ICMP/ICMPv6 echo requests, 6, 17; 0 any). The caller stays
 * in its own namespace; the link works across them. 0 or -errno (said).
 */
int peer_open(struct peer_count *p, const char *netns, const char *ifname, __u32 verdict,
	      __u8 only_proto);
/* Probes counted so far, all CPUs */
__u64 peer_count(struct peer_count *p);
/* Record first/last arrival times from now on (cleared) */
void peer_stamp(struct peer_count *p, int on);
/* Earliest first and latest last arrival over the CPUs (0: none) */
void peer_times(struct peer_count *p, __u64 *first, __u64 *last);
void peer_close(struct peer_count *p);

#endif
