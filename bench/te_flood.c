// SPDX-License-Identifier: GPL-2.0
/*
 * The lab's ceiling for scripts/bench_scan.sh: floods ICMP echo probes of
 * one TTL towards DST for SECONDS from the bare live-frames sender
 * (bench/send_bare.bpf.c, the fastest sender here), so that the router
 * TTL hops away must answer each (Time Exceeded, or an Echo Reply from
 * DST). The answers are counted and dropped at the prober's interface by
 * an XDP program (bench/xdp_count.bpf.c), as cheaply as a receiver can:
 * left to the prober's stack, their handling ran on the sending CPU and
 * held the flood back. Runs in the prober's namespace:
 *   te_flood DST SECONDS [TTL [RATE]]
 * prints "offered N SECS answered M". RATE (probes per second) paces the
 * flood in calls of 250 us of probes (16..256, as xhop scan does: 256 at
 * once can overrun a veth peer's ring); without it (or 0) the sender goes
 * as fast as it can, and an overloaded lab answers less than a paced flood
 * gets from it: the ceiling is the best of both.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <net/if.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "net/addr.h"
#include "net/neigh.h"
#include "send/gen_send.h"
#include "core/probe_build.h"
#include "net/route.h"
#include "send_bare.skel.h"
#include "xdp_count.skel.h"

#define PER_CALL 16384

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct xhop_key key = { 1, 2 };
	struct probe_spec ps = { .family = 4, .method = METHOD_ICMP, .ttl = 1, .probe_id = 1,
				 .icmp_sum = 0x1234, .size = 60 };
	__u8 frame[ETH_HLEN + PROBE_MAX_SIZE] __attribute__((aligned(8)));
	__u8 probe[PROBE_MAX_SIZE] __attribute__((aligned(8)));
	struct send_bare_bpf *skel = NULL;
	struct xdp_count_bpf *count = NULL;
	struct bpf_link *count_link = NULL;
	__u64 answered = 0;
	__u32 per_call = PER_CALL;
	struct route_info ri;
	double t0, secs, el, rate = 0;
	__u64 sent = 0;
	ssize_t len;
	int fam, rc = 1;

	if (argc < 3 || argc > 5 || addr_parse(argv[1], 4, &ps.dst, &fam) ||
	    (secs = atof(argv[2])) <= 0 || (argc >= 4 && (atoi(argv[3]) < 1 || atoi(argv[3]) > 255)) ||
	    (argc == 5 && (rate = atof(argv[4])) < 0)) {
		fprintf(stderr, "usage: te_flood IPV4_DST SECONDS [TTL [RATE]]\n");
		return 2;
	}
	ps.ttl = (__u8)(argc >= 4 ? atoi(argv[3]) : 1);
	if (route_lookup(&ps.dst, 4, 0, &ri) || route_source(&ps.dst, 4, NULL, &ps.src) ||
	    neigh_nexthop_mac(ri.ifindex, 4, &ps.dst, frame, frame + ETH_ALEN, 2000)) {
		fprintf(stderr, "te_flood: no route or next hop towards %s\n", argv[1]);
		return 1;
	}
	frame[12] = ETH_P_IP >> 8;
	frame[13] = ETH_P_IP & 0xff;
	len = probe_build(&ps, &key, probe, sizeof(probe));
	if (len < 0)
		return 1;
	memcpy(frame + ETH_HLEN, probe, (size_t)len);
	skel = send_bare_bpf__open();
	if (!skel)
		return 1;
	skel->rodata->out_ifindex = (__u32)ri.ifindex;
	skel->rodata->fixed_ttl = ps.ttl;
	/* attached (generic, on lo) it stays in the XDP dispatcher: cheap calls */
	if (send_bare_bpf__load(skel) ||
	    bpf_xdp_attach(1, bpf_program__fd(skel->progs.bare_send), XDP_FLAGS_SKB_MODE, NULL)) {
		fprintf(stderr, "te_flood: load: %s\n", strerror(errno));
		goto out;
	}
	/* the answers: counted and dropped on arrival */
	count = xdp_count_bpf__open();
	if (!count)
		goto detach;
	count->rodata->only_proto = 1;
	if (xdp_count_bpf__load(count)) {
		fprintf(stderr, "te_flood: load the counter: %s\n", strerror(errno));
		goto detach;
	}
	count_link = bpf_program__attach_xdp(count->progs.xdp_count, ri.ifindex);
	if (!count_link) {
		fprintf(stderr, "te_flood: attach the counter: %s\n", strerror(errno));
		goto detach;
	}
	if (rate) {
		per_call = (__u32)(rate * 250e-6);
		per_call = per_call < 16 ? 16 : per_call > 256 ? 256 : per_call;
	}
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame,
		    .data_size_in = (__u32)(ETH_HLEN + len), .repeat = per_call,
		    .batch_size = 256, .flags = BPF_F_TEST_XDP_LIVE_FRAMES);
	t0 = now_s();
	while (now_s() < t0 + secs) {
		if (rate) {
			/* the next call when the rate allows it */
			double at = t0 + (double)sent / rate;
			struct timespec ts = { (time_t)at, (long)((at - (time_t)at) * 1e9) };

			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		}
		if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.bare_send), &opts)) {
			fprintf(stderr, "te_flood: test run: %s\n", strerror(errno));
			goto detach;
		}
		sent += opts.repeat;
	}
	el = now_s() - t0;
	/* answers still in the lab when the clock stopped */
	clock_nanosleep(CLOCK_MONOTONIC, 0, &(struct timespec){ .tv_nsec = 100000000 }, NULL);
	for (int c = 0; c < (int)(sizeof(count->bss->cnt) / sizeof(count->bss->cnt[0])); c++)
		answered += count->bss->cnt[c];
	printf("offered %llu %.3f answered %llu\n", (unsigned long long)sent, el,
	       (unsigned long long)answered);
	rc = 0;
detach:
	bpf_link__destroy(count_link);
	xdp_count_bpf__destroy(count);
	bpf_xdp_detach(1, XDP_FLAGS_SKB_MODE, NULL);
out:
	send_bare_bpf__destroy(skel);
	return rc;
}
