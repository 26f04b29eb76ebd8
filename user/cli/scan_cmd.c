// SPDX-License-Identifier: GPL-2.0
/*
 * xhop scan: the scan planner on the engine (a sending thread paces the
 * probes), with its sinks: the traces, the progress line, the summary.
 * This file only wires them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "core/log.h"
#include "cli/cli.h"
#include "cli/scan_cmd.h"
#include "core/signals.h"
#include "core/units.h"
#include "engine/engine.h"
#include "net/asn.h"
#include "net/resolve.h"
#include "sink/clickhouse.h"
#include "sink/scan_sinks.h"
#include "sink/warts.h"
#include "plan/mda_scan.h"
#include "plan/scan.h"

/* Batches of --clickhouse: sealed at 100,000 rows or a second, whichever
 * comes first; 64 MiB of rows in memory, then the spool file
 */
#define CH_BATCH_ROWS 100000
#define CH_BATCH_NS NS_PER_S
#define CH_MEM_LIMIT (64u << 20)

struct scan_run {
	struct engine e;
	struct scan sc;
	struct mda_scan ms;	/* --mda */
	struct scan_json_sink json;
	struct warts_sink warts, warts_copy;
	struct scan_progress_sink progress;
	struct scan_summary_sink summary;
	struct asn_lookup asn;
	struct resolver *res; /* -z */
	struct ch_sink ch;
	int ch_on;
	char measurement[128], vantage[256];
};

static struct engine_cfg engine_cfg_of(const struct scan_opts *o, const int has[2],
				       const struct in6_addr first[2], struct resolver *res)
{
	struct engine_cfg ec = {
		.who = "xhop scan", .ifname = o->ifname, .source = o->source,
		.method = o->plan.method, .port = o->port, .tos = o->plan.tos, .sender = o->sender,
		.verbose = o->verbose, .wait_s = o->plan.wait_s, .rate = o->plan.rate,
		/* the loop looks after every batch and every millisecond itself:
		 * an answer's wake-up cost the sending CPU an IPI
		 */
		.no_wakeup = 1, .res = res,
	};

	for (int f = 0; f < 2; f++) {
		ec.has[f] = has[f];
		ec.first[f] = first[f];
	}
	/* --mda: a flow's port offset is 10 bits of the probe id */
	if (o->plan.mda)
		ec.flows = MDS_PORTS;
	return ec;
}

/* --clickhouse: after the traces (their file is written first), before
 * the summary, which counts what it delivered
 */
static int open_clickhouse(struct scan_run *r, const struct scan_opts *o, struct sink *s, int *n)
{
	struct ch_sink_cfg cfg = {
		.url = o->clickhouse_url, .table = o->clickhouse_table,
		.measurement = r->measurement, .vantage = r->vantage,
		.spool_path = o->clickhouse_spool, .wait_s = o->clickhouse_wait,
		.batch_rows = CH_BATCH_ROWS, .batch_ns = CH_BATCH_NS, .mem_limit = CH_MEM_LIMIT,
	};

	if (!o->clickhouse_url)
		return 0;
	if (ch_sink_open(&r->ch, &cfg, &s[(*n)++]))
		return 1;
	r->ch_on = 1;
	return 0;
}

static int open_sinks(struct scan_run *r, const struct scan_opts *o, struct sink *s, int *n)
{
	struct scan_summary_info info = {
		.method = o->plan.method, .shard = o->plan.shard, .shards = o->plan.shards,
		.doubletree = !o->plan.no_doubletree, .bytes_per_target = SCAN_TARGET_BYTES,
		.bytes_per_hop = SCAN_HOP_BYTES, .measurement = r->measurement,
		.mda = o->plan.mda, .confidence = o->plan.confidence,
	};
	const struct scan_stats *st = o->plan.mda ? &r->ms.st : &r->sc.st;
	struct warts_sink_cfg wc = { .list_name = "xhop scan", .descr = o->plan.targets_file,
				     .opt = "--output" };
	struct sink p;

	if (o->plan.mda) {
		/* a prefix's slot; a flow's hop at one TTL */
		info.bytes_per_target = sizeof(struct mds_prefix);
		info.bytes_per_hop = sizeof(__s32);
	}
	if (o->format == OUT_WARTS) {
		if (warts_sink_open(&r->warts, o->output, &wc, &s[(*n)++]))
			return 1;
	} else if (scan_json_open(&r->json, o->output, &r->asn,
				  /* a trace waits for its hops' ASes as xhop HOST's lines do */
				  (__u64)(o->plan.wait_s * NS_PER_S), &s[(*n)++])) {
		return 1;
	}
	wc.opt = "--warts";
	if (o->warts && warts_sink_open(&r->warts_copy, o->warts, &wc, &s[(*n)++]))
		return 1;
	p = scan_progress_sink(&r->progress, o->progress, st, &r->e.st, &r->e.s);
	if (p.ops)
		s[(*n)++] = p;
	if (open_clickhouse(r, o, s, n))
		return 1;
	info.ch = r->ch_on ? ch_sink_stats(&r->ch) : NULL;
	if (scan_summary_open(&r->summary, o->summary_file, &info, st, &r->e.st, &r->e.s,
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
	r->ms.c = &o->plan;
	if (o->aslookup && !o->asn_db && !(r->res = resolver_new()))
		return 1;
	rc = asn_lookup_open(&r->asn, o->aslookup, o->asn_db, r->res);
	if (rc)
		return rc;
	if (o->measurement)
		snprintf(r->measurement, sizeof(r->measurement), "%s", o->measurement);
	else
		ch_default_measurement(r->measurement, sizeof(r->measurement));
	if (o->vantage)
		snprintf(r->vantage, sizeof(r->vantage), "%s", o->vantage);
	else
		ch_default_vantage(r->vantage, sizeof(r->vantage));
	rc = o->plan.mda ? mda_scan_load(&r->ms) : scan_load_targets(&r->sc);
	if (rc)
		return rc;
	/* the outputs before anything else: a bad path sends nothing */
	if (open_sinks(r, o, sinks, &n))
		goto err_sinks;
	ec = o->plan.mda ? engine_cfg_of(o, r->ms.has, r->ms.first, r->res)
			 : engine_cfg_of(o, r->sc.has, r->sc.first, r->res);
	rc = engine_open(&r->e, &ec);
	if (rc)
		goto err_sinks;
	if (o->plan.mda ? mda_scan_init(&r->ms, &r->e.s) : scan_init(&r->sc, &r->e.s)) {
		log_err("xhop scan: out of memory\n");
		rc = 1;
		goto err_sinks;
	}
	if (o->plan.mda)
		err = engine_run(&r->e, mda_scan_planner(&r->ms), &r->ms.map, sinks, n);
	else
		err = engine_run(&r->e, scan_planner(&r->sc), &r->sc.tab.map, sinks, n);
	/* a prefix judged without its tables may show a link its loss explains */
	if (o->plan.mda && r->ms.oom) {
		log_err("xhop scan --mda: out of memory: some prefixes' links are not to be trusted\n");
		err = err ? err : -ENOMEM;
	}
	return xhop_stop ? signals_exit_code() : err ? 1 : 0;

err_sinks:
	/* no run: the files opened are closed, nothing is written to them */
	if (r->json.owned && r->json.out)
		fclose(r->json.out);
	if (r->summary.owned && r->summary.out)
		fclose(r->summary.out);
	if (r->ch_on)
		ch_sink_abandon(&r->ch);
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
	mda_scan_free(&r->ms);
	asn_lookup_close(&r->asn);
	if (r->res)
		resolver_free(r->res);
	free(r);
	return rc;
}
