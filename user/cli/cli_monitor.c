// SPDX-License-Identifier: GPL-2.0
/*
 * `xhop monitor` options: the probing options of `xhop HOST` where they
 * apply, mtr's -r/-c for reports, and the monitor's own long options.
 * One table feeds getopt_long and --help.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "net/lines.h"
#include "cli/monitor_cmd.h"
#include "core/probe_build.h"
#include "send/sender.h"

enum {
	OPT_JSON = 256,
	OPT_INTERVAL,
	OPT_TARGETS,
	OPT_CONFIRM,
	OPT_EVENTS,
	OPT_METRICS,
	OPT_MAX_UNKNOWN,
	OPT_STALE,
	OPT_SIZE,
};

static const struct cli_option mon_options[] = {
	{ "ipv4", '4', no_argument, NULL, "IPv4 only (names resolve to IPv4)" },
	{ "ipv6", '6', no_argument, NULL, "IPv6 only" },
	{ "icmp", 'I', no_argument, NULL, "ICMP echo probes, Paris (default)" },
	{ "udp", 'U', no_argument, NULL, "UDP probes to port 33434, Paris" },
	{ "tcp", 'T', no_argument, NULL, "TCP SYN probes to port 80, Paris" },
	{ "port", 'p', required_argument, "PORT", "destination port (UDP, TCP)" },
	{ "first-hop", 'f', required_argument, "TTL", "start from this TTL (default 1)" },
	{ "max-hops", 'm', required_argument, "TTL", "probe at most to this TTL (default 30)" },
	{ "max-unknown", OPT_MAX_UNKNOWN, required_argument, "N",
	  "TTLs probed past the last answering one (default 5)" },
	{ "wait", 'w', required_argument, "SECONDS", "a probe is lost after this (default 1.0)" },
	{ "interval", OPT_INTERVAL, required_argument, "SECONDS",
	  "one cycle (every hop of every target) per interval (default 1.0)" },
	{ "targets", OPT_TARGETS, required_argument, "FILE", "targets from FILE, one per line" },
	{ "source", 's', required_argument, "ADDR", "source address" },
	{ "interface", 'i', required_argument, "IFACE", "send and listen on this interface" },
	{ "sender", CLI_OPT_SENDER, required_argument, "S", "raw (default), " CLI_SENDER_HELP },
	{ "tos", 't', required_argument, "TOS", "IPv4 TOS / IPv6 traffic class (default 0)" },
	{ "size", OPT_SIZE, required_argument, "BYTES", "probe size, IP header included" },
	{ "no-resolve", 'n', no_argument, NULL, "addresses only, no name lookups" },
	{ "report", 'r', no_argument, NULL, "print a report after --cycles (as mtr -r)" },
	{ "cycles", 'c', required_argument, "N", "stop after N cycles (--report: 10; else 0: never)" },
	{ "json", OPT_JSON, no_argument, NULL, "the report as JSON, one object per target" },
	{ "confirm", OPT_CONFIRM, required_argument, "N",
	  "a path change must hold N cycles (default 2)" },
	{ "events", OPT_EVENTS, required_argument, "FILE", "append path-change events to FILE" },
	{ "metrics", OPT_METRICS, required_argument, "ADDR:PORT",
	  "serve Prometheus metrics at http://ADDR:PORT/metrics" },
	{ "stale", OPT_STALE, required_argument, "SECONDS",
	  "drop responder series unseen this long (default 600)" },
	{ "verbose", 'v', no_argument, NULL, "libbpf messages (twice: verifier log)" },
	{ "help", 'h', no_argument, NULL, "show this help and exit" },
	{ "version", 'V', no_argument, NULL, "show the version and exit" },
};

#define N_MON_OPTS (sizeof(mon_options) / sizeof(mon_options[0]))

static void usage(FILE *out)
{
	fprintf(out, "Usage: xhop monitor [options] TARGET...\n"
		     "       xhop monitor [options] --targets FILE [TARGET...]\n"
		     "Probe every hop of every target each interval: per-hop loss and kernel-stamped\n"
		     "RTTs, path-change events, Prometheus metrics. A live view when stdout is a\n"
		     "terminal (keys: q quit, p pause, r reset, n/b next/previous target).\n\n"
		     "Options:\n");
	cli_print_options(out, mon_options, N_MON_OPTS);
	fprintf(out, "\nEvents (one JSON line each) go to --events FILE, else to stdout unless the\n"
		     "live view is on it. Exit status: 0 ok, 1 runtime failure, 2 usage error or a\n"
		     "target does not resolve, 130 on SIGINT and 143 on SIGTERM (after the report).\n");
}

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

int cli_parse_monitor(int argc, char **argv, struct mon_opts *o)
{
	struct option longs[N_MON_OPTS + 1];
	char shorts[2 * N_MON_OPTS + 2];
	int c, err, cycles_set = 0;
	long v;

	struct cli_probe probe = {
		.method = &o->method, .port = &o->port, .tos = &o->tos,
		.verbose = &o->verbose, .source = &o->source, .ifname = &o->ifname,
		.family = &o->family, .first_ttl = &o->first_ttl, .max_ttl = &o->max_ttl,
		.sender = &o->sender,
	};

	memset(o, 0, sizeof(*o));
	/* a cycle's probes are spread over the interval: raw sockets, tc stamps */
	o->sender = SENDER_RAW;
	o->first_ttl = 1;
	o->max_ttl = 30;
	o->max_unknown = 5;
	o->wait_s = 1.0;
	o->interval_s = 1.0;
	o->stale_s = 600;
	o->confirm = 2;
	o->method = METHOD_ICMP;
	cli_build_getopt(mon_options, N_MON_OPTS, longs, shorts);
	optind = 0; /* see cli.c: forget any cluster of an earlier parse */
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		int r = cli_probe_option(c, optarg, &probe);

		if (r < 0)
			return EXIT_USAGE;
		if (r)
			continue;
		switch (c) {
		case OPT_MAX_UNKNOWN:
			if (cli_parse_long("--max-unknown", optarg, 1, 255, &v))
				return EXIT_USAGE;
			o->max_unknown = v;
			break;
		case 'w':
			if (cli_parse_double("--wait", optarg, 0.001, 60, &o->wait_s))
				return EXIT_USAGE;
			break;
		case OPT_INTERVAL:
			if (cli_parse_double("--interval", optarg, 0.01, 3600, &o->interval_s))
				return EXIT_USAGE;
			break;
		case OPT_TARGETS:
			o->targets_file = optarg;
			if (read_targets_file(o, optarg))
				return EXIT_USAGE;
			break;
		case OPT_SIZE:
			if (cli_parse_long("--size", optarg, 28, 1500, &v))
				return EXIT_USAGE;
			o->size = v;
			break;
		case 'n':
			o->no_resolve = 1;
			break;
		case 'r':
			o->report = 1;
			break;
		case 'c':
			if (cli_parse_long("--cycles", optarg, 0, 100000000, &v))
				return EXIT_USAGE;
			o->cycles = v;
			cycles_set = 1;
			break;
		case OPT_JSON:
			o->json = 1;
			break;
		case OPT_CONFIRM:
			if (cli_parse_long("--confirm", optarg, 1, 100, &v))
				return EXIT_USAGE;
			o->confirm = v;
			break;
		case OPT_EVENTS:
			o->events_path = optarg;
			break;
		case OPT_METRICS:
			o->metrics_addr = optarg;
			break;
		case OPT_STALE:
			if (cli_parse_double("--stale", optarg, 0, 1e7, &o->stale_s))
				return EXIT_USAGE;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("xhop %s\n", XHOP_VERSION);
			return EXIT_OK;
		default:
			cli_report_bad_option(argc, argv, shorts, "xhop monitor");
			return EXIT_USAGE;
		}
	}
	for (; optind < argc; optind++) {
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
	if (!o->n_targets) {
		fprintf(stderr, "xhop: no TARGET given\nTry 'xhop monitor --help'.\n");
		return EXIT_USAGE;
	}
	if (o->first_ttl > o->max_ttl) {
		fprintf(stderr, "xhop: --first-hop %d is beyond --max-hops %d\n", o->first_ttl,
			o->max_ttl);
		return EXIT_USAGE;
	}
	if (o->report && !cycles_set)
		o->cycles = 10; /* mtr -r's default */
	if (o->report && !o->cycles) {
		fprintf(stderr, "xhop: --report needs --cycles of at least 1\n");
		return EXIT_USAGE;
	}
	return -1;
}
