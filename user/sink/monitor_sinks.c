// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <unistd.h>
#include "core/units.h"
#include "net/addr.h"
#include "net/asn.h"
#include "net/resolve.h"
#include "sink/monitor_sinks.h"
#include "plan/monitor.h"

#define NAME_WAIT_NS (3 * NS_PER_S) /* names for the final report, at most */
#define VIEW_REFRESH_NS (250 * NS_PER_MS)

/* The run ended: ask for the name of every responder the report shows */
static void report_end(void *st, __u64 now)
{
	struct report_sink *r = st;
	const struct monitor *m = r->m;

	r->c->start = r->s->start;
	if (!r->c->res && !asn_on(r->c->asn))
		return;
	r->names_until = now + NAME_WAIT_NS;
	for (size_t i = 0; i < m->n; i++) {
		int last = mon_report_last_ttl(m, &m->t[i]);

		for (int ttl = m->cfg.first_ttl; ttl <= last; ttl++) {
			const struct mon_hop *h = monitor_hop_c(m, (__u32)i, ttl);

			for (int k = 0; k < MON_RESP_MAX; k++)
				if (h->resp[k].used) {
					resolver_ptr_start(r->c->res, &h->resp[k].addr);
					asn_start(r->c->asn, &h->resp[k].addr);
				}
		}
	}
}

static int report_busy(void *st)
{
	struct report_sink *r = st;

	/* -n -z: no names, but the AS lookups go through the resolver */
	struct resolver *dns = r->c->res ? r->c->res : r->c->asn ? r->c->asn->res : NULL;

	return r->names_until && dns && resolver_pending(dns) && clock_mono_ns() < r->names_until;
}

static __u64 report_wake_at(void *st, __u64 now)
{
	struct report_sink *r = st;

	(void)now;
	return r->names_until;
}

/* the final report: after --cycles, on q, SIGINT, SIGTERM */
static int report_close(void *st)
{
	struct report_sink *r = st;

	if (r->json)
		monitor_report_json(r->out, r->m, r->c);
	else
		monitor_report_text(r->out, r->m, r->c);
	return fflush(r->out) ? -1 : 0;
}

static const struct sink_ops report_ops = {
	.name = "report",
	.end = report_end,
	.busy = report_busy,
	.wake_at = report_wake_at,
	.close = report_close,
};

struct sink report_sink(struct report_sink *r, FILE *out, int json, const struct monitor *m,
			struct mon_report_ctx *c, const struct session *s)
{
	r->out = out;
	r->json = json;
	r->m = m;
	r->c = c;
	r->s = s;
	r->names_until = 0;
	return (struct sink){ .ops = &report_ops, .st = r };
}

/* Keys ncurses queued itself (KEY_RESIZE after SIGWINCH) never make stdin
 * readable: they are read on every redraw too
 */
static int view_keys(struct view_sink *v)
{
	int a = mon_view_keys(&v->v, v->m);

	switch (a) {
	case VIEW_QUIT:
		return SINK_QUIT;
	case VIEW_PAUSE:
		v->paused = !v->paused;
		v->next_draw_ns = 0;
		return SINK_PAUSE;
	case VIEW_RESET:
		v->next_draw_ns = 0;
		return SINK_RESET;
	case VIEW_REDRAW:
		v->next_draw_ns = 0;
		return SINK_NONE;
	default:
		return SINK_NONE;
	}
}

static void view_tick(void *st, __u64 now)
{
	struct view_sink *v = st;
	int a;

	if (!v->v.open || now < v->next_draw_ns)
		return;
	a = view_keys(v);
	if (a != SINK_NONE)
		v->pending = a;
	mon_view_draw(&v->v, v->m, v->c, v->paused);
	v->next_draw_ns = now + VIEW_REFRESH_NS;
}

static __u64 view_wake_at(void *st, __u64 now)
{
	struct view_sink *v = st;

	(void)now;
	return v->v.open ? v->next_draw_ns : 0;
}

static int view_pollfds(void *st, struct pollfd *fds, int max)
{
	struct view_sink *v = st;

	if (!v->v.open || max < 1)
		return 0;
	fds[0].fd = STDIN_FILENO;
	fds[0].events = POLLIN;
	fds[0].revents = 0;
	return 1;
}

static int view_ready(void *st, const struct pollfd *fds, int n, __u64 now)
{
	struct view_sink *v = st;
	int a;

	(void)now;
	if (!v->v.open)
		return SINK_NONE;
	if (n >= 1 && fds[0].revents && (a = view_keys(v)) != SINK_NONE)
		return a;
	a = v->pending; /* read at the last redraw */
	v->pending = SINK_NONE;
	return a;
}

static void view_end(void *st, __u64 now)
{
	struct view_sink *v = st;

	(void)now;
	mon_view_close(&v->v);
}

static int view_close(void *st)
{
	mon_view_close(&((struct view_sink *)st)->v);
	return 0;
}

static const struct sink_ops view_ops = {
	.name = "view",
	.tick = view_tick,
	.wake_at = view_wake_at,
	.pollfds = view_pollfds,
	.ready = view_ready,
	.end = view_end,
	.close = view_close,
};

int view_sink_open(struct view_sink *v, const struct monitor *m, const struct mon_report_ctx *c,
		   struct sink *out)
{
	v->m = m;
	v->c = c;
	v->next_draw_ns = 0;
	v->paused = 0;
	v->pending = SINK_NONE;
	if (mon_view_open(&v->v))
		return -1;
	*out = (struct sink){ .ops = &view_ops, .st = v };
	return 0;
}

static int metrics_pollfds(void *st, struct pollfd *fds, int max)
{
	struct metrics_sink *ms = st;

	return max >= 1 && metrics_pollfd(&ms->ms, &fds[0]) == 0 ? 1 : 0;
}

static int metrics_ready(void *st, const struct pollfd *fds, int n, __u64 now)
{
	struct metrics_sink *ms = st;

	(void)now;
	if (n >= 1 && fds[0].revents)
		metrics_run(&ms->ms);
	return SINK_NONE;
}

/* MHD's own timers (idle connections) */
static __u64 metrics_wake_at(void *st, __u64 now)
{
	int ms = metrics_timeout_ms(&((struct metrics_sink *)st)->ms);

	return ms < 0 ? 0 : now + (__u64)ms * NS_PER_MS;
}

static void metrics_tick(void *st, __u64 now)
{
	(void)now;
	metrics_run(&((struct metrics_sink *)st)->ms);
}

static int metrics_close(void *st)
{
	metrics_stop(&((struct metrics_sink *)st)->ms);
	return 0;
}

static const struct sink_ops metrics_ops = {
	.name = "metrics",
	.tick = metrics_tick,
	.wake_at = metrics_wake_at,
	.pollfds = metrics_pollfds,
	.ready = metrics_ready,
	.close = metrics_close,
};

int metrics_sink_open(struct metrics_sink *ms, const char *addr, struct monitor *m,
		      struct asn_lookup *asn, struct sink *out)
{
	int err = metrics_start(&ms->ms, addr, m, asn);

	if (err)
		return err;
	*out = (struct sink){ .ops = &metrics_ops, .st = ms };
	return 0;
}
