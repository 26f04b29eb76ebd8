/* SPDX-License-Identifier: GPL-2.0 */
/* A simulated world for the monitor's unit tests: paths of routers that
 * answer synthetic BPF events, cycle by cycle.
 */
#ifndef XHOP_TEST_MONITOR_SIM_H
#define XHOP_TEST_MONITOR_SIM_H

#include <string.h>
#include <arpa/inet.h>
#include "plan/monitor.h"
#include "plan/path_table.h"
#include "xhop_proto.h"

#define MS 1000000ULL
#define SEC 1000000000ULL

static inline struct in6_addr v4(const char *s)
{
	struct in6_addr a = { 0 };

	a.s6_addr[10] = a.s6_addr[11] = 0xff;
	inet_pton(AF_INET, s, &a.s6_addr[12]);
	return a;
}

static inline struct in6_addr v4n(__u32 host_order)
{
	struct in6_addr a = { 0 };
	__u32 n = htonl(host_order);

	a.s6_addr[10] = a.s6_addr[11] = 0xff;
	memcpy(&a.s6_addr[12], &n, 4);
	return a;
}

static inline struct xhop_event ev_of(int kind, const struct in6_addr *dst, const struct in6_addr *from,
			       __u16 id, __u64 ts)
{
	struct xhop_event ev = { .kind = kind, .proto = XHOP_IPPROTO_ICMP, .probe_id = id,
				 .ts_ns = ts, .family = 4 };

	memcpy(ev.dst, dst, 16);
	memcpy(ev.from, from, 16);
	if (kind == XHOP_EV_TTL)
		ev.icmp_type = XHOP_ICMP_TIME_EXCEEDED;
	return ev;
}

static inline void cfg_init(struct mon_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->first_ttl = 1;
	c->max_ttl = 10;
	c->confirm = 2;
	c->max_unknown = 3;
	c->interval_ns = SEC;
	c->spread_ns = 900 * MS;
	c->wait_ns = 500 * MS;
	c->stale_ns = 60 * SEC;
	c->proto4 = XHOP_IPPROTO_ICMP;
	c->proto6 = XHOP_IPPROTO_ICMPV6;
}

/*
 * The world: each target's path, hop[ttl] answering Time Exceeded up to
 * its destination at TTL dist, which echoes. A hop of 0.0.0.0 is silent.
 */
struct world {
	struct in6_addr hop[16];
	int dist;
	int drop_ttl;  /* this TTL's answers are dropped ... */
	int drop_every; /* ... every Nth cycle (0: never) */
};

/* One whole cycle at t0: every planned probe sent, stamped, answered at
 * t0 + rtt(ttl) (or not), then expired; 1 if every target evaluated it
 */
static inline void run_cycle(struct monitor *m, struct world *w, __u64 t0)
{
	static const struct in6_addr silent;

	monitor_cycle_begin(m, t0);
	for (size_t i = 0; i < m->plan_n; i++) {
		const struct mon_plan_item *it = &m->plan[i];
		const struct mon_target *t = &m->t[it->target];
		struct world *tw = &w[it->target];
		__u16 id = mon_probe_id(m->cycle, it->ttl);
		__u64 tx = t0 + i * 1000;
		struct xhop_event ev;

		monitor_probe_sent(m, it, tx, 1, 0);
		ev = ev_of(XHOP_EV_TX, &t->dst, &t->dst, id, tx + 10);
		monitor_apply(m, &ev);
		if (tw->drop_every && it->ttl == tw->drop_ttl && m->cycle % tw->drop_every == 0)
			continue;
		if (it->ttl >= tw->dist)
			ev = ev_of(XHOP_EV_ECHO, &t->dst, &t->dst, id, tx + 10 + 20000 * it->ttl);
		else if (memcmp(&tw->hop[it->ttl], &silent, 16))
			ev = ev_of(XHOP_EV_TTL, &t->dst, &tw->hop[it->ttl], id,
				   tx + 10 + 20000 * it->ttl);
		else
			continue;
		monitor_apply(m, &ev);
	}
	/* the engine's part: every probe whose wait is over by the cycle's
	 * end is lost (engine/deadline.h keeps the deadlines)
	 */
	for (size_t i = 0; i < m->plan_n; i++)
		if (t0 + i * 1000 + m->cfg.wait_ns <= t0 + m->cfg.interval_ns - 1)
			monitor_timeout(m, m->plan[i].target,
					mon_probe_id(m->cycle, m->plan[i].ttl));
}

#endif
