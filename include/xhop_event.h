/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ring-buffer record that the BPF programs hand to userspace.
 *
 * One ABI for both directions: the tc egress program writes an XHOP_EV_TX
 * record when one of our probes leaves, the XDP program an answer record
 * when a reply to one comes back. Both stamp ts_ns with bpf_ktime_get_ns()
 * (CLOCK_MONOTONIC), so an RTT is a difference of two kernel stamps and no
 * userspace clock reading ever enters it.
 *
 * Fixed-width fields only, largest first, explicit padding: the layout is
 * the same for clang -target bpf and for gcc on the host.
 */
#ifndef XHOP_EVENT_H
#define XHOP_EVENT_H

#include <linux/types.h>

enum xhop_event_kind {
	XHOP_EV_TX = 1,	     /* a probe left (tc egress) */
	XHOP_EV_TTL,	     /* ICMP/ICMPv6 Time Exceeded */
	XHOP_EV_UNREACH,     /* Destination Unreachable (incl. port unreach) */
	XHOP_EV_ECHO,	     /* Echo Reply */
	XHOP_EV_TCP,	     /* SYN-ACK or RST answering a SYN probe */
};

#define XHOP_MPLS_MAX 4

struct xhop_event {
	__u64 ts_ns;	       /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u8 from[16];	       /* responder; for TX our source. IPv4 as ::ffff:a.b.c.d */
	__u8 dst[16];	       /* the probe's destination (quoted or answering) */
	__u32 mpls[XHOP_MPLS_MAX]; /* RFC 4950 label stack entries, host order */
	__u32 ifindex;	       /* interface the packet crossed */
	__u16 probe_id;	       /* decoded from the probe (xhop_probe.h) */
	__u16 ip_len;	       /* IP total length of the reply (TX: of the probe) */
	__u16 reply_ipid;      /* IPv4 ID of the reply; 0 for IPv6 */
	__u16 q_ipl;	       /* quoted probe's IP total length (0: none) */
	__u8 kind;	       /* enum xhop_event_kind */
	__u8 family;	       /* 4 or 6 */
	__u8 proto;	       /* the probe's IP protocol */
	__u8 icmp_type;
	__u8 icmp_code;
	__u8 reply_ttl;	       /* TTL / hop limit of the reply as received */
	__u8 reply_tos;	       /* TOS / traffic class of the reply */
	__u8 q_ttl;	       /* TTL of the probe when the router quoted it */
	__u8 q_tos;
	__u8 tcp_flags;	       /* for XHOP_EV_TCP */
	__u8 mpls_count;       /* valid entries in mpls[] */
	__u8 _pad[1];	       /* explicit and zeroed: no hidden holes */
};

#define XHOP_EVENT_SIZE 80
_Static_assert(sizeof(struct xhop_event) == XHOP_EVENT_SIZE, "xhop_event ABI changed");

/* Counters of the receive and transmit programs (per-CPU array "stats") */
enum xhop_stat {
	XHOP_STAT_RX_SEEN,	/* packets the XDP program looked at */
	XHOP_STAT_RX_OURS,	/* replies to our probes, consumed (XDP_DROP) */
	XHOP_STAT_RX_FOREIGN,	/* well-formed ICMP/TCP not answering us */
	XHOP_STAT_RX_MALFORMED, /* truncated or inconsistent headers */
	XHOP_STAT_RX_RB_FULL,	/* ours, but the ring buffer was full: passed */
	XHOP_STAT_TX_PROBES,	/* probes seen leaving at tc egress */
	XHOP_STAT_TX_RB_FULL,	/* TX stamps lost to a full ring buffer */
	XHOP_STAT_MAX,
};

#endif /* XHOP_EVENT_H */
