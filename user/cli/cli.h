/* SPDX-License-Identifier: GPL-2.0 */
/* xhop HOST's options and run; the parser and exit codes (cli/parse.h). */
#ifndef XHOP_CLI_H
#define XHOP_CLI_H

#include "cli/parse.h"
#include "cli/probe_opts.h"
#include "cli/out_opts.h"

/* xhop HOST's options */
struct trace_opts {
	PROBE_OPTS_GROUP;    /* -4 -6 -I -U -T -p -f -m -s -i --sender -t -v */
	const char *host;
	double wait_s;	     /* -w: per-probe wait */
	int queries;	     /* -q */
	int sim_queries;     /* -N: probes in flight at once */
	int sim_set;	     /* -N was given */
	int packetlen;	     /* total probe size; 0: default */
	int no_resolve;	     /* -n */
	int json;	     /* --json: --format json */
	int format;	     /* --format: enum out_format (cli/out_opts.h) */
	const char *output;  /* --output FILE (default stdout) */
	const char *warts;   /* --warts FILE: the same trace as warts, too */
};

/* Run one trace (options parsed): the exit code (0, 1, 2, 128 + signal) */
int trace_run(const struct trace_opts *o);

/*
 * Parse `xhop [options] HOST [packetlen]`. Returns -1 when the trace
 * should run, else the exit code (0 after --help/--version, 2 on a usage
 * error, already reported on stderr).
 */
int cli_parse_trace(int argc, char **argv, struct trace_opts *o);

#endif
