// SPDX-License-Identifier: GPL-2.0
/* The multipath planner (plan/mda.h) */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "core/log.h"
#include "core/session.h"
#include "plan/mda.h"
#include "plan/path_table.h"

static const struct in6_addr *key_of(const void *ctx, __u32 v)
{
	const struct mda_plan *m = ctx;

	(void)v;
	return &m->c.dst;
}

int mda_plan_init(struct mda_plan *m, const struct mda_cfg *c)
{
	memset(m, 0, sizeof(*m));
	m->c = *c;
	if (c->max_ttl > MDA_TTL_MAX || c->first_ttl < 1 || c->first_ttl > c->max_ttl ||
	    c->max_probes < 1 || c->max_probes > MDA_PROBES_MAX || c->max_flows < 1 ||
	    c->max_flows > MDA_FLOWS_MAX || c->attempts < 1 || c->in_flight < 1)
		return -EINVAL;
	for (int k = 0; k <= MDA_K_MAX; k++)
		m->need[k] = (__u16)mda_flows_needed(c->confidence, k);
	m->nttl = c->max_ttl - c->first_ttl + 1;
	m->probes = calloc((size_t)c->max_probes, sizeof(*m->probes));
	m->hop = malloc((size_t)c->max_flows * (size_t)m->nttl * sizeof(*m->hop));
	m->rule = malloc((size_t)c->max_flows * (size_t)m->nttl * sizeof(*m->rule));
	m->nodes = calloc(MDA_NODES_MAX, sizeof(*m->nodes));
	m->group = calloc(MDA_NODES_MAX, sizeof(*m->group));
	m->born = calloc(MDA_NODES_MAX, sizeof(*m->born));
	m->unfinished = calloc(MDA_NODES_MAX + 1, sizeof(*m->unfinished));
	if (!m->probes || !m->hop || !m->rule || !m->nodes || !m->group || !m->born ||
	    !m->unfinished ||
	    addrmap_init(&m->map, 1, key_of, m, 0) || addrmap_put(&m->map, 0) < 0) {
		log_err("xhop: out of memory\n");
		mda_plan_free(m);
		return -ENOMEM;
	}
	/* a flow minted during a round has no rule key until the next round
	 * makes them (-1: mda_round.c's KEY_NONE); valgrind saw reads before
	 */
	for (size_t i = 0; i < (size_t)c->max_flows * (size_t)m->nttl; i++) {
		m->hop[i] = MDA_HOP_UNKNOWN;
		m->rule[i] = -1;
	}
	for (int t = 0; t <= MDA_TTL_MAX; t++)
		m->silent_node[t] = -1;
	m->level = c->first_ttl;
	m->probes_max = (__u32)c->max_probes;
	return 0;
}

void mda_plan_free(struct mda_plan *m)
{
	addrmap_free(&m->map);
	free(m->probes);
	free(m->hop);
	free(m->rule);
	free(m->nodes);
	free(m->group);
	free(m->born);
	free(m->links);
	free(m->unfinished);
	free(m->rec_probes);
	free(m->link_probes);
	m->rec_probes = NULL;
	m->link_probes = NULL;
	m->probes = NULL;
	m->hop = NULL;
	m->rule = NULL;
	m->nodes = NULL;
	m->group = NULL;
	m->born = NULL;
	m->links = NULL;
	m->unfinished = NULL;
}

static __s32 *hop_at(const struct mda_plan *m, int flow, int ttl)
{
	return mda_hop_at(m, flow, ttl);
}

