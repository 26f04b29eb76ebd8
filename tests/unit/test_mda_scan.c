// SPDX-License-Identifier: GPL-2.0
/*
 * xhop scan --mda's planner against simulated networks whose every link
 * is known (the diamonds of scripts/lab_mp.sh): per-flow load balancers
 * that hash the flow's address and port (a new hash key each run), a
 * silent router, unequal branches, a destination that answers from every
 * address of its prefix. Answers are matched as the engine matches them:
 * the quoted destination through the planner's address map, then the
 * probe id. Over many runs: never a link the network does not have; every
 * link at least as often as the confidence promises; the first round the
 * same flows at its MDS_FIRST_SPAN TTLs; probe ids that carry TTL and port
 * offset, never 0 or 0xffff; a probe answered once; the probe limit. A
 * lossy network (answers dropped at random): retries find what one try
 * misses, and invent nothing. Routers that rate-limit their answers (97%
 * lost), the same for every prefix of a scan: no link across them, the
 * silent router's link kept. No probe past a flow's known end: a path
 * longer than the first round's TTLs goes on, a dead destination's
 * silence stops the flows.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "xhop_test.h"
#include "core/session.h"
#include "plan/mda_scan.h"
#include "mda_sim.h"

/* The node a probe to dst with port offset port meets at ttl; a path
 * ends at the destination, which answers at every TTL beyond
 */
static int walk(const struct net *net, const struct in6_addr *dst, int port, int ttl)
{
	__u64 flow = mix(((__u64)dst->s6_addr32[2] << 32 | dst->s6_addr32[3]) ^
			 ((__u64)port << 48) ^ mix(dst->s6_addr32[1]));
	int at = net->first;

	for (int t = 1; t < ttl; t++) {
		const struct net_node *n = &net->n[at];

		if (!n->nnext)
			return at;
		at = net_next(net, at, flow);
	}
	return at;
}

struct result {
	int prefixes, complete, links_false, not_completed, bad_ids, dup_taken;
	int first_round_ok, nunfinished, probelimit, gaplimit;
	int spans;	/* prefixes with m3's link across the silent s1 to m4 */
	__u64 probes, over_budget, retries, lost;
	__u64 past_end;	/* probes asked at a TTL past the flow's end, known when asked */
	int ttl_max;	/* the highest TTL asked */
};

struct run_cfg {
	int nprefixes;
	int len;		/* prefix length, IPv4 */
	double conf;
	int max_probes;
	int max_ttl;
	int tries;		/* --queries (0: the default) */
	double loss;		/* share of answers lost on the way back */
	const char *lossy;	/* the routers that lose them, " "-separated (NULL: every one) */
};

/* A flow's end as the probes' answers so far tell it: the TTL it met the
 * destination at (0: not yet); prefixes 198.19.0-63.0, 64 ports each
 */
#define END_PREFIXES 64
static __u8 flow_end[END_PREFIXES][256][64];

static __u8 *end_of(const struct in6_addr *dst, int port)
{
	int p = dst->s6_addr[14];

	return p < END_PREFIXES && port < 64 ? &flow_end[p][dst->s6_addr[15]][port] : NULL;
}

