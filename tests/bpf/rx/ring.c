// SPDX-License-Identifier: GPL-2.0
/*
 * The receiver's counters, device and clock, and its ring buffer: full,
 * reused records, repeated runs.
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

void test_stats(void)
{
	__u64 before[XHOP_STAT_MAX], after[XHOP_STAT_MAX];
	struct in6_addr a = pkt_addr("198.18.0.99"), b = pkt_addr("198.18.0.1");
	struct probe pr;
	struct pkt p;

	EXPECT(loader_stats(&ld, before) == 0, "loader_stats");
	probe_make(&pr, 4, METHOD_ICMP, 1400, 4, &key);
	reply_te(&p, &pr, 0);
	expect_ours("stats: ours", &p);
	expect_ours("stats: ours again", &p);
	pkt_arp(&p, &a, &b);
	expect_pass("stats: ARP", &p);
	reply_te(&p, &pr, 0);
	pkt_ip4(&p)->ihl = 3;
	expect_pass("stats: ihl 3", &p);
	EXPECT(loader_stats(&ld, after) == 0, "loader_stats");
	EXPECT(delta(before, after, XHOP_STAT_RX_SEEN) == 4, "seen +%llu",
	       (unsigned long long)delta(before, after, XHOP_STAT_RX_SEEN));
	EXPECT(delta(before, after, XHOP_STAT_RX_OURS) == 2, "ours +%llu",
	       (unsigned long long)delta(before, after, XHOP_STAT_RX_OURS));
	EXPECT(delta(before, after, XHOP_STAT_RX_FOREIGN) == 1, "foreign +%llu",
	       (unsigned long long)delta(before, after, XHOP_STAT_RX_FOREIGN));
	EXPECT(delta(before, after, XHOP_STAT_RX_MALFORMED) == 1, "malformed +%llu",
	       (unsigned long long)delta(before, after, XHOP_STAT_RX_MALFORMED));
	EXPECT(delta(before, after, XHOP_STAT_RX_RB_FULL) == 0, "rb_full +%llu",
	       (unsigned long long)delta(before, after, XHOP_STAT_RX_RB_FULL));
	EXPECT(delta(before, after, XHOP_STAT_TX_PROBES) == 0, "tx_probes moved on receive");
}

void test_device_and_clock(void)
{
	/*
	 * The device named in the context; loopback, as it is the only one a
	 * test can count on, and nothing is sent in a test run anyway.
	 */
	struct xdp_md ctx = { .ingress_ifindex = 1 };
	struct probe pr;
	struct pkt p;
	struct rx r;
	__u64 t0;

	probe_make(&pr, 6, METHOD_TCP, 1500, 30, &key);
	pkt_tcp_answer(&p, pr.b, pr.len, XHOP_TCP_SYN | XHOP_TCP_ACK);
	ctx.data_end = p.len;
	r = rx_run_ctx(&ld, &p, p.len, &ctx);
	EXPECT(!r.err && r.retval == XDP_PASS && r.n == 1, "with ctx (a SYN-ACK: recorded, "
	       "passed): err %d verdict %s n %d", r.err, verdict(r.retval), r.n);
	EXPECT(r.n == 1 && got[0].ifindex == 1, "ifindex %u, want 1", got[0].ifindex);
	t0 = got[0].ts_ns;
	r = rx_run(&ld, &p, p.len);
	EXPECT(r.n == 1 && got[0].ts_ns > t0, "ts_ns %llu after %llu",
	       (unsigned long long)got[0].ts_ns, (unsigned long long)t0);
}

/*
 * Fill the ring buffer without consuming: what userspace cannot see must
 * reach the kernel (XDP_PASS) and be counted, never dropped.
 */
void test_ring_full(void)
{
	__u64 before[XHOP_STAT_MAX], after[XHOP_STAT_MAX];
	const __u32 repeat = 60000; /* > 4 MiB / (80 + 8) records */
	struct probe pr;
	struct pkt p;
	__u64 ours, full;
	int err;

	probe_make(&pr, 4, METHOD_UDP, 1600, 4, &key);
	reply_te(&p, &pr, 0);
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p.data, .data_size_in = p.len,
		    .repeat = repeat);
	loader_stats(&ld, before);
	n_got = 0;
	err = bpf_prog_test_run_opts(loader_prog_fd_rx(&ld), &opts);
	EXPECT(err == 0, "ring full run: %s", strerror(-err));
	loader_stats(&ld, after);
	ours = delta(before, after, XHOP_STAT_RX_OURS);
	full = delta(before, after, XHOP_STAT_RX_RB_FULL);
	EXPECT(full > 0, "ring never full: ours +%llu", (unsigned long long)ours);
	EXPECT(ours + full == repeat, "ours %llu + full %llu != %u", (unsigned long long)ours,
	       (unsigned long long)full, repeat);
	EXPECT(opts.retval == XDP_PASS, "verdict with a full ring: %s", verdict(opts.retval));
	EXPECT(loader_consume(&ld) >= 0, "consume");
	EXPECT((__u64)n_got == ours, "%d events consumed, %llu counted", n_got,
	       (unsigned long long)ours);
	EXPECT(got[0].probe_id == 1600, "probe_id %u", got[0].probe_id);
	/* drained: consumed again */
	expect_ours("after the ring drained", &p);
	if (!err) {
		n_runs += repeat;
		n_drops += ours;
	}
}

