// SPDX-License-Identifier: GPL-2.0
/*
 * The probes of a finished multipath trace as its record hands them to
 * the sinks (core/record.h): every probe sent, and per link the probes
 * that made it, as scamper's tracelb keeps them (a link's probe sets,
 * one per TTL from the hop after its first node up to its second). A
 * sink never sees the planner's flow table, so the planner says here
 * which probe belongs to which link.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "plan/mda.h"
#include "plan/path_table.h"

/* A probe of a link, with what orders it there */
struct link_probe {
	__u32 link, probe;
	__u16 flow;
	__u8 ttl, attempt;
};

static int cmp_link_probe(const void *a, const void *b)
{
	const struct link_probe *x = a, *y = b;

	if (x->link != y->link)
		return x->link < y->link ? -1 : 1;
	if (x->ttl != y->ttl)
		return x->ttl < y->ttl ? -1 : 1;
	if (x->flow != y->flow)
		return x->flow < y->flow ? -1 : 1;
	return x->attempt < y->attempt ? -1 : x->attempt > y->attempt;
}

/*
 * The link whose probes include flow's at ttl: the flow's first answering
 * node from ttl on, and its last before ttl, with only silent TTLs
 * between (as links are made: a TTL never asked, or not settled, breaks
 * the chain; a node that ends the flows starts no link). -1: none.
 */
static int link_of(const struct mda_plan *m, int flow, int ttl)
{
	int from = -1, to = -1;

	for (int t = ttl; t <= m->c.max_ttl && to < 0; t++) {
		__s32 h = *mda_hop_at(m, flow, t);

		if (h < 0)
			return -1;
		if (!m->nodes[h].silent)
			to = h;
	}
	for (int t = ttl - 1; t >= m->c.first_ttl && from < 0; t--) {
		__s32 h = *mda_hop_at(m, flow, t);

		if (h < 0)
			return -1;
		if (!m->nodes[h].silent)
			from = h;
	}
	if (from < 0 || to < 0 || mda_node_terminal(&m->nodes[from]))
		return -1;
	/* a few dozen links: a linear look is enough */
	for (int l = 0; l < m->nlinks; l++)
		if (m->links[l].from == (__u32)from && m->links[l].to == (__u32)to)
			return l;
	return -1;
}

int mda_record_probes(struct mda_plan *m)
{
	struct link_probe *lp = NULL;
	int n = 0, np = 0;

	for (int l = 0; l < m->nlinks; l++)
		m->links[l].probe0 = m->links[l].nprobes = 0;
	m->rec.probes = NULL;
	m->rec.nprobes = 0;
	m->rec.link_probes = NULL;
	m->rec.nlink_probes = 0;
	if (!m->next_send)
		return 0;
	m->rec_probes = calloc((size_t)m->next_send, sizeof(*m->rec_probes));
	m->link_probes = calloc((size_t)m->next_send, sizeof(*m->link_probes));
	lp = calloc((size_t)m->next_send, sizeof(*lp));
	if (!m->rec_probes || !m->link_probes || !lp) {
		free(lp);
		return -ENOMEM;
	}
	for (int i = 0; i < m->next_send; i++) {
		const struct mda_probe *p = &m->probes[i];
		struct probe_rec *r = &m->rec_probes[np];
		int l;

		/* handed over but never sent (a send error, an interrupt): no probe */
		if (p->state == PROBE_UNSENT)
			continue;
		r->tx_ns = p->tx_ns;
		r->flow = p->flow;
		r->ttl = p->ttl;
		r->attempt = p->attempt;
		r->answered = p->state == PROBE_ANSWERED;
		if (r->answered)
			r->reply = p->reply;
		/*
		 * The reach probe is in no link: its flow may be asked at the
		 * hop limit again for a rule, and that probe (same flow, TTL,
		 * attempt) is the link's
		 */
		l = i == m->reach - 1 ? -1 : link_of(m, p->flow, p->ttl);
		if (l >= 0)
			lp[n++] = (struct link_probe){ .link = (__u32)l, .probe = (__u32)np,
						       .flow = p->flow, .ttl = p->ttl,
						       .attempt = p->attempt };
		np++;
	}
	qsort(lp, (size_t)n, sizeof(*lp), cmp_link_probe);
	for (int i = 0; i < n; i++) {
		struct mp_link *l = &m->links[lp[i].link];

		if (!l->nprobes)
			l->probe0 = (__u32)i;
		l->nprobes++;
		m->link_probes[i] = lp[i].probe;
	}
	free(lp);
	m->rec.probes = m->rec_probes;
	m->rec.nprobes = np;
	m->rec.link_probes = m->link_probes;
	m->rec.nlink_probes = n;
	return 0;
}
