// SPDX-License-Identifier: GPL-2.0
/*
 * The trace engine: send probes TTL by TTL with a bounded number in
 * flight, feed the BPF events into the path table, and hand each TTL to
 * the renderer once it is settled (every probe answered or past its wait)
 * and its names are known (or the name wait ran out).
 *
 * Userspace clocks decide only timeouts. RTTs come from the path table,
 * which holds the two kernel stamps of each probe.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <net/if.h>
#include "addr.h"
#include "loader.h"
#include "privs.h"
#include "resolve.h"
#include "route.h"
#include "send/sender.h"
#include "signals.h"
#include "trace.h"
#include "xhop_proto.h"

#define NS_PER_S 1000000000ULL
#define NS_PER_MS 1000000ULL
#define RESOLVE_HOST_TIMEOUT_MS 5000
#define POLL_FDS_MAX 16
/* The default destination ports of Debian traceroute (-U) and tcptraceroute */
#define DEFAULT_UDP_PORT 33434
#define DEFAULT_TCP_PORT 80
/*
 * The first packets after attaching meet a cold path: the programs, the
 * socket, the driver's XDP ring. Measured against a far-side capture, the
 * first probe of a trace came back 20-35 us late while later ones were
 * within 3 us. So two TTL-1 probes go out first (the sender ladder's trial
 * probe is the first), and their answers are
 * awaited (at most WARMUP_WAIT_MS each) and discarded.
 */
#define WARMUP_PROBES 2
#define WARMUP_WAIT_MS 50

struct engine {
	struct trace t;
	const struct trace_renderer *r;
	struct loader ld;
	struct sender tx;
	struct xhop_key key;
	__u64 wait_ns;
	int next_ttl;	   /* next probe to send: TTL and attempt */
	int next_attempt;
	__u64 settled_ns[256]; /* when each TTL settled, for the name wait */
	int warmup_answered;
	/*
	 * TCP probes go one at a time unless -N says otherwise: all of them
	 * share one 4-tuple (Paris), and a SYN that reaches the target while
	 * an earlier one's half-open connection is still there is answered
	 * with a bare ACK for the old one. One at a time, our stack's reset of
	 * each SYN-ACK (bpf/xhop.bpf.c) clears it before the next SYN.
	 */
	int sim_queries;
};

const char *trace_method_name(int method)
{
	switch (method) {
	case METHOD_UDP:
		return "udp-paris";
	case METHOD_TCP:
		return "tcp";
	default:
		return "icmp-echo-paris";
	}
}

const char *trace_stop_name(int stop_reason)
{
	static const char *const names[] = {
		[STOP_NONE] = "NONE",	     [STOP_COMPLETED] = "COMPLETED",
		[STOP_UNREACH] = "UNREACH",  [STOP_ICMP] = "ICMP",
		[STOP_LOOP] = "LOOP",	     [STOP_GAPLIMIT] = "GAPLIMIT",
		[STOP_HOPLIMIT] = "HOPLIMIT", [STOP_ERROR] = "ERROR",
		[STOP_INTERRUPTED] = "NONE", /* scamper: stopped before a reason */
	};

	if (stop_reason < 0 || stop_reason > STOP_INTERRUPTED)
		return "ERROR";
	return names[stop_reason];
}

const char *trace_name_of(const struct trace *t, const struct in6_addr *a)
{
	const char *name = NULL;

	if (!t->res || !resolver_ptr_get(t->res, a, &name))
		return NULL;
	return name;
}

static int on_event(void *ctx, const struct xhop_event *ev)
{
	struct engine *e = ctx;

	if (ev->probe_id == PATH_WARMUP_ID) {
		e->warmup_answered += ev->kind != XHOP_EV_TX;
		return 0;
	}
	path_apply(&e->t.path, ev);
	return 0;
}

