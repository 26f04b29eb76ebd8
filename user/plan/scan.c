// SPDX-License-Identifier: GPL-2.0
/*
 * The scan planner's side of the engine: which probe leaves next (targets
 * under way before new ones, new ones admitted from the permutation as
 * their first probes are needed), and what each outcome means for its
 * target (plan/scan_plan.c decides what follows).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "core/units.h"
#include "net/addr.h"
#include "plan/scan.h"

int scan_init(struct scan *sc, const struct session *s)
{
	sc->s = s;
	sc->taken_slot = SCAN_NONE;
	sc->st.targets = sc->shard_targets;
	sc->st.targets_listed = sc->targets.n;
	sc->st.blocked = sc->targets.blocked;
	sc->st.seed = sc->seed;
	sc->st.window = sc->window;
	if (scan_table_init(&sc->tab, sc->window, sc->targets.v) ||
	    dt_init(&sc->dt, DT_STABLE_OBS, DT_RECHECK) ||
	    fifo_init(&sc->finished, sizeof(__u32)))
		return -ENOMEM;
	return 0;
}

void scan_free(struct scan *sc)
{
	scan_table_free(&sc->tab);
	dt_free(&sc->dt);
	fifo_free(&sc->finished);
	free(sc->targets.v);
	sc->targets.v = NULL;
}

/*
 * The next target from the permutation into the window, its first probe
 * queued; admitting a whole window of 50,000 at once kept the first probe
 * waiting 25 ms, so one at a time, as the probes are needed. 0 when the
 * window is full or the list is done.
 */
static int admit_one(struct scan *sc)
{
	while (sc->tab.nfree && sc->perm_pos < sc->perm.n) {
		__u64 pos = sc->perm_pos++;
		struct scan_target *t;
		__u32 slot;

		if (pos % (__u64)sc->c->shards != (__u64)sc->c->shard)
			continue;
		slot = scan_table_admit(&sc->tab, (__u32)permutation_at(&sc->perm, pos));
		if (slot == SCAN_NONE) {
			sc->duplicates++; /* the same address twice in the list */
			continue;
		}
		sc->admitted++;
		t = &sc->tab.slots[slot];
		/* its first TTL is chosen when the probe leaves, from what the
		 * targets before it taught by then
		 */
		t->first_ttl = 0;
		t->next_ttl[DIR_BACK] = FIRST_TTL_PENDING;
		t->start_ms = (__u32)((clock_mono_ns() - sc->s->t0_ns) / NS_PER_MS);
		scan_queue_due(sc, slot);
		return 1;
	}
	return 0;
}

/* The next due probe into pp: 1, or 0 when none is due */
static int next_one(struct scan *sc, struct plan_probe *pp)
{
	for (;;) {
		struct fifo *q = sc->tab.due.n ? &sc->tab.due : &sc->tab.fresh;
		struct scan_due *d = fifo_peek(q);
		struct scan_target *t;
		int ttl;

		if (!d && (q != &sc->tab.fresh || !admit_one(sc)))
			return 0;
		if (!d)
			continue;
		t = &sc->tab.slots[d->slot];
		if (t->state != TARGET_ACTIVE || t->gen != d->gen) {
			fifo_pop(q);
			continue;
		}
		t->queued &= ~(1u << d->dir);
		ttl = scan_take_probe(sc, d->slot, d->dir);
		pp->target = d->slot;
		pp->gen = d->gen;
		pp->sub = d->dir;
		fifo_pop(q);
		if (!ttl)
			continue;
		t->sending |= 1u << pp->sub;
		/* whole, so every field a sender reads is set: flow 0, the run's */
		pp->p = (struct send_probe){ .dst = sc->tab.addrs[t->idx],
					     .probe_id = t->out_id[pp->sub], .ttl = (__u8)ttl };
		pp->fam = addr_is_v4(&pp->p.dst) ? 0 : 1;
		return 1;
	}
}

/* What the progress line and the summary read while the scan runs */
static void publish_stats(struct scan *sc)
{
	sc->st.duplicates = sc->duplicates;
	sc->st.admitted = sc->admitted;
	sc->st.active = sc->tab.active;
	sc->st.doubletree_stops = sc->dt.stops;
	sc->st.late_divergence = sc->dt.late_divergence;
}

static int next(void *st, struct plan_probe *out, int max, __u64 now)
{
	struct scan *sc = st;
	int n = 0;

	(void)now;
	while (n < max && !sc->stopped && next_one(sc, &out[n]))
		n++;
	publish_stats(sc);
	return n;
}

/* The target's probe that pp was, if it is still outstanding: its direction */
static int dir_of(struct scan *sc, const struct plan_probe *pp)
{
	struct scan_target *t = &sc->tab.slots[pp->target];

	if (t->state != TARGET_ACTIVE || t->gen != pp->gen ||
	    t->out_id[pp->sub] != pp->p.probe_id)
		return -1;
	return pp->sub;
}