/* The node of an address at a TTL, made if new; -1 when the table is full */
static int node_of(struct mda_plan *m, int ttl, const struct in6_addr *addr, int silent)
{
	struct mp_node *n;
	int group = m->nnodes;

	if (silent && m->silent_node[ttl] >= 0)
		return m->silent_node[ttl];
	for (int i = 0; !silent && i < m->nnodes; i++) {
		if (m->nodes[i].silent || memcmp(&m->nodes[i].addr, addr, sizeof(*addr)))
			continue;
		if (m->nodes[i].ttl == ttl)
			return i;
		group = m->group[i]; /* the same interface at another TTL */
	}
	if (m->nnodes == MDA_NODES_MAX)
		return -1;
	n = &m->nodes[m->nnodes];
	memset(n, 0, sizeof(*n));
	n->ttl = (__u8)ttl;
	n->silent = (__u8)silent;
	if (!silent)
		n->addr = *addr;
	m->group[m->nnodes] = group;
	m->born[m->nnodes] = (__u8)m->level;
	if (silent)
		m->silent_node[ttl] = m->nnodes;
	return m->nnodes++;
}

int mda_ask(struct mda_plan *m, int flow, int ttl, int attempt)
{
	struct mda_probe *p;

	if (m->nprobes >= m->c.max_probes)
		return -1;
	p = &m->probes[m->nprobes++];
	memset(p, 0, sizeof(*p));
	p->flow = (__u16)flow;
	p->ttl = (__u8)ttl;
	p->attempt = (__u8)attempt;
	*hop_at(m, flow, ttl) = MDA_HOP_PENDING;
	m->unsettled++;
	return 0;
}

static void finish(struct mda_plan *m, int reason, int data);

/* TTL L settled: the trace ends here, or goes on at L + 1 */
static void level_end(struct mda_plan *m)
{
	int L = m->level, open = 0, reached = 0, unreach = 0, silent = 0, any = 0, code = 0;

	for (int i = 0; i < m->nnodes; i++) {
		const struct mp_node *n = &m->nodes[i];

		if (n->ttl != L)
			continue;
		any++;
		if (n->silent) {
			silent++;
			open++;
		} else if (n->verdict == VERDICT_REACHED) {
			reached++;
		} else if (n->verdict == VERDICT_UNREACH) {
			unreach++;
			code = n->icmp_code;
		} else {
			open++;
		}
	}
	if (!any) {
		/*
		 * Nothing was asked at L: every interface before it had its
		 * next hops settled by flows that crossed it at other TTLs
		 * (plan/mda_round.c), and the trace ends where they ended
		 */
		for (int i = 0; i < m->nnodes; i++) {
			const struct mp_node *n = &m->nodes[i];

			reached += !n->silent && n->verdict == VERDICT_REACHED;
			if (!n->silent && n->verdict == VERDICT_UNREACH) {
				unreach++;
				code = n->icmp_code;
			}
		}
		if (reached || unreach)
			finish(m, reached ? STOP_COMPLETED : STOP_UNREACH, reached ? 0 : code);
		else
			finish(m, STOP_GAPLIMIT, m->gap);
		return;
	}
	if (!open) {
		finish(m, reached ? STOP_COMPLETED : STOP_UNREACH, reached ? 0 : code);
		return;
	}
	m->gap = silent == any ? m->gap + 1 : 0;
	if (m->gap >= m->c.gaplimit) {
		finish(m, STOP_GAPLIMIT, m->gap);
		return;
	}
	if (L >= m->c.max_ttl) {
		finish(m, STOP_HOPLIMIT, 0);
		return;
	}
	m->level++;
}

/* Plan the next round once everything asked settled */
static void plan_round(struct mda_plan *m)
{
	while (!m->finished && !m->send_err && !m->unsettled) {
		int asked = mda_round_plan(m);

		if (asked > 0)
			return;
		if (asked < 0) {
			/* what was asked before the budget ran out still goes */
			if (!m->unsettled)
				finish(m, STOP_PROBELIMIT, 0);
			else
				m->c.max_probes = m->nprobes; /* no more asks */
			return;
		}
		level_end(m);
	}
}

static __u64 expire_here(struct mda_plan *m, __u64 now);

