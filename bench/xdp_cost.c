// SPDX-License-Identifier: GPL-2.0
/*
 * XDP cost per packet through bpf_prog_test_run_opts with repeat: an
 * empty program (the floor), xhop_rx on a foreign reply (parsed, MAC
 * fails, passed) and on a reply to our probe (parsed, verified, stamped,
 * ring-buffer record, dropped). Batches stay below the ring's capacity
 * and the ring is drained between them, so every run takes the same path.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include "pkt.h"
#include "loader.h"
#include "probe_build.h"
#include "xhop_proto.h"

#define BATCH 20000
#define BATCHES 50

static long events;

static int on_event(void *ctx, const struct xhop_event *ev)
{
	(void)ctx;
	(void)ev;
	events++;
	return 0;
}

static double ns_per_packet(int prog_fd, struct loader *ld, const struct pkt *p, __u32 *retval)
{
	double total = 0;

	for (int b = 0; b < BATCHES; b++) {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p->data, .data_size_in = p->len,
			    .repeat = BATCH);

		if (bpf_prog_test_run_opts(prog_fd, &opts)) {
			fprintf(stderr, "xdp_cost: test run: %s\n", strerror(errno));
			return -1;
		}
		total += opts.duration; /* average ns per repeat */
		*retval = opts.retval;
		if (ld)
			loader_consume(ld);
	}
	return total / BATCHES;
}

int main(void)
{
	struct xhop_key key = { 0x0123456789abcdefULL, 0xfedcba9876543210ULL };
	struct xhop_key other = { 1, 2 };
	struct probe_spec ps = { .family = 4, .method = METHOD_ICMP, .ttl = 3, .probe_id = 42,
				 .icmp_sum = 0x4242, .size = 60 };
	struct bpf_insn empty[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct in6_addr r = pkt_addr("198.18.2.2");
	__u8 probe[PROBE_MAX_SIZE];
	struct pkt ours, foreign;
	struct loader ld;
	double e, f, o;
	__u32 rv_f, rv_o, rv_e;
	int efd;
	ssize_t n;

	ps.src = pkt_addr("198.18.1.1");
	ps.dst = pkt_addr("198.19.0.77");
	if (loader_open(&ld, &key, on_event, NULL))
		return 1;
	efd = bpf_prog_load(BPF_PROG_TYPE_XDP, "empty", "GPL", empty, 2, NULL);
	if (efd < 0) {
		fprintf(stderr, "xdp_cost: load empty program: %s\n", strerror(errno));
		return 1;
	}
	n = probe_build(&ps, &key, probe, sizeof(probe));
	pkt_icmp_error(&ours, &r, &ps.src, XHOP_ICMP_TIME_EXCEEDED, 0, probe, n, 0);
	n = probe_build(&ps, &other, probe, sizeof(probe));
	pkt_icmp_error(&foreign, &r, &ps.src, XHOP_ICMP_TIME_EXCEEDED, 0, probe, n, 0);

	e = ns_per_packet(efd, NULL, &ours, &rv_e);
	f = ns_per_packet(loader_prog_fd_rx(&ld), &ld, &foreign, &rv_f);
	o = ns_per_packet(loader_prog_fd_rx(&ld), &ld, &ours, &rv_o);
	if (e < 0 || f < 0 || o < 0 || rv_o != XDP_DROP || rv_f != XDP_PASS) {
		fprintf(stderr, "xdp_cost: unexpected verdicts %u %u\n", rv_f, rv_o);
		return 1;
	}
	printf("XDP cost per packet (%zu-byte Time Exceeded, %d x %d runs):\n", ours.len, BATCHES,
	       BATCH);
	printf("  %-34s %6.1f ns\n", "empty program (floor)", e);
	printf("  %-34s %6.1f ns  (%.1fx floor)\n", "xhop_rx, foreign reply (passed)", f, f / e);
	printf("  %-34s %6.1f ns  (%.1fx floor, %ld events)\n", "xhop_rx, our reply (event, drop)", o,
	       o / e, events);
	loader_stop(&ld);
	return 0;
}
