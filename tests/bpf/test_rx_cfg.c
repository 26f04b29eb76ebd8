// SPDX-License-Identifier: GPL-2.0
/*
 * Loader configuration seen from the XDP program.
 *
 * The run's source port: with it set, UDP and TCP answers count only if
 * they answer that port. Without it a stranger's SYN-ACK whose ack - 1
 * happens to verify as a MAC (one in 65536) would be dropped: the fuzz
 * harness found such a frame, and a real connection's SYN-ACK shows it.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include "xhop_test.h"
#include "xhop_proto.h"
#include "pkt.h"
#include "recv/loader.h"
#include "core/probe_build.h"

static int n_got;

static struct xhop_event *last_event; /* where to copy events, if set */

static int on_event(void *ctx, const struct xhop_event *ev)
{
	(void)ctx;
	if (last_event)
		*last_event = *ev;
	n_got++;
	return 0;
}

static const struct xhop_key key = { 0x0123456789abcdefULL, 0xfedcba9876543210ULL };

static int run(struct loader *ld, const __u8 *frame, size_t len)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = len, .repeat = 1);

	n_got = 0;
	if (bpf_prog_test_run_opts(loader_prog_fd_rx(ld), &opts))
		return -errno;
	loader_consume(ld);
	return (int)opts.retval;
}

static size_t probe(__u8 *b, int family, int method, __u16 sport)
{
	struct probe_spec ps = { .family = family, .method = method, .ttl = 3, .probe_id = 77,
				 .sport = sport, .dport = method == METHOD_TCP ? 80 : 33434,
				 .size = family == 6 ? 80 : 60 };

	ps.src = pkt_addr(family == 6 ? "2001:2:0:1::1" : "198.18.1.1");
	ps.dst = pkt_addr(family == 6 ? "2001:2:0:100::77" : "198.19.0.77");
	return (size_t)probe_build(&ps, &key, b, PROBE_MAX_SIZE);
}

