// SPDX-License-Identifier: GPL-2.0
/*
 * xhop scan without the network: the FIFO, the window of targets and its
 * address index, the hop records, Doubletree's stop set, and the plan of
 * what a target probes next, driven answer by answer.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include "xhop_test.h"
#include "net/addr.h"
#include "cli/cli.h"
#include "plan/doubletree.h"
#include "cli/scan_cmd.h"
#include "sink/trace_json.h"
#include "plan/scan.h"
#include "send/sender.h"
#include "xhop_proto.h"

static struct in6_addr v4(const char *s)
{
	struct in6_addr a = { 0 };

	a.s6_addr[10] = a.s6_addr[11] = 0xff;
	inet_pton(AF_INET, s, &a.s6_addr[12]);
	return a;
}

/* Distinct addresses: IPv4 198.18.x.y and IPv6 2001:2:0:100::n */
static void make_addrs(struct in6_addr *v, int n)
{
	for (int i = 0; i < n; i++) {
		memset(&v[i], 0, sizeof(v[i]));
		if (i % 2) {
			v[i] = v4("198.18.0.0");
			v[i].s6_addr[14] = (__u8)(i >> 8);
			v[i].s6_addr[15] = (__u8)i;
			v[i].s6_addr[13] = (__u8)(i >> 16);
		} else {
			inet_pton(AF_INET6, "2001:2:0:100::", &v[i]);
			memcpy(&v[i].s6_addr[12], &i, sizeof(i));
		}
	}
}

static void test_fifo(void)
{
	struct fifo f;
	int v, bad = 0, next = 0;

	EXPECT(fifo_init(&f, sizeof(int)) == 0, "init");
	for (v = 0; v < 5000; v++)
		fifo_push(&f, &v);
	for (int i = 0; i < 2500; i++, next++) {
		bad += *(int *)fifo_peek(&f) != next;
		fifo_pop(&f);
	}
	/* the head is mid-array now: growing must unwrap it */
	for (; v < 12000; v++)
		fifo_push(&f, &v);
	while (fifo_peek(&f)) {
		bad += *(int *)fifo_peek(&f) != next++;
		fifo_pop(&f);
	}
	EXPECT(!bad && next == 12000, "FIFO order across growth: %d wrong, %d popped", bad, next);
	fifo_pop(&f); /* on empty: nothing */
	EXPECT(f.n == 0, "empty");
	fifo_free(&f);
}

static void test_window(void)
{
	enum { N = 20000, SLOTS = 8192 };
	struct in6_addr *addrs = calloc(N, sizeof(*addrs));
	struct scan_table t;
	__u32 slot_of[N];
	int bad = 0;

	make_addrs(addrs, N);
	EXPECT(scan_table_init(&t, SLOTS, addrs) == 0, "init");
	for (int i = 0; i < SLOTS; i++)
		slot_of[i] = scan_table_admit(&t, i);
	EXPECT(t.active == SLOTS && t.nfree == 0, "full: %u active", t.active);
	EXPECT(scan_table_admit(&t, SLOTS) == SCAN_NONE, "a full window admits no one");
	for (int i = 0; i < SLOTS; i++)
		bad += scan_table_find(&t, &addrs[i]) != slot_of[i];
	EXPECT(!bad, "every target found: %d not", bad);
	EXPECT(scan_table_find(&t, &addrs[SLOTS + 1]) == SCAN_NONE, "not in flight: not found");
	/* release every third: the others stay findable (backward shift) */
	for (int i = 0; i < SLOTS; i += 3)
		scan_table_release(&t, slot_of[i]);
	bad = 0;
	for (int i = 0; i < SLOTS; i++) {
		__u32 s = scan_table_find(&t, &addrs[i]);

		bad += i % 3 ? s != slot_of[i] : s != SCAN_NONE;
	}
	EXPECT(!bad, "after releases: %d lookups wrong", bad);
	/* reused slots get a new generation and the new target */
	{
		__u32 s = scan_table_admit(&t, SLOTS + 5);

		EXPECT(s != SCAN_NONE && t.slots[s].gen == 2 && t.slots[s].idx == SLOTS + 5,
		       "reuse: slot %u gen %u", s, s == SCAN_NONE ? 0 : t.slots[s].gen);
		EXPECT(scan_table_admit(&t, SLOTS + 5) == SCAN_NONE,
		       "the same address twice in flight: refused");
		EXPECT(scan_table_find(&t, &addrs[SLOTS + 5]) == s, "found in its new slot");
	}
	scan_table_free(&t);
	free(addrs);
}

