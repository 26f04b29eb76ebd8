// SPDX-License-Identifier: GPL-2.0
/*
 * The XDP receiver, frame by frame through bpf_prog_test_run_opts: every
 * reply type for every method and family, the fields of the event it
 * writes, and everything that must pass untouched with no event: other
 * runs' replies, forgeries, truncations, foreign traffic.
 *
 * A test run is synchronous: ring_buffer__consume() right after it sees
 * exactly the events of that run. Nothing here sends a packet.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "xhop_test.h"
#include "xhop_proto.h"
#include "pkt.h"
#include "engine/loader.h"
#include "core/probe_build.h"

#define GOT_MAX 8

static struct xhop_event got[GOT_MAX];
static int n_got;
/* test_ring_reuse(): events with a byte left over from an earlier record */
static int check_clean, n_dirty;

/*
 * The fields of an IPv6 echo reply's or TCP answer's record that must be
 * zero: no quote, labels or IPv4 ID; no TCP flags for ICMP, no ICMP type
 * for TCP
 */
static int event_dirty(const struct xhop_event *ev)
{
	return ev->mpls[0] || ev->mpls[1] || ev->mpls[2] || ev->mpls[3] || ev->mpls_count ||
	       ev->q_ttl || ev->q_tos || ev->q_ipl || ev->reply_ipid || ev->icmp_code ||
	       ev->_pad[0] || (ev->kind == XHOP_EV_TCP ? ev->icmp_type : ev->tcp_flags);
}

static int on_event(void *ctx, const struct xhop_event *ev)
{
	(void)ctx;
	if (n_got < GOT_MAX)
		got[n_got] = *ev;
	n_got++;
	if (check_clean && event_dirty(ev)) {
		if (!n_dirty)
			got[0] = *ev; /* the first, for the report */
		n_dirty++;
	}
	return 0;
}

/* this run's key, and another xhop run's */
static const struct xhop_key key = { 0x0123456789abcdefULL, 0xfedcba9876543210ULL };
static const struct xhop_key key_other = { 0x1111111111111111ULL, 0x2222222222222222ULL };
static struct loader ld, ld_other;

/* runs of ld's program that the kernel accepted, and how many it dropped */
static __u64 n_runs, n_drops;

static const char *const method_name[] = { "icmp", "udp", "tcp" };

struct rx {
	int err;      /* 0 or -errno of the test run */
	__u32 retval; /* XDP verdict */
	int n;	      /* events it wrote */
	int same;     /* data_out is the input, byte for byte */
};

/* The first len bytes of p through l's XDP program */
static struct rx rx_run_ctx(struct loader *l, const struct pkt *p, size_t len,
			    struct xdp_md *ctx)
{
	static __u8 out[PKT_MAX + 64];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p->data, .data_size_in = len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);
	struct rx r = { 0 };

	if (ctx) {
		opts.ctx_in = ctx;
		opts.ctx_size_in = sizeof(*ctx);
	}
	memset(out, 0xa5, sizeof(out));
	n_got = 0;
	r.err = bpf_prog_test_run_opts(loader_prog_fd_rx(l), &opts);
	loader_consume(l);
	r.retval = opts.retval;
	r.n = n_got;
	r.same = opts.data_size_out == len && !memcmp(out, p->data, len);
	if (!r.err && l == &ld) {
		n_runs++;
		n_drops += r.n; /* what the stats call ours: every recorded answer */
	}
	return r;
}

/*
 * The verdict an answer of ours gets: XDP_DROP, except a SYN-ACK, which
 * also goes to our stack so that it resets the target's half-open
 * connection on the probe's 4-tuple.
 */
static __u32 verdict_ours(const struct xhop_event *ev)
{
	return ev->kind == XHOP_EV_TCP && (ev->tcp_flags & XHOP_TCP_SYN) ? XDP_PASS : XDP_DROP;
}

static struct rx rx_run(struct loader *l, const struct pkt *p, size_t len)
{
	return rx_run_ctx(l, p, len, NULL);
}

static const char *verdict(__u32 v)
{
	return v == XDP_PASS ? "XDP_PASS" : v == XDP_DROP ? "XDP_DROP" : "other";
}

/* Not ours: XDP_PASS, no event, the frame untouched */
static void expect_pass(const char *what, const struct pkt *p)
{
	struct rx r = rx_run(&ld, p, p->len);

	EXPECT(r.err == 0, "%s: test run: %s", what, strerror(-r.err));
	EXPECT(r.retval == XDP_PASS, "%s: verdict %s", what, verdict(r.retval));
	EXPECT(r.n == 0, "%s: %d events", what, r.n);
	EXPECT(r.same, "%s: passed frame changed", what);
}

/* Ours: exactly one event, which is returned, and verdict_ours() */
static const struct xhop_event *expect_ours_on(struct loader *l, const char *what,
					       const struct pkt *p)
{
	struct rx r = rx_run(l, p, p->len);

	EXPECT(r.err == 0, "%s: test run: %s", what, strerror(-r.err));
	EXPECT(r.n == 1, "%s: %d events", what, r.n);
	EXPECT(r.n == 1 && r.retval == verdict_ours(&got[0]), "%s: verdict %s", what,
	       verdict(r.retval));
	EXPECT(r.same, "%s: frame changed", what);
	return r.n == 1 ? &got[0] : NULL;
}

static const struct xhop_event *expect_ours(const char *what, const struct pkt *p)
{
	return expect_ours_on(&ld, what, p);
}

/* ---- probes ---------------------------------------------------------- */








static size_t probe_hlen(const struct probe *pr)
{
	return pr->ps.family == 6 ? 40 : 20;
}

/* A Time Exceeded for pr from the router at probe_hop() */
static void reply_te(struct pkt *p, const struct probe *pr, size_t quote_len)
{
	struct in6_addr hop = probe_hop(pr->ps.family);
	__u8 type = pr->ps.family == 6 ? XHOP_ICMP6_TIME_EXCEED : XHOP_ICMP_TIME_EXCEEDED;

	pkt_icmp_error(p, &hop, &pr->ps.src, type, 0, pr->b, pr->len, quote_len);
}

/* What a well-formed event must hold */
struct want {
	struct in6_addr from, dst;
	__u16 probe_id, ip_len, q_ipl, reply_ipid;
	__u8 kind, family, proto, icmp_type, icmp_code, reply_ttl, reply_tos, q_ttl, q_tos;
	__u8 tcp_flags, mpls_count;
};

static __u8 next_reply_ttl(void)
{
	static __u8 ttl = 200;

	return ttl = ttl >= 250 ? 200 : ttl + 1;
}

/* The fields every reply to pr shares; the caller adds the reply's own */
static struct want want_for(const struct probe *pr, const struct pkt *p, __u8 kind)
{
	struct want w = {
		.dst = pr->ps.dst,
		.probe_id = pr->ps.probe_id,
		.ip_len = p->len - pkt_l3_off(p),
		.kind = kind,
		.family = pr->ps.family,
		.proto = probe_method_proto(pr->ps.family, pr->ps.method),
		.reply_ttl = pr->ps.family == 6 ? pkt_ip6((struct pkt *)p)->ip6_hlim
						: pkt_ip4((struct pkt *)p)->ttl,
		.reply_ipid = pr->ps.family == 6 ? 0 : 4321, /* pkt.c's reply IP ID */
		.reply_tos = pr->ps.family == 6 ? 0 : 0xc0,
	};
	return w;
}

static void check_event(const char *what, const struct xhop_event *ev, const struct want *w)
{
	static const __u8 zero[sizeof(ev->mpls)];

	if (!ev)
		return; /* already counted as a failure */
	EXPECT(ev->kind == w->kind, "%s: kind %u, want %u", what, ev->kind, w->kind);
	EXPECT(ev->probe_id == w->probe_id, "%s: probe_id %u, want %u", what, ev->probe_id,
	       w->probe_id);
	EXPECT(!memcmp(ev->dst, &w->dst, 16), "%s: wrong dst", what);
	EXPECT(!memcmp(ev->from, &w->from, 16), "%s: wrong from", what);
	EXPECT(ev->family == w->family, "%s: family %u, want %u", what, ev->family, w->family);
	EXPECT(ev->proto == w->proto, "%s: proto %u, want %u", what, ev->proto, w->proto);
	EXPECT(ev->icmp_type == w->icmp_type && ev->icmp_code == w->icmp_code,
	       "%s: icmp %u/%u, want %u/%u", what, ev->icmp_type, ev->icmp_code, w->icmp_type,
	       w->icmp_code);
	EXPECT(ev->q_ttl == w->q_ttl, "%s: q_ttl %u, want %u", what, ev->q_ttl, w->q_ttl);
	EXPECT(ev->q_tos == w->q_tos, "%s: q_tos %#x, want %#x", what, ev->q_tos, w->q_tos);
	EXPECT(ev->q_ipl == w->q_ipl, "%s: q_ipl %u, want %u", what, ev->q_ipl, w->q_ipl);
	EXPECT(ev->reply_ttl == w->reply_ttl, "%s: reply_ttl %u, want %u", what, ev->reply_ttl,
	       w->reply_ttl);
	EXPECT(ev->reply_tos == w->reply_tos, "%s: reply_tos %#x, want %#x", what, ev->reply_tos,
	       w->reply_tos);
	EXPECT(ev->reply_ipid == w->reply_ipid, "%s: reply_ipid %u, want %u", what,
	       ev->reply_ipid, w->reply_ipid);
	EXPECT(ev->ip_len == w->ip_len, "%s: ip_len %u, want %u", what, ev->ip_len, w->ip_len);
	EXPECT(ev->tcp_flags == w->tcp_flags, "%s: tcp_flags %#x, want %#x", what, ev->tcp_flags,
	       w->tcp_flags);
	EXPECT(ev->mpls_count == w->mpls_count, "%s: mpls_count %u, want %u", what,
	       ev->mpls_count, w->mpls_count);
	if (!w->mpls_count)
		EXPECT(!memcmp(ev->mpls, zero, sizeof(zero)), "%s: mpls[] not zeroed", what);
	EXPECT(ev->ts_ns != 0, "%s: no timestamp", what);
	/* a test run without a context arrives on the loopback device */
	EXPECT(ev->ifindex == 1, "%s: ifindex %u, want 1", what, ev->ifindex);
	EXPECT(ev->_pad[0] == 0, "%s: padding %#x", what, ev->_pad[0]);
}

