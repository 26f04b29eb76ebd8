// SPDX-License-Identifier: GPL-2.0
/*
 * xhop-sim's responder (bench/sim/sim.bpf.c) through bpf_prog_test_run_opts
 * on crafted probes, no live frames: the answer it builds in place, byte by
 * byte, against the topology's own path for the probe's flow (sim_truth.c)
 * and against testkit's independent checksum code (pkt_fix on a copy must
 * change nothing). ICMP, UDP and TCP, IPv4 and IPv6: Time Exceeded with the
 * probe quoted as a Linux router quotes it (TTL 1, at most 576 bytes in
 * all for IPv4, 1280 for IPv6), Destination Unreachable from the last
 * router of an unreachable prefix, the destination's echo reply, port
 * unreachable, SYN-ACK and RST; silence, dead ends, frames not ours, and
 * the rate limit with its counter of answers dropped on purpose.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "xhop_test.h"
#include "xhop_proto.h"
#include "pkt.h"
#include "sim_abi.h"
#include "sim_truth.h"
#include "sim.skel.h"

#define ETH 14

static struct sim_params params = {
	.seed = 21, .silent_pct = 10, .lb_pct = 40, .unreach_pct = 10, .dead_pct = 10,
	.max_width = 4, .burst = 10, .mpls_pct = 30,
};

struct run {
	int err;
	__u32 action;
	struct pkt out;
};

static struct run run(struct sim_bpf *skel, const struct pkt *in)
{
	struct run r = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in->data, .data_size_in = in->len,
		    .data_out = r.out.data, .data_size_out = sizeof(r.out.data), .repeat = 1);

	r.err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.xhop_sim), &opts);
	r.action = opts.retval;
	r.out.len = opts.data_size_out;
	return r;
}

static struct sim_bpf *load(const struct sim_params *p)
{
	struct sim_bpf *skel = sim_bpf__open();

	if (!skel)
		return NULL;
	skel->rodata->params = *p;
	if (sim_bpf__load(skel)) {
		sim_bpf__destroy(skel);
		return NULL;
	}
	return skel;
}

static __u64 stat(struct sim_bpf *skel, __u32 k)
{
	__u64 v[512] = { 0 }, sum = 0;
	int n = libbpf_num_possible_cpus(), i;

	if (n <= 0 || n > 512 || bpf_map_lookup_elem(bpf_map__fd(skel->maps.stats), &k, v))
		return ~0ull;
	for (i = 0; i < n; i++)
		sum += v[i];
	return sum;
}

/* host-order words of a mapped or IPv6 address */
static int words(const struct in6_addr *a, __u32 w[4])
{
	int i;

	memset(w, 0, 16);
	if (IN6_IS_ADDR_V4MAPPED(a)) {
		w[0] = ntohl(a->s6_addr32[3]);
		return 4;
	}
	for (i = 0; i < 4; i++)
		w[i] = ntohl(a->s6_addr32[i]);
	return 6;
}

/* The path of the probe's flow, from its own bytes */
static void probe_path(struct pkt *probe, struct sim_path *path)
{
	__u32 src[4], dst[4], l4w;
	int fam = pkt_family(probe);
	struct in6_addr s, d;
	__u8 proto, *l4;

	if (fam == 4) {
		struct iphdr *h = pkt_ip4(probe);

		memset(&s, 0, sizeof(s));
		memset(&d, 0, sizeof(d));
		s.s6_addr[10] = s.s6_addr[11] = d.s6_addr[10] = d.s6_addr[11] = 0xff;
		memcpy(&s.s6_addr[12], &h->saddr, 4);
		memcpy(&d.s6_addr[12], &h->daddr, 4);
	} else {
		s = pkt_ip6(probe)->ip6_src;
		d = pkt_ip6(probe)->ip6_dst;
	}
	words(&s, src);
	words(&d, dst);
	l4 = probe->data + pkt_l4_off(probe, &proto);
	if (proto == XHOP_IPPROTO_ICMP || proto == XHOP_IPPROTO_ICMPV6)
		l4w = l4[2] << 8 | l4[3];
	else
		l4w = (__u32)l4[0] << 24 | l4[1] << 16 | l4[2] << 8 | l4[3];
	sim_path_of(&params, fam, dst,
		    sim_flow(params.seed, src, dst, proto, l4w), path);
}

