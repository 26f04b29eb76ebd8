// SPDX-License-Identifier: GPL-2.0
/*
 * Options follow Debian traceroute where they overlap (-n -m -f -q -w -I
 * -U -T -p -s -i -N -t, packetlen after HOST), each with a long form.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "send/sender.h"

enum {
	OPT_JSON = 256,
};

static const struct cli_option trace_options[] = {
	{ "ipv4", '4', no_argument, NULL, "use IPv4" },
	{ "ipv6", '6', no_argument, NULL, "use IPv6" },
	{ "icmp", 'I', no_argument, NULL, "ICMP echo probes, Paris (default)" },
	{ "udp", 'U', no_argument, NULL, "UDP probes to port 33434, Paris" },
	{ "tcp", 'T', no_argument, NULL, "TCP SYN probes to port 80" },
	{ "port", 'p', required_argument, "PORT", "destination port (UDP, TCP)" },
	{ "first-hop", 'f', required_argument, "TTL", "start from this TTL (default 1)" },
	{ "max-hops", 'm', required_argument, "TTL", "stop at this TTL (default 30)" },
	{ "queries", 'q', required_argument, "N", "probes per hop (default 3)" },
	{ "wait", 'w', required_argument, "SECONDS", "wait for each reply (default 5.0)" },
	{ "sim-queries", 'N', required_argument, "N", "probes in flight (default 16; TCP: 1)" },
	{ "source", 's', required_argument, "ADDR", "source address" },
	{ "interface", 'i', required_argument, "IFACE", "send and listen on this interface" },
	{ "sender", CLI_OPT_SENDER, required_argument, "S", "raw (default), " CLI_SENDER_HELP },
	{ "tos", 't', required_argument, "TOS", "IPv4 TOS / IPv6 traffic class (default 0)" },
	{ "no-resolve", 'n', no_argument, NULL, "print addresses, do not look up names" },
	{ "json", OPT_JSON, no_argument, NULL, "print one scamper trace JSON object" },
	{ "verbose", 'v', no_argument, NULL, "libbpf messages (twice: verifier log)" },
	{ "help", 'h', no_argument, NULL, "show this help and exit" },
	{ "version", 'V', no_argument, NULL, "show the version and exit" },
};

#define N_OPTS (sizeof(trace_options) / sizeof(trace_options[0]))

void cli_print_options(FILE *out, const struct cli_option *opts, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct cli_option *c = &opts[i];
		char lhs[64];

		if (c->val < 256)
			snprintf(lhs, sizeof(lhs), "-%c, --%s%s%s", c->val, c->name, c->arg ? " " : "",
				 c->arg ? c->arg : "");
		else
			snprintf(lhs, sizeof(lhs), "    --%s%s%s", c->name, c->arg ? " " : "",
				 c->arg ? c->arg : "");
		fprintf(out, "  %-28s %s\n", lhs, c->help);
	}
}

static void usage(FILE *out)
{
	fprintf(out, "Usage: xhop [options] HOST [packetlen]\n"
		     "       xhop scan [options] [TARGET|PREFIX ...]   (see xhop scan --help)\n"
		     "       xhop monitor [options] TARGET...          (see xhop monitor --help)\n"
		     "Trace the path to HOST with an XDP receive path and kernel-stamped RTTs.\n\n"
		     "Options:\n");
	cli_print_options(out, trace_options, N_OPTS);
	fprintf(out, "\nExit status: 0 the trace ran (reached or not), 1 runtime failure,\n"
		     "2 usage error or HOST does not resolve, 130 interrupted (SIGINT).\n");
}

int cli_parse_long(const char *opt, const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end) {
		fprintf(stderr, "xhop: %s: '%s' is not a number\n", opt, s);
		return -1;
	}
	if (v < min || v > max) {
		fprintf(stderr, "xhop: %s: %s is out of range %ld-%ld\n", opt, s, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

int cli_parse_double(const char *opt, const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || isnan(v)) {
		fprintf(stderr, "xhop: %s: '%s' is not a number\n", opt, s);
		return -1;
	}
	if (v < min || v > max) {
		fprintf(stderr, "xhop: %s: %s is out of range %g-%g\n", opt, s, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

int cli_probe_option(int c, const char *arg, const struct cli_probe *p)
{
	long v;

	switch (c) {
	case 'I':
		*p->method = METHOD_ICMP;
		return 1;
	case 'U':
		*p->method = METHOD_UDP;
		return 1;
	case 'T':
		*p->method = METHOD_TCP;
		return 1;
	case 'p':
		if (cli_parse_long("--port", arg, 1, 65535, &v))
			return -1;
		*p->port = (int)v;
		return 1;
	case 't':
		if (cli_parse_long("--tos", arg, 0, 255, &v))
			return -1;
		*p->tos = (int)v;
		return 1;
	case 's':
		*p->source = arg;
		return 1;
	case 'i':
		*p->ifname = arg;
		return 1;
	case 'v':
		(*p->verbose)++;
		return 1;
	case '4':
	case '6':
		if (!p->family)
			return 0;
		*p->family = c - '0';
		return 1;
	case CLI_OPT_SENDER:
		if (!p->sender)
			return 0;
		v = sender_kind_parse(arg);
		if (v < 0) {
			fprintf(stderr, "xhop: --sender: '%s' is not auto, kernel, xdp, packet or raw\n",
				arg);
			return -1;
		}
		*p->sender = (int)v;
		return 1;
	case 'f':
	case 'm':
		if (!(c == 'f' ? p->first_ttl : p->max_ttl))
			return 0;
		if (cli_parse_long(c == 'f' ? "--first-hop" : "--max-hops", arg, 1, 255, &v))
			return -1;
		*(c == 'f' ? p->first_ttl : p->max_ttl) = (int)v;
		return 1;
	default:
		return 0;
	}
}

void cli_build_getopt(const struct cli_option *opts, size_t n, struct option *longs, char *shorts)
{
	char *s = shorts;

	*s++ = '+'; /* stop at the first non-option: HOST */
	for (size_t i = 0; i < n; i++) {
		longs[i].name = opts[i].name;
		longs[i].has_arg = opts[i].has_arg;
		longs[i].flag = NULL;
		longs[i].val = opts[i].val;
		if (opts[i].val < 256) {
			*s++ = (char)opts[i].val;
			if (opts[i].has_arg == required_argument)
				*s++ = ':';
		}
	}
	*s = 0;
	memset(&longs[n], 0, sizeof(longs[n]));
}

