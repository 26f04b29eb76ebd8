// SPDX-License-Identifier: GPL-2.0
/*
 * xhop monitor's bookkeeping: which probe is whose, when a cycle of a
 * target is complete, what it says about the path. RTTs are the two
 * kernel stamps' difference; userspace time only decides deadlines, and
 * even there the stamps have the last word (an answer whose stamps are
 * further apart than the wait is late, however soon it is read).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include "net/addr.h"
#include "plan/monitor.h"
#include "plan/path_table.h"

/* Upper bounds of the RTT histogram, seconds: 100 us to 2.5 s */
const double mon_bucket_le[MON_BUCKETS] = {
	0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
	0.025,	0.05,	 0.1,	 0.25,	0.5,	1.0,   2.5,
};

__u16 mon_probe_id(__u32 cycle, int ttl)
{
	return (__u16)((cycle % MON_CYCLE_MOD) << 8 | (ttl & 0xff));
}

int mon_slots_for(__u64 interval_ns, __u64 spread_ns, __u64 wait_ns)
{
	__u64 span = spread_ns + wait_ns;

	if (!interval_ns)
		return -EINVAL;
	/* a cycle's slots are reused n cycles later: its last probe must
	 * have settled by then, with a cycle to spare
	 */
	span = (span + interval_ns - 1) / interval_ns + 1;
	return span > MON_SLOTS_MAX ? -E2BIG : (int)span;
}

static const struct in6_addr *target_key(const void *ctx, __u32 v)
{
	return &((const struct monitor *)ctx)->t[v].dst;
}

int monitor_init(struct monitor *m, const struct mon_cfg *cfg)
{
	__u64 salt;
	int n;

	memset(m, 0, sizeof(*m));
	if (cfg->first_ttl < 1 || cfg->max_ttl > 255 || cfg->first_ttl > cfg->max_ttl ||
	    cfg->confirm < 1 || cfg->confirm > 255 || cfg->max_unknown < 1)
		return -EINVAL;
	n = mon_slots_for(cfg->interval_ns, cfg->spread_ns, cfg->wait_ns);
	if (n < 0)
		return n;
	m->cfg = *cfg;
	m->n_slots = n;
	m->n_ttl = cfg->max_ttl - cfg->first_ttl + 1;
	/* the salt is random per run: the targets' layout in the table is
	 * not the same in every run, so no list of targets is slow every time
	 */
	if (getrandom(&salt, sizeof(salt), 0) != sizeof(salt))
		salt = 0x736f6d6570736575ULL; /* still correct, just the same each run */
	return addrmap_init(&m->map, 16, target_key, m, salt);
}

long monitor_find(const struct monitor *m, const struct in6_addr *dst)
{
	__u32 v = addrmap_get(&m->map, dst);

	return v == ADDRMAP_NONE ? -1 : (long)v;
}

int monitor_add_target(struct monitor *m, const char *name, const struct in6_addr *dst,
		       int family)
{
	struct mon_target *t;
	int err;

	if (m->hop_mem)
		return -EBUSY; /* after monitor_ready() */
	if (monitor_find(m, dst) >= 0)
		return -EEXIST;
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 16;
		struct mon_target *v = realloc(m->t, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		m->t = v;
		m->cap = cap;
	}
	t = &m->t[m->n];
	memset(t, 0, sizeof(*t));
	t->name = strdup(name);
	if (!t->name)
		return -ENOMEM;
	t->dst = *dst;
	t->family = family;
	m->n++;
	err = addrmap_put(&m->map, (__u32)(m->n - 1));
	if (err < 0) {
		free(t->name);
		m->n--;
		return err;
	}
	return 0;
}

