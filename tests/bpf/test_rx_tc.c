// SPDX-License-Identifier: GPL-2.0
/*
 * The tcx ingress twin of the receiver (xhop_rx_tc), used when another
 * program holds the XDP hook: the same replies are ours (TC_ACT_SHOT, one
 * event), everything else goes on untouched (TC_ACT_UNSPEC, no event).
 */
#include <errno.h>
#include <string.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include "xhop_test.h"
#include "xhop_proto.h"
#include "pkt.h"
#include "recv/loader.h"
#include "core/probe_build.h"

static struct xhop_event got;
static int n_got;

static int on_event(void *ctx, const struct xhop_event *ev)
{
	(void)ctx;
	got = *ev;
	n_got++;
	return 0;
}

static const struct xhop_key key = { 0x0123456789abcdefULL, 0xfedcba9876543210ULL };
static const struct xhop_key key_other = { 0x1111111111111111ULL, 0x2222222222222222ULL };

static int run(struct loader *ld, const struct pkt *p, int *same)
{
	static __u8 out[PKT_MAX + 64];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p->data, .data_size_in = p->len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);

	n_got = 0;
	if (bpf_prog_test_run_opts(loader_prog_fd_rx_tc(ld), &opts))
		return -errno;
	loader_consume(ld);
	*same = opts.data_size_out == p->len && !memcmp(out, p->data, p->len);
	return (int)opts.retval;
}

static size_t make_probe(__u8 *b, int family, int method, __u16 id, __u8 ttl,
			 const struct xhop_key *k)
{
	struct probe_spec ps = { .family = family, .method = method, .ttl = ttl, .probe_id = id,
				 .sport = 41000, .dport = method == METHOD_TCP ? 80 : 33434,
				 .icmp_sum = 0x4242, .size = family == 6 ? 80 : 60 };

	ps.src = pkt_addr(family == 6 ? "2001:2:0:1::1" : "198.18.1.1");
	ps.dst = pkt_addr(family == 6 ? "2001:2:0:100::77" : "198.19.0.77");
	return (size_t)probe_build(&ps, k, b, PROBE_MAX_SIZE);
}

int main(void)
{
	struct loader ld;
	int same, ret;

	if (loader_open(&ld, &key, on_event, NULL))
		return 1;
	for (int family = 4; family <= 6; family += 2) {
		struct in6_addr hop = pkt_addr(family == 6 ? "2001:2:0:2::2" : "198.18.2.2");
		struct in6_addr src = pkt_addr(family == 6 ? "2001:2:0:1::1" : "198.18.1.1");

		for (int m = METHOD_ICMP; m <= METHOD_TCP; m++) {
			__u8 probe[PROBE_MAX_SIZE];
			size_t n = make_probe(probe, family, m, 300 + m, 2, &key);
			struct pkt p;

			pkt_icmp_error(&p, &hop, &src, family == 6 ? XHOP_ICMP6_TIME_EXCEED :
				       XHOP_ICMP_TIME_EXCEEDED, 0, probe, n, 0);
			ret = run(&ld, &p, &same);
			EXPECT(ret == TC_ACT_SHOT && n_got == 1, "v%d m%d TE: ret %d, %d events",
			       family, m, ret, n_got);
			EXPECT(got.probe_id == 300 + m && got.kind == XHOP_EV_TTL &&
			       !memcmp(got.from, &hop, 16), "v%d m%d TE event: id %u kind %u",
			       family, m, got.probe_id, got.kind);

			if (m == METHOD_ICMP)
				pkt_echo_reply(&p, probe, n);
			else if (m == METHOD_TCP)
				pkt_tcp_answer(&p, probe, n, XHOP_TCP_RST | XHOP_TCP_ACK);
			if (m != METHOD_UDP) {
				ret = run(&ld, &p, &same);
				EXPECT(ret == TC_ACT_SHOT && n_got == 1 && got.probe_id == 300 + m,
				       "v%d m%d answer: ret %d, %d events", family, m, ret, n_got);
			}

			/* another run's probe: not ours, untouched, next program */
			n = make_probe(probe, family, m, 300 + m, 2, &key_other);
			pkt_icmp_error(&p, &hop, &src, family == 6 ? XHOP_ICMP6_TIME_EXCEED :
				       XHOP_ICMP_TIME_EXCEEDED, 0, probe, n, 0);
			ret = run(&ld, &p, &same);
			EXPECT(ret == TC_ACT_UNSPEC && n_got == 0 && same,
			       "v%d m%d other key: ret %d, %d events, same %d", family, m, ret,
			       n_got, same);
			/* a truncated quote: not ours either */
			n = make_probe(probe, family, m, 300 + m, 2, &key);
			pkt_icmp_error(&p, &hop, &src, family == 6 ? XHOP_ICMP6_TIME_EXCEED :
				       XHOP_ICMP_TIME_EXCEEDED, 0, probe, n, 4);
			ret = run(&ld, &p, &same);
			EXPECT(ret == TC_ACT_UNSPEC && n_got == 0 && same,
			       "v%d m%d short quote: ret %d, %d events", family, m, ret, n_got);
		}
	}
	loader_stop(&ld);
	return TEST_SUMMARY();
}
