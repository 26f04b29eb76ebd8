/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xhop monitor's sinks over its per-hop table: the final report (text or
 * JSON, names looked up first), the live view, the Prometheus endpoint.
 */
#ifndef XHOP_MONITOR_SINKS_H
#define XHOP_MONITOR_SINKS_H

#include <stdio.h>
#include <linux/types.h>
#include "core/session.h"
#include "core/sink.h"
#include "sink/metrics.h"
#include "sink/monitor_report.h"
#include "sink/monitor_view.h"

struct monitor;
struct asn_lookup;

/* The report after the run: names (and ASes) of every responder first, for 3 s at most */
struct report_sink {
	FILE *out;
	int json;
	const struct monitor *m;
	struct mon_report_ctx *c;
	const struct session *s;
	__u64 names_until;
};

struct sink report_sink(struct report_sink *r, FILE *out, int json, const struct monitor *m,
			struct mon_report_ctx *c, const struct session *s);

/* The live view: redrawn four times a second, the keyboard polled */
struct view_sink {
	struct mon_view v;
	const struct monitor *m;
	const struct mon_report_ctx *c;
	__u64 next_draw_ns;
	int paused;
	int pending;	/* an action read at a redraw, for the engine */
};

/* 0, or -1 when the terminal cannot be driven (reported) */
int view_sink_open(struct view_sink *v, const struct monitor *m, const struct mon_report_ctx *c,
		   struct sink *out);

/* /metrics: served from the engine's loop */
struct metrics_sink {
	struct metrics_server ms;
};

/* 0 or -errno (reported) */
int metrics_sink_open(struct metrics_sink *ms, const char *addr, struct monitor *m,
		      struct asn_lookup *asn, struct sink *out);

#endif
