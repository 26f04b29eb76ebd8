// SPDX-License-Identifier: GPL-2.0
/*
 * What each target of xhop scan probes next, given its answers and
 * silences: the per-target half of the engine, apart from the I/O so the
 * unit tests can drive it.
 *
 *   backward  from its first TTL down to 1, or until Doubletree knows the
 *             rest (doubletree.h). An answer from the destination itself
 *             (or an unreachable from a router) tells its distance by the
 *             reply's TTL, and backward probing jumps there.
 *   forward   from the first TTL up, once the first probe met a router or
 *             silence, until the destination, an unreachable, the gap
 *             limit or --max-ttl.
 *
 * The first TTL is --split-ttl until enough destinations answered, then
 * the median distance they told, so the first probe most often lands on
 * the destination itself.
 */
#include "net/addr.h"
#include "plan/doubletree.h"
#include "plan/scan.h"

__u16 scan_probe_id(struct scan_target *t, int ttl)
{
	return (__u16)(((t->seq & 0x3ff) << PROBE_TTL_BITS) | (ttl & PROBE_TTL_MASK));
}

int scan_probe_ttl(__u16 id)
{
	return id & PROBE_TTL_MASK;
}

int scan_probed(const struct scan_target *t, int ttl)
{
	return ttl >= 1 && ttl <= 32 && (t->probed >> (ttl - 1)) & 1;
}

/* The hop count a destination's reply TTL implies (initial TTL 64, 128 or 255) */
static int distance_from_reply_ttl(int reply_ttl)
{
	int init = reply_ttl <= 64 ? 64 : reply_ttl <= 128 ? 128 : 255;

	return init - reply_ttl + 1;
}

int scan_first_ttl(struct scan *sc)
{
	__u32 half, acc = 0;
	int ttl;

	if (sc->dist_n < SPLIT_MIN_SAMPLES)
		return sc->c->split_ttl;
	half = (sc->dist_n + 1) / 2;
	for (ttl = 1; ttl <= sc->c->max_ttl; ttl++) {
		acc += sc->dist_hist[ttl];
		if (acc >= half)
			return ttl;
	}
	return sc->c->max_ttl;
}

static void learn_distance(struct scan *sc, int d)
{
	if (d >= 1 && d <= SCAN_MAX_TTL) {
		sc->dist_hist[d]++;
		sc->dist_n++;
	}
}

void scan_queue_due(struct scan *sc, __u32 slot)
{
	struct scan_target *t = &sc->tab.slots[slot];

	for (int dir = 0; dir < SCAN_DIRS; dir++) {
		struct scan_due d = { .slot = slot, .gen = t->gen, .dir = (__u8)dir };

		if (!t->next_ttl[dir] || t->out_id[dir] || (t->queued & (1u << dir)))
			continue;
		/* targets under way first: they finish sooner, and the first
		 * ones to reach the near hops teach Doubletree for the rest
		 */
		if (fifo_push(t->first_ttl ? &sc->tab.due : &sc->tab.fresh, &d)) {
			sc->oom = 1;
			continue;
		}
		t->queued |= 1u << dir;
	}
}

/* Keep the forward cursor on a TTL worth probing, or end the direction */
static void fwd_normalize(struct scan *sc, struct scan_target *t)
{
	int ttl = t->next_ttl[DIR_FWD];

	while (ttl && scan_probed(t, ttl))
		ttl++;
	if (ttl > sc->c->max_ttl) {
		ttl = 0;
		if (!t->end_ttl && !t->stop_reason)
			t->stop_reason = STOP_HOPLIMIT;
	}
	if (ttl && t->end_ttl && ttl >= t->end_ttl)
		ttl = 0;
	t->next_ttl[DIR_FWD] = (__u8)ttl;
}

static void back_normalize(struct scan_target *t)
{
	int ttl = t->next_ttl[DIR_BACK];

	while (ttl > 0 && scan_probed(t, ttl))
		ttl--;
	t->next_ttl[DIR_BACK] = (__u8)(ttl > 0 ? ttl : 0);
}

