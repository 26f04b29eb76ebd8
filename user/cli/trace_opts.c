// SPDX-License-Identifier: GPL-2.0
/*
 * `xhop HOST` options: Debian traceroute's where they overlap (-n -m -f
 * -q -w -I -U -T -p -s -i -N -t, packetlen after HOST), each with a long
 * form. One table feeds the parser and --help.
 */
#include <getopt.h>
#include <stdio.h>
#include "cli/cli.h"
#include "send/sender.h"

#define OPT(name, type, field, ...) CLI_OPT(name, type, struct trace_opts, field, __VA_ARGS__)
#define PROBE(r) PROBE_OPT(struct trace_opts, r)
#define OUT(r, help) OUT_OPT_HELP(struct trace_opts, r, help)

/* -N: also noted as given, for TCP's default of one (trace_cmd.c) */
static int parse_sim_queries(void *opts, const struct cli_opt *row, const char *arg)
{
	struct trace_opts *o = opts;

	if (cli_set_int(opts, row, arg))
		return -1;
	o->sim_set = 1;
	return 0;
}

static const struct cli_opt trace_rows[] = {
	PROBE_TRACE_ROWS(struct trace_opts),
	OPT("queries", CLI_INT, queries, .short_name = 'q', .min = 1, .max = 10, .arg = "N",
	    .help = "probes per hop (default 3)"),
	OPT("wait", CLI_DOUBLE, wait_s, .short_name = 'w', .min = 0.001, .max = 3600,
	    .arg = "SECONDS", .help = "wait for each reply (default 5.0)"),
	OPT("sim-queries", CLI_CUSTOM, sim_queries, .short_name = 'N', .parse = parse_sim_queries,
	    .min = 1, .max = 255, .arg = "N", .help = "probes in flight (default 16; TCP: 1)"),
	PROBE_LEAVE_ROWS(struct trace_opts),
	OPT("no-resolve", CLI_FLAG, no_resolve, .short_name = 'n',
	    .help = "print addresses, do not look up names"),
	OUT(OUT_ROW_FORMAT,
	    "text (default), json (a scamper trace object) or warts (scamper's binary)"),
	OUT(OUT_ROW_JSON, "same as --format json"),
	OUT(OUT_ROW_OUTPUT, "write the trace here (default stdout)"),
	OUT(OUT_ROW_WARTS, "also write the same trace as warts to FILE"),
	PROBE(PROBE_ASLOOKUP),
	PROBE(PROBE_ASN_DB),
	PROBE(PROBE_VERBOSE),
	CLI_HELP_OPT,
	CLI_VERSION_OPT,
};
_Static_assert(ARRAY_SIZE(trace_rows) <= CLI_OPTS_MAX, "raise CLI_OPTS_MAX");

static const struct cli_cmd trace_cmd = {
	.name = "xhop",
	.usage = "Usage: xhop [options] HOST [packetlen]\n"
		 "       xhop scan [options] [TARGET|PREFIX ...]   (see xhop scan --help)\n"
		 "       xhop monitor [options] TARGET...          (see xhop monitor --help)\n"
		 "       xhop multipath [options] HOST             (see xhop multipath --help)\n"
		 "       xhop clickhouse-schema [--cluster NAME]   (DDL for --clickhouse)\n"
		 "       xhop clickhouse-replay FILE               (deliver a ClickHouse spool)\n"
		 "Trace the path to HOST with an XDP receive path and kernel-stamped RTTs.\n\n"
		 "Options:\n",
	.epilog = "\nExit status: 0 the trace ran (reached or not), 1 runtime failure,\n"
		  "2 usage error or HOST does not resolve, 130 interrupted (SIGINT).\n",
	.opts = trace_rows,
	.n_opts = ARRAY_SIZE(trace_rows),
};

static const struct trace_opts trace_defaults = {
	/* one trace is a few dozen probes: the raw socket, stamped at tc egress */
	.probe = PROBE_OPTS_DEFAULTS(SENDER_RAW),
	.queries = 3,
	.wait_s = 5.0,
	.sim_queries = 16,
	.format = OUT_UNSET,
};

int cli_parse_trace(int argc, char **argv, struct trace_opts *o)
{
	long v;
	int rc;

	*o = trace_defaults;
	rc = cli_parse(&trace_cmd, argc, argv, o);
	if (rc >= 0)
		return rc;
	if (probe_opts_host("xhop", argc, argv, &o->host))
		return EXIT_USAGE;
	if (optind < argc) {
		if (cli_parse_long("packetlen", argv[optind], 28, 1500, &v))
			return EXIT_USAGE;
		o->packetlen = v;
		optind++;
	}
	if (probe_opts_no_more("xhop", argc, argv))
		return EXIT_USAGE;
	o->format = out_format_resolve("xhop", o->format, o->json, OUT_TEXT, o->output);
	if (o->format < 0)
		return EXIT_USAGE;
	if (probe_opts_ttls("xhop", &o->probe, 255))
		return EXIT_USAGE;
	return -1;
}
