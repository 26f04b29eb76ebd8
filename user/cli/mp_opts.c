// SPDX-License-Identifier: GPL-2.0
/*
 * `xhop multipath` options: xhop HOST's where they mean the same, and
 * scamper tracelb's confidence, probe limit and gap limit. One table
 * feeds the parser and --help.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "cli/mp_cmd.h"
#include "plan/mda.h"
#include "send/sender.h"

#define OPT(name, type, field, ...) CLI_OPT(name, type, struct mp_opts, field, __VA_ARGS__)
#define PROBE(r) PROBE_OPT(struct mp_opts, r)
#define OUT(r, help) OUT_OPT_HELP(struct mp_opts, r, help)

/* -w MAX[,HERE], as Debian traceroute's -w MAX,HERE */
static int parse_wait(void *opts, const struct cli_opt *row, const char *arg)
{
	struct mp_opts *o = opts;
	char max[32];
	const char *comma = strchr(arg, ',');
	size_t n = comma ? (size_t)(comma - arg) : strlen(arg);

	if (n >= sizeof(max)) {
		fprintf(stderr, "xhop multipath: -w '%s': not MAX[,HERE]\n", arg);
		return -1;
	}
	memcpy(max, arg, n);
	max[n] = 0;
	if (cli_parse_double("-w", max, row->min, row->max, &o->wait_s))
		return -1;
	if (comma && cli_parse_double("-w HERE", comma + 1, 0, 1000, &o->here))
		return -1;
	return 0;
}

static const struct cli_opt mp_rows[] = {
	PROBE_TRACE_ROWS(struct mp_opts),
	OPT("confidence", CLI_DOUBLE, confidence, .min = 50, .max = 99.9, .arg = "PCT",
	    .help = "per interface: rule out one more next hop with this confidence (95)"),
	OPT("max-probes", CLI_INT, max_probes, .min = 1, .max = MDA_PROBES_MAX, .arg = "N",
	    .help = "stop after N probes (3000): stop_reason PROBELIMIT"),
	OPT("gaplimit", CLI_INT, gaplimit, .min = 1, .max = 255, .arg = "N",
	    .help = "stop after N TTLs in a row where every flow is silent (3)"),
	OPT("queries", CLI_INT, attempts, .short_name = 'q', .min = 1, .max = 10, .arg = "N",
	    .help = "tries of one flow at one TTL before it counts as silent (2)"),
	OPT("wait", CLI_CUSTOM, wait_s, .short_name = 'w', .parse = parse_wait, .min = 0.001,
	    .max = 3600, .arg = "MAX[,HERE]",
	    .help = "wait for a reply at most MAX seconds, and at most HERE times the\n"
		    "slowest reply at its TTL, not below 20 ms (2.0,10; HERE 0: off)"),
	OPT("sim-queries", CLI_INT, in_flight, .short_name = 'N', .min = 1, .max = 4096,
	    .arg = "N", .help = "probes in flight (default 64)"),
	PROBE_LEAVE_ROWS(struct mp_opts),
	OPT("no-resolve", CLI_FLAG, no_resolve, .short_name = 'n',
	    .help = "print addresses, do not look up names"),
	OUT(OUT_ROW_FORMAT, "text (default), json (one scamper tracelb-style object) or\n"
			    "warts (a scamper tracelb record)"),
	OUT(OUT_ROW_JSON, "same as --format json"),
	OUT(OUT_ROW_OUTPUT, "write the trace here (default stdout)"),
	OUT(OUT_ROW_WARTS, "also write the same trace as warts to FILE"),
	PROBE(PROBE_VERBOSE),
	CLI_HELP_OPT,
	CLI_VERSION_OPT,
};
_Static_assert(ARRAY_SIZE(mp_rows) <= CLI_OPTS_MAX, "raise CLI_OPTS_MAX");

static const struct cli_cmd mp_cmd = {
	.name = "xhop multipath",
	.usage = "Usage: xhop multipath [options] HOST\n"
		 "Find every load-balanced path to HOST (the Multipath Detection Algorithm):\n"
		 "each flow a source port (UDP, TCP) or ICMP checksum of its own.\n\n"
		 "Options:\n",
	.epilog = "\nExit status: 0 traced (any stop reason), 1 runtime failure,\n"
		  "2 usage error or HOST does not resolve, 130 interrupted (SIGINT).\n",
	.opts = mp_rows,
	.n_opts = ARRAY_SIZE(mp_rows),
};

static const struct mp_opts mp_defaults = {
	.probe = PROBE_OPTS_DEFAULTS(SENDER_RAW),
	.wait_s = 2.0,
	.here = 10,
	.confidence = 95,
	.attempts = 2,
	.in_flight = 64,
	.max_probes = 3000,
	.gaplimit = 3,
	.format = OUT_UNSET,
};

int cli_parse_mp(int argc, char **argv, struct mp_opts *o)
{
	int rc;

	*o = mp_defaults;
	rc = cli_parse(&mp_cmd, argc, argv, o);
	if (rc >= 0)
		return rc;
	if (probe_opts_host("xhop multipath", argc, argv, &o->host) ||
	    probe_opts_no_more("xhop multipath", argc, argv))
		return EXIT_USAGE;
	o->format = out_format_resolve("xhop multipath", o->format, o->json, OUT_TEXT, o->output);
	if (o->format < 0)
		return EXIT_USAGE;
	if (probe_opts_ttls("xhop multipath", &o->probe, MDA_TTL_MAX))
		return EXIT_USAGE;
	return -1;
}
