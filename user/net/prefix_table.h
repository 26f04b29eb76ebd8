/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Longest-prefix match from prefixes to origin ASes (--asn-db): a table
 * sorted once after loading, searched per prefix length present, longest
 * first. IPv4 prefixes live in the IPv4-mapped block (::ffff:0:0/96), as
 * every address in xhop does, so one table answers both families.
 */
#ifndef XHOP_PREFIX_TABLE_H
#define XHOP_PREFIX_TABLE_H

#include <stddef.h>
#include <netinet/in.h>
#include <linux/types.h>
#include "core/record.h"

struct prefix_entry {
	struct in6_addr net;   /* host bits zero */
	struct asn_ann origin;
	__u32 order;	       /* insertion number: the later of two equal prefixes wins */
	__u8 len;	       /* 0-128, of the 128-bit form (IPv4 /24 is 120) */
};

struct prefix_table {
	struct prefix_entry *e;
	size_t n, cap;
	__u8 lens[129];	       /* prefix lengths present, longest first */
	int nlens;
	int sorted;
};

void prefix_table_init(struct prefix_table *t);
void prefix_table_free(struct prefix_table *t);
/*
 * Add net/len (len of the 128-bit form; IPv4 as mapped, len 96-128).
 * -EINVAL: len over 128 or host bits set; -ENOMEM. Invalidates the sort.
 */
int prefix_table_add(struct prefix_table *t, const struct in6_addr *net, int len,
		     const struct asn_ann *origin);
/* Sort, drop duplicates (the last added wins), note the lengths: before lookups */
void prefix_table_finish(struct prefix_table *t);
/* The longest prefix holding addr: its entry, or NULL (also before finish) */
const struct prefix_entry *prefix_table_lookup(const struct prefix_table *t,
					       const struct in6_addr *addr);

/* addr with all but its first len bits cleared */
void prefix_mask(struct in6_addr *out, const struct in6_addr *addr, int len);

#endif
