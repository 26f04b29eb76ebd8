/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the two MDA planners share (xhop multipath, plan/mda.h, and
 * xhop scan --mda, plan/mda_scan.h): the stopping rule, and links taken
 * from a table of every flow's hops, one row per flow, one column per TTL.
 */
#ifndef XHOP_PLAN_MDA_RULE_H
#define XHOP_PLAN_MDA_RULE_H

#include <linux/types.h>
#include "core/record.h"

/* A flow's hop at a TTL, when it is no node (yet) */
enum {
	MDA_HOP_UNKNOWN = -1, /* never asked */
	MDA_HOP_PENDING = -2, /* asked, not settled */
};

#define MDA_K_MAX 64	     /* next hops of one node the rule is tabled for */

/*
 * Flows through a node with k next hops seen that rule out a (k+1)-th
 * with probability confidence (percent): the smallest n with
 * (k+1) * (k/(k+1))^n <= 1 - confidence/100 (Veitch et al., the MDA's
 * stopping points: 6, 11, 16, 21, 27, 33 at 95%)
 */
int mda_flows_needed(double confidence, int k);

/* A node ends the flows that reach it: the destination, an Unreachable */
static inline int mda_node_terminal(const struct mp_node *n)
{
	return !n->silent && n->verdict != VERDICT_HOP;
}

/*
 * The links of a hop table hop[flow * nttl + ttl - the first TTL] (a node
 * index or MDA_HOP_*): two answering nodes one flow met with nothing
 * between them but TTLs where it was silent. A TTL never asked (or not
 * settled) breaks the chain, a terminal node ends it: nothing is claimed
 * across either. Into *links (malloc'd, sorted, no duplicates, no
 * probes), their count into *nlinks. 0 or -ENOMEM.
 */
int mda_links_make(const struct mp_node *nodes, const __s32 *hop, int nflows, int nttl,
		   struct mp_link **links, int *nlinks);

#endif
