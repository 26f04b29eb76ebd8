/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The simulated Internet, as pure functions of a seed: who answers a probe
 * to a destination, for one flow, at one TTL. Nothing is stored: the XDP
 * responder (sim.bpf.c) and `xhop-sim truth` (sim_truth.c) include this one
 * header and so cannot disagree about the topology.
 *
 * The shape. A destination's key (its address inside 198.18.0.0/15 or
 * 2001:2:0::/48) picks one node per level of a tree:
 *
 *   level 0  the core, shared by every path (3-4 hops)
 *   level 1  by the top 2 bits of the key (1-4 hops)
 *   level 2  by the top 4 bits (1-4 hops)
 *   level 3  by the top 6 bits (1-4 hops)
 *   level 4  the leaf: the /24 (IPv4, top 9 bits) or the /64 (IPv6,
 *            top 16 bits) (1-4 hops)
 *
 * then the destination itself: 7-20 routers, the destination at TTL 8-21
 * (up to 25 behind detours). Each node is one path segment. A segment may
 * be a load balancer's diamond: every hop of it has a width (1..max_width
 * interfaces), and a flow's lane at each hop follows from its lane at the
 * hop before (a nested diamond: 2 -> 4 -> 2 splits each branch in two and
 * merges them back) or, in a meshed diamond, is hashed afresh at every hop.
 * A detour gives the flows of lane 0 one more router after the segment's
 * first hop (unequal branch lengths). A plain segment of levels 2-3 may
 * be an MPLS tunnel: its routers answer Time Exceeded with the label they
 * saw (RFC 4950). Interfaces can be silent; a leaf can
 * be unreachable (its last router answers Destination Unreachable); a
 * destination can be dead (nothing answers past the last router).
 *
 * Flows. Each router picks the next hop from the flow's hash, the fields a
 * Linux router with fib_multipath_hash_policy 1 hashes: both addresses, the
 * protocol and the UDP/TCP ports. For ICMP the checksum stands in for the
 * ports, like the load balancers hashing the first four L4 bytes that Paris
 * traceroute keeps constant (Linux itself hashes ICMP by addresses only).
 * Every router mixes the flow with its own seed, as Linux mixes in a
 * per-boot random key, so two hops choose independently.
 *
 * Addresses. Targets are the whole of 198.18.0.0/15 and 2001:2:0::/48.
 * Router interfaces are numbered into 198.19.0.0/16 (38,208 of them,
 * one per level/prefix/hop/lane, no two alike) and 2001:2:0:fffe::/64, so
 * no answer ever comes from outside the ranges. A probe to a router's
 * address is simply one more destination.
 *
 * Everything here is static __always_inline with fixed loop bounds and no
 * division by anything that can be zero, for the verifier.
 */
#ifndef XHOP_SIM_TOPO_H
#define XHOP_SIM_TOPO_H

#include <linux/types.h>

#define SIM_LEVELS	 5
#define SIM_SEG_MAX	 4	/* hops of a segment, core aside */
#define SIM_CORE_MAX	 4
#define SIM_HOP_DETOUR	 7	/* hop index of a detour's extra router */
#define SIM_WIDTH_MAX	 8
/* longest path: core + 4 segments + a detour in each + the destination */
#define SIM_TTL_MAX	 (SIM_CORE_MAX + 4 * SIM_SEG_MAX + SIM_LEVELS + 1)

#define SIM_NET4	 0xC6120000u /* 198.18.0.0/15: targets */
#define SIM_MASK4	 0xFFFE0000u
#define SIM_ROUTER4	 0xC6130000u /* 198.19.0.0/16: router interfaces */
/* 2001:2:0::/48 in its first three 16-bit groups, host order */
#define SIM_NET6_W0	 0x20010002u
#define SIM_NET6_G2	 0x0000u
#define SIM_ROUTER6_G3	 0xFFFEu     /* 2001:2:0:fffe::/64: router interfaces */

/* What answers a probe, for one flow at one TTL */
#define SIM_ROUTER	 1 /* Time Exceeded from iface */
#define SIM_SILENT	 2 /* a router that never answers */
#define SIM_UNREACH	 3 /* Destination Unreachable from iface, the last router */
#define SIM_DEST	 4 /* the destination answers */
#define SIM_DEAD	 5 /* nothing: a destination that never answers */

