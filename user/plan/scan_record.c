// SPDX-License-Identifier: GPL-2.0
/*
 * A finished target as a trace record: why it stopped, its answered hops
 * in TTL order (none past the end of its trace), and the hops below its
 * Doubletree stop that the stop set knows.
 */
#include <string.h>
#include "core/units.h"
#include "net/addr.h"
#include "plan/scan.h"

static int lowest_bit(__u32 x)
{
	return x ? __builtin_ctz(x) + 1 : 0;
}

static int highest_bit(__u32 x)
{
	return x ? 32 - __builtin_clz(x) : 0;
}

static void stop_reason_of(struct scan_target *t)
{
	if (t->send_failed)
		t->stop_reason = STOP_ERROR;
	else if (t->cut)
		t->stop_reason = STOP_INTERRUPTED;
	else if (t->dst_ttl)
		t->stop_reason = STOP_COMPLETED;
	else if (!t->stop_reason)
		t->stop_reason = STOP_HOPLIMIT;
}

static void fill_head(struct scan *sc, const struct scan_target *t, struct trace_head *h)
{
	const struct session *s = sc->s;
	const struct in6_addr *dst = &sc->tab.addrs[t->idx];
	int f = addr_is_v4(dst) ? 0 : 1;
	__u64 start_ns = s->t0_ns + (__u64)t->start_ms * NS_PER_MS;

	memset(h, 0, sizeof(*h));
	h->src = s->src[f];
	h->dst = *dst;
	h->family = f ? 6 : 4;
	h->method = sc->c->method;
	h->sport = s->sport;
	h->dport = s->dport;
	h->icmp_sum = s->icmp_sum;
	h->stop_reason = t->stop_reason;
	h->stop_data = t->stop_data;
	h->start.tv_sec = (time_t)((start_ns + (__u64)s->real_offset_ns) / NS_PER_S);
	h->start.tv_nsec = (long)((start_ns + (__u64)s->real_offset_ns) % NS_PER_S);
	h->hop_count = t->end_ttl ? t->end_ttl : highest_bit(t->probed);
	h->attempts = 1;
	h->hoplimit = sc->c->max_ttl;
	h->firsthop = lowest_bit(t->probed);
	h->wait_s = sc->c->wait_s;
	h->tos = sc->c->tos;
	h->probe_size = s->base[f].size;
	h->probe_count = t->seq;
	h->real_offset_ns = s->real_offset_ns;
}

/* The hops below a Doubletree stop, as the stop set knows them */
static void fill_inferred(struct scan *sc, const struct scan_target *t, struct trace_rec *r)
{
	const struct dt_node *stop = dt_get(&sc->dt, t->dt_stop);

	r->dt_stop_ttl = stop->ttl;
	r->dt_stop_addr = stop->addr;
	for (__u32 n = stop->parent; n != DT_NONE && r->ninferred < RECORD_INFERRED_MAX;) {
		const struct dt_node *p = dt_get(&sc->dt, n);

		if (!p->silent) {
			r->inferred[r->ninferred].addr = p->addr;
			r->inferred[r->ninferred].ttl = p->ttl;
			r->ninferred++;
		}
		if (p->ttl <= 1)
			break;
		n = p->parent;
	}
}

void scan_record(struct scan *sc, __u32 slot)
{
	struct scan_target *t = &sc->tab.slots[slot];
	struct trace_rec *r = &sc->rec;

	stop_reason_of(t);
	if (t->end_ttl)
		scan_table_trim_hops(&sc->tab, slot, t->end_ttl);
	fill_head(sc, t, &r->h);
	r->hops = sc->hops;
	r->nhops = 0;
	for (__u32 i = t->hops; i != SCAN_NONE && r->nhops < SCAN_MAX_TTL;
	     i = sc->tab.hops[i].next) {
		const struct scan_hop *hop = &sc->tab.hops[i];
		struct probe_rec *p = &sc->hops[r->nhops++];

		p->reply = hop->reply;
		p->tx_ns = hop->tx_ns;
		p->ttl = hop->ttl;
		p->attempt = 0;
		p->answered = 1;
	}
	r->dt_stop_ttl = 0;
	r->ninferred = 0;
	if (t->dt_stop != SCAN_NONE)
		fill_inferred(sc, t, r);
}
