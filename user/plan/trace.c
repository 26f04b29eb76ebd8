// SPDX-License-Identifier: GPL-2.0
/*
 * The trace planner. TCP probes go one at a time unless -N says
 * otherwise (the command decides sim_queries): all of them share one
 * 4-tuple (Paris), and a SYN that reaches the target while an earlier
 * one's half-open connection is still there is answered with a bare ACK
 * for the old one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/log.h"
#include "core/units.h"
#include "core/session.h"
#include "plan/trace.h"

static const struct in6_addr *key_of(const void *ctx, __u32 v)
{
	const struct trace_plan *t = ctx;

	(void)v;
	return &t->c.dst;
}

int trace_plan_init(struct trace_plan *t, const struct trace_plan_cfg *c)
{
	int n = (c->max_ttl - c->first_ttl + 1) * c->queries, err;

	memset(t, 0, sizeof(*t));
	t->c = *c;
	if (c->queries > RECORD_QUERIES_MAX)
		return -EINVAL;
	err = path_init(&t->path, &c->dst, c->family, probe_method_proto(c->family, c->method),
			c->first_ttl, c->max_ttl, c->queries);
	if (err) {
		log_err("xhop: path table: %s\n", strerror(-err));
		return err;
	}
	t->hops = calloc((size_t)n, sizeof(*t->hops));
	if (!t->hops || addrmap_init(&t->map, 1, key_of, t, 0) || addrmap_put(&t->map, 0) < 0) {
		log_err("xhop: out of memory\n");
		trace_plan_free(t);
		return -ENOMEM;
	}
	t->next_ttl = c->first_ttl;
	return 0;
}

void trace_plan_free(struct trace_plan *t)
{
	path_free(&t->path);
	addrmap_free(&t->map);
	free(t->hops);
	t->hops = NULL;
}

static int in_flight(const struct path *p)
{
	int n = (p->max_ttl - p->first_ttl + 1) * p->queries, c = 0;

	for (int i = 0; i < n; i++)
		c += p->probes[i].state == PROBE_SENT;
	return c;
}

static int next(void *st, struct plan_probe *out, int max, __u64 now)
{
	struct trace_plan *t = st;
	struct path *p = &t->path;
	int room = t->c.sim_queries - in_flight(p), n = 0;

	(void)now;
	while (n < max && room > 0 && t->next_ttl <= p->max_ttl && !t->stopped && !t->send_err) {
		struct hop_probe *pr;

		/* nothing beyond a TTL that already ended the trace */
		if (p->final_ttl && t->next_ttl > p->final_ttl)
			break;
		pr = path_probe(p, t->next_ttl, t->next_attempt);
		/* SENT now: its tc stamp may be read before the send returns */
		pr->state = PROBE_SENT;
		/* whole, so every field a sender reads is set: flow 0, the run's */
		out[n].p = (struct send_probe){ .dst = t->c.dst, .probe_id = pr->probe_id,
						.ttl = pr->ttl };
		out[n].target = 0;
		out[n].gen = 0;
		out[n].sub = 0;
		out[n].fam = t->c.family == 6;
		n++;
		room--;
		if (++t->next_attempt == p->queries) {
			t->next_attempt = 0;
			t->next_ttl++;
		}
	}
	return n;
}

static int sent(void *st, const struct plan_probe *pp, const struct send_result *r, __u64 left)
{
	struct trace_plan *t = st;
	struct hop_probe *pr = path_probe_by_id(&t->path, pp->p.probe_id);

	(void)left;
	if (!pr)
		return 0;
	if (r->err) {
		/* a probe that did not leave measures nothing: never shown as a
		 * silent hop; the trace stops (ERROR) with what it measured
		 */
		pr->state = PROBE_UNSENT;
		t->send_err = r->err;
		return r->err;
	}
	if (r->tx_ns && !pr->tx_ns)
		pr->tx_ns = r->tx_ns; /* senders that skip tc egress give it back */
	t->probes_sent++;
	return 0;
}

static int match(void *st, __u32 target, __u16 id, struct probe_ref *ref)
{
	struct trace_plan *t = st;
	struct hop_probe *pr = path_probe_by_id(&t->path, id);

	if (!pr || pr->state == PROBE_UNSENT)
		return MATCH_NONE;
	ref->target = target;
	ref->probe = id;
	ref->tx_ns = pr->tx_ns;
	ref->queued = 0;
	return MATCH_PROBE;
}

static void stamp(void *st, const struct probe_ref *ref, __u64 tx_ns)
{
	struct trace_plan *t = st;

	path_stamp(path_probe_by_id(&t->path, (__u16)ref->probe), tx_ns);
}

static int answer(void *st, const struct probe_ref *ref, const struct hop_reply *r)
{
	struct trace_plan *t = st;

	return path_answer(&t->path, path_probe_by_id(&t->path, (__u16)ref->probe), r) != 0;
}

