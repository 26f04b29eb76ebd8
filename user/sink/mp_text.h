/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xhop multipath's text: a header on stderr as xhop HOST's; on stdout a
 * line per interface, grouped by TTL, each with where its flows came
 * from, so a diamond reads from top to bottom:
 *
 *    2  198.18.21.2  0.041 ms  <- 198.18.20.2
 *       198.18.22.2  0.040 ms  <- 198.18.20.2
 *    3  198.18.25.2  0.052 ms  <- 198.18.21.2 198.18.22.2
 *
 * A predecessor more than one TTL back (the flows were silent between)
 * carries its TTL: "198.18.35.2 (TTL 6)". The record comes once, at the
 * end; it waits for the names of its interfaces at most the name wait.
 */
#ifndef XHOP_SINK_MP_TEXT_H
#define XHOP_SINK_MP_TEXT_H

#include <stdio.h>
#include <netinet/in.h>
#include <linux/types.h>
#include "core/record.h"
#include "core/sink.h"

struct resolver;

struct mp_text_cfg {
	FILE *out;
	struct resolver *res;	/* NULL (-n): addresses only */
	__u64 name_wait_ns;
	const char *host_name;
	struct in6_addr dst;
	int max_ttl;
	int method;
	double confidence;
};

struct mp_text_sink {
	struct mp_text_cfg c;
	const struct mp_rec *rec; /* held for its names */
	__u64 held_at;
};

struct sink mp_text_sink(struct mp_text_sink *t, const struct mp_text_cfg *c);
/* The record's lines (names where res knows them; NULL: none) */
void mp_text_write(FILE *out, const struct mp_rec *r, struct resolver *res);

#endif