/* Resolve HOST, pick route, source, ports. Exit code on failure, else 0. */
static int engine_prepare(struct engine *e)
{
	const struct trace_opts *o = e->t.o;
	struct trace *t = &e->t;
	struct route_info ri;
	int err, oif = 0;
	__u16 rnd[3];

	if (!o->no_resolve) {
		t->res = resolver_new();
		if (!t->res)
			return 1;
	}
	if (addr_parse(o->host, o->family, &t->dst, &t->family) == 0) {
		snprintf(t->host_name, sizeof(t->host_name), "%s", o->host);
	} else {
		struct resolver *res = t->res ? t->res : resolver_new();

		if (!res)
			return 1;
		err = resolver_lookup_host(res, o->host, o->family, &t->dst, &t->family,
					   t->host_name, sizeof(t->host_name),
					   RESOLVE_HOST_TIMEOUT_MS);
		if (res != t->res)
			resolver_free(res);
		if (err == -EINTR || xhop_stop)
			return signals_exit_code();
		if (err) {
			fprintf(stderr, "xhop: %s: %s\n", o->host,
				err == -ETIMEDOUT   ? "name lookup timed out"
				: err == -ENOENT    ? (o->family ? "no address of that family"
							     : "Name or service not known")
				: err == -EINVAL    ? "not a valid host name"
						    : "name lookup failed (DNS server error)");
			return 2;
		}
	}
	if (o->ifname) {
		oif = if_nametoindex(o->ifname);
		if (!oif) {
			fprintf(stderr, "xhop: interface %s: %s\n", o->ifname, strerror(errno));
			return 2;
		}
	}
	err = route_lookup(&t->dst, t->family, oif, &ri);
	if (err) {
		char a[ADDR_STRLEN];

		fprintf(stderr, "xhop: route to %s: %s\n", addr_str(&t->dst, a), strerror(-err));
		return 1;
	}
	t->ifindex = ri.ifindex;
	if (o->source) {
		int fam;

		if (addr_parse(o->source, t->family, &t->src, &fam)) {
			fprintf(stderr, "xhop: -s: '%s' is not an IPv%d address\n", o->source,
				t->family);
			return 2;
		}
		err = route_source_is_local(&t->src, t->family, o->ifname);
		if (err) {
			fprintf(stderr, "xhop: -s %s: %s\n", o->source, strerror(-err));
			return 1;
		}
	} else {
		err = route_source(&t->dst, t->family, o->ifname, &t->src);
		if (err) {
			fprintf(stderr, "xhop: source address for %s: %s\n", t->host_name,
				strerror(-err));
			return 1;
		}
	}
	if (getrandom(&e->key, sizeof(e->key), 0) != sizeof(e->key) ||
	    getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd)) {
		fprintf(stderr, "xhop: getrandom: %s\n", strerror(errno));
		return 1;
	}
	/* a random source port and checksum per run: the Paris flow id, and
	 * one more thing a blind forger must guess
	 */
	t->sport = 1024 + rnd[0] % (65536 - 1024); /* ~2^15.98 choices */
	t->icmp_sum = rnd[1] | 1;
	t->dport = o->port ? o->port : o->method == METHOD_TCP ? DEFAULT_TCP_PORT : DEFAULT_UDP_PORT;
	t->probe_size = o->packetlen ? o->packetlen : t->family == 6 ? 80 : 60;
	if (t->probe_size < (int)probe_min_size(t->family, o->method))
		t->probe_size = probe_min_size(t->family, o->method);
	if (o->method == METHOD_TCP)
		t->probe_size = probe_min_size(t->family, METHOD_TCP);
	err = path_init(&t->path, &t->dst, t->family, probe_method_proto(t->family, o->method),
			o->first_ttl, o->max_ttl, o->queries);
	if (err) {
		fprintf(stderr, "xhop: path table: %s\n", strerror(-err));
		return 1;
	}
	return 0;
}