int main(void)
{
	/* someone else's SYN-ACK (198.18.0.99:443 -> 198.18.0.1:51000) whose
	 * ack - 1 verifies under this key when no port is pinned
	 */
	static const char hex[] = "020202020202040404040404080045c0002810e100004006dca6c6120063"
				  "c612000101bbc7381234567843271ea55012faf094ec0000";
	struct loader any, pinned;
	__u8 frame[64], b[PROBE_MAX_SIZE];
	size_t flen = strlen(hex) / 2;
	struct pkt p;
	int ret;

	for (size_t i = 0; i < flen; i++) {
		unsigned v;

		sscanf(hex + 2 * i, "%2x", &v);
		frame[i] = v;
	}
	if (loader_open(&any, &key, on_event, NULL) ||
	    loader_open_sport(&pinned, &key, 41000, on_event, NULL))
		return 1;
	ret = run(&any, frame, flen);
	/* a SYN-ACK is recorded and still passed, so only the event tells */
	EXPECT(ret == XDP_PASS && n_got == 1, "control: any port records the stranger (%d)", ret);
	ret = run(&pinned, frame, flen);
	EXPECT(ret == XDP_PASS && n_got == 0, "pinned port passes the stranger (%d)", ret);

	for (int family = 4; family <= 6; family += 2) {
		struct in6_addr hop = pkt_addr(family == 6 ? "2001:2:0:2::2" : "198.18.2.2");
		struct in6_addr src = pkt_addr(family == 6 ? "2001:2:0:1::1" : "198.18.1.1");
		__u8 te = family == 6 ? XHOP_ICMP6_TIME_EXCEED : XHOP_ICMP_TIME_EXCEEDED;

		for (int m = METHOD_UDP; m <= METHOD_TCP; m++) {
			size_t n = probe(b, family, m, 41000);

			pkt_icmp_error(&p, &hop, &src, te, 0, b, n, 0);
			ret = run(&pinned, p.data, p.len);
			EXPECT(ret == XDP_DROP && n_got == 1, "v%d m%d: our port taken", family, m);
			if (m == METHOD_TCP) {
				pkt_tcp_answer(&p, b, n, XHOP_TCP_SYN | XHOP_TCP_ACK);
				ret = run(&pinned, p.data, p.len);
				EXPECT(ret == XDP_PASS && n_got == 1, "v%d SYN-ACK to our port: "
				       "recorded, and passed for our stack to reset", family);
				pkt_tcp_answer(&p, b, n, XHOP_TCP_RST | XHOP_TCP_ACK);
				ret = run(&pinned, p.data, p.len);
				EXPECT(ret == XDP_DROP && n_got == 1, "v%d RST-ACK to our port", family);
				pkt_tcp_answer(&p, b, n, XHOP_TCP_SYN | XHOP_TCP_ACK);
				/* SYN-ACK with FIN mixed in is no answer to a SYN */
				p.data[p.len - 20 + 13] |= XHOP_TCP_FIN;
				ret = run(&pinned, p.data, p.len);
				EXPECT(ret == XDP_PASS && n_got == 0, "v%d SYN|FIN|ACK passes", family);
			}
			/* a valid MAC, but for another source port: not this run */
			n = probe(b, family, m, 41001);
			pkt_icmp_error(&p, &hop, &src, te, 0, b, n, 0);
			ret = run(&pinned, p.data, p.len);
			EXPECT(ret == XDP_PASS && n_got == 0, "v%d m%d: other port passes", family, m);
			ret = run(&any, p.data, p.len);
			EXPECT(ret == XDP_DROP && n_got == 1, "v%d m%d: control, any port", family, m);
		}
	}
	/* proto pinned to ICMP: a TCP answer or a quoted UDP probe with a
	 * valid 16-bit MAC is no answer of an ICMP run
	 */
	{
		struct xhop_key k = key;
		struct loader_cfg cfg = { .key = &k, .proto = XHOP_IPPROTO_ICMP };
		struct loader icmp;

		if (loader_open_cfg(&icmp, &cfg, on_event, NULL))
			return 1;
		size_t n = probe(b, 4, METHOD_TCP, 41000);
		struct in6_addr hop = pkt_addr("198.18.2.2"), src = pkt_addr("198.18.1.1");

		pkt_tcp_answer(&p, b, n, XHOP_TCP_RST | XHOP_TCP_ACK);
		ret = run(&icmp, p.data, p.len);
		EXPECT(ret == XDP_PASS && n_got == 0, "ICMP run passes a TCP RST (%d)", ret);
		n = probe(b, 4, METHOD_UDP, 41000);
		pkt_icmp_error(&p, &hop, &src, XHOP_ICMP_TIME_EXCEEDED, 0, b, n, 0);
		ret = run(&icmp, p.data, p.len);
		EXPECT(ret == XDP_PASS && n_got == 0, "ICMP run passes a quoted UDP probe (%d)", ret);
		n = probe(b, 4, METHOD_ICMP, 0);
		pkt_icmp_error(&p, &hop, &src, XHOP_ICMP_TIME_EXCEEDED, 0, b, n, 0);
		ret = run(&icmp, p.data, p.len);
		EXPECT(ret == XDP_DROP && n_got == 1, "ICMP run takes its own (%d)", ret);
		loader_stop(&icmp);
	}

	/*
	 * A span of ports (xhop multipath's flows): each of sport..sport+span-1
	 * is the run's, the port before and the one after are not; the
	 * wrap-around below sport never counts as inside
	 */
	{
		struct xhop_key k = key;
		struct loader_cfg cfg = { .key = &k, .sport = 41000, .sport_span = 1024 };
		struct loader span;
		struct in6_addr hop = pkt_addr("198.18.2.2"), src = pkt_addr("198.18.1.1");
		static const struct {
			__u16 sport;
			int ours;
		} cases[] = { { 41000, 1 }, { 41001, 1 }, { 42023, 1 }, { 42024, 0 }, { 40999, 0 } };

		if (loader_open_cfg(&span, &cfg, on_event, NULL))
			return 1;
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			for (int m = METHOD_UDP; m <= METHOD_TCP; m++) {
				size_t n = probe(b, 4, m, cases[i].sport);

				pkt_icmp_error(&p, &hop, &src, XHOP_ICMP_TIME_EXCEEDED, 0, b, n, 0);
				ret = run(&span, p.data, p.len);
				EXPECT(cases[i].ours ? ret == XDP_DROP && n_got == 1
						     : ret == XDP_PASS && n_got == 0,
				       "span 41000+1024, m%d, port %u: %s (%d, %d events)", m,
				       cases[i].sport, cases[i].ours ? "taken" : "passed", ret, n_got);
				if (m == METHOD_TCP) {
					pkt_tcp_answer(&p, b, n, XHOP_TCP_RST | XHOP_TCP_ACK);
					ret = run(&span, p.data, p.len);
					EXPECT(cases[i].ours ? ret == XDP_DROP && n_got == 1
							     : ret == XDP_PASS && n_got == 0,
					       "span: RST-ACK to port %u: %s", cases[i].sport,
					       cases[i].ours ? "taken" : "passed");
				}
			}
		}
		loader_stop(&span);
	}

	/* RFC 5837 interface object before the label stack: labels still found */
	for (int family = 4; family <= 6; family += 2) {
		static const __u8 ifobj[8] = { 0, 8, 2, 0x08, 0, 0, 0, 7 }; /* class 2, ifIndex 7 */
		__u32 lse[2] = { pkt_mpls_lse(16, 0, 0, 1), pkt_mpls_lse(17, 0, 1, 1) };
		struct in6_addr hop = pkt_addr(family == 6 ? "2001:2:0:2::2" : "198.18.2.2");
		struct in6_addr src = pkt_addr(family == 6 ? "2001:2:0:1::1" : "198.18.1.1");
		struct xhop_event last = { 0 };
		size_t n = probe(b, family, METHOD_ICMP, 0), ext;

		pkt_icmp_error(&p, &hop, &src, family == 6 ? XHOP_ICMP6_TIME_EXCEED :
			       XHOP_ICMP_TIME_EXCEEDED, 0, b, n, 0);
		ext = pkt_icmp_ext_mpls(&p, lse, 2);
		memmove(p.data + ext + 4 + 8, p.data + ext + 4, p.len - ext - 4);
		memcpy(p.data + ext + 4, ifobj, 8);
		p.len += 8;
		pkt_fix(&p);
		n_got = 0;
		{
			LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = p.data, .data_size_in = p.len,
				    .repeat = 1);

			last_event = &last;
			ret = bpf_prog_test_run_opts(loader_prog_fd_rx(&any), &o) ? -1 : (int)o.retval;
			loader_consume(&any);
			last_event = NULL;
		}
		EXPECT(ret == XDP_DROP && n_got == 1 && last.mpls_count == 2 &&
		       last.mpls[0] >> 12 == 16 && last.mpls[1] >> 12 == 17,
		       "v%d: labels after an interface object: ret %d, %u labels", family, ret,
		       n_got ? last.mpls_count : 0);
	}

	/*
	 * rx_no_wakeup (xhop scan): an answer is in the ring but does not make
	 * its epoll fd readable; by default it does
	 */
	for (int quiet = 0; quiet <= 1; quiet++) {
		struct xhop_key k = key;
		struct loader_cfg cfg = { .key = &k, .rx_no_wakeup = (__u8)quiet };
		struct in6_addr hop = pkt_addr("198.18.2.2"), src = pkt_addr("198.18.1.1");
		struct loader ld;
		struct pollfd pfd;
		size_t n = probe(b, 4, METHOD_ICMP, 0);
		int ready;

		if (loader_open_cfg(&ld, &cfg, on_event, NULL))
			return 1;
		pkt_icmp_error(&p, &hop, &src, XHOP_ICMP_TIME_EXCEEDED, 0, b, n, 0);
		{
			LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = p.data, .data_size_in = p.len,
				    .repeat = 1);

			ret = bpf_prog_test_run_opts(loader_prog_fd_rx(&ld), &o) ? -1 : (int)o.retval;
		}
		pfd.fd = loader_epoll_fd(&ld);
		pfd.events = POLLIN;
		ready = poll(&pfd, 1, 100);
		n_got = 0;
		loader_consume(&ld);
		EXPECT(ret == XDP_DROP && n_got == 1, "rx_no_wakeup %d: the answer is in the ring",
		       quiet);
		EXPECT(ready == !quiet, "rx_no_wakeup %d: the reader %s woken (poll %d)", quiet,
		       quiet ? "is not" : "is", ready);
		loader_stop(&ld);
	}

	/* l3_only: frames start at the IP header (tun, ipip, WireGuard) */
	{
		struct xhop_key k = key;
		struct loader_cfg cfg = { .key = &k, .l3_only = 1 };
		struct loader l3;

		if (loader_open_cfg(&l3, &cfg, on_event, NULL))
			return 1;
		for (int family = 4; family <= 6; family += 2) {
			struct in6_addr hop = pkt_addr(family == 6 ? "2001:2:0:2::2" : "198.18.2.2");
			struct in6_addr src = pkt_addr(family == 6 ? "2001:2:0:1::1" : "198.18.1.1");
			size_t n = probe(b, family, METHOD_ICMP, 0);

			pkt_icmp_error(&p, &hop, &src, family == 6 ? XHOP_ICMP6_TIME_EXCEED :
				       XHOP_ICMP_TIME_EXCEEDED, 0, b, n, 0);
			ret = run(&l3, p.data + 14, p.len - 14);
			EXPECT(ret == XDP_DROP && n_got == 1, "v%d: IP-only frame taken (%d)", family, ret);
			ret = run(&any, p.data + 14, p.len - 14);
			EXPECT(ret == XDP_PASS && n_got == 0, "v%d: Ethernet parser passes it", family);
			ret = run(&l3, p.data, p.len);
			EXPECT(ret == XDP_PASS && n_got == 0, "v%d: Ethernet frame on an L3 device", family);
		}
		loader_stop(&l3);
	}
	loader_stop(&any);
	loader_stop(&pinned);
	return TEST_SUMMARY();
}
