// SPDX-License-Identifier: GPL-2.0
/*
 * `xhop scan` options: ZMap's habits for the target list (--seed,
 * --shard, --blocklist, --max-targets, --rate), traceroute's for probing.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "core/probe_build.h"
#include "cli/scan_cmd.h"

enum {
	OPT_TARGETS = 256,
	OPT_BLOCKLIST,
	OPT_OUTPUT,
	OPT_SUMMARY,
	OPT_RATE,
	OPT_SEED,
	OPT_SHARD,
	OPT_MAX_TARGETS,
	OPT_WINDOW,
	OPT_METHOD,
	OPT_MAX_TTL,
	OPT_SPLIT_TTL,
	OPT_GAP_LIMIT,
	OPT_EVERY,
	OPT_NO_DOUBLETREE,
	OPT_PROGRESS,
	OPT_SENDER = CLI_OPT_SENDER,
};

static const struct cli_option scan_options[] = {
	{ "targets", OPT_TARGETS, required_argument, "FILE",
	  "addresses and prefixes, one per line ('-': stdin)" },
	{ "every-address", OPT_EVERY, no_argument, NULL,
	  "every address of a prefix (default: one per /24 or /64)" },
	{ "seed", OPT_SEED, required_argument, "N", "order and choice of addresses (default random)" },
	{ "shard", OPT_SHARD, required_argument, "I/N", "this machine's share: shard I of N (0-based)" },
	{ "blocklist", OPT_BLOCKLIST, required_argument, "FILE",
	  "never probe these (replaces the built-in list)" },
	{ "max-targets", OPT_MAX_TARGETS, required_argument, "N",
	  "refuse lists longer than this (default 16777216)" },
	{ "rate", OPT_RATE, required_argument, "PPS", "probes per second (default 10000)" },
	{ "method", OPT_METHOD, required_argument, "M", "icmp (default), udp or tcp" },
	{ "icmp", 'I', no_argument, NULL, "same as --method icmp" },
	{ "udp", 'U', no_argument, NULL, "same as --method udp" },
	{ "tcp", 'T', no_argument, NULL, "same as --method tcp" },
	{ "port", 'p', required_argument, "PORT", "destination port (UDP 33434, TCP 80)" },
	{ "max-ttl", OPT_MAX_TTL, required_argument, "TTL", "highest TTL probed (default 32)" },
	{ "split-ttl", OPT_SPLIT_TTL, required_argument, "TTL",
	  "first TTL until distances are learnt (default 16)" },
	{ "gap-limit", OPT_GAP_LIMIT, required_argument, "N",
	  "stop after N silent TTLs in a row (default 5)" },
	{ "no-doubletree", OPT_NO_DOUBLETREE, no_argument, NULL,
	  "probe every hop of every target (no redundancy removal)" },
	{ "wait", 'w', required_argument, "SECONDS", "wait for each reply (default 1.0)" },
	{ "window", OPT_WINDOW, required_argument, "N", "targets in flight at most (default from rate)" },
	{ "output", OPT_OUTPUT, required_argument, "FILE", "trace objects here (default stdout)" },
	{ "summary", OPT_SUMMARY, required_argument, "FILE", "summary object here (default stderr)" },
	{ "progress", OPT_PROGRESS, no_argument, NULL, "progress on stderr (default: on a terminal)" },
	{ "sender", OPT_SENDER, required_argument, "S", "auto (default), " CLI_SENDER_HELP },
	{ "source", 's', required_argument, "ADDR", "source address" },
	{ "interface", 'i', required_argument, "IFACE", "send and listen on this interface" },
	{ "tos", 't', required_argument, "TOS", "IPv4 TOS / IPv6 traffic class (default 0)" },
	{ "verbose", 'v', no_argument, NULL, "libbpf messages (twice: verifier log)" },
	{ "help", 'h', no_argument, NULL, "show this help and exit" },
};

#define N_SCAN_OPTS (sizeof(scan_options) / sizeof(scan_options[0]))

static void scan_usage(FILE *out)
{
	fprintf(out,
		"Usage: xhop scan [options] [TARGET|PREFIX ...]\n"
		"Trace many targets at once: probes in a keyed pseudo-random order, answers\n"
		"parsed by an XDP program, one scamper trace JSON object per target.\n\n"
		"Options:\n");
	cli_print_options(out, scan_options, N_SCAN_OPTS);
	fprintf(out, "\nNothing in the built-in blocklist (reserved and special-use ranges) is\n"
		     "ever probed unless --blocklist replaces it.\n"
		     "Exit status: 0 done, 1 runtime failure, 2 usage error or bad target list,\n"
		     "130 interrupted (SIGINT; partial traces and the summary are written).\n");
}

/* "I/N" with 0 <= I < N <= 65536 */
static int parse_shard(const char *s, int *shard, int *shards)
{
	char buf[32], *slash;
	long i, n;

	if (strlen(s) >= sizeof(buf))
		goto bad;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (!slash)
		goto bad;
	*slash++ = 0;
	if (cli_parse_long("--shard", slash, 1, 65536, &n) ||
	    cli_parse_long("--shard", buf, 0, n - 1, &i))
		return -1;
	*shard = (int)i;
	*shards = (int)n;
	return 0;
bad:
	fprintf(stderr, "xhop: --shard: '%s' is not I/N\n", s);
	return -1;
}

