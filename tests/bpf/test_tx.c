// SPDX-License-Identifier: GPL-2.0
/*
 * The tc egress program through bpf_prog_test_run_opts on an __sk_buff:
 * it stamps this run's probes as they leave (XHOP_EV_TX), nothing else,
 * never changes a byte and always returns TC_ACT_UNSPEC so that tcx goes
 * on to the next program or passes the packet.
 *
 * Nothing is sent: a test run hands the frame to the program and back.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "xhop_test.h"
#include "xhop_proto.h"
#include "pkt.h"
#include "recv/loader.h"
#include "core/probe_build.h"

#define GOT_MAX 8

static struct xhop_event got[GOT_MAX];
static int n_got;

static int on_event(void *ctx, const struct xhop_event *ev)
{
	(void)ctx;
	if (n_got < GOT_MAX)
		got[n_got] = *ev;
	n_got++;
	return 0;
}

static const struct xhop_key key = { 0x0123456789abcdefULL, 0xfedcba9876543210ULL };
static const struct xhop_key key_other = { 0x1111111111111111ULL, 0x2222222222222222ULL };
static struct loader ld, ld_other;

/* runs of ld's tc program the kernel accepted, and events they wrote */
static __u64 n_runs, n_events;

static const char *const method_name[] = { "icmp", "udp", "tcp" };

struct tx {
	int err;
	int retval; /* tc action */
	int n;	    /* events */
	int same;   /* data_out is the input */
};

static struct tx tx_run(struct loader *l, const struct pkt *p, size_t len)
{
	static __u8 out[PKT_MAX + 64];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p->data, .data_size_in = len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);
	struct tx t = { 0 };

	memset(out, 0xa5, sizeof(out));
	n_got = 0;
	t.err = bpf_prog_test_run_opts(loader_prog_fd_tx(l), &opts);
	loader_consume(l);
	t.retval = (int)opts.retval;
	t.n = n_got;
	t.same = opts.data_size_out == len && !memcmp(out, p->data, len);
	if (!t.err && l == &ld) {
		n_runs++;
		n_events += t.n;
	}
	return t;
}

/* Not a probe of ours: no event, the frame untouched, TC_ACT_UNSPEC */
static void expect_quiet(const char *what, const struct pkt *p)
{
	struct tx t = tx_run(&ld, p, p->len);

	EXPECT(t.err == 0, "%s: test run: %s", what, strerror(-t.err));
	EXPECT(t.retval == TC_ACT_UNSPEC, "%s: action %d", what, t.retval);
	EXPECT(t.n == 0, "%s: %d events", what, t.n);
	EXPECT(t.same, "%s: frame changed", what);
}

/* A probe of ours: one event, and still untouched and TC_ACT_UNSPEC */
static const struct xhop_event *expect_stamp_on(struct loader *l, const char *what,
						const struct pkt *p)
{
	struct tx t = tx_run(l, p, p->len);

	EXPECT(t.err == 0, "%s: test run: %s", what, strerror(-t.err));
	EXPECT(t.retval == TC_ACT_UNSPEC, "%s: action %d", what, t.retval);
	EXPECT(t.n == 1, "%s: %d events", what, t.n);
	EXPECT(t.same, "%s: frame changed", what);
	return t.n == 1 ? &got[0] : NULL;
}

static const struct xhop_event *expect_stamp(const char *what, const struct pkt *p)
{
	return expect_stamp_on(&ld, what, p);
}






static void probe_frame(struct pkt *p, struct probe *pr, int family, int method, __u16 id,
			const struct xhop_key *k)
{
	probe_make_size(pr, family, method, id, 7, k, family == 6 ? 80 : 60);
	pkt_wrap_eth(p, pr->b, pr->len);
}

