// SPDX-License-Identifier: GPL-2.0
/*
 * xhop monitor: its table and schedule (the monitor planner) on the
 * engine, with the sinks its options ask for: the report, the live view,
 * /metrics, path-change events. This file only wires them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/log.h"
#include "cli/cli.h"
#include "cli/monitor_cmd.h"
#include "core/units.h"
#include "engine/engine.h"
#include "engine/names.h"
#include "core/signals.h"
#include "net/addr.h"
#include "net/asn.h"
#include "net/resolve.h"
#include "sink/events.h"
#include "sink/monitor_sinks.h"
#include "plan/monitor_plan.h"

/* Sends of one cycle are spread over this share of the interval, so the
 * last probes of a cycle leave before the next one starts
 */
#define SPREAD_SHARE 0.9

struct mon_run {
	struct engine e;
	struct monitor_plan p;
	struct mon_report_ctx rc;
	struct report_sink report;
	struct view_sink view;
	struct metrics_sink metrics;
	struct events_sink events;
	struct resolver *res;
	struct asn_lookup asn;
	struct in6_addr *check;
	const char **check_names;
};

/* Resolve every target into the table; exit code on failure, else 0 */
static int add_targets(struct mon_run *r, const struct mon_opts *o)
{
	for (size_t i = 0; i < o->n_targets; i++) {
		const char *name = o->targets[i];
		struct in6_addr a;
		char s[ADDR_STRLEN];
		int fam, rc, err;

		rc = engine_resolve_host(r->res, name, o->family, &a, &fam, NULL, 0);
		if (rc)
			return rc;
		err = monitor_add_target(&r->p.m, name, &a, fam);
		if (err == -EEXIST) {
			log_warn("xhop: warning: %s: %s is already a target; monitored once\n",
				 name, addr_str(&a, s));
			continue;
		}
		if (err) {
			log_err("xhop: target %s: %s\n", name, strerror(-err));
			return 1;
		}
	}
	return 0;
}

static int table_init(struct mon_run *r, const struct mon_opts *o)
{
	struct mon_cfg cfg = {
		.first_ttl = o->first_ttl,
		.max_ttl = o->max_ttl,
		.confirm = o->confirm,
		.max_unknown = o->max_unknown,
		.interval_ns = (__u64)(o->interval_s * NS_PER_S),
		.wait_ns = (__u64)(o->wait_s * NS_PER_S),
		.stale_ns = (__u64)(o->stale_s * NS_PER_S),
		.proto4 = probe_method_proto(4, o->method),
		.proto6 = probe_method_proto(6, o->method),
	};
	int rc, err;

	cfg.spread_ns = (__u64)((double)cfg.interval_ns * SPREAD_SHARE);
	err = monitor_init(&r->p.m, &cfg);
	if (err == -E2BIG) {
		log_err("xhop: --wait %g is too long for --interval %g (a probe may stay "
			"out at most %d intervals)\n",
			o->wait_s, o->interval_s, MON_SLOTS_MAX - 2);
		return 2;
	}
	if (err || monitor_plan_init(&r->p, o->cycles)) {
		log_err("xhop: monitor: %s\n", strerror(err ? -err : ENOMEM));
		return 2;
	}
	rc = add_targets(r, o);
	if (rc)
		return rc;
	if (!r->p.m.n) {
		log_err("xhop: no target left to monitor\n");
		return 2;
	}
	err = monitor_ready(&r->p.m);
	if (err) {
		log_err("xhop: monitor: %s\n", strerror(-err));
		return 1;
	}
	return 0;
}