static int next(void *st, struct plan_probe *out, int max, __u64 now)
{
	struct mda_plan *m = st;
	int n = 0;

	expire_here(m, now);
	/* with the budget spent, the round still says whether the trace is
	 * over (COMPLETED) or wanted more (PROBELIMIT: mda_ask refuses)
	 */
	if (m->next_send == m->nprobes && !m->unsettled)
		plan_round(m);
	while (n < max && m->next_send < m->nprobes && m->in_flight < m->c.in_flight &&
	       !m->finished && !m->send_err) {
		struct mda_probe *p = &m->probes[m->next_send];

		p->state = PROBE_SENT; /* its tc stamp may come before the send returns */
		out[n].p = (struct send_probe){ .dst = m->c.dst,
						.probe_id = (__u16)(m->next_send + 1),
						.ttl = p->ttl, .flow = p->flow };
		out[n].target = 0;
		out[n].gen = 0;
		out[n].sub = 0;
		out[n].fam = m->c.family == 6;
		m->next_send++;
		m->in_flight++;
		n++;
	}
	return n;
}

static struct mda_probe *probe_of(struct mda_plan *m, __u32 id)
{
	return id >= 1 && id <= (__u32)m->next_send ? &m->probes[id - 1] : NULL;
}

static int sent(void *st, const struct plan_probe *pp, const struct send_result *r, __u64 left)
{
	struct mda_plan *m = st;
	struct mda_probe *p = probe_of(m, pp->p.probe_id);

	if (!p)
		return 0;
	if (r->err) {
		/* never a silent hop: the trace stops (ERROR) */
		p->state = PROBE_UNSENT;
		m->send_err = r->err;
		return r->err;
	}
	if (r->tx_ns && !p->tx_ns)
		p->tx_ns = r->tx_ns;
	p->left_ns = left;
	m->probes_sent++;
	return 0;
}

static int match(void *st, __u32 target, __u16 id, struct probe_ref *ref)
{
	struct mda_plan *m = st;
	struct mda_probe *p = probe_of(m, id);

	if (!p || p->state == PROBE_UNSENT)
		return MATCH_NONE;
	ref->target = target;
	ref->probe = id;
	ref->tx_ns = p->tx_ns;
	ref->queued = 0;
	return MATCH_PROBE;
}

static void stamp(void *st, const struct probe_ref *ref, __u64 tx_ns)
{
	struct mda_probe *p = probe_of(st, ref->probe);

	if (p && !p->tx_ns)
		p->tx_ns = tx_ns;
}

/* A probe's flow settles at its TTL on node (-1: the node table is full) */
static void settle(struct mda_plan *m, struct mda_probe *p, int node)
{
	__s32 *h = hop_at(m, p->flow, p->ttl);

	m->in_flight--;
	if (*h != MDA_HOP_PENDING)
		return;
	m->unsettled--;
	*h = node >= 0 ? node : m->silent_node[p->ttl] >= 0 ? m->silent_node[p->ttl] : 0;
	if (node >= 0)
		m->nodes[node].flows++;
}

/*
 * The reach probe settles on no node: its flow's hop at the hop limit
 * stays unknown (a TTL it never crossed in order), free for the rules.
 * No round waits for it (it is never unsettled): a destination that
 * does not answer costs no time.
 */
static void reach_settle(struct mda_plan *m, struct mda_probe *p)
{
	m->in_flight--;
	*hop_at(m, p->flow, p->ttl) = MDA_HOP_UNKNOWN;
}

/*
 * The destination's port unreachable quotes the probe as it arrived: sent
 * with TTL t, it came with q after t - q routers, the destination at TTL
 * t - q + 1 for this flow
 */
static void reach_answer(struct mda_plan *m, struct mda_probe *p, const struct hop_reply *r)
{
	if (r->verdict == VERDICT_REACHED && r->q_ttl >= 1 && r->q_ttl <= p->ttl)
		m->dest_ttl = p->ttl - r->q_ttl + 1;
	reach_settle(m, p);
}

