// SPDX-License-Identifier: GPL-2.0
/*
 * The monitor's bookkeeping driven by synthetic BPF events: probe id
 * encoding, matching by (destination, id) over 1,000+ targets, late
 * answers kept out of later cycles, RTTs from the two kernel stamps only,
 * path changes through whole cycles, bounded responder series.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "xhop_test.h"
#include "engine/deadline.h"
#include "unit/monitor_sim.h"

static void test_probe_ids(void)
{
	int seen_zero = 0, seen_ffff = 0;

	for (__u32 c = 0; c < 3 * MON_CYCLE_MOD; c++) {
		for (int ttl = 1; ttl <= 255; ttl++) {
			__u16 id = mon_probe_id(c, ttl);

			seen_zero |= id == 0;
			seen_ffff |= id == PATH_WARMUP_ID;
			if (mon_probe_id_ttl(id) != ttl ||
			    mon_probe_id_cyc(id) != (int)(c % MON_CYCLE_MOD)) {
				EXPECT(0, "cycle %u ttl %d -> id %#x", c, ttl, id);
				return;
			}
		}
	}
	EXPECT(!seen_zero, "id 0 never used (raw sockets rewrite IPv4 ID 0)");
	EXPECT(!seen_ffff, "id 0xffff never used (the warm-up id)");
	EXPECT(mon_probe_id(1, 3) != mon_probe_id(2, 3), "cycles differ");
	EXPECT(mon_probe_id(1, 3) == mon_probe_id(1 + MON_CYCLE_MOD, 3), "cycle wraps at 255");
	EXPECT(mon_slots_for(SEC, 900 * MS, SEC) == 3, "slots for 1 s / 1 s wait: %d",
	       mon_slots_for(SEC, 900 * MS, SEC));
	EXPECT(mon_slots_for(10 * MS, 9 * MS, 60 * SEC) < 0, "too many slots refused");
}

static void test_match_many(void)
{
	struct monitor m;
	struct mon_cfg c;
	struct in6_addr a;
	int err = 0;

	cfg_init(&c);
	EXPECT(monitor_init(&m, &c) == 0, "init");
	for (__u32 i = 0; i < 5000; i++) {
		char name[32];

		a = v4n(0xc6130000 + i); /* 198.19.0.0 + i */
		snprintf(name, sizeof(name), "t%u", i);
		err |= monitor_add_target(&m, name, &a, 4);
	}
	EXPECT(err == 0, "5000 targets added");
	a = v4n(0xc6130000 + 17);
	EXPECT(monitor_add_target(&m, "dup", &a, 4) == -EEXIST, "duplicate refused");
	EXPECT(monitor_ready(&m) == 0, "ready");
	for (__u32 i = 0; i < 5000; i += 7) {
		a = v4n(0xc6130000 + i);
		if (monitor_find(&m, &a) != (long)i) {
			EXPECT(0, "target %u not found", i);
			break;
		}
	}
	a = v4("198.18.0.1");
	EXPECT(monitor_find(&m, &a) == -1, "a stranger is no target");
	EXPECT(monitor_add_target(&m, "late", &a, 4) == -EBUSY, "no adds after ready");
	monitor_free(&m);
}

