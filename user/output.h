/* SPDX-License-Identifier: GPL-2.0 */
/* Renderers of a trace: traceroute-style text lines, scamper trace JSON. */
#ifndef XHOP_OUTPUT_H
#define XHOP_OUTPUT_H

#include <stdio.h>
#include "trace.h"

/* Debian traceroute's format: header on stderr, a line per TTL on out */
void output_text_renderer(struct trace_renderer *r, FILE *out);
/* One scamper "trace" object on one line of out when the trace ends */
void output_json_renderer(struct trace_renderer *r, FILE *out);

/* traceroute's annotation of an unreachable (" !H"), "" for none */
const char *output_unreach_note(int family, int kind, int code, char buf[16]);
/* Print one trace object (no newline); shared with scan mode */
void output_json_trace(FILE *out, const struct trace *t);

#endif
