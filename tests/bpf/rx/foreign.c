// SPDX-License-Identifier: GPL-2.0
/*
 * Foreign traffic, ICMP and other: XDP_PASS, untouched, no event.
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

void test_foreign_icmp(void)
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
					 family, method_label[m], tc[0]);
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

void test_foreign_other(void)
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
