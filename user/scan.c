// SPDX-License-Identifier: GPL-2.0
/*
 * The scan engine: the I/O half. Targets enter a window of slots in the
 * order of a keyed permutation of the list; what each probes next is
 * scan_plan.c's business. Probes leave in batches at the paced rate, from
 * the queue of due probes (targets under way before new ones), so
 * consecutive probes go to unrelated targets.
 *
 * An answer finds its target through the destination it quotes and its
 * TTL through its probe id; the BPF program has checked its MAC. Nothing
 * is kept per probe but the one outstanding id per direction of a target.
 */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include "addr.h"
#include "cli.h"
#include "doubletree.h"
#include "json_trace.h"
#include "loader.h"
#include "privs.h"
#include "route.h"
#include "scan.h"
#include "scan_engine.h"
#include "signals.h"
#include "trace.h"
#include "xhop_proto.h"

#define NS_PER_S 1000000000ULL
#define NS_PER_US 1000ULL
#define DEFAULT_UDP_PORT 33434
#define DEFAULT_TCP_PORT 80
#define SEND_QUANTUM_NS (50 * NS_PER_US)
#define SEND_QUANTUM_GEN_NS (250 * NS_PER_US)
#define FLUSH_NS (NS_PER_S / 4)
/* how far ahead of the sending thread its queue is filled (scan_main) */
#define LOOKAHEAD_NS (4 * NS_PER_S / 1000)
/*
 * Answers do not wake the planner: each wake-up cost the sending CPU, which
 * runs the XDP program, an irq_work and an IPI. It looks after every batch
 * the sending thread hands over, and every RX_POLL_NS while probes are out.
 */
#define RX_POLL_NS (NS_PER_S / 1000)
/* the send queue's entries: a power of two, well above the lookahead */
#define SCAN_TXQ_CAP 4096

/*
 * A generator probe's stamp is known once the sending thread publishes
 * its batch; until then tx_ns holds TX_PENDING | its queue position.
 */
#define TX_PENDING (1ULL << 63)

/* An answer that overtook its stamp: kept until the batch is published */
static int park(struct scan *sc, const struct xhop_event *ev)
{
	if (sc->nparked == SCAN_PARK_MAX)
		return -1;
	sc->parked[sc->nparked++] = *ev;
	return 0;
}

static int on_event(void *ctx, const struct xhop_event *ev)
{
	struct scan *sc = ctx;
	struct scan_target *t;
	struct in6_addr dst;
	struct hop_reply r;
	__u32 slot;
	int dir, f;

	/* the sender ladder's trial probes (send/sender.h): no target's */
	if (ev->probe_id == PATH_WARMUP_ID) {
		sc->warmup_replies += ev->kind != XHOP_EV_TX;
		return 0;
	}
	memcpy(&dst, ev->dst, 16);
	slot = scan_table_find(&sc->tab, &dst);
	if (slot == SCAN_NONE) {
		sc->ignored += ev->kind != XHOP_EV_TX;
		return 0;
	}
	t = &sc->tab.slots[slot];
	for (dir = 0; dir < SCAN_DIRS; dir++)
		if (t->out_id[dir] && t->out_id[dir] == ev->probe_id)
			break;
	if (ev->kind == XHOP_EV_TX) {
		if (dir < SCAN_DIRS && !t->tx_ns[dir])
			t->tx_ns[dir] = ev->ts_ns;
		return 0;
	}
	/* a late answer (its probe already timed out), a duplicate, or one
	 * for a probe of an earlier target at this address
	 */
	if (dir == SCAN_DIRS) {
		sc->ignored++;
		return 0;
	}
	f = addr_is_v4(&dst) ? 0 : 1;
	/* a raw probe's stamp can come after this consume read the stamp
	 * ring (the sending thread sent it meanwhile): read it again
	 */
	if (!t->tx_ns[dir] && sc->tx.kind[f] == SENDER_RAW)
		loader_consume_stamps(&sc->ld);
	if (t->tx_ns[dir] & TX_PENDING) {
		__u64 k = t->tx_ns[dir] & ~TX_PENDING;

		if (k >= txq_done(&sc->txq) && !park(sc, ev))
			return 0;
		/* no room to park: the batch is on the wire, its call returns soon */
		while (k >= txq_done(&sc->txq))
			sched_yield();
		t->tx_ns[dir] = txq_at(&sc->txq, k)->tx_ns;
	}
	hop_reply_from_event(&r, ev, f ? 6 : 4);
	scan_answer(sc, slot, dir, &r, scan_probe_ttl(ev->probe_id));
	return 0;
}

