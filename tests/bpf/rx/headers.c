// SPDX-License-Identifier: GPL-2.0
/*
 * IPv4 options, forged ihl, fragments, IPv6 extension headers, VLAN
 * tags and MPLS label stacks in front of a reply.
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

void test_ip4_header(void)
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
			snprintf(what, sizeof(what), "v4 %s reply ihl %d", method_label[m], ihl);
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
			snprintf(what, sizeof(what), "v4 %s quoted ihl %d", method_label[m], ihl);
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

void test_ip6_ext(void)
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

void test_vlan(void)
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

void test_mpls(void)
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
			snprintf(what, sizeof(what), "v%d %s TE 1 label", family, method_label[m]);
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
			snprintf(what, sizeof(what), "v%d %s TE 2 labels", family, method_label[m]);
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