/* ---- every reply type, every method, both families -------------------- */

static const struct err_case {
	const char *name;
	__u8 type4, code4, type6, code6;
	__u8 kind;
	int from_target; /* sent by the probe's destination, not a router */
} err_cases[] = {
	{ "time-exceeded", XHOP_ICMP_TIME_EXCEEDED, 0, XHOP_ICMP6_TIME_EXCEED, 0, XHOP_EV_TTL, 0 },
	{ "port-unreach", XHOP_ICMP_DEST_UNREACH, XHOP_ICMP_PORT_UNREACH, XHOP_ICMP6_DEST_UNREACH,
	  XHOP_ICMP6_PORT_UNREACH, XHOP_EV_UNREACH, 1 },
	{ "host-unreach", XHOP_ICMP_DEST_UNREACH, XHOP_ICMP_HOST_UNREACH, XHOP_ICMP6_DEST_UNREACH,
	  XHOP_ICMP6_ADDR_UNREACH, XHOP_EV_UNREACH, 0 },
	{ "net-unreach", XHOP_ICMP_DEST_UNREACH, XHOP_ICMP_NET_UNREACH, XHOP_ICMP6_DEST_UNREACH,
	  XHOP_ICMP6_NOROUTE, XHOP_EV_UNREACH, 0 },
	{ "admin-prohibited", XHOP_ICMP_DEST_UNREACH, XHOP_ICMP_PKT_FILTERED,
	  XHOP_ICMP6_DEST_UNREACH, XHOP_ICMP6_ADM_PROHIBITED, XHOP_EV_UNREACH, 0 },
	{ "host-prohibited", XHOP_ICMP_DEST_UNREACH, XHOP_ICMP_HOST_ANO, XHOP_ICMP6_DEST_UNREACH,
	  XHOP_ICMP6_POLICY_FAIL, XHOP_EV_UNREACH, 0 },
};

#define N_ERR_CASES (sizeof(err_cases) / sizeof(err_cases[0]))

static void test_reply_matrix(void)
{
	__u16 id = 100;

	for (int family = 4; family <= 6; family += 2) {
		for (int m = METHOD_ICMP; m <= METHOD_TCP; m++) {
			for (size_t e = 0; e < N_ERR_CASES; e++) {
				const struct err_case *ec = &err_cases[e];
				int te = ec->kind == XHOP_EV_TTL;
				struct in6_addr from;
				struct probe pr;
				struct pkt p;
				struct want w;
				char what[96];

				/* quotes as they arrived: an expiring probe has TTL 1 */
				probe_make(&pr, family, m, ++id, te ? 5 : 9, &key);
				from = ec->from_target ? pr.ps.dst : probe_hop(family);
				pkt_icmp_error(&p, &from, &pr.ps.src, family == 6 ? ec->type6 : ec->type4,
					       family == 6 ? ec->code6 : ec->code4, pr.b, pr.len, 0);
				pkt_set_ttl(&p, next_reply_ttl());
				snprintf(what, sizeof(what), "v%d %s %s", family, method_name[m],
					 ec->name);
				w = want_for(&pr, &p, ec->kind);
				w.from = from;
				w.icmp_type = family == 6 ? ec->type6 : ec->type4;
				w.icmp_code = family == 6 ? ec->code6 : ec->code4;
				w.q_ttl = te ? 1 : 9;
				w.q_tos = 0x20;
				w.q_ipl = pr.len;
				check_event(what, expect_ours(what, &p), &w);
			}
			if (m == METHOD_ICMP) {
				struct probe pr;
				struct pkt p;
				struct want w;
				char what[64];

				probe_make(&pr, family, m, ++id, 30, &key);
				pkt_echo_reply(&p, pr.b, pr.len);
				pkt_set_ttl(&p, next_reply_ttl());
				snprintf(what, sizeof(what), "v%d icmp echo-reply", family);
				w = want_for(&pr, &p, XHOP_EV_ECHO);
				w.from = pr.ps.dst;
				w.icmp_type = family == 6 ? XHOP_ICMP6_ECHO_REPLY : XHOP_ICMP_ECHOREPLY;
				check_event(what, expect_ours(what, &p), &w);
			}
			if (m == METHOD_TCP) {
				static const __u8 flags[] = { XHOP_TCP_SYN | XHOP_TCP_ACK,
							      XHOP_TCP_RST | XHOP_TCP_ACK };

				for (int f = 0; f < 2; f++) {
					struct probe pr;
					struct pkt p;
					struct want w;
					char what[64];

					probe_make(&pr, family, m, ++id, 30, &key);
					pkt_tcp_answer(&p, pr.b, pr.len, flags[f]);
					pkt_set_ttl(&p, next_reply_ttl());
					snprintf(what, sizeof(what), "v%d tcp %s", family,
						 f ? "rst-ack" : "syn-ack");
					w = want_for(&pr, &p, XHOP_EV_TCP);
					w.from = pr.ps.dst;
					w.tcp_flags = flags[f];
					check_event(what, expect_ours(what, &p), &w);
				}
			}
		}
	}
}

/* The same frames, answering probes of another xhop run: not ours */
static void test_other_run(void)
{
	for (int family = 4; family <= 6; family += 2) {
		for (int m = METHOD_ICMP; m <= METHOD_TCP; m++) {
			struct probe pr;
			struct pkt p;
			char what[64];

			probe_make(&pr, family, m, 777, 4, &key_other);
			reply_te(&p, &pr, 0);
			snprintf(what, sizeof(what), "v%d %s other run's TE", family, method_name[m]);
			expect_pass(what, &p);
			/* control: the frame is fine, just not ours */
			expect_ours_on(&ld_other, what, &p);

			if (m == METHOD_ICMP)
				pkt_echo_reply(&p, pr.b, pr.len);
			else if (m == METHOD_TCP)
				pkt_tcp_answer(&p, pr.b, pr.len, XHOP_TCP_SYN | XHOP_TCP_ACK);
			else
				continue;
			snprintf(what, sizeof(what), "v%d %s other run's answer", family,
				 method_name[m]);
			expect_pass(what, &p);
			expect_ours_on(&ld_other, what, &p);
		}
	}
}

/* ---- forged and foreign ---------------------------------------------- */

static void test_forged_quotes(void)
{
	for (int family = 4; family <= 6; family += 2) {
		for (int m = METHOD_ICMP; m <= METHOD_TCP; m++) {
			struct in6_addr other_dst = pkt_addr(family == 6 ? "2001:2:0:ff::78"
									 : "198.19.0.78");
			struct probe pr;
			struct pkt p;
			char what[80];

			/* the id moved, the MAC did not */
			probe_make(&pr, family, m, 500, 4, &key);
			pkt_probe_set_id(pr.b, pr.len, 501);
			reply_te(&p, &pr, 0);
			snprintf(what, sizeof(what), "v%d %s TE wrong probe id", family, method_name[m]);
			expect_pass(what, &p);

			probe_make(&pr, family, m, 500, 4, &key);
			pkt_probe_set_dst(pr.b, &other_dst);
			reply_te(&p, &pr, 0);
			snprintf(what, sizeof(what), "v%d %s TE wrong quoted dst", family,
				 method_name[m]);
			expect_pass(what, &p);

			/* an answer from someone other than the destination */
			probe_make(&pr, family, m, 502, 30, &key);
			if (m == METHOD_UDP)
				continue;
			if (m == METHOD_ICMP)
				pkt_echo_reply(&p, pr.b, pr.len);
			else
				pkt_tcp_answer(&p, pr.b, pr.len, XHOP_TCP_SYN | XHOP_TCP_ACK);
			if (family == 6)
				memcpy(&pkt_ip6(&p)->ip6_src, &other_dst, 16);
			else
				memcpy(&pkt_ip4(&p)->saddr, &other_dst.s6_addr[12], 4);
			pkt_fix(&p);
			snprintf(what, sizeof(what), "v%d %s answer from elsewhere", family,
				 method_name[m]);
			expect_pass(what, &p);

			/* the answer echoes another probe id */
			pkt_probe_set_id(pr.b, pr.len, 503);
			if (m == METHOD_ICMP)
				pkt_echo_reply(&p, pr.b, pr.len);
			else
				pkt_tcp_answer(&p, pr.b, pr.len, XHOP_TCP_SYN | XHOP_TCP_ACK);
			snprintf(what, sizeof(what), "v%d %s answer wrong probe id", family,
				 method_name[m]);
			expect_pass(what, &p);
		}
	}
}

