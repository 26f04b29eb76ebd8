// SPDX-License-Identifier: GPL-2.0
/*
 * Every reply type for every method and family, with every field of
 * its event; the same frames answering another run are not ours.
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

void test_reply_matrix(void)
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
				snprintf(what, sizeof(what), "v%d %s %s", family, method_label[m],
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
void test_other_run(void)
{
	for (int family = 4; family <= 6; family += 2) {
		for (int m = METHOD_ICMP; m <= METHOD_TCP; m++) {
			struct probe pr;
			struct pkt p;
			char what[64];

			probe_make(&pr, family, m, 777, 4, &key_other);
			reply_te(&p, &pr, 0);
			snprintf(what, sizeof(what), "v%d %s other run's TE", family, method_label[m]);
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
				 method_label[m]);
			expect_pass(what, &p);
			expect_ours_on(&ld_other, what, &p);
		}
	}
}