static int sent(void *st, const struct plan_probe *pp, const struct send_result *r, __u64 left)
{
	struct scan *sc = st;
	struct scan_target *t = &sc->tab.slots[pp->target];
	int dir = dir_of(sc, pp);

	(void)left;
	/* answered already (its stamp taken then), or its slot reused */
	if (dir < 0)
		return 0;
	t->sending &= ~(1u << dir);
	if (r->err == -ECANCELED)
		scan_unsent(sc, pp->target, dir, pp->p.ttl);
	else if (r->err)
		scan_send_failed(sc, pp->target, dir, pp->p.ttl);
	else if (r->tx_ns && !t->tx_ns[dir])
		t->tx_ns[dir] = r->tx_ns;
	return 0;
}

static int match(void *st, __u32 slot, __u16 id, struct probe_ref *ref)
{
	struct scan *sc = st;
	struct scan_target *t = &sc->tab.slots[slot];
	int dir;

	for (dir = 0; dir < SCAN_DIRS; dir++)
		if (t->out_id[dir] && t->out_id[dir] == id)
			break;
	/* a late answer (its probe timed out), a duplicate, or one for a
	 * probe of an earlier target at this address
	 */
	if (dir == SCAN_DIRS || t->state != TARGET_ACTIVE)
		return MATCH_NONE;
	ref->target = slot;
	ref->probe = (__u32)dir;
	ref->tx_ns = t->tx_ns[dir];
	ref->queued = (t->sending >> dir) & 1;
	return MATCH_PROBE;
}

static void stamp(void *st, const struct probe_ref *ref, __u64 tx_ns)
{
	struct scan *sc = st;
	struct scan_target *t = &sc->tab.slots[ref->target];

	if (!t->tx_ns[ref->probe])
		t->tx_ns[ref->probe] = tx_ns;
}

static int answer(void *st, const struct probe_ref *ref, const struct hop_reply *r)
{
	struct scan *sc = st;
	struct scan_target *t = &sc->tab.slots[ref->target];

	scan_answer(sc, ref->target, (int)ref->probe, r, scan_probe_ttl(t->out_id[ref->probe]));
	return 1;
}

static void timeout(void *st, const struct plan_probe *pp)
{
	struct scan *sc = st;
	int dir = dir_of(sc, pp);

	if (dir >= 0)
		scan_timeout(sc, pp->target, dir, pp->p.ttl);
}

static __u64 wake_at(void *st, __u64 now)
{
	(void)st;
	(void)now;
	return 0; /* the sending thread paces; deadlines are the engine's */
}

static int done(void *st)
{
	const struct scan *sc = st;

	return !sc->tab.active && sc->perm_pos >= sc->perm.n && !sc->finished.n &&
	       sc->taken_slot == SCAN_NONE;
}

/* Free the slot whose record was taken last: the sinks are done with it */
static void release_taken(struct scan *sc)
{
	if (sc->taken_slot == SCAN_NONE)
		return;
	scan_table_release(&sc->tab, sc->taken_slot);
	sc->taken_slot = SCAN_NONE;
}

static int take(void *st, struct record *rec)
{
	struct scan *sc = st;
	__u32 *slot;

	release_taken(sc);
	publish_stats(sc);
	slot = fifo_peek(&sc->finished);
	if (!slot)
		return 0;
	sc->taken_slot = *slot;
	fifo_pop(&sc->finished);
	scan_record(sc, sc->taken_slot);
	rec->kind = REC_TRACE;
	rec->trace = &sc->rec;
	return 1;
}

/* What is still in flight is written as it stands */
static void stop(void *st, int cut)
{
	struct scan *sc = st;

	sc->stopped = 1;
	for (__u32 s = 0; s < sc->tab.nslots; s++) {
		if (sc->tab.slots[s].state != TARGET_ACTIVE)
			continue;
		sc->tab.slots[s].cut = (__u8)(cut != 0);
		scan_finish(sc, s);
	}
}

static int backlogged(void *st)
{
	const struct scan *sc = st;

	/* probes ready beyond what the sender took: due ones, or new targets */
	return !sc->stopped && (sc->tab.due.n + sc->tab.fresh.n > 0 ||
				(sc->perm_pos < sc->perm.n && sc->tab.nfree));
}

static __u64 outstanding(void *st)
{
	return ((const struct scan *)st)->outstanding;
}

static const struct planner_ops scan_ops = {
	.name = "scan",
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

struct planner scan_planner(struct scan *sc)
{
	return (struct planner){ .ops = &scan_ops, .st = sc };
}
