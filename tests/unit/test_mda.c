// SPDX-License-Identifier: GPL-2.0
/*
 * The multipath planner against simulated networks whose every link is
 * known: per-flow load balancers that pick a branch by a hash of the flow
 * (a new hash key each run, as a new run's source ports meet the
 * routers' hash anew), silent routers, unequal branches. Over many runs:
 * no link that the network does not have, ever; every link at least as
 * often as the confidence promises; the probe limit and gap limit stop
 * with their reasons; the stopping points are the MDA's.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "xhop_test.h"
#include "core/session.h"
#include "plan/mda.h"
#include "plan/path_table.h"
#include "mda_sim.h"

/*
 * The node flow meets at ttl: the destination for any TTL past it, as a
 * host answers whatever TTL its probe arrives with (-1: a router with no
 * next hop was passed); *dist: the TTL it was met at
 */
static int walk_to(const struct net *net, int flow, int ttl, int *dist)
{
	int at = net->first, t;

	/* the prober's own two paths: the flow's hash picks the first hop */
	if (net->first2 && (mix(net->key ^ ((__u64)flow << 20) ^ 0xf157) & 1))
		at = net->first2 - 1;
	for (t = 1; t < ttl; t++) {
		const struct net_node *n = &net->n[at];

		if (n->dst)
			break;
		if (!n->nnext)
			return -1;
		at = net_next(net, at, (__u64)flow << 20);
	}
	*dist = t;
	return at;
}

static int walk(const struct net *net, int flow, int ttl)
{
	int dist;

	return walk_to(net, flow, ttl, &dist);
}

struct result {
	int links_right, links_false, links_missing; /* right: by TTLs, missing: by addresses */
	int stop_reason;
	__u64 probes;
	int nunfinished;
	int probe_errors; /* the record's probes against the network (check_probes) */
	int in_links;	  /* of its probes, in a link */
	int m0_link;	  /* 198.18.19.2 > 198.18.25.2 found (test_two_first_hops) */
	int at_ttl[32];	  /* probes sent at TTLs 1-31 */
	int flows;	  /* the record's flow count */
	int flows_probed; /* the highest flow a probe went to, + 1 */
	char links[32][64]; /* the first 32 links found, "FROM>TO" */
};

static int addr_is(const struct net *net, int node, const struct in6_addr *a)
{
	struct in6_addr want;

	if (node < 0 || !net->n[node].addr)
		return 0;
	want = v4(net->n[node].addr);
	return !memcmp(&want, a, sizeof(want));
}

/*
 * The record's probes (what warts writes per link) against the network:
 * every probe sent is there once; an answer came from where its flow
 * meets the network at its TTL; a link's probes are of flows that met
 * its first node, then only silence, then its second, at the TTLs
 * between, in order, and one of them heard the second node
 */
static int check_probes(const struct net *net, const struct mp_rec *r, int *in_links)
{
	static __u8 used[MDA_PROBES_MAX];
	int bad = 0, total = 0;

	memset(used, 0, sizeof(used));
	if ((__u64)r->nprobes != r->h.probe_count)
		bad++;
	for (int i = 0; i < r->nprobes; i++) {
		const struct probe_rec *p = &r->probes[i];

		if (p->flow >= r->flows ||
		    (p->answered && !addr_is(net, walk(net, p->flow, p->ttl), &p->reply.from)))
			bad++;
	}
	for (int l = 0; l < r->nlinks; l++) {
		const struct mp_link *k = &r->links[l];
		const struct mp_node *from = &r->nodes[k->from], *to = &r->nodes[k->to];
		int heard = 0;

		total += (int)k->nprobes;
		if (k->probe0 + k->nprobes > (__u32)r->nlink_probes || !k->nprobes) {
			bad++;
			continue;
		}
		for (__u32 j = 0; j < k->nprobes; j++) {
			__u32 i = r->link_probes[k->probe0 + j];
			const struct probe_rec *p = &r->probes[i], *q;

			if (i >= (__u32)r->nprobes || used[i]++) {
				bad++;
				continue;
			}
			if (p->ttl <= from->ttl || p->ttl > to->ttl ||
			    !addr_is(net, walk(net, p->flow, from->ttl), &from->addr) ||
			    !addr_is(net, walk(net, p->flow, to->ttl), &to->addr))
				bad++;
			if (p->ttl < to->ttl && net->n[walk(net, p->flow, p->ttl)].addr)
				bad++; /* only silence between */
			if (p->ttl == to->ttl && p->answered &&
			    !memcmp(&p->reply.from, &to->addr, sizeof(to->addr)))
				heard = 1;
			if (j && (q = &r->probes[r->link_probes[k->probe0 + j - 1]]) &&
			    (q->ttl > p->ttl ||
			     (q->ttl == p->ttl && (q->flow > p->flow ||
						   (q->flow == p->flow && q->attempt >= p->attempt)))))
				bad++; /* by TTL, flow, attempt */
		}
		bad += !heard;
	}
	if (total != r->nlink_probes)
		bad++;
	*in_links = total;
	return bad;
}

