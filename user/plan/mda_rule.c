// SPDX-License-Identifier: GPL-2.0
/* The MDA's stopping rule and link building (plan/mda_rule.h) */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include "plan/mda_rule.h"

int mda_flows_needed(double confidence, int k)
{
	double alpha = 1.0 - confidence / 100.0;

	if (k < 1)
		k = 1;
	/* (k+1) * (k/(k+1))^n <= alpha */
	return (int)ceil(log(alpha / (k + 1)) / log((double)k / (k + 1)) - 1e-9);
}

static int cmp_link(const void *a, const void *b)
{
	const struct mp_link *x = a, *y = b;

	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	return x->to < y->to ? -1 : x->to > y->to;
}

/* Two nodes that are one next hop: the same, or the destination at one TTL, whichever
 * of its addresses answered (xhop scan --mda probes many)
 */
static int same_hop(const struct mp_node *nodes, __u32 a, __u32 b)
{
	const struct mp_node *x = &nodes[a], *y = &nodes[b];

	return a == b || (x->verdict == VERDICT_REACHED && y->verdict == VERDICT_REACHED &&
			  !x->silent && !y->silent && x->ttl == y->ttl);
}

/* Whether links[0..n-1] (sorted) holds from -> a node that is one hop with to */
static int has_link(const struct mp_node *nodes, const struct mp_link *links, int n, __u32 from,
		    __u32 to)
{
	struct mp_link key = { .from = from, .to = 0 };
	int lo = 0, hi = n;

	/* the first link from `from` */
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (cmp_link(&links[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < n && links[lo].from == from; lo++)
		if (same_hop(nodes, links[lo].to, to))
			return 1;
	return 0;
}

/*
 * The flows of links[at] (from, to across silence), with those of the
 * links from the same node across silence to another address of the
 * destination at the same TTL
 */
static __u32 flows_across(const struct mp_node *nodes, const struct mp_link *links, int n,
			  int at)
{
	__u32 flows = 0;
	int i = at;

	while (i > 0 && links[i - 1].from == links[at].from)
		i--;
	for (; i < n && links[i].from == links[at].from; i++)
		if (links[i].probe0 && same_hop(nodes, links[i].to, links[at].to))
			flows += links[i].nprobes;
	return flows;
}

/*
 * A link across silent TTLs that an answering node between its ends
 * explains: from -> r and r -> to are links too, so its flows' silence
 * may have been r's answers, lost
 */
static int explained(const struct mp_node *nodes, const struct mp_link *links, int n, int at)
{
	const struct mp_link *l = &links[at];
	int i = at;

	while (i > 0 && links[i - 1].from == l->from)
		i--;
	for (; i < n && links[i].from == l->from; i++) {
		const struct mp_node *r = &nodes[links[i].to];

		if (i != at && !r->silent && r->ttl < nodes[l->to].ttl &&
		    has_link(nodes, links, n, links[i].to, l->to))
			return 1;
	}
	return 0;
}

int mda_links_make(const struct mp_node *nodes, const __s32 *hop, int nflows, int nttl,
		   int across_min, struct mp_link **links, int *nlinks)
{
	size_t cap = 64;
	struct mp_link *v = malloc(cap * sizeof(*v));
	int n = 0, kept = 0, left = 0;

	*links = NULL;
	*nlinks = 0;
	if (!v)
		return -ENOMEM;
	for (int f = 0; f < nflows; f++) {
		const __s32 *row = hop + (size_t)f * (size_t)nttl;
		int prev = -1, silent = 0;

		for (int t = 0; t < nttl; t++) {
			__s32 h = row[t];

			if (h < 0) {
				prev = -1;
				continue;
			}
			if (nodes[h].silent) {
				silent = 1;
				continue;
			}
			if (prev >= 0) {
				if ((size_t)n == cap) {
					struct mp_link *l = realloc(v, 2 * cap * sizeof(*l));

					if (!l) {
						free(v);
						return -ENOMEM;
					}
					v = l;
					cap *= 2;
				}
				/* probe0: 1 across silence (2: dropped); nprobes: the
				 * flows, counted below (a flow meets a node once) */
				v[n] = (struct mp_link){ .from = (__u32)prev, .to = (__u32)h,
							 .probe0 = (__u32)silent, .nprobes = 1 };
				n++;
			}
			prev = mda_node_terminal(&nodes[h]) ? -1 : h;
			silent = 0;
		}
	}
	qsort(v, (size_t)n, sizeof(*v), cmp_link);
	for (int i = 0; i < n; i++) {
		if (kept && !cmp_link(&v[kept - 1], &v[i])) {
			v[kept - 1].nprobes++;
			continue;
		}
		v[kept++] = v[i];
	}
	for (int i = 0; i < kept; i++) {
		/* judged on the counts as they were: dropped ones marked apart */
		if (v[i].probe0 && (int)flows_across(nodes, v, kept, i) < across_min &&
		    explained(nodes, v, kept, i))
			v[i].probe0 |= 2;
	}
	for (int i = 0; i < kept; i++) {
		if (v[i].probe0 & 2)
			continue;
		v[left] = v[i];
		v[left].probe0 = v[left].nprobes = 0; /* the caller's to fill, if it keeps probes */
		left++;
	}
	*links = v;
	*nlinks = left;
	return 0;
}