/* The sender of the trace's family, down the ladder from --sender */
static int open_sender(struct engine *e)
{
	struct trace *t = &e->t;
	int f = t->family == 6;
	struct sender_cfg cfg = {
		.kind = t->o->sender,
		.ifindex = t->ifindex,
		.ifname = t->o->ifname,
		.key = &e->key,
		.rx = &e->ld,
		.who = "xhop",
		.say = t->o->sender == SENDER_AUTO,
		.verbose = t->o->verbose,
	};
	struct probe_spec *b = &cfg.base[f];

	cfg.has[f] = 1;
	cfg.first[f] = t->dst;
	b->src = t->src;
	b->sport = t->sport;
	b->dport = t->dport;
	b->icmp_sum = t->icmp_sum;
	b->size = (__u16)t->probe_size;
	b->family = (__u8)t->family;
	b->method = (__u8)t->o->method;
	b->tos = (__u8)t->o->tos;
	return sender_open(&e->tx, &cfg);
}

/* One probe through the sender; its send stamp, if the sender knows it */
static int send_one(struct engine *e, int ttl, __u16 probe_id, __u64 *tx_ns)
{
	struct send_probe p = { .dst = e->t.dst, .probe_id = probe_id, .ttl = (__u8)ttl };
	struct send_result r = { 0 };

	sender_send(&e->tx, e->t.family == 6, &p, 1, &r);
	*tx_ns = r.tx_ns;
	return r.err;
}

static void warmup(struct engine *e)
{
	__u64 tx_ns;

	for (int i = 0; i < WARMUP_PROBES && !xhop_stop; i++) {
		__u64 deadline = clock_mono_ns() + WARMUP_WAIT_MS * NS_PER_MS;

		/* the first is the sender layer's trial probe, sent already */
		if (i && send_one(e, 1, PATH_WARMUP_ID, &tx_ns))
			return;
		while (e->warmup_answered <= i && !xhop_stop) {
			__u64 now = clock_mono_ns();

			if (now >= deadline)
				return; /* a silent first hop: nothing to warm */
			loader_poll(&e->ld, (int)((deadline - now) / NS_PER_MS) + 1);
		}
	}
}

static int send_probe(struct engine *e, struct hop_probe *pr)
{
	struct trace *t = &e->t;
	__u64 tx_ns;
	int err;

	/* SENT before the send: a tc stamp may be consumed right after */
	pr->state = PROBE_SENT;
	pr->deadline_ns = clock_mono_ns() + e->wait_ns;
	err = send_one(e, pr->ttl, pr->probe_id, &tx_ns);
	if (!err && tx_ns && !pr->tx_ns)
		pr->tx_ns = tx_ns; /* senders that skip tc egress give it back */
	if (err) {
		/*
		 * A probe that did not leave measures nothing: never shown as a
		 * silent hop. The trace stops here (stop reason ERROR, exit 1),
		 * with what it measured so far
		 */
		pr->state = PROBE_UNSENT;
		fprintf(stderr, "xhop: send TTL %d through sender %s: %s\n", pr->ttl,
			sender_name(&e->tx, t->family == 6), strerror(-err));
		return err;
	}
	t->probes_sent++;
	return 0;
}

static int in_flight(struct path *p)
{
	int n = (p->max_ttl - p->first_ttl + 1) * p->queries, c = 0;

	for (int i = 0; i < n; i++)
		c += p->probes[i].state == PROBE_SENT;
	return c;
}

static int send_more(struct engine *e)
{
	struct path *p = &e->t.path;
	int room = e->sim_queries - in_flight(p);

	while (room > 0 && e->next_ttl <= p->max_ttl) {
		struct hop_probe *pr;
		int err;

		/* nothing beyond a TTL that already ended the trace */
		if (p->final_ttl && e->next_ttl > p->final_ttl)
			break;
		pr = path_probe(p, e->next_ttl, e->next_attempt);
		err = send_probe(e, pr);
		if (err)
			return err;
		room--;
		if (++e->next_attempt == p->queries) {
			e->next_attempt = 0;
			e->next_ttl++;
		}
	}
	return 0;
}

