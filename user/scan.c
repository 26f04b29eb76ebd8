// SPDX-License-Identifier: GPL-2.0
/*
 * The scan engine. Targets enter a window of slots in the order of a
 * keyed permutation of the list; each target is probed at most once per
 * direction at a time:
 *
 *   backward  from its first TTL down to 1, or until Doubletree knows the
 *             rest (doubletree.h). An answer from the destination itself
 *             tells its distance (from the reply's TTL), and backward
 *             probing jumps there.
 *   forward   from the first TTL up, once the first probe met a router or
 *             silence, until the destination, an unreachable, the gap
 *             limit or --max-ttl.
 *
 * The first TTL is --split-ttl until enough destinations were reached,
 * then the median distance seen, so the first probe most often lands on
 * the destination itself. Probes leave in batches at the paced rate, from
 * the queue of due probes; targets enter it as their answers come in, so
 * consecutive probes go to unrelated targets.
 *
 * An answer finds its target through the destination it quotes and its
 * TTL through its probe id; the BPF program has checked its MAC. Nothing
 * is kept per probe but the one outstanding id per direction of a target.
 */
#include <errno.h>
#include <poll.h>
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
/* the TTL in the low 6 bits of a probe id; probe ids are never 0 */
#define PROBE_TTL_BITS 6
#define PROBE_TTL_MASK ((1u << PROBE_TTL_BITS) - 1)
/* Doubletree: targets that must agree on what lies below a hop before
 * others stop there; one target in DT_RECHECK never stops
 */
#define DT_STABLE_OBS 32
#define DT_RECHECK 64
/* distances learnt before the median replaces --split-ttl */
#define SPLIT_MIN_SAMPLES 16
/* each wake-up sends what the rate allows in this much time */
#define SEND_QUANTUM_NS (50 * NS_PER_US)
#define PROGRESS_NS (NS_PER_S / 2)

static __u16 probe_id_of(struct scan_target *t, int ttl)
{
	return (__u16)(((t->seq & 0x3ff) << PROBE_TTL_BITS) | (ttl & PROBE_TTL_MASK));
}

static int ttl_of_probe_id(__u16 id)
{
	return id & PROBE_TTL_MASK;
}

static int probed(const struct scan_target *t, int ttl)
{
	return ttl >= 1 && ttl <= 32 && (t->probed >> (ttl - 1)) & 1;
}

/* The hop count a destination's reply TTL implies (initial TTL 64, 128 or 255) */
static int distance_from_reply_ttl(int reply_ttl)
{
	int init = reply_ttl <= 64 ? 64 : reply_ttl <= 128 ? 128 : 255;

	return init - reply_ttl + 1;
}

static int first_ttl(struct scan *sc)
{
	__u32 half, acc = 0;
	int ttl;

	if (sc->dist_n < SPLIT_MIN_SAMPLES)
		return sc->o->split_ttl;
	half = (sc->dist_n + 1) / 2;
	for (ttl = 1; ttl <= sc->o->max_ttl; ttl++) {
		acc += sc->dist_hist[ttl];
		if (acc >= half)
			return ttl;
	}
	return sc->o->max_ttl;
}

