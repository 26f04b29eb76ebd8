/* SPDX-License-Identifier: GPL-2.0 */
/* xhop monitor: the options and the run (loader, sender, poll loop). */
#ifndef XHOP_MONITOR_CMD_H
#define XHOP_MONITOR_CMD_H

#include <stddef.h>
#include <stdio.h>
#include "cli/probe_opts.h"

struct mon_opts {
	PROBE_OPTS_GROUP;     /* -4 -6 -I -U -T -p -f -m -s -i --sender -t -v */
	char **targets;	      /* as given on the command line and in --targets */
	size_t n_targets;
	size_t cap_targets;
	const char *targets_file;
	const char *events_path; /* --events */
	const char *metrics_addr; /* --metrics ADDR:PORT */
	int metrics_asn;	  /* --metrics-asn: an asn label on responder series */
	double interval_s;    /* --interval */
	double wait_s;	      /* -w */
	double stale_s;	      /* --stale: responder series unseen this long go */
	int max_unknown;
	int size;	      /* --size: probe size; 0 default */
	int no_resolve;
	int json;
	int report;
	int cycles;	      /* -c; 0: until stopped */
	int confirm;
};

/*
 * Parse `xhop monitor [options] TARGET...` (argv[0] is "monitor"). -1:
 * run; else the exit code (0 after --help, 2 on a usage error, reported).
 * Free with mon_opts_free().
 */
int cli_parse_monitor(int argc, char **argv, struct mon_opts *o);
void mon_opts_free(struct mon_opts *o);
/*
 * Targets from a file: one per line, '#' starts a comment, blank lines
 * skipped. A bad line is reported as "xhop: NAME:LINE: ..." and -EINVAL
 * returned; -ENOMEM.
 */
int mon_targets_read(struct mon_opts *o, FILE *f, const char *name);
int mon_targets_add(struct mon_opts *o, const char *target);

/* Exit code: 0, 1 runtime failure, 2 a target does not resolve, 130/143 */
int monitor_main(const struct mon_opts *o);

#endif