int monitor_ready(struct monitor *m)
{
	size_t n_hops = m->n * m->n_ttl;

	if (!m->n)
		return -EINVAL;
	/*
	 * One block each: calloc of a large block maps zero pages that count
	 * in RSS only once touched, so the TTLs past a path's end cost
	 * address space, not memory. Nothing grows after this.
	 */
	m->hop_mem = calloc(n_hops, sizeof(*m->hop_mem));
	m->slot_mem = calloc(n_hops * m->n_slots, sizeof(*m->slot_mem));
	m->cyc_mem = calloc(m->n * m->n_slots, sizeof(*m->cyc_mem));
	if (!m->hop_mem || !m->slot_mem || !m->cyc_mem)
		return -ENOMEM;
	for (size_t i = 0; i < m->n; i++) {
		struct mon_target *t = &m->t[i];

		t->hops = m->hop_mem + i * m->n_ttl;
		t->slots = m->slot_mem + i * m->n_ttl * m->n_slots;
		t->cyc = m->cyc_mem + i * m->n_slots;
		/* discover at most max_unknown TTLs at first; answers raise it */
		t->limit = m->cfg.first_ttl - 1 + m->cfg.max_unknown;
		if (t->limit > m->cfg.max_ttl)
			t->limit = m->cfg.max_ttl;
		t->next_eval = 1;
	}
	m->plan = calloc(m->n * m->n_ttl, sizeof(*m->plan));
	/* in flight at most: every probe of n_slots cycles */
	if (!m->plan)
		return -ENOMEM;
	return 0;
}

void monitor_free(struct monitor *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->t[i].name);
	free(m->t);
	addrmap_free(&m->map);
	free(m->hop_mem);
	free(m->slot_mem);
	free(m->cyc_mem);
	free(m->plan);
	memset(m, 0, sizeof(*m));
}

struct mon_hop *monitor_hop(struct monitor *m, __u32 target, int ttl)
{
	if (target >= m->n || ttl < m->cfg.first_ttl || ttl > m->cfg.max_ttl || !m->hop_mem)
		return NULL;
	return &m->t[target].hops[ttl - m->cfg.first_ttl];
}

const struct mon_hop *monitor_hop_c(const struct monitor *m, __u32 target, int ttl)
{
	return monitor_hop((struct monitor *)m, target, ttl);
}

static struct mon_slot *slot_of(struct monitor *m, struct mon_target *t, int ttl, __u32 cycle)
{
	return &t->slots[(ttl - m->cfg.first_ttl) * m->n_slots + cycle % m->n_slots];
}

/* The slot that probe id names, if it is still kept */
static struct mon_slot *slot_by_id(struct monitor *m, struct mon_target *t, __u16 id)
{
	int ttl = mon_probe_id_ttl(id), cyc = mon_probe_id_cyc(id);
	struct mon_slot *s;

	if (ttl < m->cfg.first_ttl || ttl > m->cfg.max_ttl)
		return NULL;
	/* n_slots < 255: at most one kept cycle has this residue */
	s = &t->slots[(ttl - m->cfg.first_ttl) * m->n_slots];
	for (int i = 0; i < m->n_slots; i++)
		if (s[i].state != SLOT_FREE && s[i].cycle % MON_CYCLE_MOD == (__u32)cyc)
			return &s[i];
	return NULL;
}

static void emit(struct monitor *m, __u32 target, struct pc_event *ev, __u32 cycle)
{
	struct mon_log_entry *l = &m->log[m->log_n++ % MON_LOG_MAX];

	ev->cycle = cycle;
	m->t[target].changes[ev->kind]++;
	l->ev = *ev;
	l->target = target;
	clock_gettime(CLOCK_REALTIME, &l->when);
	if (m->on_change)
		m->on_change(m->ctx, m, target, ev);
}

static void eval_cycle(struct monitor *m, __u32 ti, struct mon_cycle *rec)
{
	struct mon_target *t = &m->t[ti];
	int first = m->cfg.first_ttl, end = 0, reached = 0, top = 0, last;
	struct pc_event ev;

	for (int ttl = first; ttl <= rec->limit; ttl++) {
		struct mon_slot *s = slot_of(m, t, ttl, rec->cycle);

		if (s->cycle != rec->cycle || s->state != SLOT_ANSWERED)
			continue;
		if (!end)
			top = ttl;
		if (s->verdict != VERDICT_HOP && !end) {
			end = ttl;
			reached = s->verdict == VERDICT_REACHED;
		}
	}
	last = end ? end : rec->limit;
	for (int ttl = first; ttl <= last; ttl++) {
		struct mon_slot *s = slot_of(m, t, ttl, rec->cycle);
		int answered = s->cycle == rec->cycle && s->state == SLOT_ANSWERED;

		if (pc_hop_observe(&t->hops[ttl - first].pc, ttl, answered ? &s->from : NULL,
				   m->cfg.confirm, &ev))
			emit(m, ti, &ev, rec->cycle);
	}
	if (pc_count_observe(&t->pc_count, reached ? end : 0, m->cfg.confirm, &ev)) {
		/* what lay past the old end is another path's: start afresh */
		for (int ttl = end + 1; ttl <= t->probed_ttl; ttl++)
			pc_hop_forget(&t->hops[ttl - first].pc);
		emit(m, ti, &ev, rec->cycle);
	}
	if (pc_reach_observe(&t->pc_reach, reached, m->cfg.confirm, &ev)) {
		ev.ttl = reached ? end : 0;
		emit(m, ti, &ev, rec->cycle);
	}
	t->end_ttl = end;
	t->reached = reached;
	t->top_ttl = top;
	if (end)
		t->shown_ttl = end;
	else if (top)
		t->shown_ttl = top;
	t->limit = end ? end : (top ? top : first - 1) + m->cfg.max_unknown;
	if (t->limit > m->cfg.max_ttl)
		t->limit = m->cfg.max_ttl;
	t->cycles_done++;
}

