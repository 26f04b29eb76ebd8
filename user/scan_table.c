// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "addr.h"
#include "scan_table.h"

int fifo_init(struct fifo *f, size_t elem)
{
	memset(f, 0, sizeof(*f));
	f->elem = elem;
	f->cap = 1024;
	f->v = calloc(f->cap, elem);
	return f->v ? 0 : -ENOMEM;
}

int fifo_push(struct fifo *f, const void *e)
{
	if (f->n == f->cap) {
		/* double, and unwrap: the oldest record goes to index 0 */
		size_t cap = 2 * f->cap, tail = f->cap - f->head;
		char *v = malloc(cap * f->elem);

		if (!v)
			return -ENOMEM;
		memcpy(v, (char *)f->v + f->head * f->elem, tail * f->elem);
		memcpy(v + tail * f->elem, f->v, f->head * f->elem);
		free(f->v);
		f->v = v;
		f->cap = cap;
		f->head = 0;
	}
	memcpy((char *)f->v + ((f->head + f->n) & (f->cap - 1)) * f->elem, e, f->elem);
	f->n++;
	return 0;
}

void *fifo_peek(struct fifo *f)
{
	return f->n ? (char *)f->v + f->head * f->elem : NULL;
}

void fifo_pop(struct fifo *f)
{
	if (!f->n)
		return;
	f->head = (f->head + 1) & (f->cap - 1);
	f->n--;
}

void fifo_free(struct fifo *f)
{
	free(f->v);
	memset(f, 0, sizeof(*f));
}

/* Addresses of targets are ours (no adversary picks them): unkeyed */
static __u32 target_hash(const struct in6_addr *a)
{
	return (__u32)addr_hash(a, 0);
}

int scan_table_init(struct scan_table *t, __u32 nslots, const struct in6_addr *addrs)
{
	__u32 isize = 2;
	int err;

	memset(t, 0, sizeof(*t));
	if (!nslots)
		return -EINVAL;
	while (isize < 2 * nslots) /* at most half full */
		isize <<= 1;
	t->slots = calloc(nslots, sizeof(*t->slots));
	t->free_slots = malloc(nslots * sizeof(*t->free_slots));
	t->index = malloc(isize * sizeof(*t->index));
	if (!t->slots || !t->free_slots || !t->index) {
		err = -ENOMEM;
		goto err_free;
	}
	memset(t->index, 0xff, isize * sizeof(*t->index));
	t->index_mask = isize - 1;
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
	if (!err)
		err = fifo_init(&t->deadlines, sizeof(struct scan_deadline));
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
	free(t->index);
	free(t->hops);
	fifo_free(&t->due);
	fifo_free(&t->fresh);
	fifo_free(&t->deadlines);
	memset(t, 0, sizeof(*t));
}

static __u32 index_pos(const struct scan_table *t, const struct in6_addr *a)
{
	__u32 i = target_hash(a) & t->index_mask;

	while (t->index[i] != SCAN_NONE &&
	       memcmp(&t->addrs[t->slots[t->index[i]].idx], a, sizeof(*a)))
		i = (i + 1) & t->index_mask;
	return i;
}

__u32 scan_table_admit(struct scan_table *t, __u32 idx)
{
	struct scan_target *s;
	__u32 slot, pos;
	__u16 gen;

	if (!t->nfree)
		return SCAN_NONE;
	pos = index_pos(t, &t->addrs[idx]);
	if (t->index[pos] != SCAN_NONE)
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
	s->state = SLOT_ACTIVE;
	t->index[pos] = slot;
	t->active++;
	return slot;
}

__u32 scan_table_find(const struct scan_table *t, const struct in6_addr *a)
{
	return t->index[index_pos(t, a)];
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
	__u32 i, j;

	if (s->state != SLOT_ACTIVE)
		return;
	hop_free_chain(t, s->hops);
	s->hops = SCAN_NONE;
	/* backward-shift deletion keeps every probe chain unbroken */
	i = index_pos(t, &t->addrs[s->idx]);
	t->index[i] = SCAN_NONE;
	for (j = (i + 1) & t->index_mask; t->index[j] != SCAN_NONE; j = (j + 1) & t->index_mask) {
		__u32 home = target_hash(&t->addrs[t->slots[t->index[j]].idx]) & t->index_mask;

		/* the entry at j may move to i if its home is not in (i, j] */
		if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) {
			t->index[i] = t->index[j];
			t->index[j] = SCAN_NONE;
			i = j;
		}
	}
	s->state = SLOT_FREE;
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
	struct scan_target *s = &t->slots[slot];
	__u32 *link = &s->hops, h;

	while (*link != SCAN_NONE && t->hops[*link].ttl < ttl)
		link = &t->hops[*link].next;
	if (*link != SCAN_NONE && t->hops[*link].ttl == ttl)
		return 0;
	h = hop_alloc(t);
	if (h == SCAN_NONE)
		return -ENOMEM;
	t->hops[h].reply = *r;
	t->hops[h].tx_ns = tx_ns;
	t->hops[h].ttl = (__u8)ttl;
	t->hops[h].dir = (__u8)dir;
	t->hops[h].next = *link;
	*link = h;
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