static void test_foreign_icmp(void)
{
	for (int family = 4; family <= 6; family += 2) {
		struct in6_addr me = probe_src(family), peer = pkt_addr(family == 6 ? "2001:2::99"
										   : "198.18.0.99");
		__u8 req = family == 6 ? XHOP_ICMP6_ECHO_REQUEST : XHOP_ICMP_ECHO;
		__u8 rep = family == 6 ? XHOP_ICMP6_ECHO_REPLY : XHOP_ICMP_ECHOREPLY;
		struct probe pr;
		struct pkt p;
		char what[80];

		/* someone pings us; someone else's ping(8) is answered */
		pkt_echo(&p, &peer, &me, req, 0x4d2, 1, 56);
		snprintf(what, sizeof(what), "v%d ping to us", family);
		expect_pass(what, &p);
		pkt_echo(&p, &peer, &me, rep, 0x4d2, 1, 56);
		snprintf(what, sizeof(what), "v%d foreign echo reply", family);
		expect_pass(what, &p);
		pkt_echo(&p, &peer, &me, rep, 0, 0, 0);
		snprintf(what, sizeof(what), "v%d empty echo reply", family);
		expect_pass(what, &p);

		/* one of our probes itself arriving (a request, not an answer) */
		probe_make(&pr, family, METHOD_ICMP, 600, 30, &key);
		pkt_wrap_eth(&p, pr.b, pr.len);
		snprintf(what, sizeof(what), "v%d our echo request looped", family);
		expect_pass(what, &p);

		/* quoting a valid probe does not make every ICMP type ours */
		static const __u8 types4[][2] = { { 5, 1 },  /* redirect host */
						  { 4, 0 },  /* source quench */
						  { 12, 0 }, /* parameter problem */
						  { 14, 0 }, /* timestamp reply */
						  { 8, 0 },  /* echo request */
						  { 42, 0 } }; /* extended echo */
		static const __u8 types6[][2] = { { XHOP_ICMP6_PACKET_TOO_BIG, 0 },
						  { 4, 0 },   /* parameter problem */
						  { 137, 0 }, /* redirect */
						  { 135, 0 }, /* neighbour solicitation */
						  { 128, 0 }, /* echo request */
						  { 161, 0 } }; /* extended echo reply */
		for (int m = METHOD_ICMP; m <= METHOD_TCP; m++) {
			struct in6_addr hop = probe_hop(family);

			probe_make(&pr, family, m, 601, 4, &key);
			for (int t = 0; t < 6; t++) {
				const __u8 *tc = family == 6 ? types6[t] : types4[t];

				pkt_icmp_error(&p, &hop, &me, tc[0], tc[1], pr.b, pr.len, 0);
				snprintf(what, sizeof(what), "v%d %s ICMP type %u quoting a probe",
					 family, method_name[m], tc[0]);
				expect_pass(what, &p);
			}
		}

		/* a quoted echo that is not our request */
		probe_make(&pr, family, METHOD_ICMP, 602, 4, &key);
		pr.b[probe_hlen(&pr)] = rep;
		reply_te(&p, &pr, 0);
		snprintf(what, sizeof(what), "v%d TE quoting an echo reply", family);
		expect_pass(what, &p);
		probe_make(&pr, family, METHOD_ICMP, 602, 4, &key);
		pr.b[probe_hlen(&pr) + 1] = 1; /* code */
		reply_te(&p, &pr, 0);
		snprintf(what, sizeof(what), "v%d TE quoting echo code 1", family);
		expect_pass(what, &p);

		/* the quoted protocol field lies: an echo claimed as UDP, UDP as TCP */
		probe_make(&pr, family, METHOD_ICMP, 603, 4, &key);
		pr.b[family == 6 ? 6 : 9] = family == 6 ? XHOP_IPPROTO_ICMP : XHOP_IPPROTO_ICMPV6;
		reply_te(&p, &pr, 0);
		snprintf(what, sizeof(what), "v%d TE quoting echo of the other ICMP", family);
		expect_pass(what, &p);
		probe_make(&pr, family, METHOD_UDP, 604, 4, &key);
		pr.b[family == 6 ? 6 : 9] = XHOP_IPPROTO_TCP;
		reply_te(&p, &pr, 0);
		snprintf(what, sizeof(what), "v%d TE quoting UDP claimed TCP", family);
		expect_pass(what, &p);

		/* the quote is not an IP header of its family */
		probe_make(&pr, family, METHOD_UDP, 605, 4, &key);
		reply_te(&p, &pr, 0);
		p.data[pkt_quote_off(&p)] = (p.data[pkt_quote_off(&p)] & 0x0f) |
					    (family == 6 ? 4 : 6) << 4;
		pkt_fix(&p);
		snprintf(what, sizeof(what), "v%d TE quoting IP version %d", family,
			 family == 6 ? 4 : 6);
		expect_pass(what, &p);

		/* the target sends a request carrying our id and seq: no answer */
		probe_make(&pr, family, METHOD_ICMP, 606, 30, &key);
		pkt_echo_reply(&p, pr.b, pr.len);
		((__u8 *)pkt_l4(&p))[0] = req;
		pkt_fix(&p);
		snprintf(what, sizeof(what), "v%d echo request echoing a probe", family);
		expect_pass(what, &p);
	}
}

static void test_foreign_other(void)
{
	for (int family = 4; family <= 6; family += 2) {
		struct in6_addr me = probe_src(family), peer = pkt_addr(family == 6 ? "2001:2::99"
										   : "198.18.0.99");
		struct probe pr;
		struct pkt p;
		char what[80];

		pkt_udp(&p, &peer, &me, 53, 41234, 48);
		snprintf(what, sizeof(what), "v%d DNS answer", family);
		expect_pass(what, &p);
		probe_make(&pr, family, METHOD_UDP, 700, 30, &key);
		pkt_wrap_eth(&p, pr.b, pr.len);
		snprintf(what, sizeof(what), "v%d our UDP probe looped", family);
		expect_pass(what, &p);

		/* an IPv6 EtherType over a header of another version */
		if (family == 6) {
			probe_make(&pr, 6, METHOD_UDP, 705, 4, &key);
			reply_te(&p, &pr, 0);
			p.data[pkt_l3_off(&p)] = 0x40 | (p.data[pkt_l3_off(&p)] & 0x0f);
			expect_pass("v6 reply with version 4", &p);
		}

		/* TCP that answers nothing of ours, around a real probe */
		probe_make(&pr, family, METHOD_TCP, 701, 30, &key);
		static const struct {
			__u8 flags;
			const char *name;
		} bad_flags[] = {
			{ XHOP_TCP_SYN, "SYN" },
			{ XHOP_TCP_RST, "RST" },
			{ XHOP_TCP_ACK, "ACK" },
			{ XHOP_TCP_ACK | XHOP_TCP_PSH, "PSH|ACK" },
			{ XHOP_TCP_FIN | XHOP_TCP_ACK, "FIN|ACK" },
			{ XHOP_TCP_SYN | XHOP_TCP_FIN | XHOP_TCP_ACK, "SYN|FIN|ACK" },
			{ 0, "no flags" },
		};
		for (size_t i = 0; i < sizeof(bad_flags) / sizeof(bad_flags[0]); i++) {
			pkt_tcp_answer(&p, pr.b, pr.len, bad_flags[i].flags);
			snprintf(what, sizeof(what), "v%d TCP %s to a probe", family,
				 bad_flags[i].name);
			expect_pass(what, &p);
		}
		for (int d = -1; d <= 2; d += 2) { /* ack = seq, ack = seq + 2 */
			struct xhop_tcphdr *th;

			pkt_tcp_answer(&p, pr.b, pr.len, XHOP_TCP_SYN | XHOP_TCP_ACK);
			th = pkt_l4(&p);
			th->ack_seq = htonl(ntohl(th->ack_seq) + d);
			pkt_fix(&p);
			snprintf(what, sizeof(what), "v%d SYN-ACK ack %+d", family, d);
			expect_pass(what, &p);
		}
		{
			struct xhop_tcphdr *th;

			pkt_tcp_answer(&p, pr.b, pr.len, XHOP_TCP_SYN | XHOP_TCP_ACK);
			th = pkt_l4(&p);
			th->source = htons(ntohs(th->source) + 1);
			pkt_fix(&p);
			snprintf(what, sizeof(what), "v%d SYN-ACK from another port", family);
			expect_pass(what, &p);
		}
		pkt_tcp(&p, &peer, &me, 443, 51000, 1, 2, XHOP_TCP_SYN | XHOP_TCP_ACK);
		snprintf(what, sizeof(what), "v%d someone's SYN-ACK", family);
		expect_pass(what, &p);
		/* the frame of a probe to us: a SYN with a valid MAC is no answer */
		pkt_wrap_eth(&p, pr.b, pr.len);
		snprintf(what, sizeof(what), "v%d our SYN looped", family);
		expect_pass(what, &p);
	}
	{
		struct in6_addr a = pkt_addr("198.18.0.99"), b = pkt_addr("198.18.0.1");
		struct probe pr;
		struct pkt p;

		pkt_arp(&p, &a, &b);
		expect_pass("ARP", &p);
		/* a valid reply behind an EtherType that is not IP */
		probe_make(&pr, 4, METHOD_ICMP, 702, 4, &key);
		reply_te(&p, &pr, 0);
		p.data[12] = 0x88, p.data[13] = 0xb5; /* local experimental */
		expect_pass("TE behind EtherType 0x88b5", &p);
		/* IPv4 in an IPv6 EtherType and the reverse */
		reply_te(&p, &pr, 0);
		p.data[12] = 0x86, p.data[13] = 0xdd;
		expect_pass("IPv4 TE framed as IPv6", &p);
		probe_make(&pr, 6, METHOD_ICMP, 703, 4, &key);
		reply_te(&p, &pr, 0);
		p.data[12] = 0x08, p.data[13] = 0x00;
		expect_pass("IPv6 TE framed as IPv4", &p);
		/* an IPv4 packet carrying ICMPv6 */
		probe_make(&pr, 4, METHOD_ICMP, 704, 4, &key);
		reply_te(&p, &pr, 0);
		pkt_ip4(&p)->protocol = XHOP_IPPROTO_ICMPV6;
		pkt_fix(&p);
		expect_pass("IPv4 carrying protocol 58", &p);
	}
}

