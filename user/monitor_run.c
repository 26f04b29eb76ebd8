// SPDX-License-Identifier: GPL-2.0
/*
 * xhop monitor on the wire: one loader (XDP receive, tcx egress send
 * stamps) on the one interface every target routes through, one raw
 * socket per family, one poll loop for everything: the BPF rings, the
 * paced sends, probe deadlines, c-ares, libmicrohttpd and the keyboard.
 * Single-threaded: a scrape, a redraw and an answer never race.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/random.h>
#include "addr.h"
#include "cli.h"
#include "loader.h"
#include "metrics.h"
#include "monitor.h"
#include "monitor_report.h"
#include "monitor_run.h"
#include "monitor_view.h"
#include "path_table.h"
#include "privs.h"
#include "probe_build.h"
#include "resolve.h"
#include "route.h"
#include "send/sender.h"
#include "signals.h"
#include "trace.h"

#define NS_PER_S 1000000000ULL
#define NS_PER_MS 1000000ULL
#define RESOLVE_HOST_TIMEOUT_MS 5000
#define NAME_WAIT_MS 3000	 /* names for the final report, at most */
#define VIEW_REFRESH_NS (250 * NS_PER_MS)
#define POLL_FDS_MAX 24
#define DEFAULT_UDP_PORT 33434
#define DEFAULT_TCP_PORT 80
/* Sends of one cycle are spread over this share of the interval, so the
 * last probes of a cycle leave before the next one starts
 */
#define SPREAD_SHARE 0.9
#define WARMUP_PROBES 2
#define WARMUP_WAIT_MS 50

struct mon_run {
	const struct mon_opts *o;
	struct monitor m;
	struct loader ld;
	struct sender tx;
	struct xhop_key key;
	struct resolver *res;
	struct metrics_server ms;
	struct mon_report_ctx rc;
	struct mon_view view;
	FILE *events;
	int events_owned;
	__u16 sport;
	__u16 dport;
	__u16 icmp_sum;
	int ifindex;
	int has4;
	int has6;
	int paused;
	int quit;
	int warmup_answered;
	__u64 next_cycle_ns;
	__u64 next_draw_ns;
};

static void on_change(void *ctx, struct monitor *m, __u32 ti, const struct pc_event *ev)
{
	struct mon_run *r = ctx;
	const struct mon_log_entry *l = &m->log[(m->log_n - 1) % MON_LOG_MAX];

	if (!r->events)
		return;
	pc_event_json(r->events, ev, m->t[ti].name, &m->t[ti].dst, &l->when);
	fflush(r->events);
}

static int on_event(void *ctx, const struct xhop_event *ev)
{
	struct mon_run *r = ctx;

	if (ev->probe_id == PATH_WARMUP_ID) {
		r->warmup_answered += ev->kind != XHOP_EV_TX;
		return 0;
	}
	monitor_apply(&r->m, ev);
	return 0;
}

/* Resolve every target; exit code on failure, else 0 */
static int resolve_targets(struct mon_run *r)
{
	const struct mon_opts *o = r->o;
	struct resolver *fwd = NULL;
	int rc = 0;

	for (size_t i = 0; i < o->n_targets; i++) {
		const char *name = o->targets[i];
		struct in6_addr a;
		int fam, err;

		if (addr_parse(name, o->family, &a, &fam)) {
			if (!fwd && !(fwd = r->res ? r->res : resolver_new()))
				return 1;
			err = resolver_lookup_host(fwd, name, o->family, &a, &fam, NULL, 0,
						   RESOLVE_HOST_TIMEOUT_MS);
			if (err == -EINTR || xhop_stop) {
				rc = signals_exit_code();
				break;
			}
			if (err) {
				fprintf(stderr, "xhop: %s: %s\n", name,
					err == -ETIMEDOUT ? "name lookup timed out"
					: err == -ENOENT ? (o->family ? "no address of that family"
								      : "Name or service not known")
					: err == -EINVAL ? "not a valid host name"
							 : "name lookup failed (DNS server error)");
				rc = 2;
				break;
			}
		}
		err = monitor_add_target(&r->m, name, &a, fam);
		if (err == -EEXIST) {
			char s[ADDR_STRLEN];

			fprintf(stderr, "xhop: warning: %s: %s is already a target; monitored once\n",
				name, addr_str(&a, s));
			continue;
		}
		if (err) {
			fprintf(stderr, "xhop: target %s: %s\n", name, strerror(-err));
			rc = 1;
			break;
		}
		if (fam == 4)
			r->has4 = 1;
		else
			r->has6 = 1;
	}
	if (fwd && fwd != r->res)
		resolver_free(fwd);
	return rc;
}