void cli_report_bad_option(int argc, char **argv, const char *shorts, const char *cmd)
{
	const char *letters = shorts[0] == '+' ? shorts + 1 : shorts;

	(void)argc;
	/* ':' is never an option, only the mark of one with a value */
	if (optopt > 0 && optopt < 256 && optopt != ':' && strchr(letters, optopt))
		fprintf(stderr, "xhop: option -%c needs a value\n", optopt);
	else if (optopt > 0 && optopt < 256) /* in a cluster, as -nx */
		fprintf(stderr, "xhop: unknown option '-%c'\n", optopt);
	else
		fprintf(stderr, "xhop: unknown option '%s'\n", argv[optind - 1]);
	fprintf(stderr, "Try '%s --help'.\n", cmd);
}

int cli_parse_trace(int argc, char **argv, struct trace_opts *o)
{
	struct option longs[N_OPTS + 1];
	char shorts[2 * N_OPTS + 2];
	long v;
	int c;

	struct cli_probe probe = {
		.method = &o->method, .port = &o->port, .tos = &o->tos,
		.verbose = &o->verbose, .source = &o->source, .ifname = &o->ifname,
		.family = &o->family, .first_ttl = &o->first_ttl, .max_ttl = &o->max_ttl,
		.sender = &o->sender,
	};

	memset(o, 0, sizeof(*o));
	o->first_ttl = 1;
	o->max_ttl = 30;
	o->queries = 3;
	o->wait_s = 5.0;
	o->sim_queries = 16;
	o->method = METHOD_ICMP;
	/* one trace is a few dozen probes: the raw socket, stamped at tc egress */
	o->sender = SENDER_RAW;
	cli_build_getopt(trace_options, N_OPTS, longs, shorts);
	/* 0, not 1: glibc then also drops its pointer into the previous
	 * argv (the rest of an option cluster), which a parse that stopped
	 * mid-cluster ("-hn") leaves behind for the next one to read
	 */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		int r = cli_probe_option(c, optarg, &probe);

		if (r < 0)
			return EXIT_USAGE;
		if (r)
			continue;
		switch (c) {
		case 'q':
			if (cli_parse_long("--queries", optarg, 1, 10, &v))
				return EXIT_USAGE;
			o->queries = v;
			break;
		case 'w':
			if (cli_parse_double("--wait", optarg, 0.001, 3600, &o->wait_s))
				return EXIT_USAGE;
			break;
		case 'N':
			if (cli_parse_long("--sim-queries", optarg, 1, 255, &v))
				return EXIT_USAGE;
			o->sim_queries = v;
			o->sim_set = 1;
			break;
		case 'n':
			o->no_resolve = 1;
			break;
		case OPT_JSON:
			o->json = 1;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("xhop %s\n", XHOP_VERSION);
			return EXIT_OK;
		default:
			cli_report_bad_option(argc, argv, shorts, "xhop");
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "xhop: no HOST given\nTry 'xhop --help'.\n");
		return EXIT_USAGE;
	}
	o->host = argv[optind++];
	if (optind < argc) {
		if (cli_parse_long("packetlen", argv[optind], 28, 1500, &v))
			return EXIT_USAGE;
		o->packetlen = v;
		optind++;
	}
	if (optind < argc) {
		fprintf(stderr, "xhop: unexpected argument '%s'\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (o->first_ttl > o->max_ttl) {
		fprintf(stderr, "xhop: --first-hop %d is beyond --max-hops %d\n", o->first_ttl,
			o->max_ttl);
		return EXIT_USAGE;
	}
	return -1;
}
