/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xhop scan as a planner: targets enter a window of slots in the order
 * of a keyed permutation of the list; each probes backward and forward
 * from its first TTL (plan/scan_plan.c) until its path is known, with
 * Doubletree's stops (plan/doubletree.h); each finished target is handed
 * over as a trace record. An answer finds its target through the
 * destination it quotes and its TTL through its probe id: nothing is kept
 * per probe but the one outstanding id per direction of a target.
 */
#ifndef XHOP_SCAN_H
#define XHOP_SCAN_H

#include <netinet/in.h>
#include <linux/types.h>
#include "core/fifo.h"
#include "core/planner.h"
#include "core/record.h"
#include "core/session.h"
#include "net/addrmap.h"
#include "net/targets.h"
#include "plan/doubletree.h"
#include "plan/scan_table.h"

#define SCAN_MAX_TTL 32	       /* the TTL travels in 6 bits of the probe id */
#define SCAN_DEFAULT_RATE 10000 /* pps: ZMap's default */
#define SCAN_MAX_RATE 10000000
#define SCAN_DEFAULT_MAX_TARGETS 16777216ULL

/* The TTL travels in the low 6 bits of a probe id, so no id is 0 */
#define PROBE_TTL_BITS 6
#define PROBE_TTL_MASK ((1u << PROBE_TTL_BITS) - 1)
/*
 * Doubletree: targets that must agree on what lies below a hop before
 * others stop there; one target in DT_RECHECK never stops
 */
#define DT_STABLE_OBS 32
#define DT_RECHECK 64
/* distances learnt before their median replaces --split-ttl */
#define SPLIT_MIN_SAMPLES 16
/* next_ttl of a target whose first probe has not left yet */
#define FIRST_TTL_PENDING 255

/* What the scan planner needs of the command line */
struct scan_cfg {
	/* the target list */
	char **args;		    /* TARGET|PREFIX operands */
	int nargs;
	const char *targets_file;   /* --targets FILE ("-": stdin) */
	const char *blocklist_file; /* --blocklist FILE: replaces the built-in list */
	__u64 max_targets;	    /* --max-targets */
	__u64 seed;		    /* --seed (default: random) */
	int seed_set;
	int every_address;	    /* --every-address */
	int shard, shards;	    /* --shard I/N: 0-based I */
	__u32 window;		    /* --window: targets in flight at most (0: derived) */
	double rate;		    /* --rate: sizes the window */
	/* probing */
	int method;		    /* enum probe_method */
	int max_ttl;		    /* --max-ttl */
	int split_ttl;		    /* --split-ttl: first TTL until distances are learnt */
	int gap_limit;		    /* --gap-limit */
	int no_doubletree;	    /* --no-doubletree */
	double wait_s;		    /* --wait */
	int tos;
	/* --mda: Diamond-Miner over the prefixes (plan/mda_scan.h) */
	int mda;
	int first_ttl;		    /* --first-hop */
	double confidence;	    /* --confidence, percent */
	int max_probes;		    /* --max-probes, per prefix */
	int attempts;		    /* --queries: tries of one flow at one TTL */
};

/* What the scan counted, for its summary and progress line */
struct scan_stats {
	__u64 targets;	      /* this shard's */
	__u64 targets_listed;
	__u64 blocked;
	__u64 duplicates;
	__u64 admitted;
	__u64 active;	      /* targets in flight now */
	__u64 doubletree_stops;
	__u64 late_divergence;
	__u64 retries;	      /* --mda: probes asked again */
	__u64 seed;
	__u32 window;
};

struct scan {
	const struct scan_cfg *c;
	const struct session *s;   /* flow, sources, probe sizes, start */
	/* targets: the list after the blocklist, the order, this shard */
	struct target_set targets;
	struct permutation perm;
	__u64 perm_pos;	     /* next position of the permutation */
	__u64 shard_targets; /* targets of this shard */
	int has[2];	     /* IPv4, IPv6 targets present */
	struct in6_addr first[2];
	__u32 window;
	__u64 seed;
	struct scan_table tab;
	struct addrmap map;  /* dst -> slot of the targets in flight */
	struct doubletree dt;
	/* first-TTL learning: distances of reached destinations */
	__u32 dist_hist[SCAN_MAX_TTL + 1];
	__u32 dist_n;
	/* counts */
	__u64 admitted, duplicates, replies, outstanding;
	int oom;
	int stopped;
	/* finished targets, for take(): their records, then their slots freed */
	struct fifo finished;	/* slot numbers */
	__u32 taken_slot;	/* the slot of the record last taken, SCAN_NONE */
	struct trace_rec rec;
	struct probe_rec hops[SCAN_MAX_TTL];
	struct scan_stats st;
};

/* scan_plan.c: what a target probes next */
__u16 scan_probe_id(struct scan_target *t, int ttl);
int scan_probe_ttl(__u16 id);
int scan_probed(const struct scan_target *t, int ttl);
/* The first TTL for a target whose first probe leaves now */
int scan_first_ttl(struct scan *sc);
/*
 * The target's probe of direction dir is leaving: mark it sent and
 * return its TTL (0: nothing to send in that direction now)
 */
int scan_take_probe(struct scan *sc, __u32 slot, int dir);
/* Queue the target's due probes (new targets' first probes go last) */
void scan_queue_due(struct scan *sc, __u32 slot);
/* An answer to the target's outstanding probe of direction dir, at ttl:
 * recorded, and what follows from it
 */
void scan_answer(struct scan *sc, __u32 slot, int dir, const struct hop_reply *r, int ttl);
/* Its probe of direction dir at ttl went unanswered */
void scan_timeout(struct scan *sc, __u32 slot, int dir, int ttl);
/* Its probe of direction dir at ttl was taken but never sent (stopping) */
void scan_unsent(struct scan *sc, __u32 slot, int dir, int ttl);
/* Its probe of direction dir at ttl could not leave: the target ends in ERROR */
void scan_send_failed(struct scan *sc, __u32 slot, int dir, int ttl);
/* The target is done probing: its record is due (take()) */
void scan_finish(struct scan *sc, __u32 slot);

/* scan_input.c: the target list (operands, --targets, blocklist, shard). Exit code or 0 */
int scan_load_targets(struct scan *sc);
/*
 * The blocklist (--blocklist or the built-in one), the operands and
 * --targets as given, and the seed (--seed, else a random one). Exit
 * code or 0 (reported); the lists are the caller's to free either way.
 */
int scan_read_lists(const struct scan_cfg *o, struct prefix_list *block,
		    struct prefix_list *list, __u64 *seed);

/* scan_record.c: the trace record of a finished target, into sc->rec */
void scan_record(struct scan *sc, __u32 slot);

/* scan.c: the planner. scan_init after scan_load_targets; 0 or -ENOMEM */
int scan_init(struct scan *sc, const struct session *s);
void scan_free(struct scan *sc);
struct planner scan_planner(struct scan *sc);

#endif