static void check_tx(const char *what, const struct xhop_event *ev, const struct probe *pr,
		     size_t ip_len)
{
	static const __u8 zero[16];

	if (!ev)
		return;
	EXPECT(ev->kind == XHOP_EV_TX, "%s: kind %u", what, ev->kind);
	EXPECT(ev->probe_id == pr->ps.probe_id, "%s: probe_id %u, want %u", what, ev->probe_id,
	       pr->ps.probe_id);
	EXPECT(!memcmp(ev->dst, &pr->ps.dst, 16), "%s: wrong dst", what);
	EXPECT(!memcmp(ev->from, &pr->ps.src, 16), "%s: from is not our source", what);
	EXPECT(ev->family == pr->ps.family, "%s: family %u", what, ev->family);
	EXPECT(ev->proto == probe_method_proto(pr->ps.family, pr->ps.method), "%s: proto %u", what,
	       ev->proto);
	EXPECT(ev->q_ttl == pr->ps.ttl, "%s: q_ttl %u, want %u", what, ev->q_ttl, pr->ps.ttl);
	EXPECT(ev->q_tos == pr->ps.tos, "%s: q_tos %#x, want %#x", what, ev->q_tos, pr->ps.tos);
	EXPECT(ev->ip_len == ip_len, "%s: ip_len %u, want %zu", what, ev->ip_len, ip_len);
	/* a test run's skb sits on the loopback device */
	EXPECT(ev->ifindex == 1, "%s: ifindex %u, want 1", what, ev->ifindex);
	EXPECT(ev->ts_ns != 0, "%s: no timestamp", what);
	/* nothing of a reply in a send stamp */
	EXPECT(!ev->icmp_type && !ev->icmp_code && !ev->reply_ttl && !ev->reply_tos &&
		       !ev->reply_ipid && !ev->q_ipl && !ev->tcp_flags && !ev->mpls_count &&
		       !memcmp(ev->mpls, zero, sizeof(ev->mpls)) && !ev->_pad[0],
	       "%s: reply fields set: icmp %u/%u ttl %u ipid %u q_ipl %u flags %#x mpls %u", what,
	       ev->icmp_type, ev->icmp_code, ev->reply_ttl, ev->reply_ipid, ev->q_ipl,
	       ev->tcp_flags, ev->mpls_count);
}

static void test_tx_probes(void)
{
	__u16 id = 100;

	for (int family = 4; family <= 6; family += 2) {
		for (int m = METHOD_ICMP; m <= METHOD_TCP; m++) {
			/* the minimum, a typical and the largest probe */
			const __u16 sizes[] = { 0, family == 6 ? 80 : 60, PROBE_MAX_SIZE };

			for (int s = 0; s < 3; s++) {
				struct probe pr;
				struct pkt p;
				char what[80];

				probe_make_size(&pr, family, m, ++id, 1 + s * 30, &key, sizes[s]);
				pkt_wrap_eth(&p, pr.b, pr.len);
				snprintf(what, sizeof(what), "v%d %s probe of %zu", family,
					 method_name[m], pr.len);
				check_tx(what, expect_stamp(what, &p), &pr, pr.len);
			}
		}
	}
}

static void test_tx_not_ours(void)
{
	for (int family = 4; family <= 6; family += 2) {
		for (int m = METHOD_ICMP; m <= METHOD_TCP; m++) {
			struct in6_addr other = pkt_addr(family == 6 ? "2001:2:0:ff::78"
								     : "198.19.0.78");
			struct probe pr;
			struct pkt p;
			char what[80];
			size_t bad = 0;

			probe_frame(&p, &pr, family, m, 300, &key_other);
			snprintf(what, sizeof(what), "v%d %s other run's probe", family,
				 method_name[m]);
			expect_quiet(what, &p);
			expect_stamp_on(&ld_other, what, &p); /* control */

			probe_make_size(&pr, family, m, 301, 7, &key, 0);
			pkt_probe_set_id(pr.b, pr.len, 302);
			pkt_wrap_eth(&p, pr.b, pr.len);
			snprintf(what, sizeof(what), "v%d %s probe id moved", family, method_name[m]);
			expect_quiet(what, &p);

			probe_make_size(&pr, family, m, 303, 7, &key, 0);
			pkt_probe_set_dst(pr.b, &other);
			pkt_wrap_eth(&p, pr.b, pr.len);
			snprintf(what, sizeof(what), "v%d %s probe dst moved", family, method_name[m]);
			expect_quiet(what, &p);

			for (int bit = 0; bit < 16; bit++) {
				struct tx t;

				probe_make_size(&pr, family, m, 310 + bit, 7, &key, 0);
				pkt_probe_xor_mac(pr.b, pr.len, 1u << bit);
				pkt_wrap_eth(&p, pr.b, pr.len);
				t = tx_run(&ld, &p, p.len);
				bad += t.err || t.n || t.retval != TC_ACT_UNSPEC || !t.same;
			}
			EXPECT(bad == 0, "v%d %s: %zu of 16 one-bit MAC errors stamped", family,
			       method_name[m], bad);
		}
	}
}

