// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "net/addr.h"
#include "plan/path_change.h"

static int set_has(const struct in6_addr *set, int n, const struct in6_addr *a)
{
	for (int i = 0; i < n; i++)
		if (!memcmp(&set[i], a, sizeof(*a)))
			return 1;
	return 0;
}

void pc_hop_forget(struct pc_hop *h)
{
	memset(h, 0, sizeof(*h));
}

int pc_hop_observe(struct pc_hop *h, int ttl, const struct in6_addr *from, int confirm,
		   struct pc_event *ev)
{
	if (!from)
		return 0; /* no answer: says nothing about who answers */
	if (!h->known) {
		h->est[0] = *from;
		h->n_est = 1;
		h->known = 1;
		return 0;
	}
	if (set_has(h->est, h->n_est, from)) {
		h->n_cand = 0; /* back on the established path */
		h->cand_cycles = 0;
		return 0;
	}
	if (!set_has(h->cand, h->n_cand, from) && h->n_cand < PC_ADDRS)
		h->cand[h->n_cand++] = *from;
	if (++h->cand_cycles < confirm)
		return 0;
	memset(ev, 0, sizeof(*ev));
	ev->kind = PC_HOP;
	ev->ttl = ttl;
	memcpy(ev->before, h->est, sizeof(h->est));
	ev->n_before = h->n_est;
	memcpy(ev->after, h->cand, sizeof(h->cand));
	ev->n_after = h->n_cand;
	memcpy(h->est, h->cand, sizeof(h->est));
	h->n_est = h->n_cand;
	h->n_cand = 0;
	h->cand_cycles = 0;
	return 1;
}

/*
 * A known value observed once more: 1 and ev filled (kind, before, after)
 * when it has differed from the established one for confirm cycles in a
 * row; then val is the new established value
 */
static int value_changed(struct pc_value *v, int val, int confirm, int kind,
			 struct pc_event *ev)
{
	if (val == v->est) {
		v->cand_cycles = 0;
		return 0;
	}
	v->cand = val;
	if (++v->cand_cycles < confirm)
		return 0;
	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	ev->before_val = v->est;
	ev->after_val = val;
	v->est = val;
	v->cand_cycles = 0;
	return 1;
}

int pc_count_observe(struct pc_value *v, int hops, int confirm, struct pc_event *ev)
{
	if (hops <= 0)
		return 0;
	if (!v->known) {
		v->est = hops;
		v->known = 1;
		return 0;
	}
	/* the latest: a path still settling ends where it ends */
	if (!value_changed(v, hops, confirm, PC_HOP_COUNT, ev))
		return 0;
	ev->ttl = hops;
	return 1;
}

int pc_reach_observe(struct pc_value *v, int reached, int confirm, struct pc_event *ev)
{
	reached = !!reached;
	if (!v->known) {
		if (v->cand_cycles && v->cand == reached)
			v->cand_cycles++;
		else
			v->cand_cycles = 1;
		v->cand = reached;
		if (v->cand_cycles >= confirm) {
			v->est = reached;
			v->known = 1;
			v->cand_cycles = 0;
		}
		return 0;
	}
	return value_changed(v, reached, confirm, PC_REACH, ev);
}