static void test_hops(void)
{
	struct in6_addr addrs[1] = { v4("198.19.0.1") };
	struct hop_reply r = { .from = v4("198.18.1.2") };
	struct scan_table t;
	__u32 s, h;
	int ttls[8], n = 0;

	scan_table_init(&t, 4, addrs);
	s = scan_table_admit(&t, 0);
	scan_table_add_hop(&t, s, &r, 1, 5, DIR_BACK);
	scan_table_add_hop(&t, s, &r, 2, 3, DIR_BACK);
	scan_table_add_hop(&t, s, &r, 3, 4, DIR_BACK);
	scan_table_add_hop(&t, s, &r, 4, 3, DIR_FWD); /* a second one at TTL 3 */
	for (h = t.slots[s].hops; h != SCAN_NONE && n < 8; h = t.hops[h].next)
		ttls[n++] = t.hops[h].ttl;
	EXPECT(n == 3 && ttls[0] == 3 && ttls[1] == 4 && ttls[2] == 5, "sorted, one per TTL: %d", n);
	h = t.slots[s].hops;
	EXPECT(t.hops[h].tx_ns == 2, "the first answer at a TTL is kept");
	scan_table_trim_hops(&t, s, 4);
	EXPECT(t.hops_used == 2, "trim above TTL 4: %u left", t.hops_used);
	scan_table_release(&t, s);
	EXPECT(t.hops_used == 0 && t.active == 0, "release frees the hops");
	scan_table_free(&t);
}

/*
 * A hop inserted after another while the hop pool grows: the pool moves
 * (realloc), and the insertion must link into the moved pool (a pointer
 * into the old one wrote to freed memory: ASan's layer sees it, and the
 * plain build lost the hop whenever realloc moved the pool)
 */
static void test_hops_grow(void)
{
	enum { NT = 32 };
	struct in6_addr addrs[NT];
	struct hop_reply r = { .from = v4("198.18.1.2") };
	struct scan_table t;
	__u32 a, h;
	int n = 0, ttls[4] = { 0 };

	for (int i = 0; i < NT; i++) {
		addrs[i] = v4("198.19.0.1");
		addrs[i].s6_addr[15] = (__u8)(1 + i);
	}
	scan_table_init(&t, NT, addrs);
	a = scan_table_admit(&t, 0);
	scan_table_add_hop(&t, a, &r, 1, 1, DIR_FWD);
	/* the others' hops (TTL 1..255 each) until the pool is at its edge */
	for (int i = 1; i < NT && t.nhops < t.hops_cap; i++) {
		__u32 b = scan_table_admit(&t, (__u32)i);

		for (int ttl = 1; ttl <= 255 && t.nhops < t.hops_cap; ttl++)
			scan_table_add_hop(&t, b, &r, 1, ttl, DIR_FWD);
	}
	EXPECT(t.hops_cap && t.nhops == t.hops_cap && t.hops_free == SCAN_NONE,
	       "the pool is full: %u of %u", t.nhops, t.hops_cap);
	scan_table_add_hop(&t, a, &r, 2, 2, DIR_FWD);
	for (h = t.slots[a].hops; h != SCAN_NONE && n < 4; h = t.hops[h].next)
		ttls[n++] = t.hops[h].ttl;
	EXPECT(n == 2 && ttls[0] == 1 && ttls[1] == 2, "the hop after TTL 1 is linked: %d hops", n);
	scan_table_free(&t);
}

