// SPDX-License-Identifier: GPL-2.0
/*
 * xhop scan --mda's silences (plan/mda_scan.h): where a flow's path
 * ended, which unanswered probes to ask again in the next round, which
 * silences are settled, how far silent nodes' flows go on
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
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

/*
 * The share of its answers node h loses: the higher of what its
 * interface shows over every prefix done and what this prefix's own
 * retries show (a router that rate-limits may drop most of one prefix's
 * round of probes, its burst, and few of the others'). shown: only a
 * loss its retries showed (a neighbour little known is no sign).
 */
static double node_loss(struct mda_scan *ms, struct mds_prefix *x, __s32 h, int shown)
{
	double g = 0, l = 0, asked = 0;
	__u32 rec = 0;
	__s32 i;

	if (h < 0 || x->nodes[h].silent)
		return 0;
	i = mds_iface_of(ms, x, h);
	if (i >= 0 && (!shown || ms->ifaces.v[i].recov >= MDS_SILENT_MIN))
		g = mds_iface_loss(ms, i);
	/* the interface at every TTL this prefix met it (paths of unequal length) */
	for (int k = 0; k < x->nnodes; k++)
		if (k == h || (i >= 0 && !x->nodes[k].silent && mds_iface_of(ms, x, k) == i)) {
			rec += x->recov[k];
			asked += mds_node_asked(x, k);
		}
	if (!shown || rec >= MDS_SILENT_MIN)
		l = mds_loss_of(ms, rec, asked);
	/* one prefix's few answers: its own high bound is no sign while many are known */
	if (!shown && i >= 0 && ms->ifaces.v[i].asked > asked && l < 0.99)
		l = 0;
	return g > l ? g : l;
}

int mds_node_lossy(struct mda_scan *ms, struct mds_prefix *x, __s32 h)
{
	return node_loss(ms, x, h, 1) >= 0.99 && ms->tries > 1;
}

/*
 * The flows of this prefix an answering node would have left silent
 * through every try at the loss rate q its retries showed (node_loss; a
 * node little known explains no silence here, the test of the loss that
 * may hide a router takes it high): of N flows through it, N (1 - q)
 * answered at once, N q (1 - q) to a retry, N q^tries never.
 */
static double lost_through(struct mda_scan *ms, struct mds_prefix *x, int r)
{
	double rec = x->recov[r], first = (double)x->nodes[r].replies - rec;
	double q = node_loss(ms, x, r, 1);

	if (q <= 0)
		return 0;
	return (first > 0 ? first : rec > 0 ? rec : 1) * pow(q, ms->tries) / (1 - q);
}

/* Flow f's nearest answer from TTL t on in direction dir (-1, 1) within lim: its node, or -1 */
static __s32 answer_near(const struct mda_scan *ms, const struct mds_prefix *x, __u32 f, int t,
			 int dir, int lim)
{
	for (; dir < 0 ? t >= lim : t <= lim; t += dir) {
		__s32 h = *mds_hop_at(ms, x, f, t);

		if (h < 0)
			return -1; /* not asked: no chain */
		if (!x->nodes[h].silent)
			return h;
	}
	return -1;
}

/*
 * Whether answering nodes stand where runs of silence at TTLs lo..hi are
 * between node a (at lo - 1) and next hop c (mds_succ_key, at hi + 1):
 * nodes on other flows' chains from a on and to c (answers one after the
 * other, silence between), so that their lost answers would leave the
 * silence. *lost: what those nodes' lost answers explain (lost_through
 * summed); *rec: the answers their retries got. -ENOMEM, else 0 or 1.
 */
