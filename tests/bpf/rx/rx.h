/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the parts of test_rx share: the loaded receivers (this run's and
 * another run's), the events a test run wrote, and the checks of one
 * frame through XDP. Each part (replies.c, forged.c, foreign.c,
 * quotes.c, headers.c, ring.c) holds subtests that run alone with
 * test_rx -t NAME.
 */
#ifndef XHOP_TEST_RX_H
#define XHOP_TEST_RX_H

#include <stddef.h>
#include <linux/types.h>
#include "xhop_event.h"
#include "xhop_proto.h"
#include "pkt.h"
#include "recv/loader.h"
#include "core/probe_build.h"

#define GOT_MAX 8

extern struct xhop_event got[GOT_MAX];
extern int n_got;
extern int check_clean, n_dirty;
extern const struct xhop_key key, key_other;
extern struct loader ld, ld_other;
extern __u64 n_runs, n_drops;
extern const char *const method_label[];

struct rx {
	int err;      /* 0 or -errno of the test run */
	__u32 retval; /* XDP verdict */
	int n;	      /* events it wrote */
	int same;     /* data_out is the input, byte for byte */
};

/* What a well-formed event must hold */
struct want {
	struct in6_addr from, dst;
	__u16 probe_id, ip_len, q_ipl, reply_ipid;
	__u8 kind, family, proto, icmp_type, icmp_code, reply_ttl, reply_tos, q_ttl, q_tos;
	__u8 tcp_flags, mpls_count;
};

int on_event(void *ctx, const struct xhop_event *ev);
struct rx rx_run_ctx(struct loader *l, const struct pkt *p, size_t len, struct xdp_md *ctx);
struct rx rx_run(struct loader *l, const struct pkt *p, size_t len);
__u32 verdict_ours(const struct xhop_event *ev);
const char *verdict(__u32 v);
void expect_pass(const char *what, const struct pkt *p);
const struct xhop_event *expect_ours_on(struct loader *l, const char *what, const struct pkt *p);
const struct xhop_event *expect_ours(const char *what, const struct pkt *p);
size_t probe_hlen(const struct probe *pr);
void reply_te(struct pkt *p, const struct probe *pr, size_t quote_len);
__u8 next_reply_ttl(void);
struct want want_for(const struct probe *pr, const struct pkt *p, __u8 kind);
void check_event(const char *what, const struct xhop_event *ev, const struct want *w);
size_t extra_v6_quote(int family, int method);
__u64 delta(const __u64 *a, const __u64 *b, int i);

/* the subtests, by part */
void test_reply_matrix(void);
void test_other_run(void);
void test_forged_quotes(void);
void test_mac_bits(void);
void test_mac_low_half(void);
void test_udp_mac_zero(void);
void test_foreign_icmp(void);
void test_foreign_other(void);
void test_min_quote(void);
void test_truncation(void);
void test_ip4_header(void);
void test_ip6_ext(void);
void test_vlan(void);
void test_mpls(void);
void test_stats(void);
void test_device_and_clock(void);
void test_ring_full(void);
void test_ring_reuse(void);
void test_repeat(void);

#endif