/* Topology knobs: rodata of the XDP program, options of xhop-sim */
struct sim_params {
	__u64 seed;
	__u32 silent_pct;  /* interfaces that never answer */
	__u32 lb_pct;      /* segments that are a load balancer's diamond */
	__u32 unreach_pct; /* leaf prefixes without a route */
	__u32 dead_pct;    /* destinations that never answer */
	__u32 max_width;   /* widest hop of a diamond, 2..SIM_WIDTH_MAX */
	__u32 rate_pps;    /* per-interface ICMP rate limit; 0: none */
	__u32 burst;       /* its bucket, in answers */
	__u32 mpls_pct;    /* eligible segments that are MPLS tunnels */
};
_Static_assert(sizeof(struct sim_params) == 40, "sim_params ABI changed");

/* A destination, as the topology sees it */
struct sim_dst {
	__u32 key;    /* prefix bits, left-aligned: they pick the tree's nodes */
	__u32 id;     /* hash of the whole address: dead or alive */
	__u32 family; /* 4 or 6 */
	__u32 _pad;
};

/* The answer at one TTL */
struct sim_hop {
	__u32 iface; /* interface id (sim_iface_*), SIM_ROUTER / SIM_UNREACH */
	__u32 hops;  /* routers on this flow's path; the destination is hops+1 */
	__u32 kind;  /* SIM_ROUTER... */
	__u32 label; /* SIM_ROUTER inside a tunnel: its MPLS label; else 0 */
};

/* splitmix64's finaliser: cheap, and every input bit moves every output bit */
static __always_inline __u64 sim_mix(__u64 x)
{
	x ^= x >> 30;
	x *= 0xBF58476D1CE4E5B9ull;
	x ^= x >> 27;
	x *= 0x94D049BB133111EBull;
	x ^= x >> 31;
	return x;
}

static __always_inline __u64 sim_mix2(__u64 a, __u64 b)
{
	return sim_mix(a ^ sim_mix(b + 0x9E3779B97F4A7C15ull));
}

/*
 * Interface ids: level in bits 24-26, the node's prefix in 8-23, the hop
 * in the segment in 3-5, the lane in 0-2. Prefixes never exceed 16 bits.
 */
static __always_inline __u32 sim_iface_id(__u32 level, __u32 prefix, __u32 hop, __u32 lane)
{
	return level << 24 | (prefix & 0xFFFF) << 8 | (hop & 7) << 3 | (lane & 7);
}

/* prefix bits of each level: IPv4 then IPv6 */
static __always_inline __u32 sim_level_bits(__u32 family, __u32 level)
{
	switch (level) {
	case 0: return 0;
	case 1: return 2;
	case 2: return 4;
	case 3: return 6;
	default: return family == 6 ? 16 : 9;
	}
}

/*
 * The IPv4 address of an interface: 198.19.0.0 + a base per level + the
 * 6 bits of hop and lane under the node's prefix. Level 4 has 2^9 * 64
 * = 32768 slots, level 3 4096, level 2 1024, level 1 256, the core 64.
 */
static __always_inline __u32 sim_iface_addr4(__u32 iface)
{
	__u32 level = iface >> 24, prefix = (iface >> 8) & 0xFFFF, low = iface & 0x3F;
	__u32 base;

	switch (level) {
	case 4: base = 0; break;
	case 3: base = 32768; break;
	case 2: base = 36864; break;
	case 1: base = 37888; break;
	default: base = 38144; break;
	}
	return SIM_ROUTER4 + base + (prefix << 6 | low);
}

/*
 * IPv6: 2001:2:0:fffe:0:1:<id>, the id in the last 32 bits (host-order
 * words); the 1 keeps the interface id off the all-zero subnet anycast
 */
static __always_inline void sim_iface_addr6(__u32 iface, __u32 w[4])
{
	w[0] = SIM_NET6_W0;
	w[1] = SIM_NET6_G2 << 16 | SIM_ROUTER6_G3;
	w[2] = 1;
	w[3] = iface;
}

/*
 * The destination's key, from its address in host-order 32-bit words
 * (IPv4: w[0] only). 0 when it is outside the ranges: not ours to answer.
 */
static __always_inline int sim_dst_of(__u32 family, const __u32 w[4], __u64 seed,
				      struct sim_dst *d)
{
	d->family = family;
	d->_pad = 0;
	if (family == 4) {
		if ((w[0] & SIM_MASK4) != SIM_NET4)
			return 0;
		d->key = (w[0] - SIM_NET4) << 15; /* the 17 host bits, left-aligned */
		d->id = (__u32)sim_mix2(seed ^ 4, w[0]);
		return 1;
	}
	if (w[0] != SIM_NET6_W0 || (w[1] >> 16) != SIM_NET6_G2)
		return 0;
	/* the fourth group (the /64) on top, a hash of the rest below it */
	d->key = (w[1] & 0xFFFF) << 16 | (__u32)(sim_mix2(w[2], w[3]) & 0xFFFF);
	d->id = (__u32)sim_mix2(seed ^ 6, ((__u64)w[1] << 32 | w[2]) ^ sim_mix(w[3]));
	return 1;
}

