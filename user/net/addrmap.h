/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One map from addresses to small numbers (a target's slot, a list
 * index), shared by every table of addresses: the engine finds an
 * answer's target in it, xhop scan keeps its targets in flight and the
 * interfaces it found, xhop monitor its targets. Open addressing, linear
 * probing, backward-shift deletion (no tombstones, so lookups stay short
 * under churn); it grows at half full.
 *
 * It stores the numbers and 32 bits of each address's hash, not the
 * addresses: a value's address comes from the owner's own storage through
 * key(), so an entry costs 8 bytes, not 20 (a scan window of a million
 * targets keeps its index at 16 MB). The hash decides most comparisons
 * without key(): in a scan of a million targets, key()'s two reads into
 * the owner's tables were a third of the scan thread's time; now only the
 * matching entry is read. The bucket follows from the stored hash too, so
 * growing and deleting read no key at all.
 */
#ifndef XHOP_ADDRMAP_H
#define XHOP_ADDRMAP_H

#include <netinet/in.h>
#include <linux/types.h>

#define ADDRMAP_NONE 0xffffffffu

/* The address of value v in the owner's storage */
typedef const struct in6_addr *(*addrmap_key_fn)(const void *ctx, __u32 v);

struct addrmap_slot {
	__u32 v;	/* the value, ADDRMAP_NONE where empty */
	__u32 hash;	/* the low 32 bits of its address's hash */
};

struct addrmap {
	struct addrmap_slot *slot;
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
