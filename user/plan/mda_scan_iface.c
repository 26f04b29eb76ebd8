// SPDX-License-Identifier: GPL-2.0
/*
 * xhop scan --mda's interfaces as every prefix met them (plan/mda_scan.h):
 * how many answers each loses, and which answered after which. A router
 * near the prober that rate-limits its ICMP stands on thousands of
 * prefixes' paths and drops nearly every answer under a fast scan: one
 * prefix sees too few of its answers to tell its loss from a silent
 * router, all of them together see plenty.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "plan/mda_scan.h"

#define MDS_WALK_BUDGET 512 /* interfaces visited looking for the ways between two */

static __u64 mix64(__u64 x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static __u32 slot_of(const struct mds_ifaces *t, const struct in6_addr *a)
{
	__u64 h = t->seed;

	for (int i = 0; i < 4; i++)
		h = mix64(h ^ a->s6_addr32[i]);
	return (__u32)h & (t->cap - 1);
}

/* Twice the room, every interface moved (indices change: none kept yet). 0 or -ENOMEM */
static int rehash(struct mds_ifaces *t, __u32 cap)
{
	struct mds_iface *old = t->v, *v = calloc(cap, sizeof(*v));
	__u32 ocap = t->cap;
	__s32 *to;

	if (!v)
		return -ENOMEM;
	to = malloc((size_t)(ocap ? ocap : 1) * sizeof(*to));
	if (!to) {
		free(v);
		return -ENOMEM;
	}
	t->v = v;
	t->cap = cap;
	for (__u32 i = 0; i < ocap; i++) {
		__u32 s;

		to[i] = -1;
		if (!old[i].used)
			continue;
		for (s = slot_of(t, &old[i].addr); v[s].used; s = (s + 1) & (cap - 1))
			;
		v[s] = old[i];
		to[i] = (__s32)s;
	}
	for (__u32 i = 0; i < cap; i++)
		for (int k = 0; v[i].used && k < v[i].nsucc; k++)
			v[i].succ[k] = to[v[i].succ[k]];
	free(to);
	free(old);
	return 0;
}

__s32 mds_iface_get(struct mds_ifaces *t, const struct in6_addr *a, int make)
{
	__u32 s = 0;

	if (t->cap) {
		for (s = slot_of(t, a); t->v[s].used; s = (s + 1) & (t->cap - 1))
			if (!memcmp(&t->v[s].addr, a, sizeof(*a)))
				return (__s32)s;
	}
	if (!make)
		return -1;
	if (2 * (t->n + 1) > t->cap) {
		if (rehash(t, t->cap ? 2 * t->cap : 1024))
			return -ENOMEM;
		for (s = slot_of(t, a); t->v[s].used; s = (s + 1) & (t->cap - 1))
			;
	}
	t->v[s] = (struct mds_iface){ .addr = *a, .used = 1 };
	t->n++;
	return (__s32)s;
}

void mds_iface_free(struct mds_ifaces *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}

void mds_iface_link(struct mds_ifaces *t, __s32 a, __s32 b)
{
	struct mds_iface *f;

	if (a < 0 || b < 0)
		return;
	f = &t->v[a];
	for (int k = 0; k < f->nsucc; k++)
		if (f->succ[k] == b)
			return;
	/* more next hops than kept: the walk misses some, the neighbours' loss still counts */
	if (f->nsucc < MDS_IFACE_SUCC)
		f->succ[f->nsucc++] = b;
}

double mds_loss_of(const struct mda_scan *ms, double rec, double asked)
{
	double q;

	if (ms->tries < 2)
		return 0;
	/*
	 * Of N flows through it N (1 - q) answer a first try, N q (1 - q) a
	 * retry when every lost one is asked again: asked counts the first
	 * answers as retries would have met them, rec / asked is q
	 */
	if (rec >= MDS_SILENT_MIN && rec - sqrt(rec) >= MDS_LOSSY * asked)
		return 0.99; /* likely (about 84%) an interface that loses answers */
	q = asked > 0 ? (rec + 2 * sqrt(rec) + 2) / asked : 1;
	return q > 0.99 ? 0.99 : q;
}

double mds_iface_loss(const struct mda_scan *ms, __s32 i)
{
	if (i < 0)
		return 0;
	return mds_loss_of(ms, ms->ifaces.v[i].recov, ms->ifaces.v[i].asked);
}

/*
 * The highest loss of the interfaces on ways of len more hops from a to
 * c, into *q; *budget: visits left (none: every interface visited counts)
 */
static int walk(const struct mda_scan *ms, __s32 a, __s32 c, int len, double *q, int *budget)
{
	const struct mds_iface *f = &ms->ifaces.v[a];
	int found = 0;

	for (int k = 0; k < f->nsucc; k++) {
		__s32 b = f->succ[k];

		if (--*budget < 0) {
			double l = mds_iface_loss(ms, b);

			*q = l > *q ? l : *q;
			continue;
		}
		if (len == 1 ? b != c : !walk(ms, b, c, len - 1, q, budget))
			continue;
		found = 1;
		if (len > 1) {
			double l = mds_iface_loss(ms, b);

			*q = l > *q ? l : *q;
		}
	}
	return found;
}

/* Interface i's loss if its retries showed one (MDS_SILENT_MIN answers), else 0 */
static double loss_shown(const struct mda_scan *ms, __s32 i)
{
	return i >= 0 && ms->ifaces.v[i].recov >= MDS_SILENT_MIN ? mds_iface_loss(ms, i) : 0;
}

double mds_iface_run_loss(const struct mda_scan *ms, __s32 a, __s32 c, int len)
{
	double q = 0, l;
	int budget = MDS_WALK_BUDGET;

	if (a >= 0) {
		q = loss_shown(ms, a);
		if (c >= 0)
			walk(ms, a, c, len + 1, &q, &budget);
	}
	l = loss_shown(ms, c);
	return l > q ? l : q;
}

/*
 * The interface of node h, made if new: never a move of the table (room
 * reserved before); none for a destination (-1)
 */
static __s32 node_iface(struct mda_scan *ms, struct mds_prefix *x, __s32 h)
{
	const struct mp_node *n = &x->nodes[h];
	__s32 i;

	/* the table grew since: every interface moved */
	if (x->iface_cap != ms->ifaces.cap) {
		for (int k = 0; k < x->nnodes; k++)
			x->iface[k] = -1;
		x->iface_cap = ms->ifaces.cap;
	}
	if (x->iface[h] >= 0 || n->verdict == VERDICT_REACHED)
		return x->iface[h];
	i = mds_iface_get(&ms->ifaces, &n->addr, 1);
	if (i < 0)
		return -1;
	x->iface[h] = i;
	return i;
}

void mds_iface_answer(struct mda_scan *ms, struct mds_prefix *x, __u32 f, int t, __s32 h)
{
	struct mds_ifaces *tb = &ms->ifaces;
	__s32 i, p, n;

	/* three new interfaces at most below: the indices hold till the end */
	if (2 * (tb->n + 3) > tb->cap && rehash(tb, tb->cap ? 2 * tb->cap : 1024)) {
		ms->oom = 1;
		return;
	}
	i = node_iface(ms, x, h);
	if (i < 0)
		return;
	if (t > ms->first_ttl && (p = *mds_hop_at(ms, x, f, t - 1)) >= 0 && !x->nodes[p].silent &&
	    !mda_node_terminal(&x->nodes[p]))
		mds_iface_link(tb, node_iface(ms, x, p), i);
	if (!mda_node_terminal(&x->nodes[h]) && t < ms->max_ttl &&
	    (n = *mds_hop_at(ms, x, f, t + 1)) >= 0 && !x->nodes[n].silent)
		mds_iface_link(tb, i, node_iface(ms, x, n));
}

double mds_node_asked(const struct mds_prefix *x, __s32 h)
{
	const struct mp_node *n = &x->nodes[h];
	double share;

	/* no first try lost at its TTL: any would have been asked again, as far as it shows */
	share = x->lost1[n->ttl] ? (double)x->retried[n->ttl] / (double)x->lost1[n->ttl] : 1;
	return (double)(n->replies - x->recov[h]) * (share > 1 ? 1 : share);
}

void mds_iface_done(struct mda_scan *ms, struct mds_prefix *x)
{
	for (int h = 0; h < x->nnodes; h++) {
		__s32 i;

		if (x->nodes[h].silent)
			continue;
		i = mds_iface_of(ms, x, h);
		if (i < 0)
			continue;
		ms->ifaces.v[i].recov += x->recov[h];
		ms->ifaces.v[i].asked += (float)mds_node_asked(x, h);
	}
}

/* Node h's interface as known (-1: never answered on a flow this run counted) */
__s32 mds_iface_of(struct mda_scan *ms, struct mds_prefix *x, __s32 h)
{
	if (h < 0 || x->nodes[h].silent)
		return -1;
	if (x->iface_cap != ms->ifaces.cap) {
		for (int k = 0; k < x->nnodes; k++)
			x->iface[k] = -1;
		x->iface_cap = ms->ifaces.cap;
	}
	if (x->iface[h] < 0 && x->nodes[h].verdict != VERDICT_REACHED)
		x->iface[h] = mds_iface_get(&ms->ifaces, &x->nodes[h].addr, 0);
	return x->iface[h];
}