/* Evaluate the target's complete cycles, oldest first */
static void eval_ready(struct monitor *m, __u32 ti)
{
	struct mon_target *t = &m->t[ti];

	for (;;) {
		struct mon_cycle *rec = &t->cyc[t->next_eval % m->n_slots];

		if (!rec->active || rec->cycle != t->next_eval || rec->pending)
			return;
		if (!rec->unsent)
			eval_cycle(m, ti, rec);
		else
			t->cycles_done++;
		rec->active = 0;
		t->next_eval++;
	}
}

static void settle(struct monitor *m, __u32 ti, int ttl, struct mon_slot *s, int state)
{
	struct mon_target *t = &m->t[ti];
	struct mon_cycle *rec = &t->cyc[s->cycle % m->n_slots];

	s->state = state;
	if (state == SLOT_LOST)
		mon_stats_lost(&t->hops[ttl - m->cfg.first_ttl].st);
	m->in_flight--;
	if (rec->active && rec->cycle == s->cycle && rec->pending) {
		rec->pending--;
		eval_ready(m, ti);
	}
}

/* The responder's series: found, a free one, or the least recently seen */
static struct mon_resp *resp_of(struct monitor *m, struct mon_hop *h, const struct in6_addr *a)
{
	struct mon_resp *r = NULL;

	for (int i = 0; i < MON_RESP_MAX; i++) {
		if (h->resp[i].used && !memcmp(&h->resp[i].addr, a, sizeof(*a)))
			return &h->resp[i];
		if (!h->resp[i].used) {
			if (!r || r->used)
				r = &h->resp[i];
		} else if (!r || (r->used && h->resp[i].last_seen_ns < r->last_seen_ns)) {
			r = &h->resp[i];
		}
	}
	if (r->used)
		m->resp_evicted++;
	memset(r, 0, sizeof(*r));
	r->addr = *a;
	r->used = 1;
	return r;
}

static void observe_rtt(struct mon_resp *r, __s64 rtt_ns)
{
	double s = rtt_ns / 1e9;

	r->rtt_count++;
	r->rtt_sum += s;
	for (int i = 0; i < MON_BUCKETS; i++) {
		if (s <= mon_bucket_le[i]) {
			r->bucket[i]++;
			return;
		}
	}
	/* above the last bound: only in +Inf, which is rtt_count */
}