/* Of TCP, only the SYN is a probe: our stack's RST to the SYN-ACK is not */
static void test_tx_tcp_flags(void)
{
	static const struct {
		__u8 flags;
		const char *name;
	} flags[] = {
		{ XHOP_TCP_SYN | XHOP_TCP_ACK, "SYN|ACK" }, { XHOP_TCP_RST, "RST" },
		{ XHOP_TCP_RST | XHOP_TCP_ACK, "RST|ACK" }, { XHOP_TCP_ACK, "ACK" },
		{ XHOP_TCP_SYN | 0xc0, "SYN|ECE|CWR" },	    { XHOP_TCP_FIN, "FIN" },
		{ XHOP_TCP_SYN | XHOP_TCP_FIN, "SYN|FIN" }, { 0, "none" },
	};

	for (int family = 4; family <= 6; family += 2) {
		for (size_t f = 0; f < sizeof(flags) / sizeof(flags[0]); f++) {
			struct xhop_tcphdr *th;
			struct probe pr;
			struct pkt p;
			char what[80];

			probe_frame(&p, &pr, family, METHOD_TCP, 400 + f, &key);
			th = pkt_l4(&p);
			th->flags = flags[f].flags;
			pkt_fix(&p);
			snprintf(what, sizeof(what), "v%d our TCP probe as %s", family, flags[f].name);
			expect_quiet(what, &p);
		}
	}
}

static void test_tx_foreign(void)
{
	for (int family = 4; family <= 6; family += 2) {
		struct in6_addr me = probe_src(family), peer = probe_dst(family);
		__u8 req = family == 6 ? XHOP_ICMP6_ECHO_REQUEST : XHOP_ICMP_ECHO;
		struct probe pr;
		struct pkt p;
		char what[80];

		pkt_echo(&p, &me, &peer, req, 0x4d2, 1, 56);
		snprintf(what, sizeof(what), "v%d ping(8) request", family);
		expect_quiet(what, &p);
		pkt_udp(&p, &me, &peer, 41234, 53, 40);
		snprintf(what, sizeof(what), "v%d DNS query", family);
		expect_quiet(what, &p);
		pkt_tcp(&p, &me, &peer, 51000, 443, 12345, 0, XHOP_TCP_SYN);
		snprintf(what, sizeof(what), "v%d someone's SYN", family);
		expect_quiet(what, &p);

		/* our host answering with the probe's fields: not a probe */
		probe_make_size(&pr, family, METHOD_ICMP, 500, 7, &key, 0);
		pkt_echo_reply(&p, pr.b, pr.len);
		snprintf(what, sizeof(what), "v%d echo reply with a probe's id/seq", family);
		expect_quiet(what, &p);
		pkt_icmp_error(&p, &me, &peer,
			       family == 6 ? XHOP_ICMP6_DEST_UNREACH : XHOP_ICMP_DEST_UNREACH,
			       family == 6 ? XHOP_ICMP6_PORT_UNREACH : XHOP_ICMP_PORT_UNREACH, pr.b,
			       pr.len, 0);
		snprintf(what, sizeof(what), "v%d ICMP error quoting a probe", family);
		expect_quiet(what, &p);

		/* echo with a code: not what we send */
		probe_frame(&p, &pr, family, METHOD_ICMP, 501, &key);
		((__u8 *)pkt_l4(&p))[1] = 1;
		snprintf(what, sizeof(what), "v%d echo request code 1", family);
		expect_quiet(what, &p);
		/* the protocol field does not match the header */
		probe_frame(&p, &pr, family, METHOD_ICMP, 502, &key);
		if (family == 6)
			pkt_ip6(&p)->ip6_nxt = XHOP_IPPROTO_ICMP;
		else
			pkt_ip4(&p)->protocol = XHOP_IPPROTO_ICMPV6;
		pkt_fix(&p);
		snprintf(what, sizeof(what), "v%d echo under the other ICMP", family);
		expect_quiet(what, &p);
	}
	{
		struct in6_addr a = probe_src(4), b = probe_dst(4);
		struct probe pr;
		struct pkt p;

		pkt_arp(&p, &a, &b);
		expect_quiet("ARP", &p);
		probe_frame(&p, &pr, 4, METHOD_UDP, 510, &key);
		p.data[12] = 0x88, p.data[13] = 0xb5;
		expect_quiet("probe behind EtherType 0x88b5", &p);
		probe_frame(&p, &pr, 6, METHOD_UDP, 511, &key);
		p.data[pkt_l3_off(&p)] = 0x40 | (p.data[pkt_l3_off(&p)] & 0x0f);
		expect_quiet("v6 probe with version 4", &p);
		/* we send no IPv6 extension headers */
		probe_frame(&p, &pr, 6, METHOD_UDP, 512, &key);
		pkt_ip6_ext_push(&p, XHOP_IPPROTO_HOPOPTS, 8);
		expect_quiet("v6 probe behind hop-by-hop", &p);
	}
}