static int run_method = METHOD_UDP; /* the runs' probe method */

/* A run's settings: UDP (run_method), 30 TTLs, 2 tries, 3000 probes, 95% */
static struct mda_cfg test_cfg(const struct session *s)
{
	struct mda_cfg c = {
		.host_name = "d", .dst = v4("198.19.8.77"), .family = 4, .method = run_method,
		.first_ttl = 1, .max_ttl = 30, .attempts = 2, .in_flight = 64,
		.max_probes = 3000, .max_flows = MDA_FLOWS_MAX, .gaplimit = 3,
		.confidence = 95, .wait_s = 1, .s = s,
	};

	return c;
}

/* One run of the planner against net; every answer comes at once */
static struct result run(struct net *net, int max_probes, int max_ttl, double conf)
{
	static char want[64][64];
	struct session s = { 0 };
	struct mda_cfg c = test_cfg(&s);
	struct result res = { 0 };
	struct mda_plan m;
	struct planner p;
	struct record rec = { 0 };
	int nwant = truth_links(net, want, 64, NULL), got_rec = 0;
	char found[64] = { 0 };
	__u64 now = 1000;

	c.max_ttl = max_ttl;
	c.max_probes = max_probes;
	c.confidence = conf;
	if (mda_plan_init(&m, &c)) {
		res.stop_reason = -1;
		return res;
	}
	p = mda_planner(&m);
	for (int guard = 0; guard < 100000 && !p.ops->done(p.st); guard++) {
		struct plan_probe pp[64];
		int n = p.ops->next(p.st, pp, 64, now);

		if (!n && !got_rec && p.ops->take(p.st, &rec)) {
			got_rec = 1;
			continue;
		}
		for (int i = 0; i < n; i++) {
			struct send_result sr = { .tx_ns = now };
			struct probe_ref ref;
			int dist, at = walk_to(net, pp[i].p.flow, pp[i].p.ttl, &dist);

			p.ops->sent(p.st, &pp[i], &sr, now);
			if (at < 0 || !net->n[at].addr) {
				p.ops->timeout(p.st, &pp[i]);
				continue;
			}
			if (p.ops->match(p.st, 0, pp[i].p.probe_id, &ref) != MATCH_PROBE)
				continue;
			{
				/* a port unreachable quotes the TTL the probe came with */
				struct hop_reply r = { .from = v4(net->n[at].addr), .rx_ns = now + 5000,
						       .verdict = net->n[at].dst ? VERDICT_REACHED
										 : VERDICT_HOP,
						       .q_ttl = (__u8)(pp[i].p.ttl - dist + 1) };

				p.ops->answer(p.st, &ref, &r);
			}
		}
		now += 10000;
	}
	if (!got_rec && p.ops->take(p.st, &rec))
		got_rec = 1;
	if (!got_rec || rec.kind != REC_MULTIPATH) {
		res.stop_reason = -1;
		mda_plan_free(&m);
		return res;
	}
	res.stop_reason = rec.mp->h.stop_reason;
	res.probes = rec.mp->h.probe_count;
	res.nunfinished = rec.mp->nunfinished;
	res.probe_errors = check_probes(net, rec.mp, &res.in_links);
	res.flows = (int)rec.mp->flows;
	for (int i = 0; i < rec.mp->nprobes; i++) {
		if (rec.mp->probes[i].ttl < 32)
			res.at_ttl[rec.mp->probes[i].ttl]++;
		if (rec.mp->probes[i].flow >= res.flows_probed)
			res.flows_probed = rec.mp->probes[i].flow + 1;
	}
	for (int l = 0; l < rec.mp->nlinks; l++) {
		char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN], key[64];
		int hit = 0;

		inet_ntop(AF_INET, &rec.mp->nodes[rec.mp->links[l].from].addr.s6_addr[12], a,
			  sizeof(a));
		inet_ntop(AF_INET, &rec.mp->nodes[rec.mp->links[l].to].addr.s6_addr[12], b,
			  sizeof(b));
		snprintf(key, sizeof(key), "%s>%s", a, b);
		if (l < 32)
			snprintf(res.links[l], sizeof(res.links[l]), "%s", key);
		for (int w = 0; w < nwant; w++) {
			if (strcmp(want[w], key))
				continue;
			hit = 1;
			found[w] = 1; /* the same two interfaces at other TTLs: one link */
		}
		res.m0_link |= !strcmp(key, "198.18.19.2>198.18.25.2");
		if (hit)
			res.links_right++;
		else
			res.links_false++;
		if (getenv("MDA_DEBUG"))
			fprintf(stderr, "link %s (ttl %d->%d)\n", key,
				rec.mp->nodes[rec.mp->links[l].from].ttl,
				rec.mp->nodes[rec.mp->links[l].to].ttl);
	}
	res.links_missing = nwant;
	for (int w = 0; w < nwant; w++)
		res.links_missing -= found[w];
	mda_plan_free(&m);
	return res;
}

