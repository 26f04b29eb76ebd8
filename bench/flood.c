// SPDX-License-Identifier: GPL-2.0
/*
 * The lab's ceiling for scripts/bench_scan.sh: floods ICMP echo probes of
 * one TTL towards DST for SECONDS, so that the router TTL hops away must
 * answer each (Time Exceeded, or an Echo Reply from DST), from the
 * fastest bare sender the kernel allows (bench/bare_send.h): live XDP
 * frames, else AF_XDP in copy mode, else AF_PACKET with qdisc bypass. A
 * kernel that refuses live frames (EPERM) leaves bench/te_flood.c nothing
 * to send with; this takes the next rung, as xhop's sender ladder does.
 * The answers are counted and dropped at the prober's interface by an XDP
 * program (bench/xdp_count.bpf.c), as cheaply as a receiver can. Runs in
 * the prober's namespace:
 *   flood DST SECONDS [TTL [RATE]]
 * prints "offered N SECS answered M sender NAME". RATE (probes per
 * second) paces the flood in calls of 250 us of probes (16..256, as xhop
 * scan does); without it (or 0) the sender goes as fast as it can.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <net/if.h>
#include <bpf/libbpf.h>
#include "net/addr.h"
#include "bare_send.h"
#include "rounds.h"
#include "net/neigh.h"
#include "core/probe_build.h"
#include "net/route.h"
#include "send/frame.h"
#include "xdp_count.skel.h"

#define NFRAMES 256
#define STRIDE 128
#define LIVE_PER_CALL 16384 /* live frames unpaced: many per call, each call has ~50 us of set-up */
#define XC_CPUS 64	    /* xdp_count.bpf.c's counters */
#define WHY_MAX 160
#define SETTLE_NS 100000000 /* for answers still in the lab */

static const struct xhop_key key = { 1, 2 };

static __u64 answers(struct xdp_count_bpf *count)
{
	__u64 n = 0;

	for (int c = 0; c < XC_CPUS; c++)
		n += count->bss->cnt[c];
	return n;
}

/* The first sender of the ladder the kernel allows; its name, or NULL (said) */
static const char *open_sender(struct bare **b, struct bare_cfg *bc, __u32 per_call, int paced,
			       int ipv6)
{
	static const struct {
		int kind;
		const char *name;
	} ladder[] = { { BARE_LIVE, "live frames" }, { BARE_XSK, "AF_XDP copy mode" },
		       { BARE_PACKET, "AF_PACKET bypass" } };
	char why[WHY_MAX];

	for (size_t i = 0; i < sizeof(ladder) / sizeof(ladder[0]); i++) {
		/* the live frames' program rewrites IPv4 headers only */
		if (ladder[i].kind == BARE_LIVE && ipv6) {
			fprintf(stderr, "flood: %s: IPv4 only\n", ladder[i].name);
			continue;
		}
		bc->kind = ladder[i].kind;
		bc->batch = (int)(bc->kind == BARE_LIVE && !paced ? LIVE_PER_CALL : per_call);
		if (!bare_open(b, bc, why, sizeof(why)))
			return ladder[i].name;
		fprintf(stderr, "flood: %s: %s\n", ladder[i].name, why);
	}
	return NULL;
}

/* "TTL" or "LO-HI" (1 <= LO <= HI <= 255): 0, else -1 */
static int parse_ttls(const char *s, int *lo, int *hi)
{
	char *end;
	long a = strtol(s, &end, 10), b = a;

	if (*end == '-')
		b = strtol(end + 1, &end, 10);
	if (*end || a < 1 || b < a || b > 255)
		return -1;
	*lo = (int)a;
	*hi = (int)b;
	return 0;
}

