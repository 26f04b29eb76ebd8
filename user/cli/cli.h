/* SPDX-License-Identifier: GPL-2.0 */
/* Command-line parsing: one option table feeds getopt_long and --help. */
#ifndef XHOP_CLI_H
#define XHOP_CLI_H

#include <getopt.h>
#include <stdio.h>
#include "core/probe_build.h"

/* xhop HOST's options */
struct trace_opts {
	const char *host;
	const char *source;  /* -s: source address */
	const char *ifname;  /* -i: interface */
	double wait_s;	     /* -w: per-probe wait */
	int family;	     /* 0 (either), 4, 6 */
	int method;	     /* enum probe_method */
	int first_ttl;	     /* -f */
	int max_ttl;	     /* -m */
	int queries;	     /* -q */
	int sim_queries;     /* -N: probes in flight at once */
	int sim_set;	     /* -N was given */
	int port;	     /* -p: destination port (UDP, TCP); 0: default */
	int packetlen;	     /* total probe size; 0: default */
	int tos;	     /* -t */
	int no_resolve;	     /* -n */
	int json;	     /* --json */
	int verbose;	     /* -v */
	int sender;	     /* --sender: enum sender_kind */
};

#define XHOP_VERSION "0.1.0"

/* Exit codes (documented in --help and README) */
#define EXIT_OK 0
#define EXIT_RUNTIME 1
#define EXIT_USAGE 2

/* One option table feeds getopt_long and --help */
struct cli_option {
	const char *name;
	int val; /* short option, or >= 256 for long-only */
	int has_arg;
	const char *arg; /* the value's name in --help */
	const char *help;
};

/* longs: n + 1 entries; shorts: 2 * n + 2 bytes, '+'-led (stop at the first operand) */
void cli_build_getopt(const struct cli_option *opts, size_t n, struct option *longs, char *shorts);
void cli_print_options(FILE *out, const struct cli_option *opts, size_t n);
/* After getopt_long returned '?': name the bad option; cmd as in "Try 'CMD --help'." */
void cli_report_bad_option(int argc, char **argv, const char *shorts, const char *cmd);

/* --sender: long only, the same value in every mode's table */
#define CLI_OPT_SENDER 4096
#define CLI_SENDER_HELP "auto, kernel, xdp, packet or raw (send/sender.h)"

/* Where the probing options every mode shares go */
struct cli_probe {
	int *method;	     /* -I -U -T: enum probe_method */
	int *port;	     /* -p */
	int *tos;	     /* -t */
	int *verbose;	     /* -v, counted */
	const char **source; /* -s */
	const char **ifname; /* -i */
	/* traceroute's TTL and family options, for the modes that take them
	 * (NULL: not an option of this mode)
	 */
	int *family;	     /* -4, -6 */
	int *first_ttl;	     /* -f, 1-255 */
	int *max_ttl;	     /* -m, 1-255 */
	int *sender;	     /* --sender: enum sender_kind */
};

/*
 * Apply option c (from getopt_long) if it is one of -I -U -T -p -t -s -i
 * -v (and -4 -6 -f -m where p has a place for them): 1 applied, 0 not one
 * of them, -1 a bad value (reported).
 */
int cli_probe_option(int c, const char *arg, const struct cli_probe *p);

/* Run one trace (options parsed): the exit code (0, 1, 2, 128 + signal) */
int trace_run(const struct trace_opts *o);

/*
 * Parse `xhop [options] HOST [packetlen]`. Returns -1 when the trace
 * should run, else the exit code (0 after --help/--version, 2 on a usage
 * error, already reported on stderr).
 */
int cli_parse_trace(int argc, char **argv, struct trace_opts *o);

/* A number option: whole or decimal within [min, max]; reports and
 * returns -1 on error, naming the option and the bad value.
 */
int cli_parse_long(const char *opt, const char *s, long min, long max, long *out);
int cli_parse_double(const char *opt, const char *s, double min, double max, double *out);

#endif
