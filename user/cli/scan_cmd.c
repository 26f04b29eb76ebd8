// SPDX-License-Identifier: GPL-2.0
/*
 * xhop scan: the scan planner on the engine (a sending thread paces the
 * probes), with its sinks: the traces, the progress line, the summary.
 * This file only wires them.
 */
#include <stdio.h>
#include <stdlib.h>
#include "core/log.h"
#include "cli/cli.h"
#include "cli/scan_cmd.h"
#include "core/signals.h"
#include "engine/engine.h"
#include "sink/scan_sinks.h"
#include "sink/warts.h"
#include "plan/scan.h"

struct scan_run {
	struct engine e;
	struct scan sc;
	struct scan_json_sink json;
	struct warts_sink warts, warts_copy;
	struct scan_progress_sink progress;
	struct scan_summary_sink summary;
};

static struct engine_cfg engine_cfg_of(const struct scan_opts *o, const struct scan *sc)
{
	struct engine_cfg ec = {
		.who = "xhop scan", .ifname = o->ifname, .source = o->source,
		.method = o->plan.method, .port = o->port, .tos = o->plan.tos, .sender = o->sender,
		.verbose = o->verbose, .wait_s = o->plan.wait_s, .rate = o->plan.rate,
		/* the loop looks after every batch and every millisecond itself:
		 * an answer's wake-up cost the sending CPU an IPI
		 */
		.no_wakeup = 1,
	};

	for (int f = 0; f < 2; f++) {
		ec.has[f] = sc->has[f];
		ec.first[f] = sc->first[f];
	}
	return ec;
}

static int open_sinks(struct scan_run *r, const struct scan_opts *o, struct sink *s, int *n)
{
	struct scan_summary_info info = {
		.method = o->plan.method, .shard = o->plan.shard, .shards = o->plan.shards,
		.doubletree = !o->plan.no_doubletree, .bytes_per_target = SCAN_TARGET_BYTES,
		.bytes_per_hop = SCAN_HOP_BYTES,
	};
	struct warts_sink_cfg wc = { .list_name = "xhop scan", .descr = o->plan.targets_file,
				     .opt = "--output" };
	struct sink p;

	if (o->format == OUT_WARTS) {
		if (warts_sink_open(&r->warts, o->output_file, &wc, &s[(*n)++]))
			return 1;
	} else if (scan_json_open(&r->json, o->output_file, &s[(*n)++])) {
		return 1;
	}
	wc.opt = "--warts";
	if (o->warts_file && warts_sink_open(&r->warts_copy, o->warts_file, &wc, &s[(*n)++]))
		return 1;
	p = scan_progress_sink(&r->progress, o->progress, &r->sc.st, &r->e.st, &r->e.s);
	if (p.ops)
		s[(*n)++] = p;
	if (scan_summary_open(&r->summary, o->summary_file, &info, &r->sc.st, &r->e.st, &r->e.s,
			      &s[(*n)++]))
		return 1;
	return 0;
}

static int run(struct scan_run *r, const struct scan_opts *o)
{
	struct sink sinks[ENGINE_SINKS_MAX];
	struct engine_cfg ec;
	int n = 0, rc, err;

	r->sc.c = &o->plan;
	rc = scan_load_targets(&r->sc);
	if (rc)
		return rc;
	/* the outputs before anything else: a bad path sends nothing */
	if (open_sinks(r, o, sinks, &n))
		goto err_sinks;
	ec = engine_cfg_of(o, &r->sc);
	rc = engine_open(&r->e, &ec);
	if (rc)
		goto err_sinks;
	if (scan_init(&r->sc, &r->e.s)) {
		log_err("xhop scan: out of memory\n");
		rc = 1;
		goto err_sinks;
	}
	err = engine_run(&r->e, scan_planner(&r->sc), &r->sc.tab.map, sinks, n);
	return xhop_stop ? signals_exit_code() : err ? 1 : 0;

err_sinks:
	/* no run: the files opened are closed, nothing is written to them */
	if (r->json.owned && r->json.out)
		fclose(r->json.out);
	if (r->summary.owned && r->summary.out)
		fclose(r->summary.out);
	warts_sink_abandon(&r->warts);
	warts_sink_abandon(&r->warts_copy);
	return rc ? rc : 1;
}

int scan_main(const struct scan_opts *o)
{
	struct scan_run *r = calloc(1, sizeof(*r));
	int rc;

	if (!r) {
		log_err("xhop: out of memory\n");
		return 1;
	}
	rc = run(r, o);
	engine_close(&r->e);
	scan_free(&r->sc);
	free(r);
	return rc;
}
