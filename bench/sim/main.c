// SPDX-License-Identifier: GPL-2.0
/*
 * xhop-sim: an Internet on one machine. The XDP responder (attach), the
 * truth it answers by (truth) and its counters (stats). Bad arguments:
 * a message and exit status 2.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "sim_cli.h"
#include "sim_truth.h"

#define USAGE \
	"usage: xhop-sim attach IFACE [TOPOLOGY]\n" \
	"       xhop-sim truth [TOPOLOGY] [-I|-U|-T] [--links] [--labels] ADDR\n" \
	"                      [--src ADDR (--sport P --dport P | --icmp-sum N)]\n" \
	"       xhop-sim truth [TOPOLOGY] --links --over-silent ADDR[/LEN] | -\n" \
	"       xhop-sim stats IFACE\n" \
	"TOPOLOGY: --seed S --silent PCT --lb PCT --unreach PCT --dead PCT\n" \
	"          --width N (2-8) --mpls PCT --rate PPS (per-router ICMP limit, 0: none)\n" \
	"          --burst N\n"

enum { O_SEED = 256, O_SILENT, O_LB, O_UNREACH, O_DEAD, O_WIDTH, O_MPLS, O_RATE, O_BURST,
       O_LINKS, O_LABELS, O_SRC, O_SPORT, O_DPORT, O_SUM, O_SPANS };

static const struct option long_opts[] = {
	{ "seed", required_argument, NULL, O_SEED },
	{ "silent", required_argument, NULL, O_SILENT },
	{ "lb", required_argument, NULL, O_LB },
	{ "unreach", required_argument, NULL, O_UNREACH },
	{ "dead", required_argument, NULL, O_DEAD },
	{ "width", required_argument, NULL, O_WIDTH },
	{ "mpls", required_argument, NULL, O_MPLS },
	{ "rate", required_argument, NULL, O_RATE },
	{ "burst", required_argument, NULL, O_BURST },
	{ "links", no_argument, NULL, O_LINKS },
	{ "labels", no_argument, NULL, O_LABELS },
	{ "over-silent", no_argument, NULL, O_SPANS },
	{ "src", required_argument, NULL, O_SRC },
	{ "sport", required_argument, NULL, O_SPORT },
	{ "dport", required_argument, NULL, O_DPORT },
	{ "icmp-sum", required_argument, NULL, O_SUM },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct sim_opts {
	struct sim_params p;
	int proto;	/* 'I', 'U' or 'T' */
	int links;
	int labels;
	int spans;	/* --over-silent */
	const char *src;
	long sport, dport, sum; /* -1: not given */
};

/* A decimal number in [min, max] into *out; the message on failure */
static int num(const char *opt, const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 10);
	if (!*s || *end || errno || s[0] == '-' || *out > max) {
		fprintf(stderr, "xhop-sim: --%s: '%s' is not a number up to %llu\n", opt, s, max);
		return -1;
	}
	return 0;
}

