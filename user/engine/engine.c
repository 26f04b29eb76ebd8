// SPDX-License-Identifier: GPL-2.0
/*
 * The engine's run and its one event loop (engine.h says what it does).
 * Userspace clocks decide only when to send and when a probe is lost;
 * every RTT is the difference of two kernel stamps.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/log.h"
#include "core/units.h"
#include "engine/session.h"
#include "core/signals.h"
#include "net/addr.h"
#include "net/resolve.h"

#define POLL_FDS_MAX 32
/*
 * The first packets after attaching meet a cold path: the programs, the
 * socket, the driver's XDP ring. Measured against a far-side capture, the
 * first probe of a trace came back 20-35 us late while later ones were
 * within 3 us. So two TTL-1 probes go out first (the sender ladder's
 * trial probe is the first), and their answers are awaited (at most
 * WARMUP_WAIT_MS each) and discarded.
 */
#define WARMUP_PROBES 2
#define WARMUP_WAIT_MS 50
/*
 * Answers that do not wake the loop (cfg.no_wakeup): each wake-up cost
 * the sending CPU, which runs the XDP program, an irq_work and an IPI.
 * The loop looks when the sending thread's queue runs low, and every
 * RX_POLL_NS while probes are out.
 */
#define RX_POLL_NS (NS_PER_S / 1000)
/* the longest sleep: signals and the resolver's own timers need no more */
#define IDLE_NS NS_PER_S

int engine_open(struct engine *e, const struct engine_cfg *cfg)
{
	memset(e, 0, sizeof(*e));
	e->cfg = *cfg;
	if (deadlines_init(&e->deadlines, (__u64)(cfg->wait_s * NS_PER_S))) {
		log_err("xhop: out of memory\n");
		return 1;
	}
	loader_set_verbose(cfg->verbose);
	return engine_session_open(e, e, engine_on_event);
}

int engine_xdp_stats(struct engine *e, __u64 out[XHOP_STAT_MAX])
{
	if (!e->ld.skel) {
		memset(out, 0, sizeof(__u64) * XHOP_STAT_MAX);
		return -ENOENT;
	}
	return loader_stats(&e->ld, out);
}

void engine_close(struct engine *e)
{
	txq_free(&e->q); /* stops the thread: it uses the sender */
	if (e->tx_open)
		sender_close(&e->tx);
	e->tx_open = 0;
	loader_stop(&e->ld); /* detaches XDP and tcx */
	deadlines_free(&e->deadlines);
}

/* Wait up to deadline for the ring to bring what cond() wants */
static void wait_ring(struct engine *e, __u64 deadline, int want)
{
	struct pollfd pfd = { .fd = loader_epoll_fd(&e->ld), .events = POLLIN };

	while (e->st.warmup_replies < (__u64)want && !xhop_stop) {
		__u64 now = clock_mono_ns();

		if (now >= deadline)
			return; /* a silent first hop: nothing to warm */
		poll(&pfd, 1, (int)((deadline - now) / NS_PER_MS) + 1);
		loader_consume(&e->ld);
	}
}

static void warmup(struct engine *e)
{
	int f = e->cfg.has[0] ? 0 : 1;
	struct send_probe p = { .dst = e->cfg.first[f], .probe_id = PLAN_WARMUP_ID, .ttl = 1 };
	struct send_result r;

	for (int i = 0; i < WARMUP_PROBES && !xhop_stop; i++) {
		memset(&r, 0, sizeof(r));
		/* the first is the sender layer's trial probe, sent already */
		if (i && sender_send(&e->tx, f, &p, 1, &r) != 1)
			return;
		wait_ring(e, clock_mono_ns() + WARMUP_WAIT_MS * NS_PER_MS, i + 1);
	}
}

/* The planner's finished records, to every sink */
static void deliver(struct engine *e)
{
	struct record rec;

	while (e->p.ops->take(e->p.st, &rec))
		for (int i = 0; i < e->nsinks; i++)
			if (e->sinks[i].ops->record)
				e->sinks[i].ops->record(e->sinks[i].st, &rec);
}

/* Probes whose wait is over: silent */
static void expire(struct engine *e, __u64 now)
{
	struct plan_probe pp;

	while (deadlines_due(&e->deadlines, now, &pp))
		e->p.ops->timeout(e->p.st, &pp);
}

static int sinks_busy(const struct engine *e)
{
	for (int i = 0; i < e->nsinks; i++)
		if (e->sinks[i].ops->busy && e->sinks[i].ops->busy(e->sinks[i].st))
			return 1;
	return 0;
}

/*
 * The sinks whose time came, and all of them after c-ares answered: a
 * line held for its names (or ASes) goes out as soon as they are in, not
 * when its wait ends (a sink's wake_at is that end)
 */
static void sinks_tick(struct engine *e, __u64 now)
{
	int news = e->names_news;

	e->names_news = 0;
	for (int i = 0; i < e->nsinks; i++) {
		const struct sink_ops *o = e->sinks[i].ops;

		if (o->tick && (news || !o->wake_at || o->wake_at(e->sinks[i].st, now) <= now))
			o->tick(e->sinks[i].st, now);
	}
}