/* Start PTR lookups of a settled hop's responders; 1 once all are done */
static int names_ready(struct engine *e, int ttl)
{
	struct trace *t = &e->t;
	int ready = 1;

	if (!t->res)
		return 1;
	for (int q = 0; q < t->path.queries; q++) {
		struct hop_probe *pr = path_probe(&t->path, ttl, q);
		const char *name;

		if (pr->state != PROBE_ANSWERED)
			continue;
		resolver_ptr_start(t->res, &pr->reply.from);
		if (!resolver_ptr_get(t->res, &pr->reply.from, &name))
			ready = 0;
	}
	return ready;
}

/*
 * Render every TTL that can be rendered now, in order. Returns 1 when the
 * trace is over (destination or unreachable rendered, or max TTL).
 */
static int render_ready(struct engine *e, __u64 now)
{
	struct trace *t = &e->t;
	struct path *p = &t->path;

	while (t->last_ttl < p->max_ttl) {
		int ttl = t->last_ttl ? t->last_ttl + 1 : p->first_ttl;

		if (!path_hop_settled(p, ttl))
			return 0;
		if (!e->settled_ns[ttl])
			e->settled_ns[ttl] = now;
		/* a name may hold a line back by at most the probe wait */
		if (!names_ready(e, ttl) && now < e->settled_ns[ttl] + e->wait_ns)
			return 0;
		e->r->hop(e->r->ctx, t, ttl);
		t->last_ttl = ttl;
		if (p->final_ttl && ttl >= p->final_ttl)
			return 1;
	}
	return 1;
}

static void finish_reason(struct engine *e)
{
	struct trace *t = &e->t;
	struct path *p = &t->path;

	if (xhop_stop) {
		t->stop_reason = STOP_INTERRUPTED;
		return;
	}
	t->stop_reason = STOP_HOPLIMIT;
	if (!p->final_ttl || t->last_ttl < p->final_ttl)
		return;
	for (int q = 0; q < p->queries; q++) {
		struct hop_probe *pr = path_probe(p, p->final_ttl, q);

		if (pr->state != PROBE_ANSWERED)
			continue;
		if (pr->reply.verdict == VERDICT_REACHED) {
			t->stop_reason = STOP_COMPLETED;
			return;
		}
		if (pr->reply.verdict == VERDICT_UNREACH) {
			t->stop_reason = STOP_UNREACH;
			t->stop_data = pr->reply.icmp_code;
		}
	}
}

/* Milliseconds until the next probe deadline or name wait, at most cap */
static int next_wakeup_ms(struct engine *e, __u64 now, int cap)
{
	struct path *p = &e->t.path;
	int n = (p->max_ttl - p->first_ttl + 1) * p->queries;
	__u64 next = now + (__u64)cap * NS_PER_MS;
	int next_ttl = e->t.last_ttl ? e->t.last_ttl + 1 : p->first_ttl;

	for (int i = 0; i < n; i++) {
		if (p->probes[i].state == PROBE_SENT && p->probes[i].deadline_ns < next)
			next = p->probes[i].deadline_ns;
	}
	if (next_ttl <= p->max_ttl && e->settled_ns[next_ttl] &&
	    e->settled_ns[next_ttl] + e->wait_ns < next)
		next = e->settled_ns[next_ttl] + e->wait_ns;
	if (next <= now)
		return 0;
	return (int)((next - now + NS_PER_MS - 1) / NS_PER_MS);
}

