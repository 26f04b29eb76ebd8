/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A made-up finished trace, as a planner hands it to the sinks: five
 * answers to ttls 1, 2, 2, 4, 5 of a method and family, ICMP time
 * exceeded with an MPLS label stack at TTL 2, a quoted length and a
 * quoted TTL off the usual, and a TCP RST+ACK without a send stamp at the
 * end. tests/unit/test_warts.c checks the encoding of it; bench/trace_out.c
 * times the sinks' encoders on it. Header-only: both include it.
 */
#ifndef XHOP_TRACE_SYNTH_H
#define XHOP_TRACE_SYNTH_H

#include <string.h>
#include <arpa/inet.h>
#include "core/probe_build.h"
#include "core/record.h"

#define SYNTH_HOPS 5

/* An address literal in xhop's 16-byte form (IPv4 mapped) */
static inline struct in6_addr synth_ip(const char *s)
{
	struct in6_addr a = { 0 };

	if (strchr(s, ':')) {
		inet_pton(AF_INET6, s, &a);
	} else {
		a.s6_addr[10] = a.s6_addr[11] = 0xff;
		inet_pton(AF_INET, s, &a.s6_addr[12]);
	}
	return a;
}

/* The trace; its hops live in hops[SYNTH_HOPS] */
static inline struct trace_rec trace_synth(int family, int method, struct probe_rec *hops)
{
	struct trace_rec t = { 0 };
	struct trace_head *h = &t.h;
	const char *hop[SYNTH_HOPS] = { "198.18.1.2", "198.18.2.2", "198.18.2.2", "198.18.5.2",
					"198.19.0.77" };
	const char *hop6[SYNTH_HOPS] = { "2001:2:0:1::2", "2001:2:0:2::2", "2001:2:0:2::2",
					 "2001:2:0:5::2", "2001:2:0:100::77" };
	int ttl[SYNTH_HOPS] = { 1, 2, 2, 4, 5 }, att[SYNTH_HOPS] = { 0, 0, 2, 1, 0 };

	h->family = family;
	h->method = method;
	h->src = synth_ip(family == 4 ? "198.18.1.1" : "2001:2:0:1::1");
	h->dst = synth_ip(family == 4 ? "198.19.0.77" : "2001:2:0:100::77");
	h->sport = 40001;
	h->dport = 80;
	h->icmp_sum = 0xbeef;
	h->stop_reason = STOP_COMPLETED;
	h->start.tv_sec = 1700000000;
	h->start.tv_nsec = 123456789;
	h->hop_count = 5;
	h->attempts = 3;
	h->hoplimit = 30;
	h->firsthop = 1;
	h->wait_s = 2;
	h->probe_size = family == 4 ? 60 : 80;
	h->probe_count = 15;
	h->real_offset_ns = 1700000000LL * 1000000000LL;
	memset(hops, 0, sizeof(*hops) * SYNTH_HOPS);
	for (int i = 0; i < SYNTH_HOPS; i++) {
		struct probe_rec *p = &hops[i];
		struct hop_reply *r = &p->reply;

		p->ttl = (__u8)ttl[i];
		p->attempt = (__u8)att[i];
		p->answered = 1;
		p->tx_ns = 5000000000ULL + 1000000ULL * (__u64)i;
		r->rx_ns = p->tx_ns + 1234567 + 1000ULL * (__u64)i; /* 1235 us, 1236 us, ... */
		r->from = synth_ip(family == 4 ? hop[i] : hop6[i]);
		r->reply_ttl = (__u8)(64 - i);
		r->reply_tos = 0xc0;
		r->ip_len = family == 4 ? 88 : 128;
		r->ipid = family == 4 ? (__u16)(1000 + i) : 0;
		r->kind = XHOP_EV_TTL;
		r->icmp_type = family == 4 ? 11 : 3;
		r->q_ttl = i == 3 ? 2 : 1;
		r->q_ipl = (__u16)(i == 1 ? h->probe_size + 4 : h->probe_size);
	}
	hops[1].reply.mpls_count = 2;
	hops[1].reply.mpls[0] = 16000u << 12 | 1u << 9 | 1;
	hops[1].reply.mpls[1] = 16005u << 12 | 5u << 9 | 1u << 8 | 254;
	hops[4].reply.kind = XHOP_EV_TCP;
	hops[4].reply.tcp_flags = 0x14;
	hops[4].reply.icmp_type = 0;
	hops[4].reply.ip_len = family == 4 ? 40 : 60;
	hops[4].reply.verdict = VERDICT_REACHED;
	hops[4].tx_ns = 0;
	t.hops = hops;
	t.nhops = SYNTH_HOPS;
	return t;
}

#endif