static void test_tx_ip4_header(void)
{
	struct probe pr;
	struct pkt p;
	char what[80];

	for (int m = METHOD_ICMP; m <= METHOD_TCP; m++) {
		for (int ihl = 6; ihl <= 15; ihl++) {
			probe_frame(&p, &pr, 4, m, 600 + m * 16 + ihl, &key);
			pkt_ip4_options(&p, pkt_l3_off(&p), (ihl - 5) * 4);
			snprintf(what, sizeof(what), "v4 %s probe ihl %d", method_name[m], ihl);
			check_tx(what, expect_stamp(what, &p), &pr, pr.len + (ihl - 5) * 4);
		}
	}
	probe_frame(&p, &pr, 4, METHOD_UDP, 650, &key);
	for (int ihl = 0; ihl < 5; ihl++) {
		pkt_wrap_eth(&p, pr.b, pr.len);
		pkt_ip4(&p)->ihl = ihl;
		snprintf(what, sizeof(what), "v4 probe ihl %d", ihl);
		expect_quiet(what, &p);
	}
	pkt_wrap_eth(&p, pr.b, pr.len);
	pkt_ip4(&p)->version = 6;
	expect_quiet("v4 probe with version 6", &p);
	/* fragments: we never fragment a probe; a later one has no ports */
	static const struct {
		__u16 frag;
		const char *name;
		int ours;
	} frags[] = {
		{ 0x2000, "MF", 0 }, { 0x0001, "offset 8", 0 }, { 0x1fff, "offset max", 0 },
		{ 0x4000, "DF", 1 }, { 0x8000, "reserved bit", 1 },
	};
	for (size_t f = 0; f < sizeof(frags) / sizeof(frags[0]); f++) {
		pkt_wrap_eth(&p, pr.b, pr.len);
		pkt_ip4(&p)->frag_off = htons(frags[f].frag);
		pkt_fix(&p);
		snprintf(what, sizeof(what), "v4 probe %s", frags[f].name);
		if (frags[f].ours)
			check_tx(what, expect_stamp(what, &p), &pr, pr.len);
		else
			expect_quiet(what, &p);
	}
}

static void test_tx_vlan(void)
{
	for (int family = 4; family <= 6; family += 2) {
		for (int tags = 1; tags <= 3; tags++) {
			struct probe pr;
			struct pkt p;
			char what[80];

			probe_frame(&p, &pr, family, METHOD_TCP, 700 + family * 4 + tags, &key);
			for (int i = 0; i < tags; i++)
				pkt_vlan_push(&p, i == tags - 1 && tags > 1 ? XHOP_ETH_P_8021AD
									   : XHOP_ETH_P_8021Q,
					      10 + i);
			snprintf(what, sizeof(what), "v%d probe with %d VLAN tags", family, tags);
			if (tags <= 2) /* the parser walks two */
				check_tx(what, expect_stamp(what, &p), &pr, pr.len);
			else
				expect_quiet(what, &p);
		}
	}
}

