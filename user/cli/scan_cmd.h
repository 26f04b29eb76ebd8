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
	OUT_OPTS_GROUP;		    /* --output --format (json|warts) --json --warts */
	const char *summary_file;   /* --summary FILE (default stderr) */
	int progress;		    /* --progress (else only on a terminal) */
	/* --clickhouse URL and its companions (sink/clickhouse.h) */
	const char *clickhouse_url;
	const char *clickhouse_table;	/* --clickhouse-table DB.TABLE */
	const char *clickhouse_spool;	/* --clickhouse-spool FILE */
	double clickhouse_wait;		/* --clickhouse-wait SECONDS */
	const char *vantage;		/* --vantage NAME (default the host name) */
	const char *measurement;	/* --measurement NAME (default generated) */
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
