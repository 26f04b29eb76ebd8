/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What xhop scan writes: one scamper trace object per target as it
 * finishes (stdout or --output), a progress line on stderr, and the
 * summary object at the end (stderr or --summary).
 */
#ifndef XHOP_SCAN_SINKS_H
#define XHOP_SCAN_SINKS_H

#include <stdio.h>
#include <linux/types.h>
#include "core/session.h"
#include "core/sink.h"
#include "net/addrmap.h"

struct scan_stats;
struct ch_stats;

struct asn_lookup;

/* A trace waiting for the origin ASes of its hops (-z) */
struct scan_held {
	struct trace_rec rec;
	struct probe_rec *hops; /* its own copy */
	__u64 until;
};

/* Traces held at most; past that the oldest goes out as it is */
#define SCAN_HELD_MAX 1024

/* The traces: buffered, flushed every quarter second */
struct scan_json_sink {
	FILE *out;
	int owned;
	__u64 next_flush_ns;
	int err;
	/* origin ASes (-z, --asn-db): traces wait for them, in order, at
	 * most asn_wait_ns each (a file answers at once: none waits)
	 */
	struct asn_lookup *asn;
	__u64 asn_wait_ns;
	struct scan_held *held; /* ring of SCAN_HELD_MAX, allocated on first use */
	int head, nheld;
};

/* path NULL: stdout; asn NULL or off: no ASes. 0, or -1 (reported) */
int scan_json_open(struct scan_json_sink *j, const char *path, struct asn_lookup *asn,
		   __u64 asn_wait_ns, struct sink *out);

/* A set of addresses, in its own storage: the interfaces a scan found */
struct addr_set {
	struct in6_addr *v;
	__u32 n, cap;
	struct addrmap map;
};

/* What the summary says besides the counts (the run's settings) */
struct scan_summary_info {
	int method;
	int shard, shards;
	int doubletree;	       /* Doubletree on */
	int mda;	       /* --mda: prefixes, links and rounds */
	double confidence;     /* --mda's */
	__u64 bytes_per_target, bytes_per_hop;
	const char *measurement;
	const struct ch_stats *ch; /* --clickhouse: its counts; NULL: off */
};

struct scan_summary_sink {
	FILE *out;
	int owned;
	struct scan_summary_info info;
	const struct scan_stats *st;
	const struct run_stats *run;
	const struct session *s;
	__u64 done, reached, inferred;
	__u64 links, rounds;   /* --mda */
	__u32 rounds_max;
	struct addr_set ifaces, routers;
	int oom;
};

/* path NULL: stderr. 0, or -1 (reported) */
int scan_summary_open(struct scan_summary_sink *m, const char *path,
		      const struct scan_summary_info *info, const struct scan_stats *st,
		      const struct run_stats *run, const struct session *s, struct sink *out);

/* The progress line: on a terminal (rewritten in place) or with --progress */
struct scan_progress_sink {
	int tty, lines;
	__u64 next_ns, done;
	const struct scan_stats *st;
	const struct run_stats *run;
	const struct session *s;
};

struct sink scan_progress_sink(struct scan_progress_sink *p, int asked,
			       const struct scan_stats *st, const struct run_stats *run,
			       const struct session *s);

#endif