static void test_cycle_and_rtt(void)
{
	struct in6_addr dst = v4("198.19.0.77"), r1 = v4("198.18.1.2");
	struct world w = { .dist = 3 };
	struct monitor m;
	struct mon_cfg c;
	struct xhop_event ev;
	const struct mon_hop *h;
	__u16 id;

	cfg_init(&c);
	monitor_init(&m, &c);
	monitor_add_target(&m, "d77", &dst, 4);
	monitor_ready(&m);
	w.hop[1] = r1;
	w.hop[2] = v4("198.18.2.2");
	/* discovery: at most max_unknown TTLs at first */
	EXPECT(monitor_cycle_begin(&m, 0) == 3, "first cycle probes TTL 1-3: %zu", m.plan_n);
	/* an answer before its probe is sent is nobody's */
	id = mon_probe_id(1, 1);
	ev = ev_of(XHOP_EV_TTL, &dst, &r1, id, 100);
	EXPECT(monitor_apply(&m, &ev) == 0, "unsent probe");
	monitor_probe_sent(&m, &m.plan[0], 1000, 1, 0);
	ev = ev_of(XHOP_EV_TX, &dst, &dst, id, 1000);
	EXPECT(monitor_apply(&m, &ev) == 1, "tx stamp");
	ev = ev_of(XHOP_EV_TTL, &dst, &r1, id, 21000);
	EXPECT(monitor_apply(&m, &ev) == 1, "answer");
	h = monitor_hop_c(&m, 0, 1);
	EXPECT(h->st.n == 1 && h->st.last == 20000, "rtt = rx - tx = 20000 ns: %f", h->st.last);
	EXPECT(monitor_apply(&m, &ev) == 0 && h->st.replies == 1, "duplicate ignored");
	/* wrong protocol, wrong destination */
	ev.proto = XHOP_IPPROTO_UDP;
	EXPECT(monitor_apply(&m, &ev) == 0, "other protocol");
	monitor_free(&m);

	monitor_init(&m, &c);
	monitor_add_target(&m, "d77", &dst, 4);
	monitor_ready(&m);
	for (int i = 0; i < 5; i++)
		run_cycle(&m, &w, i * SEC);
	h = monitor_hop_c(&m, 0, 2);
	EXPECT(h->st.sent == 5 && h->st.replies == 5 && h->st.lost == 0, "TTL 2: 5/5");
	EXPECT(h->st.best == 40000 && h->st.worst == 40000, "TTL 2 RTT 40 us: %f", h->st.best);
	EXPECT(m.t[0].end_ttl == 3 && m.t[0].reached && monitor_target_hops(&m.t[0]) == 3,
	       "reached at 3");
	EXPECT(m.t[0].limit == 3, "limit is the destination's TTL: %d", m.t[0].limit);
	EXPECT(monitor_cycles_done(&m) == 5, "5 cycles evaluated: %u", monitor_cycles_done(&m));
	EXPECT(m.log_n == 0, "no change while discovering: %llu", (unsigned long long)m.log_n);
	EXPECT(monitor_in_flight(&m) == 0, "nothing in flight");
	monitor_free(&m);
}

/*
 * A probe that could not be sent is no measurement: neither sent nor lost
 * in the hop's statistics, counted as a send error, its cycle judges no
 * path (a sender failing for a few cycles is no path change). A stamp the
 * sender gave back at once is the probe's send time: no tc event needed.
 */
static void test_unsent(void)
{
	struct in6_addr dst = v4("198.19.0.77"), r1 = v4("198.18.1.2");
	struct world w = { .dist = 3 };
	struct monitor m;
	struct mon_cfg c;
	struct xhop_event ev;
	const struct mon_hop *h;
	__u32 done;

	w.hop[1] = r1;
	w.hop[2] = v4("198.18.2.2");
	cfg_init(&c);
	c.confirm = 1;
	monitor_init(&m, &c);
	monitor_add_target(&m, "d77", &dst, 4);
	monitor_ready(&m);
	for (int i = 0; i < 3; i++)
		run_cycle(&m, &w, i * SEC);
	h = monitor_hop_c(&m, 0, 2);
	EXPECT(h->st.sent == 3 && h->st.lost == 0, "TTL 2: 3 sent, none lost");
	done = monitor_cycles_done(&m);
	/* a whole cycle whose probes cannot leave */
	monitor_cycle_begin(&m, 3 * SEC);
	for (size_t i = 0; i < m.plan_n; i++)
		monitor_probe_sent(&m, &m.plan[i], 3 * SEC, 0, 0);
	EXPECT(m.send_errors == m.plan_n && m.plan_n == 3, "send errors counted: %llu",
	       (unsigned long long)m.send_errors);
	EXPECT(h->st.sent == 3 && h->st.lost == 0, "TTL 2: not sent, not lost (%llu, %llu)",
	       (unsigned long long)h->st.sent, (unsigned long long)h->st.lost);
	EXPECT(monitor_in_flight(&m) == 0, "nothing in flight");
	EXPECT(monitor_cycles_done(&m) == done + 1, "the cycle is over: %u",
	       monitor_cycles_done(&m));
	EXPECT(m.log_n == 0 && m.t[0].end_ttl == 3 && m.t[0].reached,
	       "no path change from a cycle that sent nothing (%llu events)",
	       (unsigned long long)m.log_n);
	/* the sender's own stamp: the RTT without a tc egress event */
	monitor_cycle_begin(&m, 4 * SEC);
	monitor_probe_sent(&m, &m.plan[0], 4 * SEC, 1, 4 * SEC + 100);
	ev = ev_of(XHOP_EV_TTL, &dst, &r1, mon_probe_id(5, 1), 4 * SEC + 30100);
	EXPECT(monitor_apply(&m, &ev) == 1, "answered");
	h = monitor_hop_c(&m, 0, 1);
	EXPECT(h->st.last == 30000, "RTT from the sender's stamp: %f", h->st.last);
	monitor_free(&m);
}

