// SPDX-License-Identifier: GPL-2.0
/*
 * Quotes of the RFC 792 minimum and every truncation below it.
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

void test_min_quote(void)
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
			snprintf(what, sizeof(what), "v%d %s quote of %zu", family, method_label[m],
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
				 family, method_label[m], need);
			expect_pass(what, &p);

			/* one quoted byte fewer is not enough */
			reply_te(&p, &pr, need - 1);
			snprintf(what, sizeof(what), "v%d %s quote of %zu", family, method_label[m],
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

void test_truncation(void)
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
			snprintf(what, sizeof(what), "v%d %s TE truncated", family, method_label[m]);
			check_truncation(what, &p, ETH_HLEN + ip + 8 + ip + 8 + extra, 900 + m);

			pkt_icmp_error(&p, &pr.ps.dst, &pr.ps.src,
				       family == 6 ? XHOP_ICMP6_DEST_UNREACH : XHOP_ICMP_DEST_UNREACH,
				       family == 6 ? XHOP_ICMP6_PORT_UNREACH : XHOP_ICMP_PORT_UNREACH,
				       pr.b, pr.len, 0);
			snprintf(what, sizeof(what), "v%d %s unreach truncated", family,
				 method_label[m]);
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