/*
 * Take targets from the permutation while the window has room, as their
 * first probes are needed: admitting a whole window of 50,000 at once
 * kept the first probe waiting 25 ms.
 */
static void admit(struct scan *sc)
{
	while (sc->tab.nfree && sc->perm_pos < sc->perm.n &&
	       sc->tab.fresh.n < sc->lookahead + SENDER_BATCH_MAX) {
		__u64 pos = sc->perm_pos++;
		struct scan_target *t;
		__u32 slot;

		if (pos % (__u64)sc->o->shards != (__u64)sc->o->shard)
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
		t->start_ms = (__u32)((clock_mono_ns() - sc->t0_ns) / 1000000);
		scan_queue_due(sc, slot);
	}
}

/*
 * Queue the due probes for the sending thread (targets under way before
 * new ones), a little ahead of its pace: a probe's TTL is chosen when it
 * is queued, so the less queued, the more the earlier answers teach.
 */
static void fill_queue(struct scan *sc)
{
	while (txq_queued(&sc->txq) < sc->lookahead) {
		struct fifo *q = sc->tab.due.n ? &sc->tab.due : &sc->tab.fresh;
		struct scan_due *d = fifo_peek(q);
		struct txq_entry *e;
		struct scan_target *t;
		int f, ttl;

		if (!d)
			break;
		t = &sc->tab.slots[d->slot];
		if (t->state != SLOT_ACTIVE || t->gen != d->gen) {
			fifo_pop(q);
			continue;
		}
		e = txq_reserve(&sc->txq);
		if (!e)
			break; /* answers not yet resolved hold the ring */
		t->queued &= ~(1u << d->dir);
		ttl = scan_take_probe(sc, d->slot, d->dir);
		fifo_pop(q);
		if (!ttl)
			continue;
		f = addr_is_v4(&sc->tab.addrs[t->idx]) ? 0 : 1;
		e->p.dst = sc->tab.addrs[t->idx];
		e->p.probe_id = t->out_id[d->dir];
		e->p.ttl = (__u8)ttl;
		e->slot = d->slot;
		e->gen = d->gen;
		e->dir = d->dir;
		e->fam = (__u8)f;
		/* every sender but raw (stamped at tc egress) gives the stamp
		 * back with the send
		 */
		if (sc->tx.kind[f] != SENDER_RAW)
			t->tx_ns[d->dir] = TX_PENDING | sc->txq.head;
		txq_push(&sc->txq);
	}
}

/*
 * Take in what the sending thread has sent since: stamps, deadlines
 * (from when each batch left), counts. A probe dropped unsent (stopping)
 * is taken back.
 */