static void test_doubletree(void)
{
	struct in6_addr r1 = v4("198.18.1.2"), r2 = v4("198.18.2.2"), r3 = v4("198.18.3.2"),
			r3b = v4("198.18.4.2");
	struct doubletree dt;
	__u32 n1, n2, n3, n3b, s, rechecks = 0;

	dt_init(&dt, 32, 64);
	n1 = dt_node(&dt, &r1, 1);
	n2 = dt_node(&dt, &r2, 2);
	n3 = dt_node(&dt, &r3, 3);
	EXPECT(dt_node(&dt, &r2, 2) == n2, "one node per (address, TTL)");
	EXPECT(dt_node(&dt, &r2, 3) != n2, "another TTL, another node");
	EXPECT(dt_stable(&dt, n1), "TTL 1 has nothing below it");
	for (int i = 0; i < 31; i++) {
		dt_observe(&dt, n3, n2);
		dt_observe(&dt, n2, n1);
	}
	EXPECT(!dt_stable(&dt, n3), "31 agreeing targets: not yet");
	dt_observe(&dt, n3, n2);
	EXPECT(!dt_stable(&dt, n3), "the node below must be as sure");
	dt_observe(&dt, n2, n1);
	EXPECT(dt_stable(&dt, n3), "32 targets agree all the way down");
	dt_observe(&dt, n3, n1); /* not adjacent: ignored */
	EXPECT(dt_stable(&dt, n3), "a non-adjacent observation teaches nothing");
	/* an ECMP fork below: never stable again, and counted if stopped at */
	n3b = dt_node(&dt, &r3b, 2);
	dt.v[n3].stopped_at = 1;
	dt_observe(&dt, n3, n3b);
	EXPECT(!dt_stable(&dt, n3) && dt.v[n3].divergent, "two parents: divergent");
	EXPECT(dt.late_divergence == 1, "late divergence counted");
	for (int i = 0; i < 100; i++)
		dt_observe(&dt, n3, n2);
	EXPECT(!dt_stable(&dt, n3), "divergent for good");
	/* silent hops are nodes keyed by the hop above them */
	s = dt_silent(&dt, n3, 2);
	EXPECT(s != DT_NONE && dt_silent(&dt, n3, 2) == s && dt.v[s].silent, "silent node");
	EXPECT(dt_silent(&dt, DT_NONE, 2) == DT_NONE, "no silent node without a hop above");
	EXPECT(dt_silent(&dt, n2, 2) != s, "silent nodes under different hops differ");
	for (__u32 i = 0; i < 64000; i++)
		rechecks += dt_rechecks(&dt, i);
	EXPECT(rechecks > 700 && rechecks < 1300, "one target in 64 rechecks: %u of 64000", rechecks);
	/* many nodes: the index grows and still finds them */
	{
		int bad = 0;

		for (int i = 0; i < 5000; i++) {
			struct in6_addr a = v4("198.18.0.0");

			a.s6_addr[14] = (__u8)(i >> 8);
			a.s6_addr[15] = (__u8)i;
			if (dt_node(&dt, &a, 7) != dt_node(&dt, &a, 7))
				bad++;
		}
		EXPECT(!bad && dt.n > 5000, "5000 more nodes: %d unstable ids", bad);
	}
	dt_free(&dt);
}

/* ---- the plan, driven answer by answer ---------------------------------- */

struct plan_env {
	struct scan sc;
	struct scan_cfg o;
	struct session s;
	FILE *out;
	struct in6_addr addrs[8];
	char *json;
	size_t json_len;
};

static void env_init(struct plan_env *e, int no_doubletree)
{
	memset(e, 0, sizeof(*e));
	e->o.max_ttl = 32;
	e->o.split_ttl = 16;
	e->o.gap_limit = 5;
	e->o.wait_s = 1;
	e->o.no_doubletree = no_doubletree;
	e->sc.c = &e->o;
	for (int i = 0; i < 8; i++) {
		e->addrs[i] = v4("198.19.0.0");
		e->addrs[i].s6_addr[15] = (__u8)(i + 1);
	}
	e->s.src[0] = v4("198.18.1.1");
	e->s.base[0].size = 60;
	e->sc.targets.v = malloc(sizeof(e->addrs));
	memcpy(e->sc.targets.v, e->addrs, sizeof(e->addrs));
	e->sc.window = 8;
	scan_init(&e->sc, &e->s);
	e->out = open_memstream(&e->json, &e->json_len);
}

static void env_free(struct plan_env *e)
{
	fclose(e->out);
	free(e->json);
	scan_free(&e->sc);
}

