// SPDX-License-Identifier: GPL-2.0
/* xhop scan --mda: Diamond-Miner's rounds on the engine (plan/mda_scan.h) */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/log.h"
#include "net/addr.h"
#include "plan/mda_scan.h"

/* A slot in the ready queue; gen tells a reused slot apart */
struct mds_due {
	__u32 slot;
	__u16 gen;
};

static const struct in6_addr *key_of(const void *ctx, __u32 v)
{
	const struct mda_scan *ms = ctx;

	return &ms->slots[v >> 8].addr[v & 0xff];
}

static __u32 flows_max(const struct mds_prefix *x)
{
	return x->naddr * MDS_PORTS;
}

int mda_scan_init(struct mda_scan *ms, const struct session *s)
{
	const struct scan_cfg *c = ms->c;

	ms->s = s;
	ms->first_ttl = c->first_ttl;
	ms->max_ttl = c->max_ttl;
	ms->nttl = c->max_ttl - c->first_ttl + 1;
	ms->tries = c->attempts > 0 ? c->attempts : 1;
	ms->gap = c->gap_limit > 0 ? c->gap_limit : SCAN_MAX_TTL;
	ms->taken_slot = SCAN_NONE;
	ms->ifaces.seed = s->key.k1 ^ 0x6d64735f69666163ULL;
	for (int k = 0; k <= MDA_K_MAX; k++)
		ms->need[k] = (__u16)mda_flows_needed(c->confidence, k);
	ms->slots = calloc(ms->window, sizeof(*ms->slots));
	ms->free_slots = calloc(ms->window, sizeof(*ms->free_slots));
	if (!ms->slots || !ms->free_slots ||
	    addrmap_init(&ms->map, ms->window * 8, key_of, ms, s->key.k0 ^ s->key.k1) ||
	    fifo_init(&ms->ready, sizeof(struct mds_due)) ||
	    fifo_init(&ms->finished, sizeof(__u32)))
		return -ENOMEM;
	/* slot 0 first */
	for (__u32 i = 0; i < ms->window; i++)
		ms->free_slots[i] = ms->window - 1 - i;
	ms->nfree = ms->window;
	ms->st.targets = ms->shard_units;
	ms->st.targets_listed = ms->nunits;
	ms->st.blocked = ms->blocked;
	ms->st.duplicates = ms->duplicates;
	ms->st.seed = ms->seed;
	ms->st.window = ms->window;
	return 0;
}

static void prefix_release(struct mds_prefix *x)
{
	free(x->hop);
	free(x->nodes);
	free(x->recov);
	free(x->iface);
	free(x->links);
	free(x->unfinished);
	free(x->lost);
	free(x->fin);
	free(x->due);
	free(x->pats);
	x->lost = NULL;
	x->fin = NULL;
	x->due = NULL;
	x->pats = NULL;
	x->hop = NULL;
	x->nodes = NULL;
	x->recov = NULL;
	x->iface = NULL;
	x->links = NULL;
	x->unfinished = NULL;
}

void mda_scan_free(struct mda_scan *ms)
{
	for (__u32 i = 0; ms->slots && i < ms->window; i++)
		prefix_release(&ms->slots[i]);
	free(ms->slots);
	free(ms->free_slots);
	free(ms->units);
	addrmap_free(&ms->map);
	mds_iface_free(&ms->ifaces);
	fifo_free(&ms->ready);
	fifo_free(&ms->finished);
	ms->slots = NULL;
	ms->free_slots = NULL;
	ms->units = NULL;
}

/* Rows for n flows in the hop table. 0 or -ENOMEM */
static int grow_flows(struct mda_scan *ms, struct mds_prefix *x, __u32 n)
{
	__u32 cap = x->cap_flows ? x->cap_flows : 16;
	__s32 *h;

	if (n <= x->cap_flows)
		return 0;
	while (cap < n)
		cap *= 2;
	h = realloc(x->hop, (size_t)cap * (size_t)ms->nttl * sizeof(*h));
	if (!h)
		return -ENOMEM;
	for (size_t i = (size_t)x->cap_flows * (size_t)ms->nttl; i < (size_t)cap * (size_t)ms->nttl;
	     i++)
		h[i] = MDA_HOP_UNKNOWN;
	x->hop = h;
	x->cap_flows = cap;
	return 0;
}