static int parse_u64(const char *opt, const char *s, __u64 min, __u64 *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || *s == '-') {
		fprintf(stderr, "xhop: %s: '%s' is not a number\n", opt, s);
		return -1;
	}
	if (v < min) {
		fprintf(stderr, "xhop: %s: %s is below %llu\n", opt, s, (unsigned long long)min);
		return -1;
	}
	*out = v;
	return 0;
}

int cli_parse_scan(int argc, char **argv, struct scan_opts *o)
{
	struct option longs[N_SCAN_OPTS + 1];
	char shorts[2 * N_SCAN_OPTS + 2];
	long v;
	int c;

	struct cli_probe probe = {
		.method = &o->plan.method, .port = &o->port, .tos = &o->plan.tos,
		.verbose = &o->verbose, .source = &o->source, .ifname = &o->ifname,
		.sender = &o->sender,
	};

	memset(o, 0, sizeof(*o));
	o->plan.rate = SCAN_DEFAULT_RATE;
	o->plan.wait_s = 1.0;
	o->plan.max_targets = SCAN_DEFAULT_MAX_TARGETS;
	o->plan.shards = 1;
	o->plan.method = METHOD_ICMP;
	o->plan.max_ttl = SCAN_MAX_TTL;
	o->plan.split_ttl = 16;
	o->plan.gap_limit = 5;
	cli_build_getopt(scan_options, N_SCAN_OPTS, longs, shorts);
	/* shorts without the leading '+': operands and options may mix, as
	 * in ZMap ("xhop scan 198.18.0.0/15 --rate 1000")
	 */
	memmove(shorts, shorts + 1, strlen(shorts));
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		int r = cli_probe_option(c, optarg, &probe);

		if (r < 0)
			return EXIT_USAGE;
		if (r)
			continue;
		switch (c) {
		case OPT_TARGETS:
			o->plan.targets_file = optarg;
			break;
		case OPT_EVERY:
			o->plan.every_address = 1;
			break;
		case OPT_SEED:
			if (parse_u64("--seed", optarg, 0, &o->plan.seed))
				return EXIT_USAGE;
			o->plan.seed_set = 1;
			break;
		case OPT_SHARD:
			if (parse_shard(optarg, &o->plan.shard, &o->plan.shards))
				return EXIT_USAGE;
			break;
		case OPT_BLOCKLIST:
			o->plan.blocklist_file = optarg;
			break;
		case OPT_MAX_TARGETS:
			if (parse_u64("--max-targets", optarg, 1, &o->plan.max_targets))
				return EXIT_USAGE;
			break;
		case OPT_RATE:
			if (cli_parse_double("--rate", optarg, 1, SCAN_MAX_RATE, &o->plan.rate))
				return EXIT_USAGE;
			break;
		case OPT_METHOD:
			if (!strcmp(optarg, "icmp")) {
				o->plan.method = METHOD_ICMP;
			} else if (!strcmp(optarg, "udp")) {
				o->plan.method = METHOD_UDP;
			} else if (!strcmp(optarg, "tcp")) {
				o->plan.method = METHOD_TCP;
			} else {
				fprintf(stderr, "xhop: --method: '%s' is not icmp, udp or tcp\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_MAX_TTL:
			if (cli_parse_long("--max-ttl", optarg, 1, SCAN_MAX_TTL, &v))
				return EXIT_USAGE;
			o->plan.max_ttl = (int)v;
			break;
		case OPT_SPLIT_TTL:
			if (cli_parse_long("--split-ttl", optarg, 1, SCAN_MAX_TTL, &v))
				return EXIT_USAGE;
			o->plan.split_ttl = (int)v;
			break;
		case OPT_GAP_LIMIT:
			if (cli_parse_long("--gap-limit", optarg, 1, SCAN_MAX_TTL, &v))
				return EXIT_USAGE;
			o->plan.gap_limit = (int)v;
			break;
		case OPT_NO_DOUBLETREE:
			o->plan.no_doubletree = 1;
			break;
		case 'w':
			if (cli_parse_double("--wait", optarg, 0.001, 60, &o->plan.wait_s))
				return EXIT_USAGE;
			break;
		case OPT_WINDOW:
			if (cli_parse_long("--window", optarg, 1, 1 << 24, &v))
				return EXIT_USAGE;
			o->plan.window = (__u32)v;
			break;
		case OPT_OUTPUT:
			o->output_file = optarg;
			break;
		case OPT_SUMMARY:
			o->summary_file = optarg;
			break;
		case OPT_PROGRESS:
			o->progress = 1;
			break;
		case 'h':
			scan_usage(stdout);
			return EXIT_OK;
		default:
			cli_report_bad_option(argc, argv, shorts, "xhop scan");
			return EXIT_USAGE;
		}
	}
	o->plan.args = argv + optind;
	o->plan.nargs = argc - optind;
	if (!o->plan.nargs && !o->plan.targets_file) {
		fprintf(stderr, "xhop scan: no targets: give TARGET|PREFIX or --targets FILE\n"
				"Try 'xhop scan --help'.\n");
		return EXIT_USAGE;
	}
	if (o->plan.split_ttl > o->plan.max_ttl)
		o->plan.split_ttl = o->plan.max_ttl;
	return -1;
}
