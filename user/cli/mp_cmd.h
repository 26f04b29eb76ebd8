/* SPDX-License-Identifier: GPL-2.0 */
/* xhop multipath: its options and its run */
#ifndef XHOP_MP_CMD_H
#define XHOP_MP_CMD_H

#include "cli/probe_opts.h"

struct mp_opts {
	PROBE_OPTS_GROUP;    /* -4 -6 -I -U -T -p -f -m -s -i --sender -t -v */
	const char *host;
	double wait_s;	     /* -w MAX: per-probe wait */
	double here;	     /* -w MAX,HERE: times the slowest reply at the TTL */
	double confidence;   /* --confidence, percent */
	int attempts;	     /* -q: tries of one flow at one TTL */
	int in_flight;	     /* -N */
	int max_probes;	     /* --max-probes */
	int gaplimit;	     /* --gaplimit */
	int no_resolve;	     /* -n */
	int json;	     /* --json */
};

/*
 * Parse `xhop multipath [options] HOST` (argv[0] is "multipath"). -1:
 * run; else the exit code (0 after --help, 2 on a usage error, reported)
 */
int cli_parse_mp(int argc, char **argv, struct mp_opts *o);
/* The exit code: 0 traced (whatever the stop reason), 1, 2, 128 + signal */
int mp_main(const struct mp_opts *o);

#endif