static int engine_loop(struct engine *e)
{
	struct pollfd fds[POLL_FDS_MAX];
	int err;

	e->next_ttl = e->t.path.first_ttl;
	for (;;) {
		__u64 now = clock_mono_ns();
		int nfds = 1, timeout;

		loader_consume(&e->ld);
		path_expire(&e->t.path, now);
		if (render_ready(e, now))
			return 0;
		if (xhop_stop)
			return 0;
		err = send_more(e);
		if (err)
			return err; /* said by send_probe() */
		fds[0].fd = loader_epoll_fd(&e->ld);
		fds[0].events = POLLIN;
		if (e->t.res)
			nfds += resolver_pollfds(e->t.res, fds + 1, POLL_FDS_MAX - 1);
		timeout = next_wakeup_ms(e, now, 1000);
		if (e->t.res) {
			int rt = resolver_timeout_ms(e->t.res, timeout);

			if (rt >= 0 && rt < timeout)
				timeout = rt;
		}
		if (poll(fds, nfds, timeout) < 0 && errno != EINTR) {
			err = -errno;
			fprintf(stderr, "xhop: poll: %s\n", strerror(errno));
			return err;
		}
		if (e->t.res)
			resolver_process(e->t.res, fds + 1, nfds - 1);
	}
}

/* After SIGINT: show every TTL up to the last one that heard anything */
static void render_partial(struct engine *e)
{
	struct trace *t = &e->t;
	struct path *p = &t->path;
	int last = 0;

	for (int ttl = p->first_ttl; ttl <= p->max_ttl; ttl++) {
		for (int q = 0; q < p->queries; q++) {
			struct hop_probe *pr = path_probe(p, ttl, q);

			if (pr->state == PROBE_SENT)
				pr->state = PROBE_LOST; /* cut short: unanswered */
			if (pr->state == PROBE_ANSWERED)
				last = ttl;
		}
	}
	if (p->final_ttl && last > p->final_ttl)
		last = p->final_ttl;
	for (int ttl = t->last_ttl ? t->last_ttl + 1 : p->first_ttl; ttl <= last; ttl++) {
		e->r->hop(e->r->ctx, t, ttl);
		t->last_ttl = ttl;
	}
}

int trace_main(const struct trace_opts *o, const struct trace_renderer *r)
{
	struct engine *e;
	int rc, err;

	e = calloc(1, sizeof(*e));
	if (!e) {
		fprintf(stderr, "xhop: out of memory\n");
		return 1;
	}
	e->t.o = o;
	e->r = r;
	e->wait_ns = (__u64)(o->wait_s * NS_PER_S);
	e->sim_queries = o->method == METHOD_TCP && !o->sim_set ? 1 : o->sim_queries;
	loader_set_verbose(o->verbose);

	if (privs_check()) {
		rc = 1;
		goto out_free;
	}
	rc = engine_prepare(e);
	if (rc)
		goto out_path;
	rc = 1;
	if (loader_start(&e->ld, e->t.ifindex, &e->key, e->t.o->method == METHOD_ICMP ? 0 : e->t.sport,
			 probe_method_proto(e->t.family, e->t.o->method),
			 on_event, e))
		goto out_path;
	/* after the receiver: the generator rides on it, trials are answered */
	if (open_sender(e))
		goto out_loader;
	warmup(e);
	clock_gettime(CLOCK_REALTIME, &e->t.start);
	e->t.real_offset_ns = clock_real_offset_ns();
	r->start(r->ctx, &e->t);

	err = engine_loop(e);
	loader_consume(&e->ld);
	if (xhop_stop || err)
		render_partial(e); /* what was measured before the stop */
	finish_reason(e);
	if (err)
		e->t.stop_reason = STOP_ERROR;
	r->end(r->ctx, &e->t);
	rc = xhop_stop ? signals_exit_code() : err ? 1 : 0;

	sender_close(&e->tx);
out_loader:
	loader_stop(&e->ld); /* detaches XDP and tcx */
out_path:
	path_free(&e->t.path);
	if (e->t.res)
		resolver_free(e->t.res);
out_free:
	free(e);
	return rc;
}
