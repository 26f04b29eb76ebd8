// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "net/addr.h"
#include "plan/scan_table.h"

/* A slot's address: its target's in the list */
static const struct in6_addr *slot_key(const void *ctx, __u32 slot)
{
	const struct scan_table *t = ctx;

	return &t->addrs[t->slots[slot].idx];
}

int scan_table_init(struct scan_table *t, __u32 nslots, const struct in6_addr *addrs)
{
	int err;

	memset(t, 0, sizeof(*t));
	if (!nslots)
		return -EINVAL;
	t->slots = calloc(nslots, sizeof(*t->slots));
	t->free_slots = malloc(nslots * sizeof(*t->free_slots));
	/* addresses of targets are ours (no adversary picks them): unsalted */
	if (!t->slots || !t->free_slots || addrmap_init(&t->map, nslots, slot_key, t, 0)) {
		err = -ENOMEM;
		goto err_free;
	}
	t->nslots = nslots;
	/* lowest slot first: the hot part of the array stays small */
	for (__u32 i = 0; i < nslots; i++)
		t->free_slots[i] = nslots - 1 - i;
	t->nfree = nslots;
	t->addrs = addrs;
	t->hops_free = SCAN_NONE;
	err = fifo_init(&t->due, sizeof(struct scan_due));
	if (!err)
		err = fifo_init(&t->fresh, sizeof(struct scan_due));
	if (err)
		goto err_free;
	return 0;

err_free:
	scan_table_free(t);
	return err;
}

void scan_table_free(struct scan_table *t)
{
	free(t->slots);
	free(t->free_slots);
	addrmap_free(&t->map);
	free(t->hops);
	fifo_free(&t->due);
	fifo_free(&t->fresh);
	memset(t, 0, sizeof(*t));
}

__u32 scan_table_admit(struct scan_table *t, __u32 idx)
{
	struct scan_target *s;
	__u32 slot;
	__u16 gen;

	if (!t->nfree)
		return SCAN_NONE;
	if (addrmap_get(&t->map, &t->addrs[idx]) != ADDRMAP_NONE)
		return SCAN_NONE; /* the same address twice in flight: never */
	slot = t->free_slots[--t->nfree];
	s = &t->slots[slot];
	gen = s->gen + 1;
	memset(s, 0, sizeof(*s));
	s->gen = gen;
	s->idx = idx;
	s->hops = SCAN_NONE;
	s->dt_stop = SCAN_NONE;
	s->dt_child = SCAN_NONE;
	s->state = TARGET_ACTIVE;
	if (addrmap_put(&t->map, slot) < 0) {
		s->state = TARGET_FREE;
		t->free_slots[t->nfree++] = slot;
		return SCAN_NONE;
	}
	t->active++;
	return slot;
}

__u32 scan_table_find(const struct scan_table *t, const struct in6_addr *a)
{
	__u32 slot = addrmap_get(&t->map, a);

	return slot == ADDRMAP_NONE ? SCAN_NONE : slot;
}

static void hop_free_chain(struct scan_table *t, __u32 h)
{
	while (h != SCAN_NONE) {
		__u32 next = t->hops[h].next;

		t->hops[h].next = t->hops_free;
		t->hops_free = h;
		t->hops_used--;
		h = next;
	}
}

void scan_table_release(struct scan_table *t, __u32 slot)
{
	struct scan_target *s = &t->slots[slot];

	if (s->state == TARGET_FREE)
		return;
	hop_free_chain(t, s->hops);
	s->hops = SCAN_NONE;
	addrmap_del(&t->map, &t->addrs[s->idx]);
	s->state = TARGET_FREE;
	t->free_slots[t->nfree++] = slot;
	t->active--;
}

static __u32 hop_alloc(struct scan_table *t)
{
	__u32 h;

	if (t->hops_free != SCAN_NONE) {
		h = t->hops_free;
		t->hops_free = t->hops[h].next;
	} else {
		if (t->nhops == t->hops_cap) {
			__u32 cap = t->hops_cap ? 2 * t->hops_cap : 4096;
			struct scan_hop *v = realloc(t->hops, (size_t)cap * sizeof(*v));

			if (!v)
				return SCAN_NONE;
			t->hops = v;
			t->hops_cap = cap;
		}
		h = t->nhops++;
	}
	t->hops_used++;
	return h;
}

int scan_table_add_hop(struct scan_table *t, __u32 slot, const struct hop_reply *r, __u64 tx_ns,
		       int ttl, int dir)
{
	/* the hop before the new one by index, not by pointer: hop_alloc may
	 * move t->hops (a pointer into it read freed memory after a realloc)
	 */
	__u32 prev = SCAN_NONE, cur = t->slots[slot].hops, h;

	while (cur != SCAN_NONE && t->hops[cur].ttl < ttl) {
		prev = cur;
		cur = t->hops[cur].next;
	}
	if (cur != SCAN_NONE && t->hops[cur].ttl == ttl)
		return 0;
	h = hop_alloc(t);
	if (h == SCAN_NONE)
		return -ENOMEM;
	t->hops[h].reply = *r;
	t->hops[h].tx_ns = tx_ns;
	t->hops[h].ttl = (__u8)ttl;
	t->hops[h].dir = (__u8)dir;
	t->hops[h].next = cur;
	if (prev == SCAN_NONE)
		t->slots[slot].hops = h;
	else
		t->hops[prev].next = h;
	return 0;
}

void scan_table_trim_hops(struct scan_table *t, __u32 slot, int ttl)
{
	__u32 *link = &t->slots[slot].hops;

	while (*link != SCAN_NONE && t->hops[*link].ttl <= ttl)
		link = &t->hops[*link].next;
	hop_free_chain(t, *link);
	*link = SCAN_NONE;
}