static int parse(int argc, char **argv, struct sim_opts *o)
{
	unsigned long long v;
	int c, i;

	memset(o, 0, sizeof(*o));
	o->p.seed = 1;
	o->p.silent_pct = 5;
	o->p.lb_pct = 30;
	o->p.unreach_pct = 3;
	o->p.dead_pct = 5;
	o->p.max_width = 4;
	o->p.mpls_pct = 20;
	o->p.burst = 10;
	o->proto = 'U';
	o->sport = o->dport = o->sum = -1;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "IUTh", long_opts, NULL)) != -1) {
		const char *name = NULL;

		for (i = 0; long_opts[i].name; i++)
			if (long_opts[i].val == c)
				name = long_opts[i].name;
		switch (c) {
		case 'I':
		case 'U':
		case 'T':
			o->proto = c;
			continue;
		case 'h':
			fputs(USAGE, stdout);
			return 0;
		case O_LINKS:
			o->links = 1;
			continue;
		case O_LABELS:
			o->labels = 1;
			continue;
		case O_SPANS:
			o->spans = 1;
			continue;
		case O_SRC:
			o->src = optarg;
			continue;
		case '?':
			fprintf(stderr, "xhop-sim: unknown or incomplete option '%s'\n%s",
				argv[optind - 1], USAGE);
			return 2;
		}
		if (num(name, optarg, c == O_SEED ? ~0ull : c == O_RATE ? 100000000 : 65535, &v))
			return 2;
		switch (c) {
		case O_SEED: o->p.seed = v; break;
		case O_SILENT: o->p.silent_pct = v; break;
		case O_LB: o->p.lb_pct = v; break;
		case O_UNREACH: o->p.unreach_pct = v; break;
		case O_DEAD: o->p.dead_pct = v; break;
		case O_WIDTH: o->p.max_width = v; break;
		case O_MPLS: o->p.mpls_pct = v; break;
		case O_RATE: o->p.rate_pps = v; break;
		case O_BURST: o->p.burst = v; break;
		case O_SPORT: o->sport = v; break;
		case O_DPORT: o->dport = v; break;
		case O_SUM: o->sum = v; break;
		}
	}
	if (o->p.silent_pct > 100 || o->p.lb_pct > 100 || o->p.unreach_pct > 100 ||
	    o->p.dead_pct > 100 || o->p.mpls_pct > 100) {
		fprintf(stderr, "xhop-sim: a percentage above 100\n");
		return 2;
	}
	if (o->p.max_width < 2 || o->p.max_width > SIM_WIDTH_MAX) {
		fprintf(stderr, "xhop-sim: --width: 2 to %d\n", SIM_WIDTH_MAX);
		return 2;
	}
	if (!o->p.burst) {
		fprintf(stderr, "xhop-sim: --burst: at least 1\n");
		return 2;
	}
	if (o->spans && (!o->links || o->src || o->labels)) {
		fprintf(stderr, "xhop-sim: --over-silent: with --links, without --src and --labels\n");
		return 2;
	}
	return -1;
}

/* An address into host-order words and its family (4/6), or 0 */
static int addr_words(const char *s, __u32 w[4])
{
	unsigned char raw[16];
	int i;

	memset(w, 0, 16);
	if (inet_pton(AF_INET, s, raw) == 1) {
		w[0] = (__u32)raw[0] << 24 | raw[1] << 16 | raw[2] << 8 | raw[3];
		return 4;
	}
	if (inet_pton(AF_INET6, s, raw) == 1) {
		for (i = 0; i < 4; i++)
			w[i] = (__u32)raw[4 * i] << 24 | raw[4 * i + 1] << 16 |
			       raw[4 * i + 2] << 8 | raw[4 * i + 3];
		return 6;
	}
	return 0;
}

static int run_truth(const struct sim_opts *o, const char *addr)
{
	__u32 dst[4], src[4], flow, proto;
	struct sim_truth *t;
	struct sim_dst d;
	int fam, err;

	fam = addr_words(addr, dst);
	if (!fam) {
		fprintf(stderr, "xhop-sim: truth: '%s' is not an IPv4 or IPv6 address\n", addr);
		return 2;
	}
	if (!sim_dst_of(fam, dst, o->p.seed, &d)) {
		fprintf(stderr, "xhop-sim: truth: %s is outside 198.18.0.0/15 and 2001:2:0::/48\n",
			addr);
		return 2;
	}
	if (!o->src && (o->sport >= 0 || o->dport >= 0 || o->sum >= 0)) {
		fprintf(stderr, "xhop-sim: truth: --sport, --dport and --icmp-sum need --src\n");
		return 2;
	}
	if (o->src) {
		if (addr_words(o->src, src) != fam) {
			fprintf(stderr, "xhop-sim: truth: --src '%s' is not an IPv%d address\n",
				o->src, fam);
			return 2;
		}
		if (o->proto == 'I' ? o->sum < 0 || o->sport >= 0 || o->dport >= 0
				    : o->sport < 0 || o->dport < 0 || o->sum >= 0) {
			fprintf(stderr, "xhop-sim: truth: --src takes --icmp-sum with -I, "
					"--sport and --dport with -U or -T\n");
			return 2;
		}
		proto = o->proto == 'I' ? (fam == 4 ? 1 : 58) : o->proto == 'U' ? 17 : 6;
		flow = sim_flow(o->p.seed, src, dst, proto,
				o->proto == 'I' ? (__u32)o->sum : (__u32)(o->sport << 16 | o->dport));
	}
	t = malloc(sizeof(*t));
	if (!t) {
		fprintf(stderr, "xhop-sim: truth: out of memory\n");
		return 1;
	}
	err = sim_truth_build(&o->p, fam, dst, o->src ? &flow : NULL, o->src ? 1 : 0, t);
	if (err) {
		fprintf(stderr, "xhop-sim: truth for %s: %s\n", addr, strerror(-err));
		free(t);
		return 1;
	}
	sim_truth_print(t, o->links, o->labels, stdout);
	free(t);
	return 0;
}

