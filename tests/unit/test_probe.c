// SPDX-License-Identifier: GPL-2.0
/*
 * Probe encoding: the MAC matches a reference SipHash, probes carry valid
 * checksums, and everything a load balancer hashes stays constant across
 * the probes of one flow (Paris), while the probe id and MAC vary.
 */
#include <string.h>
#include <stdlib.h>
#include <arpa/inet.h>
#include "xhop_test.h"
#include "core/probe_build.h"
#include "xhop_proto.h"

/* Reference SipHash-c-d over a byte string (the paper's definition) */
static __u64 ref_siphash(int c, int d, __u64 k0, __u64 k1, const __u8 *m, size_t len)
{
	__u64 v0 = k0 ^ 0x736f6d6570736575ULL, v1 = k1 ^ 0x646f72616e646f6dULL;
	__u64 v2 = k0 ^ 0x6c7967656e657261ULL, v3 = k1 ^ 0x7465646279746573ULL;
	size_t i, blocks = len / 8;
	__u64 b;
	int r;

	for (i = 0; i < blocks; i++) {
		__u64 w = 0;

		for (int j = 7; j >= 0; j--)
			w = (w << 8) | m[i * 8 + j];
		v3 ^= w;
		for (r = 0; r < c; r++)
			XHOP_SIPROUND(v0, v1, v2, v3);
		v0 ^= w;
	}
	b = (__u64)len << 56;
	for (size_t j = 0; j < len % 8; j++)
		b |= (__u64)m[blocks * 8 + j] << (8 * j);
	v3 ^= b;
	for (r = 0; r < c; r++)
		XHOP_SIPROUND(v0, v1, v2, v3);
	v0 ^= b;
	v2 ^= 0xff;
	for (r = 0; r < d; r++)
		XHOP_SIPROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

static void put_le(__u8 *m, __u64 w)
{
	for (int i = 0; i < 8; i++)
		m[i] = w >> (8 * i);
}

static void test_siphash(void)
{
	__u8 msg[24], key[16];
	__u64 k0 = 0, k1 = 0;

	/* the paper's vector validates the reference: key 00..0f, msg 00..0e */
	for (int i = 0; i < 16; i++)
		key[i] = i;
	for (int i = 7; i >= 0; i--) {
		k0 = (k0 << 8) | key[i];
		k1 = (k1 << 8) | key[8 + i];
	}
	for (int i = 0; i < 15; i++)
		msg[i] = i;
	EXPECT(ref_siphash(2, 4, k0, k1, msg, 15) == 0xa129ca6149be45e5ULL, "reference 2-4 vector");

	srand(7);
	for (int n = 0; n < 1000; n++) {
		__u64 w0 = (__u64)rand() << 33 ^ rand(), w1 = (__u64)rand() << 31 ^ rand(),
		      w2 = (__u64)rand() << 17 ^ rand();

		put_le(msg, w0);
		put_le(msg + 8, w1);
		put_le(msg + 16, w2);
		if (xhop_siphash13_3w(k0, k1, w0, w1, w2) != ref_siphash(1, 3, k0, k1, msg, 24)) {
			EXPECT(0, "siphash13 differs from reference at %d", n);
			return;
		}
	}
	EXPECT(1, "1000 random inputs");
}

static struct probe_spec spec(int family, int method, int ttl, int id)
{
	struct probe_spec ps = { .family = family, .method = method, .ttl = ttl, .probe_id = id,
				 .sport = 40000, .dport = 33434, .icmp_sum = 0x1234, .size = 0 };

	if (family == 6) {
		inet_pton(AF_INET6, "2001:2:0:1::1", &ps.src);
		inet_pton(AF_INET6, "2001:2:0:100::77", &ps.dst);
	} else {
		ps.src.s6_addr[10] = ps.src.s6_addr[11] = 0xff;
		ps.dst.s6_addr[10] = ps.dst.s6_addr[11] = 0xff;
		inet_pton(AF_INET, "198.18.1.1", &ps.src.s6_addr[12]);
		inet_pton(AF_INET, "198.19.0.77", &ps.dst.s6_addr[12]);
	}
	return ps;
}

/* The transport checksum over pseudo-header and segment must verify */
static int l4_valid(const __u8 *pkt, size_t len)
{
	int v6 = (pkt[0] >> 4) == 6;
	size_t hl = v6 ? 40 : (pkt[0] & 0xf) * 4;
	__u8 proto = v6 ? pkt[6] : pkt[9];
	__u32 sum = 0;

	if (v6) {
		sum = csum_add(sum, pkt + 8, 32);
		sum += (len - hl) + proto;
	} else if (proto != XHOP_IPPROTO_ICMP) {
		sum = csum_add(sum, pkt + 12, 8);
		sum += (len - hl) + proto;
	}
	sum = csum_add(sum, pkt + hl, len - hl);
	return csum_fold(sum) == 0xffff;
}

static void test_build(int family, int method)
{
	struct xhop_key key = { 1, 2 };
	__u8 a[PROBE_MAX_SIZE], b[PROBE_MAX_SIZE];
	struct probe_spec ps = spec(family, method, 1, 1);
	size_t hl = family == 6 ? 40 : 20;
	ssize_t la, lb;

	la = probe_build(&ps, &key, a, sizeof(a));
	EXPECT(la == (ssize_t)probe_min_size(family, method), "fam %d method %d len %zd", family, method, la);
	EXPECT(l4_valid(a, la), "fam %d method %d checksum", family, method);
	if (family == 4)
		EXPECT(csum_fold(csum_add(0, a, 20)) == 0xffff, "IPv4 header checksum");

	for (int id = 2; id < 3000; id += 7) {
		ps = spec(family, method, 1 + id % 30, id);
		ps.size = 60 + id % 40;
		lb = probe_build(&ps, &key, b, sizeof(b));
		if (!l4_valid(b, lb)) {
			EXPECT(0, "fam %d method %d id %d checksum", family, method, id);
			return;
		}
		/* Paris: the first 4 L4 bytes (ports, or ICMP type/code/checksum) constant */
		if (method != METHOD_TCP && memcmp(a + hl, b + hl, 4)) {
			EXPECT(0, "fam %d method %d id %d: flow bytes differ", family, method, id);
			return;
		}
		if (method == METHOD_TCP && memcmp(a + hl, b + hl, 4)) {
			EXPECT(0, "TCP ports differ at id %d", id);
			return;
		}
		/* IPv6: flow label and traffic class constant too */
		if (family == 6 && memcmp(a, b, 4)) {
			EXPECT(0, "IPv6 flow label differs at id %d", id);
			return;
		}
	}
	EXPECT(1, "fam %d method %d: 428 probes valid and Paris-constant", family, method);
}

static void test_fields(void)
{
	struct xhop_key key = { 0xdead, 0xbeef };
	struct probe_spec ps = spec(4, METHOD_ICMP, 5, 77);
	__u8 p[PROBE_MAX_SIZE];
	ssize_t n = probe_build(&ps, &key, p, sizeof(p));
	__u32 mac = xhop_probe_mac(&key, ps.dst.s6_addr, XHOP_IPPROTO_ICMP, 0, 77);

	EXPECT(n > 0 && p[8] == 5, "TTL %u", p[8]);
	EXPECT((__u32)((p[20 + 4] << 8) | p[20 + 5]) == mac >> 16, "ICMP id carries the MAC's high half");
	EXPECT(((p[20 + 6] << 8) | p[20 + 7]) == 77, "ICMP seq carries the probe id");
	EXPECT(((p[4] << 8) | p[5]) == xhop_ipid_of(mac & 0xffff), "IP ID carries the low half");
	EXPECT((__u32)((p[30] << 8) | p[31]) == (mac & 0xffff), "payload 2-3 carry the low half");
	EXPECT(((p[22] << 8) | p[23]) == 0x1234, "ICMP checksum is the flow's");

	ps = spec(6, METHOD_UDP, 9, 300);
	n = probe_build(&ps, &key, p, sizeof(p));
	mac = xhop_probe_mac(&key, ps.dst.s6_addr, XHOP_IPPROTO_UDP, 40000u << 16 | 33434, 300);
	EXPECT(((p[40 + 6] << 8) | p[40 + 7]) == xhop_udp_check_of(mac & 0xffff), "UDP checksum is the MAC");
	EXPECT(((p[48] << 8) | p[49]) == 300, "IPv6 UDP payload carries the probe id");
	EXPECT(p[7] == 9, "hop limit");

	ps = spec(4, METHOD_TCP, 3, 4242);
	n = probe_build(&ps, &key, p, sizeof(p));
	mac = xhop_probe_mac(&key, ps.dst.s6_addr, XHOP_IPPROTO_TCP, 40000u << 16 | 33434, 4242);
	EXPECT(n == 40 && p[20 + 13] == XHOP_TCP_SYN, "SYN only");
	EXPECT(ntohl(*(__u32 *)(p + 24)) == xhop_tcp_seq(4242, mac & 0xffff), "TCP seq = id<<16|MAC");

	/* another key gives another MAC (with overwhelming odds) */
	{
		struct xhop_key other = { 0xdead, 0xbeee };
		int same = 0;

		for (int id = 1; id < 200; id++)
			same += xhop_probe_mac(&key, ps.dst.s6_addr, 1, 0, id) ==
				xhop_probe_mac(&other, ps.dst.s6_addr, 1, 0, id);
		EXPECT(same < 3, "%d of 199 MACs collide across keys", same);
	}
}

/*
 * A multipath flow (core/send_probe.h): its own source port or ICMP
 * checksum, the MAC over the ports the probe carries, nothing else moves
 */
static void test_flows(void)
{
	struct xhop_key key = { 0xdead, 0xbeef };
	__u8 a[PROBE_MAX_SIZE], b[PROBE_MAX_SIZE];
	struct probe_spec ps = spec(4, METHOD_UDP, 7, 99);
	ssize_t na, nb;
	__u32 mac;

	na = probe_build(&ps, &key, a, sizeof(a));
	probe_spec_flow(&ps, 5);
	nb = probe_build(&ps, &key, b, sizeof(b));
	mac = xhop_probe_mac(&key, ps.dst.s6_addr, XHOP_IPPROTO_UDP, 40005u << 16 | 33434, 99);
	EXPECT(na == nb && ((b[20] << 8) | b[21]) == 40005, "UDP flow 5: source port %d",
	       (b[20] << 8) | b[21]);
	EXPECT(((b[26] << 8) | b[27]) == xhop_udp_check_of(mac & 0xffff),
	       "UDP flow 5: the MAC covers its own port");
	EXPECT(((a[22] << 8) | a[23]) == ((b[22] << 8) | b[23]), "UDP flow 5: dport unchanged");

	ps = spec(6, METHOD_ICMP, 7, 99);
	probe_spec_flow(&ps, 3);
	nb = probe_build(&ps, &key, b, sizeof(b));
	EXPECT(nb > 0 && ((b[40 + 2] << 8) | b[40 + 3]) == 0x1234 + 3,
	       "ICMPv6 flow 3: checksum 0x%04x", (b[42] << 8) | b[43]);

	ps = spec(4, METHOD_TCP, 7, 99);
	probe_spec_flow(&ps, 1023);
	nb = probe_build(&ps, &key, b, sizeof(b));
	EXPECT(nb > 0 && ((b[20] << 8) | b[21]) == 40000 + 1023, "TCP flow 1023: source port");
}

static void test_bad_specs(void)
{
	struct xhop_key key = { 1, 1 };
	__u8 p[PROBE_MAX_SIZE];
	struct probe_spec ps = spec(4, METHOD_ICMP, 0, 1);

	EXPECT(probe_build(&ps, &key, p, sizeof(p)) < 0, "TTL 0 refused");
	ps = spec(4, METHOD_ICMP, 1, 1);
	ps.family = 6;
	EXPECT(probe_build(&ps, &key, p, sizeof(p)) < 0, "family/address mismatch refused");
	ps = spec(4, METHOD_ICMP, 1, 1);
	ps.size = 4000;
	EXPECT(probe_build(&ps, &key, p, sizeof(p)) < 0, "oversize refused");
	ps = spec(4, 7, 1, 1);
	EXPECT(probe_build(&ps, &key, p, sizeof(p)) < 0, "unknown method refused");
}

/*
 * csum_add() against RFC 1071 as written: 16-bit big-endian words summed
 * with end-around carry, an odd byte padded with zero. Random buffers
 * at every offset and length, random starting sums.
 */
static __u16 ref_sum(__u32 start, const __u8 *p, size_t len)
{
	__u32 sum = start;

	for (size_t i = 0; i + 1 < len; i += 2) {
		sum += ((__u32)p[i] << 8) | p[i + 1];
		sum = (sum & 0xffff) + (sum >> 16);
	}
	if (len & 1)
		sum += (__u32)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)sum;
}