static void resolve_sent(struct scan *sc)
{
	__u64 done = txq_done(&sc->txq);

	for (; sc->txq.resolved < done; sc->txq.resolved++) {
		__u64 k = sc->txq.resolved;
		struct txq_entry *e = txq_at(&sc->txq, k);
		struct scan_target *t = &sc->tab.slots[e->slot];
		struct scan_deadline dl = {
			.at_ns = e->left_ns + sc->wait_ns,
			.slot = e->slot,
			.gen = e->gen,
			.probe_id = e->p.probe_id,
		};

		/* a probe that did not leave is no probe: counted apart */
		if (e->sent && e->err) {
			sc->send_errors++;
			sc->fail_err = e->err;
			sc->fail_run = sender_fatal(e->err) ? SENDER_FAIL_RUN : sc->fail_run + 1;
			if (sc->fail_run >= SENDER_FAIL_RUN && !sc->send_failed)
				sc->send_failed = e->err;
		} else if (e->sent) {
			sc->probes_sent++;
			sc->fail_run = 0;
		}
		/* answered already (its stamp taken then), or its slot reused */
		if (t->state != SLOT_ACTIVE || t->gen != e->gen || t->out_id[e->dir] != e->p.probe_id)
			continue;
		if (t->tx_ns[e->dir] == (TX_PENDING | k))
			t->tx_ns[e->dir] = e->tx_ns;
		if (!e->sent) {
			scan_unsent(sc, e->slot, e->dir, e->p.ttl);
			continue;
		}
		if (e->err) {
			scan_send_failed(sc, e->slot, e->dir, e->p.ttl);
			continue;
		}
		if (fifo_push(&sc->tab.deadlines, &dl))
			sc->oom = 1;
	}
}

/* Answers that came before their stamp, now that more batches are known */
static void replay_parked(struct scan *sc)
{
	__u32 n = sc->nparked;
	__u64 done = txq_done(&sc->txq);

	/* nothing published since the last replay: they would park again */
	if (!n || done == sc->parked_done)
		return;
	sc->parked_done = done;

	/* on_event() parks again at most one per replay, at or below i */
	sc->nparked = 0;
	for (__u32 i = 0; i < n; i++) {
		struct xhop_event ev = sc->parked[i];

		on_event(sc, &ev);
	}
}

/* Probes whose wait is over: silent */
static void expire(struct scan *sc, __u64 now)
{
	struct scan_deadline *dl;

	while ((dl = fifo_peek(&sc->tab.deadlines)) && dl->at_ns <= now) {
		struct scan_deadline d = *dl;
		struct scan_target *t = &sc->tab.slots[d.slot];

		fifo_pop(&sc->tab.deadlines);
		if (t->state != SLOT_ACTIVE || t->gen != d.gen)
			continue;
		for (int dir = 0; dir < SCAN_DIRS; dir++) {
			if (t->out_id[dir] == d.probe_id) {
				scan_timeout(sc, d.slot, dir, scan_probe_ttl(d.probe_id));
				break;
			}
		}
	}
}

/* Anything outstanding or due? */
static int busy(struct scan *sc)
{
	return sc->tab.active > 0;
}

static size_t due_count(const struct scan *sc)
{
	return sc->tab.due.n + sc->tab.fresh.n;
}

static __u64 next_wakeup(struct scan *sc, __u64 now)
{
	/* answers do not wake us (rx_no_wakeup): look while probes are out */
	__u64 next = now + (sc->outstanding ? RX_POLL_NS : FLUSH_NS);
	struct scan_deadline *dl = fifo_peek(&sc->tab.deadlines);

	if (dl && dl->at_ns < next)
		next = dl->at_ns;
	return next;
}