/* One interface for every target: the loader sits on it. Exit code or 0. */
static int pick_interface(struct mon_run *r)
{
	const struct mon_opts *o = r->o;
	int oif = 0, first = -1;

	if (o->ifname) {
		oif = if_nametoindex(o->ifname);
		if (!oif) {
			fprintf(stderr, "xhop: interface %s: %s\n", o->ifname, strerror(errno));
			return 2;
		}
	}
	for (size_t i = 0; i < r->m.n; i++) {
		const struct mon_target *t = &r->m.t[i];
		struct route_info ri;
		char a[ADDR_STRLEN], n1[IF_NAMESIZE] = "?", n2[IF_NAMESIZE] = "?";
		int err = route_lookup(&t->dst, t->family, oif, &ri);

		if (err) {
			fprintf(stderr, "xhop: route to %s (%s): %s\n", t->name, addr_str(&t->dst, a),
				strerror(-err));
			return 1;
		}
		if (first < 0) {
			first = (int)i;
			r->ifindex = ri.ifindex;
			continue;
		}
		if (ri.ifindex != r->ifindex) {
			if_indextoname(r->ifindex, n1);
			if_indextoname(ri.ifindex, n2);
			fprintf(stderr, "xhop: targets route via different interfaces: %s via %s, "
					"%s via %s; one monitor watches one interface (run one per "
					"interface, or pick one with -i)\n",
				r->m.t[first].name, n1, t->name, n2);
			return 1;
		}
	}
	return 0;
}

static int pick_source(struct mon_run *r, int fam, struct in6_addr *src)
{
	const struct mon_opts *o = r->o;
	int err, pf;

	if (o->source) {
		if (addr_parse(o->source, fam, src, &pf)) {
			fprintf(stderr, "xhop: -s: '%s' is not an IPv%d address (targets of IPv%d "
					"need one)\n", o->source, fam, fam);
			return 2;
		}
		err = route_source_is_local(src, fam, o->ifname);
		if (err) {
			fprintf(stderr, "xhop: -s %s: %s\n", o->source, strerror(-err));
			return 1;
		}
		return 0;
	}
	for (size_t i = 0; i < r->m.n; i++) {
		if (r->m.t[i].family != fam)
			continue;
		err = route_source(&r->m.t[i].dst, fam, o->ifname, src);
		if (err) {
			fprintf(stderr, "xhop: source address for %s: %s\n", r->m.t[i].name,
				strerror(-err));
			return 1;
		}
		return 0;
	}
	return 0;
}

static int probe_size_of(const struct mon_opts *o, int fam)
{
	int size = o->size ? o->size : fam == 6 ? 80 : 60;

	if (o->method == METHOD_TCP || size < (int)probe_min_size(fam, o->method))
		size = probe_min_size(fam, o->method);
	return size;
}