/* One run at the usual settings (3000 probes, 30 TTLs, 95%), the hash keyed by seed */
static struct result run_keyed(struct net *net, __u64 seed)
{
	net->key = mix(seed);
	return run(net, 3000, 30, 95);
}

static void test_stopping_points(void)
{
	static const int at95[] = { 6, 6, 11, 16, 21, 27, 33 };

	for (int k = 0; k < 7; k++)
		EXPECT(mda_flows_needed(95, k) == at95[k], "k=%d: %d, expected %d", k,
		       mda_flows_needed(95, k), at95[k]);
	/* 99%: 1 next hop seen needs 8 flows to rule out a second */
	EXPECT(mda_flows_needed(99, 1) == 8, "99%%, k=1: %d", mda_flows_needed(99, 1));
}

/*
 * Many runs: never a false link; complete at least as often as four
 * balancers at 95% promise (0.95^4), with room for chance (5 sigma)
 */
static void test_lab_diamonds(void)
{
	const int runs = 2000;
	int complete = 0, false_links = 0, not_completed = 0, probe_errors = 0;
	double bound = pow(0.95, 4), sigma = sqrt(bound * (1 - bound) / runs);
	__u64 probes = 0, in_links = 0, ttl_sum[32] = { 0 };
	struct net net;

	lab_net(&net);
	for (int r = 0; r < runs; r++) {
		struct result res;

		res = run_keyed(&net, (__u64)r + 1);
		false_links += res.links_false;
		complete += !res.links_missing && !res.links_false;
		not_completed += res.stop_reason != STOP_COMPLETED;
		probes += res.probes;
		probe_errors += res.probe_errors;
		in_links += (__u64)res.in_links;
		for (int t = 1; t < 32; t++)
			ttl_sum[t] += res.at_ttl[t];
	}
	if (getenv("MDA_DEBUG"))
		for (int t = 1; t < 32; t++)
			fprintf(stderr, "lab ttl %d: %.2f probes per run\n", t, (double)ttl_sum[t] / runs);
	printf("     (%d runs: %d complete (%.2f%%; promised >= %.2f%%), %.1f probes per run)\n",
	       runs, complete, 100.0 * complete / runs, 100 * bound, (double)probes / runs);
	EXPECT(false_links == 0, "%d false links", false_links);
	EXPECT(not_completed == 0, "%d runs did not end COMPLETED", not_completed);
	EXPECT(probe_errors == 0, "%d wrong probes in the records", probe_errors);
	/* the first TTL's probes and the flows classified a TTL early are in no link */
	EXPECT(in_links > probes / 2 && in_links < probes, "%llu of %llu probes in links",
	       (unsigned long long)in_links, (unsigned long long)probes);
	EXPECT((double)complete / runs >= bound - 5 * sigma, "complete %.4f < promised %.4f",
	       (double)complete / runs, bound);
}

/*
 * E[T] for T the flows a 2-way balancer (half each) must be sent until
 * both branches saw n: T > t while Binomial(t, 1/2) is below n or above
 * t - n
 */
static double draws_until_both(int n)
{
	double e = 0;

	for (int t = 0; t < 400; t++) {
		double p_done = 0, c = pow(0.5, t); /* C(t, x) / 2^t, from x = 0 */

		for (int x = 0; x <= t; x++) {
			if (x >= n && t - x >= n)
				p_done += c;
			c = c * (t - x) / (x + 1);
		}
		e += 1 - p_done;
	}
	return e;
}

/*
 * Two routers at the first TTL behind one gateway address (an anycast or
 * MLAG gateway; here the prober's paths split and m0 goes straight to
 * m2): the first hop is sampled like any interface's next hops, so both
 * are found and no link from m1 stands on a flow that crossed m0 (m1 >
 * m2 would be false). A planner that took the route's one gateway for
 * one first router (one probe at TTL 1, every flow taken to cross it)
 * made 2,514 false links over 1,000 runs of this net with m0 going on
 * to b1 instead: flows that crossed m0 were counted as m1's.
 */
