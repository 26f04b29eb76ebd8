// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "net/addr.h"
#include "net/addrmap.h"

static __u32 hash_of(const struct addrmap *m, const struct in6_addr *a)
{
	return (__u32)addr_hash(a, m->salt);
}

static int table_alloc(struct addrmap *m, __u32 buckets)
{
	m->slot = malloc((size_t)buckets * sizeof(*m->slot));
	if (!m->slot)
		return -ENOMEM;
	for (__u32 i = 0; i < buckets; i++)
		m->slot[i].v = ADDRMAP_NONE;
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

/* The bucket of a (hash h), or the empty one where it would go */
static __u32 find(const struct addrmap *m, const struct in6_addr *a, __u32 h)
{
	__u32 i = h & m->mask;

	while (m->slot[i].v != ADDRMAP_NONE &&
	       (m->slot[i].hash != h || memcmp(m->key(m->ctx, m->slot[i].v), a, sizeof(*a))))
		i = (i + 1) & m->mask;
	return i;
}

__u32 addrmap_get(const struct addrmap *m, const struct in6_addr *a)
{
	return m->slot ? m->slot[find(m, a, hash_of(m, a))].v : ADDRMAP_NONE;
}

static int grow(struct addrmap *m)
{
	struct addrmap_slot *old = m->slot;
	__u32 buckets = m->mask + 1;

	if (buckets >= (1u << 31))
		return -ENOMEM;
	if (table_alloc(m, buckets * 2)) {
		m->slot = old;
		return -ENOMEM;
	}
	/* distinct addresses: each goes to the first empty bucket from home */
	for (__u32 j = 0; j < buckets; j++) {
		__u32 i;

		if (old[j].v == ADDRMAP_NONE)
			continue;
		for (i = old[j].hash & m->mask; m->slot[i].v != ADDRMAP_NONE; i = (i + 1) & m->mask)
			;
		m->slot[i] = old[j];
	}
	free(old);
	return 0;
}

int addrmap_put(struct addrmap *m, __u32 v)
{
	const struct in6_addr *a;
	__u32 i, h;

	if (2 * (__u64)(m->n + 1) > (__u64)m->mask + 1 && grow(m))
		return -ENOMEM;
	a = m->key(m->ctx, v);
	h = hash_of(m, a);
	i = find(m, a, h);
	if (m->slot[i].v != ADDRMAP_NONE)
		return 0;
	m->slot[i].v = v;
	m->slot[i].hash = h;
	m->n++;
	return 1;
}

void addrmap_del(struct addrmap *m, const struct in6_addr *a)
{
	__u32 i, j;

	if (!m->slot)
		return;
	i = find(m, a, hash_of(m, a));
	if (m->slot[i].v == ADDRMAP_NONE)
		return;
	m->slot[i].v = ADDRMAP_NONE;
	m->n--;
	/* backward-shift: the entries after i move up unless their home lies
	 * in (i, j], so every probe chain stays unbroken
	 */
	for (j = (i + 1) & m->mask; m->slot[j].v != ADDRMAP_NONE; j = (j + 1) & m->mask) {
		__u32 h = m->slot[j].hash & m->mask;

		if (i <= j ? (h <= i || h > j) : (h <= i && h > j)) {
			m->slot[i] = m->slot[j];
			m->slot[j].v = ADDRMAP_NONE;
			i = j;
		}
	}
}