static __u64 min_nz(__u64 a, __u64 b)
{
	return !a ? b : !b ? a : a < b ? a : b;
}

/* When the loop must look again, whatever else happens */
static __u64 next_wake(struct engine *e, __u64 now, int running)
{
	__u64 dl = deadlines_next(&e->deadlines);
	__u64 wake = now + IDLE_NS;
	int ms;

	if (running) {
		wake = min_nz(wake, e->p.ops->wake_at(e->p.st, now));
		wake = min_nz(wake, dl);
		/* answers do not wake us: look while probes are out */
		if (e->cfg.no_wakeup && dl && now + RX_POLL_NS < wake)
			wake = now + RX_POLL_NS;
	}
	for (int i = 0; i < e->nsinks; i++)
		if (e->sinks[i].ops->wake_at)
			wake = min_nz(wake, e->sinks[i].ops->wake_at(e->sinks[i].st, now));
	ms = e->cfg.res ? resolver_timeout_ms(e->cfg.res, (int)(IDLE_NS / NS_PER_MS)) : -1;
	if (ms >= 0 && now + (__u64)ms * NS_PER_MS < wake)
		wake = now + (__u64)ms * NS_PER_MS;
	return wake;
}

/* Input from the sinks: the keyboard's quit, pause, reset */
static void sink_action(struct engine *e, int action, __u64 now)
{
	if (action == SINK_QUIT)
		e->stopping = e->stopping ? e->stopping : 2;
	else if (action != SINK_NONE && e->p.ops->control)
		e->p.ops->control(e->p.st, action, now);
}

/*
 * Sleep until the next thing is due: the ring buffer, the sending
 * thread's "the queue runs low" (its batches also release parked
 * answers: the loop resolves what was sent whenever it wakes), c-ares
 * and the sinks' fds, or a deadline. ppoll: deadlines need better than
 * milliseconds.
 */
static int wait_events(struct engine *e, __u64 now, __u64 wake, int running)
{
	struct pollfd fds[POLL_FDS_MAX];
	int nfds = 0, i_res, n_res = 0, first_sink[ENGINE_SINKS_MAX], n_sink[ENGINE_SINKS_MAX];
	__u64 wait = wake > now ? wake - now : 0;
	struct timespec ts = { .tv_sec = (time_t)(wait / NS_PER_S),
			       .tv_nsec = (long)(wait % NS_PER_S) };

	fds[nfds].fd = loader_epoll_fd(&e->ld);
	fds[nfds++].events = POLLIN;
	if (running && e->q_running) {
		fds[nfds].fd = txq_room_fd(&e->q);
		fds[nfds++].events = POLLIN;
	}
	i_res = nfds;
	if (e->cfg.res)
		n_res = resolver_pollfds(e->cfg.res, fds + nfds, POLL_FDS_MAX - nfds);
	nfds += n_res;
	for (int i = 0; i < e->nsinks; i++) {
		const struct sink_ops *o = e->sinks[i].ops;

		first_sink[i] = nfds;
		n_sink[i] = o->pollfds ? o->pollfds(e->sinks[i].st, fds + nfds,
						    POLL_FDS_MAX - nfds) : 0;
		nfds += n_sink[i];
	}
	if (ppoll(fds, (nfds_t)nfds, &ts, NULL) < 0 && errno != EINTR) {
		int err = -errno;

		log_err("%s: poll: %s\n", e->cfg.who, strerror(-err));
		return err;
	}
	if (e->cfg.res) {
		for (int i = i_res; i < i_res + n_res; i++)
			e->names_news |= fds[i].revents != 0;
		resolver_process(e->cfg.res, fds + i_res, n_res);
	}
	for (int i = 0; i < e->nsinks; i++)
		if (e->sinks[i].ops->ready)
			sink_action(e, e->sinks[i].ops->ready(e->sinks[i].st, fds + first_sink[i],
							      n_sink[i], clock_mono_ns()),
				    clock_mono_ns());
	return 0;
}

/* Time with probes due beyond what the sender took, and what left then */
static void count_backlog(struct engine *e, __u64 now, __u64 *last, __u64 *last_sent,
			  int backlogged)
{
	if (backlogged) {
		e->st.backlog_ns += now - *last;
		e->st.backlog_probes += e->st.probes_sent - *last_sent;
	}
	*last = now;
	*last_sent = e->st.probes_sent;
}

/*
 * Stop probing: a signal, probes that cannot leave, or the keyboard. A
 * paced run (a scan) takes back what is queued and waits for the
 * answers in flight; the others stop at once.
 */
static __u64 begin_stop(struct engine *e, __u64 now)
{
	if (!e->stopping)
		e->stopping = 1;
	if (!e->q_running)
		return now;
	txq_stop(&e->q);
	e->q_running = 0;
	engine_resolve_sent(e);
	engine_replay_parked(e);
	return now + e->deadlines.wait_ns;
}

