// SPDX-License-Identifier: GPL-2.0
/*
 * xhop multipath: the MDA planner on the engine, with the text, JSON or
 * warts sink (and a warts copy). This file only wires them.
 */
#include <stdio.h>
#include <stdlib.h>
#include "cli/mp_cmd.h"
#include "core/log.h"
#include "core/signals.h"
#include "core/units.h"
#include "engine/engine.h"
#include "engine/names.h"
#include "net/resolve.h"
#include "plan/mda.h"
#include "sink/mp_json.h"
#include "sink/mp_text.h"

struct mp_run {
	struct engine e;
	struct mda_plan plan;
	struct mp_text_sink text;
	struct mp_json_sink json;
	struct out_files files;
	char host_name[256];
};

static int run(struct mp_run *r, const struct mp_opts *o, struct resolver *res)
{
	struct engine_cfg ec = {
		.who = "xhop multipath", .ifname = o->ifname, .source = o->source,
		.method = o->method, .port = o->port, .tos = o->tos, .sender = o->sender,
		.verbose = o->verbose, .wait_s = o->wait_s, .warmup = 1, .res = res,
		.flows = MDA_FLOWS_MAX,
	};
	struct mda_cfg mc = {
		.host_name = r->host_name, .method = o->method, .first_ttl = o->first_ttl,
		.max_ttl = o->max_ttl, .attempts = o->attempts, .in_flight = o->in_flight,
		.max_probes = o->max_probes, .max_flows = MDA_FLOWS_MAX, .gaplimit = o->gaplimit,
		.confidence = o->confidence, .wait_s = o->wait_s, .here = o->here, .tos = o->tos,
	};
	struct mp_text_cfg tc = {
		.out = stdout, .res = res, .name_wait_ns = (__u64)(o->wait_s * NS_PER_S),
		.host_name = r->host_name, .max_ttl = o->max_ttl, .method = o->method,
		.confidence = o->confidence,
	};
	struct warts_sink_cfg wc = { .list_name = "xhop multipath", .descr = o->host };
	struct sink sinks[3];
	int n = 0, rc, err;

	rc = engine_resolve_host(res, o->host, o->family, &mc.dst, &mc.family, r->host_name,
				 sizeof(r->host_name));
	if (rc)
		return rc;
	ec.has[mc.family == 6] = 1;
	ec.first[mc.family == 6] = mc.dst;
	rc = engine_open(&r->e, &ec);
	if (rc)
		return rc;
	mc.s = &r->e.s;
	if (mda_plan_init(&r->plan, &mc))
		return 1;
	tc.dst = mc.dst;
	if (out_files_open(&r->files, &o->out, &wc))
		return 1;
	tc.out = r->files.out;
	if (o->format == OUT_JSON)
		sinks[n++] = mp_json_sink(&r->json, tc.out);
	else if (o->format == OUT_TEXT)
		sinks[n++] = mp_text_sink(&r->text, &tc);
	out_files_sinks(&r->files, sinks, &n);
	err = engine_run(&r->e, mda_planner(&r->plan), &r->plan.map, sinks, n);
	if (out_files_close(&r->files, "xhop multipath", o->output))
		err = -1;
	return xhop_stop ? signals_exit_code() : err ? 1 : 0;
}

int mp_main(const struct mp_opts *o)
{
	struct resolver *res = NULL;
	struct mp_run *r;
	int rc;

	r = calloc(1, sizeof(*r));
	if (!r) {
		log_err("xhop multipath: out of memory\n");
		return 1;
	}
	if (!o->no_resolve && !(res = resolver_new())) {
		free(r);
		return 1;
	}
	rc = run(r, o, res);
	engine_close(&r->e);
	/* a run that never started leaves its files closed, not written */
	out_files_abandon(&r->files);
	mda_plan_free(&r->plan);
	if (res)
		resolver_free(res);
	free(r);
	return rc;
}