/*
 * --links --over-silent ADDR[/LEN]: the links xhop scan --mda can find
 * for the prefix (its flows' addresses: the first 256, in the low 8 bits)
 */
static int run_spans(const struct sim_opts *o, const char *arg)
{
	char addr[INET6_ADDRSTRLEN + 8], *slash, *end;
	__u32 dst[4], len = 0, host, naddr;
	struct sim_truth *t;
	struct sim_dst d;
	int fam, err;

	if (strlen(arg) >= sizeof(addr))
		goto bad;
	strcpy(addr, arg);
	slash = strchr(addr, '/');
	if (slash) {
		*slash++ = 0;
		errno = 0;
		len = (__u32)strtoul(slash, &end, 10);
		if (!*slash || *end || errno)
			goto bad;
	}
	fam = addr_words(addr, dst);
	if (!fam || (slash && (len < (fam == 4 ? 24u : 64u) || len > (fam == 4 ? 32u : 128u))))
		goto bad;
	if (!sim_dst_of(fam, dst, o->p.seed, &d)) {
		fprintf(stderr, "xhop-sim: truth: %s is outside 198.18.0.0/15 and 2001:2:0::/48\n",
			addr);
		return 2;
	}
	host = slash ? (fam == 4 ? 32 : 128) - len : 0;
	naddr = host >= 8 ? 256 : 1u << host;
	/* the prefix's first address, as a scan names it */
	dst[fam == 4 ? 0 : 3] &= ~(naddr - 1);
	t = malloc(sizeof(*t));
	if (!t) {
		fprintf(stderr, "xhop-sim: truth: out of memory\n");
		return 1;
	}
	err = sim_truth_spans(&o->p, fam, dst, slash ? len : 0, naddr, t);
	if (err) {
		fprintf(stderr, "xhop-sim: truth for %s: %s\n", arg, strerror(-err));
		free(t);
		return 1;
	}
	sim_truth_print(t, 1, 0, stdout);
	free(t);
	return 0;
bad:
	fprintf(stderr, "xhop-sim: truth: '%s' is not an address or a prefix of at least /24 "
			"(IPv4) or /64 (IPv6)\n", arg);
	return 2;
}

/* "-": one ADDR[/LEN] per line from stdin, each one's links after "# ADDR[/LEN]" */
static int run_spans_list(const struct sim_opts *o)
{
	char line[256];
	int rc = 0;

	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, " \t\r\n")] = 0;
		if (!line[0] || line[0] == '#')
			continue;
		printf("# %s\n", line);
		rc = run_spans(o, line);
		if (rc)
			break;
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct sim_opts o;
	const char *cmd;
	int rc;

	if (argc < 2) {
		fputs(USAGE, stderr);
		return 2;
	}
	cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
		fputs(USAGE, stdout);
		return 0;
	}
	if (strcmp(cmd, "attach") && strcmp(cmd, "truth") && strcmp(cmd, "stats")) {
		fprintf(stderr, "xhop-sim: unknown command '%s'\n%s", cmd, USAGE);
		return 2;
	}
	/* GNU getopt moves the operand behind the options, wherever it was */
	rc = parse(argc - 1, argv + 1, &o);
	if (rc >= 0)
		return rc;
	if (argc - 1 - optind != 1) {
		fprintf(stderr, "xhop-sim: %s: %s %s\n%s", cmd,
			argc - 1 - optind > 1 ? "one operand only, not" : "missing",
			argc - 1 - optind > 1 ? argv[optind + 2] : strcmp(cmd, "truth") ? "IFACE" : "ADDR",
			USAGE);
		return 2;
	}
	if (!strcmp(cmd, "truth") && o.spans)
		return strcmp(argv[optind + 1], "-") ? run_spans(&o, argv[optind + 1])
						     : run_spans_list(&o);
	if (!strcmp(cmd, "truth"))
		return run_truth(&o, argv[optind + 1]);
	if (!strcmp(cmd, "stats"))
		return sim_stats(argv[optind + 1]);
	return sim_attach(argv[optind + 1], &o.p);
}