/* The addresses n flows use, into the address map. 0 or -ENOMEM */
static int map_addresses(struct mda_scan *ms, __u32 slot, __u32 n)
{
	struct mds_prefix *x = &ms->slots[slot];
	__u32 want = n < x->naddr ? n : x->naddr;

	for (; x->mapped < want; x->mapped++)
		if (addrmap_put(&ms->map, slot << 8 | x->mapped) < 0)
			return -ENOMEM;
	return 0;
}

/* The node of an address at a TTL, made if new; -1 when out of memory */
static int node_of(struct mds_prefix *x, int ttl, const struct in6_addr *addr, int silent)
{
	struct mp_node *n;

	if (silent && x->silent_node[ttl] >= 0)
		return x->silent_node[ttl];
	for (int i = 0; !silent && i < x->nnodes; i++)
		if (x->nodes[i].ttl == ttl && !x->nodes[i].silent &&
		    !memcmp(&x->nodes[i].addr, addr, sizeof(*addr)))
			return i;
	if (x->nnodes == x->cap_nodes) {
		int cap = x->cap_nodes ? 2 * x->cap_nodes : 16;
		struct mp_node *v = realloc(x->nodes, (size_t)cap * sizeof(*v));
		__u32 *r;
		__s32 *f;

		if (!v)
			return -1;
		x->nodes = v;
		r = realloc(x->recov, (size_t)cap * sizeof(*r));
		if (!r)
			return -1;
		x->recov = r;
		f = realloc(x->iface, (size_t)cap * sizeof(*f));
		if (!f)
			return -1;
		x->iface = f;
		x->cap_nodes = cap;
	}
	n = &x->nodes[x->nnodes];
	memset(n, 0, sizeof(*n));
	x->recov[x->nnodes] = 0;
	x->iface[x->nnodes] = -1;
	n->ttl = (__u8)ttl;
	n->silent = (__u8)silent;
	if (!silent)
		n->addr = *addr;
	else
		x->silent_node[ttl] = x->nnodes;
	return x->nnodes++;
}

/* Whether an answering node at TTL t surely loses answers */
static int lossy_at(struct mda_scan *ms, struct mds_prefix *x, int t)
{
	for (int h = 0; h < x->nnodes; h++)
		if (x->nodes[h].ttl == t && !x->nodes[h].silent && mds_node_lossy(ms, x, h))
			return 1;
	return 0;
}

/*
 * The flows TTL t needs (0: none beyond those asked) for the next hops of
 * node u at t (-1: the prober, t = first - 1) to be settled: n_k through
 * u probed at t + 1, scaled by u's share of the flows probed at t. A
 * probe at t + 1 asked again counts as one through u, not yet as a next
 * hop; silence at t + 1 is a next hop once MDS_SILENT_MIN flows met it
 * (one flow's may be a lost answer, whose tiny share would ask for
 * hundreds of flows).
 */
__u32 mds_node_goal(struct mda_scan *ms, struct mds_prefix *x, int u, int t)
{
	__u32 F, through = 0, waiting = 0, silent = 0;
	__s32 succ[MDA_K_MAX + 1];
	int k = 0, need;

	F = u < 0 ? x->sent[t + 1]
		  : x->sent[t] < x->sent[t + 1] ? x->sent[t] : x->sent[t + 1];
	for (__u32 f = 0; f < F; f++) {
		__s32 h;
		int i;

		if (u >= 0 && *mds_hop_at(ms, x, f, t) != u)
			continue;
		h = *mds_hop_at(ms, x, f, t + 1);
		if (h == MDA_HOP_PENDING) {
			waiting++; /* asked again */
			continue;
		}
		if (h < 0)
			continue; /* never sent: no evidence */
		through++;
		if (x->nodes[h].silent) {
			silent++;
			continue;
		}
		h = mds_succ_key(x, h);
		for (i = 0; i < k && succ[i] != h; i++)
			;
		if (i == k && k < MDA_K_MAX)
			succ[k++] = h;
	}
	/* a silence where an answering next hop surely loses answers is most
	 * likely its lost answers: no next hop of its own (under a rate
	 * limit every round would find one more, and ask for more flows) */
	if (silent >= MDS_SILENT_MIN && k < MDA_K_MAX && !lossy_at(ms, x, t + 1))
		k++;
	through += waiting;
	need = ms->need[k];
	if (through >= (__u32)need)
		return 0;
	if (u < 0)
		return (__u32)need;
	/* u met only by flows not asked at t + 1 yet: those first */
	if (!through)
		return x->sent[t] > F ? x->sent[t] : F + (__u32)need;
	/* u's share of the flows at t is through / F */
	return (__u32)ceil((double)need * (double)F / (double)through);
}

