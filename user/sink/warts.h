/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The warts sink: scamper's binary format, which CAIDA's tools read
 * (sc_analysis_dump, sc_warts2json, sc_tracediff, sc_wartsdump). A file
 * is one list record and one cycle around the run's traces, as an Ark
 * monitor's files are: list, cycle start, a trace record per finished
 * trace, cycle stop. The bytes are warts_trace.c's.
 */
#ifndef XHOP_WARTS_SINK_H
#define XHOP_WARTS_SINK_H

#include <stdio.h>
#include <linux/types.h>
#include "core/sink.h"
#include "sink/warts_trace.h"

struct warts_sink_cfg {
	const char *list_name;	/* the list record's name: "xhop", "xhop scan" */
	const char *descr;	/* its description (the target, the list); NULL: none */
	const char *opt;	/* the option that named the file, for messages */
};

struct warts_sink {
	FILE *out;
	int owned;
	struct warts_sink_cfg c;
	char host[256];		/* the monitor: this host's name */
	struct warts_enc enc;
	struct warts_buf buf;
	int head;		/* list and cycle start written */
	int err;
	__u64 next_flush_ns;
};

/*
 * path NULL: stdout (the caller has refused a terminal). 0, or -1
 * (reported)
 */
int warts_sink_open(struct warts_sink *w, const char *path, const struct warts_sink_cfg *c,
		    struct sink *out);
/* Close the file of a sink whose run never started (nothing is written) */
void warts_sink_abandon(struct warts_sink *w);

#endif
