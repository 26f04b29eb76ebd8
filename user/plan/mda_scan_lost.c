// SPDX-License-Identifier: GPL-2.0
/*
 * xhop scan --mda's silences (plan/mda_scan.h): where a flow's path
 * ended, which unanswered probes to ask again in the next round, which
 * silences are settled, how far silent nodes' flows go on
 */
#include <errno.h>
#include <stdlib.h>
#include "plan/mda_scan.h"

int mds_flow_ended(const struct mda_scan *ms, const struct mds_prefix *x, __u32 f, int t)
{
	int silent = 0;

	for (int u = t - 1; u >= ms->first_ttl; u--) {
		__s32 h = *mds_hop_at(ms, x, f, u);

		if (h >= 0 && mda_node_terminal(&x->nodes[h]))
			return 2;
		if (silent < 0)
			continue;
		if (h >= 0 && x->nodes[h].silent) {
			if (++silent >= ms->gap) /* a terminal below still says 2 */
				silent = -2;
		} else {
			silent = -1; /* the gap is the run of silence right below t */
		}
	}
	return silent == -2;
}

/* Room for one more of *n elements of size sz in *v (capacity *cap). 0 or -ENOMEM */
static int grow(void **v, __u32 *cap, __u32 n, size_t sz)
{
	__u32 c = *cap ? 2 * *cap : 16;
	void *p;

	if (n < *cap)
		return 0;
	p = realloc(*v, (size_t)c * sz);
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = c;
	return 0;
}

/* Into lost (to ask again, tries < ms->tries) or fin (kept through every try) */
int mds_lost_add(const struct mda_scan *ms, struct mds_prefix *x, __u32 flow, int ttl,
		 int tries)
{
	struct mds_probe l = { .flow = flow, .ttl = (__u8)ttl, .tries = (__u8)tries };


	if (tries < ms->tries) {
		if (grow((void **)&x->lost, &x->cap_lost, x->nlost, sizeof(l)))
			return -ENOMEM;
		x->lost[x->nlost++] = l;
	} else if (ms->tries > 1) {
		if (grow((void **)&x->fin, &x->cap_fin, x->nfin, sizeof(l)))
			return -ENOMEM;
		x->fin[x->nfin++] = l;
	}
	return 0;
}

/* The answering nodes around flow f's silence at t (see struct mds_pat) */
static struct mds_pat silence_around(const struct mda_scan *ms, const struct mds_prefix *x,
				     __u32 f, int t)
{
	struct mds_pat p = { .from = -1, .to = -1, .ttl = (__u8)t };
	__s32 h;

	for (int u = t - 1; u >= ms->first_ttl; u--) {
		h = *mds_hop_at(ms, x, f, u);
		if (h >= 0 && x->nodes[h].silent)
			continue;
		p.from = h >= 0 ? h : -2; /* -2: a TTL not asked, no pattern */
		break;
	}
	for (int u = t + 1; u <= ms->max_ttl; u++) {
		h = *mds_hop_at(ms, x, f, u);
		if (h >= 0 && x->nodes[h].silent)
			continue;
		p.to = h >= 0 ? mds_succ_key(x, h) : -1; /* the destination: one, any address */
		break;
	}
	return p;
}

static struct mds_pat *pat_find(const struct mds_prefix *x, const struct mds_pat *p)
{
	for (__u32 i = 0; i < x->npats; i++)
		if (x->pats[i].from == p->from && x->pats[i].to == p->to &&
		    x->pats[i].ttl == p->ttl)
			return &x->pats[i];
	return NULL;
}

/* The silences that lasted through every try last round, counted by pattern */
static int pats_update(struct mda_scan *ms, struct mds_prefix *x)
{
	for (__u32 i = 0; i < x->nfin; i++) {
		__s32 h = *mds_hop_at(ms, x, x->fin[i].flow, x->fin[i].ttl);
		struct mds_pat p, *q;

		if (h < 0 || !x->nodes[h].silent)
			continue;
		p = silence_around(ms, x, x->fin[i].flow, x->fin[i].ttl);
		if (p.from == -2)
			continue;
		q = pat_find(x, &p);
		if (!q) {
			if (grow((void **)&x->pats, &x->cap_pats, x->npats, sizeof(p)))
				return -ENOMEM;
			q = &x->pats[x->npats++];
			*q = p;
		}
		if (q->n < 255)
			q->n++;
	}
	x->nfin = 0;
	return 0;
}

/*
 * Whether a lost probe is worth asking again now: 1 yes, 0 not now (a
 * retry before it may change that), -1 never (answered since, past its
 * flow's end, or a silence other flows kept through every try)
 */