/* A late answer names its own cycle: it is lost there, counted late,
 * and never enters the cycle in which it arrives
 */
static void test_late(void)
{
	struct in6_addr dst = v4("198.19.0.77"), r1 = v4("198.18.1.2");
	struct monitor m;
	struct mon_cfg c;
	struct xhop_event ev;
	const struct mon_hop *h;
	__u16 id1, id2;

	cfg_init(&c);
	c.max_unknown = 1; /* one probe per cycle */
	monitor_init(&m, &c);
	monitor_add_target(&m, "d77", &dst, 4);
	monitor_ready(&m);
	monitor_cycle_begin(&m, 0);
	monitor_probe_sent(&m, &m.plan[0], 0, 1, 0);
	id1 = mon_probe_id(1, 1);
	ev = ev_of(XHOP_EV_TX, &dst, &dst, id1, 10);
	monitor_apply(&m, &ev);
	{
		/* the engine's deadline of the probe, as engine.c keeps it */
		struct deadlines dl;
		struct plan_probe pp = { .target = 0, .p.probe_id = id1, .p.ttl = 1 }, due;

		deadlines_init(&dl, m.cfg.wait_ns);
		deadlines_push(&dl, &pp, 0);
		EXPECT(!deadlines_due(&dl, 499 * MS, &due), "not yet");
		EXPECT(deadlines_due(&dl, 500 * MS, &due) &&
		       monitor_timeout(&m, due.target, due.p.probe_id) == 1, "expired at the wait");
		deadlines_free(&dl);
	}
	monitor_cycle_begin(&m, SEC);
	monitor_probe_sent(&m, &m.plan[0], SEC, 1, 0);
	id2 = mon_probe_id(2, 1);
	ev = ev_of(XHOP_EV_TX, &dst, &dst, id2, SEC + 10);
	monitor_apply(&m, &ev);
	/* cycle 1's answer arrives during cycle 2 */
	ev = ev_of(XHOP_EV_TTL, &dst, &r1, id1, SEC + 50000);
	EXPECT(monitor_apply(&m, &ev) == 0, "late answer not applied");
	EXPECT(m.late == 1, "counted late: %llu", (unsigned long long)m.late);
	h = monitor_hop_c(&m, 0, 1);
	EXPECT(h->st.replies == 0 && h->st.lost == 1, "cycle 2 still waits; cycle 1 lost");
	/* an answer read in time whose stamps say it took longer than the wait */
	ev = ev_of(XHOP_EV_TTL, &dst, &r1, id2, SEC + 10 + 600 * MS);
	EXPECT(monitor_apply(&m, &ev) == 1 && m.late == 2, "stamps beyond the wait: late");
	EXPECT(h->st.replies == 0 && h->st.lost == 2, "and lost");
	monitor_free(&m);
}

/* The path of an ECMP target moves: one hop event, the right TTL, before
 * and after, after exactly confirm cycles; nothing for the other target
 */
