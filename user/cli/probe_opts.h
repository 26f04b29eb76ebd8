/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The probing options every mode takes, as one block of option rows
 * written once (probe_opts.c): each command's table lists the ones it
 * has, where its --help shows them, and each command's options struct
 * holds one struct probe_opts for their values.
 */
#ifndef XHOP_CLI_PROBE_OPTS_H
#define XHOP_CLI_PROBE_OPTS_H

#include "cli/parse.h"
#include "core/probe_build.h"

#define PROBE_OPTS_FIELDS                                                      \
	const char *source; /* -s: source address */                           \
	const char *ifname; /* -i: interface */                                \
	int method;	    /* -I -U -T, --method: enum probe_method */        \
	int port;	    /* -p: UDP/TCP destination port; 0: default */     \
	int tos;	    /* -t */                                           \
	int sender;	    /* --sender: enum sender_kind */                   \
	int verbose;	    /* -v, counted */                                  \
	/* traceroute's, for the modes that take them */                       \
	int family;	    /* -4 -6: 0 (either), 4, 6 */                      \
	int first_ttl;	    /* -f, 1-255 */                                    \
	int max_ttl;	    /* -m, 1-255 */                                    \
	/* origin AS per hop (net/asn.h) */                                    \
	int aslookup;	    /* -z: Team Cymru's DNS */                         \
	const char *asn_db; /* --asn-db FILE: offline */

struct probe_opts {
	PROBE_OPTS_FIELDS
};

/*
 * The block in a command's options: the rows reach it as .probe (by
 * offsetof), the code that reads the options as o->method; both name the
 * same bytes (the kernel's struct_group() in include/linux/stddef.h)
 */
#define PROBE_OPTS_GROUP                                                       \
	union {                                                                \
		struct {                                                       \
			PROBE_OPTS_FIELDS                                      \
		};                                                             \
		struct probe_opts probe;                                       \
	}

/* Its defaults, sender aside (every mode says which rung it starts on) */
#define PROBE_OPTS_DEFAULTS(_sender)                                           \
	{ .method = METHOD_ICMP, .first_ttl = 1, .max_ttl = 30, .sender = (_sender) }

enum probe_row {
	PROBE_IPV4,
	PROBE_IPV6,
	PROBE_ICMP,
	PROBE_UDP,
	PROBE_TCP,
	PROBE_METHOD,
	PROBE_PORT,
	PROBE_FIRST_HOP,
	PROBE_MAX_HOPS,
	PROBE_SOURCE,
	PROBE_INTERFACE,
	PROBE_SENDER,
	PROBE_TOS,
	PROBE_VERBOSE,
	PROBE_ASLOOKUP,
	PROBE_ASN_DB,
	PROBE_ROWS
};

extern const struct cli_opt probe_rows[PROBE_ROWS];

/* --sender's help after its default: the rungs of send/sender.h */
#define CLI_SENDER_HELP "auto, kernel, xdp, packet or raw (send/sender.h)"

/* In the table of the command whose options are cfg: shared row r, in
 * the shared wording or the command's own (help)
 */
#define PROBE_OPT(cfg, r) CLI_SHARED_OPT(&probe_rows[r], cfg, probe)
#define PROBE_OPT_HELP(cfg, r, _help) CLI_SHARED_OPT(&probe_rows[r], cfg, probe, .help = (_help))

/*
 * Rows that come as a group in the tables of the modes that trace (xhop
 * HOST, xhop multipath; xhop monitor words the family rows its own way):
 * the family, the method and port, the TTL range; then where probes
 * leave from and how
 */
#define PROBE_TRACE_ROWS(cfg)                                                  \
	PROBE_OPT(cfg, PROBE_IPV4), PROBE_OPT(cfg, PROBE_IPV6),                \
		PROBE_OPT(cfg, PROBE_ICMP), PROBE_OPT(cfg, PROBE_UDP),         \
		PROBE_OPT(cfg, PROBE_TCP), PROBE_OPT(cfg, PROBE_PORT),         \
		PROBE_OPT(cfg, PROBE_FIRST_HOP), PROBE_OPT(cfg, PROBE_MAX_HOPS)
#define PROBE_LEAVE_ROWS(cfg)                                                  \
	PROBE_OPT(cfg, PROBE_SOURCE), PROBE_OPT(cfg, PROBE_INTERFACE),         \
		PROBE_OPT(cfg, PROBE_SENDER), PROBE_OPT(cfg, PROBE_TOS)

/*
 * The words after the options of a command that traces one HOST
 * (xhop HOST, xhop multipath): HOST is argv[optind], taken, optind moves
 * past it. 0, or EXIT_USAGE said on stderr as "WHO: no HOST given".
 */
int probe_opts_host(const char *who, int argc, char **argv, const char **host);
/* Nothing left after the last word taken; else EXIT_USAGE, said */
int probe_opts_no_more(const char *who, int argc, char **argv);
/* -f within -m, -m within max_ttl; else EXIT_USAGE, said */
int probe_opts_ttls(const char *who, const struct probe_opts *p, int max_ttl);

#endif
