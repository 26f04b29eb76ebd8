// SPDX-License-Identifier: GPL-2.0
/* First light: one Time Exceeded through the XDP program. */
#include <string.h>
#include <errno.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include "xhop_test.h"
#include "pkt.h"
#include "loader.h"
#include "probe_build.h"

static struct xhop_event got;
static int n_got;

static int on_event(void *ctx, const struct xhop_event *ev)
{
	(void)ctx;
	got = *ev;
	n_got++;
	return 0;
}

int main(void)
{
	struct xhop_key key = { 0x0123456789abcdefULL, 0xfedcba9876543210ULL };
	struct probe_spec ps = { .family = 4, .method = METHOD_ICMP, .ttl = 3, .probe_id = 42,
				 .icmp_sum = 0xbeef, .size = 60 };
	struct in6_addr r = pkt_addr("198.18.1.1");
	__u8 probe[PROBE_MAX_SIZE];
	struct loader ld;
	struct pkt p;
	ssize_t n;

	ps.src = pkt_addr("198.18.0.1");
	ps.dst = pkt_addr("198.19.0.77");
	if (loader_open(&ld, &key, on_event, NULL))
		return 1;
	n = probe_build(&ps, &key, probe, sizeof(probe));
	EXPECT(n == 60, "probe len %zd", n);
	pkt_icmp_error(&p, &r, &ps.src, 11, 0, probe, n, 28);
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p.data, .data_size_in = p.len, .repeat = 1);
	EXPECT(bpf_prog_test_run_opts(loader_prog_fd_rx(&ld), &opts) == 0, "run: %s", strerror(errno));
	loader_consume(&ld);
	EXPECT(opts.retval == XDP_DROP && n_got == 1, "retval %u n_got %d", opts.retval, n_got);
	EXPECT(got.probe_id == 42 && got.kind == XHOP_EV_TTL, "id %u kind %u", got.probe_id, got.kind);
	loader_stop(&ld);
	return TEST_SUMMARY();
}