/*
 * The goal of TTL t's links (t = first - 1: the prober's), the most any
 * of its answering nodes needs; unsettled nodes listed into x->unfinished
 * if asked. A silent node (silent routers, and lost answers, all at once)
 * asks for no flows here (plan/mda_scan.h).
 */
static __u32 ttl_goal(struct mda_scan *ms, struct mds_prefix *x, int t, int list)
{
	__u32 goal = 0, g;

	if (t < ms->first_ttl)
		return mds_node_goal(ms, x, -1, t);
	for (int u = 0; u < x->nnodes; u++) {
		if (x->nodes[u].ttl != t || x->nodes[u].silent || mda_node_terminal(&x->nodes[u]))
			continue;
		g = mds_node_goal(ms, x, u, t);
		if (g && list)
			x->unfinished[x->nunfinished++] = (__u32)u;
		if (g > goal)
			goal = g;
	}
	return goal;
}

static void finish(struct mda_scan *ms, __u32 slot, int reason, int data);

/* The stop reason of a prefix whose nodes need nothing more */
static void settled(struct mda_scan *ms, __u32 slot)
{
	const struct mds_prefix *x = &ms->slots[slot];
	int reached = 0, unreach = 0, code = 0, at_max = 0;

	for (int i = 0; i < x->nnodes; i++) {
		const struct mp_node *n = &x->nodes[i];

		if (n->silent)
			continue;
		reached |= n->verdict == VERDICT_REACHED;
		if (n->verdict == VERDICT_UNREACH) {
			unreach = 1;
			code = n->icmp_code;
		}
		at_max |= n->ttl == ms->max_ttl && n->verdict == VERDICT_HOP;
	}
	if (reached)
		finish(ms, slot, STOP_COMPLETED, 0);
	else if (unreach)
		finish(ms, slot, STOP_UNREACH, code);
	else
		finish(ms, slot, at_max ? STOP_HOPLIMIT : STOP_GAPLIMIT, 0);
}

/*
 * The goal of every TTL for the next round (flows 0..goal-1 asked there).
 * The first: the same flows at MDS_FIRST_SPAN TTLs, as many as rule out a
 * second next hop. Later ones: each TTL's nodes' need; past the highest
 * TTL asked, MDS_EXTEND TTLs at once for the flows that go on.
 */
static void set_goals(struct mda_scan *ms, struct mds_prefix *x)
{
	__u32 lg[SCAN_MAX_TTL + 2] = { 0 };
	int top = ms->first_ttl - 1;

	for (int t = ms->first_ttl; t <= ms->max_ttl; t++) {
		__u32 g;

		if (x->sent[t])
			top = t;
		if (!x->rounds) {
			g = t < ms->first_ttl + MDS_FIRST_SPAN ? ms->need[1] : 0;
		} else {
			lg[t] = t < ms->max_ttl ? ttl_goal(ms, x, t, 0) : 0;
			g = lg[t];
			if (t == ms->first_ttl) {
				__u32 p = ttl_goal(ms, x, t - 1, 0);

				g = g > p ? g : p;
			} else if (lg[t - 1] > g) {
				g = lg[t - 1];
			}
		}
		if (g > flows_max(x))
			g = flows_max(x);
		x->goal[t] = g > x->sent[t] ? g : x->sent[t];
	}
	/* the nodes of the top TTL go on (flows past their end are skipped) */
	if (x->rounds && top >= ms->first_ttl && top < ms->max_ttl &&
	    x->goal[top + 1] > x->sent[top + 1])
		for (int t = top + 2; t <= ms->max_ttl && t <= top + MDS_EXTEND; t++)
			if (x->goal[t] < x->goal[top + 1])
				x->goal[t] = x->goal[top + 1];
}

/*
 * The next round of a prefix whose probes all settled (or its first):
 * lost probes asked again, new flows where a goal is above what was
 * asked; none: the prefix is done
 */
