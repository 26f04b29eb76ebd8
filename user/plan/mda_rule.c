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

int mda_links_make(const struct mp_node *nodes, const __s32 *hop, int nflows, int nttl,
		   struct mp_link **links, int *nlinks)
{
	size_t cap = 64;
	struct mp_link *v = malloc(cap * sizeof(*v));
	int n = 0, kept = 0;

	*links = NULL;
	*nlinks = 0;
	if (!v)
		return -ENOMEM;
	for (int f = 0; f < nflows; f++) {
		const __s32 *row = hop + (size_t)f * (size_t)nttl;
		int prev = -1;

		for (int t = 0; t < nttl; t++) {
			__s32 h = row[t];

			if (h < 0) {
				prev = -1;
				continue;
			}
			if (nodes[h].silent)
				continue;
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
				/* its probes are the caller's to fill, if it keeps them */
				v[n] = (struct mp_link){ .from = (__u32)prev, .to = (__u32)h };
				n++;
			}
			prev = mda_node_terminal(&nodes[h]) ? -1 : h;
		}
	}
	qsort(v, (size_t)n, sizeof(*v), cmp_link);
	for (int i = 0; i < n; i++)
		if (!kept || cmp_link(&v[kept - 1], &v[i]))
			v[kept++] = v[i];
	*links = v;
	*nlinks = kept;
	return 0;
}