static int answer(void *st, const struct probe_ref *ref, const struct hop_reply *r)
{
	struct mda_plan *m = st;
	struct mda_probe *p = probe_of(m, ref->probe);
	struct mp_node *n;
	__s64 rtt;
	int node;

	if (!p || p->state != PROBE_SENT)
		return 0; /* late (counted silent already) or a duplicate */
	p->state = PROBE_ANSWERED;
	p->reply = *r;
	if (ref->probe == (__u32)m->reach) {
		reach_answer(m, p, r);
		return 1;
	}
	node = node_of(m, p->ttl, &r->from, 0);
	if (node >= 0) {
		n = &m->nodes[node];
		n->verdict = r->verdict;
		if (r->verdict == VERDICT_UNREACH)
			n->icmp_code = r->icmp_code;
		n->replies++;
		rtt = p->tx_ns && r->rx_ns >= p->tx_ns ? (__s64)(r->rx_ns - p->tx_ns) : -1;
		if (rtt >= 0 && (!n->rtt_min_ns || (__u64)rtt < n->rtt_min_ns))
			n->rtt_min_ns = (__u64)rtt ? (__u64)rtt : 1;
		if (rtt > 0 && (__u64)rtt > m->rtt_max[p->ttl])
			m->rtt_max[p->ttl] = (__u64)rtt;
	}
	settle(m, p, node);
	return 1;
}

/* A probe's wait is over: it is tried again, or its flow is silent there */
static void expire(struct mda_plan *m, struct mda_probe *p)
{
	p->state = PROBE_LOST;
	if (m->reach && p == &m->probes[m->reach - 1]) {
		reach_settle(m, p); /* once is enough: the trace goes on without it */
		return;
	}
	if (p->attempt + 1 < m->c.attempts && m->nprobes < m->c.max_probes) {
		/* again, as a new probe of the same flow and TTL */
		struct mda_probe again = *p;

		m->in_flight--;
		m->unsettled--;
		*hop_at(m, p->flow, p->ttl) = MDA_HOP_UNKNOWN;
		mda_ask(m, again.flow, again.ttl, again.attempt + 1);
		return;
	}
	if (p->attempt + 1 < m->c.attempts)
		m->budget_cut = 1; /* silent on fewer tries than asked */
	settle(m, p, node_of(m, p->ttl, NULL, 1));
}

static void timeout(void *st, const struct plan_probe *pp)
{
	struct mda_plan *m = st;
	struct mda_probe *p = probe_of(m, pp->p.probe_id);

	if (p && p->state == PROBE_SENT)
		expire(m, p);
}

/* When a probe's wait ends by "here" (0: only the engine's full wait) */
static __u64 here_deadline(const struct mda_plan *m, const struct mda_probe *p)
{
	__u64 ref = 0, wait;

	/*
	 * The reach probe waits its full wait: no round waits for it, and
	 * the far end answers long after HERE times the first hops' slowest
	 */
	if (m->c.here <= 0 || !p->left_ns || (m->reach && p == &m->probes[m->reach - 1]))
		return 0;
	for (int t = p->ttl; t >= m->c.first_ttl && !ref; t--)
		ref = m->rtt_max[t];
	if (!ref)
		return 0;
	wait = (__u64)(m->c.here * (double)ref);
	if (wait < MDA_WAIT_FLOOR_NS)
		wait = MDA_WAIT_FLOOR_NS;
	if (wait >= (__u64)(m->c.wait_s * 1e9))
		return 0;
	return p->left_ns + wait;
}

/*
 * Expire what "here" ends by now. Returns the earliest such end still
 * ahead, now itself when something expired (a round may be due), 0: none
 */
static __u64 expire_here(struct mda_plan *m, __u64 now)
{
	__u64 next = 0;
	int expired = 0;

	while (m->oldest < m->next_send && m->probes[m->oldest].state != PROBE_SENT)
		m->oldest++;
	for (int i = m->oldest; i < m->next_send; i++) {
		struct mda_probe *p = &m->probes[i];
		__u64 dl;

		if (p->state != PROBE_SENT || !(dl = here_deadline(m, p)))
			continue;
		if (dl <= now) {
			expire(m, p);
			expired = 1;
		} else if (!next || dl < next) {
			next = dl;
		}
	}
	return expired ? now : next;
}

static __u64 wake_at(void *st, __u64 now)
{
	return expire_here(st, now); /* else rounds wait for answers and deadlines */
}