/*
 * Every bit of the MAC counts: a quote or answer whose tag differs from
 * the right one in a single bit is not ours.
 */
static void test_mac_bits(void)
{
	for (int family = 4; family <= 6; family += 2) {
		for (int m = METHOD_ICMP; m <= METHOD_TCP; m++) {
			size_t bad_te = 0, bad_answer = 0;

			for (int bit = 0; bit < 16; bit++) {
				struct probe pr;
				struct pkt p;
				struct rx r;

				probe_make(&pr, family, m, 650 + bit, 4, &key);
				pkt_probe_xor_mac(pr.b, pr.len, 1u << bit);
				reply_te(&p, &pr, 0);
				r = rx_run(&ld, &p, p.len);
				bad_te += r.err || r.retval != XDP_PASS || r.n || !r.same;
				if (m == METHOD_UDP)
					continue;
				if (m == METHOD_ICMP)
					pkt_echo_reply(&p, pr.b, pr.len);
				else
					pkt_tcp_answer(&p, pr.b, pr.len, XHOP_TCP_SYN | XHOP_TCP_ACK);
				r = rx_run(&ld, &p, p.len);
				bad_answer += r.err || r.retval != XDP_PASS || r.n || !r.same;
			}
			EXPECT(bad_te == 0, "v%d %s: %zu of 16 one-bit MAC errors in a TE taken", family,
			       method_name[m], bad_te);
			EXPECT(bad_answer == 0, "v%d %s: %zu of 16 one-bit MAC errors in an answer taken",
			       family, method_name[m], bad_answer);
		}
	}
}

/*
 * A UDP probe whose MAC is 0 carries 0xffff (RFC 768's form of a computed
 * 0; an IPv4 0 means "no checksum"). Find one by search, about one id in
 * 65536, then check both forms.
 */
/*
 * ICMP's MAC has a low half too: in the IPv4 ID (what IPv4 errors quote)
 * and in payload bytes 2-3 (what echo replies echo and ICMPv6 errors
 * quote). A wrong bit in whichever one the reply carries must not pass;
 * one in the copy the reply does not carry changes nothing.
 */
static void test_mac_low_half(void)
{
	for (int family = 4; family <= 6; family += 2) {
		size_t bad_te = 0, bad_echo = 0, bad_other = 0;

		for (int bit = 0; bit < 16; bit++) {
			struct probe pr;
			struct pkt p;
			struct rx r;

			/* the copy the reply carries: IPv4 ID for v4 errors, payload otherwise */
			probe_make(&pr, family, METHOD_ICMP, 670 + bit, 4, &key);
			if (family == 4)
				pkt_probe_xor_ipid(pr.b, 1u << bit);
			else
				pkt_probe_xor_bytes(pr.b, pr.len, 40 + 8 +
						    XHOP_ICMP_PAYLOAD_MAC_OFF, 1u << bit);
			reply_te(&p, &pr, 0);
			r = rx_run(&ld, &p, p.len);
			bad_te += r.err || r.retval != XDP_PASS || r.n || !r.same;

			probe_make(&pr, family, METHOD_ICMP, 690 + bit, 30, &key);
			pkt_probe_xor_bytes(pr.b, pr.len, (family == 6 ? 40 : 20) + 8 +
					    XHOP_ICMP_PAYLOAD_MAC_OFF, 1u << bit);
			pkt_echo_reply(&p, pr.b, pr.len);
			r = rx_run(&ld, &p, p.len);
			bad_echo += r.err || r.retval != XDP_PASS || r.n || !r.same;

			/* v4 errors read the ID, not the payload copy */
			if (family == 4) {
				probe_make(&pr, family, METHOD_ICMP, 710 + bit, 4, &key);
				pkt_probe_xor_bytes(pr.b, pr.len, 20 + 8 + XHOP_ICMP_PAYLOAD_MAC_OFF,
						    1u << bit);
				reply_te(&p, &pr, 0);
				r = rx_run(&ld, &p, p.len);
				bad_other += r.err || r.retval != XDP_DROP || r.n != 1;
			}
		}
		EXPECT(bad_te == 0, "v%d: %zu of 16 low-half errors in a TE taken", family, bad_te);
		EXPECT(bad_echo == 0, "v%d: %zu of 16 low-half errors in an echo reply taken", family,
		       bad_echo);
		EXPECT(bad_other == 0, "v%d: %zu of 16 payload-copy errors refused a v4 TE", family,
		       bad_other);
	}
}

static void test_udp_mac_zero(void)
{
	for (int family = 4; family <= 6; family += 2) {
		struct in6_addr dst = probe_dst(family);
		int found = 0;
		__u16 sport = 40000 + METHOD_UDP, id = 0;

		for (; !found && sport < 40000 + METHOD_UDP + 64; sport++) {
			__u32 ports = (__u32)sport << 16 | 33434;

			for (id = 1; id; id++)
				if (!(xhop_probe_mac(&key, dst.s6_addr, XHOP_IPPROTO_UDP, ports, id) & 0xffff)) {
					found = 1;
					break;
				}
		}
		sport--;
		EXPECT(found, "v%d: no UDP probe with MAC 0 found", family);
		if (!found)
			continue;
		{
			struct probe pr;
			struct pkt p;
			struct xhop_udphdr *uh;
			const struct xhop_event *ev;
			char what[80];

			memset(&pr, 0, sizeof(pr));
			pr.ps = (struct probe_spec){ .family = family, .method = METHOD_UDP,
						     .probe_id = id, .ttl = 4, .size = 60,
						     .src = probe_src(family), .dst = dst,
						     .sport = sport, .dport = 33434 };
			pr.len = probe_build(&pr.ps, &key, pr.b, sizeof(pr.b));
			uh = (struct xhop_udphdr *)(pr.b + probe_hlen(&pr));
			EXPECT(uh->check == 0xffff, "v%d id %u: checksum %#x", family, id,
			       ntohs(uh->check));
			reply_te(&p, &pr, 0);
			snprintf(what, sizeof(what), "v%d UDP id %u MAC 0 as 0xffff", family, id);
			ev = expect_ours(what, &p);
			EXPECT(ev && ev->probe_id == id, "%s: probe_id %u", what, ev ? ev->probe_id : 0);
			uh->check = 0;
			reply_te(&p, &pr, 0);
			snprintf(what, sizeof(what), "v%d UDP id %u MAC 0 as 0", family, id);
			expect_pass(what, &p);
		}
	}
}

/* ---- quotes of the RFC 792 minimum ------------------------------------ */

/* Bytes past the first 8 of a quoted probe that a match needs in IPv6 */
static size_t extra_v6_quote(int family, int method)
{
	if (family != 6)
		return 0;
	if (method == METHOD_UDP)
		return XHOP_UDP_PAYLOAD_ID_OFF + 2;
	if (method == METHOD_ICMP)
		return XHOP_ICMP_PAYLOAD_MAC_OFF + 2;
	return 0;
}

static void test_min_quote(void)
{
	for (int family = 4; family <= 6; family += 2) {
		for (int m = METHOD_ICMP; m <= METHOD_TCP; m++) {
			/* RFC 792: the IP header and 8 bytes; in IPv6, UDP also
			 * needs the 2-byte probe id that follows and ICMP the
			 * low MAC half at payload bytes 2-3 (no IPv4 ID there)
			 */
			size_t need = (family == 6 ? 40 : 20) + 8 + extra_v6_quote(family, m);
			struct probe pr;
			struct pkt p;
			struct want w;
			char what[80];

			probe_make(&pr, family, m, 800 + m, 4, &key);
			reply_te(&p, &pr, need);
			pkt_set_ttl(&p, next_reply_ttl());
			snprintf(what, sizeof(what), "v%d %s quote of %zu", family, method_name[m],
				 need);
			w = want_for(&pr, &p, XHOP_EV_TTL);
			w.from = probe_hop(family);
			w.icmp_type = family == 6 ? XHOP_ICMP6_TIME_EXCEED : XHOP_ICMP_TIME_EXCEEDED;
			w.q_ttl = 1;
			w.q_tos = 0x20;
			w.q_ipl = pr.len; /* the quoted header still tells the whole size */
			check_event(what, expect_ours(what, &p), &w);

			/* the full quote, but the IP length ends one byte
			 * short: the last byte is an Ethernet trailer, no
			 * part of the quote, so it is not enough either
			 */
			reply_te(&p, &pr, need);
			{
				size_t lo = ETH_HLEN + (family == 6 ? 4 : 2);
				__u16 l = (p.data[lo] << 8 | p.data[lo + 1]) - 1;

				p.data[lo] = l >> 8;
				p.data[lo + 1] = l & 0xff;
			}
			snprintf(what, sizeof(what), "v%d %s quote of %zu, last byte a trailer",
				 family, method_name[m], need);
			expect_pass(what, &p);

			/* one quoted byte fewer is not enough */
			reply_te(&p, &pr, need - 1);
			snprintf(what, sizeof(what), "v%d %s quote of %zu", family, method_name[m],
				 need - 1);
			expect_pass(what, &p);
		}
	}
}

/* ---- truncation: every length of the frame ----------------------------- */

