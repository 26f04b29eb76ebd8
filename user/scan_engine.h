/* SPDX-License-Identifier: GPL-2.0 */
/* The state of one xhop scan, shared by its engine, input and output files. */
#ifndef XHOP_SCAN_ENGINE_H
#define XHOP_SCAN_ENGINE_H

#include <stdio.h>
#include <time.h>
#include <netinet/in.h>
#include <linux/types.h>
#include "doubletree.h"
#include "loader.h"
#include "scan.h"
#include "scan_table.h"
#include "send/sender.h"
#include "send/txq.h"
#include "targets.h"

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
/* answers parked while their probe's send stamp is unpublished */
#define SCAN_PARK_MAX 4096
/* next_ttl of a target whose first probe has not left yet */
#define FIRST_TTL_PENDING 255

/* A set of addresses (interfaces discovered), open addressing */
struct addr_set {
	struct in6_addr *v;
	__u8 *used;
	__u64 n, mask;
};

struct scan_fam {
	int on;
	struct in6_addr src;
	struct probe_spec base;
	int probe_size;
};

struct scan {
	const struct scan_opts *o;
	/* targets: the list after the blocklist, the order, this shard */
	struct target_set targets;
	struct permutation perm;
	__u64 perm_pos;	     /* next position of the permutation */
	__u64 shard_targets; /* targets of this shard */
	int has[2];	     /* IPv4, IPv6 targets present */
	struct in6_addr first[2];
	__u32 window;
	__u64 seed;
	/* the run */
	struct xhop_key key;
	struct loader ld;
	struct scan_fam fam[2]; /* [0] IPv4, [1] IPv6 */
	struct sender tx;	/* both families' */
	int tx_open;
	int ifindex;
	__u16 sport, dport, icmp_sum;
	struct scan_table tab;
	struct doubletree dt;
	__u64 wait_ns;
	/* the sending thread, its queue, and how far ahead it is filled */
	struct txq txq;
	double quantum; /* probes per send wake-up */
	__u64 lookahead;
	/* answers that overtook their send stamp (scan.c) */
	struct xhop_event parked[SCAN_PARK_MAX];
	__u32 nparked;
	__u64 parked_done; /* the queue's sent count at the last replay */
	/* first-TTL learning: distances of reached destinations */
	__u32 dist_hist[SCAN_MAX_TTL + 1];
	__u32 dist_n;
	/* time */
	struct timespec start;
	__s64 real_offset_ns;
	__u64 t0_ns, end_ns, last_progress_ns, last_flush_ns;
	/* time with probes ready beyond the send queue, and probes sent then */
	__u64 backlog_ns, backlog_probes;
	/* counts */
	__u64 admitted, finished, reached, duplicates;
	__u64 probes_sent, replies, ignored;
	__u64 warmup_replies; /* answers to the sender's trial probes */
	__u64 send_errors;  /* probes handed to the sender that did not leave */
	__u32 fail_run;	    /* ... in a row, none leaving between */
	int fail_err;	    /* the last one's -errno */
	int send_failed;    /* -errno: probes could not leave, the scan stopped */
	__u64 outstanding; /* probes sent, neither answered nor timed out */
	__u64 inferred_hops;
	struct addr_set ifaces; /* every address that answered */
	struct addr_set routers; /* those that answered as routers */
	int oom;
	int interrupted;
	/* output */
	FILE *out, *summary;
	int progress_tty, progress_lines;
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

/* scan_input.c: the target list (operands, --targets, blocklist, shard) */
int scan_load_targets(struct scan *sc);
/* scan_output.c */
int scan_open_outputs(struct scan *sc);
/* 0, or -1 when writing the output failed (reported); idempotent */
int scan_close_output(struct scan *sc);
/* Write the target's trace and free its slot; cut: interrupted */
void scan_finish_target(struct scan *sc, __u32 slot, int cut);
void scan_progress(struct scan *sc, __u64 now, int last);
void scan_write_summary(struct scan *sc);
void scan_free_sets(struct scan *sc);
int addr_set_add(struct addr_set *s, const struct in6_addr *a);

#endif