static int apply_answer(struct monitor *m, __u32 ti, struct mon_slot *s, __u16 probe_id,
			const struct hop_reply *rep)
{
	struct mon_target *t = &m->t[ti];
	int ttl = mon_probe_id_ttl(probe_id);
	struct mon_hop *h = &t->hops[ttl - m->cfg.first_ttl];
	struct mon_resp *r;

	if (s->state != SLOT_SENT) {
		/* lost already (late), or a duplicate */
		m->late += s->state == SLOT_LOST;
		return 0;
	}
	if (s->tx_ns && rep->rx_ns > s->tx_ns + m->cfg.wait_ns) {
		/* the stamps say it came after the wait: lost, however
		 * soon it was read (the reader may have been busy)
		 */
		m->late++;
		settle(m, ti, ttl, s, SLOT_LOST);
		return 1;
	}
	s->from = rep->from;
	s->rx_ns = rep->rx_ns;
	s->kind = rep->kind;
	s->code = rep->icmp_code;
	s->verdict = rep->verdict;
	m->replies++;
	r = resp_of(m, h, &s->from);
	r->replies++;
	r->last_seen_ns = rep->rx_ns;
	if (s->tx_ns && rep->rx_ns >= s->tx_ns) {
		mon_stats_rtt(&h->st, (double)(rep->rx_ns - s->tx_ns));
		observe_rtt(r, (__s64)(rep->rx_ns - s->tx_ns));
	} else {
		mon_stats_reply(&h->st); /* the send stamp was lost: no RTT */
		m->no_tx++;
	}
	/* a path not yet known to end: look further at once */
	if (!t->end_ttl && s->verdict == VERDICT_HOP && ttl + m->cfg.max_unknown > t->limit) {
		t->limit = ttl + m->cfg.max_unknown;
		if (t->limit > m->cfg.max_ttl)
			t->limit = m->cfg.max_ttl;
	}
	settle(m, ti, ttl, s, SLOT_ANSWERED);
	return 1;
}

int monitor_apply(struct monitor *m, const struct xhop_event *ev)
{
	struct mon_target *t;
	struct mon_slot *s;
	struct hop_reply r;
	long ti;

	ti = monitor_find(m, (const struct in6_addr *)ev->dst);
	if (ti < 0 || !m->hop_mem) {
		m->unknown += ev->kind != XHOP_EV_TX;
		return 0;
	}
	t = &m->t[ti];
	if (ev->proto != (t->family == 4 ? m->cfg.proto4 : m->cfg.proto6) ||
	    !(s = slot_by_id(m, t, ev->probe_id))) {
		m->unknown += ev->kind != XHOP_EV_TX;
		return 0;
	}
	if (ev->kind == XHOP_EV_TX)
		return monitor_stamp(m, (__u32)ti, ev->probe_id, ev->ts_ns);
	hop_reply_from_event(&r, ev, t->family);
	return apply_answer(m, (__u32)ti, s, ev->probe_id, &r);
}

const struct mon_slot *monitor_slot(struct monitor *m, __u32 target, __u16 probe_id)
{
	return target < m->n && m->hop_mem ? slot_by_id(m, &m->t[target], probe_id) : NULL;
}

int monitor_stamp(struct monitor *m, __u32 target, __u16 probe_id, __u64 tx_ns)
{
	struct mon_slot *s = (struct mon_slot *)monitor_slot(m, target, probe_id);

	if (!s || s->state != SLOT_SENT || s->tx_ns)
		return 0;
	s->tx_ns = tx_ns;
	return 1;
}

int monitor_answer(struct monitor *m, __u32 target, __u16 probe_id, const struct hop_reply *r)
{
	struct mon_slot *s = (struct mon_slot *)monitor_slot(m, target, probe_id);

	return s ? apply_answer(m, target, s, probe_id, r) : 0;
}

/* Settle the probes of an old cycle that never settled; evaluate */
static void force_settle(struct monitor *m, __u32 ti, struct mon_cycle *rec)
{
	struct mon_target *t = &m->t[ti];

	for (int ttl = m->cfg.first_ttl; ttl <= rec->limit && rec->active; ttl++) {
		struct mon_slot *s = slot_of(m, t, ttl, rec->cycle);

		if (s->cycle == rec->cycle && s->state == SLOT_SENT)
			settle(m, ti, ttl, s, SLOT_LOST);
	}
	if (rec->active) { /* planned, never sent */
		rec->pending = 0;
		eval_ready(m, ti);
	}
	if (rec->active) { /* an older one is stuck too: give up in order */
		rec->active = 0;
		t->next_eval = rec->cycle + 1;
	}
}

int monitor_cycle_begin(struct monitor *m, __u64 now_ns)
{
	__u32 c = ++m->cycle; /* cycles count from 1 */

	m->cycle_start_ns = now_ns;
	m->plan_n = m->plan_next = 0;
	for (__u32 ti = 0; ti < m->n; ti++) {
		struct mon_target *t = &m->t[ti];
		struct mon_cycle *rec = &t->cyc[c % m->n_slots];

		if (rec->active)
			force_settle(m, ti, rec);
		rec->cycle = c;
		rec->limit = t->limit;
		if (t->limit > t->probed_ttl)
			t->probed_ttl = t->limit;
		rec->pending = t->limit - m->cfg.first_ttl + 1;
		rec->active = 1;
		rec->unsent = 0;
		for (int ttl = m->cfg.first_ttl; ttl <= t->limit; ttl++) {
			struct mon_slot *s = slot_of(m, t, ttl, c);

			memset(s, 0, sizeof(*s));
			s->cycle = c;
			m->plan[m->plan_n].target = ti;
			m->plan[m->plan_n].ttl = ttl;
			m->plan_n++;
		}
	}
	return (int)m->plan_n;
}