/*
 * A flow's hash: addresses as host-order words, the protocol, and the L4
 * word (sport << 16 | dport for UDP/TCP, the checksum for ICMP).
 */
static __always_inline __u32 sim_flow(__u64 seed, const __u32 src[4], const __u32 dst[4],
				      __u32 proto, __u32 l4)
{
	__u64 h = seed ^ 0x5A5A5A5Aull;

	h = sim_mix2(h, (__u64)src[0] << 32 | src[1]);
	h = sim_mix2(h, (__u64)src[2] << 32 | src[3]);
	h = sim_mix2(h, (__u64)dst[0] << 32 | dst[1]);
	h = sim_mix2(h, (__u64)dst[2] << 32 | dst[3]);
	h = sim_mix2(h, (__u64)proto << 32 | l4);
	return (__u32)h;
}

static __always_inline __u32 sim_pct(__u64 h, __u32 pct)
{
	return (__u32)(h % 100) < pct;
}

/* The width of hop `hop` of a diamond segment (node hash nh) */
static __always_inline __u32 sim_width(const struct sim_params *p, __u64 nh, __u32 hop)
{
	__u32 max = p->max_width;

	if (max < 2)
		max = 2;
	if (max > SIM_WIDTH_MAX)
		max = SIM_WIDTH_MAX;
	return 1 + (__u32)(sim_mix2(nh, 100 + hop) % max);
}

/*
 * The lane at the next hop. Nested: a lane's children are its share of the
 * wider hop [l*w'/w, (l+1)*w'/w), and a narrower hop merges lanes l*w'/w.
 * Meshed: any lane of the next hop. r: the router's hash of the flow.
 */
static __always_inline __u32 sim_next_lane(__u32 lane, __u32 w, __u32 w2, __u32 meshed, __u64 r)
{
	__u32 lo, hi;

	if (meshed || w == 0)
		return (__u32)(r % w2);
	if (w2 <= w)
		return lane * w2 / w;
	lo = lane * w2 / w;
	hi = (lane + 1) * w2 / w;
	if (hi <= lo) /* cannot happen when w2 > w; the verifier doesn't know */
		return lo;
	return lo + (__u32)(r % (hi - lo));
}

/*
 * A walk down one flow's path, one router per sim_step(), so that the XDP
 * program can run it under bpf_loop() (verified once, whatever the path)
 * and userspace in a plain loop: the same steps either way.
 */
struct sim_walk {
	struct sim_params p;
	struct sim_dst d;
	__u64 nh;      /* the current segment's hash */
	__u32 flow;
	__u32 ttl;     /* the TTL asked about; 0: none */
	__u32 level;   /* current segment; SIM_LEVELS: the walk is over */
	__u32 prefix;  /* its node */
	__u32 i;       /* next hop in it */
	__u32 len;     /* its hops */
	__u32 lane;    /* the flow's lane at the hop before */
	__u32 w;       /* that hop's width */
	__u32 diamond, meshed, detour, pending; /* pending: the detour's router is next */
	__u32 tunnel;  /* the segment is an MPLS tunnel */
	__u32 n;       /* routers so far */
	__u32 cur;     /* the router the last step reached */
	__u32 label;   /* the label it saw, 0 outside tunnels */
	__u32 found;   /* the router at ttl, 0 before it is reached */
	__u32 found_label;
};

static __always_inline void sim_segment(struct sim_walk *st)
{
	__u32 bits = sim_level_bits(st->d.family, st->level);
	__u64 nh;

	st->prefix = bits ? st->d.key >> (32 - bits) : 0;
	nh = sim_mix2(st->p.seed ^ (__u64)st->d.family << 56 ^ (__u64)st->level << 48, st->prefix);
	st->nh = nh;
	st->i = 0;
	st->lane = 0;
	st->w = 1;
	st->len = st->level ? 1 + (__u32)(nh % SIM_SEG_MAX) : 3 + (__u32)(nh % 2);
	st->diamond = st->level && sim_pct(sim_mix2(nh, 1), st->p.lb_pct);
	st->meshed = st->diamond && (sim_mix2(nh, 2) & 3) == 0;
	st->detour = st->diamond && (sim_mix2(nh, 3) & 3) == 0;
	/* tunnels: some plain segments of two hops or more between the core
	 * and the leaf, whose routers answer with RFC 4950 label stacks
	 */
	st->tunnel = st->level >= 2 && st->level <= 3 && !st->diamond && st->len >= 2 &&
		     sim_pct(sim_mix2(nh, 4), st->p.mpls_pct);
	st->pending = 0;
}

