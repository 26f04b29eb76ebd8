// SPDX-License-Identifier: GPL-2.0
/*
 * xhop scan --mda's prefixes: the operands and --targets as xhop scan
 * reads them (plan/scan_input.c), each cut into /24s (IPv4) or /64s
 * (IPv6), a smaller prefix kept whole; any that the blocklist touches
 * left out; a prefix inside another one given dropped; ordered by the
 * keyed permutation that shards split.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "core/log.h"
#include "net/addr.h"
#include "plan/mda_scan.h"

#define V4_UNIT 120 /* a /24 in the mapped 128-bit space */
#define V6_UNIT 64

static int unit_len(const struct prefix *p)
{
	int unit = IN6_IS_ADDR_V4MAPPED(&p->addr) ? V4_UNIT : V6_UNIT;

	return p->len > unit ? p->len : unit;
}

/* a += 1 << (128 - len): the next prefix of that length */
static void next_prefix(struct in6_addr *a, int len)
{
	int byte = (len - 1) / 8;
	unsigned int carry = 1u << (7 - (len - 1) % 8);

	for (int i = byte; i >= 0 && carry; i--) {
		unsigned int v = a->s6_addr[i] + carry;

		a->s6_addr[i] = (__u8)v;
		carry = v >> 8;
	}
}

/* Any blocked address inside u, or u inside a blocked prefix */
static int blocked(const struct prefix_list *block, const struct prefix *u)
{
	for (size_t i = 0; i < block->n; i++) {
		const struct prefix *b = &block->v[i];

		if (b->len <= u->len ? prefix_contains(b, &u->addr) : prefix_contains(u, &b->addr))
			return 1;
	}
	return 0;
}

static int add_unit(struct mda_scan *ms, const struct prefix *u, size_t *cap)
{
	if (ms->nunits == *cap) {
		size_t c = *cap ? 2 * *cap : 64;
		struct prefix *v = realloc(ms->units, c * sizeof(*v));

		if (!v)
			return -ENOMEM;
		ms->units = v;
		*cap = c;
	}
	ms->units[ms->nunits++] = *u;
	return 0;
}

/* p cut into units; -E2BIG past max */
static int split(struct mda_scan *ms, const struct prefix *p, const struct prefix_list *block,
		 __u64 max, size_t *cap)
{
	int len = unit_len(p), shift = len - p->len;
	struct prefix u = { .addr = p->addr, .len = (__u8)len };
	__u64 n;

	if (shift >= 40 || ms->nunits + (n = 1ULL << shift) > max)
		return -E2BIG;
	for (__u64 i = 0; i < n; i++, next_prefix(&u.addr, len)) {
		if (blocked(block, &u)) {
			ms->blocked++;
			continue;
		}
		if (add_unit(ms, &u, cap))
			return -ENOMEM;
	}
	return 0;
}

static int cmp_prefix(const void *a, const void *b)
{
	const struct prefix *x = a, *y = b;
	int c = memcmp(&x->addr, &y->addr, sizeof(x->addr));

	return c ? c : (int)x->len - (int)y->len;
}

/* Sorted; one inside the one before (the same, or a part of it) goes */
static void dedupe(struct mda_scan *ms)
{
	__u64 kept = 0;

	qsort(ms->units, ms->nunits, sizeof(*ms->units), cmp_prefix);
	for (__u64 i = 0; i < ms->nunits; i++) {
		if (kept && prefix_contains(&ms->units[kept - 1], &ms->units[i].addr)) {
			ms->duplicates++;
			continue;
		}
		ms->units[kept++] = ms->units[i];
	}
	ms->nunits = kept;
}

static void arrange(struct mda_scan *ms, __u64 seed)
{
	const struct scan_cfg *o = ms->c;
	__u64 n = ms->nunits;

	for (__u64 i = 0; i < n; i++) {
		int f = IN6_IS_ADDR_V4MAPPED(&ms->units[i].addr) ? 0 : 1;

		if (!ms->has[f]) {
			ms->has[f] = 1;
			ms->first[f] = ms->units[i].addr;
		}
	}
	ms->seed = seed;
	permutation_init(&ms->perm, n, seed);
	ms->shard_units = n / (__u64)o->shards + ((__u64)o->shard < n % (__u64)o->shards);
	if (o->window) {
		ms->window = o->window;
	} else {
		/* enough prefixes that their first rounds (a few hundred
		 * probes each) keep the rate busy through a wait
		 */
		double w = o->rate * o->wait_s / 64;

		ms->window = w < 16 ? 16 : w > MDS_WINDOW_DEFAULT_MAX ? MDS_WINDOW_DEFAULT_MAX
								       : (__u32)w;
	}
	if (ms->window > ms->shard_units)
		ms->window = (__u32)(ms->shard_units ? ms->shard_units : 1);
}

int mda_scan_load(struct mda_scan *ms)
{
	const struct scan_cfg *o = ms->c;
	struct prefix_list block = { 0 }, list = { 0 };
	size_t cap = 0;
	__u64 seed;
	int rc, err = 0;

	rc = scan_read_lists(o, &block, &list, &seed);
	for (size_t i = 0; !rc && !err && i < list.n; i++)
		err = split(ms, &list.v[i], &block, o->max_targets, &cap);
	if (err == -E2BIG) {
		log_err("xhop scan: more than %llu prefixes (--max-targets)\n",
			(unsigned long long)o->max_targets);
		rc = 2;
	} else if (err) {
		log_err("xhop scan: prefix list: %s\n", strerror(-err));
		rc = 1;
	}
	if (!rc)
		dedupe(ms);
	if (!rc && !ms->nunits) {
		log_err("xhop scan: no prefix left (%llu blocked by the %s)\n",
			(unsigned long long)ms->blocked,
			o->blocklist_file ? "blocklist" : "built-in blocklist; see --blocklist");
		rc = 2;
	}
	if (!rc && ms->nunits > 0xfffffffeULL) {
		log_err("xhop scan: more than 2^32 prefixes in one run: use --shard\n");
		rc = 2;
	}
	if (!rc)
		arrange(ms, seed);
	prefix_list_free(&block);
	prefix_list_free(&list);
	return rc;
}