static __u32 start(struct plan_env *e, int idx)
{
	__u32 s = scan_table_admit(&e->sc.tab, idx);

	e->sc.tab.slots[s].next_ttl[DIR_BACK] = FIRST_TTL_PENDING;
	return s;
}

/* What the engine does when the target's probe of dir leaves: its TTL */
static int take(struct plan_env *e, __u32 s, int dir)
{
	return scan_take_probe(&e->sc, s, dir);
}

static struct hop_reply reply(const char *from, int kind, int code, int reply_ttl)
{
	struct hop_reply r = { .from = v4(from), .kind = (__u8)kind, .reply_ttl = (__u8)reply_ttl };

	r.icmp_type = kind == XHOP_EV_TTL ? 11 : kind == XHOP_EV_ECHO ? 0 : 3;
	r.icmp_code = (__u8)code;
	r.verdict = kind == XHOP_EV_ECHO ? VERDICT_REACHED :
		    kind == XHOP_EV_UNREACH ? VERDICT_UNREACH : VERDICT_HOP;
	return r;
}

/* What the engine does after each event: the finished records to a sink */
static void drain(struct plan_env *e)
{
	struct planner p = scan_planner(&e->sc);
	struct record rec;

	while (p.ops->take(p.st, &rec)) {
		trace_json_write(e->out, rec.trace, NULL);
		fputc('\n', e->out);
	}
}

static void answer(struct plan_env *e, __u32 s, int dir, int ttl, struct hop_reply r)
{
	scan_answer(&e->sc, s, dir, &r, ttl);
	drain(e);
}

static void silence(struct plan_env *e, __u32 s, int dir, int ttl)
{
	scan_timeout(&e->sc, s, dir, ttl);
	drain(e);
}

static const char *json_of(struct plan_env *e)
{
	fflush(e->out);
	return e->json ? e->json : "";
}

static void test_plan_reached(void)
{
	struct plan_env e;
	struct scan_target *t;
	__u32 s;
	int ttl;

	env_init(&e, 1);
	s = start(&e, 0);
	t = &e.sc.tab.slots[s];
	ttl = take(&e, s, DIR_BACK);
	EXPECT(ttl == 16, "first probe at --split-ttl: %d", ttl);
	EXPECT(scan_probe_ttl(t->out_id[DIR_BACK]) == 16 && t->out_id[DIR_BACK], "the id holds the TTL");
	/* the destination answers from 5 hops away (64 - 60 + 1) */
	answer(&e, s, DIR_BACK, 16, reply("198.19.0.1", XHOP_EV_ECHO, 0, 60));
	EXPECT(t->next_ttl[DIR_BACK] == 5, "backward jumps to the distance: %d", t->next_ttl[DIR_BACK]);
	EXPECT(t->next_ttl[DIR_FWD] == 0, "nothing forward of the destination");
	EXPECT(e.sc.dist_n == 1 && e.sc.dist_hist[5] == 1, "the distance is learnt");
	EXPECT(take(&e, s, DIR_BACK) == 5, "probe at 5");
	answer(&e, s, DIR_BACK, 5, reply("198.19.0.1", XHOP_EV_ECHO, 0, 60));
	EXPECT(t->dst_ttl == 5 && t->next_ttl[DIR_BACK] == 4, "destination at 5, on to 4");
	EXPECT(take(&e, s, DIR_BACK) == 4, "probe at 4");
	answer(&e, s, DIR_BACK, 4, reply("198.18.5.2", XHOP_EV_TTL, 0, 61));
	EXPECT(t->next_ttl[DIR_FWD] == 0, "5 was probed: no forward");
	for (ttl = 3; ttl >= 1; ttl--) {
		EXPECT(take(&e, s, DIR_BACK) == ttl, "probe at %d", ttl);
		silence(&e, s, DIR_BACK, ttl);
	}
	EXPECT(t->state == TARGET_FREE, "finished and freed");
	EXPECT(strstr(json_of(&e), "\"dst\":\"198.19.0.1\"") &&
	       strstr(json_of(&e), "\"stop_reason\":\"COMPLETED\"") &&
	       strstr(json_of(&e), "\"hop_count\":5,") && strstr(json_of(&e), "\"probe_count\":6,"),
	       "trace written: %s", json_of(&e));
	EXPECT(!strstr(json_of(&e), "\"probe_ttl\":16"), "the answer at 16 is past the end: dropped");
	EXPECT(strstr(json_of(&e), "\"firsthop\":1,") != NULL, "firsthop is the lowest TTL probed");
	env_free(&e);
}