static void plan_round(struct mda_scan *ms, __u32 slot)
{
	struct mds_prefix *x = &ms->slots[slot];
	__u32 add = 0, room, top = 0, named;
	struct mds_due d = { .slot = slot, .gen = x->gen };

	room = (__u32)ms->c->max_probes - x->probes;
	/* by name first: retries settle what the links claim; the goals
	 * count them as flows whose next hop is still to come */
	named = mds_plan_named(ms, x, room);
	room -= named;
	set_goals(ms, x);
	for (int t = ms->first_ttl; t <= ms->max_ttl; t++)
		add += x->goal[t] - x->sent[t];
	if (!add && !named) {
		settled(ms, slot);
		return;
	}
	if (!room && !named) {
		finish(ms, slot, STOP_PROBELIMIT, 0);
		return;
	}
	if (add > room) {
		/* what the budget allows, the lowest TTLs first */
		add = 0;
		for (int t = ms->first_ttl; t <= ms->max_ttl; t++) {
			__u32 more = x->goal[t] - x->sent[t];

			if (more > room - add)
				more = room - add;
			x->goal[t] = x->sent[t] + more;
			add += more;
		}
	}
	for (int t = ms->first_ttl; t <= ms->max_ttl; t++)
		top = x->goal[t] > top ? x->goal[t] : top;
	if (grow_flows(ms, x, top) || map_addresses(ms, slot, top) || fifo_push(&ms->ready, &d)) {
		ms->oom = 1;
		finish(ms, slot, STOP_ERROR, 0);
		return;
	}
	if (top > x->nflows)
		x->nflows = top;
	x->left = add + named;
	x->cur_ttl = ms->first_ttl;
	x->rounds++;
}

/* The next prefix of the permutation into a free slot, its first round queued */
static int admit_one(struct mda_scan *ms)
{
	while (ms->nfree && ms->perm_pos < ms->perm.n) {
		__u64 pos = ms->perm_pos++;
		const struct prefix *p;
		struct mds_prefix *x;
		__u32 slot;
		__u16 gen;

		if (pos % (__u64)ms->c->shards != (__u64)ms->c->shard)
			continue;
		p = &ms->units[permutation_at(&ms->perm, pos)];
		slot = ms->free_slots[--ms->nfree];
		x = &ms->slots[slot];
		gen = x->gen;
		memset(x, 0, sizeof(*x));
		x->gen = gen;
		x->p = *p;
		x->naddr = 128 - p->len >= 8 ? MDS_ADDRS_MAX : 1u << (128 - p->len);
		for (__u32 i = 0; i < x->naddr; i++) {
			/* the address index in the low 8 bits (IPv6: of the /64) */
			x->addr[i] = p->addr;
			x->addr[i].s6_addr[15] = (__u8)(p->addr.s6_addr[15] | i);
		}
		for (int t = 0; t < SCAN_MAX_TTL + 2; t++)
			x->silent_node[t] = -1;
		x->state = MDS_ACTIVE;
		clock_gettime(CLOCK_REALTIME, &x->start);
		ms->active++;
		ms->st.admitted++;
		plan_round(ms, slot);
		return 1;
	}
	return 0;
}

/*
 * The prefix's next probe of this round into *flow, *ttl, *attempt (0:
 * a first try): 1, or 0 when none is left. Retries first; a flow is not
 * asked past its end (skipped).
 */
static int take_probe(struct mda_scan *ms, struct mds_prefix *x, __u32 *flow, int *ttl,
		      int *attempt)
{
	while (x->left) {
		int t;

		x->left--;
		if (x->due_pos < x->ndue) {
			const struct mds_probe *d = &x->due[x->due_pos++];

			*flow = d->flow;
			*ttl = d->ttl;
			*attempt = d->tries;
			if (mds_flow_ended(ms, x, *flow, *ttl) == 2) {
				/* past the end an answer of this round showed */
				*mds_hop_at(ms, x, *flow, *ttl) = MDA_HOP_UNKNOWN;
				continue;
			}
			ms->st.retries += d->tries > 0;
			/* the first tries lost (lost1) that were asked again */
			x->retried[*ttl] += d->tries == 1;
			return 1;
		}
		for (t = x->cur_ttl; x->sent[t] >= x->goal[t]; t++)
			;
		x->cur_ttl = t;
		*flow = x->sent[t]++;
		*ttl = t;
		*attempt = 0;
		/* asked by name already, or past the flow's end */
		if (*mds_hop_at(ms, x, *flow, t) == MDA_HOP_UNKNOWN &&
		    !mds_flow_ended(ms, x, *flow, t))
			return 1;
	}
	return 0;
}