static void test_two_first_hops(void)
{
	const int runs = 1000;
	int false_links = 0, probe_errors = 0, m0_found = 0;
	struct net net;
	int m0;

	lab_net(&net);
	m0 = add(&net, "198.18.19.2", 0);
	link_to(&net, m0, 5); /* m2: lab_net's sixth node */
	net.first2 = m0 + 1;
	EXPECT(!strcmp(net.n[5].addr, "198.18.25.2"), "node 5 is %s, not m2", net.n[5].addr);
	for (int r = 0; r < runs; r++) {
		struct result res;

		res = run_keyed(&net, (__u64)r + 777);
		false_links += res.links_false;
		probe_errors += res.probe_errors;
		m0_found += res.m0_link;
	}
	printf("     (two first hops behind one gateway: %d runs, m0 -> m2 found in %d, %d false "
	       "links)\n", runs, m0_found, false_links);
	EXPECT(false_links == 0, "%d false links", false_links);
	EXPECT(probe_errors == 0, "%d wrong probes in the records", probe_errors);
	EXPECT(m0_found >= runs * 9 / 10, "m0 -> m2 in %d of %d runs", m0_found, runs);
}

/*
 * The probe count, pinned: a 2-way balancer m whose branches meet again
 * at z one TTL apart (x -> z; y -> w -> z), then the destination:
 *
 *   prober - m -< x ------ z - d
 *               \ y - w -/
 *
 * What the per-interface rule owes, each interface once: the reach probe
 * (1: one UDP flow at the hop limit, d's port unreachable giving its TTL,
 * 4 or 5 by the branch it took); the prober's 6, all seen at TTL 1; m,
 * alone at TTL 1, its n_2 = 11 at TTL 2, the 6 seen there and new flows,
 * and as many more as it takes until x and y each have n_1 = 6 there (T,
 * E[T] from the binomial); x's 6 and y's 6 at TTL 3; w's 6 at TTL 4. z,
 * met at TTLs 3 and 4, is one interface: its flows are owed once, and d
 * answering one TTL after it settles it. At d's TTL a key asks one flow
 * first: z costs 1 when the reach flow found d at TTL 4, else its 6 went
 * out together at TTL 4 (3.5 on average). E[probes] <= 1 + 6 + E[T] + 12
 * + 6 + 3.5 (a run that stopped m at one branch, 3% of them, costs less;
 * one whose 6 seen flows all went one way asks one of the new flows at
 * TTL 1 for the other branch's link). A planner that asks z's rule per
 * TTL, or sends what the rarer branch needs at its share, or brings m's
 * flows to TTL 1 first, goes over; one that skips a rule (x's, y's)
 * stays under 38 in a complete run.
 */
static void test_probe_bound(void)
{
	const int runs = 2000;
	double bound = 1 + 6 + draws_until_both(6) + 12 + 6 + 3.5, mean;
	__u64 probes = 0;
	int false_links = 0, short_complete = 0;
	struct net net;

	net_build(&net,
		  "mm=198.18.20.2 x=198.18.21.2 y=198.18.22.2 w=198.18.26.2 z=198.18.25.2 "
		  "d=198.19.8.77!",
		  "mm>x mm>y x>z y>w w>z z>d");
	for (int r = 0; r < runs; r++) {
		struct result res;

		res = run_keyed(&net, (__u64)r + 4242);
		probes += res.probes;
		false_links += res.links_false;
		short_complete += !res.links_missing && res.probes < 38;
	}
	mean = (double)probes / runs;
	printf("     (unequal diamond: %.1f probes per run, bound %.1f)\n", mean, bound);
	EXPECT(false_links == 0, "%d false links", false_links);
	/* the mean of 2000 runs: its standard error is about 0.1 probe */
	EXPECT(mean <= bound + 0.5, "%.2f probes per run, more than the rule owes (%.2f)", mean,
	       bound);
	EXPECT(short_complete == 0, "%d complete runs under 38 probes: a rule skipped",
	       short_complete);
}

static int has_link(const struct result *r, const char *key)
{
	for (int l = 0; l < 32 && r->links[l][0]; l++)
		if (!strcmp(r->links[l], key))
			return 1;
	return 0;
}

/*
 * A balancer behind a chain: a - b - c, then c splits three ways and the
 * branches meet at z before the destination. c is the one interface at
 * TTL 3, so every flow crosses it: c's n_3 = 16 flows are its 6 seen
 * there and new flows sent at TTL 4 straight away, one probe each.
 * TTL 3 carries b's 6, and now and then one new flow asked there for a
 * branch that only new flows reached (ask_link: its link from c). A
 * planner that brought c's flows to TTL 3 first sends 16 there.
 */
