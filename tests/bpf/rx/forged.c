// SPDX-License-Identifier: GPL-2.0
/*
 * Forged answers: quotes of probes we never sent, and probe ids whose
 * MAC bits do not hold for this run's key.
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

void test_forged_quotes(void)
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
			snprintf(what, sizeof(what), "v%d %s TE wrong probe id", family, method_label[m]);
			expect_pass(what, &p);

			probe_make(&pr, family, m, 500, 4, &key);
			pkt_probe_set_dst(pr.b, &other_dst);
			reply_te(&p, &pr, 0);
			snprintf(what, sizeof(what), "v%d %s TE wrong quoted dst", family,
				 method_label[m]);
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
				 method_label[m]);
			expect_pass(what, &p);

			/* the answer echoes another probe id */
			pkt_probe_set_id(pr.b, pr.len, 503);
			if (m == METHOD_ICMP)
				pkt_echo_reply(&p, pr.b, pr.len);
			else
				pkt_tcp_answer(&p, pr.b, pr.len, XHOP_TCP_SYN | XHOP_TCP_ACK);
			snprintf(what, sizeof(what), "v%d %s answer wrong probe id", family,
				 method_label[m]);
			expect_pass(what, &p);
		}
	}
}

/*
 * Every bit of the MAC counts: a quote or answer whose tag differs from
 * the right one in a single bit is not ours.
 */
void test_mac_bits(void)
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
			       method_label[m], bad_te);
			EXPECT(bad_answer == 0, "v%d %s: %zu of 16 one-bit MAC errors in an answer taken",
			       family, method_label[m], bad_answer);
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
void test_mac_low_half(void)
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

void test_udp_mac_zero(void)
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
