/* SPDX-License-Identifier: GPL-2.0 */
/* scamper's trace JSON of one finished trace, and the sink that writes it */
#ifndef XHOP_TRACE_JSON_H
#define XHOP_TRACE_JSON_H

#include <stdio.h>
#include <linux/types.h>
#include "core/record.h"
#include "core/sink.h"

struct resolver;
struct asn_lookup;

/*
 * One trace object, no newline: the head, every answered probe (with its
 * name where res knows it; res NULL: none; "asn" and, multi-origin,
 * "asns" where the record carries them), and a scan's Doubletree stop
 */
void trace_json_write(FILE *out, const struct trace_rec *t, struct resolver *res);

/*
 * xhop HOST --json: the trace object on one line of out when it ends,
 * with the names of its hops: each TTL's are asked for as it settles,
 * and the object waits for them at most name_wait_ns
 */
struct trace_json_sink {
	FILE *out;
	struct resolver *res;	/* NULL: no names */
	struct asn_lookup *asn;	/* NULL or off: no ASes */
	__u64 name_wait_ns;
	struct trace_rec rec;	/* the trace, held until its names are in */
	struct probe_rec *hops;
	int held;
	__u64 held_until;
};

struct sink trace_json_sink(struct trace_json_sink *j, FILE *out, struct resolver *res,
			    struct asn_lookup *asn, __u64 name_wait_ns);

#endif