/* The next probe due into pp: 1, or 0 when none is */
static int next_one(struct mda_scan *ms, struct plan_probe *pp)
{
	for (;;) {
		struct mds_due *d = fifo_peek(&ms->ready), due;
		struct mds_prefix *x;
		__u32 flow, idx;
		int t, attempt;

		if (!d) {
			if (!admit_one(ms))
				return 0;
			continue;
		}
		due = *d;
		fifo_pop(&ms->ready);
		x = &ms->slots[due.slot];
		if (x->state != MDS_ACTIVE || x->gen != due.gen || !x->left)
			continue;
		if (!take_probe(ms, x, &flow, &t, &attempt)) {
			/* the rest of the round was past its flows' ends */
			if (!x->pending)
				plan_round(ms, due.slot);
			continue;
		}
		*mds_hop_at(ms, x, flow, t) = MDA_HOP_PENDING; /* by name: marked so already */
		x->pending++;
		x->probes++;
		ms->outstanding++;
		idx = flow % x->naddr;
		pp->p = (struct send_probe){ .dst = x->addr[idx],
					     .probe_id = mds_probe_id(flow / x->naddr, t),
					     .ttl = (__u8)t, .flow = (__u16)(flow / x->naddr) };
		pp->target = due.slot << 8 | idx;
		pp->gen = x->gen;
		pp->sub = (__u8)attempt;
		pp->fam = !IN6_IS_ADDR_V4MAPPED(&x->p.addr);
		/* round robin: the prefixes' probes interleave */
		if (x->left && fifo_push(&ms->ready, &due))
			ms->oom = 1;
		return 1;
	}
}

static void publish_stats(struct mda_scan *ms)
{
	ms->st.active = ms->active;
}

static int next(void *st, struct plan_probe *out, int max, __u64 now)
{
	struct mda_scan *ms = st;
	int n = 0;

	(void)now;
	while (n < max && !ms->stopped && next_one(ms, &out[n]))
		n++;
	publish_stats(ms);
	return n;
}

/*
 * The prefix, flow and TTL a probe was (target: slot << 8 | index, id:
 * port << 6 | TTL), when that probe is still awaited; else NULL
 */
static struct mds_prefix *awaited(struct mda_scan *ms, __u32 target, __u16 id, __u32 *flow,
				  int *ttl)
{
	__u32 slot = target >> 8, idx = target & 0xff, port = (__u32)id >> PROBE_TTL_BITS;
	struct mds_prefix *x;
	int t = id & PROBE_TTL_MASK;

	if (slot >= ms->window)
		return NULL;
	x = &ms->slots[slot];
	if (x->state != MDS_ACTIVE || idx >= x->naddr || t < ms->first_ttl || t > ms->max_ttl)
		return NULL;
	*flow = port * x->naddr + idx;
	*ttl = t;
	if (*flow >= x->nflows || *mds_hop_at(ms, x, *flow, t) != MDA_HOP_PENDING)
		return NULL;
	return x;
}

/* A probe settled on node h (or MDA_HOP_UNKNOWN: no evidence either way) */
static void settle(struct mda_scan *ms, __u32 slot, __u32 flow, int ttl, __s32 h)
{
	struct mds_prefix *x = &ms->slots[slot];

	*mds_hop_at(ms, x, flow, ttl) = h;
	if (h >= 0)
		x->nodes[h].flows++;
	x->pending--;
	ms->outstanding--;
	if (!x->pending && !x->left && !ms->stopped)
		plan_round(ms, slot);
}

static int sent(void *st, const struct plan_probe *pp, const struct send_result *r, __u64 left)
{
	struct mda_scan *ms = st;
	struct mds_prefix *x;
	__u32 flow;
	int ttl;

	(void)left;
	x = awaited(ms, pp->target, pp->p.probe_id, &flow, &ttl);
	if (!x || x->gen != pp->gen || !r->err)
		return 0;
	/* it never left: no silence to count, the chain breaks there */
	x->probes--;
	settle(ms, pp->target >> 8, flow, ttl, MDA_HOP_UNKNOWN);
	return 0;
}

static int match(void *st, __u32 target, __u16 id, struct probe_ref *ref)
{
	struct mda_scan *ms = st;
	__u32 flow;
	int ttl;

	/* a late answer (its probe timed out), a duplicate, a foreign id */
	if (!awaited(ms, target, id, &flow, &ttl))
		return MATCH_NONE;
	ref->target = target;
	ref->probe = id;
	ref->tx_ns = 0; /* stateless: no send time kept */
	ref->queued = 0;
	return MATCH_PROBE;
}