/* Target i after 16 destinations told distance 5: its first probe goes there */
static __u32 start_told_5(struct plan_env *e, int i)
{
	e->sc.dist_hist[5] = 16;
	e->sc.dist_n = 16;
	return start(e, i);
}

static void test_plan_gap(void)
{
	struct plan_env e;
	struct scan_target *t;
	__u32 s;

	env_init(&e, 1);
	s = start_told_5(&e, 1);
	t = &e.sc.tab.slots[s];
	EXPECT(take(&e, s, DIR_BACK) == 5, "first probe at the median distance");
	answer(&e, s, DIR_BACK, 5, reply("198.18.5.2", XHOP_EV_TTL, 0, 60));
	EXPECT(t->next_ttl[DIR_FWD] == 6 && t->next_ttl[DIR_BACK] == 4, "a router at 5: both ways");
	for (int ttl = 6; ttl <= 10; ttl++) {
		EXPECT(take(&e, s, DIR_FWD) == ttl, "forward %d", ttl);
		silence(&e, s, DIR_FWD, ttl);
	}
	EXPECT(t->next_ttl[DIR_FWD] == 0 && t->stop_reason == STOP_GAPLIMIT, "gap limit after 5");
	for (int ttl = 4; ttl >= 1; ttl--) {
		EXPECT(take(&e, s, DIR_BACK) == ttl, "backward %d", ttl);
		answer(&e, s, DIR_BACK, ttl, reply("198.18.1.2", XHOP_EV_TTL, 0, 64));
	}
	EXPECT(t->state == TARGET_FREE && strstr(json_of(&e), "\"stop_reason\":\"GAPLIMIT\""),
	       "written as GAPLIMIT: %s", json_of(&e));
	env_free(&e);
}

static void test_plan_unreach(void)
{
	struct plan_env e;
	struct scan_target *t;
	__u32 s;

	env_init(&e, 1);
	s = start(&e, 2);
	t = &e.sc.tab.slots[s];
	EXPECT(take(&e, s, DIR_BACK) == 16, "first at 16");
	/* a router 4 hops away answers host unreachable */
	answer(&e, s, DIR_BACK, 16, reply("198.18.5.2", XHOP_EV_UNREACH, 1, 61));
	EXPECT(t->next_ttl[DIR_BACK] == 4 && t->end_ttl == 16, "jump to the router's distance");
	EXPECT(take(&e, s, DIR_BACK) == 4, "probe at 4");
	answer(&e, s, DIR_BACK, 4, reply("198.18.5.2", XHOP_EV_UNREACH, 1, 61));
	EXPECT(t->end_ttl == 4 && t->next_ttl[DIR_FWD] == 0, "the trace ends at 4");
	for (int ttl = 3; ttl >= 1; ttl--) {
		take(&e, s, DIR_BACK);
		answer(&e, s, DIR_BACK, ttl, reply("198.18.1.2", XHOP_EV_TTL, 0, 64));
	}
	EXPECT(strstr(json_of(&e), "\"stop_reason\":\"UNREACH\",\"stop_data\":1") &&
	       strstr(json_of(&e), "\"hop_count\":4,"), "UNREACH, code 1: %s", json_of(&e));
	env_free(&e);
}