static int retry_worth(const struct mda_scan *ms, const struct mds_prefix *x,
		       const struct mds_probe *l)
{
	__s32 h = *mds_hop_at(ms, x, l->flow, l->ttl);
	const struct mds_pat *q;
	struct mds_pat p;
	int ended;

	if (h < 0 || !x->nodes[h].silent)
		return -1;
	ended = mds_flow_ended(ms, x, l->flow, l->ttl);
	if (ended)
		return ended == 2 ? -1 : 0; /* a gap may close as its own retries answer */
	p = silence_around(ms, x, l->flow, l->ttl);
	q = pat_find(x, &p);
	if (q && q->n >= MDS_SILENT_MIN)
		return -1; /* a silent router: settled */
	/* an answer of the flow behind it: the silence stands between two */
	for (int t = l->ttl + 1; t <= ms->max_ttl; t++) {
		h = *mds_hop_at(ms, x, l->flow, t);
		if (h >= 0 && !x->nodes[h].silent)
			return 1;
	}
	/* right after the flow's last answer (or at the first TTL): its last router? */
	if (l->ttl == ms->first_ttl)
		return 1;
	h = *mds_hop_at(ms, x, l->flow, l->ttl - 1);
	return h >= 0 && !x->nodes[h].silent;
}

/*
 * The flows through silent node u at t that go on (did not end in its
 * silence), up to MDS_SILENT_MIN: fewer make no silent hop to explore
 */
static int silence_goes_on(const struct mda_scan *ms, const struct mds_prefix *x, int u, int t)
{
	int n = 0;

	for (__u32 f = 0; f < x->sent[t] && n < MDS_SILENT_MIN; f++)
		n += *mds_hop_at(ms, x, f, t) == u && !mds_flow_ended(ms, x, f, t + 1);
	return n;
}

/* One more probe by name for this round, its hop awaited. 0 or -ENOMEM */
static int due_add(const struct mda_scan *ms, struct mds_prefix *x, const struct mds_probe *d)
{
	__s32 *h = mds_hop_at(ms, x, d->flow, d->ttl);

	if (grow((void **)&x->due, &x->cap_due, x->ndue, sizeof(*d)))
		return -ENOMEM;
	x->due[x->ndue++] = *d;
	if (*h >= 0)
		x->nodes[*h].flows--;
	*h = MDA_HOP_PENDING;
	return 0;
}

/* Lost probes worth asking again; the others kept, or dropped for good */
static int plan_retries(struct mda_scan *ms, struct mds_prefix *x, __u32 room)
{
	__u32 kept = 0;

	for (__u32 i = 0; i < x->nlost; i++) {
		struct mds_probe l = x->lost[i];
		int w = retry_worth(ms, x, &l);

		if (w < 0)
			continue;
		if (w > 0 && x->ndue < room) {
			if (due_add(ms, x, &l))
				return -ENOMEM;
			continue;
		}
		x->lost[kept++] = l;
	}
	x->nlost = kept;
	return 0;
}

/*
 * The flows of silent nodes (MDS_SILENT_MIN of them going on) that need
 * more next hops settled, at the TTLs after, never asked there yet, up to
 * where the silence would reach the gap limit: its next answer, or its
 * end, in one round
 */
static int plan_silences(struct mda_scan *ms, struct mds_prefix *x, __u32 room)
{
	for (int u = 0; u < x->nnodes; u++) {
		int t = x->nodes[u].ttl;

		if (!x->nodes[u].silent || t >= ms->max_ttl ||
		    silence_goes_on(ms, x, u, t) < MDS_SILENT_MIN || !mds_node_goal(ms, x, u, t))
			continue;
		for (__u32 f = 0; f < x->sent[t]; f++) {
			int run = 0;

			if (*mds_hop_at(ms, x, f, t) != u || mds_flow_ended(ms, x, f, t + 1))
				continue;
			/* the silence so far, up to t */
			for (int v = t; v >= ms->first_ttl; v--) {
				__s32 h = *mds_hop_at(ms, x, f, v);

				if (h < 0 || !x->nodes[h].silent)
					break;
				run++;
			}
			for (int v = t + 1; v <= ms->max_ttl && run < ms->gap; v++, run++) {
				struct mds_probe d = { .flow = f, .ttl = (__u8)v };

				if (*mds_hop_at(ms, x, f, v) != MDA_HOP_UNKNOWN || x->ndue >= room)
					break;
				if (due_add(ms, x, &d))
					return -ENOMEM;
			}
		}
	}
	return 0;
}

__u32 mds_plan_named(struct mda_scan *ms, struct mds_prefix *x, __u32 room)
{
	x->ndue = x->due_pos = 0;
	if (pats_update(ms, x) || plan_retries(ms, x, room) || plan_silences(ms, x, room))
		ms->oom = 1;
	return x->ndue;
}
