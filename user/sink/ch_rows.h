/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rows xhop writes into ClickHouse, as TabSeparated lines (the
 * columns of ch_schema.c in their order; the INSERT names them): a reply
 * row per answer that the scan's JSON output holds, a target row per
 * finished target. TSV, not JSONEachRow: 18.16 parses it in a fraction
 * of the time, and the server shares the prober's CPUs when it is local.
 * Addresses as text: IPv4 dotted, IPv6 as RFC 5952 (net/addr.c).
 */
#ifndef XHOP_CH_ROWS_H
#define XHOP_CH_ROWS_H

#include <stdio.h>
#include "core/record.h"

/* Who measured: the same on every row of a run */
struct ch_ident {
	const char *measurement;
	const char *vantage;
};

/* The reply rows of trace t (one per answered probe, as its JSON hops);
 * the number written
 */
int ch_rows_replies(FILE *out, const struct ch_ident *id, const char *batch_id,
		    const struct trace_rec *t);
/* The target row of t */
void ch_row_target(FILE *out, const struct ch_ident *id, const char *batch_id,
		   const struct trace_rec *t);

#endif
