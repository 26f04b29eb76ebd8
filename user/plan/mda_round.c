// SPDX-License-Identifier: GPL-2.0
/*
 * What one round of xhop multipath asks (plan/mda.h): the MDA's stopping
 * rule per interface, and where the flows for it come from.
 *
 * A flow's hop at a TTL serves a rule, its "rule key":
 *   - an answering interface: its address (plan/mda.h's group), at
 *     whatever TTL the flow crossed it. A per-flow balancer picks the next
 *     hop from the flow alone, so every flow through an interface is a
 *     sample of its next hops, and one met at two TTLs (behind branches
 *     of unequal length) needs n_k flows once, not n_k per TTL;
 *   - the silence j TTLs after interface G (or after the prober): those
 *     flows crossed G's silent next hop(s), and what they meet at the
 *     next TTL is what lies behind. A flow silent where the TTL before is
 *     unknown has no key: nothing is known of where it came from, and it
 *     serves no rule;
 *   - the prober, for the first TTL: every flow starts there.
 * For a key with k next hops seen (an answering one by its address, any
 * silence as one), n_k flows through it must have settled one TTL
 * further (mda_flows_needed). A flow counts where it was seen at both
 * TTLs, or, for the stopping rule alone, where it was never asked at the
 * key's TTL and the key is "alone" there: the one interface every flow
 * seen at that TTL met, with no silence or end beside it. Every flow
 * crosses that TTL, so it crossed the key, as surely as the rules
 * before said the key has no sibling: scamper's tracelb counts such
 * flows too. Links never stand on such a flow (plan/mda_rule.h makes
 * them from consecutive hops seen), so an inference that was wrong can
 * cost a link, never make a false one; and a next hop reached only by
 * such flows has one of them asked at the key's TTL (ask_link), which
 * finds the sibling if there is one and ends the key's being alone.
 *
 * Where the flows come from, cheapest first:
 *   1. flows already seen through the key and not asked one TTL further:
 *      one probe each, every one counts;
 *   2. a key alone at its TTL: new flows one TTL further, one probe each;
 *   3. flows seen at the TTL before on a predecessor of the key: one
 *      probe each at the key's TTL, landing on it in its share of the
 *      predecessor's next hops;
 *   4. new flows at the key's TTL (an answering key; a silent key needs
 *      its interface, so its predecessor is brought forward first, one
 *      TTL further back each round).
 * Each flow found at a TTL is at one interface there: the flows still
 * owed at a TTL are at least the sum of what each key there needs, so a
 * round asks that many and no more. More rounds, fewer probes than asking
 * what the rarest branch needs at its share (tests/unit/test_mda.c).
 */
#include <stdlib.h>
#include "core/probe_build.h"
#include "plan/mda.h"

/* Rule keys: an answering group is its node index; then the silences */
enum { KEY_NONE = -1, KEY_PROBER = -2, KEY_SILENCE = MDA_NODES_MAX };

/* The silence j TTLs after group g (-1: the prober) */
static int key_silence(int g, int j)
{
	return KEY_SILENCE + (g + 1) * (MDA_TTL_MAX + 1) + j;
}

static int key_is_silence(int key)
{
	return key >= KEY_SILENCE;
}

/* The key the flows of a silence key came from at the TTL before */
static int key_before(int key)
{
	int g = (key - KEY_SILENCE) / (MDA_TTL_MAX + 1) - 1;
	int j = (key - KEY_SILENCE) % (MDA_TTL_MAX + 1);

	if (j > 1)
		return key_silence(g, j - 1);
	return g < 0 ? KEY_PROBER : g;
}

static __s32 *key_at(const struct mda_plan *m, int flow, int ttl)
{
	return &m->rule[(size_t)flow * (size_t)m->nttl + (size_t)(ttl - m->c.first_ttl)];
}

/* A node that ends its flows serves no rule: the destination, an Unreachable */
static int open_node(const struct mda_plan *m, __s32 h)
{
	return h >= 0 && !mda_node_terminal(&m->nodes[h]);
}

