// SPDX-License-Identifier: GPL-2.0
/*
 * The probing options of every mode, written once. Offsets are into
 * struct probe_opts; a command's table places a row (PROBE_OPT) and the
 * parser adds where the block sits in that command's options. A mode may
 * word a row's help its own way (scan's -I is "same as --method icmp").
 */
#include <getopt.h>
#include <stdio.h>
#include "cli/probe_opts.h"
#include "core/probe_build.h"
#include "send/sender.h"

#define OPT(name, type, field, ...) CLI_OPT(name, type, struct probe_opts, field, __VA_ARGS__)

/* --method's names, by enum probe_method */
static const char *method_opt_name(int method)
{
	static const char *const names[] = {
		[METHOD_ICMP] = "icmp",
		[METHOD_UDP] = "udp",
		[METHOD_TCP] = "tcp",
	};

	return method >= 0 && method < (int)ARRAY_SIZE(names) ? names[method] : NULL;
}

const struct cli_opt probe_rows[PROBE_ROWS] = {
	[PROBE_IPV4] = OPT("ipv4", CLI_SET, family, .short_name = '4', .set = 4,
			   .help = "use IPv4"),
	[PROBE_IPV6] = OPT("ipv6", CLI_SET, family, .short_name = '6', .set = 6,
			   .help = "use IPv6"),
	[PROBE_ICMP] = OPT("icmp", CLI_SET, method, .short_name = 'I', .set = METHOD_ICMP,
			   .help = "ICMP echo probes, Paris (default)"),
	[PROBE_UDP] = OPT("udp", CLI_SET, method, .short_name = 'U', .set = METHOD_UDP,
			  .help = "UDP probes to port 33434, Paris"),
	[PROBE_TCP] = OPT("tcp", CLI_SET, method, .short_name = 'T', .set = METHOD_TCP,
			  .help = "TCP SYN probes to port 80, Paris"),
	[PROBE_METHOD] = OPT("method", CLI_CHOICE, method, .name_of = method_opt_name,
			     .arg = "M", .help = "icmp (default), udp or tcp"),
	[PROBE_PORT] = OPT("port", CLI_INT, port, .short_name = 'p', .min = 1, .max = 65535,
			   .arg = "PORT", .help = "destination port (UDP, TCP)"),
	[PROBE_FIRST_HOP] = OPT("first-hop", CLI_INT, first_ttl, .short_name = 'f', .min = 1,
				.max = 255, .arg = "TTL", .help = "start from this TTL (default 1)"),
	[PROBE_MAX_HOPS] = OPT("max-hops", CLI_INT, max_ttl, .short_name = 'm', .min = 1,
			       .max = 255, .arg = "TTL", .help = "stop at this TTL (default 30)"),
	[PROBE_SOURCE] = OPT("source", CLI_STRING, source, .short_name = 's', .arg = "ADDR",
			     .help = "source address"),
	[PROBE_INTERFACE] = OPT("interface", CLI_STRING, ifname, .short_name = 'i',
				.arg = "IFACE", .help = "send and listen on this interface"),
	[PROBE_SENDER] = OPT("sender", CLI_CHOICE, sender, .name_of = sender_kind_name,
			     .arg = "S", .help = "raw (default), " CLI_SENDER_HELP),
	[PROBE_TOS] = OPT("tos", CLI_INT, tos, .short_name = 't', .min = 0, .max = 255,
			  .arg = "TOS", .help = "IPv4 TOS / IPv6 traffic class (default 0)"),
	[PROBE_VERBOSE] = OPT("verbose", CLI_COUNT, verbose, .short_name = 'v',
			      .help = "libbpf messages (twice: verifier log)"),
	[PROBE_ASLOOKUP] = OPT("aslookup", CLI_FLAG, aslookup, .short_name = 'z',
			       .help = "origin AS of each hop from Team Cymru's DNS, as mtr -z"),
	[PROBE_ASN_DB] = OPT("asn-db", CLI_STRING, asn_db, .arg = "FILE",
			     .help = "origin AS offline: CAIDA prefix-to-AS file or .mmdb"),
};

int probe_opts_host(const char *who, int argc, char **argv, const char **host)
{
	if (optind >= argc) {
		fprintf(stderr, "%s: no HOST given\nTry '%s --help'.\n", who, who);
		return EXIT_USAGE;
	}
	*host = argv[optind++];
	return 0;
}

int probe_opts_no_more(const char *who, int argc, char **argv)
{
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", who, argv[optind]);
		return EXIT_USAGE;
	}
	return 0;
}

int probe_opts_ttls(const char *who, const struct probe_opts *p, int max_ttl)
{
	if (p->max_ttl > max_ttl) {
		fprintf(stderr, "%s: --max-hops %d: at most %d\n", who, p->max_ttl, max_ttl);
		return EXIT_USAGE;
	}
	if (p->first_ttl > p->max_ttl) {
		fprintf(stderr, "%s: --first-hop %d is beyond --max-hops %d\n", who, p->first_ttl,
			p->max_ttl);
		return EXIT_USAGE;
	}
	return 0;
}