static int done(void *st)
{
	const struct mda_plan *m = st;

	return m->send_err || (m->finished && m->rec_taken);
}

/* Links from every flow's hops (plan/mda_rule.h) */
static int make_links(struct mda_plan *m)
{
	return mda_links_make(m->nodes, m->hop, m->nflows, m->nttl, &m->links, &m->nlinks);
}

static void finish(struct mda_plan *m, int reason, int data)
{
	const struct session *s = m->c.s;
	struct trace_head *h = &m->rec.h;

	if (m->finished)
		return;
	/* an end that rests on a retry the budget refused is the budget's */
	if (m->budget_cut && (reason == STOP_COMPLETED || reason == STOP_GAPLIMIT ||
			      reason == STOP_HOPLIMIT || reason == STOP_UNREACH)) {
		reason = STOP_PROBELIMIT;
		data = 0;
	}
	m->finished = 1;
	m->stop_reason = reason;
	/* the reach probe still out: nothing waits for it any more */
	if (m->reach && m->probes[m->reach - 1].state == PROBE_SENT) {
		m->probes[m->reach - 1].state = PROBE_LOST;
		reach_settle(m, &m->probes[m->reach - 1]);
	}
	m->stop_data = data;
	if (reason == STOP_PROBELIMIT)
		mda_round_unfinished(m);
	if (make_links(m)) {
		log_err("xhop: out of memory\n");
		m->nlinks = 0;
	}
	memset(&m->rec, 0, sizeof(m->rec));
	h->host_name = m->c.host_name;
	h->src = s->src[m->c.family == 6];
	h->dst = m->c.dst;
	h->family = m->c.family;
	h->method = m->c.method;
	h->sport = s->sport;
	h->dport = s->dport;
	h->icmp_sum = s->icmp_sum;
	h->stop_reason = reason;
	h->stop_data = data;
	h->start = s->start;
	h->attempts = m->c.attempts;
	h->hoplimit = m->c.max_ttl;
	h->firsthop = m->c.first_ttl;
	h->wait_s = m->c.wait_s;
	h->tos = m->c.tos;
	h->probe_size = s->base[m->c.family == 6].size;
	h->probe_count = m->probes_sent;
	h->real_offset_ns = s->real_offset_ns;
	m->rec.confidence = m->c.confidence;
	m->rec.flows = (__u32)m->nflows;
	m->rec.nodes = m->nodes;
	m->rec.nnodes = m->nnodes;
	m->rec.links = m->links;
	m->rec.nlinks = m->nlinks;
	m->rec.unfinished = m->unfinished;
	m->rec.nunfinished = m->nunfinished;
	m->rec.probes_max = m->probes_max;
	m->rec.gaplimit = m->c.gaplimit;
	if (mda_record_probes(m))
		log_err("xhop: out of memory\n");
}

static int take(void *st, struct record *rec)
{
	struct mda_plan *m = st;

	if (!m->finished || m->rec_taken)
		return 0;
	m->rec_taken = 1;
	rec->kind = REC_MULTIPATH;
	rec->mp = &m->rec;
	return 1;
}

static void stop(void *st, int cut)
{
	struct mda_plan *m = st;

	if (m->finished)
		return;
	if (m->send_err)
		finish(m, STOP_ERROR, 0);
	else
		finish(m, cut ? STOP_INTERRUPTED : STOP_NONE, 0);
}

static __u64 outstanding(void *st)
{
	const struct mda_plan *m = st;

	return (__u64)m->in_flight;
}

static const struct planner_ops mda_ops = {
	.name = "multipath",
	.next = next,
	.sent = sent,
	.match = match,
	.stamp = stamp,
	.answer = answer,
	.timeout = timeout,
	.wake_at = wake_at,
	.done = done,
	.take = take,
	.stop = stop,
	.outstanding = outstanding,
};

struct planner mda_planner(struct mda_plan *m)
{
	return (struct planner){ .ops = &mda_ops, .st = m };
}