static void test_path_change(void)
{
	struct in6_addr d1 = v4("198.19.0.1"), d2 = v4("198.19.0.2");
	struct in6_addr r3a = v4("198.18.3.2"), r3b = v4("198.18.4.2");
	struct world w[2];
	struct monitor m;
	struct mon_cfg c;
	__u64 t = 0;

	cfg_init(&c);
	monitor_init(&m, &c);
	monitor_add_target(&m, "d1", &d1, 4);
	monitor_add_target(&m, "d2", &d2, 4);
	monitor_ready(&m);
	memset(w, 0, sizeof(w));
	for (int i = 0; i < 2; i++) {
		w[i].dist = 5;
		w[i].hop[1] = v4("198.18.1.2");
		w[i].hop[2] = v4("198.18.2.2");
		w[i].hop[4] = v4("198.18.5.2");
	}
	w[0].hop[3] = r3b;
	w[1].hop[3] = r3a;
	for (int i = 0; i < 6; i++, t += SEC)
		run_cycle(&m, w, t);
	EXPECT(m.log_n == 0, "steady: no events (%llu)", (unsigned long long)m.log_n);
	/* one lost answer at TTL 3 and at the destination: still no event */
	w[0].drop_ttl = 3;
	w[0].drop_every = 7; /* cycle 7 */
	w[1].drop_ttl = 5;
	w[1].drop_every = 7;
	run_cycle(&m, w, t);
	t += SEC;
	EXPECT(m.log_n == 0, "one lost probe is no change (%llu)", (unsigned long long)m.log_n);
	EXPECT(monitor_hop_c(&m, 0, 3)->st.lost == 1, "but it is loss");
	w[0].drop_every = w[1].drop_every = 0;
	/* the route moves: d1 now goes through r3a */
	w[0].hop[3] = r3a;
	run_cycle(&m, w, t);
	t += SEC;
	EXPECT(m.log_n == 0, "one cycle is not yet a change");
	run_cycle(&m, w, t);
	t += SEC;
	EXPECT(m.log_n == 1, "confirmed after 2 cycles: %llu events", (unsigned long long)m.log_n);
	EXPECT(m.log[0].target == 0 && m.log[0].ev.kind == PC_HOP && m.log[0].ev.ttl == 3, "d1 TTL 3");
	EXPECT(!memcmp(&m.log[0].ev.before[0], &r3b, 16) && !memcmp(&m.log[0].ev.after[0], &r3a, 16),
	       "r3b -> r3a");
	EXPECT(m.t[0].changes[PC_HOP] == 1 && m.t[1].changes[PC_HOP] == 0, "per-target counters");
	for (int i = 0; i < 5; i++, t += SEC)
		run_cycle(&m, w, t);
	EXPECT(m.log_n == 1, "no more events");

	/* the path gets longer: hop count 5 -> 6, TTL 5 now a router */
	w[1].dist = 6;
	w[1].hop[5] = v4("198.18.8.2");
	for (int i = 0; i < 4; i++, t += SEC)
		run_cycle(&m, w, t);
	EXPECT(m.t[1].changes[PC_HOP_COUNT] == 1 && monitor_target_hops(&m.t[1]) == 6,
	       "hop count change: %llu, hops %d",
	       (unsigned long long)m.t[1].changes[PC_HOP_COUNT], monitor_target_hops(&m.t[1]));
	EXPECT(m.t[1].changes[PC_REACH] == 0, "the target never became unreachable: %llu",
	       (unsigned long long)m.t[1].changes[PC_REACH]);
	/* the destination goes silent: unreachable after 2 cycles */
	w[1].dist = 16;
	w[1].hop[6] = w[1].hop[7] = w[1].hop[8] = w[1].hop[9] = (struct in6_addr){ 0 };
	for (int i = 0; i < 3; i++, t += SEC)
		run_cycle(&m, w, t);
	EXPECT(m.t[1].changes[PC_REACH] == 1 && !monitor_target_reachable(&m.t[1]),
	       "unreachable: %llu", (unsigned long long)m.t[1].changes[PC_REACH]);
	EXPECT(m.t[0].changes[PC_REACH] == 0 && m.t[0].changes[PC_HOP_COUNT] == 0, "d1 untouched");
	monitor_free(&m);
}

/* At most MON_RESP_MAX responder series per TTL, least recently seen
 * evicted; unseen for stale_ns: dropped
 */
static void test_series_bound(void)
{
	struct in6_addr dst = v4("198.19.0.77");
	struct world w = { .dist = 3 };
	struct monitor m;
	struct mon_cfg c;
	const struct mon_resp *r[MON_RESP_MAX];
	__u64 t = 0;
	int n;

	cfg_init(&c);
	c.confirm = 1;
	monitor_init(&m, &c);
	monitor_add_target(&m, "d77", &dst, 4);
	monitor_ready(&m);
	w.hop[1] = v4("198.18.1.2");
	for (int i = 0; i < 20; i++, t += SEC) {
		w.hop[2] = v4n(0xc6120a00 + i); /* churn: a new responder each cycle */
		run_cycle(&m, &w, t);
	}
	n = monitor_hop_responders(monitor_hop_c(&m, 0, 2), r, MON_RESP_MAX);
	EXPECT(n == MON_RESP_MAX, "bounded: %d series", n);
	EXPECT(!memcmp(&r[0]->addr, &w.hop[2], 16), "most recent first");
	EXPECT(m.resp_evicted == 20 - MON_RESP_MAX, "evicted %llu",
	       (unsigned long long)m.resp_evicted);
	EXPECT(m.t[0].changes[PC_HOP] == 19, "each churn a change (confirm 1): %llu",
	       (unsigned long long)m.t[0].changes[PC_HOP]);
	/* 61 s later none of them answered: all dropped, the steady r1 too */
	monitor_drop_stale(&m, t + 61 * SEC);
	EXPECT(monitor_hop_responders(monitor_hop_c(&m, 0, 2), r, MON_RESP_MAX) == 0, "stale dropped");
	monitor_free(&m);
}

int main(void)
{
	test_probe_ids();
	test_match_many();
	test_cycle_and_rtt();
	test_late();
	test_unsent();
	test_path_change();
	test_series_bound();
	return TEST_SUMMARY();
}
