/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xhop scan --mda as a planner: Diamond-Miner (Vermeulen et al., NSDI
 * 2020) on the engine. Each prefix (a /24 or /64, or a smaller prefix as
 * given) is a target; its flows map first to its addresses, then to
 * source ports: flow f probes address f % naddr with the run's port +
 * f / naddr (core/send_probe.h's flow). In its first round every TTL
 * from --first-hop up to MDS_FIRST_SPAN TTLs on gets the same flows, as
 * many as rule out a second next hop; links come from consecutive TTLs of
 * one flow (across TTLs where it was silent, as in xhop multipath).
 *
 * Once a round settled, the next is decided from the links found so far
 * with the MDA's rule (plan/mda_rule.h): a node at TTL t with k next hops
 * needs n_k flows through it probed at t + 1; as flows land on it in its
 * share of those probed at t, TTL t needs n_k / share flows, the most any
 * of its nodes needs (Diamond-Miner's bound). The new flows go out at t
 * and t + 1 only, where they are needed. Past the highest TTL asked, the
 * flows that go on get MDS_EXTEND TTLs more at once. A prefix is done when
 * no node needs more, or its --max-probes ran out (PROBELIMIT).
 *
 * No probe past a flow's end: a flow that met the destination or an
 * Unreachable, or was silent --gap-limit TTLs in a row, is not asked at
 * the TTLs beyond (known when the probe is handed over: in later rounds
 * always, in the first as soon as the answers are in).
 *
 * A probe that went unanswered is asked again in a later round, up to
 * --queries tries in all, where its silence would stand between two
 * answers of its flow (a lost answer there would make a link across it)
 * or right after the flow's last answer (a lost answer of its last
 * router). What is still silent then counts for the rule once
 * MDS_SILENT_MIN flows met it: a next hop "silent" of a node, a silent
 * node whose flows go on. One flow's silence may be a lost answer. A
 * link across silent TTLs is made only where loss cannot explain the
 * silence (plan/mda_scan_lost.c, mds_break_lossy): an interface that
 * rate-limits its answers looks silent to the flows it did not answer,
 * and under a fast scan a router near the prober drops nearly all of
 * them, so one prefix may never hear it. Interfaces are known across
 * prefixes (struct mds_iface: their loss, as retries' answers show it,
 * and which answered after which); no link crosses a silence where an
 * interface heard at its TTLs, or met between its two ends, or either
 * end itself, surely loses answers (MDS_LOSSY: it drops them in bursts,
 * no count of silent flows tells a silent router beside it), nor one
 * whose flows' tries all failing is likelier than 1 - confidence at the
 * highest loss those interfaces may have (one little known: taken high).
 * An answering next hop that surely loses answers leaves no silent next
 * hop to settle (under a rate limit each round would find one, and ask
 * for more flows). A silent node asks for no
 * new flows (its share may be a few lost answers among thousands of
 * flows, n_k / share thousands more): its own flows go on, each at the
 * TTLs up to where its silence would reach --gap-limit, in one round.
 *
 * Stateless: nothing is kept per probe. An answer's quoted destination
 * names the prefix and the address (the engine's address map holds the
 * addresses in use, value slot << 8 | index) and its probe id the port
 * offset and TTL (offset << 6 | TTL): the flow and TTL whose hop it is.
 * The hop table says whether that probe is still awaited.
 */
#ifndef XHOP_PLAN_MDA_SCAN_H
#define XHOP_PLAN_MDA_SCAN_H

#include <netinet/in.h>
#include <linux/types.h>
#include "core/fifo.h"
#include "core/planner.h"
#include "core/record.h"
#include "core/session.h"
#include "net/addrmap.h"
#include "net/targets.h"
#include "plan/mda_rule.h"
#include "plan/scan.h"

#define MDS_ADDRS_MAX 256	/* addresses of a prefix flows map to: a /24, 8 bits of a /64 */
#define MDS_PORT_BITS 10	/* the port offset: the probe id's high 10 bits */
#define MDS_PORTS (1u << MDS_PORT_BITS)
#define MDS_FLOWS_MAX (MDS_ADDRS_MAX * MDS_PORTS)
#define MDS_DEFAULT_MAX_PROBES 20000
#define MDS_WINDOW_DEFAULT_MAX 4096 /* prefixes in flight unless --window: ~4 KiB each */
#define MDS_WINDOW_MAX 65536
#define MDS_FIRST_SPAN 16	/* TTLs the first round asks: most paths end before */
#define MDS_EXTEND 8		/* TTLs asked at once past the highest asked so far */
#define MDS_TRIES_DEFAULT 2	/* --queries: tries of one flow at one TTL */
#define MDS_TRIES_MAX 5
#define MDS_SILENT_MIN 2	/* flows whose silence at a TTL is more than a lost answer */
#define MDS_LOSSY 0.05		/* the share of its answers an interface that loses them loses */
/*
 * The TTL travels in the id's low 6 bits: at least 1, so no id is 0; at
 * most SCAN_MAX_TTL, so none is 0xffff (PLAN_WARMUP_ID)
 */
_Static_assert(SCAN_MAX_TTL >= 1 && SCAN_MAX_TTL < 63, "the TTL must fit 6 bits, never 63");
_Static_assert(PROBE_TTL_BITS + MDS_PORT_BITS == 16, "the probe id is 16 bits");

static inline __u16 mds_probe_id(__u32 port, int ttl)
{
	return (__u16)(port << PROBE_TTL_BITS | (__u32)ttl);
}

enum mds_state { MDS_FREE = 0, MDS_ACTIVE, MDS_DONE };

/* One probe by its flow and TTL, and its tries so far */
struct mds_probe {
	__u32 flow;
	__u8 ttl;
	__u8 tries;
	__u16 _pad;
};

/*
 * Silence at a TTL between two nodes (from -1: the prober; to -1: none
 * after it), and how many flows kept it through every try: from
 * MDS_SILENT_MIN on, a silent router, no more flows asked again there
 */
struct mds_pat {
	__s32 from, to;
	__u8 ttl;
	__u8 n;
	__u16 _pad;
};

/*
 * An interface as every prefix's flows met it (plan/mda_scan_iface.c):
 * routers near the prober stand on the paths of thousands of prefixes,
 * and one that rate-limits its answers shows it to them all. Of the
 * prefixes done: its answers to a retry after a loss (recov), and its
 * answers to a first try, each weighed by the share of lost first tries
 * its prefix asked again at that TTL (asked: how many of its lost ones
 * would have been retried); the interfaces some flow met at the next
 * TTL (answers one after the other), a few. No destination: one per
 * prefix, a scan of millions would keep millions (44 bytes each, the
 * table at most half full).
 */
#define MDS_IFACE_SUCC 4
struct mds_iface {
	struct in6_addr addr;
	float asked;
	__u32 recov;
	__s32 succ[MDS_IFACE_SUCC];
	__u8 nsucc;
	__u8 used;
	__u16 _pad;
};

_Static_assert(sizeof(struct mds_iface) <= 44, "an interface must fit 44 bytes");

struct mds_ifaces {
	struct mds_iface *v;	/* open addressing, linear probing */
	__u32 cap, n;		/* cap a power of two, n at most half of it */
	__u64 seed;		/* answers' sources come from the network: a keyed hash */
};

/* One prefix in flight */
struct mds_prefix {
	struct in6_addr addr[MDS_ADDRS_MAX]; /* its addresses flows map to */
	struct prefix p;	/* 128-bit space */
	__u32 naddr;
	__u32 mapped;		/* addresses 0..mapped-1 are in the address map */
	__s32 *hop;		/* [flow * nttl + ttl - first]: node, or MDA_HOP_* */
	__u32 cap_flows;	/* rows of hop */
	__u32 nflows;		/* flows asked at any TTL */
	__u32 sent[SCAN_MAX_TTL + 2];	/* flows 0..sent[t]-1 asked at TTL t */
	__u32 goal[SCAN_MAX_TTL + 2];	/* this round: up to goal[t] */
	int cur_ttl;		/* the next probe handed over: flow sent[cur_ttl] there */
	__u32 left;		/* of this round, not handed over yet */
	__u32 pending;		/* handed over, not settled */
	struct mp_node *nodes;
	__u32 *recov;		/* per node: answers a retry got (it loses answers) */
	__s32 *iface;		/* per node: its interface (ms->ifaces), or -1 */
	__u32 iface_cap;	/* ms->ifaces' size those indices are of */
	int nnodes, cap_nodes;
	__s32 silent_node[SCAN_MAX_TTL + 2];
	__u32 lost1[SCAN_MAX_TTL + 2];		/* first tries unanswered at each TTL */
	__u32 retried[SCAN_MAX_TTL + 2];	/* retries handed over at each TTL */
	__u32 probes;		/* handed over */
	struct mds_probe *lost;	/* unanswered, may be asked again */
	__u32 nlost, cap_lost;
	struct mds_probe *fin;	/* silent through every try, since the last round */
	__u32 nfin, cap_fin;
	struct mds_probe *due;	/* this round's, asked by name: retries, silences going on */
	__u32 ndue, cap_due;
	__u32 due_pos;		/* of those, handed over */
	struct mds_pat *pats;
	__u32 npats, cap_pats;
	__u32 unsent;		/* handed over, never left (stopping) or failed */
	__u16 gen;
	__u8 state;		/* enum mds_state */
	__u32 rounds;
	struct timespec start;	/* wall clock when its first probe was asked */
	int stop_reason, stop_data;
	struct mp_link *links;	/* the record's, when done */
	int nlinks;
	__u32 *unfinished;
	int nunfinished;
};

struct mda_scan {
	const struct scan_cfg *c;
	const struct session *s;
	struct prefix *units;	/* the list: prefixes of at most a /24 or /64 */
	__u64 nunits;
	struct permutation perm;
	__u64 perm_pos;
	__u64 shard_units;
	int has[2];
	struct in6_addr first[2];
	__u64 seed;
	__u32 window;
	int first_ttl, max_ttl, nttl;
	int tries;		/* --queries */
	int gap;		/* --gap-limit: silent TTLs in a row that end a flow */
	__u16 need[MDA_K_MAX + 1];
	struct mds_prefix *slots;
	__u32 *free_slots;
	__u32 nfree;
	__u32 active;
	struct fifo ready;	/* slots with probes to hand over */
	struct fifo finished;	/* slots whose record is due */
	__u32 taken_slot;	/* the slot of the record taken last, or SCAN_NONE */
	struct addrmap map;	/* address -> slot << 8 | index */
	struct mds_ifaces ifaces;	/* shared by every prefix */
	__u64 outstanding;
	__u64 blocked, duplicates;
	int stopped;
	int oom;
	struct mp_rec rec;
	struct scan_stats st;
};

/* A flow's hop at a TTL: a node, or MDA_HOP_* */
static inline __s32 *mds_hop_at(const struct mda_scan *ms, const struct mds_prefix *x,
				__u32 flow, int ttl)
{
	return &x->hop[(size_t)flow * (size_t)ms->nttl + (size_t)(ttl - ms->first_ttl)];
}

/* A reached destination is one next hop, whichever of its addresses answered */
#define MDS_SUCC_DESTINATION (-3)

/* What a hop counts as among a node's next hops */
static inline __s32 mds_succ_key(const struct mds_prefix *x, __s32 h)
{
	return x->nodes[h].verdict == VERDICT_REACHED && !x->nodes[h].silent
		       ? MDS_SUCC_DESTINATION
		       : h;
}

/*
 * plan/mda_scan.c: the flows TTL t needs (0: none beyond those asked) for
 * the next hops of node u at t (-1: the prober) to be settled
 */
__u32 mds_node_goal(struct mda_scan *ms, struct mds_prefix *x, int u, int t);

/* plan/mda_scan_lost.c */
/*
 * Whether a flow's path ended before TTL t: 2 it met the destination or an
 * Unreachable, 1 it was silent at the --gap-limit TTLs just below t, else 0
 */
int mds_flow_ended(const struct mda_scan *ms, const struct mds_prefix *x, __u32 f, int t);
/* A probe unanswered after tries: kept to ask again, or as a settled silence. 0 or -ENOMEM */
int mds_lost_add(const struct mda_scan *ms, struct mds_prefix *x, __u32 flow, int ttl,
		 int tries);
/*
 * The next round's probes by name into x->due, at most room: lost ones
 * worth asking again, and the flows of silent nodes one TTL on and more,
 * up to where their silence would reach --gap-limit. Their hops are
 * awaited (MDA_HOP_PENDING). Their count.
 */
__u32 mds_plan_named(struct mda_scan *ms, struct mds_prefix *x, __u32 room);
/*
 * Whether node h surely loses answers (MDS_LOSSY of them, as its retries
 * showed over the prefixes done or this one): a silence beside it is no
 * silent router
 */
int mds_node_lossy(struct mda_scan *ms, struct mds_prefix *x, __s32 h);
/*
 * Before the links: flows' silences that loss may explain (plan/mda_scan.h
 * above) break their flows' chains (no link across them); the prefix's
 * answers first into its interfaces' loss. 0 or -ENOMEM.
 */
int mds_break_lossy(struct mda_scan *ms, struct mds_prefix *x);

/* plan/mda_scan_iface.c */
/* The interface of address a: its index, made if new (make), -1 unknown, -ENOMEM */
__s32 mds_iface_get(struct mds_ifaces *t, const struct in6_addr *a, int make);
void mds_iface_free(struct mds_ifaces *t);
/* Interface b answered right after interface a on one flow */
void mds_iface_link(struct mds_ifaces *t, __s32 a, __s32 b);
/*
 * The share of its answers interface i loses, taken high (its retries'
 * answers about 95% above their count); 0.99 if nothing is known yet,
 * and for an interface that loses answers (MDS_LOSSY of them, as its
 * retries showed, one standard deviation below their count: one that
 * rate-limits its ICMP drops answers in bursts, the flows of one round
 * together, so no count of silent flows tells a silent router beside
 * it); 0 with one try (--queries 1: nothing tells loss from silence)
 */
double mds_iface_loss(const struct mda_scan *ms, __s32 i);
/* The same from rec answers to retries against asked first answers (struct mds_iface) */
double mds_loss_of(const struct mda_scan *ms, double rec, double asked);
/* Node h's first answers as its prefix's retries at its TTL would have met them */
double mds_node_asked(const struct mds_prefix *x, __s32 h);
/*
 * The loss that could hide a router at len TTLs between interfaces a and
 * c: the highest of those of the interfaces any flow met one after the
 * other on a way of len from a to c (little known of one: taken high),
 * and of a's and c's when their retries showed it (a rate-limited
 * router's neighbours see its load; that a neighbour is little known is
 * no sign)
 */
double mds_iface_run_loss(const struct mda_scan *ms, __s32 a, __s32 c, int len);
/*
 * Flow f answered from node h at TTL t: the interfaces it answered from
 * right before and after, linked to h's (made if new)
 */
void mds_iface_answer(struct mda_scan *ms, struct mds_prefix *x, __u32 f, int t, __s32 h);
/* A prefix done: its nodes' answers into their interfaces' loss (before its links) */
void mds_iface_done(struct mda_scan *ms, struct mds_prefix *x);
/* Node h's interface, -1 if none known */
__s32 mds_iface_of(struct mda_scan *ms, struct mds_prefix *x, __s32 h);

/* plan/mda_scan_input.c: the prefixes (operands, --targets, blocklist, shard). Exit code or 0 */
int mda_scan_load(struct mda_scan *ms);

/* 0 or -ENOMEM; after mda_scan_load */
int mda_scan_init(struct mda_scan *ms, const struct session *s);
void mda_scan_free(struct mda_scan *ms);
struct planner mda_scan_planner(struct mda_scan *ms);

#endif
