// SPDX-License-Identifier: GPL-2.0
/*
 * `xhop monitor` options: the probing options of `xhop HOST` where they
 * apply, mtr's -r/-c for reports, and the monitor's own long options.
 * One table feeds the parser and --help.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/monitor_cmd.h"
#include "net/lines.h"
#include "send/sender.h"

/*
 * Every target of a monitor is probed at every TTL each interval and
 * keeps its hops' statistics: 1,000 targets at 1 s measured 5,250
 * probes a cycle and 38 MB. 16,384 is 86k probes/s at the default
 * interval, near what the sender sustains; more is several monitors'
 * work. It also bounds what a --targets file can make us keep.
 */
#define MON_TARGETS_MAX 16384

int mon_targets_add(struct mon_opts *o, const char *target)
{
	char *s;

	if (o->n_targets >= MON_TARGETS_MAX)
		return -E2BIG;
	if (o->n_targets == o->cap_targets) {
		size_t cap = o->cap_targets ? 2 * o->cap_targets : 16;
		char **v = realloc(o->targets, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		o->targets = v;
		o->cap_targets = cap;
	}
	s = strdup(target);
	if (!s)
		return -ENOMEM;
	o->targets[o->n_targets++] = s;
	return 0;
}

/* A host name or address literal: printable, no spaces, DNS length */
static int target_word_ok(const char *w, size_t len)
{
	if (len == 0 || len > 253)
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)w[i];

		if (c <= ' ' || c >= 0x7f)
			return 0;
	}
	return 1;
}

int mon_targets_read(struct mon_opts *o, FILE *f, const char *name)
{
	struct line_bounds b = line_bounds_for(MON_TARGETS_MAX, "the most one monitor takes");
	struct line_reader r;
	char *p;
	int err;

	line_reader_init(&r, f, name, &b);
	while ((err = line_next(&r, &p)) > 0) {
		if (!target_word_ok(p, strlen(p))) {
			line_error(&r, "'%.64s' is not a host name or address", p);
			return -EINVAL;
		}
		err = mon_targets_add(o, p);
		if (err == -E2BIG)
			return line_too_many(&r, "targets");
		if (err) {
			line_error(&r, "%s", strerror(-err));
			return err;
		}
	}
	return err;
}

void mon_opts_free(struct mon_opts *o)
{
	for (size_t i = 0; i < o->n_targets; i++)
		free(o->targets[i]);
	free(o->targets);
	o->targets = NULL;
	o->n_targets = o->cap_targets = 0;
}

static int read_targets_file(struct mon_opts *o, const char *path)
{
	FILE *f = line_open(path, "--targets");
	int err;

	if (!f)
		return -errno;
	err = mon_targets_read(o, f, line_name(path));
	line_close(f);
	return err;
}


/* --targets FILE: read at once, so its errors come in command-line order */
static int parse_targets(void *opts, const struct cli_opt *row, const char *arg)
{
	struct mon_opts *o = opts;

	(void)row;
	o->targets_file = arg;
	return read_targets_file(o, arg) ? -1 : 0;
}

#define OPT(name, type, field, ...) CLI_OPT(name, type, struct mon_opts, field, __VA_ARGS__)
#define PROBE(r) PROBE_OPT(struct mon_opts, r)
#define PROBE_HELP(r, help) PROBE_OPT_HELP(struct mon_opts, r, help)

static const struct cli_opt mon_rows[] = {
	PROBE_HELP(PROBE_IPV4, "IPv4 only (names resolve to IPv4)"),
	PROBE_HELP(PROBE_IPV6, "IPv6 only"),
	PROBE(PROBE_ICMP),
	PROBE(PROBE_UDP),
	PROBE(PROBE_TCP),
	PROBE(PROBE_PORT),
	PROBE(PROBE_FIRST_HOP),
	PROBE_HELP(PROBE_MAX_HOPS, "probe at most to this TTL (default 30)"),
	OPT("max-unknown", CLI_INT, max_unknown, .min = 1, .max = 255, .arg = "N",
	    .help = "TTLs probed past the last answering one (default 5)"),
	OPT("wait", CLI_DOUBLE, wait_s, .short_name = 'w', .min = 0.001, .max = 60,
	    .arg = "SECONDS", .help = "a probe is lost after this (default 1.0)"),
	OPT("interval", CLI_DOUBLE, interval_s, .min = 0.01, .max = 3600, .arg = "SECONDS",
	    .help = "one cycle (every hop of every target) per interval (default 1.0)"),
	OPT("targets", CLI_CUSTOM, targets_file, .parse = parse_targets, .arg = "FILE",
	    .help = "targets from FILE, one per line"),
	PROBE_LEAVE_ROWS(struct mon_opts),
	OPT("size", CLI_INT, size, .min = 28, .max = 1500, .arg = "BYTES",
	    .help = "probe size, IP header included"),
	OPT("no-resolve", CLI_FLAG, no_resolve, .short_name = 'n',
	    .help = "addresses only, no name lookups"),
	OPT("report", CLI_FLAG, report, .short_name = 'r',
	    .help = "print a report after --cycles (as mtr -r)"),
	OPT("cycles", CLI_INT, cycles, .short_name = 'c', .min = 0, .max = 100000000, .arg = "N",
	    .help = "stop after N cycles (--report: 10; else 0: never)"),
	OPT("json", CLI_FLAG, json, .help = "the report as JSON, one object per target"),
	OPT("confirm", CLI_INT, confirm, .min = 1, .max = 100, .arg = "N",
	    .help = "a path change must hold N cycles (default 2)"),
	OPT("events", CLI_STRING, events_path, .arg = "FILE",
	    .help = "append path-change events to FILE"),
	OPT("metrics", CLI_STRING, metrics_addr, .arg = "ADDR:PORT",
	    .help = "serve Prometheus metrics at http://ADDR:PORT/metrics"),
	OPT("metrics-asn", CLI_FLAG, metrics_asn,
	    .help = "label responder series with their origin AS (-z or --asn-db)"),
	OPT("stale", CLI_DOUBLE, stale_s, .min = 0, .max = 1e7, .arg = "SECONDS",
	    .help = "drop responder series unseen this long (default 600)"),
	PROBE(PROBE_ASLOOKUP),
	PROBE(PROBE_ASN_DB),
	PROBE(PROBE_VERBOSE),
	CLI_HELP_OPT,
	CLI_VERSION_OPT,
};
_Static_assert(ARRAY_SIZE(mon_rows) <= CLI_OPTS_MAX, "raise CLI_OPTS_MAX");