static void stamp(void *st, const struct probe_ref *ref, __u64 tx_ns)
{
	(void)st;
	(void)ref;
	(void)tx_ns;
}

static int answer(void *st, const struct probe_ref *ref, const struct hop_reply *r)
{
	struct mda_scan *ms = st;
	struct mds_prefix *x;
	__u32 flow;
	int ttl, node;

	x = awaited(ms, ref->target, (__u16)ref->probe, &flow, &ttl);
	if (!x)
		return 0;
	node = node_of(x, ttl, &r->from, 0);
	if (node < 0) {
		ms->oom = 1;
	} else {
		struct mp_node *n = &x->nodes[node];

		n->verdict = r->verdict;
		if (r->verdict == VERDICT_UNREACH)
			n->icmp_code = r->icmp_code;
		n->replies++;
		mds_iface_answer(ms, x, flow, ttl, node);
	}
	settle(ms, ref->target >> 8, flow, ttl, node >= 0 ? node : MDA_HOP_UNKNOWN);
	return 1;
}

static void timeout(void *st, const struct plan_probe *pp)
{
	struct mda_scan *ms = st;
	struct mds_prefix *x;
	__u32 flow;
	int ttl, node;

	x = awaited(ms, pp->target, pp->p.probe_id, &flow, &ttl);
	if (!x || x->gen != pp->gen)
		return;
	x->lost1[ttl] += !pp->sub;
	node = node_of(x, ttl, NULL, 1);
	if (node < 0)
		ms->oom = 1;
	else if (mds_lost_add(ms, x, flow, ttl, pp->sub + 1))
		ms->oom = 1;
	settle(ms, pp->target >> 8, flow, ttl, node >= 0 ? node : MDA_HOP_UNKNOWN);
}

/*
 * A flow's hops past the first node that ended it (a destination answers
 * at every TTL beyond its distance) are no part of its path: dropped,
 * and the nodes only they met with them
 */
static void prune(struct mda_scan *ms, struct mds_prefix *x)
{
	int *map = malloc((size_t)(x->nnodes ? x->nnodes : 1) * sizeof(*map)), kept = 0;

	for (int i = 0; i < x->nnodes; i++)
		x->nodes[i].flows = 0;
	for (__u32 f = 0; f < x->nflows; f++) {
		int ended = 0;

		for (int t = ms->first_ttl; t <= ms->max_ttl; t++) {
			__s32 *h = mds_hop_at(ms, x, f, t);

			if (ended)
				*h = MDA_HOP_UNKNOWN;
			else if (*h >= 0 && (x->nodes[*h].flows++, mda_node_terminal(&x->nodes[*h])))
				ended = 1;
		}
	}
	if (!map) {
		ms->oom = 1;
		return; /* the nodes stay; the links are right all the same */
	}
	for (int i = 0; i < x->nnodes; i++) {
		map[i] = x->nodes[i].flows ? kept : -1;
		if (!x->nodes[i].flows)
			continue;
		/* a node's retries' answers and interface go with it: the
		 * probe limit's unfinished list judges the nodes after this */
		x->recov[kept] = x->recov[i];
		x->iface[kept] = x->iface[i];
		x->nodes[kept++] = x->nodes[i];
	}
	for (__u32 f = 0; f < x->nflows; f++)
		for (int t = ms->first_ttl; t <= ms->max_ttl; t++) {
			__s32 *h = mds_hop_at(ms, x, f, t);

			if (*h >= 0)
				*h = map[*h];
		}
	x->nnodes = kept;
	free(map);
}

/* The prefix is done: its record is due (take()) */
static void finish(struct mda_scan *ms, __u32 slot, int reason, int data)
{
	struct mds_prefix *x = &ms->slots[slot];

	if (x->state != MDS_ACTIVE)
		return;
	x->state = MDS_DONE;
	x->stop_reason = reason;
	x->stop_data = data;
	ms->active--;
	for (__u32 i = 0; i < x->mapped; i++)
		addrmap_del(&ms->map, &x->addr[i]);
	if (mds_break_lossy(ms, x))
		ms->oom = 1;
	prune(ms, x);
	if (reason == STOP_PROBELIMIT) {
		x->unfinished = calloc((size_t)x->nnodes + 1, sizeof(*x->unfinished));
		if (x->unfinished)
			for (int t = ms->first_ttl; t < ms->max_ttl; t++)
				ttl_goal(ms, x, t, 1);
	}
	if (mda_links_make(x->nodes, x->hop, (int)x->nflows, ms->nttl, &x->links, &x->nlinks))
		ms->oom = 1;
	if (fifo_push(&ms->finished, &slot))
		ms->oom = 1;
}

