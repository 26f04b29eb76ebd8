// SPDX-License-Identifier: GPL-2.0
/*
 * scamper's trace JSON (as `scamper -O json` and sc_warts2json write it),
 * so analysis code written for scamper reads xhop unchanged: one object
 * per line, rtt in milliseconds, tx as {sec, usec}, answered probes only.
 */
#include <stdio.h>
#include "json_trace.h"
#include "output.h"

void output_json_trace(FILE *out, const struct trace *t)
{
	struct path *p = (struct path *)&t->path;
	struct json_trace_head h = {
		.src = &t->src,
		.dst = &t->dst,
		.family = t->family,
		.method = t->o->method,
		.sport = t->sport,
		.dport = t->dport,
		.icmp_sum = t->icmp_sum,
		.stop_reason = t->stop_reason,
		.stop_data = t->stop_data,
		.start = t->start,
		.hop_count = t->last_ttl,
		.attempts = p->queries,
		.hoplimit = p->max_ttl,
		.firsthop = p->first_ttl,
		.wait_s = t->o->wait_s,
		.tos = t->o->tos,
		.probe_size = t->probe_size,
		.probe_count = t->probes_sent,
		.real_offset_ns = t->real_offset_ns,
	};
	int first = 1;

	json_trace_open(out, &h);
	for (int ttl = p->first_ttl; t->last_ttl && ttl <= t->last_ttl; ttl++) {
		for (int q = 0; q < p->queries; q++) {
			const struct hop_probe *pr = path_probe(p, ttl, q);

			if (pr->state != PROBE_ANSWERED)
				continue;
			json_trace_hop(out, &h, &pr->reply, trace_name_of(t, &pr->reply.from), ttl,
				       pr->attempt + 1, pr->tx_ns, first);
			first = 0;
		}
	}
	json_trace_hops_end(out);
	fputc('}', out);
}

static void json_start(void *ctx, const struct trace *t)
{
	(void)ctx;
	(void)t;
}

static void json_hop(void *ctx, const struct trace *t, int ttl)
{
	(void)ctx;
	(void)t;
	(void)ttl;
}

static void json_end(void *ctx, const struct trace *t)
{
	FILE *out = ctx;

	output_json_trace(out, t);
	fputc('\n', out);
	fflush(out);
}

void output_json_renderer(struct trace_renderer *r, FILE *out)
{
	r->start = json_start;
	r->hop = json_hop;
	r->end = json_end;
	r->ctx = out;
}