static const struct cli_cmd mon_cmd = {
	.name = "xhop monitor",
	.usage = "Usage: xhop monitor [options] TARGET...\n"
		 "       xhop monitor [options] --targets FILE [TARGET...]\n"
		 "Probe every hop of every target each interval: per-hop loss and kernel-stamped\n"
		 "RTTs, path-change events, Prometheus metrics. A live view when stdout is a\n"
		 "terminal (keys: q quit, p pause, r reset, n/b next/previous target).\n\n"
		 "Options:\n",
	.epilog = "\nEvents (one JSON line each) go to --events FILE, else to stdout unless the\n"
		  "live view is on it. Exit status: 0 ok, 1 runtime failure, 2 usage error or a\n"
		  "target does not resolve, 130 on SIGINT and 143 on SIGTERM (after the report).\n",
	.opts = mon_rows,
	.n_opts = ARRAY_SIZE(mon_rows),
};

static const struct mon_opts mon_defaults = {
	/* a cycle's probes are spread over the interval: raw sockets, tc stamps */
	.probe = PROBE_OPTS_DEFAULTS(SENDER_RAW),
	.max_unknown = 5,
	.wait_s = 1.0,
	.interval_s = 1.0,
	.stale_s = 600,
	.confirm = 2,
	.cycles = -1, /* not given: --report's 10, else 0 (cli_parse_monitor) */
};

/* The operands after the options: targets. -1, else the exit code */
static int add_operands(struct mon_opts *o, int argc, char **argv)
{
	for (; optind < argc; optind++) {
		int err;

		if (!target_word_ok(argv[optind], strlen(argv[optind]))) {
			fprintf(stderr, "xhop: '%.64s' is not a host name or address\n", argv[optind]);
			return EXIT_USAGE;
		}
		err = mon_targets_add(o, argv[optind]);
		if (err == -E2BIG) {
			fprintf(stderr, "xhop: more than %d targets\n", MON_TARGETS_MAX);
			return EXIT_USAGE;
		}
		if (err) {
			fprintf(stderr, "xhop: out of memory\n");
			return EXIT_RUNTIME;
		}
	}
	return -1;
}

int cli_parse_monitor(int argc, char **argv, struct mon_opts *o)
{
	int rc;

	*o = mon_defaults;
	rc = cli_parse(&mon_cmd, argc, argv, o);
	if (rc < 0)
		rc = add_operands(o, argc, argv);
	if (rc >= 0)
		return rc;
	if (!o->n_targets) {
		fprintf(stderr, "xhop: no TARGET given\nTry 'xhop monitor --help'.\n");
		return EXIT_USAGE;
	}
	if (o->first_ttl > o->max_ttl) {
		fprintf(stderr, "xhop: --first-hop %d is beyond --max-hops %d\n", o->first_ttl,
			o->max_ttl);
		return EXIT_USAGE;
	}
	if (o->metrics_asn && (!o->metrics_addr || (!o->aslookup && !o->asn_db))) {
		fprintf(stderr, "xhop: --metrics-asn needs --metrics and -z or --asn-db\n");
		return EXIT_USAGE;
	}
	if (o->cycles < 0)
		o->cycles = o->report ? 10 : 0; /* mtr -r's default */
	if (o->report && !o->cycles) {
		fprintf(stderr, "xhop: --report needs --cycles of at least 1\n");
		return EXIT_USAGE;
	}
	return -1;
}