/* Open (or reopen) the forward direction just above ttl */
static void fwd_open_above(struct scan *sc, struct scan_target *t, int ttl, int gap)
{
	if (t->next_ttl[DIR_FWD] || t->out_id[DIR_FWD] || t->stop_reason == STOP_GAPLIMIT)
		return;
	if (ttl + 1 > sc->c->max_ttl || scan_probed(t, ttl + 1))
		return;
	if (t->end_ttl && ttl + 1 >= t->end_ttl)
		return;
	t->next_ttl[DIR_FWD] = (__u8)(ttl + 1);
	t->gap = (__u8)gap;
	fwd_normalize(sc, t);
}

/*
 * What a backward probe at ttl showed (node: the router, or a silent
 * hop's placeholder): the link it makes with the hop below, and the
 * Doubletree stop when the node is known from other targets already
 */
static void back_learn(struct scan *sc, struct scan_target *t, __u32 node, int ttl)
{
	dt_observe(&sc->dt, t->dt_child, node);
	t->dt_child = node;
	if (node != DT_NONE && ttl > 1 && !dt_rechecks(&sc->dt, t->idx) && dt_stable(&sc->dt, node)) {
		t->dt_stop = node;
		t->next_ttl[DIR_BACK] = 0;
		sc->dt.v[node].stopped_at = 1;
		sc->dt.stops++;
	}
}

/* A router answered a backward probe: learn, and maybe stop (Doubletree) */
static void back_router(struct scan *sc, struct scan_target *t, const struct in6_addr *from,
			int ttl)
{
	t->next_ttl[DIR_BACK] = (__u8)(ttl - 1);
	if (sc->c->no_doubletree)
		return;
	back_learn(sc, t, dt_node(&sc->dt, from, ttl), ttl);
}

static void back_silent(struct scan *sc, struct scan_target *t, int ttl)
{
	t->next_ttl[DIR_BACK] = (__u8)(ttl - 1);
	if (sc->c->no_doubletree)
		return;
	back_learn(sc, t, dt_silent(&sc->dt, t->dt_child, ttl), ttl);
}

static void maybe_finish(struct scan *sc, __u32 slot)
{
	struct scan_target *t = &sc->tab.slots[slot];

	if (t->next_ttl[DIR_BACK] || t->next_ttl[DIR_FWD] || t->out_id[DIR_BACK] ||
	    t->out_id[DIR_FWD])
		return;
	scan_finish(sc, slot);
}

/* The target's probe of direction dir is no longer outstanding */
static void probe_settled(struct scan *sc, struct scan_target *t, int dir)
{
	t->out_id[dir] = 0;
	t->tx_ns[dir] = 0;
	sc->outstanding--;
}

/* After an answer or a silence: what the target probes next, or its end */
static void replan(struct scan *sc, __u32 slot)
{
	struct scan_target *t = &sc->tab.slots[slot];

	back_normalize(t);
	fwd_normalize(sc, t);
	scan_queue_due(sc, slot);
	maybe_finish(sc, slot);
}