static int silence_explained(struct mda_scan *ms, struct mds_prefix *x, __s32 a,
			     int lo, int hi, __s32 c, double *lost, __u32 *rec)
{
	/* 1: on a chain from a; 2: on a chain to c */
	__u8 *on = calloc((size_t)x->nnodes + 1, 1);
	int any = 0;

	*lost = 0;
	*rec = 0;
	if (!on)
		return -ENOMEM;
	for (int t = lo; t <= hi; t++)
		for (__u32 f = 0; f < x->nflows; f++) {
			__s32 h = *mds_hop_at(ms, x, f, t), p;

			if (h < 0 || x->nodes[h].silent || (on[h] & 1))
				continue;
			p = answer_near(ms, x, f, t - 1, -1, lo - 1);
			if (p >= 0 && (p == a || (on[p] & 1)))
				on[h] |= 1;
		}
	for (int t = hi; t >= lo; t--)
		for (__u32 f = 0; f < x->nflows; f++) {
			__s32 h = *mds_hop_at(ms, x, f, t), n;

			if (h < 0 || x->nodes[h].silent || !(on[h] & 1) || (on[h] & 2))
				continue;
			n = answer_near(ms, x, f, t + 1, 1, hi + 1);
			if (n >= 0 && (on[n] & 2 || (x->nodes[n].ttl == hi + 1 &&
						    mds_succ_key(x, n) == c))) {
				on[h] |= 2;
				any = 1;
				*lost += lost_through(ms, x, h);
				*rec += x->recov[h];
			}
		}
	free(on);
	return any;
}

