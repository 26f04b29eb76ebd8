// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <time.h>
#include "core/sink.h"
#include "core/units.h"
#include "plan/monitor_plan.h"

/* how finely a cycle's probes are spread in time */
#define SEND_GRAIN_NS NS_PER_MS

/* monitor.c confirms a change: kept for take() */
static void on_change(void *ctx, struct monitor *m, __u32 ti, const struct pc_event *ev)
{
	struct monitor_plan *p = ctx;
	struct change_rec c = { .ev = *ev, .target = m->t[ti].name, .dst = m->t[ti].dst };

	clock_gettime(CLOCK_REALTIME, &c.when);
	fifo_push(&p->changes, &c); /* out of memory: the event is lost, not the run */
}

int monitor_plan_init(struct monitor_plan *p, long cycles)
{
	p->cycles = cycles;
	p->m.on_change = on_change;
	p->m.ctx = p;
	return fifo_init(&p->changes, sizeof(struct change_rec));
}

void monitor_plan_free(struct monitor_plan *p)
{
	fifo_free(&p->changes);
}

static int cycles_left(const struct monitor_plan *p)
{
	return !p->cycles || p->m.cycle < (__u32)p->cycles;
}

static void maybe_begin_cycle(struct monitor_plan *p, __u64 now)
{
	struct monitor *m = &p->m;

	if (p->paused || m->plan_next < m->plan_n || !cycles_left(p) || now < p->next_cycle_ns)
		return;
	if (m->cycle && now >= p->next_cycle_ns + m->cfg.interval_ns)
		m->behind++; /* a whole interval late: sending fell behind */
	if (!m->cycle)
		p->next_cycle_ns = now;
	monitor_cycle_begin(m, now);
	/* keep the schedule, unless it slipped by a whole interval */
	p->next_cycle_ns += m->cfg.interval_ns;
	if (p->next_cycle_ns <= now)
		p->next_cycle_ns = now + m->cfg.interval_ns;
}

/* Every probe of the cycle's plan that is due by now: spread evenly */
static int next(void *st, struct plan_probe *out, int max, __u64 now)
{
	struct monitor_plan *p = st;
	struct monitor *m = &p->m;
	__u64 spread = m->cfg.spread_ns, due;
	int n = 0;

	if (p->stopped)
		return 0;
	maybe_begin_cycle(p, now);
	if (m->plan_next >= m->plan_n)
		return 0;
	due = now <= m->cycle_start_ns ? 1
	      : spread ? (now - m->cycle_start_ns) * m->plan_n / spread + 1 : m->plan_n;
	if (due > m->plan_n)
		due = m->plan_n;
	while (m->plan_next < due && n < max) {
		const struct mon_plan_item *it = &m->plan[m->plan_next++];
		const struct mon_target *t = &m->t[it->target];

		/* whole, so every field a sender reads is set: flow 0, the run's */
		out[n].p = (struct send_probe){ .dst = t->dst,
						.probe_id = mon_probe_id(m->cycle, it->ttl),
						.ttl = it->ttl };
		out[n].target = it->target;
		out[n].gen = 0;
		out[n].sub = 0;
		out[n].fam = t->family == 6;
		n++;
	}
	return n;
}

static int sent(void *st, const struct plan_probe *pp, const struct send_result *r, __u64 left)
{
	struct monitor_plan *p = st;
	struct mon_plan_item it = { .target = pp->target, .ttl = pp->p.ttl };

	monitor_probe_sent(&p->m, &it, left, !r->err, r->err ? 0 : r->tx_ns);
	return 0;
}

static int match(void *st, __u32 target, __u16 id, struct probe_ref *ref)
{
	struct monitor_plan *p = st;
	const struct mon_slot *s = monitor_slot(&p->m, target, id);

	if (!s)
		return MATCH_NONE;
	ref->target = target;
	ref->probe = id;
	ref->tx_ns = s->tx_ns;
	ref->queued = 0;
	return MATCH_PROBE;
}

static void stamp(void *st, const struct probe_ref *ref, __u64 tx_ns)
{
	struct monitor_plan *p = st;

	monitor_stamp(&p->m, ref->target, (__u16)ref->probe, tx_ns);
}

static int answer(void *st, const struct probe_ref *ref, const struct hop_reply *r)
{
	struct monitor_plan *p = st;

	return monitor_answer(&p->m, ref->target, (__u16)ref->probe, r);
}

static void timeout(void *st, const struct plan_probe *pp)
{
	struct monitor_plan *p = st;

	monitor_timeout(&p->m, pp->target, pp->p.probe_id);
}

/* The earliest of: the next send of the plan, the next cycle */
static __u64 wake_at(void *st, __u64 now)
{
	struct monitor_plan *p = st;
	const struct monitor *m = &p->m;
	__u64 wake = 0;

	(void)now;
	if (p->stopped)
		return 0;
	if (m->plan_next < m->plan_n) {
		/* the next probe's turn, on a 1 ms grain: the probes due
		 * within a millisecond leave together, one wake-up and one
		 * send call for them (5,000 probes a second woke the loop
		 * 5,000 times); none leaves before its turn
		 */
		wake = m->cfg.spread_ns * m->plan_next / m->plan_n;
		wake = m->cycle_start_ns + (wake + SEND_GRAIN_NS - 1) / SEND_GRAIN_NS * SEND_GRAIN_NS;
	} else if (!p->paused && cycles_left(p))
		wake = p->next_cycle_ns;
	return wake;
}

static int done(void *st)
{
	const struct monitor_plan *p = st;
	const struct monitor *m = &p->m;

	/* --cycles done, every probe settled */
	return !cycles_left(p) && m->plan_next >= m->plan_n && !monitor_in_flight(m);
}

static int take(void *st, struct record *rec)
{
	struct monitor_plan *p = st;
	struct change_rec *c = fifo_peek(&p->changes);

	if (!c)
		return 0;
	p->out = *c;
	fifo_pop(&p->changes);
	rec->kind = REC_CHANGE;
	rec->change = p->out;
	return 1;
}

static void stop(void *st, int cut)
{
	struct monitor_plan *p = st;

	(void)cut;
	p->stopped = 1;
}

static __u64 outstanding(void *st)
{
	return monitor_in_flight(&((struct monitor_plan *)st)->m);
}

/* The live view's keys: pause and resume, reset its statistics */
static void control(void *st, int action, __u64 now)
{
	struct monitor_plan *p = st;

	if (action == SINK_PAUSE) {
		p->paused = !p->paused;
		if (!p->paused && p->next_cycle_ns < now)
			p->next_cycle_ns = now;
	} else if (action == SINK_RESET) {
		monitor_reset_stats(&p->m);
	}
}

static const struct planner_ops monitor_ops = {
	.name = "monitor",
	.next = next,
	.sent = sent,
	.match = match,
	.stamp = stamp,
	.answer = answer,
	.timeout = timeout,
	.wake_at = wake_at,
	.done = done,
	.take = take,
	.stop = stop,
	.outstanding = outstanding,
	.control = control,
};

struct planner monitor_planner(struct monitor_plan *p)
{
	return (struct planner){ .ops = &monitor_ops, .st = p };
}