/* A jump that lands short: the destination is beyond the TTL jumped to */
static void test_plan_short_jump(void)
{
	struct plan_env e;
	struct scan_target *t;
	__u32 s;

	env_init(&e, 1);
	s = start(&e, 3);
	t = &e.sc.tab.slots[s];
	take(&e, s, DIR_BACK);
	/* the reply says 4 hops, but the way out is longer than the way back */
	answer(&e, s, DIR_BACK, 16, reply("198.19.0.4", XHOP_EV_ECHO, 0, 61));
	EXPECT(take(&e, s, DIR_BACK) == 4, "jump to 4");
	answer(&e, s, DIR_BACK, 4, reply("198.18.5.2", XHOP_EV_TTL, 0, 61));
	EXPECT(t->next_ttl[DIR_FWD] == 5, "forward reopens above the router: %d", t->next_ttl[DIR_FWD]);
	EXPECT(take(&e, s, DIR_FWD) == 5, "forward 5");
	answer(&e, s, DIR_FWD, 5, reply("198.18.7.2", XHOP_EV_TTL, 0, 60));
	EXPECT(take(&e, s, DIR_FWD) == 6, "forward 6");
	answer(&e, s, DIR_FWD, 6, reply("198.19.0.4", XHOP_EV_ECHO, 0, 61));
	EXPECT(t->dst_ttl == 6 && t->end_ttl == 6 && t->next_ttl[DIR_FWD] == 0,
	       "destination found at 6: %d", t->dst_ttl);
	env_free(&e);
}

/* Doubletree: once 32 targets agree below r3, the next one stops there */
static void test_plan_doubletree(void)
{
	struct plan_env e;
	struct scan_target *t;
	__u32 s;
	const char *path[] = { "198.18.1.2", "198.18.2.2", "198.18.3.2", "198.18.5.2" };

	env_init(&e, 0);
	for (int k = 0; k < 40; k++) {
		/* not one of the 1 in 64 that recheck */
		if (dt_rechecks(&e.sc.dt, k % 8))
			continue;
		s = start(&e, k % 8);
		t = &e.sc.tab.slots[s];
		take(&e, s, DIR_BACK);
		answer(&e, s, DIR_BACK, 16, reply("198.19.0.9", XHOP_EV_ECHO, 0, 60));
		while (t->state == TARGET_ACTIVE && t->next_ttl[DIR_BACK]) {
			int ttl = take(&e, s, DIR_BACK);

			answer(&e, s, DIR_BACK, ttl,
			       ttl == 5 ? reply("198.19.0.9", XHOP_EV_ECHO, 0, 60) :
					  reply(path[ttl - 1], XHOP_EV_TTL, 0, 65 - ttl));
		}
		if (t->state == TARGET_ACTIVE)
			scan_table_release(&e.sc.tab, s);
	}
	EXPECT(e.sc.dt.stops > 0, "later targets stop: %llu stops", (unsigned long long)e.sc.dt.stops);
	EXPECT(strstr(json_of(&e), "\"doubletree\":{\"stop_ttl\":4,\"stop_addr\":\"198.18.5.2\"}") &&
	       strstr(json_of(&e), "\"inferred_hops\":[{\"addr\":\"198.18.3.2\",\"probe_ttl\":3},"
				   "{\"addr\":\"198.18.2.2\",\"probe_ttl\":2},"
				   "{\"addr\":\"198.18.1.2\",\"probe_ttl\":1}]"),
	       "stopped at 4, the three below inferred: %.400s", strrchr(json_of(&e), '{') ?: "");
	env_free(&e);
}

#define SCAN_ARGV(...) ((char *[]){ "scan", __VA_ARGS__, NULL })
#define SCAN_ARGC(...) ((int)(sizeof((char *[]){ "scan", __VA_ARGS__ }) / sizeof(char *)))
#define SCAN_PARSE(o, ...) cli_parse_scan(SCAN_ARGC(__VA_ARGS__), SCAN_ARGV(__VA_ARGS__), o)

/*
 * A probe that could not leave is no silent hop: the target stops there,
 * keeps what it measured, and its trace says ERROR (not GAPLIMIT, not a
 * row of stars), while the probe is taken back from what was probed
 */
