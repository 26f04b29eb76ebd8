/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The names every layer shares, below all of them: what an answer says
 * (struct hop_reply and its verdict), why a trace stopped, and the
 * probe methods by their scamper names.
 */
#ifndef XHOP_REPLY_H
#define XHOP_REPLY_H

#include <netinet/in.h>
#include <linux/types.h>
#include "xhop_event.h"

/* What an answer says about the trace */
enum reply_verdict {
	VERDICT_HOP = 0,  /* an intermediate hop (Time Exceeded) */
	VERDICT_REACHED,  /* the destination answered */
	VERDICT_UNREACH,  /* Destination Unreachable short of the target */
};

struct hop_reply {
	struct in6_addr from;
	__u64 rx_ns; /* XDP stamp, CLOCK_MONOTONIC */
	__u32 mpls[XHOP_MPLS_MAX];
	__u16 ip_len;
	__u16 ipid;
	__u16 q_ipl;
	__u8 kind; /* enum xhop_event_kind */
	__u8 icmp_type;
	__u8 icmp_code;
	__u8 reply_ttl;
	__u8 reply_tos;
	__u8 q_ttl;
	__u8 q_tos;
	__u8 tcp_flags;
	__u8 mpls_count;
	__u8 verdict; /* enum reply_verdict */
};

/* scamper's stop reasons */
enum stop_reason {
	STOP_NONE = 0,
	STOP_COMPLETED,
	STOP_UNREACH,
	STOP_ICMP,
	STOP_LOOP,
	STOP_GAPLIMIT,
	STOP_HOPLIMIT,
	STOP_ERROR,
	STOP_INTERRUPTED,
	STOP_PROBELIMIT, /* xhop multipath: --max-probes reached */
};

/* Classify an answer given the target's family */
int reply_verdict_of(const struct xhop_event *ev, int family);
/* Fill a reply record from a BPF answer event (family: the target's) */
void hop_reply_from_event(struct hop_reply *r, const struct xhop_event *ev, int family);
/* Method names as scamper writes them: icmp-echo-paris, udp-paris, tcp */
const char *method_name(int method);
const char *stop_reason_name(int stop_reason);

#endif