static __always_inline void sim_walk_init(struct sim_walk *st, const struct sim_params *p,
					  const struct sim_dst *d, __u32 flow, __u32 ttl)
{
	__builtin_memset(st, 0, sizeof(*st));
	st->p = *p;
	st->d = *d;
	st->flow = flow;
	st->ttl = ttl;
	sim_segment(st);
}

/* One router further: 0 with st->cur set, 1 when the path is over */
static __always_inline int sim_step(struct sim_walk *st)
{
	__u32 w2, lane;
	__u64 r;

	if (st->pending) {
		st->pending = 0;
		st->cur = sim_iface_id(st->level, st->prefix, SIM_HOP_DETOUR, 0);
		st->label = 0;
		goto reached;
	}
	if (st->i >= st->len) {
		if (st->level + 1 >= SIM_LEVELS) {
			st->level = SIM_LEVELS;
			return 1;
		}
		st->level++;
		sim_segment(st);
	}
	w2 = st->diamond ? sim_width(&st->p, st->nh, st->i) : 1;
	/* the router at (hop, lane) hashes the flow with its own key */
	r = sim_mix2(st->nh ^ (__u64)st->i << 40 ^ (__u64)st->lane << 44, st->flow);
	lane = st->i ? sim_next_lane(st->lane, st->w, w2, st->meshed, r) : (__u32)(r % w2);
	st->cur = sim_iface_id(st->level, st->prefix, st->i, lane);
	/* a label per hop (each LSR swaps it), never a reserved one (0-15) */
	st->label = st->tunnel ? 16 + (__u32)(sim_mix2(st->nh, 16 + st->i) % 0xFFFF0) : 0;
	st->pending = st->detour && st->i == 0 && lane == 0 && w2 > 1;
	st->lane = lane;
	st->w = w2;
	st->i++;
reached:
	st->n++;
	if (st->n == st->ttl) {
		st->found = st->cur;
		st->found_label = st->label;
	}
	return 0;
}

static __always_inline int sim_leaf_unreach(const struct sim_params *p, const struct sim_dst *d)
{
	__u32 leaf = d->key >> (32 - sim_level_bits(d->family, SIM_LEVELS - 1));

	return sim_pct(sim_mix2(p->seed ^ (__u64)d->family << 56 ^ 0xB7, leaf), p->unreach_pct);
}

static __always_inline int sim_iface_silent(const struct sim_params *p, __u32 family, __u32 iface)
{
	return sim_pct(sim_mix2(p->seed ^ (__u64)family << 56 ^ 0xA5, iface), p->silent_pct);
}

/*
 * What answers at TTL ttl of a path of `hops` routers, iface being the
 * router at ttl (ttl <= hops) or the last one (ttl > hops), label the
 * label that router saw.
 */
static __always_inline void sim_classify(const struct sim_params *p, const struct sim_dst *d,
					 __u32 iface, __u32 label, __u32 ttl, __u32 hops,
					 struct sim_hop *out)
{
	out->iface = iface;
	out->hops = hops;
	out->label = 0;
	/* the last router of an unreachable leaf has no route: it answers
	 * Destination Unreachable even to a probe that expires there, as
	 * Linux routes a packet before it checks the TTL
	 */
	if (ttl >= hops && sim_leaf_unreach(p, d))
		out->kind = SIM_UNREACH;
	else if (ttl <= hops)
		out->kind = sim_iface_silent(p, d->family, iface) ? SIM_SILENT : SIM_ROUTER;
	else
		out->kind = sim_pct(d->id, p->dead_pct) ? SIM_DEAD : SIM_DEST;
	if (out->kind == SIM_ROUTER)
		out->label = label;
}

/* The answer once the walk is over */
static __always_inline void sim_walk_end(const struct sim_walk *st, struct sim_hop *out)
{
	sim_classify(&st->p, &st->d, st->ttl <= st->n ? st->found : st->cur,
		     st->ttl <= st->n ? st->found_label : 0, st->ttl, st->n, out);
}

#endif /* XHOP_SIM_TOPO_H */