static void test_plan_send_failed(void)
{
	struct plan_env e;
	struct scan_target *t;
	__u32 s;

	env_init(&e, 1);
	s = start_told_5(&e, 2);
	t = &e.sc.tab.slots[s];
	EXPECT(take(&e, s, DIR_BACK) == 5, "first probe at 5");
	answer(&e, s, DIR_BACK, 5, reply("198.18.5.2", XHOP_EV_TTL, 0, 60));
	EXPECT(take(&e, s, DIR_FWD) == 6, "forward 6");
	scan_send_failed(&e.sc, s, DIR_FWD, 6);
	drain(&e);
	EXPECT(!scan_probed(t, 6), "the failed TTL counts as unprobed");
	EXPECT(t->next_ttl[DIR_FWD] == 0 && t->next_ttl[DIR_BACK] == 0 && !t->out_id[DIR_FWD],
	       "the target probes nothing more");
	EXPECT(e.sc.outstanding == 0, "nothing outstanding: %llu",
	       (unsigned long long)e.sc.outstanding);
	EXPECT(t->state == TARGET_FREE, "finished and freed");
	EXPECT(strstr(json_of(&e), "\"stop_reason\":\"ERROR\"") &&
	       strstr(json_of(&e), "\"probe_ttl\":5") && !strstr(json_of(&e), "\"probe_ttl\":6"),
	       "written as ERROR with the hop it measured: %s", json_of(&e));
	env_free(&e);
}

static void test_cli(void)
{
	int devnull = open("/dev/null", O_WRONLY), saved = dup(2);
	struct scan_opts o;

	EXPECT(SCAN_PARSE(&o, "198.18.0.0/15") == -1, "a prefix runs");
	EXPECT(o.plan.rate == SCAN_DEFAULT_RATE && o.plan.max_ttl == 32 && o.plan.gap_limit == 5 &&
	       o.plan.split_ttl == 16 && o.plan.wait_s == 1.0 && o.plan.shards == 1 && o.plan.method == METHOD_ICMP &&
	       o.plan.nargs == 1 && !o.plan.every_address && o.sender == SENDER_AUTO, "defaults");
	EXPECT(SCAN_PARSE(&o, "--rate", "100000", "a", "--shard", "2/4", "--seed=7", "-U", "b",
			  "--max-ttl", "12", "--gap-limit", "3", "--every-address", "--no-doubletree",
			  "--sender", "raw", "-w", "0.5") == -1, "options and operands mixed");
	EXPECT(o.plan.rate == 100000 && o.plan.shard == 2 && o.plan.shards == 4 && o.plan.seed == 7 && o.plan.seed_set &&
	       o.plan.method == METHOD_UDP && o.plan.nargs == 2 && o.plan.max_ttl == 12 && o.plan.split_ttl == 12 &&
	       o.plan.gap_limit == 3 && o.plan.every_address && o.plan.no_doubletree && o.sender == SENDER_RAW &&
	       o.plan.wait_s == 0.5, "values");
	dup2(devnull, 2);
	EXPECT(SCAN_PARSE(&o, "--rate", "0", "a") == 2, "rate 0");
	EXPECT(SCAN_PARSE(&o, "--shard", "4/4", "a") == 2, "shard I >= N");
	EXPECT(SCAN_PARSE(&o, "--shard", "1-4", "a") == 2, "shard without /");
	EXPECT(SCAN_PARSE(&o, "--max-ttl", "33", "a") == 2, "max-ttl beyond 32");
	EXPECT(SCAN_PARSE(&o, "--method", "sctp", "a") == 2, "unknown method");
	EXPECT(SCAN_PARSE(&o, "--sender", "fast", "a") == 2, "unknown sender");
	for (int k = SENDER_AUTO; k < SENDER_KINDS; k++) {
		char n[16];

		snprintf(n, sizeof(n), "%s", sender_kind_name(k));
		EXPECT(SCAN_PARSE(&o, "--sender", n, "a") == -1 && o.sender == k, "--sender %s", n);
	}
	EXPECT(SCAN_PARSE(&o, "--seed", "-1", "a") == 2, "negative seed");
	EXPECT(SCAN_PARSE(&o, "--rate") == 2, "missing value");
	EXPECT(SCAN_PARSE(&o, "--no-such-option", "a") == 2, "unknown option");
	EXPECT(cli_parse_scan(1, SCAN_ARGV(NULL), &o) == 2, "no targets");
	dup2(saved, 2);
	close(devnull);
	close(saved);
}

int main(void)
{
	test_cli();
	test_fifo();
	test_window();
	test_hops();
	test_hops_grow();
	test_doubletree();
	test_plan_reached();
	test_plan_gap();
	test_plan_unreach();
	test_plan_short_jump();
	test_plan_doubletree();
	test_plan_send_failed();
	return TEST_SUMMARY();
}