static int prepare(struct mon_run *r)
{
	const struct mon_opts *o = r->o;
	struct mon_cfg cfg = {
		.first_ttl = o->first_ttl,
		.max_ttl = o->max_ttl,
		.confirm = o->confirm,
		.max_unknown = o->max_unknown,
		.interval_ns = (__u64)(o->interval_s * NS_PER_S),
		.wait_ns = (__u64)(o->wait_s * NS_PER_S),
		.stale_ns = (__u64)(o->stale_s * NS_PER_S),
		.proto4 = probe_method_proto(4, o->method),
		.proto6 = probe_method_proto(6, o->method),
	};
	__u16 rnd[2];
	int rc, err;

	cfg.spread_ns = (__u64)(cfg.interval_ns * SPREAD_SHARE);
	err = monitor_init(&r->m, &cfg);
	if (err == -E2BIG) {
		fprintf(stderr, "xhop: --wait %g is too long for --interval %g (a probe may stay "
				"out at most %d intervals)\n", o->wait_s, o->interval_s,
			MON_SLOTS_MAX - 2);
		return 2;
	}
	if (err) {
		fprintf(stderr, "xhop: monitor: %s\n", strerror(-err));
		return 2;
	}
	r->m.on_change = on_change;
	r->m.ctx = r;
	if (!o->no_resolve) {
		r->res = resolver_new();
		if (!r->res)
			return 1;
	}
	rc = resolve_targets(r);
	if (rc)
		return rc;
	if (!r->m.n) {
		fprintf(stderr, "xhop: no target left to monitor\n");
		return 2;
	}
	err = monitor_ready(&r->m);
	if (err) {
		fprintf(stderr, "xhop: monitor: %s\n", strerror(-err));
		return 1;
	}
	rc = pick_interface(r);
	if (rc)
		return rc;
	if (r->has4 && (rc = pick_source(r, 4, &r->rc.src4)))
		return rc;
	if (r->has6 && (rc = pick_source(r, 6, &r->rc.src6)))
		return rc;
	if (getrandom(&r->key, sizeof(r->key), 0) != sizeof(r->key) ||
	    getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd)) {
		fprintf(stderr, "xhop: getrandom: %s\n", strerror(errno));
		return 1;
	}
	/* one random source port and ICMP checksum per run: every target's
	 * flow is then fixed for the run (Paris), and a forger must guess it
	 */
	r->sport = 1024 + rnd[0] % (65536 - 1024);
	r->icmp_sum = rnd[1] | 1;
	r->dport = o->port ? o->port : o->method == METHOD_TCP ? DEFAULT_TCP_PORT : DEFAULT_UDP_PORT;
	r->rc.method = trace_method_name(o->method);
	r->rc.res = r->res;
	r->rc.interval_s = o->interval_s;
	r->rc.probe_size4 = probe_size_of(o, 4);
	r->rc.probe_size6 = probe_size_of(o, 6);
	return 0;
}

/* The senders of the families in use, once the receiver runs */
static int open_sender(struct mon_run *r)
{
	const struct mon_opts *o = r->o;
	struct sender_cfg cfg = {
		.kind = o->sender,
		.ifindex = r->ifindex,
		.ifname = o->ifname,
		.key = &r->key,
		.rx = &r->ld,
		.who = "xhop monitor",
		.say = o->sender == SENDER_AUTO,
		.verbose = o->verbose,
	};

	cfg.has[0] = r->has4;
	cfg.has[1] = r->has6;
	for (int f = 0; f < 2; f++) {
		struct probe_spec *b = &cfg.base[f];

		b->src = f ? r->rc.src6 : r->rc.src4;
		b->sport = r->sport;
		b->dport = r->dport;
		b->icmp_sum = r->icmp_sum;
		b->size = (__u16)(f ? r->rc.probe_size6 : r->rc.probe_size4);
		b->family = (__u8)(f ? 6 : 4);
		b->method = (__u8)o->method;
		b->tos = (__u8)o->tos;
	}
	/* the first target of each family: next hop, trial probe */
	for (size_t i = r->m.n; i-- > 0;)
		cfg.first[r->m.t[i].family == 6] = r->m.t[i].dst;
	return sender_open(&r->tx, &cfg);
}

/* One probe; 0 or -errno, *tx_ns its stamp if the sender knows it at once */
static int send_one(struct mon_run *r, const struct mon_target *t, int ttl, __u16 id,
		    __u64 *tx_ns)
{
	struct send_probe p = { .dst = t->dst, .probe_id = id, .ttl = (__u8)ttl };
	struct send_result res = { 0 };

	sender_send(&r->tx, t->family == 6, &p, 1, &res);
	*tx_ns = res.tx_ns;
	return res.err;
}

/* The first packets after attaching meet a cold path (see trace.c): two
 * TTL-1 probes whose answers are awaited briefly and discarded
 */