static void test_chain_then_balancer(void)
{
	const int runs = 1000;
	int false_links = 0, complete = 0, probe_errors = 0, ttl3 = 0, ttl3_max = 0;
	double bound = 0.95 * 0.95, sigma = sqrt(bound * (1 - bound) / runs);
	struct net net;

	net_build(&net,
		  "a=198.18.30.2 b=198.18.31.2 c=198.18.32.2 p1=198.18.41.2 p2=198.18.42.2 "
		  "p3=198.18.43.2 z=198.18.45.2 d=198.19.8.77!",
		  "a>b b>c c>p1 c>p2 c>p3 p1>z p2>z p3>z z>d");
	for (int r = 0; r < runs; r++) {
		struct result res;

		res = run_keyed(&net, (__u64)r + 9191);
		false_links += res.links_false;
		probe_errors += res.probe_errors;
		complete += !res.links_missing && !res.links_false;
		ttl3 += res.at_ttl[3];
		if (res.at_ttl[3] > ttl3_max)
			ttl3_max = res.at_ttl[3];
	}
	printf("     (balancer behind a chain: %d runs, %d complete, %.2f probes at its TTL, "
	       "at most %d)\n", runs, complete, (double)ttl3 / runs, ttl3_max);
	EXPECT(false_links == 0, "%d false links", false_links);
	EXPECT(probe_errors == 0, "%d wrong probes in the records", probe_errors);
	EXPECT((double)complete / runs >= bound - 5 * sigma, "complete %.4f < promised %.4f",
	       (double)complete / runs, bound);
	EXPECT(ttl3_max <= 8, "%d probes at the balancer's TTL: its flows were brought there",
	       ttl3_max);
}

/*
 * A sibling the rule above missed: p sends a quarter of its flows to x2
 * and the rest to x (its hash picks one of four slots, three are x), so
 * its 6 flows all go to x 18% of the time and x looks alone at TTL 2.
 * x2 goes on to y3, which x never does: a new flow sent past x that
 * lands on y3 has no link from TTL 2, is asked there (ask_link), finds
 * x2, and p's rule asks again. Found more often than p's 6 flows alone
 * find it (82%), and never a false link: no link stands on a flow that
 * was not seen at both of its ends.
 */
static void test_missed_sibling(void)
{
	const int runs = 1000;
	int false_links = 0, probe_errors = 0, x2_found = 0;
	struct net net;

	net_build(&net,
		  "p=198.18.50.2 x=198.18.51.2 x2=198.18.52.2 y1=198.18.53.2 y2=198.18.54.2 "
		  "y3=198.18.55.2 d=198.19.8.77!",
		  "p>x p>x p>x p>x2 x>y1 x>y2 x2>y3 y1>d y2>d y3>d");
	for (int r = 0; r < runs; r++) {
		struct result res;

		res = run_keyed(&net, (__u64)r + 31337);
		false_links += res.links_false;
		probe_errors += res.probe_errors;
		x2_found += has_link(&res, "198.18.50.2>198.18.52.2") &&
			    has_link(&res, "198.18.52.2>198.18.55.2");
	}
	printf("     (a sibling the rule missed: %d runs, found in %d, %d false links)\n", runs,
	       x2_found, false_links);
	EXPECT(false_links == 0, "%d false links", false_links);
	EXPECT(probe_errors == 0, "%d wrong probes in the records", probe_errors);
	EXPECT(x2_found >= runs * 9 / 10, "x2 and its link found in %d of %d runs", x2_found,
	       runs);
}

/*
 * A chain a - b - c to the destination: 6 flows per TTL, and at the
 * destination's TTL (the reach probe's, UDP) c asks one flow first,
 * which d answers: 1 + 6 + 6 + 6 + 1 = 20 probes, every run. ICMP has
 * no quote to learn d's TTL from, so no reach probe, and c's 6 flows go
 * out together: 24.
 */
static void test_dest_hop(void)
{
	int udp_20 = 0, udp_ttl4 = 0, icmp_24 = 0, false_links = 0, missing = 0;
	struct net net;

	net_build(&net, "a=198.18.60.2 b=198.18.61.2 c=198.18.62.2 d=198.19.8.77!",
		  "a>b b>c c>d");
	for (int r = 0; r < 100; r++) {
		struct result u, i;

		net.key = mix((__u64)r + 555);
		run_method = METHOD_UDP;
		u = run(&net, 3000, 30, 95);
		run_method = METHOD_ICMP;
		i = run(&net, 3000, 30, 95);
		run_method = METHOD_UDP;
		udp_20 += u.probes == 20;
		udp_ttl4 += u.at_ttl[4] == 1;
		icmp_24 += i.probes == 24;
		false_links += u.links_false + i.links_false;
		missing += u.links_missing + i.links_missing;
	}
	EXPECT(udp_20 == 100 && udp_ttl4 == 100, "UDP: %d of 100 runs with 20 probes, %d with one "
	       "at the destination's TTL", udp_20, udp_ttl4);
	EXPECT(icmp_24 == 100, "ICMP: %d of 100 runs with 24 probes", icmp_24);
	EXPECT(false_links == 0 && missing == 0, "%d false links, %d missing", false_links, missing);
}

