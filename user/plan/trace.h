/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xhop HOST as a planner: probes TTL by TTL with a bounded number in
 * flight, each answer and silence into the path table, each TTL handed
 * over as a record once all its probes settled (in order), and the whole
 * trace at the end.
 */
#ifndef XHOP_PLAN_TRACE_H
#define XHOP_PLAN_TRACE_H

#include <netinet/in.h>
#include <linux/types.h>
#include "core/planner.h"
#include "core/record.h"
#include "net/addrmap.h"
#include "plan/path_table.h"

struct session;

struct trace_plan_cfg {
	const char *host_name;	/* as given, or the canonical name */
	struct in6_addr dst;
	int family;		/* 4 or 6 */
	int method;		/* enum probe_method */
	int first_ttl, max_ttl;
	int queries;		/* probes per TTL, at most RECORD_QUERIES_MAX */
	int sim_queries;	/* probes in flight at once */
	double wait_s;
	int tos;
	const struct session *s; /* source, flow, probe size; start time */
};

struct trace_plan {
	struct trace_plan_cfg c;
	struct path path;
	struct addrmap map;	/* the one target */
	int next_ttl;		/* next probe to send: TTL and attempt */
	int next_attempt;
	int taken_ttl;		/* last TTL handed over (0: none) */
	int partial_last;	/* stopped: hand over TTLs up to this one as they are */
	int stopped;
	int cut;		/* stopped before the trace ended */
	int send_err;		/* a probe could not leave: -errno */
	int rec_ready;		/* the trace record is due */
	int rec_taken;
	__u64 probes_sent;
	struct ttl_rec ttl;
	struct trace_rec rec;
	struct probe_rec *hops;	/* the trace record's answered probes */
};

/* 0, or -errno (reported) */
int trace_plan_init(struct trace_plan *t, const struct trace_plan_cfg *c);
void trace_plan_free(struct trace_plan *t);
struct planner trace_planner(struct trace_plan *t);

#endif
