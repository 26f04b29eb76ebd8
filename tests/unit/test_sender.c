// SPDX-License-Identifier: GPL-2.0
/*
 * The sender layer's parts that need no network: rung names both ways,
 * which errors end a run at once, --sender in every mode's options (and
 * each mode's default), and the frames the AF_XDP and AF_PACKET rungs
 * hand to the driver: the next hop's address, ours, the EtherType, then
 * byte for byte what probe_build() makes of the same probe.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include "xhop_test.h"
#include "cli/cli.h"
#include "cli/monitor_cmd.h"
#include "send/frame.h"
#include "send/sender.h"

#define ARGV(...) ((char *[]){ __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)))

static const struct xhop_key key = { 0x0123456789abcdefULL, 0xfedcba9876543210ULL };

static void test_names(void)
{
	static const char *const want[] = { "auto", "kernel", "xdp", "packet", "raw" };

	EXPECT(SENDER_KINDS == 5, "five kinds: %d", SENDER_KINDS);
	for (int k = 0; k < SENDER_KINDS; k++) {
		EXPECT(!strcmp(sender_kind_name(k), want[k]), "name of %d: %s", k,
		       sender_kind_name(k));
		EXPECT(sender_kind_parse(want[k]) == k, "parse %s", want[k]);
	}
	EXPECT(sender_kind_parse("fast") == -1 && sender_kind_parse("") == -1 &&
	       sender_kind_parse("RAW") == -1, "unknown names refused");
	EXPECT(sender_kind_name(-1) == NULL && sender_kind_name(SENDER_KINDS) == NULL,
	       "no name out of range");
	/* the ladder's order is its speed order: fastest first */
	EXPECT(SENDER_KERNEL < SENDER_XDP && SENDER_XDP < SENDER_PACKET &&
	       SENDER_PACKET < SENDER_RAW, "ladder order");
}

static void test_fatal(void)
{
	const int fatal[] = { -ENETDOWN, -ENODEV, -ENXIO, -EPERM, -EACCES, -EBADF };
	const int passing[] = { -ENOBUFS, -EAGAIN, -EHOSTUNREACH, -ENETUNREACH, -EMSGSIZE, 0 };

	for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		EXPECT(sender_fatal(fatal[i]), "%s ends the run", strerror(-fatal[i]));
	for (size_t i = 0; i < sizeof(passing) / sizeof(passing[0]); i++)
		EXPECT(!sender_fatal(passing[i]), "%s is one probe's failure",
		       strerror(-passing[i]));
}

static void test_cli(void)
{
	int devnull = open("/dev/null", O_WRONLY), saved = dup(2);
	struct trace_opts t;
	struct mon_opts m;

	EXPECT(cli_parse_trace(ARGC("xhop", "198.18.0.1"), ARGV("xhop", "198.18.0.1"), &t) == -1 &&
	       t.sender == SENDER_RAW, "xhop HOST: raw by default (%d)", t.sender);
	EXPECT(cli_parse_monitor(ARGC("monitor", "198.18.0.1"), ARGV("monitor", "198.18.0.1"),
				 &m) == -1 && m.sender == SENDER_RAW,
	       "monitor: raw by default (%d)", m.sender);
	mon_opts_free(&m);
	for (int k = SENDER_AUTO; k < SENDER_KINDS; k++) {
		char n[16];

		snprintf(n, sizeof(n), "%s", sender_kind_name(k));
		EXPECT(cli_parse_trace(ARGC("xhop", "--sender", n, "h"),
				       ARGV("xhop", "--sender", n, "h"), &t) == -1 &&
		       t.sender == k, "xhop --sender %s", n);
		EXPECT(cli_parse_monitor(ARGC("monitor", "--sender", n, "h"),
					 ARGV("monitor", "--sender", n, "h"), &m) == -1 &&
		       m.sender == k, "monitor --sender %s", n);
		mon_opts_free(&m);
	}
	dup2(devnull, 2);
	EXPECT(cli_parse_trace(ARGC("xhop", "--sender", "fast", "h"),
			       ARGV("xhop", "--sender", "fast", "h"), &t) == EXIT_USAGE,
	       "xhop --sender fast: usage error");
	EXPECT(cli_parse_monitor(ARGC("monitor", "--sender", "fast", "h"),
				 ARGV("monitor", "--sender", "fast", "h"), &m) == EXIT_USAGE,
	       "monitor --sender fast: usage error");
	mon_opts_free(&m);
	EXPECT(cli_parse_trace(ARGC("xhop", "--sender"), ARGV("xhop", "--sender"), &t) ==
		       EXIT_USAGE, "--sender without a value");
	dup2(saved, 2);
	close(devnull);
	close(saved);
}

static struct in6_addr addr_of(int family, const char *s)
{
	struct in6_addr a = { 0 };

	if (family == 6) {
		inet_pton(AF_INET6, s, &a);
	} else {
		a.s6_addr[10] = a.s6_addr[11] = 0xff;
		inet_pton(AF_INET, s, &a.s6_addr[12]);
	}
	return a;
}

static void test_frames(void)
{
	for (int family = 4; family <= 6; family += 2) {
		for (int method = METHOD_ICMP; method <= METHOD_TCP; method++) {
			struct frame_tmpl t = {
				.base = {
					.src = addr_of(family, family == 6 ? "2001:2:0:1::1"
									   : "198.18.1.1"),
					.sport = 40001, .dport = 33434, .icmp_sum = 0xbeef,
					.size = (__u16)(family == 6 ? 80 : 60),
					.family = (__u8)family, .method = (__u8)method, .tos = 0x20,
				},
				.key = &key,
				.dst_mac = { 0x02, 0, 0, 0, 0, 0x02 },
				.src_mac = { 0x02, 0, 0, 0, 0, 0x01 },
			};
			struct send_probe p = {
				.dst = addr_of(family, family == 6 ? "2001:2:0:100::77" : "198.19.0.77"),
				.probe_id = 0x1234, .ttl = 7,
			};
			struct probe_spec ps = t.base;
			__u8 frame[FRAME_MAX] __attribute__((aligned(8)));
			__u8 pkt[PROBE_MAX_SIZE] __attribute__((aligned(8)));
			__u16 proto = htons(family == 6 ? 0x86dd : 0x0800);
			ssize_t n, m;

			ps.dst = p.dst;
			ps.probe_id = p.probe_id;
			ps.ttl = p.ttl;
			n = frame_build(&t, &p, frame, sizeof(frame));
			m = probe_build(&ps, &key, pkt, sizeof(pkt));
			EXPECT(m > 0 && n == m + FRAME_ETH_LEN, "v%d method %d: length %zd, probe %zd",
			       family, method, n, m);
			if (n != m + FRAME_ETH_LEN)
				continue;
			EXPECT(!memcmp(frame, t.dst_mac, 6) && !memcmp(frame + 6, t.src_mac, 6) &&
			       !memcmp(frame + 12, &proto, 2),
			       "v%d method %d: Ethernet header", family, method);
			EXPECT(!memcmp(frame + FRAME_ETH_LEN, pkt, (size_t)m),
			       "v%d method %d: the probe_build() bytes", family, method);
			EXPECT(frame_build(&t, &p, frame, (size_t)n - 1) == -EMSGSIZE,
			       "v%d method %d: a buffer one short is refused", family, method);
		}
	}
}

int main(void)
{
	test_names();
	test_fatal();
	test_cli();
	test_frames();
	return TEST_SUMMARY();
}