/* An answer's own checksums are right: testkit's recomputation changes nothing */
static int sums_ok(const struct pkt *out)
{
	struct pkt copy = *out;

	pkt_fix(&copy);
	return copy.len == out->len && !memcmp(copy.data, out->data, out->len);
}

/* The answer's source address, as host-order words */
static void answer_src(struct pkt *out, __u32 w[4])
{
	struct in6_addr a = { 0 };

	if (pkt_family(out) == 4) {
		a.s6_addr[10] = a.s6_addr[11] = 0xff;
		memcpy(&a.s6_addr[12], &pkt_ip4(out)->saddr, 4);
	} else {
		a = pkt_ip6(out)->ip6_src;
	}
	words(&a, w);
}

static void iface_words(int fam, __u32 iface, __u32 w[4])
{
	memset(w, 0, 16);
	if (fam == 4)
		w[0] = sim_iface_addr4(iface);
	else
		sim_iface_addr6(iface, w);
}

/*
 * An ICMP error answer to probe: from `from`, type/code, quoting the probe
 * with TTL qttl (IPv4: its header checksum updated) up to the limit
 */
static void expect_error(const char *what, struct run *r, const struct pkt *probe, __u32 from[4],
			 __u8 type, __u8 code, __u8 qttl)
{
	int fam = pkt_family(probe);
	size_t lim = fam == 4 ? SIM_ICMP4_MAX : SIM_ICMP6_MAX, ip_len = probe->len - ETH;
	size_t hl = fam == 4 ? 20 : 40, q = ETH + hl + 8, want_len;
	struct pkt quote = *probe;
	__u32 src[4];
	__u8 *icmp;

	EXPECT(r->err == 0 && r->action == XDP_TX, "%s: XDP_TX (err %d, action %u)", what, r->err,
	       r->action);
	if (r->action != XDP_TX)
		return;
	want_len = ETH + (hl + 8 + ip_len < lim ? hl + 8 + ip_len : lim);
	EXPECT(r->out.len == want_len, "%s: %zu bytes, want %zu", what, r->out.len, want_len);
	EXPECT(pkt_family(&r->out) == fam, "%s: family", what);
	answer_src(&r->out, src);
	EXPECT(!memcmp(src, from, 16), "%s: from %08x..%08x, want %08x..%08x", what, src[0],
	       src[3], from[0], from[3]);
	icmp = r->out.data + ETH + hl;
	EXPECT(icmp[0] == type && icmp[1] == code, "%s: type %u code %u, want %u %u", what,
	       icmp[0], icmp[1], type, code);
	EXPECT(!memcmp(r->out.data, probe->data + 6, 6) && !memcmp(r->out.data + 6, probe->data, 6),
	       "%s: MAC addresses turned round", what);
	/* the destination is the prober */
	if (fam == 4)
		EXPECT(pkt_ip4(&r->out)->daddr == pkt_ip4(&quote)->saddr, "%s: to the prober", what);
	else
		EXPECT(!memcmp(&pkt_ip6(&r->out)->ip6_dst, &pkt_ip6(&quote)->ip6_src, 16),
		       "%s: to the prober", what);
	pkt_set_ttl(&quote, qttl);
	if (fam == 4) { /* only the header's checksum follows the TTL */
		struct pkt h = quote;

		pkt_fix(&h);
		memcpy(quote.data + ETH + 10, h.data + ETH + 10, 2);
	}
	EXPECT(r->out.len >= q && !memcmp(r->out.data + q, quote.data + ETH, r->out.len - q),
	       "%s: the probe quoted as it arrived (TTL %u)", what, qttl);
	EXPECT(sums_ok(&r->out), "%s: checksums and lengths", what);
}

static const char *const src_of[2] = { "198.19.255.1", "2001:2:0:ffff::1" };