/* Probes sent and still waiting: the planner knows, else the deadlines say */
static int in_flight(struct engine *e)
{
	if (e->p.ops->outstanding)
		return e->p.ops->outstanding(e->p.st) != 0;
	return deadlines_pending(&e->deadlines);
}

static int run_loop(struct engine *e)
{
	__u64 stop_at = 0, last = clock_mono_ns(), last_sent = 0;
	int backlogged = 0, err;

	for (;;) {
		__u64 now = clock_mono_ns();

		if (e->q_running)
			txq_ack(&e->q);
		engine_resolve_sent(e);
		count_backlog(e, now, &last, &last_sent, backlogged);
		engine_replay_parked(e);
		loader_consume(&e->ld);
		expire(e, now);
		if ((xhop_stop || e->st.send_failed || e->stopping) && !stop_at)
			stop_at = begin_stop(e, now);
		if (!stop_at) {
			engine_send_due(e, now);
			backlogged = e->p.ops->backlogged && e->p.ops->backlogged(e->p.st);
		} else {
			backlogged = 0;
		}
		deliver(e);
		sinks_tick(e, now);
		if (!stop_at && e->p.ops->done(e->p.st))
			return 0;
		/* stopping: a drained run waits for its answers in flight */
		if (stop_at && (!in_flight(e) || now >= stop_at))
			return 0;
		err = wait_events(e, now, stop_at ? min_nz(stop_at, next_wake(e, now, 1))
						  : next_wake(e, now, 1), 1);
		if (err)
			return err;
	}
}

/* After the run: sinks that still hold something (names) get their time */
static int drain_sinks(struct engine *e)
{
	while (sinks_busy(e) && !xhop_stop) {
		__u64 now = clock_mono_ns();
		int err;

		sinks_tick(e, now);
		if (!sinks_busy(e))
			break;
		err = wait_events(e, now, next_wake(e, now, 0), 0);
		if (err)
			return err;
	}
	return 0;
}

/* What the summary reads of the receiver and the sender, once */
static void end_stats(struct engine *e)
{
	const struct engine_cfg *c = &e->cfg;
	int both = c->has[0] && c->has[1] && e->tx.kind[0] != e->tx.kind[1];

	engine_xdp_stats(e, e->st.xdp);
	if (!e->tx_open)
		return;
	e->st.driver_drops = sender_driver_drops(&e->tx);
	e->st.stamps_user = sender_stamps_user(&e->tx);
	/* the rung each family took; one name when both took the same */
	snprintf(e->st.sender, sizeof(e->st.sender), "%s%s%s",
		 sender_name(&e->tx, c->has[0] ? 0 : 1), both ? "," : "",
		 both ? sender_name(&e->tx, 1) : "");
}

int engine_run(struct engine *e, struct planner p, const struct addrmap *map,
	       const struct sink *sinks, int nsinks)
{
	int err = 0, cerr;

	e->p = p;
	e->targets = map;
	e->nsinks = nsinks < ENGINE_SINKS_MAX ? nsinks : ENGINE_SINKS_MAX;
	memcpy(e->sinks, sinks, sizeof(*sinks) * (size_t)e->nsinks);
	if (e->cfg.warmup)
		warmup(e);
	if (e->cfg.rate > 0 && engine_queue_start(e))
		err = -ENOMEM;
	clock_gettime(CLOCK_REALTIME, &e->s.start);
	e->s.real_offset_ns = clock_real_offset_ns();
	e->s.t0_ns = clock_mono_ns();
	for (int i = 0; i < e->nsinks; i++)
		if (e->sinks[i].ops->start)
			e->sinks[i].ops->start(e->sinks[i].st);
	if (!err)
		err = run_loop(e);
	txq_stop(&e->q);
	e->q_running = 0;
	engine_resolve_sent(e);
	loader_consume(&e->ld);
	engine_replay_parked(e);
	/* what is still in flight is written as it stands */
	e->p.ops->stop(e->p.st, xhop_stop || e->stopping == 1 || err || e->st.send_failed);
	deliver(e);
	e->s.end_ns = clock_mono_ns();
	e->st.interrupted = xhop_stop != 0;
	/* the receiver's counters, then what it counted and queued since:
	 * every answer it counted as ours is then counted here too
	 */
	end_stats(e);
	loader_consume(&e->ld);
	deliver(e);
	if (e->st.send_failed && !err)
		log_err("%s: probes cannot leave through sender %s on %s: %s\n",
			e->cfg.who, sender_name(&e->tx, e->cfg.has[0] ? 0 : 1), e->s.ifname,
			strerror(-e->st.send_failed));
	for (int i = 0; i < e->nsinks; i++)
		if (e->sinks[i].ops->end)
			e->sinks[i].ops->end(e->sinks[i].st, clock_mono_ns());
	if (!err)
		err = drain_sinks(e);
	for (int i = 0; i < e->nsinks; i++) {
		cerr = e->sinks[i].ops->close ? e->sinks[i].ops->close(e->sinks[i].st) : 0;
		if (cerr && !err)
			err = -EIO;
	}
	return err ? err : e->st.send_failed;
}