static int scan_loop(struct scan *sc)
{
	__u64 stop_deadline = 0, last = clock_mono_ns(), last_sent = 0;
	int stopping = 0, backlogged = 0;

	for (;;) {
		__u64 now = clock_mono_ns();
		struct pollfd pfd[2];
		struct timespec ts;
		__u64 wake, wait;

		txq_ack(&sc->txq);
		resolve_sent(sc);
		/* time with probes ready beyond the queue, so the rate or the
		 * sender's speed held them back, and what left meanwhile: the
		 * probe rate the scan drives the network at (silent-hop waits
		 * left out)
		 */
		if (backlogged) {
			sc->backlog_ns += now - last;
			sc->backlog_probes += sc->probes_sent - last_sent;
		}
		last = now;
		last_sent = sc->probes_sent;
		replay_parked(sc);
		loader_consume(&sc->ld);
		expire(sc, now);
		if ((xhop_stop || sc->send_failed) && !stopping) {
			/* stop sending (what is queued is taken back); wait for
			 * the answers in flight
			 */
			stopping = 1;
			stop_deadline = now + sc->wait_ns;
			txq_stop(&sc->txq);
			resolve_sent(sc);
			replay_parked(sc);
		}
		if (!stopping) {
			admit(sc);
			fill_queue(sc);
		}
		backlogged = !stopping && due_count(sc) > 0;
		scan_progress(sc, now, 0);
		/* traces leave as targets finish: a reader of a pipe or a file
		 * sees them within a quarter of a second
		 */
		if (now >= sc->last_flush_ns + FLUSH_NS) {
			fflush(sc->out);
			sc->last_flush_ns = now;
		}
		if (sc->oom) {
			fprintf(stderr, "xhop scan: out of memory\n");
			return -ENOMEM;
		}
		if (sc->send_failed && stopping && (!sc->outstanding || now >= stop_deadline))
			return sc->send_failed;
		if (!stopping && !busy(sc) && sc->perm_pos >= sc->perm.n)
			return 0;
		if (stopping && (!sc->outstanding || now >= stop_deadline))
			return 0;
		/* the ring buffer, the sending thread's "a batch left" (which
		 * also releases parked answers), or the next deadline; ppoll:
		 * deadlines need better than milliseconds
		 */
		wake = next_wakeup(sc, now);
		if (stopping && stop_deadline < wake)
			wake = stop_deadline;
		wait = wake > now ? wake - now : 0;
		ts.tv_sec = (time_t)(wait / NS_PER_S);
		ts.tv_nsec = (long)(wait % NS_PER_S);
		pfd[0].fd = loader_epoll_fd(&sc->ld);
		pfd[0].events = POLLIN;
		pfd[1].fd = txq_room_fd(&sc->txq);
		pfd[1].events = POLLIN;
		if (ppoll(pfd, stopping ? 1 : 2, &ts, NULL) < 0 && errno != EINTR) {
			fprintf(stderr, "xhop scan: poll: %s\n", strerror(errno));
			return -errno;
		}
	}
}

/* Route, source and sender of one family, from its first target */
static int fam_prepare(struct scan *sc, int f, const struct in6_addr *first)
{
	const struct scan_opts *o = sc->o;
	struct scan_fam *fm = &sc->fam[f];
	struct route_info ri;
	struct probe_spec base;
	char a[ADDR_STRLEN];
	int family = f ? 6 : 4, oif = 0, err;

	if (o->ifname) {
		oif = (int)if_nametoindex(o->ifname);
		if (!oif) {
			fprintf(stderr, "xhop: interface %s: %s\n", o->ifname, strerror(errno));
			return 2;
		}
	}
	err = route_lookup(first, family, oif, &ri);
	if (err) {
		fprintf(stderr, "xhop: route to %s: %s\n", addr_str(first, a), strerror(-err));
		return 1;
	}
	if (sc->ifindex && ri.ifindex != sc->ifindex) {
		fprintf(stderr, "xhop scan: IPv4 and IPv6 targets leave through different "
				"interfaces; scan them separately or give -i\n");
		return 1;
	}
	sc->ifindex = ri.ifindex;
	if (o->source) {
		int fam;

		if (addr_parse(o->source, family, &fm->src, &fam)) {
			fprintf(stderr, "xhop: -s: '%s' is not an IPv%d address (the targets include "
					"IPv%d)\n", o->source, family, family);
			return 2;
		}
		err = route_source_is_local(&fm->src, family, o->ifname);
		if (err) {
			fprintf(stderr, "xhop: -s %s: %s\n", o->source, strerror(-err));
			return 1;
		}
	} else {
		err = route_source(first, family, o->ifname, &fm->src);
		if (err) {
			fprintf(stderr, "xhop: source address for %s: %s\n", addr_str(first, a),
				strerror(-err));
			return 1;
		}
	}
	memset(&base, 0, sizeof(base));
	base.src = fm->src;
	base.sport = sc->sport;
	base.dport = sc->dport;
	base.icmp_sum = sc->icmp_sum;
	base.family = (__u8)family;
	base.method = (__u8)o->method;
	base.tos = (__u8)o->tos;
	base.size = (__u16)(family == 6 ? 80 : 60);
	if (base.size < probe_min_size(family, o->method) || o->method == METHOD_TCP)
		base.size = (__u16)probe_min_size(family, o->method);
	fm->probe_size = base.size;
	fm->base = base;
	return 0;
}