static void test_csum(void)
{
	__u8 buf[PROBE_MAX_SIZE + 8];
	__u32 seed = 12345;
	int bad = 0, runs = 0;

	for (int round = 0; round < 2000; round++) {
		size_t off = (size_t)round % 8, len;
		__u32 start;

		for (size_t i = 0; i < sizeof(buf); i++) {
			seed = seed * 1103515245u + 12345u;
			/* a quarter of the rounds all 0xff: carries at every step */
			buf[i] = round % 4 == 3 ? 0xff : (__u8)(seed >> 16);
		}
		seed = seed * 1103515245u + 12345u;
		len = (seed >> 8) % (PROBE_MAX_SIZE + 1);
		start = round % 3 ? seed >> 12 : 0xffff;
		runs++;
		if (csum_fold(csum_add(start & 0xffff, buf + off, len)) !=
		    ref_sum(start & 0xffff, buf + off, len))
			bad++;
	}
	EXPECT(bad == 0, "%d of %d sums differ from RFC 1071's", bad, runs);
	/* composable: a sum carried on from an even part equals the whole's */
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (__u8)(i * 37 + 11);
	EXPECT(csum_fold(csum_add(csum_add(0, buf, 36), buf + 36, 65)) == ref_sum(0, buf, 101),
	       "a sum in two parts differs");
}

int main(void)
{
	test_siphash();
	test_csum();
	for (int f = 4; f <= 6; f += 2)
		for (int m = METHOD_ICMP; m <= METHOD_TCP; m++)
			test_build(f, m);
	test_fields();
	test_flows();
	test_bad_specs();
	return TEST_SUMMARY();
}
