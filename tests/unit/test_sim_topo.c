// SPDX-License-Identifier: GPL-2.0
/*
 * The simulated Internet's topology (bench/sim/sim_topo.h) and its truth
 * (sim_truth.c): determined by the seed, Internet-like in the ways the
 * issue asks (a shared core, branching by prefix, 8-25 hops, diamonds of
 * several widths, nested and of unequal length, silent routers,
 * unreachable prefixes, dead destinations), addresses only inside the
 * ranges and never two interfaces on one, and flows spread over the
 * branches of a load balancer.
 */
#include <stdlib.h>
#include <string.h>
#include "xhop_test.h"
#include "sim_truth.h"

static struct sim_params params(__u64 seed)
{
	struct sim_params p = {
		.seed = seed, .silent_pct = 5, .lb_pct = 30, .unreach_pct = 3,
		.dead_pct = 5, .max_width = 4, .burst = 10, .mpls_pct = 20,
	};
	return p;
}

/* The i-th of n addresses spread over the IPv4 range, or the IPv6 one */
static void target(__u32 family, __u32 i, __u32 w[4])
{
	memset(w, 0, 16);
	if (family == 4) {
		w[0] = SIM_NET4 + (__u32)(((__u64)i * 2654435761u) & 0x1FFFF);
		return;
	}
	w[0] = SIM_NET6_W0;
	w[1] = (__u32)(((__u64)i * 40503u) & 0xFFFF);
	w[3] = i + 1;
}

static struct sim_truth truth, truth2;

static void test_deterministic(void)
{
	struct sim_params p = params(11), q = params(12);
	__u32 w[4], i, differ = 0;

	for (i = 0; i < 8; i++) {
		target(i & 1 ? 6 : 4, i, w);
		EXPECT(!sim_truth_build(&p, i & 1 ? 6 : 4, w, NULL, 0, &truth), "build %u", i);
		EXPECT(!sim_truth_build(&p, i & 1 ? 6 : 4, w, NULL, 0, &truth2), "build %u", i);
		EXPECT(!memcmp(&truth, &truth2, sizeof(truth)), "seed 11, target %u: two truths", i);
		sim_truth_build(&q, i & 1 ? 6 : 4, w, NULL, 0, &truth2);
		differ += !!memcmp(&truth, &truth2, sizeof(truth));
	}
	EXPECT(differ >= 6, "another seed, another topology: %u of 8 differ", differ);
}

/* Path lengths, the core, diamonds, detours, silence and dead ends over
 * many destinations and flows of both families
 */
static void test_shape(void)
{
	__u32 lens[SIM_TTL_MAX + 2] = { 0 }, fam, i, t, w[4], core[2][4] = { { 0 } };
	__u32 wide = 0, wider = 0, unequal = 0, silent = 0, unreach = 0, dead = 0, n = 0;
	__u32 core_same = 1, min = 99, max = 0, bad = 0;
	struct sim_params p = params(3);
	struct sim_path path;

	for (fam = 4; fam <= 6; fam += 2) {
		for (i = 0; i < 3000; i++) {
			__u32 d0 = 0, flow;

			target(fam, i, w);
			for (flow = 0; flow < 8; flow++) {
				__u32 last;

				bad += sim_path_of(&p, fam, w, flow * 7919, &path) != 0;
				last = path.len;
				n++;
				if (path.at[last].kind == SIM_DEST) {
					lens[last]++;
					min = last < min ? last : min;
					max = last > max ? last : max;
					if (d0 && d0 != last)
						unequal++;
					d0 = last;
				}
				unreach += path.at[last].kind == SIM_UNREACH;
				if (path.at[last].kind == SIM_ROUTER || path.at[last].kind == SIM_SILENT)
					dead++;
				for (t = 1; t <= last; t++)
					silent += path.at[t].kind == SIM_SILENT;
				for (t = 1; t <= 3; t++) {
					__u32 c = path.at[t].iface;

					if (!core[fam == 6][t])
						core[fam == 6][t] = c;
					core_same &= core[fam == 6][t] == c;
				}
			}
		}
	}
	EXPECT(!bad, "%u paths refused", bad);
	EXPECT(min >= 8 && max <= 25, "destinations at TTL %u..%u, want within 8..25", min, max);
	EXPECT(lens[8] + lens[9] + lens[10] > 0 && lens[18] + lens[19] + lens[20] + lens[21] > 0,
	       "short and long paths both: %u at 8-10, %u at 18-21", lens[8] + lens[9] + lens[10],
	       lens[18] + lens[19] + lens[20] + lens[21]);
	EXPECT(core_same, "TTL 1-3: the same core routers on every path of a family");
	EXPECT(unequal > 0, "a detour: one destination at two TTLs (%u)", unequal);
	EXPECT(silent > n / 100 && silent < n, "silent hops: %u in %u paths", silent, n);
	EXPECT(unreach > n / 200 && unreach < n / 10, "unreachable ends: %u of %u", unreach, n);
	EXPECT(dead > n / 200 && dead < n / 5, "dead destinations: %u of %u", dead, n);

	/* diamonds: TTLs with 2 and with 4 or more interfaces across flows */
	for (i = 0; i < 40; i++) {
		target(4, i, w);
		EXPECT(!sim_truth_build(&p, 4, w, NULL, 0, &truth), "truth %u", i);
		for (t = 1; t <= truth.last; t++) {
			wide += truth.n[t] >= 2;
			wider += truth.n[t] >= 4;
		}
	}
	EXPECT(wide > 20 && wider > 3, "diamonds: %u TTLs of width 2+, %u of 4+", wide, wider);
}