/*
 * min: the shortest prefix holding every byte the program needs. Shorter:
 * XDP_PASS, untouched, no event. From there on: consumed. The kernel
 * refuses test frames shorter than an Ethernet header.
 */
static void check_truncation(const char *what, const struct pkt *p, size_t min, __u16 id)
{
	size_t cut, first = 0, bad = 0, bad_cut = 0;
	int found = 0;

	for (cut = 0; cut <= p->len; cut++) {
		struct rx r = rx_run(&ld, p, cut);
		int ok;

		if (cut < ETH_HLEN)
			ok = r.n == 0 && (r.err == -EINVAL || (!r.err && r.retval == XDP_PASS));
		else if (cut < min)
			ok = !r.err && r.retval == XDP_PASS && r.n == 0 && r.same;
		else
			ok = !r.err && r.n == 1 && r.retval == verdict_ours(&got[0]) && got[0].probe_id == id;
		if (r.n && !found) {
			found = 1;
			first = cut;
		}
		if (!ok && !bad++)
			bad_cut = cut;
	}
	EXPECT(found && first == min, "%s: first consumed at %zu of %zu, want %zu", what, first,
	       p->len, min);
	EXPECT(bad == 0, "%s: %zu lengths wrong, the first %zu", what, bad, bad_cut);
}

static void test_truncation(void)
{
	for (int family = 4; family <= 6; family += 2) {
		size_t ip = family == 6 ? 40 : 20;

		for (int m = METHOD_ICMP; m <= METHOD_TCP; m++) {
			size_t extra = extra_v6_quote(family, m);
			struct probe pr;
			struct pkt p;
			char what[80];

			/* v4 ICMP: 14 + 20 + 8 + 20 + 8 */
			probe_make(&pr, family, m, 900 + m, 4, &key);
			reply_te(&p, &pr, 0);
			snprintf(what, sizeof(what), "v%d %s TE truncated", family, method_name[m]);
			check_truncation(what, &p, ETH_HLEN + ip + 8 + ip + 8 + extra, 900 + m);

			pkt_icmp_error(&p, &pr.ps.dst, &pr.ps.src,
				       family == 6 ? XHOP_ICMP6_DEST_UNREACH : XHOP_ICMP_DEST_UNREACH,
				       family == 6 ? XHOP_ICMP6_PORT_UNREACH : XHOP_ICMP_PORT_UNREACH,
				       pr.b, pr.len, 0);
			snprintf(what, sizeof(what), "v%d %s unreach truncated", family,
				 method_name[m]);
			check_truncation(what, &p, ETH_HLEN + ip + 8 + ip + 8 + extra, 900 + m);
		}
		{
			struct probe pr;
			struct pkt p;
			char what[80];

			probe_make(&pr, family, METHOD_ICMP, 910, 30, &key);
			pkt_echo_reply(&p, pr.b, pr.len);
			snprintf(what, sizeof(what), "v%d echo reply truncated", family);
			/* the echoed payload holds the MAC's low half */
			check_truncation(what, &p, ETH_HLEN + ip + 8 + XHOP_ICMP_PAYLOAD_MAC_OFF + 2, 910);

			probe_make(&pr, family, METHOD_TCP, 911, 30, &key);
			pkt_tcp_answer(&p, pr.b, pr.len, XHOP_TCP_SYN | XHOP_TCP_ACK);
			snprintf(what, sizeof(what), "v%d SYN-ACK truncated", family);
			check_truncation(what, &p, ETH_HLEN + ip + 20, 911);

			/* tagged, with options or extension headers before the ICMP */
			probe_make(&pr, family, METHOD_UDP, 912, 4, &key);
			reply_te(&p, &pr, 0);
			pkt_vlan_push(&p, XHOP_ETH_P_8021Q, 7);
			pkt_vlan_push(&p, XHOP_ETH_P_8021AD, 8);
			if (family == 4) {
				pkt_ip4_options(&p, pkt_l3_off(&p), 40);
				pkt_ip4_options(&p, pkt_quote_off(&p), 12);
				check_truncation("v4 udp TE QinQ, ihl 15, quoted ihl 8", &p,
						 ETH_HLEN + 8 + 60 + 8 + 32 + 8, 912);
			} else {
				pkt_ip6_ext_push(&p, XHOP_IPPROTO_DSTOPTS, 16);
				pkt_ip6_ext_push(&p, XHOP_IPPROTO_HOPOPTS, 8);
				check_truncation("v6 udp TE QinQ, HBH, DSTOPTS", &p,
						 ETH_HLEN + 8 + 40 + 8 + 16 + 8 + 40 + 8 + 2, 912);
			}
		}
	}
}

/* ---- IPv4 options, forged ihl, fragments ------------------------------- */

static void test_ip4_header(void)
{
	struct in6_addr hop = probe_hop(4);
	__u64 before[XHOP_STAT_MAX], after[XHOP_STAT_MAX];
	struct probe pr;
	struct pkt p;
	struct want w;
	char what[80];

	for (int m = METHOD_ICMP; m <= METHOD_TCP; m++) {
		for (int ihl = 6; ihl <= 15; ihl++) {
			size_t opt = (ihl - 5) * 4;

			/* options on the router's reply */
			probe_make(&pr, 4, m, 1000 + ihl, 4, &key);
			reply_te(&p, &pr, 0);
			pkt_ip4_options(&p, pkt_l3_off(&p), opt);
			pkt_set_ttl(&p, next_reply_ttl());
			snprintf(what, sizeof(what), "v4 %s reply ihl %d", method_name[m], ihl);
			w = want_for(&pr, &p, XHOP_EV_TTL);
			w.from = hop;
			w.icmp_type = XHOP_ICMP_TIME_EXCEEDED;
			w.q_ttl = 1;
			w.q_tos = 0x20;
			w.q_ipl = pr.len;
			check_event(what, expect_ours(what, &p), &w);

			/* options on the probe as quoted, with only 8 bytes after them */
			reply_te(&p, &pr, 28);
			pkt_ip4_options(&p, pkt_quote_off(&p), opt);
			pkt_set_ttl(&p, next_reply_ttl());
			snprintf(what, sizeof(what), "v4 %s quoted ihl %d", method_name[m], ihl);
			w = want_for(&pr, &p, XHOP_EV_TTL);
			w.from = hop;
			w.icmp_type = XHOP_ICMP_TIME_EXCEEDED;
			w.q_ttl = 1;
			w.q_tos = 0x20;
			w.q_ipl = pr.len + opt;
			check_event(what, expect_ours(what, &p), &w);
		}
	}

	/* ihl < 5 is forged: nothing is read by guesswork */
	loader_stats(&ld, before);
	probe_make(&pr, 4, METHOD_ICMP, 1020, 4, &key);
	for (int ihl = 0; ihl < 5; ihl++) {
		reply_te(&p, &pr, 0);
		pkt_ip4(&p)->ihl = ihl;
		snprintf(what, sizeof(what), "v4 reply ihl %d", ihl);
		expect_pass(what, &p);
	}
	reply_te(&p, &pr, 0);
	pkt_ip4(&p)->version = 6;
	expect_pass("v4 reply with version 6", &p);
	loader_stats(&ld, after);
	EXPECT(after[XHOP_STAT_RX_MALFORMED] - before[XHOP_STAT_RX_MALFORMED] == 6,
	       "forged outer headers: malformed +%llu, want +6",
	       (unsigned long long)(after[XHOP_STAT_RX_MALFORMED] - before[XHOP_STAT_RX_MALFORMED]));
	for (int ihl = 0; ihl < 5; ihl++) {
		reply_te(&p, &pr, 0);
		p.data[pkt_quote_off(&p)] = 0x40 | ihl;
		pkt_fix(&p);
		snprintf(what, sizeof(what), "v4 quoted ihl %d", ihl);
		expect_pass(what, &p);
	}
	/* a quoted ihl reaching past the quote */
	reply_te(&p, &pr, 28);
	p.data[pkt_quote_off(&p)] = 0x4f;
	pkt_fix(&p);
	expect_pass("v4 quoted ihl 15 in a 28-byte quote", &p);

	/* fragments of the reply: not whole, not ours to read */
	reply_te(&p, &pr, 0);
	pkt_ip4(&p)->frag_off = htons(IP_MF);
	pkt_fix(&p);
	expect_pass("v4 reply MF", &p);
	reply_te(&p, &pr, 0);
	pkt_ip4(&p)->frag_off = htons(1);
	pkt_fix(&p);
	expect_pass("v4 reply offset 8", &p);
	reply_te(&p, &pr, 0);
	pkt_ip4(&p)->frag_off = htons(IP_DF);
	pkt_fix(&p);
	expect_ours("v4 reply DF", &p);

	/* a quoted later fragment has no transport header; a first one has */
	reply_te(&p, &pr, 0);
	((struct iphdr *)(p.data + pkt_quote_off(&p)))->frag_off = htons(0x0010);
	pkt_fix(&p);
	expect_pass("v4 quoted fragment offset 128", &p);
	reply_te(&p, &pr, 0);
	((struct iphdr *)(p.data + pkt_quote_off(&p)))->frag_off = htons(IP_MF);
	pkt_fix(&p);
	expect_ours("v4 quoted first fragment", &p);
}

/* ---- IPv6 extension headers ------------------------------------------- */

