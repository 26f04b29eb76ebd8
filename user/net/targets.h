/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Target lists for xhop scan: addresses and CIDR prefixes from the command
 * line or a file, expanded (one address per /24 or /64, chosen from the
 * seed, or every address), filtered by a blocklist, split into shards.
 */
#ifndef XHOP_TARGETS_H
#define XHOP_TARGETS_H

#include <stddef.h>
#include <stdio.h>
#include <netinet/in.h>
#include <linux/types.h>
#include "net/lines.h"

struct prefix {
	struct in6_addr addr; /* IPv4 mapped; host bits zero */
	__u8 len;	      /* in the 128-bit space: IPv4 /24 is 120 */
};

struct prefix_list {
	struct prefix *v;
	size_t n, cap;
};

/*
 * Parse "198.18.0.0/15", "2001:2::/48" or a bare address into p (IPv4
 * lengths counted in the 128-bit mapped space). Host bits must be zero.
 * 0 or -EINVAL.
 */
int prefix_parse(const char *s, struct prefix *p);
int prefix_contains(const struct prefix *p, const struct in6_addr *a);

int prefix_list_add(struct prefix_list *l, const struct prefix *p);
/*
 * Read prefixes from f into l, one per line (lines.h: '#' comments, blank
 * lines skipped, f and l bounded by b). A bad line is reported as "xhop:
 * NAME:LINE: 'TEXT' is not an address or prefix" and -EINVAL returned;
 * so is the line that would take l past b->entries, and any line past
 * the file's bounds.
 */
int prefix_list_read(struct prefix_list *l, FILE *f, const char *name,
		     const struct line_bounds *b);
int prefix_list_contains(const struct prefix_list *l, const struct in6_addr *a);
void prefix_list_free(struct prefix_list *l);

/* ZMap-style default: reserved and special-use ranges (RFC 6890 etc.) */
int blocklist_default(struct prefix_list *l);

struct target_set {
	struct in6_addr *v;
	size_t n, cap;
	__u64 blocked; /* expanded addresses the blocklist refused */
};

/*
 * Expand prefix into targets: every address (every_address, at most
 * max_targets in all), or one per /24 (IPv4) or /64 (IPv6) with the host
 * part chosen from seed, so that the same seed gives the same list.
 * Addresses in block are counted in t->blocked, never added. -E2BIG when
 * more than max_targets would result.
 */
int targets_expand(struct target_set *t, const struct prefix *p, int every_address, __u64 seed,
		   const struct prefix_list *block, size_t max_targets);
void target_set_free(struct target_set *t);

/*
 * A keyed pseudo-random permutation of [0, n): a 4-round Feistel network
 * over the smallest even power of two >= n, cycle-walked into range. The
 * same seed gives the same order on every machine, so shards (index %
 * shards == shard) cover the list exactly once without coordination.
 */
struct permutation {
	__u64 n;
	__u64 half_mask;
	int half_bits;
	__u64 k0, k1;
};

void permutation_init(struct permutation *p, __u64 n, __u64 seed);
__u64 permutation_at(const struct permutation *p, __u64 i);

#endif