/* Branching by prefix: a /24 shares its whole path, other /24s part of it */
static void test_prefixes(void)
{
	struct sim_params p = params(5);
	struct sim_path a, b, c;
	__u32 w[4] = { SIM_NET4 + 0x1234, 0, 0, 0 }, t, shared = 0;

	p.dead_pct = 0;
	p.unreach_pct = 0;
	p.silent_pct = 0;
	sim_path_of(&p, 4, w, 42, &a);
	w[0] = SIM_NET4 + 0x1277; /* same /24 */
	sim_path_of(&p, 4, w, 42, &b);
	EXPECT(a.len == b.len, "same /24, same flow: same length (%u, %u)", a.len, b.len);
	for (t = 1; t < a.len && t < b.len && a.at[t].iface == b.at[t].iface; t++)
		;
	EXPECT(t == a.len, "same /24: TTL %u differs", t);
	w[0] = SIM_NET4 + 0x1FF01; /* the other half of the range */
	sim_path_of(&p, 4, w, 42, &c);
	for (t = 1; t < a.len && t < c.len && a.at[t].iface == c.at[t].iface; t++)
		shared++;
	EXPECT(shared >= 3 && shared < a.len - 1, "far prefixes share the core only: %u hops", shared);
}

/* Every interface has its own address, inside the routers' ranges */
static void test_addresses(void)
{
	static __u8 used[65536];
	__u32 level, prefix, hop, lane, dup = 0, out = 0, w[4], d6w[4] = { 0x20010db8, 0, 0, 1 };
	struct sim_dst d;

	for (level = 0; level < SIM_LEVELS; level++) {
		__u32 bits = sim_level_bits(4, level);

		for (prefix = 0; prefix < (1u << bits); prefix++) {
			for (hop = 0; hop < 8; hop++) {
				for (lane = 0; lane < SIM_WIDTH_MAX; lane++) {
					__u32 a = sim_iface_addr4(sim_iface_id(level, prefix, hop, lane));

					if ((a & 0xFFFF0000) != SIM_ROUTER4) {
						out++;
						continue;
					}
					dup += used[a & 0xFFFF]++ != 0;
				}
			}
		}
	}
	EXPECT(!dup && !out, "IPv4 interfaces: %u on a shared address, %u outside", dup, out);
	sim_iface_addr6(sim_iface_id(4, 0xFFFF, 7, 7), w);
	EXPECT(w[0] == SIM_NET6_W0 && w[1] == 0xFFFE && w[2] == 1,
	       "IPv6 interfaces in 2001:2:0:fffe::/64");
	w[0] = 0xC6140000; /* 198.20.0.0 */
	EXPECT(!sim_dst_of(4, w, 1, &d), "198.20.0.0 is no target");
	w[0] = 0xC611FFFF; /* 198.17.255.255 */
	EXPECT(!sim_dst_of(4, w, 1, &d), "198.17.255.255 is no target");
	EXPECT(!sim_dst_of(6, d6w, 1, &d), "2001:db8::1 is no target");
	d6w[0] = SIM_NET6_W0;
	d6w[1] = 0x00010000; /* 2001:2:1::: third group not 0 */
	EXPECT(!sim_dst_of(6, d6w, 1, &d), "2001:2:1:: is no target");
}