static void test_ip6_ext(void)
{
	static const struct {
		const char *name;
		__u8 chain[5]; /* outermost first */
		size_t len[5];
		int n;
		int ours;
	} cases[] = {
		{ "hop-by-hop", { XHOP_IPPROTO_HOPOPTS }, { 8 }, 1, 1 },
		{ "dstopts", { XHOP_IPPROTO_DSTOPTS }, { 16 }, 1, 1 },
		{ "routing", { XHOP_IPPROTO_ROUTING }, { 24 }, 1, 1 },
		{ "hbh+routing+dstopts",
		  { XHOP_IPPROTO_HOPOPTS, XHOP_IPPROTO_ROUTING, XHOP_IPPROTO_DSTOPTS },
		  { 8, 24, 8 }, 3, 1 },
		{ "4 headers (the walk's limit)",
		  { XHOP_IPPROTO_HOPOPTS, XHOP_IPPROTO_DSTOPTS, XHOP_IPPROTO_ROUTING,
		    XHOP_IPPROTO_DSTOPTS },
		  { 8, 8, 24, 8 }, 4, 1 },
		{ "5 headers",
		  { XHOP_IPPROTO_HOPOPTS, XHOP_IPPROTO_DSTOPTS, XHOP_IPPROTO_ROUTING,
		    XHOP_IPPROTO_DSTOPTS, XHOP_IPPROTO_DSTOPTS },
		  { 8, 8, 24, 8, 8 }, 5, 0 },
		{ "fragment", { XHOP_IPPROTO_FRAGMENT }, { 8 }, 1, 0 },
		{ "hop-by-hop+fragment", { XHOP_IPPROTO_HOPOPTS, XHOP_IPPROTO_FRAGMENT }, { 8, 8 },
		  2, 0 },
		{ "hop-by-hop of 256 bytes", { XHOP_IPPROTO_HOPOPTS }, { 256 }, 1, 1 },
	};

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		for (int r = 0; r < 3; r++) { /* TE, echo reply, SYN-ACK */
			int m = r == 0 ? METHOD_UDP : r == 1 ? METHOD_ICMP : METHOD_TCP;
			struct probe pr;
			struct pkt p;
			struct want w;
			char what[96];

			probe_make(&pr, 6, m, 1100 + c * 3 + r, r ? 30 : 4, &key);
			if (r == 0)
				reply_te(&p, &pr, 0);
			else if (r == 1)
				pkt_echo_reply(&p, pr.b, pr.len);
			else
				pkt_tcp_answer(&p, pr.b, pr.len, XHOP_TCP_SYN | XHOP_TCP_ACK);
			for (int i = cases[c].n - 1; i >= 0; i--)
				pkt_ip6_ext_push(&p, cases[c].chain[i], cases[c].len[i]);
			pkt_set_ttl(&p, next_reply_ttl());
			snprintf(what, sizeof(what), "v6 %s behind %s",
				 r == 0 ? "TE" : r == 1 ? "echo reply" : "SYN-ACK", cases[c].name);
			if (!cases[c].ours) {
				expect_pass(what, &p);
				continue;
			}
			w = want_for(&pr, &p, r == 0 ? XHOP_EV_TTL : r == 1 ? XHOP_EV_ECHO : XHOP_EV_TCP);
			if (r == 0) {
				w.from = probe_hop(6);
				w.icmp_type = XHOP_ICMP6_TIME_EXCEED;
				w.q_ttl = 1;
				w.q_tos = 0x20;
				w.q_ipl = pr.len;
			} else if (r == 1) {
				w.from = pr.ps.dst;
				w.icmp_type = XHOP_ICMP6_ECHO_REPLY;
			} else {
				w.from = pr.ps.dst;
				w.tcp_flags = XHOP_TCP_SYN | XHOP_TCP_ACK;
			}
			check_event(what, expect_ours(what, &p), &w);
		}
	}
	/* an extension header running past the frame */
	{
		struct probe pr;
		struct pkt p;

		probe_make(&pr, 6, METHOD_UDP, 1150, 4, &key);
		reply_te(&p, &pr, 0);
		pkt_ip6_ext_push(&p, XHOP_IPPROTO_HOPOPTS, 8);
		p.data[pkt_l3_off(&p) + 40 + 1] = 200; /* 1608 bytes claimed */
		expect_pass("v6 hop-by-hop longer than the frame", &p);
	}
}

/* ---- VLAN tags -------------------------------------------------------- */

static void test_vlan(void)
{
	static const struct {
		const char *name;
		__u16 tpid[3]; /* innermost first, as pushed */
		int n;
		int ours;
	} tags[] = {
		{ "802.1Q", { XHOP_ETH_P_8021Q }, 1, 1 },
		{ "802.1ad", { XHOP_ETH_P_8021AD }, 1, 1 },
		{ "QinQ 802.1ad+802.1Q", { XHOP_ETH_P_8021Q, XHOP_ETH_P_8021AD }, 2, 1 },
		{ "double 802.1Q", { XHOP_ETH_P_8021Q, XHOP_ETH_P_8021Q }, 2, 1 },
		{ "three tags",
		  { XHOP_ETH_P_8021Q, XHOP_ETH_P_8021Q, XHOP_ETH_P_8021AD }, 3, 0 },
	};

	for (size_t t = 0; t < sizeof(tags) / sizeof(tags[0]); t++) {
		for (int family = 4; family <= 6; family += 2) {
			for (int r = 0; r < 3; r++) {
				int m = r == 0 ? METHOD_ICMP : r == 1 ? METHOD_ICMP : METHOD_TCP;
				struct probe pr;
				struct pkt p;
				struct want w;
				char what[96];

				probe_make(&pr, family, m, 1200 + t * 8 + family + r, r ? 30 : 4, &key);
				if (r == 0)
					reply_te(&p, &pr, 0);
				else if (r == 1)
					pkt_echo_reply(&p, pr.b, pr.len);
				else
					pkt_tcp_answer(&p, pr.b, pr.len, XHOP_TCP_RST | XHOP_TCP_ACK);
				for (int i = 0; i < tags[t].n; i++)
					pkt_vlan_push(&p, tags[t].tpid[i], 100 + i);
				pkt_set_ttl(&p, next_reply_ttl());
				snprintf(what, sizeof(what), "v%d %s %s", family,
					 r == 0 ? "TE" : r == 1 ? "echo reply" : "RST-ACK", tags[t].name);
				if (!tags[t].ours) {
					expect_pass(what, &p);
					continue;
				}
				w = want_for(&pr, &p,
					     r == 0 ? XHOP_EV_TTL : r == 1 ? XHOP_EV_ECHO : XHOP_EV_TCP);
				if (r == 0) {
					w.from = probe_hop(family);
					w.icmp_type = family == 6 ? XHOP_ICMP6_TIME_EXCEED
								  : XHOP_ICMP_TIME_EXCEEDED;
					w.q_ttl = 1;
					w.q_tos = 0x20;
					w.q_ipl = pr.len;
				} else if (r == 1) {
					w.from = pr.ps.dst;
					w.icmp_type = family == 6 ? XHOP_ICMP6_ECHO_REPLY
								  : XHOP_ICMP_ECHOREPLY;
				} else {
					w.from = pr.ps.dst;
					w.tcp_flags = XHOP_TCP_RST | XHOP_TCP_ACK;
				}
				check_event(what, expect_ours(what, &p), &w);
			}
		}
	}
	{
		struct probe pr;
		struct pkt p;

		/* a tag cut off in the middle */
		probe_make(&pr, 4, METHOD_ICMP, 1290, 4, &key);
		reply_te(&p, &pr, 0);
		pkt_vlan_push(&p, XHOP_ETH_P_8021Q, 5);
		p.len = ETH_HLEN + 2;
		expect_pass("802.1Q tag cut short", &p);
	}
}

/* ---- RFC 4950 MPLS label stacks ---------------------------------------- */

/* A TE (or unreach) for a fresh probe with an MPLS object of n entries */
static size_t mpls_reply(struct pkt *p, struct probe *pr, int family, int m, __u16 id,
			 const __u32 *lse, int n, size_t probe_size)
{
	probe_make_size(pr, family, m, id, 4, &key,
			probe_size ? probe_size : family == 6 ? 80 : 60);
	reply_te(p, pr, 0);
	return pkt_icmp_ext_mpls(p, lse, n);
}

static void check_mpls(const char *what, const struct pkt *p, const struct probe *pr,
		       const __u32 *lse, int n)
{
	const struct xhop_event *ev = expect_ours(what, p);

	if (!ev)
		return;
	EXPECT(ev->probe_id == pr->ps.probe_id, "%s: probe_id %u", what, ev->probe_id);
	EXPECT(ev->kind == XHOP_EV_TTL, "%s: kind %u", what, ev->kind);
	EXPECT(ev->q_ipl == pr->len, "%s: q_ipl %u, want %zu", what, ev->q_ipl, pr->len);
	EXPECT(ev->mpls_count == n, "%s: mpls_count %u, want %d", what, ev->mpls_count, n);
	for (int i = 0; i < XHOP_MPLS_MAX; i++) {
		__u32 want = i < n ? lse[i] : 0;

		EXPECT(ev->mpls[i] == want, "%s: mpls[%d] %#x, want %#x", what, i, ev->mpls[i],
		       want);
	}
}

