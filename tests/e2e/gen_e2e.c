// SPDX-License-Identifier: GPL-2.0
/*
 * The generator on a real veth, for tests/e2e/test_gen.sh. Run inside the
 * sender's namespace:
 *   gen_e2e IF PEER_NS PEER_IF FAMILY METHOD COUNT DST_BASE PCAP_OUT
 * Attaches the counting program (XDP_PASS, for the test's capture) to
 * PEER_IF in PEER_NS, resolves the next hop's MAC, sends COUNT probes to
 * DST_BASE + 1.. in batches of every size from 1 to 256, waits (5 s at
 * most) for the peer to count them, and prints "key value" lines. The
 * frames probe_build() makes for the same items go to PCAP_OUT, for the
 * test to compare with its capture. Exit 3: gen_open refused the device.
 * PEER_IF "-" attaches nothing (to see gen_open refuse an unready peer).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include "net/neigh.h"
#include "send/gen_send.h"
#include "peer_count.h"
#include "core/probe_build.h"
#include "net/route.h"

static const struct xhop_key key = { 0x0123456789abcdefULL, 0xfedcba9876543210ULL };

static __u64 mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int wait_count(struct peer_count *pc, __u64 want, int ms)
{
	__u64 deadline = mono_ms() + ms;

	while (peer_count(pc) < want) {
		if (mono_ms() > deadline)
			return -1;
		poll(NULL, 0, 2);
	}
	return 0;
}

static struct in6_addr addr_of(const char *s)
{
	struct in6_addr a = { 0 };
	struct in_addr v4;

	if (inet_pton(AF_INET, s, &v4) == 1) {
		a.s6_addr[10] = a.s6_addr[11] = 0xff;
		memcpy(&a.s6_addr[12], &v4, 4);
	} else if (inet_pton(AF_INET6, s, &a) != 1) {
		fprintf(stderr, "gen_e2e: bad address %s\n", s);
		exit(2);
	}
	return a;
}

static struct in6_addr nth(struct in6_addr a, int i)
{
	a.s6_addr[14] = (i + 1) >> 8;
	a.s6_addr[15] = (i + 1) & 0xff;
	return a;
}

static void pcap_write(FILE *f, const __u8 *b, __u32 len)
{
	__u32 rec[4] = { 0, 0, len, len };

	fwrite(rec, sizeof(rec), 1, f);
	fwrite(b, len, 1, f);
}

int main(int argc, char **argv)
{
	struct peer_count pc;
	struct gen_cfg cfg = { 0 };
	struct gen_sender *g;
	struct gen_stats st;
	struct gen_probe *p;
	struct in6_addr base;
	__u64 tx_ns, first, last, sent = 0;
	int ifindex, count, err, i, n;
	const char *m;
	FILE *f;

	if (argc != 9) {
		fprintf(stderr, "usage: gen_e2e IF PEER_NS PEER_IF FAMILY METHOD COUNT DST_BASE PCAP\n");
		return 2;
	}
	ifindex = if_nametoindex(argv[1]);
	cfg.family = atoi(argv[4]);
	m = argv[5];
	cfg.method = !strcmp(m, "udp") ? METHOD_UDP : !strcmp(m, "tcp") ? METHOD_TCP : METHOD_ICMP;
	count = atoi(argv[6]);
	base = addr_of(argv[7]);
	if (!ifindex || count < 1) {
		fprintf(stderr, "gen_e2e: bad interface or count\n");
		return 2;
	}
	/* PEER_IF "-": no counter (a peer that cannot take frames) */
	if (strcmp(argv[3], "-") && peer_open(&pc, argv[2], argv[3], XDP_PASS,
			cfg.method == METHOD_UDP ? 17 : cfg.method == METHOD_TCP ? 6 : 1))
		return 1;
	cfg.ifindex = ifindex;
	if (neigh_nexthop_mac(ifindex, cfg.family, &base, cfg.dst_mac, cfg.src_mac, 3000))
		return 1;
	if (route_source(&base, cfg.family, argv[1], &cfg.src))
		return 1;
	cfg.key = &key;
	cfg.sport = 40001;
	cfg.dport = cfg.method == METHOD_TCP ? 443 : 33434;
	cfg.icmp_sum = 0xbeef;
	cfg.size = cfg.family == 6 ? 80 : 60;
	err = gen_open(&g, &cfg);
	if (err) {
		printf("gen_open %d\n", err);
		return 3;
	}
	p = calloc(count, sizeof(*p));
	for (i = 0; i < count; i++) {
		p[i].dst = nth(base, i % 1000);
		p[i].ttl = 1 + i % 30;
		p[i].probe_id = 1 + i;
	}
	/* the stamp of a one-probe batch against its arrival at the peer */
	peer_stamp(&pc, 1);
	err = gen_send(g, p, 1, &tx_ns);
	if (err != 1 || wait_count(&pc, 1, 2000)) {
		printf("first_send %d\n", err);
		return 1;
	}
	peer_times(&pc, &first, &last);
	printf("stamp_before_arrival %d\n", tx_ns && first > tx_ns);
	printf("stamp_to_arrival_ns %lld\n", (long long)(first - tx_ns));
	peer_stamp(&pc, 0);
	sent = 1;
	for (i = 1, n = 1; i < count; i += n, n = n % GEN_BATCH_MAX + 1) {
		if (n > count - i)
			n = count - i;
		err = gen_send(g, p + i, n, &tx_ns);
		if (err < 0) {
			printf("gen_send %d\n", err);
			return 1;
		}
		sent += err;
	}
	wait_count(&pc, count, 5000);
	gen_stats(g, &st);
	printf("sent %llu\narrived %llu\ngenerated %llu\ndropped %llu\n", (unsigned long long)sent,
	       (unsigned long long)peer_count(&pc), (unsigned long long)st.generated,
	       (unsigned long long)st.dropped);

	f = fopen(argv[8], "w");
	if (!f)
		return 1;
	{
		__u32 hdr[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1 };
		__u32 tlen;
		const __u8 *t = gen_template(g, &tlen);

		fwrite(hdr, sizeof(hdr), 1, f);
		for (i = 0; i < count; i++) {
			struct probe_spec ps = { .src = cfg.src, .dst = p[i].dst,
						 .probe_id = p[i].probe_id, .sport = cfg.sport,
						 .dport = cfg.dport, .icmp_sum = cfg.icmp_sum,
						 .size = cfg.size, .family = cfg.family,
						 .method = cfg.method, .ttl = p[i].ttl };
			__u8 frame[ETH_HLEN + PROBE_MAX_SIZE];
			ssize_t l;

			memcpy(frame, t, ETH_HLEN);
			l = probe_build(&ps, &key, frame + ETH_HLEN, PROBE_MAX_SIZE);
			pcap_write(f, frame, ETH_HLEN + l);
		}
	}
	fclose(f);
	free(p);
	gen_close(g);
	peer_close(&pc);
	return 0;
}
