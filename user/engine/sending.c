// SPDX-License-Identifier: GPL-2.0
/*
 * Probes on their way out: what the planner says is due goes to the
 * sender, inline (a trace, a monitor cycle) or through the sending
 * thread's queue when a rate is paced (a scan); what became of each
 * goes back to the planner, with its deadline.
 */
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include "core/units.h"
#include "engine/session.h"
#include "net/addr.h"

/* Each wake-up of the sending thread sends this much of the rate */
#define SEND_QUANTUM_NS (50 * NS_PER_US)
/* the generator's call costs tens of microseconds of set-up: larger batches */
#define SEND_QUANTUM_GEN_NS (250 * NS_PER_US)
/* how far ahead of the sending thread its queue is filled */
#define LOOKAHEAD_NS (4 * NS_PER_S / 1000)
/* the send queue's entries: a power of two, well above the lookahead */
#define TXQ_CAP 4096

int engine_sent(struct engine *e, const struct plan_probe *pp, const struct send_result *r,
		__u64 left_ns)
{
	int rc;

	if (r->err == -ECANCELED) {
		/* never handed to the sender: the run stops */
	} else if (r->err) {
		/* a probe that did not leave is no probe: counted apart */
		e->st.send_errors++;
		e->fail_err = r->err;
		e->fail_run = sender_fatal(r->err) ? SENDER_FAIL_RUN : e->fail_run + 1;
		if (e->fail_run >= SENDER_FAIL_RUN && !e->st.send_failed)
			e->st.send_failed = r->err;
	} else {
		e->st.probes_sent++;
		e->fail_run = 0;
		if (deadlines_push(&e->deadlines, pp, left_ns) && !e->st.send_failed)
			e->st.send_failed = -ENOMEM;
	}
	rc = e->p.ops->sent(e->p.st, pp, r, left_ns);
	if (rc < 0 && !e->st.send_failed)
		e->st.send_failed = rc;
	return rc;
}

/* Probes of one family in a row, at most SENDER_BATCH_MAX, as one send */
static void send_run(struct engine *e, const struct plan_probe *pp, int n)
{
	struct send_probe p[SENDER_BATCH_MAX];
	struct send_result res[SENDER_BATCH_MAX];
	__u64 left;

	for (int i = 0; i < n; i++)
		p[i] = pp[i].p;
	memset(res, 0, sizeof(res[0]) * (size_t)n);
	sender_send(&e->tx, pp[0].fam, p, n, res);
	left = clock_mono_ns();
	for (int i = 0; i < n; i++)
		engine_sent(e, &pp[i], &res[i], left);
}

static void send_inline(struct engine *e, __u64 now)
{
	struct plan_probe pp[SENDER_BATCH_MAX];
	int n;

	do {
		n = e->p.ops->next(e->p.st, pp, SENDER_BATCH_MAX, now);
		for (int i = 0, j; i < n; i = j) {
			for (j = i + 1; j < n && pp[j].fam == pp[i].fam; j++)
				;
			send_run(e, pp + i, j - i);
		}
	} while (n == SENDER_BATCH_MAX && !e->st.send_failed);
}

/*
 * Queue the due probes for the sending thread a little ahead of its pace:
 * a probe's TTL is chosen when it is taken, so the less queued, the more
 * the earlier answers teach
 */
static void send_queued(struct engine *e, __u64 now)
{
	while (txq_queued(&e->q) < e->lookahead) {
		struct plan_probe pp = { 0 }; /* as above: unset fields are 0 */
		struct txq_entry *ent = txq_reserve(&e->q);

		if (!ent)
			break; /* answers not yet resolved hold the ring */
		if (e->p.ops->next(e->p.st, &pp, 1, now) != 1)
			break;
		memset(ent, 0, sizeof(*ent));
		ent->p = pp.p;
		ent->slot = pp.target;
		ent->gen = pp.gen;
		ent->dir = pp.sub;
		ent->fam = pp.fam;
		txq_push(&e->q);
	}
}

int engine_send_due(struct engine *e, __u64 now)
{
	if (e->q.ring)
		send_queued(e, now);
	else
		send_inline(e, now);
	return e->st.send_failed;
}

void engine_resolve_sent(struct engine *e)
{
	__u64 done;

	if (!e->q.ring)
		return;
	done = txq_done(&e->q);
	for (; e->q.resolved < done; e->q.resolved++) {
		struct txq_entry *ent = txq_at(&e->q, e->q.resolved);
		struct plan_probe pp = {
			.p = ent->p, .target = ent->slot, .gen = ent->gen, .sub = ent->dir,
			.fam = ent->fam,
		};
		struct send_result r = {
			.tx_ns = ent->tx_ns,
			.err = ent->sent ? ent->err : -ECANCELED,
		};

		engine_sent(e, &pp, &r, ent->left_ns);
	}
}

/* The sending thread's way out (it alone uses the sender) */
static int queue_send(void *ctx, int f, const struct send_probe *p, int n,
		      struct send_result *res)
{
	struct engine *e = ctx;

	return sender_send(&e->tx, f, p, n, res);
}

/* Each wake-up sends what the rate allows in quantum_ns, and no more */
static double quantum_of(double rate, __u64 quantum_ns)
{
	double q = rate * (double)quantum_ns / NS_PER_S;

	return q < 1 ? 1 : q > TXQ_CALL_MAX ? TXQ_CALL_MAX : q;
}

int engine_queue_start(struct engine *e)
{
	double rate = e->cfg.rate;

	e->quantum = quantum_of(rate, e->tx.kind[0] == SENDER_KERNEL ||
				      e->tx.kind[1] == SENDER_KERNEL ? SEND_QUANTUM_GEN_NS
								     : SEND_QUANTUM_NS);
	/*
	 * A few milliseconds of probes queued: the planner answers "a batch
	 * left" late when it is busy writing traces; with two quanta queued
	 * the sender went idle and a 50,000 target scan ran at 255 kpps,
	 * with 4 ms at 320-340 kpps
	 */
	e->lookahead = (__u64)(rate * LOOKAHEAD_NS / NS_PER_S);
	if (e->lookahead < 2 * (__u64)e->quantum)
		e->lookahead = 2 * (__u64)e->quantum;
	if (e->lookahead > TXQ_CAP / 2)
		e->lookahead = TXQ_CAP / 2;
	/* pacing at tens of microseconds needs a timer slack below 50 us */
	prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
	/*
	 * The planner is woken when half the lookahead is left: time enough
	 * to wake and queue more before the sender runs dry. Answers and
	 * deadlines do not wait for it: the loop looks every RX_POLL_NS
	 * while probes are out.
	 */
	if (txq_start(&e->q, queue_send, e, rate, e->quantum, TXQ_CAP, e->lookahead / 2))
		return -1;
	e->q_running = 1;
	return 0;
}