/* The answers the last round's retries got: their nodes lose answers */
static void count_recovered(struct mda_scan *ms, struct mds_prefix *x)
{
	for (__u32 i = 0; i < x->ndue; i++) {
		__s32 h;

		if (!x->due[i].tries)
			continue;
		h = *mds_hop_at(ms, x, x->due[i].flow, x->due[i].ttl);
		if (h >= 0 && !x->nodes[h].silent)
			x->recov[h]++;
	}
	x->ndue = x->due_pos = 0;
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
 * silence other flows kept through every try, nothing answering between
 * the same nodes; or past a gap a retry may close), -1 never (answered
 * since, or past its flow's end)
 */
static int retry_worth(struct mda_scan *ms, struct mds_prefix *x,
		       const struct mds_probe *l)
{
	__s32 h = *mds_hop_at(ms, x, l->flow, l->ttl);
	const struct mds_pat *q;
	struct mds_pat p;
	double lost;
	__u32 rec;
	int ended;

	if (h < 0 || !x->nodes[h].silent)
		return -1;
	ended = mds_flow_ended(ms, x, l->flow, l->ttl);
	if (ended)
		return ended == 2 ? -1 : 0; /* a gap may close as its own retries answer */
	p = silence_around(ms, x, l->flow, l->ttl);
	q = pat_find(x, &p);
	if (q && q->n >= MDS_SILENT_MIN && p.from >= 0 && p.to != -1) {
		int hi = l->ttl;

		/* the whole run of silence, from its node's next TTL on */
		while (hi < ms->max_ttl &&
		       (h = *mds_hop_at(ms, x, l->flow, hi + 1)) >= 0 && x->nodes[h].silent)
			hi++;
		/* a silent router, and nothing else there so far: not now (an
		 * answer there later would make its silence worth a retry) */
		if (!silence_explained(ms, x, p.from, x->nodes[p.from].ttl + 1, hi, p.to, &lost,
				       &rec))
			return 0;
		/* beside interfaces whose retries never got an answer, twice as
		 * many flows kept it: a silent router too */
		if (!rec && q->n >= 2 * MDS_SILENT_MIN)
			return -1;
	}
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
	count_recovered(ms, x);
	if (pats_update(ms, x) || plan_retries(ms, x, room) || plan_silences(ms, x, room))
		ms->oom = 1;
	return x->ndue;
}

/* A run of silence of one flow between two answers: its nodes and TTLs */
struct run {
	__s32 from, to; /* to: mds_succ_key */
	__s32 to_node;
	int lo, hi;
	__u32 flows;
	__u32 tries;	/* its flows' tries, each the fewest of its TTLs' */
	int broken;
};

/* Flow f's next run of silence from TTL *t on between two answers: 1, or 0: none */
static int next_run(const struct mda_scan *ms, const struct mds_prefix *x, __u32 f, int *t,
		    struct run *r)
{
	for (; *t < ms->max_ttl; (*t)++) {
		__s32 a = *mds_hop_at(ms, x, f, *t), h;
		int u;

		if (a < 0 || x->nodes[a].silent || mda_node_terminal(&x->nodes[a]))
			continue;
		for (u = *t + 1; u <= ms->max_ttl; u++) {
			h = *mds_hop_at(ms, x, f, u);
			if (h < 0 || !x->nodes[h].silent)
				break;
		}
		if (u == *t + 1 || u > ms->max_ttl || h < 0) {
			*t = u - 1;
			continue;
		}
		*r = (struct run){ .from = a, .to = mds_succ_key(x, h), .to_node = h, .lo = *t + 1,
				   .hi = u - 1 };
		*t = u;
		return 1;
	}
	return 0;
}

/*
 * The tries of each silent probe: every one (ms->tries) but those still
 * in x->lost, asked fewer times. NULL when out of memory.
 */
static __u8 *tries_of(const struct mda_scan *ms, const struct mds_prefix *x)
{
	size_t n = (size_t)x->nflows * (size_t)ms->nttl;
	__u8 *v = malloc(n ? n : 1);

	if (!v)
		return NULL;
	memset(v, ms->tries, n);
	for (__u32 i = 0; i < x->nlost; i++)
		if (x->lost[i].flow < x->nflows)
			v[(size_t)x->lost[i].flow * (size_t)ms->nttl +
			  (size_t)(x->lost[i].ttl - ms->first_ttl)] = x->lost[i].tries;
	return v;
}

int mds_break_lossy(struct mda_scan *ms, struct mds_prefix *x)
{
	struct run *runs = NULL, r;
	__u32 nruns = 0, cap = 0;
	__u8 *tries;

	count_recovered(ms, x);
	mds_iface_done(ms, x);
	tries = tries_of(ms, x);
	if (!tries)
		return -ENOMEM;
	for (__u32 f = 0; f < x->nflows; f++)
		for (int t = ms->first_ttl; next_run(ms, x, f, &t, &r);) {
			__u8 least = ms->tries;
			__u32 i;

			for (int u = r.lo; u <= r.hi; u++) {
				__u8 k = tries[(size_t)f * (size_t)ms->nttl + (size_t)(u - ms->first_ttl)];

				least = k < least ? k : least;
			}

			for (i = 0; i < nruns; i++)
				if (runs[i].from == r.from && runs[i].to == r.to && runs[i].lo == r.lo &&
				    runs[i].hi == r.hi)
					break;
			if (i == nruns) {
				if (grow((void **)&runs, &cap, nruns, sizeof(r))) {
					free(runs);
					free(tries);
					return -ENOMEM;
				}
				runs[nruns++] = r;
			}
			runs[i].flows++;
			runs[i].tries += least;
		}
	free(tries);
	for (__u32 i = 0; i < nruns; i++) {
		double lost, q;
		__u32 rec;
		int ex = silence_explained(ms, x, runs[i].from, runs[i].lo, runs[i].hi, runs[i].to,
					   &lost, &rec);

		if (ex < 0) {
			free(runs);
			return -ENOMEM;
		}
		/*
		 * A silent router only when loss cannot explain the silence at
		 * the stated confidence: its flows kept it through every try,
		 * against a loss as high as that of the interfaces between and
		 * on either side (a rate-limited router's own answers may never
		 * have reached this prefix)
		 */
		q = mds_iface_run_loss(ms, mds_iface_of(ms, x, runs[i].from),
				       mds_iface_of(ms, x, runs[i].to_node),
				       runs[i].hi - runs[i].lo + 1);
		q = fmax(q, fmax(node_loss(ms, x, runs[i].from, 1),
				 node_loss(ms, x, runs[i].to_node, 1)));
		/* and the interfaces this prefix heard at those TTLs: one may be it */
		for (int h = 0; h < x->nnodes; h++)
			if (!x->nodes[h].silent && x->nodes[h].ttl >= runs[i].lo &&
			    x->nodes[h].ttl <= runs[i].hi)
				q = fmax(q, node_loss(ms, x, h, 0));
		runs[i].broken = (ex && (double)runs[i].flows < MDS_SILENT_MIN + 2 * lost) ||
				 (q > 0 && pow(q, runs[i].tries) >= 1 - ms->c->confidence / 100);
	}
	for (__u32 f = 0; f < x->nflows; f++)
		for (int t = ms->first_ttl; next_run(ms, x, f, &t, &r);)
			for (__u32 i = 0; i < nruns; i++)
				if (runs[i].broken && runs[i].from == r.from && runs[i].to == r.to &&
				    runs[i].lo == r.lo && runs[i].hi == r.hi)
					for (int u = r.lo; u <= r.hi; u++)
						*mds_hop_at(ms, x, f, u) = MDA_HOP_UNKNOWN;
	free(runs);
	return 0;
}
