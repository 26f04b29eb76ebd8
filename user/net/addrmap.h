/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One map from addresses to small numbers (a target's slot, a list
 * index), shared by every table of addresses: the engine finds an
 * answer's target in it, xhop scan keeps its targets in flight and the
 * interfaces it found, xhop monitor its targets. Open addressing, linear
 * probing, backward-shift deletion (no tombstones, so lookups stay short
 * under churn); it grows at half full.
 *
 * It stores only the numbers: a value's address comes from the owner's
 * own storage through key(), so an entry costs 4 bytes, not 20 (a scan
 * window of a million targets keeps its index at 8 MB).
 */
#ifndef XHOP_ADDRMAP_H
#define XHOP_ADDRMAP_H

#include <netinet/in.h>
#include <linux/types.h>

#define ADDRMAP_NONE 0xffffffffu

/* The address of value v in the owner's storage */
typedef const struct in6_addr *(*addrmap_key_fn)(const void *ctx, __u32 v);

struct addrmap {
	__u32 *slot;	/* values, ADDRMAP_NONE where empty */
	__u32 mask;	/* buckets - 1, a power of two */
	__u32 n;
	__u64 salt;	/* a per-run hash salt: addresses are not ours to choose */
	addrmap_key_fn key;
	const void *ctx;
};

/* Room for at least expect entries before it grows. 0 or -ENOMEM */
int addrmap_init(struct addrmap *m, __u32 expect, addrmap_key_fn key, const void *ctx,
		 __u64 salt);
void addrmap_free(struct addrmap *m);
/* The value of a, or ADDRMAP_NONE */
__u32 addrmap_get(const struct addrmap *m, const struct in6_addr *a);
/*
 * Add v under its own address (key(v)): 1 added, 0 the address is there
 * already (nothing changes), -ENOMEM
 */
int addrmap_put(struct addrmap *m, __u32 v);
/* Remove the entry of a, if any */
void addrmap_del(struct addrmap *m, const struct in6_addr *a);

#endif
