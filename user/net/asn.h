/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Origin AS per hop, one interface over its two sources: Team Cymru's
 * DNS (-z, asynchronous through the resolver's c-ares channel) or a file
 * (--asn-db, answered at once). Sinks that hold a line for names hold it
 * for the AS the same way and as long: asn_annotate() says when a
 * record's hops are all answered.
 */
#ifndef XHOP_ASN_H
#define XHOP_ASN_H

#include <netinet/in.h>
#include "core/record.h"

struct resolver;
struct asn_db;

struct asn_lookup {
	struct resolver *res; /* -z: TXT lookups (not owned) */
	struct asn_db *db;    /* --asn-db (owned) */
};

/* Set up l from the options: -z (res must be set) or --asn-db path
 * (NULL: none). Both off: l->res and l->db NULL, asn_on() false.
 * 0, or the exit code (2: a bad or unreadable file, 1: no memory), reported.
 */
int asn_lookup_open(struct asn_lookup *l, int aslookup, const char *db_path,
		    struct resolver *res);
void asn_lookup_close(struct asn_lookup *l);

static inline int asn_on(const struct asn_lookup *l)
{
	return l && (l->res || l->db);
}

/* Ask about addr (no-op if cached, under way, or answered from a file) */
void asn_start(struct asn_lookup *l, const struct in6_addr *addr);
/* 1 when addr's lookup finished, *out then its origins (n 0: none) */
int asn_get(struct asn_lookup *l, const struct in6_addr *addr, struct asn_ann *out);

/*
 * Start the lookups of the answered probes of p[0..n-1] and fill the
 * asn of each whose answer is in. 1 when all are (or lookups are off).
 */
int asn_annotate(struct asn_lookup *l, struct probe_rec *p, int n);

/* "AS64500", "AS64500/64501" (multi-origin), "AS???" (none): the text form */
#define ASN_TEXT_MAX (ASN_ORIGINS_MAX * 11 + 4)
const char *asn_text(const struct asn_ann *a, char *buf, size_t cap);

#endif
