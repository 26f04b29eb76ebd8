// SPDX-License-Identifier: GPL-2.0
/*
 * One event of the ring buffer to the probe it names: the quoted (or
 * answering) destination finds the target in the planner's address map,
 * the probe id the probe (the BPF program has checked its MAC). A send
 * stamp goes to the probe; an answer too, once the probe's send is known.
 */
#include <sched.h>
#include <string.h>
#include "core/log.h"
#include "engine/session.h"
#include "core/signals.h"
#include "net/addr.h"

/* An answer that overtook the report of its probe's send: kept until then */
static int park(struct engine *e, const struct xhop_event *ev)
{
	if (e->nparked == ENGINE_PARK_MAX)
		return -1;
	e->parked[e->nparked++] = *ev;
	return 0;
}

/* -vv: which verified answers fit no probe, and how old they are */
static void log_ignored(const struct engine *e, const struct xhop_event *ev,
			const struct in6_addr *dst, const char *why)
{
	char d[ADDR_STRLEN], f[ADDR_STRLEN];
	struct in6_addr from;

	if (!log_enabled(LOG_DEBUG))
		return;
	memcpy(&from, ev->from, 16);
	log_debug("%s: answer ignored (%s): to probe %u for %s, from %s, kind %u, %.3f ms old\n",
		  e->cfg.who, why, ev->probe_id, addr_str(dst, d), addr_str(&from, f), ev->kind,
		  (double)(clock_mono_ns() - ev->ts_ns) / 1e6);
}

static int match(struct engine *e, const struct in6_addr *dst, __u16 id, struct probe_ref *ref)
{
	__u32 t = addrmap_get(e->targets, dst);

	if (t == ADDRMAP_NONE)
		return MATCH_NONE;
	return e->p.ops->match(e->p.st, t, id, ref);
}

/*
 * The probe's send is not reported yet: the sending thread sent it (its
 * answer ran in softirq inside the sending call) and has not published
 * the batch, or has. Take in what it published; park the answer if that
 * is not enough; wait if there is no room to park (the call returns soon).
 */
static int await_send(struct engine *e, const struct xhop_event *ev, const struct in6_addr *dst,
		      struct probe_ref *ref)
{
	engine_resolve_sent(e);
	if (match(e, dst, ev->probe_id, ref) == MATCH_NONE)
		return -1;
	if (!ref->queued)
		return 0;
	if (!park(e, ev))
		return -1;
	while (ref->queued) {
		sched_yield();
		engine_resolve_sent(e);
		if (match(e, dst, ev->probe_id, ref) == MATCH_NONE)
			return -1;
	}
	return 0;
}

int engine_on_event(void *ctx, const struct xhop_event *ev)
{
	struct engine *e = ctx;
	struct probe_ref ref;
	struct hop_reply r;
	struct in6_addr dst;
	int f;

	/* the warm-up's and the sender ladder's trial probes: no target's */
	if (ev->probe_id == PLAN_WARMUP_ID) {
		e->st.warmup_replies += ev->kind != XHOP_EV_TX;
		return 0;
	}
	memcpy(&dst, ev->dst, 16);
	if (match(e, &dst, ev->probe_id, &ref) == MATCH_NONE) {
		/* a late answer (its probe settled), a duplicate, another target */
		if (ev->kind != XHOP_EV_TX) {
			e->st.ignored++;
			log_ignored(e, ev, &dst, "no probe outstanding");
		}
		return 0;
	}
	if (ev->kind == XHOP_EV_TX) {
		e->p.ops->stamp(e->p.st, &ref, ev->ts_ns);
		return 0;
	}
	f = addr_is_v4(&dst) ? 0 : 1;
	if (ref.queued && await_send(e, ev, &dst, &ref))
		return 0;
	/* a raw probe's tc stamp can land after this consume passed the
	 * stamp ring (the sending thread sent it meanwhile): read it again
	 */
	if (!ref.tx_ns && e->tx.kind[f] == SENDER_RAW) {
		loader_consume_stamps(&e->ld);
		if (match(e, &dst, ev->probe_id, &ref) == MATCH_NONE)
			return 0;
	}
	hop_reply_from_event(&r, ev, f ? 6 : 4);
	if (e->p.ops->answer(e->p.st, &ref, &r))
		e->st.replies++;
	else {
		e->st.ignored++; /* a duplicate, or late: its probe settled */
		log_ignored(e, ev, &dst, "its probe settled");
	}
	return 0;
}

void engine_replay_parked(struct engine *e)
{
	__u32 n = e->nparked;

	/* nothing published since the last replay: they would park again */
	if (!n || !e->q.ring || txq_done(&e->q) == e->parked_done)
		return;
	e->parked_done = txq_done(&e->q);
	/* engine_on_event() parks again at most one per replay, at or below i */
	e->nparked = 0;
	for (__u32 i = 0; i < n; i++) {
		struct xhop_event ev = e->parked[i];

		engine_on_event(e, &ev);
	}
}