/* Each TTL's lone interface (struct mda_plan's alone), from the nodes as they stand */
static void alone_make(struct mda_plan *m)
{
	for (int t = 0; t <= MDA_TTL_MAX; t++)
		m->alone[t] = -1;
	for (int t = m->c.first_ttl; t <= m->c.max_ttl; t++) {
		int one = -1, n = 0;

		for (int u = 0; u < m->nnodes; u++) {
			if (m->nodes[u].ttl != t)
				continue;
			one = u;
			n++;
		}
		if (n == 1 && open_node(m, one) && !m->nodes[one].silent)
			m->alone[t] = one;
	}
}

/* The key is the lone interface at ttl (new flows one TTL further cross it) */
static int is_alone(const struct mda_plan *m, int key, int ttl)
{
	return ttl >= m->c.first_ttl && m->alone[ttl] >= 0 && m->group[m->alone[ttl]] == key;
}

/* A flow never asked at ttl, where the key is the one interface seen */
static int crossed_alone(const struct mda_plan *m, int key, int flow, int ttl)
{
	return is_alone(m, key, ttl) && *mda_hop_at(m, flow, ttl) == MDA_HOP_UNKNOWN;
}

/* Every flow's rule keys, from its hops as they stand */
static void keys_make(struct mda_plan *m)
{
	alone_make(m);
	for (int f = 0; f < m->nflows; f++) {
		int g = -1, j = 0, known = 1; /* every flow leaves the prober */

		for (int t = m->c.first_ttl; t <= m->c.max_ttl; t++) {
			__s32 h = *mda_hop_at(m, f, t);
			__s32 *k = key_at(m, f, t);

			if (h == MDA_HOP_UNKNOWN && m->alone[t] >= 0) {
				/* never asked here, so it serves no rule here; but
				 * it crossed the lone interface, and a silence
				 * after it is that interface's
				 */
				*k = KEY_NONE;
				g = m->group[m->alone[t]];
				j = 0;
				known = 1;
			} else if (h < 0) {
				*k = KEY_NONE;
				known = 0;
			} else if (m->nodes[h].silent) {
				j++;
				*k = known ? key_silence(g, j) : KEY_NONE;
			} else {
				g = m->group[h];
				j = 0;
				known = 1;
				*k = g;
			}
		}
	}
}

/* Where a flow's hop after one of key's lands, as its rule counts next hops */
static int next_of(const struct mda_plan *m, __s32 h)
{
	return m->nodes[h].silent ? KEY_NONE : m->group[h];
}

/* Flows through key settled one TTL further, and its next hops among them */
struct rule {
	int settled;
	int next;
	int only;	/* the next hop when there is one (a group, KEY_NONE: silence) */
};

static struct rule rule_of(const struct mda_plan *m, int key)
{
	struct rule r = { 0 };
	int seen[MDA_K_MAX + 1] = { KEY_NONE }; /* cppcheck cannot see that next == 1 set [0] */

	for (int f = 0; f < m->nflows; f++) {
		for (int t = m->c.first_ttl - 1; t < m->c.max_ttl; t++) {
			__s32 h = *mda_hop_at(m, f, t + 1);
			int i, n;

			if (key == KEY_PROBER) {
				if (t != m->c.first_ttl - 1)
					break;
			} else if (t < m->c.first_ttl || *key_at(m, f, t) != key ||
				   !open_node(m, *mda_hop_at(m, f, t))) {
				if (!crossed_alone(m, key, f, t))
					continue;
			}
			/*
			 * An inferred flow that ended at t + 1 may have ended
			 * sooner (a shorter branch) and adds the end as a next
			 * hop: a rule that asks more, never one that stops early
			 */
			if (h < 0)
				continue;
			r.settled++;
			n = next_of(m, h);
			for (i = 0; i < r.next && seen[i] != n; i++)
				;
			if (i == r.next && r.next <= MDA_K_MAX)
				seen[r.next++] = n;
		}
	}
	r.only = r.next == 1 ? seen[0] : KEY_NONE;
	return r;
}

/*
 * The destination itself answered one TTL after the key: the key hands
 * it packets directly, so the destination is on a network of its own,
 * and a connected route has that one next hop for every flow (a router
 * does not spread an address it reaches directly over other routers).
 * One flow settles the key, as scamper's tracelb stops at the
 * destination. Not a silence: that may be several routers.
 */
static int settled_by_dest(const struct mda_plan *m, int key, const struct rule *r)
{
	return !key_is_silence(key) && r->settled >= 1 && r->next == 1 && r->only >= 0 &&
	       m->nodes[r->only].verdict == VERDICT_REACHED;
}

