/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xhop HOST's text: Debian traceroute's header (on stderr) and a line per
 * TTL (on stdout) as each settles, a line held for the names of its
 * responders at most as long as the name wait.
 */
#ifndef XHOP_TEXT_H
#define XHOP_TEXT_H

#include <stdio.h>
#include <netinet/in.h>
#include <linux/types.h>
#include "core/record.h"
#include "core/sink.h"

struct resolver;
struct asn_lookup;

/* traceroute's annotation of an unreachable (" !H"), "" for none */
const char *text_unreach_note(int family, int kind, int code, char buf[16]);
/* One TTL's line, newline included (names where res knows them; with
 * show_asn each responder's origin AS from the record, "[AS64500]")
 */
void text_ttl_line(FILE *out, const struct ttl_rec *r, struct resolver *res, int no_resolve,
		   int show_asn);

struct text_sink_cfg {
	FILE *out;
	struct resolver *res;	/* NULL: no names */
	int no_resolve;		/* -n: addresses only */
	struct asn_lookup *asn;	/* NULL or off: no AS column */
	__u64 name_wait_ns;	/* how long a line may wait for its names and ASes */
	const char *host_name;	/* the header's */
	struct in6_addr dst;
	int max_ttl;
	int method;
};

#define TEXT_HELD_MAX 256

struct text_sink {
	struct text_sink_cfg c;
	struct ttl_rec held[TEXT_HELD_MAX]; /* lines waiting for names, in order */
	__u64 held_at[TEXT_HELD_MAX];
	int head, nheld;
};

struct sink text_sink(struct text_sink *t, const struct text_sink_cfg *c);

#endif