static void test_mpls(void)
{
	const __u32 one[] = { pkt_mpls_lse(16001, 0, 1, 1) };
	const __u32 two[] = { pkt_mpls_lse(24005, 5, 0, 254), pkt_mpls_lse(16, 0, 1, 1) };
	const __u32 five[] = { pkt_mpls_lse(1000, 1, 0, 9), pkt_mpls_lse(1001, 2, 0, 8),
			       pkt_mpls_lse(1002, 3, 0, 7), pkt_mpls_lse(1003, 4, 0, 6),
			       pkt_mpls_lse(1004, 5, 1, 5) };
	const __u32 early_bos[] = { pkt_mpls_lse(30000, 0, 1, 3), pkt_mpls_lse(30001, 0, 1, 3) };
	struct probe pr;
	struct pkt p;
	char what[96];

	for (int family = 4; family <= 6; family += 2) {
		for (int m = METHOD_ICMP; m <= METHOD_TCP; m++) {
			struct want w;

			mpls_reply(&p, &pr, family, m, 1300 + m, one, 1, 0);
			pkt_set_ttl(&p, next_reply_ttl());
			snprintf(what, sizeof(what), "v%d %s TE 1 label", family, method_name[m]);
			check_mpls(what, &p, &pr, one, 1);
			/* the whole event, labels and all */
			w = want_for(&pr, &p, XHOP_EV_TTL);
			w.from = probe_hop(family);
			w.icmp_type = family == 6 ? XHOP_ICMP6_TIME_EXCEED : XHOP_ICMP_TIME_EXCEEDED;
			w.q_ttl = 1;
			w.q_tos = 0x20;
			w.q_ipl = pr.len;
			w.mpls_count = 1;
			check_event(what, expect_ours(what, &p), &w);

			mpls_reply(&p, &pr, family, m, 1310 + m, two, 2, 0);
			snprintf(what, sizeof(what), "v%d %s TE 2 labels", family, method_name[m]);
			check_mpls(what, &p, &pr, two, 2);
		}

		/* an unreach may carry labels too */
		probe_make(&pr, family, METHOD_UDP, 1320, 9, &key);
		pkt_icmp_error(&p, &pr.ps.dst, &pr.ps.src,
			       family == 6 ? XHOP_ICMP6_DEST_UNREACH : XHOP_ICMP_DEST_UNREACH,
			       family == 6 ? XHOP_ICMP6_PORT_UNREACH : XHOP_ICMP_PORT_UNREACH, pr.b,
			       pr.len, 0);
		pkt_icmp_ext_mpls(&p, two, 2);
		snprintf(what, sizeof(what), "v%d port unreach 2 labels", family);
		{
			const struct xhop_event *ev = expect_ours(what, &p);

			EXPECT(ev && ev->kind == XHOP_EV_UNREACH && ev->mpls_count == 2 &&
				       ev->mpls[0] == two[0] && ev->mpls[1] == two[1],
			       "%s: kind %u, %u labels", what, ev ? ev->kind : 0,
			       ev ? ev->mpls_count : 0);
		}

		/* a quote longer than 128 bytes, its length field says so */
		mpls_reply(&p, &pr, family, METHOD_ICMP, 1321, two, 2, 200);
		snprintf(what, sizeof(what), "v%d 200-byte quote 2 labels", family);
		check_mpls(what, &p, &pr, two, 2);

		/* a length field of 128 plus one unit, not a padded 128 */
		probe_make(&pr, family, METHOD_UDP, 1325, 4, &key);
		reply_te(&p, &pr, 0);
		pkt_icmp_ext_mpls_at(&p, 128 + (family == 6 ? 8 : 4), two, 2);
		snprintf(what, sizeof(what), "v%d original datagram 128 + 1 unit", family);
		check_mpls(what, &p, &pr, two, 2);

		/* the bottom-of-stack bit ends the stack; at most XHOP_MPLS_MAX kept */
		mpls_reply(&p, &pr, family, METHOD_ICMP, 1322, early_bos, 2, 0);
		snprintf(what, sizeof(what), "v%d bottom of stack first", family);
		check_mpls(what, &p, &pr, early_bos, 1);
		mpls_reply(&p, &pr, family, METHOD_ICMP, 1323, five, 5, 0);
		snprintf(what, sizeof(what), "v%d 5 labels", family);
		check_mpls(what, &p, &pr, five, XHOP_MPLS_MAX);

		/* pre-RFC 4884 routers: no length field, a 128-byte quote */
		mpls_reply(&p, &pr, family, METHOD_UDP, 1324, one, 1, 0);
		p.data[pkt_l4_off(&p, NULL) + (family == 6 ? 4 : 5)] = 0;
		pkt_fix(&p);
		snprintf(what, sizeof(what), "v%d no length field, 128-byte quote", family);
		check_mpls(what, &p, &pr, one, 1);

		/* malformed extensions: still the hop, without labels */
		static const char *const broken[] = {
			"version 1", "version 0", "class 2", "c-type 2", "object length 4",
			"object length 0", "length field 64 bytes", "length field past the frame",
			"no object", "object cut short", "label cut short",
		};
		for (size_t b = 0; b < sizeof(broken) / sizeof(broken[0]); b++) {
			size_t icmp, ext;

			ext = mpls_reply(&p, &pr, family, METHOD_UDP, 1330 + b, one, 1, 0);
			icmp = pkt_l4_off(&p, NULL);
			switch (b) {
			case 0:
				p.data[ext] = 1 << 4;
				break;
			case 1:
				p.data[ext] = 0;
				break;
			case 2:
				p.data[ext + 6] = 2;
				break;
			case 3:
				p.data[ext + 7] = 2;
				break;
			case 4:
				p.data[ext + 5] = 4;
				break;
			case 5:
				p.data[ext + 5] = 0;
				break;
			case 6: /* RFC 4884 demands at least 128: a valid object after 64 */
				reply_te(&p, &pr, 0);
				pkt_icmp_ext_mpls_at(&p, 64, one, 1);
				break;
			case 7:
				p.data[icmp + (family == 6 ? 4 : 5)] = family == 6 ? 100 : 255;
				break;
			case 8:
				p.len = ext + 4;
				break;
			case 9:
				p.len = ext + 6;
				break;
			case 10:
				p.len = ext + 8 + 3;
				break;
			}
			pkt_fix(&p);
			snprintf(what, sizeof(what), "v%d MPLS %s", family, broken[b]);
			check_mpls(what, &p, &pr, one, 0);
		}

		/* labels appear exactly when the frame holds them */
		{
			size_t ext = mpls_reply(&p, &pr, family, METHOD_ICMP, 1350, two, 2, 0);
			size_t min = ETH_HLEN + (family == 6 ? 40 + 8 + 40 + 8 : 20 + 8 + 20 + 8) +
				     extra_v6_quote(family, METHOD_ICMP);
			size_t bad = 0, bad_cut = 0;

			for (size_t cut = min; cut <= p.len; cut++) {
				struct rx r = rx_run(&ld, &p, cut);
				int want = cut >= ext + 16 ? 2 : cut >= ext + 12 ? 1 : 0;

				if (!(r.n == 1 && r.retval == XDP_DROP && got[0].mpls_count == want) &&
				    !bad++)
					bad_cut = cut;
			}
			snprintf(what, sizeof(what), "v%d MPLS truncated", family);
			EXPECT(bad == 0, "%s: %zu lengths wrong, the first %zu", what, bad, bad_cut);
		}
	}
}

/* ---- counters, device, clock, ring buffer ------------------------------ */

static __u64 delta(const __u64 *a, const __u64 *b, int i)
{
	return b[i] - a[i];
}

static void test_stats(void)
{
	__u64 before[XHOP_STAT_MAX], after[XHOP_STAT_MAX];
	struct in6_addr a = pkt_addr("198.18.0.99"), b = pkt_addr("198.18.0.1");
	struct probe pr;
	struct pkt p;

	EXPECT(loader_stats(&ld, before) == 0, "loader_stats");
	probe_make(&pr, 4, METHOD_ICMP, 1400, 4, &key);
	reply_te(&p, &pr, 0);
	expect_ours("stats: ours", &p);
	expect_ours("stats: ours again", &p);
	pkt_arp(&p, &a, &b);
	expect_pass("stats: ARP", &p);
	reply_te(&p, &pr, 0);
	pkt_ip4(&p)->ihl = 3;
	expect_pass("stats: ihl 3", &p);
	EXPECT(loader_stats(&ld, after) == 0, "loader_stats");
	EXPECT(delta(before, after, XHOP_STAT_RX_SEEN) == 4, "seen +%llu",
	       (unsigned long long)delta(before, after, XHOP_STAT_RX_SEEN));
	EXPECT(delta(before, after, XHOP_STAT_RX_OURS) == 2, "ours +%llu",
	       (unsigned long long)delta(before, after, XHOP_STAT_RX_OURS));
	EXPECT(delta(before, after, XHOP_STAT_RX_FOREIGN) == 1, "foreign +%llu",
	       (unsigned long long)delta(before, after, XHOP_STAT_RX_FOREIGN));
	EXPECT(delta(before, after, XHOP_STAT_RX_MALFORMED) == 1, "malformed +%llu",
	       (unsigned long long)delta(before, after, XHOP_STAT_RX_MALFORMED));
	EXPECT(delta(before, after, XHOP_STAT_RX_RB_FULL) == 0, "rb_full +%llu",
	       (unsigned long long)delta(before, after, XHOP_STAT_RX_RB_FULL));
	EXPECT(delta(before, after, XHOP_STAT_TX_PROBES) == 0, "tx_probes moved on receive");
}

static void test_device_and_clock(void)
{
	/*
	 * The device named in the context; loopback, as it is the only one a
	 * test can count on, and nothing is sent in a test run anyway.
	 */
	struct xdp_md ctx = { .ingress_ifindex = 1 };
	struct probe pr;
	struct pkt p;
	struct rx r;
	__u64 t0;

	probe_make(&pr, 6, METHOD_TCP, 1500, 30, &key);
	pkt_tcp_answer(&p, pr.b, pr.len, XHOP_TCP_SYN | XHOP_TCP_ACK);
	ctx.data_end = p.len;
	r = rx_run_ctx(&ld, &p, p.len, &ctx);
	EXPECT(!r.err && r.retval == XDP_PASS && r.n == 1, "with ctx (a SYN-ACK: recorded, "
	       "passed): err %d verdict %s n %d", r.err, verdict(r.retval), r.n);
	EXPECT(r.n == 1 && got[0].ifindex == 1, "ifindex %u, want 1", got[0].ifindex);
	t0 = got[0].ts_ns;
	r = rx_run(&ld, &p, p.len);
	EXPECT(r.n == 1 && got[0].ts_ns > t0, "ts_ns %llu after %llu",
	       (unsigned long long)got[0].ts_ns, (unsigned long long)t0);
}

