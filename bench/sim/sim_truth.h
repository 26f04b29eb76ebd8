/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ground truth of the simulated Internet, from the same sim_topo.h the
 * XDP responder runs: per TTL, every answer some flow to a destination can
 * get, and the links between consecutive hops. Where paths differ in
 * length, a flow whose path ended gets at the larger TTLs what it got at
 * its end (the destination, the unreachable prefix's router) or, behind a
 * dead destination, nothing: "*".
 */
#ifndef XHOP_SIM_TRUTH_H
#define XHOP_SIM_TRUTH_H

#include <stdio.h>
#include <linux/types.h>
#include "sim_topo.h"

/* flows tried for "every flow": far more than any diamond has lanes */
#define SIM_TRUTH_FLOWS 16384
#define SIM_TRUTH_WIDE	64 /* answers at one TTL, at most */
#define SIM_TRUTH_LINKS 512

/* One answer at one TTL: a router, a silent one ("*") or the destination */
struct sim_ans {
	__u32 kind; /* SIM_ROUTER, SIM_SILENT, SIM_UNREACH, SIM_DEST */
	__u32 iface;
	__u32 label; /* the MPLS label a tunnel's router quotes; 0: none */
};

struct sim_truth {
	__u32 family;
	__u32 dst[4];  /* host-order words */
	__u32 dst_len; /* sim_truth_spans: the prefix length the destination is named by */
	__u32 spans;   /* links are sim_truth_spans' */
	__u32 last;    /* TTL of the last line */
	__u32 n[SIM_TTL_MAX + 1];
	struct sim_ans ans[SIM_TTL_MAX + 1][SIM_TRUTH_WIDE];
	__u32 nlinks;
	struct {
		__u32 ttl, to_ttl; /* to_ttl > ttl + 1: silent routers between */
		struct sim_ans from, to;
	} links[SIM_TRUTH_LINKS];
};

/* A flow's path: the answers at TTL 1..len (len 0: outside the ranges) */
struct sim_path {
	__u32 len;
	struct sim_ans at[SIM_TTL_MAX + 1];
};

/* One flow's path to dst (host-order words; IPv4 in w[0]) */
int sim_path_of(const struct sim_params *p, __u32 family, const __u32 dst[4], __u32 flow,
		struct sim_path *out);
/*
 * The truth for SIM_TRUTH_FLOWS flows (flows NULL) or for the nflows given.
 * -EINVAL: dst outside the simulated ranges; -E2BIG: a table overflowed.
 */
int sim_truth_build(const struct sim_params *p, __u32 family, const __u32 dst[4],
		    const __u32 *flows, __u32 nflows, struct sim_truth *t);
/*
 * The links an MDA scan of a prefix can find (xhop scan --mda's flows:
 * address i of the first naddr, i in the low 8 bits): between the
 * answers of one flow, the silent routers between them stepped over, for
 * SIM_TRUTH_FLOWS flows spread over the addresses. The destination is one
 * node, whichever address answered; dead addresses add nothing. Errors
 * as sim_truth_build's.
 */
int sim_truth_spans(const struct sim_params *p, __u32 family, const __u32 dst[4], __u32 dst_len,
		    __u32 naddr, struct sim_truth *t);
/*
 * "TTL ADDR..." lines, or "TTL FROM TO" lines with links (spans: "TTL FROM
 * TO_TTL TO", the destination named ADDR/LEN); labels: a tunnel router's
 * address as "ADDR[L<label>]"
 */
void sim_truth_print(const struct sim_truth *t, int links, int labels, FILE *f);
/* An answer as traceroute -n prints it: "*" or the address (and label) */
void sim_ans_str(const struct sim_truth *t, const struct sim_ans *a, int labels, char *buf,
		 size_t len);

#endif /* XHOP_SIM_TRUTH_H */
