/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What renders a run: text lines, scamper JSON, the scan summary and
 * progress, the monitor's report, live view, metrics and events. A sink
 * reads finished records (core/record.h), the run's counters and, for
 * xhop monitor, its per-hop table; it never decides what to probe. The
 * engine calls it from its one event loop; every callback may be NULL.
 */
#ifndef XHOP_SINK_H
#define XHOP_SINK_H

#include <poll.h>
#include <linux/types.h>
#include "core/record.h"

/* What a sink may ask of the engine after input (xhop monitor's keys) */
enum sink_action {
	SINK_NONE = 0,
	SINK_QUIT,
	SINK_PAUSE,  /* toggle */
	SINK_RESET,  /* the view's statistics */
	SINK_REDRAW,
};

struct sink_ops {
	const char *name;
	/* The run begins: its first probes are about to leave */
	void (*start)(void *st);
	void (*record)(void *st, const struct record *rec);
	/* Periodic work (flush, progress, redraw); now: CLOCK_MONOTONIC ns */
	void (*tick)(void *st, __u64 now_ns);
	/* When tick is due next; 0: never */
	__u64 (*wake_at)(void *st, __u64 now_ns);
	/* fds to poll (the metrics server, the keyboard), at most max */
	int (*pollfds)(void *st, struct pollfd *fds, int max);
	/* After poll: serve what is ready; an enum sink_action */
	int (*ready)(void *st, const struct pollfd *fds, int n, __u64 now_ns);
	/* The run ended, no record follows: start what close needs (names) */
	void (*end)(void *st, __u64 now_ns);
	/* Holds records not yet written (a line waiting for its names) */
	int (*busy)(void *st);
	/* The run ended: write what is left (report, summary); 0 or -1 */
	int (*close)(void *st);
};

struct sink {
	const struct sink_ops *ops;
	void *st;
};

#endif