static void warmup(struct mon_run *r)
{
	const struct mon_target *t = &r->m.t[0];
	__u64 tx_ns;

	for (int i = 0; i < WARMUP_PROBES && !xhop_stop; i++) {
		__u64 deadline = clock_mono_ns() + WARMUP_WAIT_MS * NS_PER_MS;

		/* the first is the sender layer's trial probe, sent already */
		if (i && send_one(r, t, r->o->first_ttl, PATH_WARMUP_ID, &tx_ns))
			return;
		while (r->warmup_answered <= i && !xhop_stop) {
			__u64 now = clock_mono_ns();

			if (now >= deadline)
				return;
			loader_poll(&r->ld, (int)((deadline - now) / NS_PER_MS) + 1);
		}
	}
}

/* Send every probe of the cycle's plan that is due by now */
static void send_due(struct mon_run *r, __u64 now)
{
	struct monitor *m = &r->m;
	__u64 spread = m->cfg.spread_ns, due;

	if (m->plan_next >= m->plan_n)
		return;
	due = now <= m->cycle_start_ns ? 1
	      : spread ? (now - m->cycle_start_ns) * m->plan_n / spread + 1 : m->plan_n;
	if (due > m->plan_n)
		due = m->plan_n;
	while (m->plan_next < due) {
		const struct mon_plan_item *it = &m->plan[m->plan_next++];
		const struct mon_target *t = &m->t[it->target];
		__u64 tx_ns;
		int err = send_one(r, t, it->ttl, mon_probe_id(m->cycle, it->ttl), &tx_ns);

		if (err && r->o->verbose)
			fprintf(stderr, "xhop: send to %s TTL %d: %s\n", t->name, it->ttl,
				strerror(-err));
		monitor_probe_sent(m, it, clock_mono_ns(), !err, tx_ns);
	}
}

/* When the next probe of the plan is due (0: none left) */
static __u64 next_send_ns(const struct monitor *m)
{
	if (m->plan_next >= m->plan_n)
		return 0;
	return m->cycle_start_ns + m->cfg.spread_ns * m->plan_next / m->plan_n;
}

static int cycles_left(const struct mon_run *r)
{
	return !r->o->cycles || r->m.cycle < (__u32)r->o->cycles;
}

static void maybe_begin_cycle(struct mon_run *r, __u64 now)
{
	struct monitor *m = &r->m;

	if (r->paused || m->plan_next < m->plan_n || !cycles_left(r) || now < r->next_cycle_ns)
		return;
	if (m->cycle && now >= r->next_cycle_ns + m->cfg.interval_ns)
		m->behind++; /* a whole interval late: sending fell behind */
	monitor_cycle_begin(m, now);
	if (m->cycle == 1)
		clock_gettime(CLOCK_REALTIME, &r->rc.start);
	/* keep the schedule, unless it slipped by a whole interval */
	r->next_cycle_ns += m->cfg.interval_ns;
	if (r->next_cycle_ns <= now)
		r->next_cycle_ns = now + m->cfg.interval_ns;
}

static __u64 min_nz(__u64 a, __u64 b)
{
	return !a ? b : !b ? a : a < b ? a : b;
}

static int view_on(const struct mon_run *r)
{
	return r->view.open;
}

static void handle_keys(struct mon_run *r, __u64 now)
{
	switch (mon_view_keys(&r->view, &r->m)) {
	case VIEW_QUIT:
		r->quit = 1;
		break;
	case VIEW_PAUSE:
		r->paused = !r->paused;
		if (!r->paused && r->next_cycle_ns < now)
			r->next_cycle_ns = now;
		r->next_draw_ns = 0;
		break;
	case VIEW_RESET:
		monitor_reset_stats(&r->m);
		r->next_draw_ns = 0;
		break;
	case VIEW_REDRAW:
		r->next_draw_ns = 0;
		break;
	default:
		break;
	}
}