/* The session: every target must route through one interface */
static int open_engine(struct mon_run *r, const struct mon_opts *o)
{
	const struct monitor *m = &r->p.m;
	struct engine_cfg ec = {
		.who = "xhop monitor", .ifname = o->ifname, .source = o->source,
		.method = o->method, .port = o->port, .tos = o->tos, .size = o->size,
		.sender = o->sender, .verbose = o->verbose, .wait_s = o->wait_s, .warmup = 1,
		/* answers are read each millisecond while probes are out, as
		 * the probes go out in millisecond batches (monitor_plan.c)
		 */
		.no_wakeup = 1, .res = r->res, .ncheck = m->n,
	};

	r->check = calloc(m->n, sizeof(*r->check));
	r->check_names = calloc(m->n, sizeof(*r->check_names));
	if (!r->check || !r->check_names) {
		log_err("xhop: out of memory\n");
		return 1;
	}
	for (size_t i = m->n; i-- > 0;) {
		int f = m->t[i].family == 6;

		r->check[i] = m->t[i].dst;
		r->check_names[i] = m->t[i].name;
		ec.has[f] = 1;
		ec.first[f] = m->t[i].dst;	/* the first target of each family */
		ec.first_name[f] = m->t[i].name;
	}
	ec.check = r->check;
	ec.check_names = r->check_names;
	return engine_open(&r->e, &ec);
}

/* The sinks: report or view, events, metrics. Exit code or 0 */
static int open_sinks(struct mon_run *r, const struct mon_opts *o, struct sink *s, int *n)
{
	const struct session *ss = &r->e.s;
	FILE *events = NULL;

	r->rc.method = method_name(o->method);
	r->rc.res = o->no_resolve ? NULL : r->res;
	r->rc.asn = &r->asn;
	r->rc.interval_s = o->interval_s;
	r->rc.src4 = ss->src[0];
	r->rc.src6 = ss->src[1];
	r->rc.probe_size4 = ss->base[0].size;
	r->rc.probe_size6 = ss->base[1].size;
	if (o->metrics_addr && metrics_sink_open(&r->metrics, o->metrics_addr, &r->p.m,
						 o->metrics_asn ? &r->asn : NULL, &s[(*n)++]))
		return 1;
	if (o->events_path) {
		events = fopen(o->events_path, "a");
		if (!events) {
			log_err("xhop: --events %s: %s\n", o->events_path, strerror(errno));
			return 1;
		}
		setvbuf(events, NULL, _IOLBF, 0);
		s[(*n)++] = events_sink(&r->events, events, 1);
	}
	/* the view needs the keyboard too: with stdin at EOF (a pipe,
	 * /dev/null) it would poll as readable forever
	 */
	if (!o->report && !o->json && isatty(STDOUT_FILENO) && isatty(STDIN_FILENO)) {
		if (view_sink_open(&r->view, &r->p.m, &r->rc, &s[(*n)++]))
			return 1;
	} else if (!events) {
		s[(*n)++] = events_sink(&r->events, stdout, 0); /* no view on stdout */
	}
	s[(*n)++] = report_sink(&r->report, stdout, o->json, &r->p.m, &r->rc, ss);
	return 0;
}

static int run(struct mon_run *r, const struct mon_opts *o)
{
	struct sink sinks[ENGINE_SINKS_MAX];
	int n = 0, rc, err;

	rc = asn_lookup_open(&r->asn, o->aslookup, o->asn_db, r->res);
	if (!rc)
		rc = table_init(r, o);
	if (!rc)
		rc = open_engine(r, o);
	if (!rc)
		rc = open_sinks(r, o, sinks, &n);
	if (rc) {
		/* no run, no report: undo what the sinks opened */
		metrics_stop(&r->metrics.ms);
		mon_view_close(&r->view.v);
		if (r->events.owned && r->events.out)
			fclose(r->events.out);
		return rc;
	}
	err = engine_run(&r->e, monitor_planner(&r->p), &r->p.m.map, sinks, n);
	return xhop_stop ? signals_exit_code() : err ? 1 : 0;
}

int monitor_main(const struct mon_opts *o)
{
	struct mon_run *r;
	int rc;

	r = calloc(1, sizeof(*r));
	if (!r) {
		log_err("xhop: out of memory\n");
		return 1;
	}
	/* -z asks DNS even with -n, as mtr -n -z does */
	if ((!o->no_resolve || (o->aslookup && !o->asn_db)) && !(r->res = resolver_new())) {
		free(r);
		return 1;
	}
	rc = run(r, o);
	engine_close(&r->e);
	monitor_plan_free(&r->p);
	monitor_free(&r->p.m);
	asn_lookup_close(&r->asn);
	if (r->res)
		resolver_free(r->res);
	free(r->check);
	free(r->check_names);
	free(r);
	return rc;
}