void scan_answer(struct scan *sc, __u32 slot, int dir, const struct hop_reply *r, int ttl)
{
	struct scan_target *t = &sc->tab.slots[slot];
	int d;

	if (scan_table_add_hop(&sc->tab, slot, r, t->tx_ns[dir], ttl, dir))
		sc->oom = 1;
	probe_settled(sc, t, dir);
	sc->replies++;

	switch (r->verdict) {
	case VERDICT_REACHED:
		d = distance_from_reply_ttl(r->reply_ttl);
		if (!t->dst_ttl) {
			/* teach the first TTL of the targets still to come */
			learn_distance(sc, d >= 1 && d < ttl ? d : ttl);
		}
		if (!t->dst_ttl || ttl < t->dst_ttl)
			t->dst_ttl = (__u8)ttl;
		if (!t->end_ttl || ttl <= t->end_ttl) {
			t->end_ttl = (__u8)ttl;
			t->stop_reason = STOP_COMPLETED;
			t->stop_data = 0;
		}
		if (dir == DIR_BACK) {
			/* the destination answers every TTL from its distance
			 * up: jump to the distance its reply TTL tells
			 */
			t->next_ttl[DIR_BACK] = (__u8)(d >= 1 && d < ttl ? d : ttl - 1);
			t->dt_child = DT_NONE;
		} else {
			t->next_ttl[DIR_FWD] = 0;
		}
		break;
	case VERDICT_UNREACH:
		if (!t->end_ttl || ttl < t->end_ttl) {
			t->end_ttl = (__u8)ttl;
			t->stop_reason = STOP_UNREACH;
			t->stop_data = r->icmp_code;
		}
		if (dir == DIR_BACK) {
			back_router(sc, t, &r->from, ttl);
			/* a router answers unreachable to every TTL that gets the
			 * probe to it: jump to its distance, as for a destination
			 */
			d = distance_from_reply_ttl(r->reply_ttl);
			if (t->next_ttl[DIR_BACK] && d >= 1 && d < ttl)
				t->next_ttl[DIR_BACK] = (__u8)d;
		} else {
			t->next_ttl[DIR_FWD] = 0;
		}
		break;
	default: /* a router: Time Exceeded */
		if (dir == DIR_BACK) {
			back_router(sc, t, &r->from, ttl);
			/* the TTLs above may be unprobed (the first probe, or a
			 * jump that landed short of the destination)
			 */
			fwd_open_above(sc, t, ttl, 0);
		} else {
			t->gap = 0;
			t->next_ttl[DIR_FWD] = (__u8)(ttl + 1);
		}
		break;
	}
	replan(sc, slot);
}

void scan_timeout(struct scan *sc, __u32 slot, int dir, int ttl)
{
	struct scan_target *t = &sc->tab.slots[slot];

	probe_settled(sc, t, dir);
	if (dir == DIR_BACK) {
		back_silent(sc, t, ttl);
		if (ttl == t->first_ttl)
			fwd_open_above(sc, t, ttl, 1);
	} else {
		t->next_ttl[DIR_FWD] = (__u8)(ttl + 1);
		if (++t->gap >= sc->c->gap_limit) {
			t->next_ttl[DIR_FWD] = 0;
			if (!t->end_ttl)
				t->stop_reason = STOP_GAPLIMIT;
		}
	}
	replan(sc, slot);
}

void scan_unsent(struct scan *sc, __u32 slot, int dir, int ttl)
{
	struct scan_target *t = &sc->tab.slots[slot];

	probe_settled(sc, t, dir);
	t->probed &= ~(1u << (ttl - 1));
}

void scan_finish(struct scan *sc, __u32 slot)
{
	struct scan_target *t = &sc->tab.slots[slot];

	if (t->state != TARGET_ACTIVE)
		return;
	/* probing is over; the slot is freed once its record was taken */
	t->state = TARGET_DONE;
	if (fifo_push(&sc->finished, &slot))
		sc->oom = 1;
}

void scan_send_failed(struct scan *sc, __u32 slot, int dir, int ttl)
{
	struct scan_target *t = &sc->tab.slots[slot];

	probe_settled(sc, t, dir);
	t->probed &= ~(1u << (ttl - 1));
	/*
	 * Not a silent hop: nothing was measured. The target stops probing
	 * (what it has is written) and its trace says ERROR, as scamper's
	 * does when a probe cannot be sent
	 */
	t->send_failed = 1;
	t->next_ttl[DIR_BACK] = 0;
	t->next_ttl[DIR_FWD] = 0;
	replan(sc, slot);
}

int scan_take_probe(struct scan *sc, __u32 slot, int dir)
{
	struct scan_target *t = &sc->tab.slots[slot];
	int ttl;

	if (!t->first_ttl) {
		/* chosen now, from what the targets before it taught */
		t->first_ttl = (__u8)scan_first_ttl(sc);
		t->next_ttl[DIR_BACK] = t->first_ttl;
	}
	ttl = t->next_ttl[dir];
	if (!ttl || t->out_id[dir] || scan_probed(t, ttl))
		return 0;
	t->seq++;
	t->out_id[dir] = scan_probe_id(t, ttl);
	t->tx_ns[dir] = 0;
	t->probed |= 1u << (ttl - 1);
	sc->outstanding++;
	return ttl;
}
