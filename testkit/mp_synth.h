/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A made-up finished multipath trace, as the planner hands it to the
 * sinks: first hop r1 (TTL 1), a 2-way diamond r2a/r2b (TTL 2), r2a
 * behind a silent TTL 3 to r4 (TTL 4), r2b to r4 directly at TTL 3 (the
 * same address at two TTLs: two nodes), both r4 to the destination; a
 * lost first attempt, an ICMP answer with MPLS labels, TCP (or port
 * unreachable) answers from the destination, a probe in no link (the
 * first TTL's). tests/unit/test_warts_lb.c checks its encoding and
 * writes it for scamper's readers (tests/e2e/test_mp_warts.sh).
 */
#ifndef XHOP_MP_SYNTH_H
#define XHOP_MP_SYNTH_H

#include <string.h>
#include "core/probe_build.h"
#include "core/record.h"
#include "trace_synth.h"

enum { MPS_R1, MPS_R2A, MPS_R2B, MPS_SILENT3, MPS_R4_3, MPS_R4_4, MPS_DST_4, MPS_DST_5,
       MPS_NODES };
#define MPS_LINKS 6
#define MPS_PROBES 13

struct mp_synth {
	struct mp_node nodes[MPS_NODES];
	struct mp_link links[MPS_LINKS];
	struct probe_rec probes[MPS_PROBES];
	__u32 link_probes[MPS_PROBES];
	struct mp_rec rec;
};

/* One probe: flow, TTL, attempt, answered from node (-1: not) */
static inline void mps_probe(struct mp_synth *s, int i, int flow, int ttl, int attempt,
			     int from, int family, int method)
{
	struct probe_rec *p = &s->probes[i];
	struct hop_reply *r = &p->reply;
	const struct mp_node *n = from >= 0 ? &s->nodes[from] : NULL;

	memset(p, 0, sizeof(*p));
	p->flow = (__u16)flow;
	p->ttl = (__u8)ttl;
	p->attempt = (__u8)attempt;
	p->tx_ns = 5000000000ULL + 1000000ULL * (__u64)i;
	if (!n)
		return;
	p->answered = 1;
	r->from = n->addr;
	r->rx_ns = p->tx_ns + 1000000ULL + 1000ULL * (__u64)i;
	r->reply_ttl = (__u8)(65 - ttl);
	r->ipid = family == 4 ? (__u16)(100 + i) : 0;
	r->kind = XHOP_EV_TTL;
	r->icmp_type = family == 4 ? 11 : 3;
	r->q_ttl = 1;
	r->q_tos = 0x10;
	r->verdict = n->verdict;
	if (n->verdict == VERDICT_REACHED) {
		if (method == METHOD_TCP) {
			r->kind = XHOP_EV_TCP;
			r->tcp_flags = 0x14;
			r->icmp_type = 0;
		} else {
			r->kind = XHOP_EV_UNREACH;
			r->icmp_type = family == 4 ? 3 : 1;
			r->icmp_code = family == 4 ? 3 : 4;
		}
	}
}

/* The trace; s holds what it points to */
static inline void mp_synth(struct mp_synth *s, int family, int method)
{
	static const char *const v4[MPS_NODES] = { "198.18.1.2", "198.18.2.2", "198.18.3.2", NULL,
						   "198.18.4.2", "198.18.4.2", "198.19.0.77",
						   "198.19.0.77" };
	static const char *const v6[MPS_NODES] = { "2001:2:0:1::2", "2001:2:0:2::2",
						   "2001:2:0:3::2", NULL, "2001:2:0:4::2",
						   "2001:2:0:4::2", "2001:2:0:100::77",
						   "2001:2:0:100::77" };
	static const __u8 ttl[MPS_NODES] = { 1, 2, 2, 3, 3, 4, 4, 5 };
	/* from, to: by from node, then to node, as the planner sorts them */
	static const __u32 link[MPS_LINKS][2] = {
		{ MPS_R1, MPS_R2A },   { MPS_R1, MPS_R2B },   { MPS_R2A, MPS_R4_4 },
		{ MPS_R2B, MPS_R4_3 }, { MPS_R4_3, MPS_DST_4 }, { MPS_R4_4, MPS_DST_5 },
	};
	struct trace_head h = { 0 };
	int np = 0, nl = 0;

	memset(s, 0, sizeof(*s));
	for (int i = 0; i < MPS_NODES; i++) {
		struct mp_node *n = &s->nodes[i];

		n->ttl = ttl[i];
		n->silent = !v4[i];
		if (!n->silent)
			n->addr = synth_ip(family == 4 ? v4[i] : v6[i]);
		n->verdict = i >= MPS_DST_4 ? VERDICT_REACHED : VERDICT_HOP;
	}
	/* flow 0: r1, r2a, silent, r4, dst (5); flow 1: r1, r2b, r4, dst (4) */
	mps_probe(s, np++, 0, 1, 0, MPS_R1, family, method);	  /* 0: in no link */
	mps_probe(s, np++, 1, 1, 0, MPS_R1, family, method);	  /* 1: in no link */
	mps_probe(s, np++, 0, 2, 0, MPS_R2A, family, method);	  /* 2 */
	mps_probe(s, np++, 1, 2, 0, MPS_R2B, family, method);	  /* 3 */
	mps_probe(s, np++, 0, 3, 0, -1, family, method);	  /* 4: silent */
	mps_probe(s, np++, 0, 3, 1, -1, family, method);	  /* 5: silent again */
	mps_probe(s, np++, 1, 3, 0, -1, family, method);	  /* 6: lost... */
	mps_probe(s, np++, 1, 3, 1, MPS_R4_3, family, method);	  /* 7: ...then heard */
	mps_probe(s, np++, 0, 4, 0, MPS_R4_4, family, method);	  /* 8 */
	mps_probe(s, np++, 1, 4, 0, MPS_DST_4, family, method);	  /* 9 */
	mps_probe(s, np++, 0, 5, 0, MPS_DST_5, family, method);	  /* 10 */
	mps_probe(s, np++, 2, 1, 0, MPS_R1, family, method);	  /* 11: in no link */
	mps_probe(s, np++, 2, 2, 0, MPS_R2A, family, method);	  /* 12 */
	s->probes[2].reply.mpls_count = 1;
	s->probes[2].reply.mpls[0] = 16000u << 12 | 1u << 8 | 1;
	/* each link's probes, by TTL, then flow, then attempt */
	{
		static const int of[MPS_LINKS][4] = {
			{ 2, 12, -1 }, { 3, -1 }, { 4, 5, 8, -1 }, { 6, 7, -1 }, { 9, -1 }, { 10, -1 },
		};

		for (int l = 0; l < MPS_LINKS; l++) {
			s->links[l].from = link[l][0];
			s->links[l].to = link[l][1];
			s->links[l].probe0 = (__u32)nl;
			for (int j = 0; of[l][j] >= 0; j++)
				s->link_probes[nl++] = (__u32)of[l][j];
			s->links[l].nprobes = (__u32)nl - s->links[l].probe0;
		}
	}
	synth_head(&h, family, method);
	h.dport = method == METHOD_TCP ? 80 : 33434;
	h.attempts = 2;
	h.probe_count = MPS_PROBES;
	s->rec = (struct mp_rec){ .h = h, .confidence = 95, .flows = 3, .nodes = s->nodes,
			      .nnodes = MPS_NODES, .links = s->links, .nlinks = MPS_LINKS,
			      .probes_max = 3000, .gaplimit = 3, .probes = s->probes,
			      .nprobes = np, .link_probes = s->link_probes, .nlink_probes = nl };
}

#endif