/*
 * --max-hops at or short of the destination: the reach probe's flow is
 * asked at the hop limit again for a rule (the first TTL reuses it), and
 * that probe, not the reach probe (same flow, TTL and attempt), is its
 * link's. A record that put both in the link wrote a probe set with one
 * flow's attempt 0 twice (check_probes: every run of -m 2 to -m 4 here).
 */
static void test_reach_at_hop_limit(void)
{
	int errors = 0, false_links = 0;
	struct net net;

	net_build(&net, "a=198.18.60.2 b=198.18.61.2 c=198.18.62.2 d=198.19.8.77!",
		  "a>b b>c c>d");
	for (int max_ttl = 2; max_ttl <= 5; max_ttl++) {
		for (int r = 0; r < 20; r++) {
			struct result res;

			net.key = mix((__u64)r + 808);
			res = run(&net, 3000, max_ttl, 95);
			errors += res.probe_errors;
			false_links += res.links_false;
		}
	}
	EXPECT(errors == 0, "%d wrong probes in the records", errors);
	EXPECT(false_links == 0, "%d false links", false_links);
}

/*
 * The reach probe against -w MAX,HERE: its answer comes from the far
 * end, long after the first hop's (1 ms here, the destination's 50 ms).
 * No round waits for it, so nothing is gained by cutting its wait to
 * HERE times the first hop's: that lost the destination's TTL on any
 * path longer than 20 ms.
 */
static void test_reach_outwaits_here(void)
{
	struct session s = { 0 };
	struct mda_cfg c = test_cfg(&s);
	struct plan_probe pp[64];
	struct mda_plan m;
	struct planner p;
	__u64 t0 = 1000000, ms = 1000000;
	int n, reach = -1;

	c.wait_s = 2;
	c.here = 10;
	if (mda_plan_init(&m, &c)) {
		EXPECT(0, "init");
		return;
	}
	p = mda_planner(&m);
	n = p.ops->next(p.st, pp, 64, t0);
	for (int i = 0; i < n; i++) {
		struct send_result sr = { .tx_ns = t0 };

		p.ops->sent(p.st, &pp[i], &sr, t0);
	}
	/* the first hop answers its probes within 1 ms */
	for (int i = 0; i < n; i++) {
		struct probe_ref ref;
		struct hop_reply r = { .from = v4("198.18.60.2"), .rx_ns = t0 + ms,
				       .verdict = VERDICT_HOP, .q_ttl = 1 };

		if (pp[i].p.ttl != 1) {
			reach = i;
			continue;
		}
		if (p.ops->match(p.st, 0, pp[i].p.probe_id, &ref) == MATCH_PROBE)
			p.ops->answer(p.st, &ref, &r);
	}
	EXPECT(reach >= 0 && pp[reach].p.ttl == 30, "no reach probe at the hop limit");
	/* the next round goes out at 30 ms; the destination answers at 50 */
	p.ops->next(p.st, pp, 64, t0 + 30 * ms);
	if (reach >= 0) {
		struct probe_ref ref;
		struct hop_reply r = { .from = v4("198.19.8.77"), .rx_ns = t0 + 50 * ms,
				       .verdict = VERDICT_REACHED, .q_ttl = 27 };

		if (p.ops->match(p.st, 0, (__u16)(reach + 1), &ref) == MATCH_PROBE)
			p.ops->answer(p.st, &ref, &r);
	}
	EXPECT(m.dest_ttl == 4, "the destination's TTL %d, not 4", m.dest_ttl);
	mda_plan_free(&m);
}

/*
 * One probe in flight (-N 1): a reach probe first would hold the one
 * slot for its whole wait when the destination is silent, before the
 * first hop is even asked. No reach probe then: the first probe is the
 * first TTL's.
 */
static void test_reach_one_in_flight(void)
{
	struct session s = { 0 };
	struct mda_cfg c = test_cfg(&s);
	struct plan_probe pp[4];
	struct mda_plan m;
	struct planner p;
	int n;

	c.wait_s = 2;
	c.here = 10;
	c.in_flight = 1;
	if (mda_plan_init(&m, &c)) {
		EXPECT(0, "init");
		return;
	}
	p = mda_planner(&m);
	n = p.ops->next(p.st, pp, 4, 1000000);
	EXPECT(n == 1 && pp[0].p.ttl == 1, "%d probes, the first at TTL %d", n,
	       n ? pp[0].p.ttl : 0);
	mda_plan_free(&m);
}

/*
 * A silent branch behind a lone interface: c, alone at TTL 2, splits four
 * ways, to x, y, v and a silent router s, and all four meet again at z.
 * The flows sent past c unseen at TTL 2 that go silent at TTL 3 are c's
 * silence's flows (what lies behind it is asked one TTL further), and
 * the silence, reached only by such flows, has one of them asked back at
 * c's TTL, for the link c -> z across it: z itself is linked anyway,
 * from x, y and v. A planner that gave those flows no rule key, or that
 * linked only answering nodes, leaves c -> z to c's 6 flows seen at TTL
 * 2, a quarter of which go silent: missed 16% of the time (836 of 1000).
 */