static int needed(const struct mda_plan *m, int key)
{
	struct rule r = rule_of(m, key);

	if (settled_by_dest(m, key, &r))
		return 0;
	return m->need[r.next < MDA_K_MAX ? r.next : MDA_K_MAX] - r.settled;
}

/*
 * At the destination's TTL (the reach probe's), a key none of whose flows
 * settled yet asks one first: if the destination answers it, that was
 * all (settled_by_dest). Never more probes, at most a round more.
 */
static int dest_first(const struct mda_plan *m, int key, int ttl)
{
	return m->dest_ttl && m->level == m->dest_ttl && ttl == m->level - 1 &&
	       !key_is_silence(key) && rule_of(m, key).settled == 0;
}

/*
 * The reach probe: one UDP flow at the hop limit before anything else,
 * for the destination's TTL (plan/mda.c's reach_answer). Only UDP: the
 * port unreachable quotes the TTL the probe arrived with, an echo reply
 * or a TCP reset does not. 0, or -1 when out of budget.
 */
static int ask_reach(struct mda_plan *m)
{
	/* one probe in flight: it would hold the slot its whole wait, unanswered */
	if (m->nprobes || m->c.method != METHOD_UDP || m->c.max_ttl <= m->c.first_ttl ||
	    m->nflows >= m->c.max_flows || m->c.in_flight < 2)
		return 0;
	if (mda_ask(m, m->nflows, m->c.max_ttl, 0))
		return -1;
	m->nflows++;
	m->reach = m->nprobes;
	m->unsettled--; /* no round waits for it (plan/mda.c's reach_settle) */
	return 1;
}

/*
 * n new flows asked at ttl: n, or -1 when out of budget or of the run's
 * flows. A flow is the run's once asked: one the budget refused is not in
 * the record's count.
 */
static int new_flows(struct mda_plan *m, int ttl, int n)
{
	for (int i = 0; i < n; i++) {
		if (m->nflows >= m->c.max_flows || mda_ask(m, m->nflows, ttl, 0))
			return -1;
		m->nflows++;
	}
	return n;
}

/* The keys that flows with key came from one TTL before, up to max */
static int keys_before(const struct mda_plan *m, int key, int *before, int max)
{
	int n = 0;

	if (key_is_silence(key)) {
		before[0] = key_before(key);
		return 1;
	}
	for (int f = 0; f < m->nflows; f++) {
		for (int t = m->c.first_ttl; t <= m->c.max_ttl; t++) {
			/* at the first TTL, every flow comes from the prober */
			__s32 kb = t > m->c.first_ttl ? *key_at(m, f, t - 1) : KEY_PROBER;
			int i;

			if (*key_at(m, f, t) != key || kb == KEY_NONE)
				continue;
			for (i = 0; i < n && before[i] != kb; i++)
				;
			if (i == n && n < max)
				before[n++] = kb;
		}
	}
	return n;
}

/*
 * Up to n flows through key (its rule's) asked one TTL further: first at
 * ttl + 1, then at the TTLs after the key's other crossings. Returns how
 * many, -1 when out of budget.
 */
static int ask_through(struct mda_plan *m, int key, int ttl, int n)
{
	int asked = 0;

	if (key == KEY_PROBER) {
		for (int f = 0; asked < n && f < m->nflows; f++) {
			if (*mda_hop_at(m, f, m->c.first_ttl) != MDA_HOP_UNKNOWN)
				continue;
			if (mda_ask(m, f, m->c.first_ttl, 0))
				return -1;
			asked++;
		}
		return asked;
	}
	for (int pass = 0; pass < 2; pass++) {
		for (int t = m->c.first_ttl; t < m->c.max_ttl; t++) {
			if ((t == ttl) != !pass)
				continue;
			for (int f = 0; asked < n && f < m->nflows; f++) {
				if (*key_at(m, f, t) != key || !open_node(m, *mda_hop_at(m, f, t)) ||
				    *mda_hop_at(m, f, t + 1) != MDA_HOP_UNKNOWN)
					continue;
				if (mda_ask(m, f, t + 1, 0))
					return -1;
				asked++;
			}
		}
	}
	return asked;
}

/*
 * Up to n more flows seen at ttl with key: flows on its predecessors at
 * ttl - 1 asked at ttl, then new flows, or for a silence its predecessor
 * brought forward. Returns how many asked, -1 when out of budget or flows.
 */
