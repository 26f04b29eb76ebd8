/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a mode tells the probe engine: which probes are due, and what
 * follows from each outcome. The engine (engine/engine.h) owns the run:
 * it sends what a planner asks for through the sender layer, matches
 * every event to a probe (the quoted destination names the target
 * through the address map the planner fills, the probe id the probe
 * through match()), keeps the deadlines, and hands the finished records
 * a planner produces to the sinks. A planner never sends, never waits
 * and never writes output.
 *
 * Probe ids: a planner encodes what it needs to find a probe in its
 * 16-bit id; 0 and 0xffff (PLAN_WARMUP_ID) are never used.
 */
#ifndef XHOP_PLANNER_H
#define XHOP_PLANNER_H

#include <netinet/in.h>
#include <linux/types.h>
#include "core/record.h"
#include "core/send_probe.h"

/* The warm-up and trial probes' id: no planner's */
#define PLAN_WARMUP_ID 0xffff

/* One probe a planner wants sent, and what it needs back with it */
struct plan_probe {
	struct send_probe p; /* destination, probe id, TTL */
	__u32 target;	     /* the planner's target */
	__u16 gen;	     /* the target's generation (a reused slot differs) */
	__u8 sub;	     /* the planner's own: xhop scan's direction */
	__u8 fam;	     /* 0 IPv4, 1 IPv6: which sender */
};

/* The probe an event names, as the planner found it */
struct probe_ref {
	__u32 target;
	__u32 probe;	/* the planner's own index of the probe */
	__u64 tx_ns;	/* its send stamp so far (0: none yet) */
	__u8 queued;	/* handed to the engine, its send not yet reported */
};

enum plan_match {
	MATCH_NONE = 0,	/* no probe of the target has this id */
	MATCH_PROBE,	/* ref filled: a probe that was handed over (it may have settled) */
};

struct planner_ops {
	const char *name;
	/*
	 * Up to max probes due at now, in the order to send them. Each
	 * out[i].p is written whole (a compound literal): a field left unset
	 * would leave with what the caller's stack held (flow: a random port)
	 */
	int (*next)(void *st, struct plan_probe *out, int max, __u64 now_ns);
	/*
	 * A probe left (r->err 0; r->tx_ns its stamp if the sender knew it)
	 * or did not (r->err < 0, no measurement). left_ns: when the send
	 * call returned. Returns 0, or -errno when the run must stop.
	 */
	int (*sent)(void *st, const struct plan_probe *pp, const struct send_result *r,
		    __u64 left_ns);
	/* Which probe of target an event with this id names (enum plan_match) */
	int (*match)(void *st, __u32 target, __u16 probe_id, struct probe_ref *ref);
	/* The tc egress program's send stamp of a probe (raw sockets) */
	void (*stamp)(void *st, const struct probe_ref *ref, __u64 tx_ns);
	/*
	 * Its answer (r: the reply, already classified for the target's
	 * family): 1 taken, 0 not (a duplicate, or late: the probe settled)
	 */
	int (*answer)(void *st, const struct probe_ref *ref, const struct hop_reply *r);
	/* A probe's wait is over (it may have been answered since: check) */
	void (*timeout)(void *st, const struct plan_probe *pp);
	/* When something is due next, CLOCK_MONOTONIC ns; 0: nothing scheduled */
	__u64 (*wake_at)(void *st, __u64 now_ns);
	/* 1 when everything is probed and settled */
	int (*done)(void *st);
	/* The next finished record (valid until the next call); 0: none */
	int (*take)(void *st, struct record *rec);
	/* Stop probing (interrupted, or probes cannot leave): settle the rest */
	void (*stop)(void *st, int cut);
	/* Probes due beyond what was taken (the rate or the sender held them) */
	int (*backlogged)(void *st);
	/* Probes sent and neither answered nor past their wait; may be NULL */
	__u64 (*outstanding)(void *st);
	/* Control from the keyboard (xhop monitor's view): pause, reset; may be NULL */
	void (*control)(void *st, int action, __u64 now_ns);
};

struct planner {
	const struct planner_ops *ops;
	void *st;
};

#endif