/* repeat runs of p, drained after; the events it wrote */
static int run_lap(const char *what, const struct pkt *p, __u32 repeat, __u32 verdict_want)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p->data, .data_size_in = p->len,
		    .repeat = repeat);
	int err;

	n_got = 0;
	err = bpf_prog_test_run_opts(loader_prog_fd_rx(&ld), &opts);
	EXPECT(err == 0, "%s: test run: %s", what, strerror(errno));
	loader_consume(&ld);
	EXPECT(opts.retval == verdict_want && n_got == (int)repeat, "%s: verdict %s, %d events of %u",
	       what, verdict(opts.retval), n_got, repeat);
	if (!err) {
		n_runs += repeat;
		n_drops += n_got;
	}
	return n_got;
}

/*
 * The receiver writes an answer's record in place, in the reserved ring
 * slot, which holds whatever an earlier record left there: it must write
 * every byte, the zeros too. A lap of records with every field set
 * leaves the ring dirty; then laps of IPv6 echo replies and RST-ACKs,
 * which quote nothing, must come out with zeros where those had values.
 * 88-byte records do not divide the 4 MiB ring: a record lies 40 bytes
 * into the one written a lap earlier, so its labels fall on that one's
 * header and timestamp and its small fields on its source and
 * destination, which is why the dirty answer comes from an address
 * without a zero byte in its last half.
 */
void test_ring_reuse(void)
{
	const __u32 lap = 47000; /* 88-byte records: 4.14 of the ring's 4.19 MB */
	const __u32 lse[] = { pkt_mpls_lse(0xfffff, 7, 0, 255), pkt_mpls_lse(0xabcde, 5, 0, 254),
			      pkt_mpls_lse(0x12345, 3, 0, 253), pkt_mpls_lse(0xfedcb, 1, 1, 252) };
	struct probe pr;
	struct pkt unreach, echo, rst;

	probe_make(&pr, 6, METHOD_UDP, 1800, 9, &key);
	pr.ps.dst = pkt_addr("2001:2:0:ffff:1111:2222:3333:4444");
	pr.len = probe_build(&pr.ps, &key, pr.b, sizeof(pr.b));
	pkt_icmp_error(&unreach, &pr.ps.dst, &pr.ps.src, XHOP_ICMP6_DEST_UNREACH,
		       XHOP_ICMP6_PORT_UNREACH, pr.b, pr.len, 0);
	pkt_icmp_ext_mpls(&unreach, lse, 4);
	probe_make(&pr, 6, METHOD_ICMP, 1801, 9, &key);
	pkt_echo_reply(&echo, pr.b, pr.len);
	probe_make(&pr, 6, METHOD_TCP, 1802, 9, &key);
	pkt_tcp_answer(&rst, pr.b, pr.len, XHOP_TCP_RST | XHOP_TCP_ACK);

	for (int i = 0; i < 2; i++) {
		const struct pkt *clean = i ? &rst : &echo;

		run_lap("dirty lap", &unreach, lap, XDP_DROP);
		EXPECT(got[0].mpls_count == 4 && got[0].q_ipl && got[0].icmp_code,
		       "the dirty record is not: %u labels", got[0].mpls_count);
		check_clean = 1;
		n_dirty = 0;
		run_lap(i ? "RST-ACK lap" : "echo reply lap", clean, lap, XDP_DROP);
		check_clean = 0;
		EXPECT(n_dirty == 0,
		       "%s: %d records held an earlier record's bytes (first: mpls %#x %#x "
		       "%#x %#x/%u, q %u/%#x/%u, icmp %u/%u, tcp %#x, ipid %u, pad %#x)",
		       i ? "RST-ACK" : "echo reply", n_dirty, got[0].mpls[0], got[0].mpls[1],
		       got[0].mpls[2], got[0].mpls[3], got[0].mpls_count, got[0].q_ttl,
		       got[0].q_tos, got[0].q_ipl, got[0].icmp_type, got[0].icmp_code,
		       got[0].tcp_flags, got[0].reply_ipid, got[0]._pad[0]);
	}
}

/* Many runs of one frame: every one an event; the duration is only shown */
void test_repeat(void)
{
	const __u32 repeat = 10000;
	struct probe pr;
	struct pkt p;
	int err;

	probe_make(&pr, 6, METHOD_UDP, 1700, 4, &key);
	reply_te(&p, &pr, 0);
	pkt_icmp_ext_mpls(&p, (const __u32[]){ pkt_mpls_lse(16, 0, 1, 1) }, 1);
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p.data, .data_size_in = p.len,
		    .repeat = repeat);
	n_got = 0;
	err = bpf_prog_test_run_opts(loader_prog_fd_rx(&ld), &opts);
	EXPECT(err == 0, "repeat run: %s", strerror(-err));
	loader_consume(&ld);
	EXPECT(opts.retval == XDP_DROP && n_got == (int)repeat, "verdict %s, %d events of %u",
	       verdict(opts.retval), n_got, repeat);
	if (!err) {
		n_runs += repeat;
		n_drops += repeat;
	}
	printf("info: v6 TE with MPLS: %u ns per run (not asserted)\n", opts.duration);
}
