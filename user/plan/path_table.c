// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "plan/path_table.h"
#include "xhop_proto.h"

int path_init(struct path *p, const struct in6_addr *dst, int family, __u8 proto, int first_ttl,
	      int max_ttl, int queries)
{
	int n = (max_ttl - first_ttl + 1) * queries;

	memset(p, 0, sizeof(*p));
	if (first_ttl < 1 || max_ttl > 255 || first_ttl > max_ttl || queries < 1 || n >= PATH_WARMUP_ID)
		return -EINVAL;
	p->probes = calloc(n, sizeof(*p->probes));
	if (!p->probes)
		return -ENOMEM;
	p->dst = *dst;
	p->family = family;
	p->proto = proto;
	p->first_ttl = first_ttl;
	p->max_ttl = max_ttl;
	p->queries = queries;
	for (int ttl = first_ttl; ttl <= max_ttl; ttl++) {
		for (int q = 0; q < queries; q++) {
			struct hop_probe *pr = path_probe(p, ttl, q);

			pr->ttl = ttl;
			pr->attempt = q;
			pr->probe_id = path_probe_id(p, ttl, q);
		}
	}
	return 0;
}

void path_free(struct path *p)
{
	free(p->probes);
	p->probes = NULL;
}

struct hop_probe *path_probe(struct path *p, int ttl, int attempt)
{
	if (ttl < p->first_ttl || ttl > p->max_ttl || attempt < 0 || attempt >= p->queries)
		return NULL;
	return &p->probes[(ttl - p->first_ttl) * p->queries + attempt];
}

__u16 path_probe_id(const struct path *p, int ttl, int attempt)
{
	return (__u16)(1 + (ttl - p->first_ttl) * p->queries + attempt);
}

struct hop_probe *path_probe_by_id(struct path *p, __u16 id)
{
	int n = (p->max_ttl - p->first_ttl + 1) * p->queries;

	if (id < 1 || id > n)
		return NULL;
	return &p->probes[id - 1];
}

int path_stamp(struct hop_probe *pr, __u64 tx_ns)
{
	if (pr->state == PROBE_UNSENT || pr->tx_ns)
		return 0;
	pr->tx_ns = tx_ns;
	return pr->ttl;
}

int path_answer(struct path *p, struct hop_probe *pr, const struct hop_reply *r)
{
	/* only a probe still waiting takes an answer: duplicates and answers
	 * after the deadline (already shown as lost) are dropped
	 */
	if (pr->state != PROBE_SENT) {
		p->ignored++;
		return 0;
	}
	pr->reply = *r;
	pr->state = PROBE_ANSWERED;
	p->replies++;
	if (r->verdict != VERDICT_HOP && (!p->final_ttl || pr->ttl < p->final_ttl))
		p->final_ttl = pr->ttl;
	return pr->ttl;
}

int path_apply(struct path *p, const struct xhop_event *ev)
{
	struct hop_probe *pr = path_probe_by_id(p, ev->probe_id);
	struct hop_reply r;

	if (!pr || memcmp(ev->dst, &p->dst, 16) || ev->proto != p->proto) {
		p->ignored += ev->kind != XHOP_EV_TX;
		return 0;
	}
	if (ev->kind == XHOP_EV_TX)
		return path_stamp(pr, ev->ts_ns);
	hop_reply_from_event(&r, ev, p->family);
	return path_answer(p, pr, &r);
}

int path_expire(struct path *p, __u64 now_ns)
{
	int n = (p->max_ttl - p->first_ttl + 1) * p->queries, lost = 0;

	for (int i = 0; i < n; i++) {
		struct hop_probe *pr = &p->probes[i];

		if (pr->state == PROBE_SENT && now_ns >= pr->deadline_ns) {
			pr->state = PROBE_LOST;
			lost++;
		}
	}
	return lost;
}

int path_hop_settled(struct path *p, int ttl)
{
	for (int q = 0; q < p->queries; q++) {
		struct hop_probe *pr = path_probe(p, ttl, q);

		if (!pr || pr->state == PROBE_UNSENT || pr->state == PROBE_SENT)
			return 0;
	}
	return 1;
}

__s64 hop_probe_rtt_ns(const struct hop_probe *pr)
{
	if (pr->state != PROBE_ANSWERED || !pr->tx_ns || pr->reply.rx_ns < pr->tx_ns)
		return -1;
	return (__s64)(pr->reply.rx_ns - pr->tx_ns);
}

static void probe_rec_of(const struct hop_probe *pr, struct probe_rec *o)
{
	memset(o, 0, sizeof(*o));
	o->reply = pr->reply;
	o->tx_ns = pr->tx_ns;
	o->ttl = pr->ttl;
	o->attempt = pr->attempt;
	o->answered = pr->state == PROBE_ANSWERED;
}

void path_ttl_rec(struct path *p, int ttl, struct ttl_rec *r)
{
	r->ttl = ttl;
	r->family = p->family;
	/* xhop HOST takes -q up to RECORD_QUERIES_MAX; a larger table shows that many */
	r->queries = p->queries < RECORD_QUERIES_MAX ? p->queries : RECORD_QUERIES_MAX;
	for (int q = 0; q < r->queries; q++)
		probe_rec_of(path_probe(p, ttl, q), &r->q[q]);
}

int path_answered(struct path *p, int last_ttl, struct probe_rec *out)
{
	int n = 0;

	for (int ttl = p->first_ttl; ttl <= last_ttl && ttl <= p->max_ttl; ttl++) {
		for (int q = 0; q < p->queries; q++) {
			const struct hop_probe *pr = path_probe(p, ttl, q);

			if (pr->state == PROBE_ANSWERED)
				probe_rec_of(pr, &out[n++]);
		}
	}
	return n;
}