/* A probe of kind k (0 ICMP, 1 UDP, 2 TCP SYN) to dst with ttl */
static void probe(struct pkt *p, int k, const char *src, const struct in6_addr *dst, __u8 ttl,
		  size_t payload, __u16 dport)
{
	struct in6_addr s = pkt_addr(src);

	if (k == 0)
		pkt_echo(p, &s, dst, IN6_IS_ADDR_V4MAPPED(dst) ? XHOP_ICMP_ECHO
							       : XHOP_ICMP6_ECHO_REQUEST,
			 0x4242, 7, payload);
	else if (k == 1)
		pkt_udp(p, &s, dst, 40000, dport, payload);
	else
		pkt_tcp(p, &s, dst, 40000, dport, 0x11223344, 0, XHOP_TCP_SYN);
	pkt_set_ttl(p, ttl);
	pkt_fix(p);
}

/* A destination of each family with a routed, answering path */
static struct in6_addr find_dst(int fam, int want_kind, __u32 from)
{
	char buf[64];
	__u32 i, w[4];
	struct sim_dst d;
	struct sim_hop h;

	for (i = from; i < from + 5000; i++) {
		if (fam == 4)
			snprintf(buf, sizeof(buf), "198.%u.%u.%u", 18 + (i & 1), (i * 7) & 255,
				 1 + i % 250);
		else
			snprintf(buf, sizeof(buf), "2001:2:0:%x::%x", (i * 97) & 0xffff, i + 1);
		struct in6_addr a = pkt_addr(buf);

		words(&a, w);
		if (!sim_dst_of(fam, w, params.seed, &d))
			continue;
		/* the destination's kind past any path: flow-independent */
		sim_classify(&params, &d, 0, 0, SIM_TTL_MAX, 1, &h);
		if ((int)h.kind == want_kind)
			return a;
	}
	return pkt_addr(fam == 4 ? "198.18.0.1" : "2001:2::1");
}

static void test_answers(struct sim_bpf *skel)
{
	static const char *const kind_name[3] = { "icmp", "udp", "tcp" };
	int fam, k, silent_seen = 0;

	for (fam = 4; fam <= 6; fam += 2) {
		struct in6_addr dst = find_dst(fam, SIM_DEST, 0);

		for (k = 0; k < 3; k++) {
			struct sim_path path;
			struct pkt p;
			__u32 from[4], t;
			char what[96];
			struct run r;

			probe(&p, k, src_of[fam == 6], &dst, 1, 24, 80);
			probe_path(&p, &path);
			EXPECT(path.len >= 8 && path.at[path.len].kind == SIM_DEST,
			       "IPv%d %s: a path that ends at the destination", fam, kind_name[k]);
			for (t = 1; t < path.len; t++) {
				probe(&p, k, src_of[fam == 6], &dst, t, 24, 80);
				r = run(skel, &p);
				snprintf(what, sizeof(what), "IPv%d %s TTL %u", fam, kind_name[k], t);
				if (path.at[t].kind == SIM_SILENT) {
					EXPECT(r.action == XDP_DROP, "%s: silent router drops", what);
					silent_seen++;
					continue;
				}
				if (path.at[t].label) { /* test_mpls */
					EXPECT(r.action == XDP_TX, "%s: a tunnel's answer", what);
					continue;
				}
				iface_words(fam, path.at[t].iface, from);
				expect_error(what, &r, &p,
					     from, fam == 4 ? XHOP_ICMP_TIME_EXCEEDED : XHOP_ICMP6_TIME_EXCEED,
					     0, 1);
				EXPECT(pkt_family(&r.out) != 4 || pkt_ip4(&r.out)->ttl == SIM_REPLY_TTL - t,
				       "%s: reply TTL", what);
			}
			/* the destination, at its TTL and far past it */
			for (t = path.len; t <= path.len + 10; t += 10) {
				__u32 dw[4];

				probe(&p, k, src_of[fam == 6], &dst, t, 24, 80);
				r = run(skel, &p);
				snprintf(what, sizeof(what), "IPv%d %s TTL %u (destination)", fam,
					 kind_name[k], t);
				words(&dst, dw);
				if (k == 1) {
					expect_error(what, &r, &p, dw,
						     fam == 4 ? XHOP_ICMP_DEST_UNREACH : XHOP_ICMP6_DEST_UNREACH,
						     fam == 4 ? XHOP_ICMP_PORT_UNREACH : XHOP_ICMP6_PORT_UNREACH,
						     t - (path.len - 1));
					continue;
				}
				EXPECT(r.err == 0 && r.action == XDP_TX, "%s: XDP_TX", what);
				answer_src(&r.out, from);
				EXPECT(!memcmp(from, dw, 16), "%s: from the destination", what);
				EXPECT(sums_ok(&r.out), "%s: checksums and lengths", what);
				if (k == 0) {
					__u8 *ic = pkt_l4(&r.out), *pi = pkt_l4(&p);

					EXPECT(r.out.len == p.len, "%s: echo reply as long as the echo", what);
					EXPECT(ic[0] == (fam == 4 ? XHOP_ICMP_ECHOREPLY : XHOP_ICMP6_ECHO_REPLY),
					       "%s: echo reply", what);
					EXPECT(!memcmp(ic + 4, pi + 4, p.len - (pi - p.data) - 4),
					       "%s: id, sequence and payload echoed", what);
				} else {
					struct xhop_tcphdr *th = pkt_l4(&r.out);

					EXPECT(th->flags == (XHOP_TCP_SYN | XHOP_TCP_ACK) &&
						       ntohl(th->ack_seq) == 0x11223345 &&
						       ntohs(th->source) == 80 && ntohs(th->dest) == 40000,
					       "%s: SYN-ACK from port 80, ack = seq + 1", what);
					EXPECT(r.out.len == ETH + (fam == 4 ? 20 : 40) + 20,
					       "%s: a bare 20-byte TCP header", what);
				}
			}
			/* a closed port: RST-ACK */
			if (k == 2) {
				struct xhop_tcphdr *th;

				probe(&p, 2, src_of[fam == 6], &dst, 64, 0, 81);
				r = run(skel, &p);
				th = pkt_l4(&r.out);
				EXPECT(r.action == XDP_TX && th->flags == (XHOP_TCP_RST | XHOP_TCP_ACK) &&
					       sums_ok(&r.out),
				       "IPv%d TCP port 81: RST-ACK, checksums right", fam);
			}
		}
	}
	EXPECT(silent_seen > 0 || params.silent_pct == 0, "some probe met a silent router");
}

