// SPDX-License-Identifier: GPL-2.0
/*
 * `xhop scan` options: ZMap's habits for the target list (--seed,
 * --shard, --blocklist, --max-targets, --rate), traceroute's for probing.
 * One table feeds the parser and --help.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "cli/scan_cmd.h"
#include "plan/mda_scan.h"
#include "send/sender.h"
#include "cli/clickhouse_cmd.h"

#define OPT(name, type, field, ...) CLI_OPT(name, type, struct scan_opts, field, __VA_ARGS__)
#define PROBE(r) PROBE_OPT(struct scan_opts, r)
#define PROBE_HELP(r, help) PROBE_OPT_HELP(struct scan_opts, r, help)
#define OUT(r, help) OUT_OPT_HELP(struct scan_opts, r, help)

/* --window is a __u32 the parser stores as an int, its unsigned twin */
_Static_assert(sizeof(((struct scan_cfg *)0)->window) == sizeof(int), "--window is no int");

/* "I/N" with 0 <= I < N <= 65536 */
static int parse_shard(void *opts, const struct cli_opt *row, const char *arg)
{
	struct scan_opts *o = opts;
	char buf[32], *slash;
	long i, n;

	(void)row; /* two values: shard and shards */
	if (strlen(arg) >= sizeof(buf))
		goto bad;
	strcpy(buf, arg);
	slash = strchr(buf, '/');
	if (!slash)
		goto bad;
	*slash++ = 0;
	if (cli_parse_long("--shard", slash, 1, 65536, &n) ||
	    cli_parse_long("--shard", buf, 0, n - 1, &i))
		return -1;
	o->plan.shard = (int)i;
	o->plan.shards = (int)n;
	return 0;
bad:
	fprintf(stderr, "xhop: --shard: '%s' is not I/N\n", arg);
	return -1;
}

/* A __u64 of at least row->min */
static int parse_u64(void *opts, const struct cli_opt *row, const char *arg)
{
	unsigned long long v;
	char flag[64];

	if (cli_parse_u64(cli_opt_flag(row, flag, sizeof(flag)), arg,
			  (unsigned long long)row->min, &v))
		return -1;
	*(__u64 *)((char *)opts + row->off) = v;
	return 0;
}

/* --seed: any 64-bit key, noted as given (else a random one) */
static int parse_seed(void *opts, const struct cli_opt *row, const char *arg)
{
	struct scan_opts *o = opts;

	if (parse_u64(opts, row, arg))
		return -1;
	o->plan.seed_set = 1;
	return 0;
}

/* --vantage, --measurement: printable, not empty, at most 200 bytes */
static int parse_name(void *opts, const struct cli_opt *row, const char *arg)
{
	size_t n = strlen(arg);

	for (size_t i = 0; i < n; i++)
		if ((unsigned char)arg[i] < 0x20 || arg[i] == 0x7f)
			n = 0;
	if (!n || n > 200) {
		fprintf(stderr, "xhop: --%s: '%s' is not a name (1-200 printable bytes)\n",
			row->name, arg);
		return -1;
	}
	*(const char **)((char *)opts + row->off) = arg;
	return 0;
}

