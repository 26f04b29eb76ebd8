// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "net/addr.h"
#include "net/addrmap.h"

static __u32 home(const struct addrmap *m, const struct in6_addr *a)
{
	return (__u32)addr_hash(a, m->salt) & m->mask;
}

static int table_alloc(struct addrmap *m, __u32 buckets)
{
	m->slot = malloc((size_t)buckets * sizeof(*m->slot));
	if (!m->slot)
		return -ENOMEM;
	memset(m->slot, 0xff, (size_t)buckets * sizeof(*m->slot));
	m->mask = buckets - 1;
	return 0;
}

int addrmap_init(struct addrmap *m, __u32 expect, addrmap_key_fn key, const void *ctx,
		 __u64 salt)
{
	__u32 buckets = 16;

	memset(m, 0, sizeof(*m));
	m->key = key;
	m->ctx = ctx;
	m->salt = salt;
	while (buckets < 2 * (__u64)expect && buckets < (1u << 31))
		buckets <<= 1;
	return table_alloc(m, buckets);
}

void addrmap_free(struct addrmap *m)
{
	free(m->slot);
	m->slot = NULL;
	m->n = 0;
}

/* The bucket of a, or the empty one where it would go */
static __u32 find(const struct addrmap *m, const struct in6_addr *a)
{
	__u32 i = home(m, a);

	while (m->slot[i] != ADDRMAP_NONE && memcmp(m->key(m->ctx, m->slot[i]), a, sizeof(*a)))
		i = (i + 1) & m->mask;
	return i;
}

__u32 addrmap_get(const struct addrmap *m, const struct in6_addr *a)
{
	return m->slot ? m->slot[find(m, a)] : ADDRMAP_NONE;
}

static int grow(struct addrmap *m)
{
	__u32 *old = m->slot, buckets = m->mask + 1;

	if (buckets >= (1u << 31))
		return -ENOMEM;
	if (table_alloc(m, buckets * 2)) {
		m->slot = old;
		return -ENOMEM;
	}
	for (__u32 j = 0; j < buckets; j++)
		if (old[j] != ADDRMAP_NONE)
			m->slot[find(m, m->key(m->ctx, old[j]))] = old[j];
	free(old);
	return 0;
}

int addrmap_put(struct addrmap *m, __u32 v)
{
	__u32 i;

	if (2 * (__u64)(m->n + 1) > (__u64)m->mask + 1 && grow(m))
		return -ENOMEM;
	i = find(m, m->key(m->ctx, v));
	if (m->slot[i] != ADDRMAP_NONE)
		return 0;
	m->slot[i] = v;
	m->n++;
	return 1;
}

void addrmap_del(struct addrmap *m, const struct in6_addr *a)
{
	__u32 i, j;

	if (!m->slot)
		return;
	i = find(m, a);
	if (m->slot[i] == ADDRMAP_NONE)
		return;
	m->slot[i] = ADDRMAP_NONE;
	m->n--;
	/* backward-shift: the entries after i move up unless their home lies
	 * in (i, j], so every probe chain stays unbroken
	 */
	for (j = (i + 1) & m->mask; m->slot[j] != ADDRMAP_NONE; j = (j + 1) & m->mask) {
		__u32 h = home(m, m->key(m->ctx, m->slot[j]));

		if (i <= j ? (h <= i || h > j) : (h <= i && h > j)) {
			m->slot[i] = m->slot[j];
			m->slot[j] = ADDRMAP_NONE;
			i = j;
		}
	}
}