/*
 * Every length of the frame: from min bytes on, the probe is recognised
 * (every field the MAC covers is there; of TCP the whole header, for the
 * flags). The kernel refuses skb test frames shorter than an Ethernet
 * header and, for an IP EtherType, than the IP header too (EINVAL).
 */
static void test_tx_truncation(void)
{
	for (int family = 4; family <= 6; family += 2) {
		size_t ip = family == 6 ? 40 : 20;

		for (int m = METHOD_ICMP; m <= METHOD_TCP; m++) {
			/* IPv6 keeps the probe id (UDP) or the MAC's low half
			 * (ICMP) in the payload, IPv4 in the IP ID
			 */
			size_t min = ETH_HLEN + ip + (m == METHOD_TCP ? 20 : 8) +
				     (family == 6 && m == METHOD_UDP ? 2 : 0) +
				     (family == 6 && m == METHOD_ICMP ? XHOP_ICMP_PAYLOAD_MAC_OFF + 2 : 0);
			size_t first = 0, bad = 0, bad_cut = 0;
			struct probe pr;
			struct pkt p;
			int found = 0;

			probe_frame(&p, &pr, family, m, 800 + m, &key);
			for (size_t cut = 0; cut <= p.len; cut++) {
				struct tx t = tx_run(&ld, &p, cut);
				int ok;

				if (cut < ETH_HLEN + ip)
					ok = t.n == 0 && (t.err == -EINVAL ||
							  (!t.err && t.retval == TC_ACT_UNSPEC));
				else
					ok = !t.err && t.retval == TC_ACT_UNSPEC && t.same &&
					     t.n == (cut >= min) &&
					     (cut < min || got[0].probe_id == 800 + m);
				if (t.n && !found) {
					found = 1;
					first = cut;
				}
				if (!ok && !bad++)
					bad_cut = cut;
			}
			EXPECT(found && first == min, "v%d %s: first stamped at %zu of %zu, want %zu",
			       family, method_name[m], first, p.len, min);
			EXPECT(bad == 0, "v%d %s: %zu lengths wrong, the first %zu", family,
			       method_name[m], bad, bad_cut);
		}
	}
}

static __u64 delta(const __u64 *a, const __u64 *b, int i)
{
	return b[i] - a[i];
}

static void test_tx_stats(void)
{
	__u64 before[XHOP_STAT_MAX], after[XHOP_STAT_MAX];
	struct in6_addr a = probe_src(4), b = probe_dst(4);
	struct probe pr;
	struct pkt p;

	EXPECT(loader_stats(&ld, before) == 0, "loader_stats");
	probe_frame(&p, &pr, 6, METHOD_UDP, 900, &key);
	expect_stamp("stats: probe", &p);
	expect_stamp("stats: probe again", &p);
	pkt_arp(&p, &a, &b);
	expect_quiet("stats: ARP", &p);
	EXPECT(loader_stats(&ld, after) == 0, "loader_stats");
	EXPECT(delta(before, after, XHOP_STAT_TX_PROBES) == 2, "tx_probes +%llu",
	       (unsigned long long)delta(before, after, XHOP_STAT_TX_PROBES));
	EXPECT(delta(before, after, XHOP_STAT_TX_RB_FULL) == 0, "tx_rb_full +%llu",
	       (unsigned long long)delta(before, after, XHOP_STAT_TX_RB_FULL));
	for (int i = XHOP_STAT_RX_SEEN; i <= XHOP_STAT_RX_RB_FULL; i++)
		EXPECT(delta(before, after, i) == 0, "receive counter %d moved on send", i);
}