static int bring(struct mda_plan *m, int key, int ttl, int n)
{
	int before[MDA_K_MAX], nb, asked = 0, more;

	nb = keys_before(m, key, before, MDA_K_MAX);
	/* from the predecessors at ttl - 1 first, then at the key's other TTLs */
	for (int pass = 0; pass < 2; pass++) {
		for (int t = m->c.first_ttl; t <= m->c.max_ttl; t++) {
			if ((t == ttl) != !pass)
				continue;
			for (int f = 0; asked < n && f < m->nflows; f++) {
				__s32 kb = KEY_PROBER;
				int i;

				if (*mda_hop_at(m, f, t) != MDA_HOP_UNKNOWN)
					continue;
				if (t > m->c.first_ttl) {
					if (!open_node(m, *mda_hop_at(m, f, t - 1)))
						continue;
					kb = *key_at(m, f, t - 1);
				}
				for (i = 0; i < nb && before[i] != kb; i++)
					;
				if (i == nb)
					continue;
				if (mda_ask(m, f, t, 0))
					return -1;
				asked++;
			}
		}
	}
	n -= asked;
	if (n <= 0)
		return asked;
	/* the silence right after a lone interface: new flows cross it there */
	if (ttl > m->c.first_ttl && key_is_silence(key) && key_before(key) >= 0 &&
	    is_alone(m, key_before(key), ttl - 1))
		more = new_flows(m, ttl, n);
	else if (ttl > m->c.first_ttl && key_is_silence(key))
		more = bring(m, key_before(key), ttl - 1, n);
	else
		more = new_flows(m, ttl, n);
	return more < 0 ? -1 : asked + more;
}

/*
 * A node found late (while a later TTL was explored: a branch the
 * earlier rounds missed) has no link from the TTL before: ask the flow
 * that found it there once. Returns probes asked, -1 when out of budget.
 */
static int ask_back(struct mda_plan *m)
{
	int n = 0;

	for (int f = 0; f < m->nflows; f++) {
		for (int t = m->c.first_ttl + 1; t < m->level; t++) {
			__s32 h = *mda_hop_at(m, f, t);

			/* behind a lone interface its flows count for it as they
			 * are: one is asked for the link (ask_link)
			 */
			if (h < 0 || m->nodes[h].silent || m->born[h] <= t ||
			    *mda_hop_at(m, f, t - 1) != MDA_HOP_UNKNOWN || m->alone[t - 1] >= 0)
				continue;
			if (mda_ask(m, f, t - 1, 0))
				return -1;
			n++;
		}
	}
	return n;
}

/*
 * A node that only flows never asked at the TTL before reached (the new
 * flows of a key alone there) has no link from it: one of them is asked
 * there. A silence too: a link across it needs a flow seen before it,
 * and what lies behind may be linked already by other ways (a diamond
 * whose one branch is silent). Returns probes asked, -1 when out of
 * budget.
 */
static int ask_link(struct mda_plan *m)
{
	int n = 0;

	for (int u = 0; u < m->nnodes; u++) {
		int t = m->nodes[u].ttl, ask = -1, ask_ttl = 0, linked = 0;

		if (t <= m->c.first_ttl || t > m->level)
			continue;
		for (int f = 0; f < m->nflows && !linked; f++) {
			__s32 before = MDA_HOP_UNKNOWN;
			int b;

			if (*mda_hop_at(m, f, t) != u)
				continue;
			/* back over the TTLs where it was silent (links step
			 * over them); from the prober, no link is owed
			 */
			for (b = t - 1; b >= m->c.first_ttl; b--) {
				before = *mda_hop_at(m, f, b);
				if (before < 0 || !m->nodes[before].silent)
					break;
			}
			linked = b < m->c.first_ttl || before >= 0 || before == MDA_HOP_PENDING;
			if (!linked && ask < 0) {
				ask = f;
				ask_ttl = b;
			}
		}
		if (linked || ask < 0)
			continue;
		if (mda_ask(m, ask, ask_ttl, 0))
			return -1;
		n++;
	}
	return n;
}

/*
 * The keys flows serve before TTL L (the prober first), once each, with
 * the last TTL before L where they are met. Not only L - 1's: a next hop
 * found late (ask_back) raises its interface's k, and the rule it owes
 * with it.
 */