int main(int argc, char **argv)
{
	__u8 frames[NFRAMES][STRIDE] __attribute__((aligned(8)));
	struct probe_spec *ps;
	struct frame_tmpl tmpl = { .key = &key };
	struct xdp_count_bpf *count = NULL;
	struct bpf_link *count_link = NULL;
	struct bare_cfg bc = { .frames = &frames[0][0], .stride = STRIDE, .nframes = NFRAMES };
	char ifname[IF_NAMESIZE];
	struct route_info ri;
	struct in6_addr dst;
	struct bare *b = NULL;
	const char *name;
	double t0, secs, el, rate = 0;
	__u64 sent = 0, answered, base;
	__u32 per_call = 256;
	int fam, ttl = 1, ttl_hi = 1, rc = 1, n = 0;

	if (argc < 3 || argc > 5 || addr_parse(argv[1], 0, &dst, &fam) ||
	    (secs = atof(argv[2])) <= 0 ||
	    (argc >= 4 && parse_ttls(argv[3], &ttl, &ttl_hi)) ||
	    (argc == 5 && (rate = atof(argv[4])) < 0)) {
		fprintf(stderr, "usage: flood DST SECONDS [TTL|LO-HI [RATE]]\n");
		return 2;
	}
	if (argc < 4)
		ttl_hi = ttl;
	ps = &tmpl.base;
	ps->family = (__u8)fam;
	ps->method = METHOD_ICMP;
	ps->icmp_sum = 0x1234;
	ps->size = fam == 4 ? 60 : 80;
	if (route_lookup(&dst, fam, 0, &ri) || route_source(&dst, fam, NULL, &ps->src) ||
	    !if_indextoname((unsigned int)ri.ifindex, ifname) ||
	    neigh_nexthop_mac(ri.ifindex, fam, &dst, tmpl.dst_mac, tmpl.src_mac, 2000)) {
		fprintf(stderr, "flood: no route or next hop towards %s\n", argv[1]);
		return 1;
	}
	for (int i = 0; i < NFRAMES; i++) {
		struct send_probe p = { .dst = dst, .probe_id = (__u16)(1 + i),
					.ttl = (__u8)(ttl + i % (ttl_hi - ttl + 1)) };
		ssize_t len;

		if (ttl_hi > ttl) {
			/* its own /24 or /64: byte 2 (IPv4) or 7 (IPv6) of the prefix */
			p.dst.s6_addr[fam == 4 ? 14 : 7] ^= (__u8)i;
		}
		len = frame_build(&tmpl, &p, frames[i], STRIDE);
		if (len < 0)
			return 1;
		bc.len = (size_t)len;
	}
	bc.ifindex = ri.ifindex;
	bc.ifname = ifname;
	/* live frames get their TTL in the kernel: a mix there is its own, 1..32 */
	bc.live_ttl = (__u8)(ttl_hi > ttl ? 0 : ttl);
	if (rate) {
		per_call = (__u32)(rate * 250e-6);
		per_call = per_call < 16 ? 16 : per_call > 256 ? 256 : per_call;
	}
	/* the answers: counted and dropped on arrival */
	count = xdp_count_bpf__open();
	if (!count)
		return 1;
	count->rodata->only_proto = 1;
	if (xdp_count_bpf__load(count)) {
		fprintf(stderr, "flood: load the counter: %s\n", strerror(errno));
		goto out;
	}
	count_link = bpf_program__attach_xdp(count->progs.xdp_count, ri.ifindex);
	if (!count_link) {
		fprintf(stderr, "flood: attach the counter: %s\n", strerror(errno));
		goto out;
	}
	name = open_sender(&b, &bc, per_call, rate > 0, fam == 6);
	if (!name)
		goto out;
	/* the trial frames' answers are no part of the flood */
	clock_nanosleep(CLOCK_MONOTONIC, 0, &(struct timespec){ .tv_nsec = SETTLE_NS }, NULL);
	base = answers(count);
	t0 = bench_now_s();
	while (n >= 0 && bench_now_s() < t0 + secs) {
		if (rate) {
			/* the next call when the rate allows it */
			double at = t0 + (double)sent / rate;
			struct timespec ts = { (time_t)at, (long)((at - (time_t)at) * 1e9) };

			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		}
		n = bare_send(b);
		if (n > 0)
			sent += (__u64)n;
		/* paced: the call's probes leave now, not with the next call */
		if (rate && n >= 0) {
			n = bare_drain(b);
			if (n > 0)
				sent += (__u64)n;
		}
	}
	if (n >= 0) {
		n = bare_drain(b);
		if (n > 0)
			sent += (__u64)n;
	}
	el = bench_now_s() - t0;
	if (n < 0) {
		fprintf(stderr, "flood: send with %s: %s\n", name, strerror(-n));
		goto out;
	}
	/* answers still in the lab when the clock stopped */
	clock_nanosleep(CLOCK_MONOTONIC, 0, &(struct timespec){ .tv_nsec = SETTLE_NS }, NULL);
	answered = answers(count) - base;
	printf("offered %llu %.3f answered %llu sender %s\n", (unsigned long long)sent, el,
	       (unsigned long long)answered, name);
	rc = 0;
out:
	bare_close(b);
	bpf_link__destroy(count_link);
	xdp_count_bpf__destroy(count);
	return rc;
}