/* A full ring loses stamps, counted, and never changes the action */
static void test_tx_ring_full(void)
{
	__u64 before[XHOP_STAT_MAX], after[XHOP_STAT_MAX];
	const __u32 repeat = 60000; /* > 4 MiB / (80 + 8) records */
	struct probe pr;
	struct pkt p;
	__u64 probes, full;
	int err;

	probe_frame(&p, &pr, 4, METHOD_ICMP, 950, &key);
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p.data, .data_size_in = p.len,
		    .repeat = repeat);
	loader_stats(&ld, before);
	n_got = 0;
	err = bpf_prog_test_run_opts(loader_prog_fd_tx(&ld), &opts);
	EXPECT(err == 0, "ring full run: %s", strerror(-err));
	loader_stats(&ld, after);
	probes = delta(before, after, XHOP_STAT_TX_PROBES);
	full = delta(before, after, XHOP_STAT_TX_RB_FULL);
	EXPECT(probes == repeat, "tx_probes +%llu of %u", (unsigned long long)probes, repeat);
	EXPECT(full > 0 && full < repeat, "tx_rb_full +%llu", (unsigned long long)full);
	EXPECT((int)opts.retval == TC_ACT_UNSPEC, "action with a full ring %d", (int)opts.retval);
	EXPECT(loader_consume(&ld) >= 0, "consume");
	EXPECT((__u64)n_got == probes - full, "%d stamps consumed, %llu written", n_got,
	       (unsigned long long)(probes - full));
	EXPECT(got[0].probe_id == 950 && got[0].kind == XHOP_EV_TX, "first stamp id %u kind %u",
	       got[0].probe_id, got[0].kind);
	expect_stamp("after the ring drained", &p);
	if (!err) {
		n_runs += repeat;
		n_events += probes - full;
	}
}

static void test_tx_repeat(void)
{
	const __u32 repeat = 10000;
	struct probe pr;
	struct pkt p;
	int err;

	probe_frame(&p, &pr, 6, METHOD_TCP, 960, &key);
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p.data, .data_size_in = p.len,
		    .repeat = repeat);
	n_got = 0;
	err = bpf_prog_test_run_opts(loader_prog_fd_tx(&ld), &opts);
	EXPECT(err == 0, "repeat run: %s", strerror(-err));
	loader_consume(&ld);
	EXPECT((int)opts.retval == TC_ACT_UNSPEC && n_got == (int)repeat,
	       "action %d, %d stamps of %u", (int)opts.retval, n_got, repeat);
	if (!err) {
		n_runs += repeat;
		n_events += n_got;
	}
	printf("info: v6 TCP probe stamp: %u ns per run (not asserted)\n", opts.duration);
}

int main(void)
{
	__u64 start[XHOP_STAT_MAX], end[XHOP_STAT_MAX];

	if (geteuid() != 0) {
		printf("test_tx: skipped: bpf_prog_test_run needs root\n");
		return TEST_SUMMARY();
	}
	if (loader_open(&ld, &key, on_event, NULL) ||
	    loader_open(&ld_other, &key_other, on_event, NULL)) {
		EXPECT(0, "cannot load the BPF programs");
		return TEST_SUMMARY();
	}
	loader_stats(&ld, start);

	test_tx_probes();
	test_tx_not_ours();
	test_tx_tcp_flags();
	test_tx_foreign();
	test_tx_ip4_header();
	test_tx_vlan();
	test_tx_truncation();
	test_tx_stats();
	test_tx_ring_full();
	test_tx_repeat();

	loader_stats(&ld, end);
	EXPECT(delta(start, end, XHOP_STAT_TX_PROBES) -
			       delta(start, end, XHOP_STAT_TX_RB_FULL) ==
		       n_events,
	       "stamps counted %llu - %llu lost, seen %llu",
	       (unsigned long long)delta(start, end, XHOP_STAT_TX_PROBES),
	       (unsigned long long)delta(start, end, XHOP_STAT_TX_RB_FULL),
	       (unsigned long long)n_events);
	EXPECT(delta(start, end, XHOP_STAT_RX_SEEN) == 0, "the XDP counters moved");

	loader_stop(&ld_other);
	loader_stop(&ld);
	return TEST_SUMMARY();
}
