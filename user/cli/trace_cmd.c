// SPDX-License-Identifier: GPL-2.0
/*
 * xhop HOST: the trace planner on the engine, with the text or JSON
 * sink. This file only wires them; each does its own part.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/log.h"
#include "cli/cli.h"
#include "core/units.h"
#include "engine/engine.h"
#include "engine/names.h"
#include "core/signals.h"
#include "net/resolve.h"
#include "sink/text.h"
#include "sink/trace_json.h"
#include "sink/warts.h"
#include "plan/trace.h"

/* Everything of one trace run, on the heap (the text sink holds lines) */
struct trace_run {
	struct engine e;
	struct trace_plan plan;
	struct text_sink text;
	struct trace_json_sink json;
	struct warts_sink warts, warts_copy;
	FILE *out;		/* --output of text or JSON; NULL: stdout */
	char host_name[256];
};

/* The trace's sinks: the --format one, and the --warts copy. 0, or 1 (reported) */
static int open_sinks(struct trace_run *r, const struct trace_opts *o, struct resolver *res,
		      const struct text_sink_cfg *tc, struct sink *s, int *n)
{
	struct warts_sink_cfg wc = { .list_name = "xhop", .descr = o->host, .opt = "--output" };
	struct text_sink_cfg t = *tc;
	FILE *out = stdout;

	if (o->output && o->format != OUT_WARTS) {
		r->out = out = fopen(o->output, "w");
		if (!out) {
			log_err("xhop: --output %s: %s\n", o->output, strerror(errno));
			return 1;
		}
	}
	t.out = out;
	if (o->format == OUT_WARTS) {
		if (warts_sink_open(&r->warts, o->output, &wc, &s[(*n)++]))
			return 1;
	} else if (o->format == OUT_JSON) {
		s[(*n)++] = trace_json_sink(&r->json, out, o->no_resolve ? NULL : res,
					    t.name_wait_ns);
	} else {
		s[(*n)++] = text_sink(&r->text, &t);
	}
	wc.opt = "--warts";
	if (o->warts && warts_sink_open(&r->warts_copy, o->warts, &wc, &s[(*n)++]))
		return 1;
	return 0;
}

static int run(struct trace_run *r, const struct trace_opts *o, struct resolver *res)
{
	struct engine_cfg ec = {
		.who = "xhop", .ifname = o->ifname, .source = o->source, .method = o->method,
		.port = o->port, .tos = o->tos, .size = o->packetlen, .sender = o->sender,
		.verbose = o->verbose, .wait_s = o->wait_s, .warmup = 1, .res = res,
	};
	struct trace_plan_cfg pc = {
		.host_name = r->host_name, .method = o->method, .first_ttl = o->first_ttl,
		.max_ttl = o->max_ttl, .queries = o->queries, .wait_s = o->wait_s, .tos = o->tos,
		/* TCP: one at a time unless -N says otherwise (plan/trace.c) */
		.sim_queries = o->method == METHOD_TCP && !o->sim_set ? 1 : o->sim_queries,
	};
	struct text_sink_cfg tc = {
		.out = stdout, .res = res, .no_resolve = o->no_resolve, .host_name = r->host_name,
		.max_ttl = o->max_ttl, .method = o->method,
		.name_wait_ns = (__u64)(o->wait_s * NS_PER_S),
	};
	struct sink sinks[2];
	int n = 0, rc, err;

	rc = engine_resolve_host(res, o->host, o->family, &pc.dst, &pc.family, r->host_name,
				 sizeof(r->host_name));
	if (rc)
		return rc;
	ec.has[pc.family == 6] = 1;
	ec.first[pc.family == 6] = pc.dst;
	rc = engine_open(&r->e, &ec);
	if (rc)
		return rc;
	pc.s = &r->e.s;
	if (trace_plan_init(&r->plan, &pc))
		return 1;
	tc.dst = pc.dst;
	if (open_sinks(r, o, res, &tc, sinks, &n))
		return 1;
	err = engine_run(&r->e, trace_planner(&r->plan), &r->plan.map, sinks, n);
	if (r->out && fclose(r->out)) {
		log_err("xhop: --output %s: %s\n", o->output, strerror(errno));
		err = -1;
	}
	r->out = NULL;
	return xhop_stop ? signals_exit_code() : err ? 1 : 0;
}

int trace_run(const struct trace_opts *o)
{
	struct resolver *res = NULL;
	struct trace_run *r;
	int rc;

	r = calloc(1, sizeof(*r));
	if (!r) {
		log_err("xhop: out of memory\n");
		return 1;
	}
	if (!o->no_resolve && !(res = resolver_new())) {
		free(r);
		return 1;
	}
	rc = run(r, o, res);
	engine_close(&r->e);
	/* a run that never started leaves its files closed, not written */
	warts_sink_abandon(&r->warts);
	warts_sink_abandon(&r->warts_copy);
	if (r->out)
		fclose(r->out);
	trace_plan_free(&r->plan);
	if (res)
		resolver_free(res);
	free(r);
	return rc;
}