static void test_silence_behind_lone(void)
{
	const int runs = 1000;
	int false_links = 0, probe_errors = 0, cz_found = 0;
	__u64 probes = 0, behind = 0;
	struct net net;

	net_build(&net,
		  "a=198.18.70.2 c=198.18.71.2 x=198.18.72.2 y=198.18.73.2 v=198.18.74.2 sl=* "
		  "z=198.18.76.2 d=198.19.8.77!",
		  "a>c c>x c>y c>v c>sl x>z y>z v>z sl>z z>d");
	for (int r = 0; r < runs; r++) {
		struct result res;

		res = run_keyed(&net, (__u64)r + 2024);
		false_links += res.links_false;
		probe_errors += res.probe_errors;
		cz_found += has_link(&res, "198.18.71.2>198.18.76.2");
		probes += res.probes;
		behind += (__u64)res.at_ttl[4];
	}
	printf("     (a silent branch behind a lone interface: %d runs, c -> z across it found in "
	       "%d, %d false links, %.1f probes per run, %.1f at TTL 4)\n", runs, cz_found,
	       false_links, (double)probes / runs, (double)behind / runs);
	EXPECT(false_links == 0, "%d false links", false_links);
	EXPECT(probe_errors == 0, "%d wrong probes in the records", probe_errors);
	EXPECT(cz_found >= runs * 96 / 100, "c -> z across the silence in %d of %d runs", cz_found,
	       runs);
	/* 81.6 here; 1,309 when the silence's flows unseen at c serve no
	 * rule: every new flow sent for it lands there again, uncounted
	 */
	EXPECT(probes <= 100 * (__u64)runs, "%.1f probes per run", (double)probes / runs);
}

/*
 * A budget of exactly what a complete run spends (the chain of
 * test_dest_hop: 20 probes) ends COMPLETED, not PROBELIMIT; one probe
 * less is PROBELIMIT with the open interface named.
 */
static void test_exact_budget(void)
{
	struct net net;
	struct result res;

	net_build(&net, "a=198.18.60.2 b=198.18.61.2 c=198.18.62.2 d=198.19.8.77!",
		  "a>b b>c c>d");
	net.key = mix(99);
	res = run(&net, 20, 30, 95);
	EXPECT(res.stop_reason == STOP_COMPLETED && res.probes == 20 && !res.links_missing,
	       "20 probes: stop %d after %llu probes, %d links missing", res.stop_reason,
	       (unsigned long long)res.probes, res.links_missing);
	res = run(&net, 19, 30, 95);
	EXPECT(res.stop_reason == STOP_PROBELIMIT && res.nunfinished == 1,
	       "19 probes: stop %d, %d named", res.stop_reason, res.nunfinished);
}

/*
 * A round the budget cuts short mints no flow it could not ask: the
 * record's flows are the flows probed. With the round run on a spent
 * budget (it decides COMPLETED or PROBELIMIT), a new flow taken before
 * mda_ask refused left the record one or two flows over (c alone, then a
 * silence and a diamond: 10 of the budgets 8 to 80 here).
 */
static void test_budget_flows(void)
{
	struct net net;
	int over = 0, worst = 0;

	net_build(&net,
		  "a=198.18.80.1 c=198.18.80.2 s=* x=198.18.80.3 y=198.18.80.4 z=198.18.80.5 "
		  "d=198.19.8.77!",
		  "a>c c>s s>x s>y x>z y>z z>d");
	net.key = mix(12345);
	for (int budget = 8; budget <= 80; budget++) {
		struct result res = run(&net, budget, 30, 95);

		if (res.flows != res.flows_probed) {
			over++;
			if (res.flows - res.flows_probed > worst)
				worst = res.flows - res.flows_probed;
		}
	}
	EXPECT(over == 0, "%d budgets left flows never probed in the record (up to %d)", over,
	       worst);
}

/*
 * Silence to the end: a - c, then silent routers past the gap limit
 * (GAPLIMIT). Any budget short of the full run's ends PROBELIMIT, also
 * where it only refused a silent probe's second try: a silence found on
 * fewer tries than asked is not the trace's own end.
 */