/*
 * Fill the ring buffer without consuming: what userspace cannot see must
 * reach the kernel (XDP_PASS) and be counted, never dropped.
 */
static void test_ring_full(void)
{
	__u64 before[XHOP_STAT_MAX], after[XHOP_STAT_MAX];
	const __u32 repeat = 60000; /* > 4 MiB / (80 + 8) records */
	struct probe pr;
	struct pkt p;
	__u64 ours, full;
	int err;

	probe_make(&pr, 4, METHOD_UDP, 1600, 4, &key);
	reply_te(&p, &pr, 0);
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p.data, .data_size_in = p.len,
		    .repeat = repeat);
	loader_stats(&ld, before);
	n_got = 0;
	err = bpf_prog_test_run_opts(loader_prog_fd_rx(&ld), &opts);
	EXPECT(err == 0, "ring full run: %s", strerror(-err));
	loader_stats(&ld, after);
	ours = delta(before, after, XHOP_STAT_RX_OURS);
	full = delta(before, after, XHOP_STAT_RX_RB_FULL);
	EXPECT(full > 0, "ring never full: ours +%llu", (unsigned long long)ours);
	EXPECT(ours + full == repeat, "ours %llu + full %llu != %u", (unsigned long long)ours,
	       (unsigned long long)full, repeat);
	EXPECT(opts.retval == XDP_PASS, "verdict with a full ring: %s", verdict(opts.retval));
	EXPECT(loader_consume(&ld) >= 0, "consume");
	EXPECT((__u64)n_got == ours, "%d events consumed, %llu counted", n_got,
	       (unsigned long long)ours);
	EXPECT(got[0].probe_id == 1600, "probe_id %u", got[0].probe_id);
	/* drained: consumed again */
	expect_ours("after the ring drained", &p);
	if (!err) {
		n_runs += repeat;
		n_drops += ours;
	}
}

/* repeat runs of p, drained after; the events it wrote */
static int run_lap(const char *what, const struct pkt *p, __u32 repeat, __u32 verdict_want)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p->data, .data_size_in = p->len,
		    .repeat = repeat);
	int err;

	n_got = 0;
	err = bpf_prog_test_run_opts(loader_prog_fd_rx(&ld), &opts);
	EXPECT(err == 0, "%s: test run: %s", what, strerror(errno));
	loader_consume(&ld);
	EXPECT(opts.retval == verdict_want && n_got == (int)repeat, "%s: verdict %s, %d events of %u",
	       what, verdict(opts.retval), n_got, repeat);
	if (!err) {
		n_runs += repeat;
		n_drops += n_got;
	}
	return n_got;
}

/*
 * The receiver writes an answer's record in place, in the reserved ring
 * slot, which holds whatever an earlier record left there: it must write
 * every byte, the zeros too. A lap of records with every field set
 * leaves the ring dirty; then laps of IPv6 echo replies and RST-ACKs,
 * which quote nothing, must come out with zeros where those had values.
 * 88-byte records do not divide the 4 MiB ring: a record lies 40 bytes
 * into the one written a lap earlier, so its labels fall on that one's
 * header and timestamp and its small fields on its source and
 * destination, which is why the dirty answer comes from an address
 * without a zero byte in its last half.
 */
static void test_ring_reuse(void)
{
	const __u32 lap = 47000; /* 88-byte records: 4.14 of the ring's 4.19 MB */
	const __u32 lse[] = { pkt_mpls_lse(0xfffff, 7, 0, 255), pkt_mpls_lse(0xabcde, 5, 0, 254),
			      pkt_mpls_lse(0x12345, 3, 0, 253), pkt_mpls_lse(0xfedcb, 1, 1, 252) };
	struct probe pr;
	struct pkt unreach, echo, rst;

	probe_make(&pr, 6, METHOD_UDP, 1800, 9, &key);
	pr.ps.dst = pkt_addr("2001:2:0:ffff:1111:2222:3333:4444");
	pr.len = probe_build(&pr.ps, &key, pr.b, sizeof(pr.b));
	pkt_icmp_error(&unreach, &pr.ps.dst, &pr.ps.src, XHOP_ICMP6_DEST_UNREACH,
		       XHOP_ICMP6_PORT_UNREACH, pr.b, pr.len, 0);
	pkt_icmp_ext_mpls(&unreach, lse, 4);
	probe_make(&pr, 6, METHOD_ICMP, 1801, 9, &key);
	pkt_echo_reply(&echo, pr.b, pr.len);
	probe_make(&pr, 6, METHOD_TCP, 1802, 9, &key);
	pkt_tcp_answer(&rst, pr.b, pr.len, XHOP_TCP_RST | XHOP_TCP_ACK);

	for (int i = 0; i < 2; i++) {
		const struct pkt *clean = i ? &rst : &echo;

		run_lap("dirty lap", &unreach, lap, XDP_DROP);
		EXPECT(got[0].mpls_count == 4 && got[0].q_ipl && got[0].icmp_code,
		       "the dirty record is not: %u labels", got[0].mpls_count);
		check_clean = 1;
		n_dirty = 0;
		run_lap(i ? "RST-ACK lap" : "echo reply lap", clean, lap, XDP_DROP);
		check_clean = 0;
		EXPECT(n_dirty == 0,
		       "%s: %d records held an earlier record's bytes (first: mpls %#x %#x "
		       "%#x %#x/%u, q %u/%#x/%u, icmp %u/%u, tcp %#x, ipid %u, pad %#x)",
		       i ? "RST-ACK" : "echo reply", n_dirty, got[0].mpls[0], got[0].mpls[1],
		       got[0].mpls[2], got[0].mpls[3], got[0].mpls_count, got[0].q_ttl,
		       got[0].q_tos, got[0].q_ipl, got[0].icmp_type, got[0].icmp_code,
		       got[0].tcp_flags, got[0].reply_ipid, got[0]._pad[0]);
	}
}

/* Many runs of one frame: every one an event; the duration is only shown */
static void test_repeat(void)
{
	const __u32 repeat = 10000;
	struct probe pr;
	struct pkt p;
	int err;

	probe_make(&pr, 6, METHOD_UDP, 1700, 4, &key);
	reply_te(&p, &pr, 0);
	pkt_icmp_ext_mpls(&p, (const __u32[]){ pkt_mpls_lse(16, 0, 1, 1) }, 1);
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p.data, .data_size_in = p.len,
		    .repeat = repeat);
	n_got = 0;
	err = bpf_prog_test_run_opts(loader_prog_fd_rx(&ld), &opts);
	EXPECT(err == 0, "repeat run: %s", strerror(-err));
	loader_consume(&ld);
	EXPECT(opts.retval == XDP_DROP && n_got == (int)repeat, "verdict %s, %d events of %u",
	       verdict(opts.retval), n_got, repeat);
	if (!err) {
		n_runs += repeat;
		n_drops += repeat;
	}
	printf("info: v6 TE with MPLS: %u ns per run (not asserted)\n", opts.duration);
}

int main(void)
{
	__u64 start[XHOP_STAT_MAX], end[XHOP_STAT_MAX];

	if (geteuid() != 0) {
		printf("test_rx: skipped: bpf_prog_test_run needs root\n");
		return TEST_SUMMARY();
	}
	if (loader_open(&ld, &key, on_event, NULL) ||
	    loader_open(&ld_other, &key_other, on_event, NULL)) {
		EXPECT(0, "cannot load the BPF programs");
		return TEST_SUMMARY();
	}
	loader_stats(&ld, start);

	test_reply_matrix();
	test_other_run();
	test_forged_quotes();
	test_mac_bits();
	test_mac_low_half();
	test_udp_mac_zero();
	test_foreign_icmp();
	test_foreign_other();
	test_min_quote();
	test_truncation();
	test_ip4_header();
	test_ip6_ext();
	test_vlan();
	test_mpls();
	test_stats();
	test_device_and_clock();
	test_ring_full();
	test_ring_reuse();
	test_repeat();

	/* every run is counted once, in exactly one outcome */
	loader_stats(&ld, end);
	EXPECT(delta(start, end, XHOP_STAT_RX_SEEN) == n_runs, "seen %llu, runs %llu",
	       (unsigned long long)delta(start, end, XHOP_STAT_RX_SEEN),
	       (unsigned long long)n_runs);
	EXPECT(delta(start, end, XHOP_STAT_RX_OURS) == n_drops, "ours %llu, drops %llu",
	       (unsigned long long)delta(start, end, XHOP_STAT_RX_OURS),
	       (unsigned long long)n_drops);
	EXPECT(delta(start, end, XHOP_STAT_RX_SEEN) ==
		       delta(start, end, XHOP_STAT_RX_OURS) + delta(start, end, XHOP_STAT_RX_FOREIGN) +
			       delta(start, end, XHOP_STAT_RX_MALFORMED) +
			       delta(start, end, XHOP_STAT_RX_RB_FULL),
	       "outcomes do not add up to runs");

	loader_stop(&ld_other);
	loader_stop(&ld);
	return TEST_SUMMARY();
}