/*
 * Flows spread: UDP flows that differ only in the source port take every
 * branch truth lists at a load-balanced TTL, none of them starved
 */
static void test_flow_spread(void)
{
	__u32 src[4] = { 0xC613FF01, 0, 0, 0 }, w[4], i, t, k, found = 0;
	struct sim_params p = params(9);
	static __u32 hits[SIM_TRUTH_WIDE];
	struct sim_path path;

	p.silent_pct = 0;
	for (i = 0; i < 200 && !found; i++) {
		target(4, i, w);
		sim_truth_build(&p, 4, w, NULL, 0, &truth);
		for (t = 1; t <= truth.last && !found; t++) {
			if (truth.n[t] < 3 || truth.ans[t][0].kind != SIM_ROUTER)
				continue;
			found = t;
		}
	}
	EXPECT(found, "a TTL with 3 or more interfaces");
	if (!found)
		return;
	memset(hits, 0, sizeof(hits));
	for (i = 0; i < 3000; i++) {
		__u32 flow = sim_flow(p.seed, src, w, 17, (33000 + i) << 16 | 33434);

		sim_path_of(&p, 4, w, flow, &path);
		for (k = 0; k < truth.n[found]; k++)
			if (path.at[found].kind == truth.ans[found][k].kind &&
			    path.at[found].iface == truth.ans[found][k].iface)
				hits[k]++;
	}
	for (k = 0; k < truth.n[found]; k++)
		EXPECT(hits[k] > 3000 / 100 && hits[k] < 3000 * 9 / 10,
		       "TTL %u branch %u: %u of 3000 flows", found, k, hits[k]);
	/* and the ICMP checksum is the flow for ICMP */
	EXPECT(sim_flow(1, src, w, 1, 0x1234) != sim_flow(1, src, w, 1, 0x1235),
	       "two ICMP checksums, two flows");
	EXPECT(sim_flow(1, src, w, 17, 1) != sim_flow(1, src, w, 6, 1), "the protocol is hashed");
}

/* MPLS tunnels: labels on some routers between core and leaf, none when off */
static void test_tunnels(void)
{
	__u32 i, t, w[4], labelled = 0, bad = 0, levels_ok = 1;
	struct sim_params p = params(13);
	struct sim_path path;

	for (i = 0; i < 2000; i++) {
		target(i & 1 ? 6 : 4, i, w);
		sim_path_of(&p, i & 1 ? 6 : 4, w, i, &path);
		for (t = 1; t <= path.len; t++) {
			__u32 l = path.at[t].label, level = path.at[t].iface >> 24;

			if (!l)
				continue;
			labelled++;
			bad += l < 16 || l > 0xFFFFF || path.at[t].kind != SIM_ROUTER;
			levels_ok &= level == 2 || level == 3;
		}
	}
	EXPECT(labelled > 100 && !bad && levels_ok,
	       "tunnel hops: %u labelled, %u bad labels, levels 2-3 only %u", labelled, bad,
	       levels_ok);
	p.mpls_pct = 0;
	for (i = 0, labelled = 0; i < 500; i++) {
		target(4, i, w);
		sim_path_of(&p, 4, w, i, &path);
		for (t = 1; t <= path.len; t++)
			labelled += path.at[t].label != 0;
	}
	EXPECT(!labelled, "--mpls 0: no label (%u)", labelled);
}

static int ans_same(const struct sim_ans *a, const struct sim_ans *b)
{
	return a->kind == b->kind && a->iface == b->iface;
}

/*
 * A prefix's links over silence (sim_truth_spans): on a network without
 * silent routers or dead destinations, exactly the links of one of its
 * addresses (the /24 or /64 picks the routers); with them, links between
 * answers only, each one a flow's two answers with nothing but silence
 * between, and every link of one address between two answers among them
 */