static int run_loop(struct mon_run *r)
{
	struct monitor *m = &r->m;
	struct pollfd fds[POLL_FDS_MAX];

	r->next_cycle_ns = clock_mono_ns();
	for (;;) {
		__u64 now = clock_mono_ns(), wake;
		int nfds = 0, i_res, n_res = 0, i_ms = -1, i_kb = -1, rt;
		struct timespec ts;

		loader_consume(&r->ld);
		monitor_expire(m, now);
		if (xhop_stop || r->quit)
			return 0;
		if (sender_failing(&r->tx)) {
			fprintf(stderr, "xhop monitor: probes cannot leave through sender %s on %s: %s\n",
				sender_name(&r->tx, r->has4 ? 0 : 1), r->tx.ifname,
				strerror(-sender_failing(&r->tx)));
			return sender_failing(&r->tx);
		}
		if (!cycles_left(r) && m->plan_next >= m->plan_n && !monitor_in_flight(m))
			return 0; /* --cycles done, every probe settled */
		maybe_begin_cycle(r, now);
		send_due(r, now);
		if (view_on(r) && now >= r->next_draw_ns) {
			/* keys ncurses queued itself (KEY_RESIZE after SIGWINCH)
			 * never make stdin readable: read them on every redraw
			 */
			handle_keys(r, now);
			mon_view_draw(&r->view, m, &r->rc, r->paused);
			r->next_draw_ns = now + VIEW_REFRESH_NS;
		}

		fds[nfds].fd = loader_epoll_fd(&r->ld);
		fds[nfds++].events = POLLIN;
		if (metrics_pollfd(&r->ms, &fds[nfds]) == 0)
			i_ms = nfds++;
		if (view_on(r)) {
			fds[nfds].fd = STDIN_FILENO;
			fds[nfds].events = POLLIN;
			i_kb = nfds++;
		}
		i_res = nfds;
		if (r->res)
			n_res = resolver_pollfds(r->res, fds + nfds, POLL_FDS_MAX - nfds);
		nfds += n_res;

		/* the earliest of: next send, next cycle, next deadline, redraw */
		wake = next_send_ns(m);
		if (!r->paused && cycles_left(r) && m->plan_next >= m->plan_n)
			wake = min_nz(wake, r->next_cycle_ns);
		wake = min_nz(wake, monitor_next_deadline(m));
		if (view_on(r))
			wake = min_nz(wake, r->next_draw_ns);
		if (!wake || wake > now + NS_PER_S)
			wake = now + NS_PER_S;
		rt = r->res ? resolver_timeout_ms(r->res, 1000) : -1;
		if (rt >= 0 && now + rt * NS_PER_MS < wake)
			wake = now + rt * NS_PER_MS;
		rt = metrics_timeout_ms(&r->ms);
		if (rt >= 0 && now + rt * NS_PER_MS < wake)
			wake = now + rt * NS_PER_MS;
		wake = wake > now ? wake - now : 0;
		ts.tv_sec = wake / NS_PER_S;
		ts.tv_nsec = wake % NS_PER_S;
		if (ppoll(fds, nfds, &ts, NULL) < 0 && errno != EINTR) {
			int err = -errno;

			fprintf(stderr, "xhop: poll: %s\n", strerror(-err));
			return err;
		}
		if (r->res)
			resolver_process(r->res, fds + i_res, n_res);
		if (i_ms >= 0 && fds[i_ms].revents)
			metrics_run(&r->ms);
		else if (rt == 0)
			metrics_run(&r->ms); /* MHD's own timers (idle connections) */
		if (i_kb >= 0 && fds[i_kb].revents)
			handle_keys(r, clock_mono_ns());
	}
}

/* Names of every responder for the report, waiting at most NAME_WAIT_MS */
static void resolve_names(struct mon_run *r)
{
	struct monitor *m = &r->m;
	__u64 deadline = clock_mono_ns() + NAME_WAIT_MS * NS_PER_MS;

	if (!r->res)
		return;
	for (size_t i = 0; i < m->n; i++) {
		int last = mon_report_last_ttl(m, &m->t[i]);

		for (int ttl = m->cfg.first_ttl; ttl <= last; ttl++) {
			const struct mon_hop *h = monitor_hop_c(m, i, ttl);

			for (int k = 0; k < MON_RESP_MAX; k++)
				if (h->resp[k].used)
					resolver_ptr_start(r->res, &h->resp[k].addr);
		}
	}
	while (resolver_pending(r->res) && !xhop_stop) {
		struct pollfd fds[POLL_FDS_MAX];
		__u64 now = clock_mono_ns();
		int n, t;

		if (now >= deadline)
			break;
		n = resolver_pollfds(r->res, fds, POLL_FDS_MAX);
		t = resolver_timeout_ms(r->res, (int)((deadline - now) / NS_PER_MS) + 1);
		if (poll(fds, n, t < 0 ? 10 : t) < 0 && errno != EINTR)
			break;
		resolver_process(r->res, fds, n);
	}
}

