// SPDX-License-Identifier: GPL-2.0
/* Option parsing: traceroute's flags, their long forms, and bad values. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include "xhop_test.h"
#include "cli/cli.h"

#define ARGV(...) ((char *[]){ "xhop", __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ "xhop", __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(o, ...) cli_parse_trace(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), o)

int main(void)
{
	struct trace_opts o;
	int devnull = open("/dev/null", O_WRONLY), saved = dup(2), saved_out = dup(1);

	EXPECT(PARSE(&o, "198.19.0.77") == -1, "plain host runs");
	EXPECT(o.max_ttl == 30 && o.queries == 3 && o.wait_s == 5.0 && o.first_ttl == 1 &&
	       o.method == METHOD_ICMP && !o.no_resolve && !o.json, "defaults");
	EXPECT(PARSE(&o, "-n", "-m", "12", "-f", "2", "-q", "5", "-w", "0.25", "-U", "-p", "53",
		     "-6", "host") == -1, "short forms");
	EXPECT(o.no_resolve && o.max_ttl == 12 && o.first_ttl == 2 && o.queries == 5 &&
	       o.wait_s == 0.25 && o.method == METHOD_UDP && o.port == 53 && o.family == 6, "values");
	EXPECT(PARSE(&o, "--no-resolve", "--max-hops=9", "--first-hop", "3", "--queries", "1",
		     "--wait", "2", "--tcp", "--port", "443", "-4", "--json", "-s", "198.18.1.1",
		     "-i", "eth0", "host", "100") == -1, "long forms");
	EXPECT(o.no_resolve && o.max_ttl == 9 && o.first_ttl == 3 && o.queries == 1 &&
	       o.method == METHOD_TCP && o.port == 443 && o.family == 4 && o.json &&
	       !strcmp(o.source, "198.18.1.1") && !strcmp(o.ifname, "eth0") && o.packetlen == 100 &&
	       !strcmp(o.host, "host"), "long values");
	EXPECT(PARSE(&o, "-T", "-I", "h") == -1 && o.method == METHOD_ICMP, "last method wins");

	dup2(devnull, 2);
	dup2(devnull, 1);
	EXPECT(PARSE(&o, "-m", "12x", "h") == 2, "bad number");
	EXPECT(PARSE(&o, "-m", "0", "h") == 2, "max-hops 0");
	EXPECT(PARSE(&o, "-m", "256", "h") == 2, "max-hops 256");
	EXPECT(PARSE(&o, "-f", "10", "-m", "5", "h") == 2, "first beyond max");
	EXPECT(PARSE(&o, "-w", "-1", "h") == 2, "negative wait");
	EXPECT(PARSE(&o, "-w", "nan", "h") == 2, "nan wait");
	EXPECT(PARSE(&o, "-q", "11", "h") == 2, "too many queries");
	EXPECT(PARSE(&o, "-p", "70000", "h") == 2, "port range");
	EXPECT(PARSE(&o, "--bogus", "h") == 2, "unknown option");
	EXPECT(PARSE(&o, "-m") == 2, "missing value");
	EXPECT(PARSE(&o, "-n") == 2, "no host");
	EXPECT(PARSE(&o, "h", "60", "extra") == 2, "extra argument");
	EXPECT(PARSE(&o, "h", "5") == 2, "packetlen too small");
	/* --format, --json its alias, --output, --warts (stdout: /dev/null here) */
	EXPECT(PARSE(&o, "h") == -1 && o.format == OUT_TEXT, "text by default");
	EXPECT(PARSE(&o, "--json", "h") == -1 && o.format == OUT_JSON, "--json is --format json");
	EXPECT(PARSE(&o, "--format", "json", "--json", "h") == -1 && o.format == OUT_JSON,
	       "--json agrees with --format json");
	EXPECT(PARSE(&o, "--format", "warts", "--output", "f", "--warts", "g", "h") == -1 &&
		       o.format == OUT_WARTS && !strcmp(o.output, "f") && !strcmp(o.warts, "g"),
	       "--format warts --output --warts");
	EXPECT(PARSE(&o, "--format", "warts", "h") == -1 && o.format == OUT_WARTS,
	       "warts to stdout that is no terminal");
	EXPECT(PARSE(&o, "--json", "--format", "text", "h") == 2, "--json against --format text");
	EXPECT(PARSE(&o, "--format", "xml", "h") == 2, "unknown format");
	EXPECT(PARSE(&o, "--format") == 2, "format without value");
	EXPECT(PARSE(&o, "--help") == 0, "help exits 0");
	EXPECT(PARSE(&o, "--version") == 0, "version exits 0");
	fflush(stdout);
	dup2(saved, 2);
	dup2(saved_out, 1);
	return TEST_SUMMARY();
}