static const struct cli_opt scan_rows[] = {
	OPT("targets", CLI_STRING, plan.targets_file, .arg = "FILE",
	    .help = "addresses and prefixes, one per line ('-': stdin)"),
	OPT("every-address", CLI_FLAG, plan.every_address,
	    .help = "every address of a prefix (default: one per /24 or /64)"),
	OPT("seed", CLI_CUSTOM, plan.seed, .parse = parse_seed, .arg = "N",
	    .help = "order and choice of addresses (default random)"),
	OPT("shard", CLI_CUSTOM, plan.shard, .parse = parse_shard, .arg = "I/N",
	    .help = "this machine's share: shard I of N (0-based)"),
	OPT("blocklist", CLI_STRING, plan.blocklist_file, .arg = "FILE",
	    .help = "never probe these (replaces the built-in list)"),
	OPT("max-targets", CLI_CUSTOM, plan.max_targets, .parse = parse_u64, .min = 1, .arg = "N",
	    .help = "refuse lists longer than this (default 16777216)"),
	OPT("rate", CLI_DOUBLE, plan.rate, .min = 1, .max = SCAN_MAX_RATE, .arg = "PPS",
	    .help = "probes per second (default 10000)"),
	PROBE(PROBE_METHOD),
	PROBE_HELP(PROBE_ICMP, "same as --method icmp"),
	PROBE_HELP(PROBE_UDP, "same as --method udp"),
	PROBE_HELP(PROBE_TCP, "same as --method tcp"),
	PROBE_HELP(PROBE_PORT, "destination port (UDP 33434, TCP 80)"),
	OPT("max-ttl", CLI_INT, plan.max_ttl, .min = 1, .max = SCAN_MAX_TTL, .arg = "TTL",
	    .help = "highest TTL probed (default 32)"),
	OPT("split-ttl", CLI_INT, plan.split_ttl, .min = 1, .max = SCAN_MAX_TTL, .arg = "TTL",
	    .help = "first TTL until distances are learnt (default 16)"),
	OPT("gap-limit", CLI_INT, plan.gap_limit, .min = 1, .max = SCAN_MAX_TTL, .arg = "N",
	    .help = "stop after N silent TTLs in a row (default 5; --mda: per flow)"),
	OPT("no-doubletree", CLI_FLAG, plan.no_doubletree,
	    .help = "probe every hop of every target (no redundancy removal)"),
	OPT("mda", CLI_FLAG, plan.mda,
	    .help = "Diamond-Miner: the multipath links of each /24 or /64"),
	PROBE_HELP(PROBE_FIRST_HOP, "--mda: first TTL probed (default 1)"),
	PROBE_HELP(PROBE_MAX_HOPS, "--mda: same as --max-ttl"),
	OPT("confidence", CLI_DOUBLE, plan.confidence, .min = 50, .max = 99.9, .arg = "PCT",
	    .help = "--mda: rule out one more next hop per interface (95)"),
	OPT("max-probes", CLI_INT, plan.max_probes, .min = 1, .max = 1 << 30, .arg = "N",
	    .help = "--mda: probes per prefix at most (default 20000)"),
	OPT("queries", CLI_INT, plan.attempts, .short_name = 'q', .min = 1, .max = MDS_TRIES_MAX,
	    .arg = "N", .help = "--mda: tries of one flow at one TTL before it counts as silent (2)"),
	OPT("wait", CLI_DOUBLE, plan.wait_s, .short_name = 'w', .min = 0.001, .max = 60,
	    .arg = "SECONDS", .help = "wait for each reply (default 1.0)"),
	OPT("window", CLI_INT, plan.window, .min = 1, .max = 1 << 24, .arg = "N",
	    .help = "targets in flight at most (default from rate)"),
	OUT(OUT_ROW_OUTPUT, "the traces here (default stdout)"),
	OUT(OUT_ROW_FORMAT, "json (default: scamper trace objects) or warts (scamper's binary)"),
	OUT(OUT_ROW_JSON, "same as --format json"),
	OUT(OUT_ROW_WARTS, "also write the same traces as warts to FILE"),
	OPT("summary", CLI_STRING, summary_file, .arg = "FILE",
	    .help = "summary object here (default stderr)"),
	OPT("progress", CLI_FLAG, progress, .help = "progress on stderr (default: on a terminal)"),
	OPT("clickhouse", CLI_CUSTOM, clickhouse_url, .parse = cli_parse_ch_url, .arg = "URL",
	    .help = "also write replies into ClickHouse (http://HOST:8123)"),
	OPT("clickhouse-table", CLI_CUSTOM, clickhouse_table, .parse = cli_parse_ch_table,
	    .arg = "DB.T", .help = "its table (default xhop.replies; + DB.T_targets)"),
	OPT("clickhouse-wait", CLI_DOUBLE, clickhouse_wait, .min = 0, .max = 86400,
	    .arg = "SECS", .help = "at the end, wait this long for ClickHouse (default 30)"),
	OPT("clickhouse-spool", CLI_STRING, clickhouse_spool, .arg = "FILE",
	    .help = "rows ClickHouse did not take (default xhop-clickhouse-MEASUREMENT.spool)"),
	OPT("vantage", CLI_CUSTOM, vantage, .parse = parse_name, .arg = "NAME",
	    .help = "this vantage point's name in rows (default the host name)"),
	OPT("measurement", CLI_CUSTOM, measurement, .parse = parse_name, .arg = "NAME",
	    .help = "the measurement's name in rows (default generated)"),
	PROBE_HELP(PROBE_SENDER, "auto (default), " CLI_SENDER_HELP),
	PROBE(PROBE_SOURCE),
	PROBE(PROBE_INTERFACE),
	PROBE(PROBE_TOS),
	PROBE(PROBE_ASLOOKUP),
	PROBE(PROBE_ASN_DB),
	PROBE(PROBE_VERBOSE),
	CLI_HELP_OPT,
};
_Static_assert(ARRAY_SIZE(scan_rows) <= CLI_OPTS_MAX, "raise CLI_OPTS_MAX");