/* RFC 1071 over a byte range, independent of the program's */
static __u16 csum(const __u8 *b, size_t n)
{
	__u32 s = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += b[i] << 8 | b[i + 1];
	if (n & 1)
		s += b[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (__u16)~s;
}

/*
 * Tunnel routers: the probe quoted in 128 bytes (zero-padded, RFC 4884's
 * length in the ICMP header), then an extension (version 2, its own
 * checksum) with one MPLS object: the label truth gives, S=1, TTL 1
 */
static void test_mpls(struct sim_bpf *skel)
{
	int fam, k, seen = 0;
	__u32 i;

	for (fam = 4; fam <= 6; fam += 2) {
		for (i = 0; i < 400 && seen < fam; i++) {
			struct in6_addr dst = find_dst(fam, SIM_DEST, i * 13);
			struct sim_path path;
			__u32 t, from[4], src[4];
			struct pkt p;
			struct run r;

			k = i % 3;
			probe(&p, k, src_of[fam == 6], &dst, 1, k == 1 ? 200 : 16, 80);
			probe_path(&p, &path);
			for (t = 1; t < path.len && !path.at[t].label; t++)
				;
			if (t == path.len)
				continue;
			seen++;
			probe(&p, k, src_of[fam == 6], &dst, t, k == 1 ? 200 : 16, 80);
			r = run(skel, &p);
			{
				size_t hl = fam == 4 ? 20 : 40, ic = ETH + hl, ql = p.len - ETH;
				const __u8 *o = r.out.data, *x = o + ic + 8 + 128;
				struct pkt quote = p;
				__u8 zero[128] = { 0 };
				__u32 lse;

				EXPECT(r.action == XDP_TX && r.out.len == ic + 8 + 128 + 12,
				       "IPv%d tunnel hop %u: answer of %zu bytes", fam, t, r.out.len);
				if (r.out.len != ic + 8 + 128 + 12)
					continue;
				answer_src(&r.out, src);
				iface_words(fam, path.at[t].iface, from);
				EXPECT(!memcmp(src, from, 16), "IPv%d tunnel hop %u: from truth's router",
				       fam, t);
				EXPECT(o[ic] == (fam == 4 ? 11 : 3) &&
					       o[ic + (fam == 4 ? 5 : 4)] == (fam == 4 ? 32 : 16),
				       "IPv%d tunnel hop: Time Exceeded, RFC 4884 length %u", fam,
				       o[ic + (fam == 4 ? 5 : 4)]);
				pkt_set_ttl(&quote, 1);
				if (fam == 4) {
					struct pkt h = quote;

					pkt_fix(&h);
					memcpy(quote.data + ETH + 10, h.data + ETH + 10, 2);
				}
				EXPECT(!memcmp(o + ic + 8, quote.data + ETH, ql < 128 ? ql : 128) &&
					       (ql >= 128 || !memcmp(o + ic + 8 + ql, zero, 128 - ql)),
				       "IPv%d tunnel hop: probe quoted in 128 bytes, zero-padded", fam);
				EXPECT(x[0] == 0x20 && csum(x, 12) == 0,
				       "IPv%d extension: version 2, checksum right", fam);
				lse = (__u32)x[8] << 24 | x[9] << 16 | x[10] << 8 | x[11];
				EXPECT(x[4] == 0 && x[5] == 8 && x[6] == 1 && x[7] == 1 &&
					       lse >> 12 == path.at[t].label && (lse & 0x1FF) == 0x101,
				       "IPv%d MPLS object: label %u (truth %u), S=1, TTL 1", fam, lse >> 12,
				       path.at[t].label);
				EXPECT(sums_ok(&r.out), "IPv%d tunnel hop: ICMP checksum and lengths", fam);
			}
		}
		EXPECT(seen > 0, "IPv%d: a probe through an MPLS tunnel", fam);
	}
}

/* Long probes: the quote stops where Linux's does */
static void test_quote_limits(struct sim_bpf *skel)
{
	int fam;

	for (fam = 4; fam <= 6; fam += 2) {
		struct in6_addr dst = find_dst(fam, SIM_DEST, 0);
		struct sim_path path;
		__u32 from[4], t = 1;
		struct pkt p;
		struct run r;

		probe(&p, 1, src_of[fam == 6], &dst, 1, 1400, 33434);
		probe_path(&p, &path);
		while (path.at[t].kind == SIM_SILENT)
			t++;
		probe(&p, 1, src_of[fam == 6], &dst, t, 1400, 33434);
		r = run(skel, &p);
		iface_words(fam, path.at[t].iface, from);
		expect_error(fam == 4 ? "IPv4 1428-byte probe" : "IPv6 1448-byte probe", &r, &p, from,
			     fam == 4 ? XHOP_ICMP_TIME_EXCEEDED : XHOP_ICMP6_TIME_EXCEED, 0, 1);
		EXPECT(r.out.len == ETH + (fam == 4 ? 576u : 1280u), "IPv%d: answer of %zu bytes",
		       fam, r.out.len - ETH);
	}
}

/* Unreachable prefixes, dead destinations, frames that are not probes */
static void test_ends(struct sim_bpf *skel)
{
	int fam;

	for (fam = 4; fam <= 6; fam += 2) {
		struct in6_addr unr = find_dst(fam, SIM_UNREACH, 0), dead = find_dst(fam, SIM_DEAD, 0);
		struct sim_path path;
		__u32 from[4], t;
		struct pkt p;
		struct run r;
		char what[64];

		probe(&p, 0, src_of[fam == 6], &unr, 1, 8, 0);
		probe_path(&p, &path);
		EXPECT(path.at[path.len].kind == SIM_UNREACH, "IPv%d: an unreachable prefix", fam);
		iface_words(fam, path.at[path.len].iface, from);
		for (t = path.len; t <= path.len + 5; t += 5) {
			probe(&p, 0, src_of[fam == 6], &unr, t, 8, 0);
			r = run(skel, &p);
			snprintf(what, sizeof(what), "IPv%d unreachable, TTL %u", fam, t);
			expect_error(what, &r, &p, from,
				     fam == 4 ? XHOP_ICMP_DEST_UNREACH : XHOP_ICMP6_DEST_UNREACH,
				     fam == 4 ? XHOP_ICMP_NET_UNREACH : XHOP_ICMP6_NOROUTE,
				     t - (path.len - 1));
		}
		probe(&p, 1, src_of[fam == 6], &dead, 40, 8, 33434);
		r = run(skel, &p);
		EXPECT(r.action == XDP_DROP, "IPv%d: a dead destination never answers", fam);

		/* not ours: outside the ranges, passed untouched */
		{
			struct in6_addr out = pkt_addr(fam == 4 ? "10.1.2.3" : "2001:db8::1");

			probe(&p, 1, fam == 4 ? "10.0.0.1" : "2001:db8::2", &out, 1, 8, 33434);
			r = run(skel, &p);
			EXPECT(r.action == XDP_PASS && r.out.len == p.len &&
				       !memcmp(r.out.data, p.data, p.len),
			       "IPv%d outside the ranges: XDP_PASS, untouched", fam);
		}
		/* a RST to the destination: nothing answers a RST */
		{
			struct in6_addr s = pkt_addr(src_of[fam == 6]), d = find_dst(fam, SIM_DEST, 0);

			pkt_tcp(&p, &s, &d, 40000, 80, 1, 1, XHOP_TCP_RST);
			pkt_set_ttl(&p, 64);
			pkt_fix(&p);
			r = run(skel, &p);
			EXPECT(r.action == XDP_DROP, "IPv%d: a RST gets no answer", fam);
		}
	}
	{
		struct in6_addr a = pkt_addr("198.19.255.1"), b = pkt_addr("198.19.255.254");
		struct pkt p;
		struct run r;

		pkt_arp(&p, &a, &b);
		r = run(skel, &p);
		EXPECT(r.action == XDP_PASS, "ARP: passed to the stack");
	}
}

/* The rate limit: burst answers, then drops, each counted */
static void test_rate_limit(void)
{
	struct sim_params p = params;
	struct in6_addr dst;
	struct sim_bpf *skel;
	struct sim_path path;
	struct pkt pk;
	int i, tx = 0;
	__u32 t = 1;

	p.rate_pps = 1;
	p.burst = 2;
	skel = load(&p);
	EXPECT(skel, "load with --rate 1 --burst 2");
	if (!skel)
		return;
	dst = find_dst(4, SIM_DEST, 0);
	probe(&pk, 0, src_of[0], &dst, 1, 8, 0);
	probe_path(&pk, &path);
	while (path.at[t].kind == SIM_SILENT)
		t++;
	probe(&pk, 0, src_of[0], &dst, t, 8, 0);
	for (i = 0; i < 5; i++)
		tx += run(skel, &pk).action == XDP_TX;
	EXPECT(tx == 2, "5 probes to one router, burst 2 at 1/s: %d answered", tx);
	EXPECT(stat(skel, SIM_ST_RATELIMIT) == 3, "3 answers counted as dropped: %llu",
	       (unsigned long long)stat(skel, SIM_ST_RATELIMIT));
	EXPECT(stat(skel, SIM_ST_TIMEX) == 2, "2 Time Exceeded counted");
	/* the destination is no router: never limited */
	probe(&pk, 0, src_of[0], &dst, 64, 8, 0);
	for (i = 0, tx = 0; i < 5; i++)
		tx += run(skel, &pk).action == XDP_TX;
	EXPECT(tx == 5, "the destination answers all 5 echoes: %d", tx);
	sim_bpf__destroy(skel);
}

int main(void)
{
	struct sim_bpf *skel;

	if (geteuid() != 0) {
		printf("test_sim: skipped: bpf_prog_test_run needs root\n");
		return xhop_test_summary(__func__);
	}
	skel = load(&params);
	EXPECT(skel, "load the responder");
	if (!skel)
		return xhop_test_summary(__func__);
	test_answers(skel);
	test_quote_limits(skel);
	test_mpls(skel);
	test_ends(skel);
	EXPECT(stat(skel, SIM_ST_REFUSED) == 0, "every answer had room");
	EXPECT(stat(skel, SIM_ST_RATELIMIT) == 0, "no rate limit, nothing dropped on purpose");
	sim_bpf__destroy(skel);
	test_rate_limit();
	return xhop_test_summary(__func__);
}