/* Whether router addr is one of the lossy ones (" "-separated) */
static int is_lossy(const char *lossy, const char *addr)
{
	size_t n = strlen(addr);

	for (const char *p = lossy; p && (p = strstr(p, addr)); p += n)
		if ((p == lossy || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return 1;
	return !lossy;
}

static void judge(const struct net *net, const struct mp_rec *r, struct result *res,
		  int max_probes)
{
	static char want[64][64];
	int nwant = truth_links(net, want, 64, "DST"), found[64] = { 0 }, bad = 0, missing = 0;
	int span = 0;
	struct prefix p = { .addr = r->h.dst, .len = (__u8)(96 + r->dst_len) };

	for (int l = 0; l < r->nlinks; l++) {
		const struct mp_node *f = &r->nodes[r->links[l].from], *t = &r->nodes[r->links[l].to];
		char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN], key[64];
		int hit = 0;

		inet_ntop(AF_INET, &f->addr.s6_addr[12], a, sizeof(a));
		inet_ntop(AF_INET, &t->addr.s6_addr[12], b, sizeof(b));
		snprintf(key, sizeof(key), "%s>%s", a, prefix_contains(&p, &t->addr) ? "DST" : b);
		for (int w = 0; w < nwant; w++)
			if (!strcmp(want[w], key))
				hit = found[w] = 1;
		bad += !hit;
		span |= !strcmp(key, "198.18.33.2>198.18.39.2");
		if (!hit && getenv("MDS_DEBUG"))
			fprintf(stderr, "false link %s (ttl %d->%d)\n", key, f->ttl, t->ttl);
	}
	for (int w = 0; w < nwant; w++)
		missing += !found[w];
	res->prefixes++;
	res->spans += span;
	res->links_false += bad;
	res->complete += !bad && !missing;
	res->not_completed += r->h.stop_reason != STOP_COMPLETED;
	res->probelimit += r->h.stop_reason == STOP_PROBELIMIT;
	res->nunfinished += r->nunfinished;
	res->gaplimit += r->h.stop_reason == STOP_GAPLIMIT;
	res->probes += r->h.probe_count;
	res->over_budget += r->h.probe_count > (__u64)max_probes;
}

/*
 * One scan of rc->nprefixes prefixes of 198.19.0.0/16 through net. The
 * first round's probes are all taken before any answer, to see them.
 */
static struct result run(struct net *net, const struct run_cfg *rc)
{
	struct scan_cfg c = {
		.method = METHOD_UDP, .shards = 1, .first_ttl = 1, .max_ttl = rc->max_ttl,
		.confidence = rc->conf, .max_probes = rc->max_probes, .wait_s = 1, .mda = 1,
		.attempts = rc->tries ? rc->tries : MDS_TRIES_DEFAULT, .gap_limit = 5,
	};
	static struct mda_scan ms;
	static struct plan_probe pp[4096];
	struct session s = { 0 };
	struct result res = { 0 };
	struct planner p;
	struct record rec;
	int first = 1;
	__u64 now = 1000, drop = net->key;

	memset(&ms, 0, sizeof(ms));
	memset(flow_end, 0, sizeof(flow_end));
	ms.c = &c;
	ms.units = calloc((size_t)rc->nprefixes, sizeof(*ms.units));
	for (int i = 0; i < rc->nprefixes; i++) {
		char a[32];

		snprintf(a, sizeof(a), "198.19.%d.0", i);
		ms.units[i].addr = v4(a);
		ms.units[i].len = (__u8)(96 + rc->len);
	}
	ms.nunits = ms.shard_units = (__u64)rc->nprefixes;
	permutation_init(&ms.perm, ms.nunits, net->key);
	ms.window = (__u32)(rc->nprefixes < 4 ? rc->nprefixes : 4);
	if (mda_scan_init(&ms, &s)) {
		res.bad_ids = -1;
		return res;
	}
	p = mda_scan_planner(&ms);
	res.first_round_ok = 1;
	for (int guard = 0; guard < 1000000 && !p.ops->done(p.st); guard++) {
		int n = p.ops->next(p.st, pp, first ? 4096 : 64, now);

		if (first) {
			/* the first prefix's round 1: flows 0..n_1-1 at its TTLs */
			int per_ttl[SCAN_MAX_TTL + 1] = { 0 }, want = ms.need[1];

			for (int i = 0; i < n; i++)
				if (pp[i].target >> 8 == pp[0].target >> 8) {
					per_ttl[pp[i].p.ttl]++;
					if ((pp[i].target & 0xff) >= (__u32)want || pp[i].p.flow)
						res.first_round_ok = 0;
				}
			for (int t = 1; t <= rc->max_ttl; t++)
				if (per_ttl[t] != (t <= MDS_FIRST_SPAN ? want : 0) &&
				    rc->max_probes >= want * MDS_FIRST_SPAN)
					res.first_round_ok = 0;
			first = 0;
		}
		/* what the planner knew when it handed them over */
		for (int i = 0; i < n; i++) {
			__u8 *end = end_of(&pp[i].p.dst, pp[i].p.flow);

			res.past_end += end && *end && pp[i].p.ttl > *end;
		}
		for (int i = 0; i < n; i++) {
			struct send_result sr = { 0 };
			struct probe_ref ref;
			__u32 t = addrmap_get(&ms.map, &pp[i].p.dst);
			int at = walk(net, &pp[i].p.dst, pp[i].p.flow, pp[i].p.ttl);
			__u16 id = pp[i].p.probe_id;
			__u8 *end = end_of(&pp[i].p.dst, pp[i].p.flow);

			if (!id || id == 0xffff || (id & PROBE_TTL_MASK) != pp[i].p.ttl ||
			    id >> PROBE_TTL_BITS != pp[i].p.flow || t != pp[i].target)
				res.bad_ids++;
			res.retries += pp[i].sub > 0;
			if (pp[i].p.ttl > res.ttl_max)
				res.ttl_max = pp[i].p.ttl;
			p.ops->sent(p.st, &pp[i], &sr, now);
			drop = mix(drop);
			if (!net->n[at].addr ||
			    (is_lossy(rc->lossy, net->n[at].addr) &&
			     (double)(drop % 1000000) < rc->loss * 1e6)) {
				res.lost += net->n[at].addr != NULL;
				p.ops->timeout(p.st, &pp[i]);
				continue;
			}
			if (end && net->n[at].dst && (!*end || pp[i].p.ttl < *end))
				*end = pp[i].p.ttl;
			if (p.ops->match(p.st, t, id, &ref) != MATCH_PROBE) {
				res.bad_ids++;
				continue;
			}
			{
				struct hop_reply r = {
					/* the destination answers from the address probed */
					.from = net->n[at].dst ? pp[i].p.dst : v4(net->n[at].addr),
					.rx_ns = now + 5000,
					.verdict = net->n[at].dst ? VERDICT_REACHED : VERDICT_HOP,
				};

				p.ops->answer(p.st, &ref, &r);
				/* the same answer again: its probe settled */
				res.dup_taken += p.ops->match(p.st, t, id, &ref) != MATCH_NONE;
			}
		}
		while (p.ops->take(p.st, &rec))
			judge(net, rec.mp, &res, rc->max_probes);
		now += 10000;
	}
	mda_scan_free(&ms);
	return res;
}

static void sum(struct result *tot, const struct result *r)
{
	tot->prefixes += r->prefixes;
	tot->complete += r->complete;
	tot->links_false += r->links_false;
	tot->not_completed += r->not_completed;
	tot->bad_ids += r->bad_ids;
	tot->dup_taken += r->dup_taken;
	tot->probes += r->probes;
	tot->first_round_ok += r->first_round_ok;
	tot->retries += r->retries;
	tot->lost += r->lost;
	tot->past_end += r->past_end;
	tot->gaplimit += r->gaplimit;
	tot->spans += r->spans;
	if (r->ttl_max > tot->ttl_max)
		tot->ttl_max = r->ttl_max;
}

/* Many scans: never a false link; complete at least as often as promised */
static void test_lab_prefixes(void)
{
	struct run_cfg rc = { .nprefixes = 8, .len = 24, .conf = 95, .max_probes = 20000,
			      .max_ttl = SCAN_MAX_TTL };
	const int runs = 1000;
	struct result tot = { 0 };
	double bound = pow(0.95, 4), sigma;
	struct net net;

	lab_net(&net);
	for (int r = 0; r < runs; r++) {
		struct result res;

		net.key = mix((__u64)r + 1);
		res = run(&net, &rc);
		sum(&tot, &res);
	}
	sigma = sqrt(bound * (1 - bound) / tot.prefixes);
	printf("     (%d prefixes: %d complete (%.2f%%; promised >= %.2f%%), %.1f probes each, "
	       "%.1f retries)\n", tot.prefixes, tot.complete, 100.0 * tot.complete / tot.prefixes,
	       100 * bound, (double)tot.probes / tot.prefixes, (double)tot.retries / tot.prefixes);
	EXPECT(tot.prefixes == runs * rc.nprefixes, "%d prefixes written", tot.prefixes);
	EXPECT(tot.links_false == 0, "%d false links", tot.links_false);
	EXPECT(tot.not_completed == 0, "%d prefixes did not end COMPLETED", tot.not_completed);
	EXPECT(tot.bad_ids == 0, "%d probe ids wrong or not matched", tot.bad_ids);
	EXPECT(tot.dup_taken == 0, "%d duplicate answers matched", tot.dup_taken);
	EXPECT(tot.first_round_ok == runs, "first round not the same flows at its TTLs");
	EXPECT(tot.past_end == 0, "%llu probes past their flow's known end",
	       (unsigned long long)tot.past_end);
	EXPECT(tot.ttl_max <= MDS_FIRST_SPAN, "TTL %d asked: the paths end at 9", tot.ttl_max);
	EXPECT((double)tot.complete / tot.prefixes >= bound - 5 * sigma,
	       "complete %.4f < promised %.4f", (double)tot.complete / tot.prefixes, bound);
}

/* A lower confidence finds less (fewer flows), never anything false */
static void test_low_confidence(void)
{
	struct run_cfg lo = { .nprefixes = 4, .len = 24, .conf = 50, .max_probes = 20000,
			      .max_ttl = 16 };
	struct run_cfg hi = lo;
	int false_links = 0, complete50 = 0;
	__u64 probes50 = 0, probes99 = 0;
	struct net net;

	hi.conf = 99;
	lab_net(&net);
	for (int r = 0; r < 50; r++) {
		struct result a, b;

		net.key = mix((__u64)r + 7777);
		a = run(&net, &lo);
		b = run(&net, &hi);
		false_links += a.links_false + b.links_false;
		complete50 += a.complete;
		probes50 += a.probes;
		probes99 += b.probes;
	}
	EXPECT(false_links == 0, "%d false links", false_links);
	EXPECT(probes50 < probes99, "50%%: %llu probes, 99%%: %llu", (unsigned long long)probes50,
	       (unsigned long long)probes99);
	EXPECT(complete50 < 200, "50%% confidence missed nothing in 200 prefixes");
}

/* Prefixes smaller than a /24: flows map to their few addresses, then ports */
static void test_small_prefix(void)
{
	struct run_cfg rc = { .nprefixes = 2, .len = 30, .conf = 95, .max_probes = 20000,
			      .max_ttl = 16 };
	struct result tot = { 0 };
	struct net net;

	lab_net(&net);
	for (int r = 0; r < 50; r++) {
		struct result res;

		net.key = mix((__u64)r + 99);
		res = run(&net, &rc);
		sum(&tot, &res);
	}
	EXPECT(tot.prefixes == 100, "%d prefixes", tot.prefixes);
	EXPECT(tot.links_false == 0 && tot.bad_ids == 0, "%d false links, %d bad ids",
	       tot.links_false, tot.bad_ids);
	EXPECT(tot.complete >= 70, "/30s: %d of 100 complete", tot.complete);
}

/* --max-probes: PROBELIMIT within the budget, unsettled nodes named */
static void test_probe_limit(void)
{
	struct run_cfg rc = { .nprefixes = 3, .len = 24, .conf = 95, .max_probes = 60,
			      .max_ttl = 16 };
	struct result res;
	struct net net;

	lab_net(&net);
	net.key = mix(42);
	res = run(&net, &rc);
	EXPECT(res.prefixes == 3, "%d prefixes", res.prefixes);
	EXPECT(res.probelimit == 3, "%d of 3 PROBELIMIT", res.probelimit);
	EXPECT(res.over_budget == 0, "%llu prefixes over budget",
	       (unsigned long long)res.over_budget);
	EXPECT(res.links_false == 0, "%d false links", res.links_false);
	EXPECT(res.nunfinished > 0, "no unsettled node named");
}

/*
 * Answers lost at random (each try alike): without retries a lost answer
 * is a silent hop (a link missed, or one made across it); with them the
 * prefixes are complete nearly as often as on a clean network, and no
 * link is ever false
 */
static void test_lossy(void)
{
	struct run_cfg rc = { .nprefixes = 8, .len = 24, .conf = 95, .max_probes = 20000,
			      .max_ttl = SCAN_MAX_TTL, .loss = 0.02 };
	struct result one = { 0 }, two = { 0 };
	const int runs = 250;
	double bound = pow(0.95, 4), sigma, share1, share2;
	struct net net;

	lab_net(&net);
	for (int r = 0; r < runs; r++) {
		struct result a, b;

		net.key = mix((__u64)r + 5555);
		rc.tries = 1;
		a = run(&net, &rc);
		rc.tries = 2;
		b = run(&net, &rc);
		sum(&one, &a);
		sum(&two, &b);
	}
	share1 = (double)one.complete / one.prefixes;
	share2 = (double)two.complete / two.prefixes;
	sigma = sqrt(bound * (1 - bound) / two.prefixes);
	printf("     (2%% of answers lost, %d prefixes: 1 try %.2f%% complete, %d false links, "
	       "%.1f probes each; 2 tries %.2f%% complete, %d false links, %.1f probes each, "
	       "%.1f retries)\n", one.prefixes, 100 * share1, one.links_false,
	       (double)one.probes / one.prefixes, 100 * share2, two.links_false,
	       (double)two.probes / two.prefixes, (double)two.retries / two.prefixes);
	EXPECT(one.lost > 0 && two.lost > 0, "nothing lost: %llu, %llu",
	       (unsigned long long)one.lost, (unsigned long long)two.lost);
	EXPECT(two.links_false == 0, "%d false links with retries", two.links_false);
	EXPECT(two.retries > 0, "no retry");
	EXPECT(share2 >= bound - 5 * sigma, "complete %.4f < promised %.4f", share2, bound);
	EXPECT(share2 > share1 + 0.05, "retries: %.4f complete, one try %.4f", share2, share1);
	EXPECT(two.not_completed == 0 && two.bad_ids == 0, "%d not COMPLETED, %d bad ids",
	       two.not_completed, two.bad_ids);
}

/*
 * One router that loses most of its answers, as one that rate-limits its
 * ICMP does: its silence is no silent router, no link is made across it
 */
static void test_lossy_router(void)
{
	struct run_cfg rc = { .nprefixes = 8, .len = 24, .conf = 95, .max_probes = 20000,
			      .max_ttl = SCAN_MAX_TTL, .loss = 0.6, .lossy = "198.18.25.2" };
	struct result tot = { 0 };
	struct net net;

	lab_net(&net);
	for (int r = 0; r < 100; r++) {
		struct result res;

		net.key = mix((__u64)r + 8080);
		res = run(&net, &rc);
		sum(&tot, &res);
	}
	printf("     (m2 loses 60%% of its answers, %d prefixes: %d complete, %d false links, "
	       "%.1f probes each)\n", tot.prefixes, tot.complete, tot.links_false,
	       (double)tot.probes / tot.prefixes);
	EXPECT(tot.lost > 0, "nothing lost");
	EXPECT(tot.links_false == 0, "%d false links across m2", tot.links_false);
	EXPECT(tot.not_completed == 0, "%d not COMPLETED", tot.not_completed);
}

/*
 * Routers near the prober that rate-limit their ICMP under a fast scan:
 * m1, the 4-way's a1-a4 and m2 lose 97% of their answers, to every
 * prefix alike (they stand on all their paths). One prefix may never
 * hear m2, and see a1 then b1 with silence between; that silence is no
 * silent router (the link a1 -> b1 is false). The silent router s1 past
 * them answers no one: the link m3 -> m4 across it stays.
 */
static void test_rate_limited(void)
{
	struct run_cfg rc = { .nprefixes = 32, .len = 24, .conf = 95, .max_probes = 20000,
			      .max_ttl = SCAN_MAX_TTL, .loss = 0.97,
			      .lossy = "198.18.20.2 198.18.21.2 198.18.22.2 198.18.23.2 "
				       "198.18.24.2 198.18.25.2" };
	struct result tot = { 0 };
	struct net net;

	lab_net(&net);
	for (int r = 0; r < 20; r++) {
		struct result res;

		net.key = mix((__u64)r + 2000);
		res = run(&net, &rc);
		sum(&tot, &res);
	}
	printf("     (m1, a1-a4, m2 lose 97%% of their answers, %d prefixes: %d false links, "
	       "m3 -> m4 across s1 in %d, %.1f probes each, %.1f retries)\n", tot.prefixes,
	       tot.links_false, tot.spans, (double)tot.probes / tot.prefixes,
	       (double)tot.retries / tot.prefixes);
	EXPECT(tot.prefixes == 20 * rc.nprefixes, "%d prefixes written", tot.prefixes);
	EXPECT(tot.lost > 0, "nothing lost");
	EXPECT(tot.links_false == 0, "%d false links across rate-limited routers",
	       tot.links_false);
	EXPECT(tot.spans >= tot.prefixes * 9 / 10, "m3 -> m4 across the silent s1 in %d of %d",
	       tot.spans, tot.prefixes);
}

/* The lab's diamonds behind a chain: the destination at TTL 21, past the first round */
static void test_long_path(void)
{
	static const char *const chain[] = { "198.18.50.2", "198.18.51.2", "198.18.52.2",
					     "198.18.53.2", "198.18.54.2", "198.18.55.2",
					     "198.18.56.2", "198.18.57.2", "198.18.58.2",
					     "198.18.59.2", "198.18.60.2", "198.18.61.2" };
	struct run_cfg rc = { .nprefixes = 4, .len = 24, .conf = 95, .max_probes = 20000,
			      .max_ttl = SCAN_MAX_TTL };
	double bound = pow(0.95, 4);
	struct result tot = { 0 };
	struct net net;

	for (int r = 0; r < 200; r++) {
		struct result res;
		int prev = -1, first = -1;

		lab_net(&net);
		for (size_t i = 0; i < sizeof(chain) / sizeof(chain[0]); i++) {
			int c = add(&net, chain[i], 0);

			if (prev >= 0)
				link_to(&net, prev, c);
			else
				first = c;
			prev = c;
		}
		link_to(&net, prev, net.first);
		net.first = first;
		net.key = mix((__u64)r + 31337);
		res = run(&net, &rc);
		sum(&tot, &res);
	}
	printf("     (destination at TTL 21: %d of %d prefixes complete, %.1f probes each)\n",
	       tot.complete, tot.prefixes, (double)tot.probes / tot.prefixes);
	EXPECT(tot.links_false == 0, "%d false links", tot.links_false);
	EXPECT(tot.not_completed == 0, "%d not COMPLETED", tot.not_completed);
	EXPECT((double)tot.complete / tot.prefixes >= bound, "complete %d of %d", tot.complete,
	       tot.prefixes);
	EXPECT(tot.ttl_max > MDS_FIRST_SPAN && tot.ttl_max <= 21 + MDS_EXTEND,
	       "highest TTL asked %d", tot.ttl_max);
	EXPECT(tot.past_end == 0, "%llu probes past their flow's known end",
	       (unsigned long long)tot.past_end);
}

/* A destination that never answers: the flows stop in its silence */
static void test_dead_destination(void)
{
	struct run_cfg rc = { .nprefixes = 4, .len = 24, .conf = 95, .max_probes = 20000,
			      .max_ttl = SCAN_MAX_TTL };
	struct result tot = { 0 };
	struct net net;

	for (int r = 0; r < 50; r++) {
		struct result res;

		lab_net(&net);
		net.n[net.count - 1].addr = NULL; /* the destination, silent */
		net.key = mix((__u64)r + 4242);
		res = run(&net, &rc);
		sum(&tot, &res);
	}
	printf("     (silent destination: %.1f probes per prefix, %.1f retries)\n",
	       (double)tot.probes / tot.prefixes, (double)tot.retries / tot.prefixes);
	EXPECT(tot.gaplimit == tot.prefixes, "%d of %d GAPLIMIT", tot.gaplimit, tot.prefixes);
	EXPECT(tot.ttl_max <= MDS_FIRST_SPAN, "TTL %d asked past the silence", tot.ttl_max);
	EXPECT(tot.links_false == 0, "%d false links", tot.links_false);
}

int main(void)
{
	test_lab_prefixes();
	test_lossy();
	test_lossy_router();
	test_rate_limited();
	test_long_path();
	test_dead_destination();
	test_low_confidence();
	test_small_prefix();
	test_probe_limit();
	return TEST_SUMMARY();
}