static const struct cli_cmd scan_cmd = {
	.name = "xhop scan",
	.usage = "Usage: xhop scan [options] [TARGET|PREFIX ...]\n"
		 "Trace many targets at once: probes in a keyed pseudo-random order, answers\n"
		 "parsed by an XDP program, one scamper trace JSON object (or warts record)\n"
		 "per target. With --mda: Diamond-Miner, one scamper tracelb JSON object per\n"
		 "/24 or /64.\n\n"
		 "Options:\n",
	.epilog = "\nNothing in the built-in blocklist (reserved and special-use ranges) is\n"
		  "ever probed unless --blocklist replaces it.\n"
		  "Exit status: 0 done, 1 runtime failure (also: rows --clickhouse did not\n"
		  "deliver, kept in a spool file), 2 usage error or bad target list,\n"
		  "130 interrupted (SIGINT; partial traces and the summary are written).\n",
	.opts = scan_rows,
	.n_opts = ARRAY_SIZE(scan_rows),
	/* operands and options may mix, as in ZMap ("xhop scan 198.18.0.0/15 --rate 1000") */
	.mixed = 1,
};

static const struct scan_opts scan_defaults = {
	.probe = PROBE_OPTS_DEFAULTS(SENDER_AUTO),
	.plan = {
		.rate = SCAN_DEFAULT_RATE,
		.wait_s = 1.0,
		.max_targets = SCAN_DEFAULT_MAX_TARGETS,
		.shards = 1,
		.max_ttl = SCAN_MAX_TTL,
		.split_ttl = 16,
		.gap_limit = 5,
		.first_ttl = 1,
		.confidence = 95,
		.max_probes = MDS_DEFAULT_MAX_PROBES,
		.attempts = MDS_TRIES_DEFAULT,
	},
	.clickhouse_table = "xhop.replies",
	.clickhouse_wait = 30,
	.format = OUT_UNSET,
};

int cli_parse_scan(int argc, char **argv, struct scan_opts *o)
{
	int rc;

	*o = scan_defaults;
	o->max_ttl = 0; /* --max-hops: unset, --max-ttl holds */
	rc = cli_parse(&scan_cmd, argc, argv, o);
	if (rc >= 0)
		return rc;
	o->plan.args = argv + optind;
	o->plan.nargs = argc - optind;
	if (!o->plan.nargs && !o->plan.targets_file) {
		fprintf(stderr, "xhop scan: no targets: give TARGET|PREFIX or --targets FILE\n"
				"Try 'xhop scan --help'.\n");
		return EXIT_USAGE;
	}
	o->format = out_format_resolve("xhop scan", o->format, o->json, OUT_JSON, o->output);
	if (o->format < 0)
		return EXIT_USAGE;
	if (o->format == OUT_TEXT) {
		fprintf(stderr, "xhop scan: --format text: a scan writes json or warts\n");
		return EXIT_USAGE;
	}
	/* the planner reads its cfg as parsed: it takes the probe block's */
	o->plan.method = o->method;
	o->plan.tos = o->tos;
	if (o->max_ttl) {
		if (o->max_ttl > SCAN_MAX_TTL) {
			fprintf(stderr, "xhop scan: --max-hops %d: at most %d\n", o->max_ttl,
				SCAN_MAX_TTL);
			return EXIT_USAGE;
		}
		o->plan.max_ttl = o->max_ttl;
	}
	o->plan.first_ttl = o->first_ttl;
	if (o->plan.mda && o->plan.first_ttl > o->plan.max_ttl) {
		fprintf(stderr, "xhop scan: --first-hop %d is beyond --max-ttl %d\n",
			o->plan.first_ttl, o->plan.max_ttl);
		return EXIT_USAGE;
	}
	if (o->plan.mda && o->plan.window > MDS_WINDOW_MAX) {
		fprintf(stderr, "xhop scan: --window %u: at most %d prefixes with --mda\n",
			o->plan.window, MDS_WINDOW_MAX);
		return EXIT_USAGE;
	}
	/* what --mda does not write yet is refused, never silently empty */
	if (o->plan.mda && (o->format == OUT_WARTS || o->warts || o->clickhouse_url ||
			    o->aslookup || o->asn_db)) {
		fprintf(stderr, "xhop scan: --mda writes JSON only: not with --format warts, "
				"--warts, --clickhouse, -z or --asn-db\n");
		return EXIT_USAGE;
	}
	if (o->plan.split_ttl > o->plan.max_ttl)
		o->plan.split_ttl = o->plan.max_ttl;
	return -1;
}