static void queue_due(struct scan *sc, __u32 slot)
{
	struct scan_target *t = &sc->tab.slots[slot];

	for (int dir = 0; dir < SCAN_DIRS; dir++) {
		struct scan_due d = { .slot = slot, .gen = t->gen, .dir = (__u8)dir };

		if (!t->next_ttl[dir] || t->out_id[dir] || (t->queued & (1u << dir)))
			continue;
		if (fifo_push(&sc->tab.due, &d)) {
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

	while (ttl && probed(t, ttl))
		ttl++;
	if (ttl > sc->o->max_ttl) {
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

	while (ttl > 0 && probed(t, ttl))
		ttl--;
	t->next_ttl[DIR_BACK] = (__u8)(ttl > 0 ? ttl : 0);
}

/* Open (or reopen) the forward direction just above ttl */
static void fwd_open_above(struct scan *sc, struct scan_target *t, int ttl, int gap)
{
	if (t->next_ttl[DIR_FWD] || t->out_id[DIR_FWD] || t->stop_reason == STOP_GAPLIMIT)
		return;
	if (ttl + 1 > sc->o->max_ttl || probed(t, ttl + 1))
		return;
	if (t->end_ttl && ttl + 1 >= t->end_ttl)
		return;
	t->next_ttl[DIR_FWD] = (__u8)(ttl + 1);
	t->gap = (__u8)gap;
	fwd_normalize(sc, t);
}

/* A router answered a backward probe: learn, and maybe stop (Doubletree) */
static void back_router(struct scan *sc, struct scan_target *t, const struct in6_addr *from,
			int ttl)
{
	__u32 node;

	t->next_ttl[DIR_BACK] = (__u8)(ttl - 1);
	if (sc->o->no_doubletree)
		return;
	node = dt_node(&sc->dt, from, ttl);
	dt_observe(&sc->dt, t->dt_child, node);
	t->dt_child = node;
	if (node != DT_NONE && ttl > 1 && !dt_rechecks(&sc->dt, t->idx) && dt_stable(&sc->dt, node)) {
		t->dt_stop = node;
		t->next_ttl[DIR_BACK] = 0;
		sc->dt.v[node].stopped_at = 1;
		sc->dt.stops++;
	}
}

static void back_silent(struct scan *sc, struct scan_target *t, int ttl)
{
	__u32 node;

	t->next_ttl[DIR_BACK] = (__u8)(ttl - 1);
	if (sc->o->no_doubletree)
		return;
	node = dt_silent(&sc->dt, t->dt_child, ttl);
	dt_observe(&sc->dt, t->dt_child, node);
	t->dt_child = node;
	if (node != DT_NONE && ttl > 1 && !dt_rechecks(&sc->dt, t->idx) && dt_stable(&sc->dt, node)) {
		t->dt_stop = node;
		t->next_ttl[DIR_BACK] = 0;
		sc->dt.v[node].stopped_at = 1;
		sc->dt.stops++;
	}
}

static void maybe_finish(struct scan *sc, __u32 slot);

static void on_answer(struct scan *sc, __u32 slot, int dir, const struct hop_reply *r, int ttl)
{
	struct scan_target *t = &sc->tab.slots[slot];
	int d;

	switch (r->verdict) {
	case VERDICT_REACHED:
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
			d = distance_from_reply_ttl(r->reply_ttl);
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
	back_normalize(t);
	fwd_normalize(sc, t);
	queue_due(sc, slot);
	maybe_finish(sc, slot);
}

static void on_timeout(struct scan *sc, __u32 slot, int dir, int ttl)
{
	struct scan_target *t = &sc->tab.slots[slot];

	t->out_id[dir] = 0;
	t->tx_ns[dir] = 0;
	if (dir == DIR_BACK) {
		back_silent(sc, t, ttl);
		if (ttl == t->first_ttl)
			fwd_open_above(sc, t, ttl, 1);
	} else {
		t->next_ttl[DIR_FWD] = (__u8)(ttl + 1);
		if (++t->gap >= sc->o->gap_limit) {
			t->next_ttl[DIR_FWD] = 0;
			if (!t->end_ttl)
				t->stop_reason = STOP_GAPLIMIT;
		}
	}
	back_normalize(t);
	fwd_normalize(sc, t);
	queue_due(sc, slot);
	maybe_finish(sc, slot);
}

static int on_event(void *ctx, const struct xhop_event *ev)
{
	struct scan *sc = ctx;
	struct scan_target *t;
	struct in6_addr dst;
	struct hop_reply r;
	__u32 slot;
	int dir;

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
	hop_reply_from_event(&r, ev, addr_is_v4(&dst) ? 4 : 6);
	if (scan_table_add_hop(&sc->tab, slot, &r, t->tx_ns[dir], ttl_of_probe_id(ev->probe_id),
			       dir))
		sc->oom = 1;
	t->out_id[dir] = 0;
	t->tx_ns[dir] = 0;
	sc->replies++;
	on_answer(sc, slot, dir, &r, ttl_of_probe_id(ev->probe_id));
	return 0;
}

static void maybe_finish(struct scan *sc, __u32 slot)
{
	struct scan_target *t = &sc->tab.slots[slot];

	if (t->next_ttl[DIR_BACK] || t->next_ttl[DIR_FWD] || t->out_id[DIR_BACK] ||
	    t->out_id[DIR_FWD])
		return;
	scan_finish_target(sc, slot, 0);
}

/* Take targets from the permutation while the window has room */
static void admit(struct scan *sc)
{
	while (sc->tab.nfree && sc->perm_pos < sc->perm.n) {
		__u64 pos = sc->perm_pos++;
		struct scan_target *t;
		__u32 slot;
		int ttl;

		if (pos % (__u64)sc->o->shards != (__u64)sc->o->shard)
			continue;
		slot = scan_table_admit(&sc->tab, (__u32)permutation_at(&sc->perm, pos));
		if (slot == SCAN_NONE) {
			sc->duplicates++; /* the same address twice in the list */
			continue;
		}
		sc->admitted++;
		t = &sc->tab.slots[slot];
		ttl = first_ttl(sc);
		t->first_ttl = (__u8)ttl;
		t->next_ttl[DIR_BACK] = (__u8)ttl;
		t->start_ms = (__u32)((clock_mono_ns() - sc->t0_ns) / 1000000);
		queue_due(sc, slot);
	}
}

/* Send what the rate allows now, in batches per family */
static int send_due(struct scan *sc, __u64 now)
{
	struct scan_probe batch[2][SCAN_BATCH_MAX];
	struct scan_due sent_due[2][SCAN_BATCH_MAX];
	int nb[2] = { 0, 0 };
	double credit;
	int n;

	credit = sc->o->rate * (double)(now - sc->pace_t0) / NS_PER_S - (double)sc->paced;
	if (credit > sc->burst) {
		/* idle time earns no burst */
		sc->pace_t0 = now - (__u64)((sc->paced + sc->burst) * NS_PER_S / sc->o->rate);
		credit = sc->burst;
	}
	n = (int)credit;
	if (n > SCAN_BATCH_MAX)
		n = SCAN_BATCH_MAX;
	while (n > 0) {
		struct scan_due *d = fifo_peek(&sc->tab.due);
		struct scan_target *t;
		int f, ttl;

		if (!d)
			break;
		t = &sc->tab.slots[d->slot];
		if (t->state != SLOT_ACTIVE || t->gen != d->gen) {
			fifo_pop(&sc->tab.due);
			continue;
		}
		t->queued &= ~(1u << d->dir);
		ttl = t->next_ttl[d->dir];
		if (!ttl || t->out_id[d->dir] || probed(t, ttl)) {
			fifo_pop(&sc->tab.due);
			continue;
		}
		f = addr_is_v4(&sc->tab.addrs[t->idx]) ? 0 : 1;
		t->seq++;
		t->out_id[d->dir] = probe_id_of(t, ttl);
		t->tx_ns[d->dir] = 0;
		t->probed |= 1u << (ttl - 1);
		batch[f][nb[f]].dst = sc->tab.addrs[t->idx];
		batch[f][nb[f]].probe_id = t->out_id[d->dir];
		batch[f][nb[f]].ttl = (__u8)ttl;
		sent_due[f][nb[f]] = *d;
		nb[f]++;
		fifo_pop(&sc->tab.due);
		n--;
	}
	for (int f = 0; f < 2; f++) {
		__u64 tx_ns = 0, deadline;

		if (!nb[f])
			continue;
		scan_sender_send(&sc->fam[f].tx, batch[f], nb[f], &tx_ns);
		deadline = clock_mono_ns() + sc->wait_ns;
		for (int i = 0; i < nb[f]; i++) {
			struct scan_due *d = &sent_due[f][i];
			struct scan_target *t = &sc->tab.slots[d->slot];
			struct scan_deadline dl = {
				.at_ns = deadline,
				.slot = d->slot,
				.gen = d->gen,
				.probe_id = batch[f][i].probe_id,
			};

			if (tx_ns)
				t->tx_ns[d->dir] = tx_ns;
			if (fifo_push(&sc->tab.deadlines, &dl))
				sc->oom = 1;
		}
		sc->paced += nb[f];
		sc->probes_sent += nb[f];
	}
	return nb[0] + nb[1];
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
				on_timeout(sc, d.slot, dir, ttl_of_probe_id(d.probe_id));
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

static int next_timeout_ms(struct scan *sc, __u64 now, int stopping)
{
	__u64 next = now + PROGRESS_NS;
	struct scan_deadline *dl = fifo_peek(&sc->tab.deadlines);

	if (dl && dl->at_ns < next)
		next = dl->at_ns;
	if (!stopping && sc->tab.due.n) {
		double need = sc->tab.due.n < sc->quantum ? (double)sc->tab.due.n : sc->quantum;
		__u64 at = sc->pace_t0 + (__u64)((sc->paced + need) * NS_PER_S / sc->o->rate);

		if (at < next)
			next = at;
	}
	if (next <= now)
		return 0;
	return (int)((next - now + 999999) / 1000000);
}

static int scan_loop(struct scan *sc)
{
	__u64 stop_deadline = 0;
	int stopping = 0;

	sc->pace_t0 = clock_mono_ns();
	for (;;) {
		__u64 now = clock_mono_ns();
		struct timespec ts;
		struct pollfd pfd;
		int timeout;

		loader_consume(&sc->ld);
		expire(sc, now);
		if (xhop_stop && !stopping) {
			/* stop sending; wait for the answers in flight */
			stopping = 1;
			stop_deadline = now + sc->wait_ns;
		}
		if (!stopping) {
			admit(sc);
			send_due(sc, now);
		}
		scan_progress(sc, now, 0);
		if (sc->oom) {
			fprintf(stderr, "xhop scan: out of memory\n");
			return -ENOMEM;
		}
		if (!stopping && !busy(sc) && sc->perm_pos >= sc->perm.n)
			return 0;
		if (stopping && (!sc->tab.deadlines.n || now >= stop_deadline))
			return 0;
		timeout = next_timeout_ms(sc, now, stopping);
		if (stopping && stop_deadline > now &&
		    (__u64)timeout * 1000000 > stop_deadline - now)
			timeout = (int)((stop_deadline - now) / 1000000) + 1;
		/* sub-millisecond pacing: poll's resolution is a millisecond */
		pfd.fd = loader_epoll_fd(&sc->ld);
		pfd.events = POLLIN;
		if (!stopping && sc->tab.due.n) {
			__u64 at = sc->pace_t0 +
				   (__u64)((sc->paced + (sc->tab.due.n < sc->quantum ?
								 (double)sc->tab.due.n :
								 sc->quantum)) *
					   NS_PER_S / sc->o->rate);
			__u64 wait = at > now ? at - now : 0;

			ts.tv_sec = (time_t)(wait / NS_PER_S);
			ts.tv_nsec = (long)(wait % NS_PER_S);
			if ((__u64)timeout * 1000000 < wait) {
				ts.tv_sec = timeout / 1000;
				ts.tv_nsec = (long)(timeout % 1000) * 1000000;
			}
		} else {
			ts.tv_sec = timeout / 1000;
			ts.tv_nsec = (long)(timeout % 1000) * 1000000;
		}
		if (ppoll(&pfd, 1, &ts, NULL) < 0 && errno != EINTR) {
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
	fm->on = 1;
	err = scan_sender_open(&fm->tx, o->sender, &base, &sc->key, sc->ifindex, o->ifname);
	if (err) {
		fm->on = 0;
		return 1;
	}
	return 0;
}

int scan_main(const struct scan_opts *o)
{
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
	sc->quantum = o->rate * SEND_QUANTUM_NS / NS_PER_S;
	if (sc->quantum < 1)
		sc->quantum = 1;
	if (sc->quantum > SCAN_BATCH_MAX)
		sc->quantum = SCAN_BATCH_MAX;
	sc->burst = sc->quantum;
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
			goto out_senders;
	}
	/* ICMP over both families: two protocols, so the program takes any;
	 * the per-run source port still shuts out UDP and TCP answers
	 */
	proto = probe_method_proto(sc->has[1] && !sc->has[0] ? 6 : 4, o->method);
	if (o->method == METHOD_ICMP && sc->has[0] && sc->has[1])
		proto = 0;
	rc = 1;
	if (scan_table_init(&sc->tab, sc->window, sc->targets.v))
		goto out_senders;
	if (dt_init(&sc->dt, DT_STABLE_OBS, DT_RECHECK))
		goto out_table;
	if (loader_start(&sc->ld, sc->ifindex, &sc->key, sc->sport, proto, on_event, sc))
		goto out_dt;
	/* pacing at tens of microseconds needs a timer slack below the
	 * default 50 us
	 */
	prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
	clock_gettime(CLOCK_REALTIME, &sc->start);
	sc->real_offset_ns = clock_real_offset_ns();
	sc->t0_ns = clock_mono_ns();

	err = scan_loop(sc);
	loader_consume(&sc->ld);
	/* what is still in flight is written as it stands */
	for (__u32 s = 0; s < sc->tab.nslots; s++)
		if (sc->tab.slots[s].state == SLOT_ACTIVE)
			scan_finish_target(sc, s, 1);
	sc->end_ns = clock_mono_ns();
	sc->interrupted = xhop_stop != 0;
	scan_progress(sc, sc->end_ns, 1);
	scan_write_summary(sc);
	rc = xhop_stop ? signals_exit_code() : err ? 1 : 0;
	if (scan_close_output(sc) && !rc)
		rc = 1;

	loader_stop(&sc->ld); /* detaches XDP and tcx */
out_dt:
	dt_free(&sc->dt);
out_table:
	scan_table_free(&sc->tab);
out_senders:
	for (int f = 0; f < 2; f++)
		if (sc->fam[f].on)
			scan_sender_close(&sc->fam[f].tx);
out_outputs:
	scan_close_output(sc);
out_targets:
	free(sc->targets.v);
	scan_free_sets(sc);
out_free:
	free(sc);
	return rc;
}