static int keys_due(const struct mda_plan *m, int L, int *keys, int *ttls, int max)
{
	int n = 1;

	keys[0] = KEY_PROBER;
	ttls[0] = m->c.first_ttl - 1;
	for (int t = m->c.first_ttl; t < L; t++) {
		for (int f = 0; f < m->nflows; f++) {
			__s32 k = *key_at(m, f, t);
			int i;

			if (k == KEY_NONE || !open_node(m, *mda_hop_at(m, f, t)))
				continue;
			for (i = 0; i < n && keys[i] != k; i++)
				;
			if (i == n && n < max)
				keys[n++] = k;
			if (i < n)
				ttls[i] = t;
		}
	}
	return n;
}

int mda_round_plan(struct mda_plan *m)
{
	int L = m->level, asked, nkeys, nneedy = 0;
	int *keys = NULL, *ttls = NULL, *short_of = NULL;
	size_t max = (size_t)MDA_NODES_MAX + (size_t)m->nflows * (size_t)m->nttl + 1;

	alone_make(m);
	asked = ask_reach(m);
	if (asked >= 0) {
		int more = ask_back(m);

		asked = more < 0 ? -1 : asked + more;
	}
	if (asked >= 0) {
		int more = ask_link(m);

		asked = more < 0 ? -1 : asked + more;
	}
	if (asked < 0)
		return -1;
	keys_make(m);
	keys = malloc(max * sizeof(*keys));
	ttls = malloc(max * sizeof(*ttls));
	short_of = malloc(max * sizeof(*short_of));
	if (!keys || !ttls || !short_of) {
		asked = -1;
		goto out;
	}
	nkeys = keys_due(m, L, keys, ttls, (int)max);
	for (int i = 0; i < nkeys; i++) {
		int need = needed(m, keys[i]), got;

		if (need <= 0)
			continue;
		if (dest_first(m, keys[i], ttls[i]))
			need = 1;
		got = ask_through(m, keys[i], ttls[i], need);
		if (got < 0) {
			asked = -1;
			goto out;
		}
		asked += got;
		if (got < need) {
			keys[nneedy] = keys[i];
			ttls[nneedy] = ttls[i];
			short_of[nneedy++] = need - got;
		}
	}
	/* flows seen on the keys still short: at most what they lack */
	for (int i = 0; i < nneedy; i++) {
		int got;

		if (keys[i] == KEY_PROBER)
			got = new_flows(m, m->c.first_ttl, short_of[i]);
		else if (is_alone(m, keys[i], ttls[i]) && ttls[i] < m->c.max_ttl)
			got = new_flows(m, ttls[i] + 1, short_of[i]);
		else
			got = bring(m, keys[i], ttls[i], short_of[i]);

		if (got < 0) {
			asked = -1;
			goto out;
		}
		asked += got;
	}
out:
	free(keys);
	free(ttls);
	free(short_of);
	return asked;
}

/* The open nodes at ttl: their next hops not settled, into m->unfinished */
static void unfinished_at(struct mda_plan *m, int ttl)
{
	for (int u = 0; u < m->nnodes; u++) {
		int open = 0;

		if (m->nodes[u].ttl != ttl || mda_node_terminal(&m->nodes[u]))
			continue;
		if (!m->nodes[u].silent) {
			open = needed(m, m->group[u]) > 0;
		} else {
			for (int f = 0; !open && f < m->nflows; f++) {
				__s32 k = *key_at(m, f, ttl);

				open = *mda_hop_at(m, f, ttl) == u && k != KEY_NONE &&
				       needed(m, k) > 0;
			}
		}
		if (open)
			m->unfinished[m->nunfinished++] = (__u32)u;
	}
}

void mda_round_unfinished(struct mda_plan *m)
{
	int L = m->level;

	m->nunfinished = 0;
	if (L == m->c.first_ttl)
		return; /* the prober's own next hops: no node to name */
	keys_make(m);
	/* before L: a branch found late may reopen a rule TTLs back */
	for (int t = m->c.first_ttl; t < L; t++)
		unfinished_at(m, t);
	/* the budget ran out as the TTL's rules were met: the next TTL's
	 * interfaces, never asked further, are the ones left open
	 */
	if (!m->nunfinished)
		unfinished_at(m, L);
}
