/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xhop multipath as a planner: the Multipath Detection Algorithm
 * (Augustin et al.) over per-flow load balancers. Each flow is a Paris
 * flow of its own (core/send_probe.h: the source port or the ICMP
 * checksum + n), so one flow always takes one path, and a link is two
 * nodes that one flow met at consecutive TTLs.
 *
 * TTL by TTL, in rounds (plan/mda_round.c): for each interface at the
 * TTL before (the prober for the first), with k next hops seen so far,
 * enough flows through it are probed one TTL further to rule out a
 * (k+1)-th at the confidence asked (mda_flows_needed). A probe
 * unanswered after its wait is sent again (attempts), then the flow
 * counts as silent at that TTL: silence is a node of its own per TTL, and
 * links step over it. A round is planned once the previous one settled.
 */
#ifndef XHOP_PLAN_MDA_H
#define XHOP_PLAN_MDA_H

#include <netinet/in.h>
#include <linux/types.h>
#include "core/planner.h"
#include "core/record.h"
#include "net/addrmap.h"
#include "plan/mda_rule.h"

struct session;

#define MDA_FLOWS_MAX 1024   /* source ports (or ICMP checksums) of a run */
#define MDA_PROBES_MAX 65534 /* 16-bit probe ids, 0 and 0xffff aside */
#define MDA_TTL_MAX 64
#define MDA_NODES_MAX 4096

struct mda_cfg {
	const char *host_name;
	struct in6_addr dst;
	int family;		/* 4 or 6 */
	int method;		/* enum probe_method */
	int first_ttl, max_ttl;	/* max_ttl <= MDA_TTL_MAX */
	int attempts;		/* tries of one flow at one TTL */
	int in_flight;		/* probes in flight at once */
	int max_probes;		/* <= MDA_PROBES_MAX */
	int max_flows;		/* <= MDA_FLOWS_MAX: the run's span of ports */
	int gaplimit;		/* TTLs in a row where every flow is silent */
	double confidence;	/* percent, 50 < c < 100 */
	double wait_s;		/* the longest a probe waits */
	/*
	 * > 0: a probe waits at most this many times the slowest answer
	 * heard at its TTL (else at any TTL before), never below
	 * MDA_WAIT_FLOOR_NS: Debian traceroute's -w MAX,HERE. A silent
	 * router then costs a round milliseconds, not the whole wait.
	 */
	double here;
	int tos;
	const struct session *s; /* source, flow base, probe size, start */
};

/* The shortest wait "here" may cut a probe's to */
#define MDA_WAIT_FLOOR_NS 20000000ULL

struct mda_probe {
	__u64 tx_ns;
	__u64 left_ns;		/* CLOCK_MONOTONIC when its send returned */
	struct hop_reply reply;
	__u16 flow;
	__u8 ttl;
	__u8 attempt;
	__u8 state;		/* enum probe_state (plan/path_table.h) */
};

struct mda_plan {
	struct mda_cfg c;
	struct addrmap map;	/* the one target */
	__u16 need[MDA_K_MAX + 1]; /* flows to rule out a (k+1)-th next hop */
	struct mda_probe *probes; /* by probe id - 1, in send order */
	int nprobes;		/* asked for */
	int next_send;		/* the next to hand to the engine */
	int oldest;		/* no probe before it waits for an answer */
	__u64 rtt_max[MDA_TTL_MAX + 1]; /* the slowest answer per TTL */
	int in_flight;		/* handed over, not settled */
	int unsettled;		/* asked for, not settled */
	__s32 *hop;		/* [flow * nttl + ttl - first_ttl]: node or MDA_HOP_* */
	int nttl;
	int nflows;
	__s32 *rule;		/* [as hop]: whose rule a flow's hop serves (plan/mda_round.c) */
	/*
	 * Per TTL, the one interface every flow seen there met (-1: none, or
	 * several, or a silence, or an end): a flow never asked there is
	 * taken to cross it, for its stopping rule alone (plan/mda_round.c)
	 */
	__s32 alone[MDA_TTL_MAX + 1];
	struct mp_node *nodes;
	/*
	 * Per node, the first node of its address (a silent node: itself):
	 * an interface met at several TTLs (behind branches of unequal
	 * length) has one stopping rule, whatever TTL its flows crossed it at
	 */
	__s32 *group;
	__u8 *born;		/* the TTL being explored when a node was found */
	int nnodes;
	int silent_node[MDA_TTL_MAX + 1];
	struct mp_link *links;
	int nlinks;
	__u32 *unfinished;
	int nunfinished;
	/*
	 * The destination's TTL (0: unknown), from the reach probe: one UDP
	 * probe at the hop limit first, whose port unreachable quotes the
	 * TTL it arrived with (plan/mda_round.c's dest_first)
	 */
	int dest_ttl;
	int reach;		/* the reach probe's id (0: none) */
	int level;		/* the TTL whose hops are being found */
	int gap;		/* TTLs in a row where every flow was silent */
	int finished;
	int stop_reason, stop_data;
	int send_err;
	int budget_cut;		/* a retry was refused for the budget */
	int rec_taken;
	__u64 probes_sent;
	__u32 probes_max;	/* as asked (c.max_probes shrinks once spent) */
	struct probe_rec *rec_probes; /* the record's probes (plan/mda_record.c) */
	__u32 *link_probes;	/* and its links' */
	struct mp_rec rec;
};

/* Where the hop of flow at ttl is kept: a node index or MDA_HOP_* */
static inline __s32 *mda_hop_at(const struct mda_plan *m, int flow, int ttl)
{
	return &m->hop[(size_t)flow * (size_t)m->nttl + (size_t)(ttl - m->c.first_ttl)];
}

/* Ask for flow at ttl; 0, or -1 when the probe budget is spent */
int mda_ask(struct mda_plan *m, int flow, int ttl, int attempt);
/*
 * One round of the TTL being explored (plan/mda_round.c): probes for
 * every interface before it whose next hops are not settled. Returns how
 * many were asked, 0 when the TTL is settled, -1 when the budget ran out
 * first.
 */
int mda_round_plan(struct mda_plan *m);
/* PROBELIMIT: the nodes before the TTL explored whose next hops are not settled */
void mda_round_unfinished(struct mda_plan *m);

/* 0, or -errno (reported) */
int mda_plan_init(struct mda_plan *m, const struct mda_cfg *c);
void mda_plan_free(struct mda_plan *m);
/*
 * At the finish, links made: the record's probes (every probe sent) and
 * each link's (plan/mda_record.c). 0, or -ENOMEM (the record then has
 * no probes)
 */
int mda_record_probes(struct mda_plan *m);
struct planner mda_planner(struct mda_plan *m);

#endif