void monitor_probe_sent(struct monitor *m, const struct mon_plan_item *it, __u64 now_ns, int ok,
			__u64 tx_ns)
{
	struct mon_target *t = &m->t[it->target];
	struct mon_hop *h = &t->hops[it->ttl - m->cfg.first_ttl];
	struct mon_slot *s = slot_of(m, t, it->ttl, m->cycle);

	s->state = SLOT_SENT;
	s->cycle = m->cycle;
	s->tx_ns = 0;
	m->in_flight++;
	if (!ok) {
		/* no measurement: neither sent nor lost, and the cycle says
		 * nothing about the path
		 */
		m->send_errors++;
		t->cyc[m->cycle % m->n_slots].unsent = 1;
		settle(m, it->target, it->ttl, s, SLOT_UNSENT);
		return;
	}
	s->tx_ns = tx_ns;
	mon_stats_sent(&h->st);
	h->sent_total++;
	h->last_sent_ns = now_ns;
	m->probes_sent++;
}

int monitor_timeout(struct monitor *m, __u32 target, __u16 probe_id)
{
	struct mon_target *t;
	struct mon_slot *s;

	if (target >= m->n || !m->hop_mem)
		return 0;
	t = &m->t[target];
	s = slot_by_id(m, t, probe_id);
	if (!s || s->state != SLOT_SENT)
		return 0;
	settle(m, target, mon_probe_id_ttl(probe_id), s, SLOT_LOST);
	return 1;
}

size_t monitor_in_flight(const struct monitor *m)
{
	return m->in_flight;
}

__u32 monitor_cycles_done(const struct monitor *m)
{
	__u32 min = 0;

	for (size_t i = 0; i < m->n; i++)
		if (i == 0 || m->t[i].cycles_done < min)
			min = m->t[i].cycles_done;
	return min;
}

void monitor_reset_stats(struct monitor *m)
{
	for (size_t i = 0; i < m->n; i++)
		for (int ttl = m->cfg.first_ttl; ttl <= m->t[i].probed_ttl; ttl++)
			mon_stats_reset(&m->t[i].hops[ttl - m->cfg.first_ttl].st);
}

void monitor_drop_stale(struct monitor *m, __u64 now_ns)
{
	if (!m->cfg.stale_ns)
		return;
	for (size_t i = 0; i < m->n; i++) {
		for (int ttl = m->cfg.first_ttl; ttl <= m->t[i].probed_ttl; ttl++) {
			struct mon_hop *h = &m->t[i].hops[ttl - m->cfg.first_ttl];

			for (int k = 0; k < MON_RESP_MAX; k++)
				if (h->resp[k].used &&
				    h->resp[k].last_seen_ns + m->cfg.stale_ns < now_ns)
					h->resp[k].used = 0;
		}
	}
}

int monitor_hop_responders(const struct mon_hop *h, const struct mon_resp **out, int max)
{
	const struct mon_resp *v[MON_RESP_MAX] = { NULL };
	int n = 0;

	for (int i = 0; i < MON_RESP_MAX; i++) {
		int j;

		if (!h->resp[i].used)
			continue;
		/* insertion sort, most recently seen first */
		for (j = n; j > 0 && v[j - 1]->last_seen_ns < h->resp[i].last_seen_ns; j--)
			v[j] = v[j - 1];
		v[j] = &h->resp[i];
		n++;
	}
	if (n > max)
		n = max;
	memcpy(out, v, n * sizeof(*v));
	return n;
}

int monitor_target_reachable(const struct mon_target *t)
{
	return t->pc_reach.known ? t->pc_reach.est : t->reached;
}

int monitor_target_hops(const struct mon_target *t)
{
	if (t->pc_count.known && monitor_target_reachable(t))
		return t->pc_count.est;
	return t->top_ttl;
}
