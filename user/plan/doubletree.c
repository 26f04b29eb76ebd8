// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "net/addr.h"
#include "plan/doubletree.h"

static __u32 key_hash(const struct in6_addr *a, int ttl, __u32 child)
{
	return (__u32)addr_hash(a, (__u64)ttl << 32 | child);
}

int dt_init(struct doubletree *dt, __u32 stable_obs, __u32 recheck)
{
	memset(dt, 0, sizeof(*dt));
	dt->stable_obs = stable_obs ? stable_obs : 1;
	dt->recheck = recheck;
	dt->mask = 1023;
	dt->index = malloc((dt->mask + 1) * sizeof(*dt->index));
	if (!dt->index)
		return -ENOMEM;
	memset(dt->index, 0xff, (dt->mask + 1) * sizeof(*dt->index));
	return 0;
}

void dt_free(struct doubletree *dt)
{
	free(dt->v);
	free(dt->index);
	memset(dt, 0, sizeof(*dt));
}

static int same_key(const struct dt_node *n, const struct in6_addr *a, int ttl, __u32 child)
{
	return n->ttl == ttl && n->child == child && !memcmp(&n->addr, a, sizeof(*a));
}

static __u32 *slot_of(struct doubletree *dt, const struct in6_addr *a, int ttl, __u32 child)
{
	__u32 i = key_hash(a, ttl, child) & dt->mask;

	while (dt->index[i] != DT_NONE && !same_key(&dt->v[dt->index[i]], a, ttl, child))
		i = (i + 1) & dt->mask;
	return &dt->index[i];
}

static int grow_index(struct doubletree *dt)
{
	__u32 size = 2 * (dt->mask + 1), *old = dt->index;

	dt->index = malloc(size * sizeof(*dt->index));
	if (!dt->index) {
		dt->index = old;
		return -ENOMEM;
	}
	memset(dt->index, 0xff, size * sizeof(*dt->index));
	dt->mask = size - 1;
	for (__u32 i = 0; i < dt->n; i++)
		*slot_of(dt, &dt->v[i].addr, dt->v[i].ttl, dt->v[i].child) = i;
	free(old);
	return 0;
}

static __u32 get_or_add(struct doubletree *dt, const struct in6_addr *a, int ttl, __u32 child,
			int silent)
{
	__u32 *slot = slot_of(dt, a, ttl, child);
	struct dt_node *n;

	if (*slot != DT_NONE)
		return *slot;
	if (2 * (dt->n + 1) > dt->mask + 1) { /* at most half full */
		if (grow_index(dt))
			return DT_NONE;
		slot = slot_of(dt, a, ttl, child);
	}
	if (dt->n == dt->cap) {
		__u32 cap = dt->cap ? 2 * dt->cap : 256;
		struct dt_node *v = realloc(dt->v, (size_t)cap * sizeof(*v));

		if (!v)
			return DT_NONE;
		dt->v = v;
		dt->cap = cap;
	}
	n = &dt->v[dt->n];
	memset(n, 0, sizeof(*n));
	n->addr = *a;
	n->ttl = (__u8)ttl;
	n->child = child;
	n->parent = DT_NONE;
	n->silent = (__u8)silent;
	*slot = dt->n;
	return dt->n++;
}

__u32 dt_node(struct doubletree *dt, const struct in6_addr *addr, int ttl)
{
	return get_or_add(dt, addr, ttl, DT_NONE, 0);
}

__u32 dt_silent(struct doubletree *dt, __u32 child, int ttl)
{
	static const struct in6_addr zero;

	if (child == DT_NONE)
		return DT_NONE;
	return get_or_add(dt, &zero, ttl, child, 1);
}

void dt_observe(struct doubletree *dt, __u32 child, __u32 parent)
{
	struct dt_node *c;

	if (child == DT_NONE || parent == DT_NONE)
		return;
	c = &dt->v[child];
	if (dt->v[parent].ttl + 1 != c->ttl)
		return; /* not adjacent: a jump, nothing learnt */
	if (c->parent == DT_NONE) {
		c->parent = parent;
	} else if (c->parent != parent && !c->divergent) {
		c->divergent = 1;
		if (c->stopped_at)
			dt->late_divergence++;
	}
	c->obs++;
}

int dt_stable(const struct doubletree *dt, __u32 node)
{
	/* the chain down to TTL 1 is at most 255 nodes, and each step lowers
	 * the TTL by one, so this ends
	 */
	while (node != DT_NONE) {
		const struct dt_node *n = &dt->v[node];

		if (n->ttl == 1)
			return 1;
		if (n->divergent || n->parent == DT_NONE || n->obs < dt->stable_obs)
			return 0;
		node = n->parent;
	}
	return 0;
}

int dt_rechecks(const struct doubletree *dt, __u32 target_idx)
{
	__u32 h = target_idx * 0x9e3779b9u;

	return dt->recheck && (h >> 16) % dt->recheck == 0;
}
