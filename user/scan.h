/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xhop scan: topology scans of many targets, every probe answered on the
 * XDP receive path, one scamper trace object per target.
 */
#ifndef XHOP_SCAN_H
#define XHOP_SCAN_H

#include <linux/types.h>

struct scan_opts {
	char **args;		    /* TARGET|PREFIX operands */
	int nargs;
	const char *targets_file;   /* --targets FILE ("-": stdin) */
	const char *blocklist_file; /* --blocklist FILE: replaces the built-in list */
	const char *output_file;    /* --output FILE (default stdout) */
	const char *summary_file;   /* --summary FILE (default stderr) */
	const char *ifname;	    /* -i */
	const char *source;	    /* -s */
	double rate;		    /* --rate, probes per second */
	double wait_s;		    /* --wait */
	__u64 seed;		    /* --seed (default: random) */
	int seed_set;
	__u64 max_targets;	    /* --max-targets */
	__u32 window;		    /* --window: targets in flight at most (0: derived) */
	int shard, shards;	    /* --shard I/N: 0-based I */
	int method;		    /* enum probe_method */
	int port;		    /* -p: UDP/TCP destination port (0: default) */
	int max_ttl;		    /* --max-ttl */
	int split_ttl;		    /* --split-ttl: first TTL until distances are learnt */
	int gap_limit;		    /* --gap-limit */
	int every_address;	    /* --every-address */
	int no_doubletree;	    /* --no-doubletree */
	int progress;		    /* --progress (else only on a terminal) */
	int sender;		    /* enum sender_kind (send/sender.h) */
	int tos;
	int verbose;
};

#define SCAN_MAX_TTL 32	       /* the TTL travels in 6 bits of the probe id */
#define SCAN_DEFAULT_RATE 10000 /* pps: ZMap's default */
#define SCAN_MAX_RATE 10000000
#define SCAN_DEFAULT_MAX_TARGETS 16777216ULL

/*
 * Parse `xhop scan [options] [TARGET|PREFIX ...]` (argv[0] is "scan").
 * Returns -1 when the scan should run, else the exit code (0 after
 * --help, 2 on a usage error, reported on stderr).
 */
int cli_parse_scan(int argc, char **argv, struct scan_opts *o);

/*
 * Run a scan. Returns the exit code: 0 done, 1 runtime failure, 2 bad
 * target list, 130/143 when interrupted (partial traces and the summary
 * are written first).
 */
int scan_main(const struct scan_opts *o);

#endif