static void fill_record(struct mda_scan *ms, __u32 slot)
{
	const struct session *s = ms->s;
	const struct mds_prefix *x = &ms->slots[slot];
	struct trace_head *h = &ms->rec.h;
	int v6 = !IN6_IS_ADDR_V4MAPPED(&x->p.addr);

	memset(&ms->rec, 0, sizeof(ms->rec));
	h->src = s->src[v6];
	h->dst = x->p.addr;
	h->family = v6 ? 6 : 4;
	h->method = ms->c->method;
	h->sport = s->sport;
	h->dport = s->dport;
	h->icmp_sum = s->icmp_sum;
	h->stop_reason = x->stop_reason;
	h->stop_data = x->stop_data;
	h->start = x->start;
	h->attempts = ms->tries;
	h->hoplimit = ms->max_ttl;
	h->firsthop = ms->first_ttl;
	h->wait_s = ms->c->wait_s;
	h->tos = ms->c->tos;
	h->probe_size = s->base[v6].size;
	h->probe_count = x->probes;
	h->real_offset_ns = s->real_offset_ns;
	ms->rec.dst_len = (__u8)(v6 ? x->p.len : x->p.len - 96);
	ms->rec.rounds = x->rounds;
	ms->rec.confidence = ms->c->confidence;
	ms->rec.flows = x->nflows;
	ms->rec.nodes = x->nodes;
	ms->rec.nnodes = x->nnodes;
	ms->rec.links = x->links;
	ms->rec.nlinks = x->nlinks;
	ms->rec.unfinished = x->unfinished;
	ms->rec.nunfinished = x->nunfinished;
}

/* Free the slot whose record was taken last: the sinks are done with it */
static void release_taken(struct mda_scan *ms)
{
	struct mds_prefix *x;

	if (ms->taken_slot == SCAN_NONE)
		return;
	x = &ms->slots[ms->taken_slot];
	prefix_release(x);
	x->state = MDS_FREE;
	x->gen++;
	ms->free_slots[ms->nfree++] = ms->taken_slot;
	ms->taken_slot = SCAN_NONE;
}

static int take(void *st, struct record *rec)
{
	struct mda_scan *ms = st;
	__u32 *slot;

	release_taken(ms);
	publish_stats(ms);
	slot = fifo_peek(&ms->finished);
	if (!slot)
		return 0;
	ms->taken_slot = *slot;
	fifo_pop(&ms->finished);
	fill_record(ms, ms->taken_slot);
	rec->kind = REC_MULTIPATH;
	rec->mp = &ms->rec;
	return 1;
}

static __u64 wake_at(void *st, __u64 now)
{
	(void)st;
	(void)now;
	return 0; /* the sending thread paces; deadlines are the engine's */
}

static int done(void *st)
{
	const struct mda_scan *ms = st;

	return !ms->active && ms->perm_pos >= ms->perm.n && !ms->finished.n &&
	       ms->taken_slot == SCAN_NONE;
}

/* What is still in flight is written as it stands */
static void stop(void *st, int cut)
{
	struct mda_scan *ms = st;

	ms->stopped = 1;
	for (__u32 s = 0; s < ms->window; s++)
		if (ms->slots[s].state == MDS_ACTIVE)
			finish(ms, s, cut ? STOP_INTERRUPTED : STOP_NONE, 0);
}

static int backlogged(void *st)
{
	const struct mda_scan *ms = st;

	return !ms->stopped && (ms->ready.n > 0 || (ms->perm_pos < ms->perm.n && ms->nfree));
}

static __u64 outstanding(void *st)
{
	return ((const struct mda_scan *)st)->outstanding;
}

static const struct planner_ops mda_scan_ops = {
	.name = "scan --mda",
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
	.backlogged = backlogged,
	.outstanding = outstanding,
};

struct planner mda_scan_planner(struct mda_scan *ms)
{
	return (struct planner){ .ops = &mda_scan_ops, .st = ms };
}
