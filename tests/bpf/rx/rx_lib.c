// SPDX-License-Identifier: GPL-2.0
/*
 * One frame through a loaded receiver and the checks of what it wrote.
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
#define XHOP_TEST_PART /* the counts live in test_rx.c */
#include "xhop_test.h"
#include "xhop_proto.h"
#include "pkt.h"
#include "recv/loader.h"
#include "core/probe_build.h"
#include "rx.h"

struct xhop_event got[GOT_MAX];
int n_got;
/* test_ring_reuse(): events with a byte left over from an earlier record */
int check_clean, n_dirty;

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

int on_event(void *ctx, const struct xhop_event *ev)
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
const struct xhop_key key = { 0x0123456789abcdefULL, 0xfedcba9876543210ULL };
const struct xhop_key key_other = { 0x1111111111111111ULL, 0x2222222222222222ULL };
struct loader ld, ld_other;

/* runs of ld's program that the kernel accepted, and how many it dropped */
__u64 n_runs, n_drops;

const char *const method_label[] = { "icmp", "udp", "tcp" };

/* The first len bytes of p through l's XDP program */
struct rx rx_run_ctx(struct loader *l, const struct pkt *p, size_t len,
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
__u32 verdict_ours(const struct xhop_event *ev)
{
	return ev->kind == XHOP_EV_TCP && (ev->tcp_flags & XHOP_TCP_SYN) ? XDP_PASS : XDP_DROP;
}

struct rx rx_run(struct loader *l, const struct pkt *p, size_t len)
{
	return rx_run_ctx(l, p, len, NULL);
}

const char *verdict(__u32 v)
{
	return v == XDP_PASS ? "XDP_PASS" : v == XDP_DROP ? "XDP_DROP" : "other";
}

/* Not ours: XDP_PASS, no event, the frame untouched */
void expect_pass(const char *what, const struct pkt *p)
{
	struct rx r = rx_run(&ld, p, p->len);

	EXPECT(r.err == 0, "%s: test run: %s", what, strerror(-r.err));
	EXPECT(r.retval == XDP_PASS, "%s: verdict %s", what, verdict(r.retval));
	EXPECT(r.n == 0, "%s: %d events", what, r.n);
	EXPECT(r.same, "%s: passed frame changed", what);
}

/* Ours: exactly one event, which is returned, and verdict_ours() */
const struct xhop_event *expect_ours_on(struct loader *l, const char *what,
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

const struct xhop_event *expect_ours(const char *what, const struct pkt *p)
{
	return expect_ours_on(&ld, what, p);
}

size_t probe_hlen(const struct probe *pr)
{
	return pr->ps.family == 6 ? 40 : 20;
}

/* A Time Exceeded for pr from the router at probe_hop() */
void reply_te(struct pkt *p, const struct probe *pr, size_t quote_len)
{
	struct in6_addr hop = probe_hop(pr->ps.family);
	__u8 type = pr->ps.family == 6 ? XHOP_ICMP6_TIME_EXCEED : XHOP_ICMP_TIME_EXCEEDED;

	pkt_icmp_error(p, &hop, &pr->ps.src, type, 0, pr->b, pr->len, quote_len);
}

__u8 next_reply_ttl(void)
{
	static __u8 ttl = 200;

	return ttl = ttl >= 250 ? 200 : ttl + 1;
}

/* The fields every reply to pr shares; the caller adds the reply's own */
struct want want_for(const struct probe *pr, const struct pkt *p, __u8 kind)
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

void check_event(const char *what, const struct xhop_event *ev, const struct want *w)
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

__u64 delta(const __u64 *a, const __u64 *b, int i)
{
	return b[i] - a[i];
}

/* Bytes past the first 8 of a quoted probe that a match needs in IPv6 */
size_t extra_v6_quote(int family, int method)
{
	if (family != 6)
		return 0;
	if (method == METHOD_UDP)
		return XHOP_UDP_PAYLOAD_ID_OFF + 2;
	if (method == METHOD_ICMP)
		return XHOP_ICMP_PAYLOAD_MAC_OFF + 2;
	return 0;
}
