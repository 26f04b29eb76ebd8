/* SPDX-License-Identifier: GPL-2.0 */
/* scamper's trace JSON of one finished trace, and the sink that writes it */
#ifndef XHOP_TRACE_JSON_H
#define XHOP_TRACE_JSON_H

#include <stdio.h>
#include "core/record.h"
#include "core/sink.h"

struct resolver;

/*
 * One trace object, no newline: the head, every answered probe (with its
 * name where res knows it; res NULL: none), and a scan's Doubletree stop
 */
void trace_json_write(FILE *out, const struct trace_rec *t, struct resolver *res);

/* xhop HOST --json: the trace object on one line of out when it ends */
struct trace_json_sink {
	FILE *out;
	struct resolver *res;
};

struct sink trace_json_sink(struct trace_json_sink *j, FILE *out, struct resolver *res);

#endif