static void test_spans(void)
{
	struct sim_params p = params(9);
	__u32 i, j, k, w[4], bad = 0, across = 0, missed = 0, checked = 0;

	p.silent_pct = 0;
	p.dead_pct = 0;
	for (i = 0; i < 20; i++) {
		target(i & 1 ? 6 : 4, i, w);
		w[i & 1 ? 3 : 0] &= ~0xFFu;
		EXPECT(!sim_truth_spans(&p, i & 1 ? 6 : 4, w, i & 1 ? 64 : 24, 256, &truth),
		       "spans %u", i);
		EXPECT(!sim_truth_build(&p, i & 1 ? 6 : 4, w, NULL, 0, &truth2), "truth %u", i);
		for (j = 0; j < truth.nlinks; j++) {
			for (k = 0; k < truth2.nlinks; k++)
				if (truth2.links[k].ttl == truth.links[j].ttl &&
				    truth.links[j].to_ttl == truth.links[j].ttl + 1 &&
				    ans_same(&truth2.links[k].from, &truth.links[j].from) &&
				    ans_same(&truth2.links[k].to, &truth.links[j].to))
					break;
			bad += k == truth2.nlinks;
		}
		bad += truth.nlinks != truth2.nlinks;
	}
	EXPECT(!bad, "no silence: %u links unlike one address's", bad);

	p = params(9);
	p.silent_pct = 20;
	for (i = 0; i < 20; i++) {
		struct sim_path path;
		__u32 f;

		target(4, i * 7, w);
		w[0] &= ~0xFFu;
		EXPECT(!sim_truth_spans(&p, 4, w, 24, 256, &truth), "spans %u", i);
		for (j = 0; j < truth.nlinks; j++) {
			__u32 t0 = truth.links[j].ttl, t1 = truth.links[j].to_ttl, seen = 0;

			across += t1 > t0 + 1;
			bad += truth.links[j].from.kind == SIM_SILENT ||
			       truth.links[j].to.kind == SIM_SILENT || t1 <= t0;
			/* a flow that meets both, silence between: among the first 4096 */
			for (f = 0; f < 4096 && !seen; f++) {
				__u32 a[4] = { w[0] | (f % 256) };

				sim_path_of(&p, 4, a, f, &path);
				if (t1 > path.len || !ans_same(&path.at[t0], &truth.links[j].from) ||
				    !ans_same(&path.at[t1], &truth.links[j].to))
					continue;
				seen = 1;
				for (k = t0 + 1; k < t1; k++)
					seen &= path.at[k].kind == SIM_SILENT;
			}
			checked++;
			missed += !seen;
		}
		/* one address's links between answers are links of the prefix */
		sim_truth_build(&p, 4, w, NULL, 0, &truth2);
		for (k = 0; k < truth2.nlinks; k++) {
			if (truth2.links[k].from.kind == SIM_SILENT ||
			    truth2.links[k].to.kind == SIM_SILENT)
				continue;
			for (j = 0; j < truth.nlinks; j++)
				if (truth.links[j].ttl == truth2.links[k].ttl &&
				    truth.links[j].to_ttl == truth2.links[k].ttl + 1 &&
				    ans_same(&truth.links[j].from, &truth2.links[k].from) &&
				    ans_same(&truth.links[j].to, &truth2.links[k].to))
					break;
			bad += j == truth.nlinks;
		}
	}
	EXPECT(!bad, "silence: %u links from or to silence, backwards, or missing", bad);

	/* a prefix whose first address is dead: the others lead to its destination */
	p = params(9);
	p.dead_pct = 50;
	for (i = 0, k = 0; i < 200 && !k; i++) {
		struct sim_path path;

		target(4, i, w);
		w[0] &= ~0xFFu;
		sim_path_of(&p, 4, w, 1, &path);
		if (path.at[path.len].kind == SIM_DEST || path.at[path.len].kind == SIM_UNREACH)
			continue;
		k = 1;
		EXPECT(!sim_truth_spans(&p, 4, w, 24, 256, &truth), "spans %u", i);
		for (j = 0; j < truth.nlinks && truth.links[j].to.kind != SIM_DEST; j++)
			;
		EXPECT(j < truth.nlinks, "dead first address: no link to the destination");
	}
	EXPECT(k, "no prefix with a dead first address");
	EXPECT(across > 0, "no link across a silent router");
	EXPECT(missed == 0, "%u of %u links no flow meets", missed, checked);
}

int main(void)
{
	test_deterministic();
	test_shape();
	test_prefixes();
	test_addresses();
	test_flow_spread();
	test_tunnels();
	test_spans();
	return xhop_test_summary(__func__);
}
