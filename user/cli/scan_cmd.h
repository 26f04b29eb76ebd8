/* SPDX-License-Identifier: GPL-2.0 */
/* xhop scan: its options and its run */
#ifndef XHOP_SCAN_CMD_H
#define XHOP_SCAN_CMD_H

#include "cli/out_opts.h"
#include "cli/probe_opts.h"
#include "plan/scan.h"

struct scan_opts {
	PROBE_OPTS_GROUP;	    /* -I -U -T --method -p -s -i --sender -t -v */
	struct scan_cfg plan;	    /* the list, the probing: the planner's */
	const char *output_file;    /* --output FILE (default stdout) */
	int format;		    /* --format json|warts (enum out_format) */
	int json;		    /* --json: --format json */
	const char *warts_file;	    /* --warts FILE: the traces as warts, too */
	const char *summary_file;   /* --summary FILE (default stderr) */
	int progress;		    /* --progress (else only on a terminal) */
};

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