/*
 * The senders, once the receiver runs: down the ladder from --sender
 * (send/sender.h), and say on stderr which rung each family took
 */
static int open_senders(struct scan *sc)
{
	struct sender_cfg cfg = {
		.kind = sc->o->sender,
		.ifindex = sc->ifindex,
		.ifname = sc->o->ifname,
		.key = &sc->key,
		.rx = &sc->ld,
		.who = "xhop scan",
		.say = sc->o->sender == SENDER_AUTO,
		.verbose = sc->o->verbose,
	};

	for (int f = 0; f < 2; f++) {
		cfg.has[f] = sc->has[f];
		cfg.base[f] = sc->fam[f].base;
		cfg.first[f] = sc->first[f];
	}
	if (sender_open(&sc->tx, &cfg))
		return -1;
	sc->tx_open = 1;
	for (int f = 0; f < 2; f++)
		sc->fam[f].on = sc->has[f];
	return 0;
}

/* The sending thread's way out (it alone uses the sender) */
static int send_fam(void *ctx, int f, const struct send_probe *p, int n,
		    struct send_result *res)
{
	struct scan *sc = ctx;

	return sender_send(&sc->tx, f, p, n, res);
}

/* Each wake-up sends what the rate allows in quantum_ns, and no more */
static void set_quantum(struct scan *sc, __u64 quantum_ns)
{
	sc->quantum = sc->o->rate * (double)quantum_ns / NS_PER_S;
	if (sc->quantum < 1)
		sc->quantum = 1;
	if (sc->quantum > TXQ_CALL_MAX)
		sc->quantum = TXQ_CALL_MAX;
}

