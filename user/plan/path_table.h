/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The path table of one target: every probe sent towards it, by TTL and
 * attempt, with the kernel stamps of its departure and of its answer.
 * Events from the BPF programs go in (path_apply); renderers read it out.
 */
#ifndef XHOP_PATH_TABLE_H
#define XHOP_PATH_TABLE_H

#include <netinet/in.h>
#include <linux/types.h>
#include "core/record.h"
#include "xhop_event.h"

enum probe_state {
	PROBE_UNSENT = 0,
	PROBE_SENT,
	PROBE_ANSWERED,
	PROBE_LOST, /* no answer within the wait */
};

struct hop_probe {
	__u64 tx_ns;	   /* tc egress stamp, CLOCK_MONOTONIC; 0 until seen */
	__u64 deadline_ns; /* userspace CLOCK_MONOTONIC: only for timeouts */
	struct hop_reply reply;
	__u16 probe_id;
	__u8 ttl;
	__u8 attempt;
	__u8 state; /* enum probe_state */
};

struct path {
	struct in6_addr dst;
	int family; /* 4 or 6 */
	__u8 proto; /* IP protocol of the probes */
	int first_ttl;
	int max_ttl;
	int queries;
	struct hop_probe *probes; /* (max_ttl - first_ttl + 1) * queries */
	int final_ttl;		  /* lowest TTL that ended the trace; 0: none yet */
	__u64 replies;
	__u64 ignored; /* answers that verified in BPF but fit no probe here */
};

/* A probe id no path table uses: the engine's warm-up probes */
#define PATH_WARMUP_ID 0xffff /* = PLAN_WARMUP_ID (core/planner.h) */

int path_init(struct path *p, const struct in6_addr *dst, int family, __u8 proto, int first_ttl,
	      int max_ttl, int queries);
void path_free(struct path *p);
struct hop_probe *path_probe(struct path *p, int ttl, int attempt);
/* Probe ids are 1-based (IPv4 ID 0 would be rewritten by the kernel) */
__u16 path_probe_id(const struct path *p, int ttl, int attempt);
/*
 * Apply one event. Returns the TTL it changed, 0 when it was ignored (not
 * this target, not an outstanding probe, a duplicate).
 */
int path_apply(struct path *p, const struct xhop_event *ev);
/* The probe with this id, NULL if none */
struct hop_probe *path_probe_by_id(struct path *p, __u16 id);
/* Its send stamp, unless it has one or was never sent: the TTL, else 0 */
int path_stamp(struct hop_probe *pr, __u64 tx_ns);
/* Its answer, if it still waits for one: the TTL, else 0 (counted ignored) */
int path_answer(struct path *p, struct hop_probe *pr, const struct hop_reply *r);
/* Mark SENT probes whose deadline passed as LOST; returns how many */
int path_expire(struct path *p, __u64 now_ns);
/* All probes of a TTL answered or lost */
int path_hop_settled(struct path *p, int ttl);
/* One TTL as a record (core/record.h): every probe, answered or not */
void path_ttl_rec(struct path *p, int ttl, struct ttl_rec *r);
/* The answered probes of TTLs up to last_ttl, in order, into out: how many */
int path_answered(struct path *p, int last_ttl, struct probe_rec *out);
/* RTT of an answered probe in ns from the two kernel stamps; -1 if none */
__s64 hop_probe_rtt_ns(const struct hop_probe *pr);

#endif