static void timeout(void *st, const struct plan_probe *pp)
{
	struct trace_plan *t = st;
	struct hop_probe *pr = path_probe_by_id(&t->path, pp->p.probe_id);

	if (pr && pr->state == PROBE_SENT)
		pr->state = PROBE_LOST;
}

static __u64 wake_at(void *st, __u64 now)
{
	(void)st;
	(void)now;
	return 0; /* sends wait for room, not for a time */
}

/* The TTL the next record is of, 0 when no more are due */
static int next_ttl_rec(const struct trace_plan *t)
{
	const struct path *p = &t->path;
	int ttl = t->taken_ttl ? t->taken_ttl + 1 : p->first_ttl;

	if (ttl > p->max_ttl || (t->taken_ttl && p->final_ttl && t->taken_ttl >= p->final_ttl))
		return 0;
	if (t->stopped)
		return ttl <= t->partial_last ? ttl : 0;
	return path_hop_settled((struct path *)p, ttl) ? ttl : 0;
}

static int done(void *st)
{
	const struct trace_plan *t = st;
	const struct path *p = &t->path;

	return t->send_err || t->taken_ttl >= p->max_ttl ||
	       (p->final_ttl && t->taken_ttl >= p->final_ttl);
}

/* Why the trace stopped, from its final TTL */
static void finish_reason(struct trace_plan *t, struct trace_head *h)
{
	const struct path *p = &t->path;

	h->stop_reason = t->send_err ? STOP_ERROR : t->cut ? STOP_INTERRUPTED : STOP_HOPLIMIT;
	if (t->send_err || t->cut || !p->final_ttl || t->taken_ttl < p->final_ttl)
		return;
	for (int q = 0; q < p->queries; q++) {
		const struct hop_probe *pr = path_probe((struct path *)p, p->final_ttl, q);

		if (pr->state != PROBE_ANSWERED)
			continue;
		if (pr->reply.verdict == VERDICT_REACHED) {
			h->stop_reason = STOP_COMPLETED;
			return;
		}
		if (pr->reply.verdict == VERDICT_UNREACH) {
			h->stop_reason = STOP_UNREACH;
			h->stop_data = pr->reply.icmp_code;
		}
	}
}

static void fill_trace(struct trace_plan *t)
{
	const struct session *s = t->c.s;
	struct trace_head *h = &t->rec.h;
	struct path *p = &t->path;

	memset(&t->rec, 0, sizeof(t->rec));
	h->host_name = t->c.host_name;
	h->src = s->src[t->c.family == 6];
	h->dst = t->c.dst;
	h->family = t->c.family;
	h->method = t->c.method;
	h->sport = s->sport;
	h->dport = s->dport;
	h->icmp_sum = s->icmp_sum;
	finish_reason(t, h);
	h->start = s->start;
	h->hop_count = t->taken_ttl;
	h->attempts = p->queries;
	h->hoplimit = p->max_ttl;
	h->firsthop = p->first_ttl;
	h->wait_s = t->c.wait_s;
	h->tos = t->c.tos;
	h->probe_size = s->base[t->c.family == 6].size;
	h->probe_count = t->probes_sent;
	h->real_offset_ns = s->real_offset_ns;
	t->rec.hops = t->hops;
	t->rec.nhops = path_answered(p, t->taken_ttl, t->hops);
}

static int take(void *st, struct record *rec)
{
	struct trace_plan *t = st;
	int ttl = next_ttl_rec(t);

	if (ttl) {
		path_ttl_rec(&t->path, ttl, &t->ttl);
		t->taken_ttl = ttl;
		rec->kind = REC_TTL;
		rec->ttl = &t->ttl;
		return 1;
	}
	if (t->rec_ready && !t->rec_taken) {
		fill_trace(t);
		t->rec_taken = 1;
		rec->kind = REC_TRACE;
		rec->trace = &t->rec;
		return 1;
	}
	return 0;
}

/* The end: after a cut, every TTL up to the last that heard anything */
static void stop(void *st, int cut)
{
	struct trace_plan *t = st;
	struct path *p = &t->path;
	int last = 0;

	t->stopped = 1;
	t->rec_ready = 1;
	t->cut = cut && !t->send_err;
	if (!cut && !t->send_err) {
		t->partial_last = t->taken_ttl;
		return;
	}
	for (int ttl = p->first_ttl; ttl <= p->max_ttl; ttl++) {
		for (int q = 0; q < p->queries; q++) {
			struct hop_probe *pr = path_probe(p, ttl, q);

			if (pr->state == PROBE_SENT)
				pr->state = PROBE_LOST; /* cut short: unanswered */
			if (pr->state == PROBE_ANSWERED)
				last = ttl;
		}
	}
	if (p->final_ttl && last > p->final_ttl)
		last = p->final_ttl;
	t->partial_last = last > t->taken_ttl ? last : t->taken_ttl;
}

static const struct planner_ops trace_ops = {
	.name = "trace",
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
};

struct planner trace_planner(struct trace_plan *t)
{
	return (struct planner){ .ops = &trace_ops, .st = t };
}
