// SPDX-License-Identifier: GPL-2.0
/*
 * A sorted array instead of a trie: the table is built once from a file
 * and only read afterwards, so a sort is all the structure it needs.
 * A lookup masks the address to each length present (at most 129, in
 * practice the two dozen that BGP tables use) and binary-searches the
 * exact (network, length) pair, longest length first: the first hit is
 * the longest match.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "net/prefix_table.h"

void prefix_table_init(struct prefix_table *t)
{
	memset(t, 0, sizeof(*t));
}

void prefix_table_free(struct prefix_table *t)
{
	free(t->e);
	prefix_table_init(t);
}

void prefix_mask(struct in6_addr *out, const struct in6_addr *addr, int len)
{
	for (int i = 0; i < 16; i++) {
		int bits = len - i * 8;

		if (bits >= 8)
			out->s6_addr[i] = addr->s6_addr[i];
		else if (bits <= 0)
			out->s6_addr[i] = 0;
		else
			out->s6_addr[i] = addr->s6_addr[i] & (__u8)(0xff00 >> bits);
	}
}

int prefix_table_add(struct prefix_table *t, const struct in6_addr *net, int len,
		     const struct asn_ann *origin)
{
	struct in6_addr masked;

	if (len < 0 || len > 128)
		return -EINVAL;
	prefix_mask(&masked, net, len);
	if (memcmp(&masked, net, sizeof(masked)))
		return -EINVAL;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1024;
		struct prefix_entry *e = realloc(t->e, cap * sizeof(*e));

		if (!e)
			return -ENOMEM;
		t->e = e;
		t->cap = cap;
	}
	t->e[t->n] = (struct prefix_entry){ .net = masked, .origin = *origin,
					    .order = (__u32)t->n, .len = (__u8)len };
	t->n++;
	t->sorted = 0;
	return 0;
}

/* by length, then network: the search key is the pair */
static int key_cmp(const struct in6_addr *net, int len, const struct prefix_entry *e)
{
	if (len != e->len)
		return len < e->len ? -1 : 1;
	return memcmp(net, &e->net, sizeof(*net));
}

static int entry_cmp(const void *a, const void *b)
{
	const struct prefix_entry *x = a, *y = b;
	int c = key_cmp(&x->net, x->len, y);

	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

void prefix_table_finish(struct prefix_table *t)
{
	__u8 seen[129] = { 0 };
	size_t out = 0;

	if (t->n)
		qsort(t->e, t->n, sizeof(*t->e), entry_cmp);
	for (size_t i = 0; i < t->n; i++) {
		/* equal keys sit together, oldest first: keep the newest */
		if (out && !key_cmp(&t->e[i].net, t->e[i].len, &t->e[out - 1]))
			out--;
		t->e[out++] = t->e[i];
		seen[t->e[i].len] = 1;
	}
	t->n = out;
	t->nlens = 0;
	for (int len = 128; len >= 0; len--)
		if (seen[len])
			t->lens[t->nlens++] = (__u8)len;
	t->sorted = 1;
}

const struct prefix_entry *prefix_table_lookup(const struct prefix_table *t,
					       const struct in6_addr *addr)
{
	int v4;

	if (!t->sorted || !addr)
		return NULL;
	v4 = IN6_IS_ADDR_V4MAPPED(addr);
	for (int i = 0; i < t->nlens; i++) {
		struct in6_addr net;
		size_t lo = 0, hi = t->n;

		/* an IPv6 ::/0 (or any prefix above the mapped block) must
		 * not claim IPv4 addresses: they are another family's space
		 */
		if (v4 && t->lens[i] < 96)
			break;
		prefix_mask(&net, addr, t->lens[i]);
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			int c = key_cmp(&net, t->lens[i], &t->e[mid]);

			if (!c)
				return &t->e[mid];
			if (c < 0)
				hi = mid;
			else
				lo = mid + 1;
		}
	}
	return NULL;
}
