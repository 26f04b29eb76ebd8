// SPDX-License-Identifier: GPL-2.0
/* xhop monitor's options, --targets files and --metrics ADDR:PORT. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "xhop_test.h"
#include "cli.h"
#include "metrics.h"
#include "monitor_run.h"
#include "probe_build.h"

#define ARGV(...) ((char *[]){ "monitor", __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ "monitor", __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(o, ...) cli_parse_monitor(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), o)

static FILE *real_stderr, *real_stdout;

static void quiet(void)
{
	real_stderr = stderr;
	real_stdout = stdout;
	stderr = fopen("/dev/null", "w");
	stdout = fopen("/dev/null", "w");
}

static void unquiet(void)
{
	fclose(stderr);
	fclose(stdout);
	stderr = real_stderr;
	stdout = real_stdout;
}

static void test_options(void)
{
	struct mon_opts o;

	EXPECT(PARSE(&o, "198.19.0.1", "d77.example") == -1, "targets run");
	EXPECT(o.n_targets == 2 && !strcmp(o.targets[1], "d77.example"), "two targets");
	EXPECT(o.interval_s == 1.0 && o.wait_s == 1.0 && o.confirm == 2 && o.max_ttl == 30 &&
		       o.cycles == 0 && o.method == METHOD_ICMP && o.stale_s == 600,
	       "defaults");
	mon_opts_free(&o);
	EXPECT(PARSE(&o, "-r", "-n", "-U", "-6", "-m", "12", "--interval", "0.5", "--confirm", "3",
		     "--events", "/tmp/e", "--metrics", "127.0.0.1:9464", "x") == -1, "many options");
	EXPECT(o.report && o.cycles == 10 && o.no_resolve && o.method == METHOD_UDP && o.family == 6 &&
		       o.max_ttl == 12 && o.interval_s == 0.5 && o.confirm == 3,
	       "parsed (--report defaults to 10 cycles as mtr -r)");
	mon_opts_free(&o);
	EXPECT(PARSE(&o, "--report", "-c", "3", "--json", "x") == -1 && o.cycles == 3 && o.json,
	       "-c 3 --json");
	mon_opts_free(&o);
	quiet();
	EXPECT(PARSE(&o, "-h") == 0, "--help is 0");
	mon_opts_free(&o);
	EXPECT(PARSE(&o, "--report") == 2, "no target is a usage error");
	mon_opts_free(&o);
	EXPECT(PARSE(&o, "--interval", "0", "x") == 2, "interval 0 refused");
	mon_opts_free(&o);
	EXPECT(PARSE(&o, "--confirm", "x1", "x") == 2, "bad number");
	mon_opts_free(&o);
	EXPECT(PARSE(&o, "--report", "--cycles", "0", "x") == 2, "report of 0 cycles");
	mon_opts_free(&o);
	EXPECT(PARSE(&o, "-f", "9", "-m", "3", "x") == 2, "first hop beyond max");
	mon_opts_free(&o);
	EXPECT(PARSE(&o, "--bogus", "x") == 2, "unknown option");
	mon_opts_free(&o);
	EXPECT(PARSE(&o, "has space") == 2, "a target with a space");
	mon_opts_free(&o);
	EXPECT(PARSE(&o, "--targets", "/nonexistent/file") == 2, "missing targets file");
	mon_opts_free(&o);
	unquiet();
}

static void test_targets_file(void)
{
	const char text[] = "# lab targets\n198.19.0.1\n  d77.example   # the name\n\n\t2001:2:0:100::5\r\n";
	struct mon_opts o;
	FILE *f;

	memset(&o, 0, sizeof(o));
	f = fmemopen((void *)text, sizeof(text) - 1, "r");
	EXPECT(mon_targets_read(&o, f, "t") == 0, "read");
	fclose(f);
	EXPECT(o.n_targets == 3, "3 targets: %zu", o.n_targets);
	EXPECT(o.n_targets == 3 && !strcmp(o.targets[1], "d77.example") &&
		       !strcmp(o.targets[2], "2001:2:0:100::5"),
	       "trimmed, comments dropped");
	mon_opts_free(&o);

	quiet();
	f = fmemopen((void *)"ok\ntwo words\n", 13, "r");
	EXPECT(mon_targets_read(&o, f, "t") == -EINVAL, "two words on a line");
	fclose(f);
	mon_opts_free(&o);
	f = fmemopen((void *)"a\0b\n", 4, "r");
	EXPECT(mon_targets_read(&o, f, "t") == -EINVAL, "NUL in a line");
	fclose(f);
	mon_opts_free(&o);
	unquiet();
}

static void test_metrics_addr(void)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;

	EXPECT(metrics_addr_parse("127.0.0.1:9464", &ss, &len) == 0 && s4->sin_family == AF_INET &&
		       ntohs(s4->sin_port) == 9464 && s4->sin_addr.s_addr == htonl(0x7f000001),
	       "v4");
	EXPECT(metrics_addr_parse("[::1]:80", &ss, &len) == 0 && s6->sin6_family == AF_INET6 &&
		       ntohs(s6->sin6_port) == 80 && IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr),
	       "v6");
	EXPECT(metrics_addr_parse(":9464", &ss, &len) == 0 && s4->sin_addr.s_addr == 0, "any");
	EXPECT(metrics_addr_parse("::1:9464", &ss, &len) == -EINVAL, "v6 without brackets");
	EXPECT(metrics_addr_parse("127.0.0.1", &ss, &len) == -EINVAL, "no port");
	EXPECT(metrics_addr_parse("127.0.0.1:0", &ss, &len) == -EINVAL, "port 0");
	EXPECT(metrics_addr_parse("127.0.0.1:65536", &ss, &len) == -EINVAL, "port 65536");
	EXPECT(metrics_addr_parse("127.0.0.1:-1", &ss, &len) == -EINVAL, "negative port");
	EXPECT(metrics_addr_parse("localhost:9464", &ss, &len) == -EINVAL, "no names");
	EXPECT(metrics_addr_parse("[::1]9464", &ss, &len) == -EINVAL, "no colon");
	EXPECT(metrics_addr_parse("[::1:9464", &ss, &len) == -EINVAL, "no bracket");
	EXPECT(metrics_addr_parse("[127.0.0.1]:9464", &ss, &len) == -EINVAL, "v4 in brackets");
}

int main(void)
{
	test_options();
	test_targets_file();
	test_metrics_addr();
	return TEST_SUMMARY();
}