static void test_budget_cuts_retry(void)
{
	struct net net;
	struct result full, res;
	int wrong = 0;

	net_build(&net, "a=198.18.80.2 c=198.18.81.2 s1=* s2=* s3=* s4=*",
		  "a>c c>s1 s1>s2 s2>s3 s3>s4");
	net.key = mix(7);
	full = run(&net, 3000, 30, 95);
	EXPECT(full.stop_reason == STOP_GAPLIMIT, "full run: stop %d", full.stop_reason);
	for (int b = 1; b < (int)full.probes; b++) {
		res = run(&net, b, 30, 95);
		if (res.stop_reason != STOP_PROBELIMIT) {
			if (!wrong)
				printf("     budget %d of %llu: stop %d\n", b,
				       (unsigned long long)full.probes, res.stop_reason);
			wrong++;
		}
	}
	EXPECT(wrong == 0, "%d budgets short of the full %llu ended other than PROBELIMIT", wrong,
	       (unsigned long long)full.probes);
}

/* A lower confidence finds less (fewer flows), never anything false */
static void test_low_confidence(void)
{
	int false_links = 0, missing = 0;
	__u64 probes50 = 0, probes99 = 0;
	struct net net;

	lab_net(&net);
	for (int r = 0; r < 200; r++) {
		struct result lo, hi;

		net.key = mix((__u64)r + 7777);
		lo = run(&net, 3000, 30, 50);
		hi = run(&net, 3000, 30, 99);
		false_links += lo.links_false + hi.links_false;
		missing += lo.links_missing;
		probes50 += lo.probes;
		probes99 += hi.probes;
	}
	EXPECT(false_links == 0, "%d false links", false_links);
	EXPECT(probes50 < probes99, "50%%: %llu probes, 99%%: %llu", (unsigned long long)probes50,
	       (unsigned long long)probes99);
	EXPECT(missing > 0, "50%% confidence missed nothing in 200 runs: the rule is not applied");
}

/* --max-probes: PROBELIMIT, the nodes left unsettled named, no false link */
static void test_probe_limit(void)
{
	struct net net;
	struct result res;

	lab_net(&net);
	net.key = mix(42);
	res = run(&net, 30, 30, 95);
	if (getenv("MDA_DEBUG"))
		for (int t = 1; t < 8; t++)
			fprintf(stderr, "ttl %d: %d probes\n", t, res.at_ttl[t]);
	EXPECT(res.stop_reason == STOP_PROBELIMIT, "stop %d", res.stop_reason);
	EXPECT(res.probes <= 30, "%llu probes", (unsigned long long)res.probes);
	EXPECT(res.links_false == 0, "%d false links", res.links_false);
	EXPECT(res.nunfinished > 0, "no unsettled node named");
	EXPECT(res.probe_errors == 0, "%d wrong probes in the record", res.probe_errors);
}

/* A destination that never answers: GAPLIMIT after 3 silent TTLs */
static void test_gap_limit(void)
{
	struct net net;
	struct result res;

	net_build(&net, "r1=198.18.20.2 r2=198.18.21.2 s1=* s2=* s3=* s4=* s5=*",
		  "r1>r2 r2>s1 s1>s2 s2>s3 s3>s4 s4>s5");
	net.key = 1;
	res = run(&net, 3000, 30, 95);
	EXPECT(res.stop_reason == STOP_GAPLIMIT, "stop %d", res.stop_reason);
	EXPECT(res.links_false == 0 && res.links_right == 1, "links %d right, %d false",
	       res.links_right, res.links_false);
	EXPECT(res.probe_errors == 0, "%d wrong probes in the record", res.probe_errors);
	/* --max-hops short of the gap limit: HOPLIMIT */
	res = run(&net, 3000, 4, 95);
	EXPECT(res.stop_reason == STOP_HOPLIMIT, "stop %d", res.stop_reason);
}

/* Bad configurations are refused, not run */
static void test_bad_cfg(void)
{
	struct session s = { 0 };
	struct mda_cfg c = { .family = 4, .first_ttl = 1, .max_ttl = MDA_TTL_MAX + 1,
			     .attempts = 1, .in_flight = 1, .max_probes = 10,
			     .max_flows = 10, .gaplimit = 3, .confidence = 95, .s = &s };
	struct mda_plan m;

	EXPECT(mda_plan_init(&m, &c) == -EINVAL, "max_ttl beyond MDA_TTL_MAX taken");
	c.max_ttl = 10;
	c.max_flows = MDA_FLOWS_MAX + 1;
	EXPECT(mda_plan_init(&m, &c) == -EINVAL, "max_flows beyond the span taken");
}

int main(void)
{
	test_stopping_points();
	test_lab_diamonds();
	test_probe_bound();
	test_two_first_hops();
	test_chain_then_balancer();
	test_missed_sibling();
	test_dest_hop();
	test_silence_behind_lone();
	test_exact_budget();
	test_budget_cuts_retry();
	test_budget_flows();
	test_reach_at_hop_limit();
	test_reach_outwaits_here();
	test_reach_one_in_flight();
	test_low_confidence();
	test_probe_limit();
	test_gap_limit();
	test_bad_cfg();
	return TEST_SUMMARY();
}