int scan_main(const struct scan_opts *o)
{
	struct loader_cfg rx_cfg = { 0 };
	struct scan *sc;
	int rc, err;
	__u16 rnd[2];
	__u8 proto;

	sc = calloc(1, sizeof(*sc));
	if (!sc) {
		fprintf(stderr, "xhop: out of memory\n");
		return 1;
	}
	sc->o = o;
	sc->wait_ns = (__u64)(o->wait_s * NS_PER_S);
	set_quantum(sc, SEND_QUANTUM_NS);
	loader_set_verbose(o->verbose);

	rc = scan_load_targets(sc);
	if (rc)
		goto out_free;
	rc = scan_open_outputs(sc);
	if (rc)
		goto out_targets;
	if (privs_check()) {
		rc = 1;
		goto out_outputs;
	}
	if (getrandom(&sc->key, sizeof(sc->key), 0) != sizeof(sc->key) ||
	    getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd)) {
		fprintf(stderr, "xhop: getrandom: %s\n", strerror(errno));
		rc = 1;
		goto out_outputs;
	}
	/* one flow id for the whole run (Paris per target, and one more
	 * thing a blind forger must guess)
	 */
	sc->sport = (__u16)(1024 + rnd[0] % (65536 - 1024));
	sc->icmp_sum = rnd[1] | 1;
	sc->dport = (__u16)(o->port ? o->port :
				      o->method == METHOD_TCP ? DEFAULT_TCP_PORT : DEFAULT_UDP_PORT);
	for (int f = 0; f < 2; f++) {
		if (!sc->has[f])
			continue;
		rc = fam_prepare(sc, f, &sc->first[f]);
		if (rc)
			goto out_outputs;
	}
	/* ICMP over both families: two protocols, so the program takes any;
	 * the per-run source port still shuts out UDP and TCP answers
	 */
	proto = probe_method_proto(sc->has[1] && !sc->has[0] ? 6 : 4, o->method);
	if (o->method == METHOD_ICMP && sc->has[0] && sc->has[1])
		proto = 0;
	rc = 1;
	if (scan_table_init(&sc->tab, sc->window, sc->targets.v))
		goto out_outputs;
	if (dt_init(&sc->dt, DT_STABLE_OBS, DT_RECHECK))
		goto out_table;
	rx_cfg.key = &sc->key;
	rx_cfg.sport = sc->sport;
	rx_cfg.proto = proto;
	rx_cfg.rx_no_wakeup = 1; /* scan_loop looks after every batch and each RX_POLL_NS */
	if (loader_start_cfg(&sc->ld, sc->ifindex, &rx_cfg, on_event, sc))
		goto out_dt;
	if (open_senders(sc))
		goto out_senders;
	/* the generator's call costs tens of microseconds of set-up: larger
	 * batches, fewer calls
	 */
	if (sc->tx.kind[0] == SENDER_KERNEL || sc->tx.kind[1] == SENDER_KERNEL)
		set_quantum(sc, SEND_QUANTUM_GEN_NS);
	/* pacing at tens of microseconds needs a timer slack below the
	 * default 50 us
	 */
	prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
	clock_gettime(CLOCK_REALTIME, &sc->start);
	sc->real_offset_ns = clock_real_offset_ns();
	sc->t0_ns = clock_mono_ns();

	/*
	 * How far ahead the queue is filled: a few milliseconds of probes.
	 * The planner answers "a batch left" late when it is busy writing
	 * traces; with two quanta queued the sender went idle and a 50,000
	 * target scan ran at 255 kpps, with 4 ms at 320-340 kpps.
	 */
	sc->lookahead = (__u64)(o->rate * LOOKAHEAD_NS / NS_PER_S);
	if (sc->lookahead < 2 * (__u64)sc->quantum)
		sc->lookahead = 2 * (__u64)sc->quantum;
	if (sc->lookahead > SCAN_TXQ_CAP / 2)
		sc->lookahead = SCAN_TXQ_CAP / 2;
	if (txq_start(&sc->txq, send_fam, sc, o->rate, sc->quantum, SCAN_TXQ_CAP))
		goto out_senders;

	err = scan_loop(sc);
	txq_stop(&sc->txq);
	resolve_sent(sc);
	loader_consume(&sc->ld);
	replay_parked(sc);
	/* what is still in flight is written as it stands */
	for (__u32 s = 0; s < sc->tab.nslots; s++)
		if (sc->tab.slots[s].state == SLOT_ACTIVE)
			scan_finish_target(sc, s, 1);
	sc->end_ns = clock_mono_ns();
	sc->interrupted = xhop_stop != 0;
	scan_progress(sc, sc->end_ns, 1);
	scan_write_summary(sc);
	/* every probe failed, however few: the scan measured nothing */
	if (!sc->send_failed && sc->send_errors && !sc->probes_sent)
		sc->send_failed = sc->fail_err;
	if (sc->send_failed)
		fprintf(stderr, "xhop scan: probes cannot leave through sender %s on %s: %s\n",
			sender_name(&sc->tx, sc->has[0] ? 0 : 1), sc->tx.ifname,
			strerror(-sc->send_failed));
	rc = xhop_stop ? signals_exit_code() : err || sc->send_failed ? 1 : 0;
	if (scan_close_output(sc) && !rc)
		rc = 1;

out_senders:
	txq_free(&sc->txq); /* stops the thread: it uses the senders */
	sender_close(&sc->tx);
	loader_stop(&sc->ld); /* detaches XDP and tcx */
out_dt:
	dt_free(&sc->dt);
out_table:
	scan_table_free(&sc->tab);
out_outputs:
	scan_close_output(sc);
out_targets:
	free(sc->targets.v);
	scan_free_sets(sc);
out_free:
	free(sc);
	return rc;
}