static int open_outputs(struct mon_run *r)
{
	const struct mon_opts *o = r->o;

	if (o->events_path) {
		r->events = fopen(o->events_path, "a");
		if (!r->events) {
			fprintf(stderr, "xhop: --events %s: %s\n", o->events_path, strerror(errno));
			return 1;
		}
		r->events_owned = 1;
		setvbuf(r->events, NULL, _IOLBF, 0);
	}
	/* the view needs the keyboard too: with stdin at EOF (a pipe, /dev/null)
	 * it would poll as readable forever
	 */
	if (!o->report && !o->json && isatty(STDOUT_FILENO) && isatty(STDIN_FILENO)) {
		if (mon_view_open(&r->view))
			return 1;
	} else if (!r->events) {
		r->events = stdout; /* no view on stdout: the events go there */
	}
	return 0;
}

int monitor_main(const struct mon_opts *o)
{
	struct mon_run *r;
	int rc, err = 0;

	r = calloc(1, sizeof(*r));
	if (!r) {
		fprintf(stderr, "xhop: out of memory\n");
		return 1;
	}
	r->o = o;
	r->ms.listen_fd = -1;
	loader_set_verbose(o->verbose);
	if (privs_check()) {
		rc = 1;
		goto out_free;
	}
	rc = prepare(r);
	if (rc)
		goto out_free;
	rc = 1;
	/* ICMP has a protocol per family: with both, the BPF filter takes
	 * either (the MAC still binds each answer to its probe's protocol)
	 */
	if (loader_start(&r->ld, r->ifindex, &r->key, o->method == METHOD_ICMP ? 0 : r->sport,
			 r->has4 && r->has6 && r->m.cfg.proto4 != r->m.cfg.proto6
				 ? 0
				 : r->has4 ? r->m.cfg.proto4 : r->m.cfg.proto6,
			 on_event, r))
		goto out_free;
	/* after the receiver: the generator rides on it, trials are answered */
	if (open_sender(r))
		goto out_loader;
	if (o->metrics_addr && metrics_start(&r->ms, o->metrics_addr, &r->m))
		goto out_loader;
	if (open_outputs(r))
		goto out_metrics;
	warmup(r);
	clock_gettime(CLOCK_REALTIME, &r->rc.start);

	err = run_loop(r);
	loader_consume(&r->ld);
	mon_view_close(&r->view);
	resolve_names(r);
	/* the final report: after --cycles, on q, SIGINT, SIGTERM */
	if (o->json)
		monitor_report_json(stdout, &r->m, &r->rc);
	else
		monitor_report_text(stdout, &r->m, &r->rc);
	rc = xhop_stop ? signals_exit_code() : err ? 1 : 0;

out_metrics:
	mon_view_close(&r->view);
	metrics_stop(&r->ms);
	if (r->events_owned)
		fclose(r->events);
out_loader:
	sender_close(&r->tx);
	loader_stop(&r->ld); /* detaches XDP and tcx */
out_free:
	if (r->res)
		resolver_free(r->res);
	monitor_free(&r->m);
	free(r);
	return rc;
}

int monitor_cli_main(int argc, char **argv)
{
	struct mon_opts o;
	int rc;

	rc = cli_parse_monitor(argc, argv, &o);
	if (rc >= 0) {
		mon_opts_free(&o);
		return rc;
	}
	if (signals_install()) {
		perror("xhop: sigaction");
		mon_opts_free(&o);
		return EXIT_RUNTIME;
	}
	rc = monitor_main(&o);
	mon_opts_free(&o);
	return rc;
}
