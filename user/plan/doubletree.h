/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Redundancy removal for xhop scan, after Doubletree (Donnet et al.,
 * SIGMETRICS 2005) as FlashRoute uses it: probing backward from a target,
 * stop at a hop the scan already knows, because the hops below it, near
 * the vantage point, are shared by most targets.
 *
 * Plain Doubletree stops at any hop seen before, which is wrong under
 * per-flow load balancing: a router reached through two branches has two
 * different hops below it, and a stop there reports neither for the
 * target. So this stop set also learns what lies below each hop: a node
 * is (address, TTL), and every target that probes on below it records the
 * hop it found one TTL lower (its parent). Backward probing stops at a
 * node only when the node and every node below it were seen with one and
 * the same parent by at least `stable_obs` targets; the stopped target's
 * lower hops are then known (inferred), not guessed. A node that ever
 * shows two parents is divergent for good. One target in `recheck` never
 * stops, so a branch that appears late is still seen.
 *
 * A silent hop is a node too, keyed by the node above it.
 */
#ifndef XHOP_DOUBLETREE_H
#define XHOP_DOUBLETREE_H

#include <netinet/in.h>
#include <linux/types.h>

#define DT_NONE 0xffffffffu

struct dt_node {
	struct in6_addr addr; /* the hop's address; zero for a silent hop */
	__u32 child;	      /* silent hop: the node above it; else DT_NONE */
	__u32 parent;	      /* the node one TTL lower, DT_NONE: not seen yet */
	__u32 obs;	      /* targets that showed the parent */
	__u8 ttl;
	__u8 divergent;	      /* two different parents were seen */
	__u8 silent;
	__u8 stopped_at;      /* some target stopped here (late divergence counts) */
};

struct doubletree {
	struct dt_node *v;
	__u32 n, cap;
	__u32 *index; /* open addressing over (addr, ttl, child) */
	__u32 mask;
	__u32 stable_obs;
	__u32 recheck;
	__u64 stops;	       /* targets that stopped at a known node */
	__u64 late_divergence; /* nodes that diverged after a target stopped at them */
};

int dt_init(struct doubletree *dt, __u32 stable_obs, __u32 recheck);
void dt_free(struct doubletree *dt);
/* The node of an answering hop, created if new; DT_NONE when out of memory */
__u32 dt_node(struct doubletree *dt, const struct in6_addr *addr, int ttl);
/* The node of a silent hop just below child */
__u32 dt_silent(struct doubletree *dt, __u32 child, int ttl);
/* One target saw parent one TTL below child */
void dt_observe(struct doubletree *dt, __u32 child, __u32 parent);
/* Everything below node is known: a target may stop probing at it */
int dt_stable(const struct doubletree *dt, __u32 node);
/* Whether the target with this list index never stops (the recheck share) */
int dt_rechecks(const struct doubletree *dt, __u32 target_idx);
static inline const struct dt_node *dt_get(const struct doubletree *dt, __u32 node)
{
	return node == DT_NONE ? 0 : &dt->v[node];
}

#endif
