// SPDX-License-Identifier: GPL-2.0
/* xhop monitor's options, --targets files and --metrics ADDR:PORT. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/wait.h>
#include "xhop_test.h"
#include "endless.h"
#include "cli/cli.h"
#include "net/lines.h"
#include "sink/metrics.h"
#include "cli/monitor_cmd.h"
#include "core/probe_build.h"

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

/* ---- --targets files: bounded whatever the input (lines.c) ---- */

#define MON_TARGETS_MAX 16384 /* monitor_opts.c: the most one monitor takes */

static char *msg; /* stderr of the last read_file() or PARSE_KEPT() */
static size_t msg_len;

/* stderr of the last read was exactly want */
static int said(const char *want)
{
	return msg && !strcmp(msg, want);
}

static const char *shown(void)
{
	return msg ? msg : "(nothing)";
}

static void capture(void)
{
	real_stderr = stderr;
	free(msg);
	msg = NULL;
	stderr = open_memstream(&msg, &msg_len);
}

static void release(void)
{
	fclose(stderr);
	stderr = real_stderr;
}

/* PARSE with its stderr kept in msg */
static int parsed;
#define PARSE_KEPT(o, ...) (capture(), parsed = PARSE(o, __VA_ARGS__), release(), parsed)

static int read_file(struct mon_opts *o, FILE *f, const char *name)
{
	int err;

	capture();
	err = mon_targets_read(o, f, name);
	release();
	return err;
}

static int read_text(struct mon_opts *o, const char *text, size_t len)
{
	FILE *f = fmemopen((void *)text, len, "r");
	int err;

	if (!f)
		return -errno;
	err = read_file(o, f, "t");
	fclose(f);
	return err;
}

/* A file of n lines "198.19.x.y" for x.y from 0: n targets */
static char *many_targets(size_t n, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);

	for (size_t i = 0; i < n; i++)
		fprintf(f, "198.19.%zu.%zu\n", i / 256, i % 256);
	fclose(f);
	return text;
}

static void test_targets_bounds(void)
{
	char line[LINE_LEN_MAX + 2], text[2 * sizeof(line) + 16];
	struct mon_opts o;
	size_t len;
	char *many;
	pid_t pid;
	FILE *f;

	memset(&o, 0, sizeof(o));
	/* a target and a comment: 1024 bytes pass, 1025 fail */
	memset(line, 'x', sizeof(line));
	memcpy(line, "d77.example #", 13);
	line[LINE_LEN_MAX] = 0;
	len = (size_t)snprintf(text, sizeof(text), "198.19.0.1\n%s\n", line);
	EXPECT(read_text(&o, text, len) == 0 && o.n_targets == 2, "a line of %d bytes: '%s'",
	       LINE_LEN_MAX, shown());
	mon_opts_free(&o);
	line[LINE_LEN_MAX] = 'x';
	line[LINE_LEN_MAX + 1] = 0;
	len = (size_t)snprintf(text, sizeof(text), "198.19.0.1\n%s\n", line);
	EXPECT(read_text(&o, text, len) == -EINVAL && o.n_targets == 1, "%d bytes refused",
	       LINE_LEN_MAX + 1);
	EXPECT(said("xhop: t:2: longer than 1024 bytes\n"), "message: '%s'", shown());
	mon_opts_free(&o);

	EXPECT(read_text(&o, "a\n\0b\n", 5) == -EINVAL, "NUL in a line");
	EXPECT(said("xhop: t:2: binary data (a NUL byte)\n"), "message: '%s'", shown());
	mon_opts_free(&o);

	/* the issue's command line */
	EXPECT(PARSE_KEPT(&o, "--targets", "/dev/zero", "198.19.0.1") == 2, "--targets /dev/zero: 2");
	EXPECT(said("xhop: /dev/zero:1: binary data (a NUL byte)\n"), "message: '%s'",
	       shown());
	mon_opts_free(&o);

	/* the target bound: MON_TARGETS_MAX pass, one more fails */
	many = many_targets(MON_TARGETS_MAX + 1, &len);
	EXPECT(read_text(&o, many, len - strlen("198.19.64.0\n")) == 0 &&
		       o.n_targets == MON_TARGETS_MAX,
	       "%d targets: %zu, '%s'", MON_TARGETS_MAX, o.n_targets, shown());
	mon_opts_free(&o);
	EXPECT(read_text(&o, many, len) == -EINVAL && o.n_targets == MON_TARGETS_MAX,
	       "one more refused");
	EXPECT(said("xhop: t:16385: more than 16384 targets "
				   "(the most one monitor takes)\n"),
	       "message: '%s'", shown());
	mon_opts_free(&o);
	free(many);
	/* operands count too */
	{
		char path[] = "/tmp/xhop-test-mon-XXXXXX";
		int fd = mkstemp(path);

		many = many_targets(MON_TARGETS_MAX, &len);
		EXPECT(fd >= 0 && write(fd, many, len) == (ssize_t)len, "temp file");
		EXPECT(PARSE_KEPT(&o, "--targets", path) == -1 && o.n_targets == MON_TARGETS_MAX,
		       "a full file: '%s'", shown());
		mon_opts_free(&o);
		EXPECT(PARSE_KEPT(&o, "--targets", path, "198.18.0.1") == 2, "and one operand more");
		EXPECT(said("xhop: more than 16384 targets\n"), "message: '%s'", shown());
		mon_opts_free(&o);
		free(many);
		close(fd);
		unlink(path);
	}

	/* endless input: blank lines, comments, duplicates */
	alarm(60); /* a read that never ends fails by SIGALRM, not a hang */
	f = endless("\n", &pid);
	EXPECT(f && read_file(&o, f, "pipe") == -EINVAL, "endless blank lines refused");
	EXPECT(said("xhop: pipe:1048577: more than 1048576 lines\n"),
	       "message: '%s'", shown());
	if (f)
		endless_end(f, pid);
	mon_opts_free(&o);
	f = endless("  # a comment\r\n", &pid);
	EXPECT(f && read_file(&o, f, "pipe") == -EINVAL, "endless comments refused");
	EXPECT(said("xhop: pipe:1048577: more than 1048576 lines\n"),
	       "message: '%s'", shown());
	if (f)
		endless_end(f, pid);
	mon_opts_free(&o);
	f = endless("198.19.0.1\n", &pid);
	EXPECT(f && read_file(&o, f, "pipe") == -EINVAL && o.n_targets == MON_TARGETS_MAX,
	       "endless duplicates refused");
	EXPECT(said("xhop: pipe:16385: more than 16384 targets "
				   "(the most one monitor takes)\n"),
	       "message: '%s'", shown());
	if (f)
		endless_end(f, pid);
	mon_opts_free(&o);
	memset(line, 'x', LINE_LEN_MAX);
	line[0] = '#';
	line[LINE_LEN_MAX] = '\n';
	line[LINE_LEN_MAX + 1] = 0;
	f = endless(line, &pid);
	EXPECT(f && read_file(&o, f, "pipe") == -EINVAL, "endless long comments refused");
	EXPECT(said("xhop: pipe:65473: more than 67108864 bytes\n"), "message: '%s'",
	       shown());
	if (f)
		endless_end(f, pid);
	mon_opts_free(&o);
	alarm(0);
}

/* --targets - reads stdin, named so; endless stdin is bounded too */
static void test_targets_stdin(void)
{
	static const char text[] = "198.19.0.1\nnot a name\n";
	char path[] = "/tmp/xhop-test-mon-XXXXXX";
	int fd = mkstemp(path);
	struct mon_opts o;
	pid_t pid;
	FILE *p;

	EXPECT(fd >= 0 && write(fd, text, sizeof(text) - 1) == (ssize_t)sizeof(text) - 1, "temp");
	EXPECT(freopen(path, "r", stdin) != NULL, "stdin from %s", path);
	EXPECT(PARSE_KEPT(&o, "--targets", "-") == 2, "a bad line on stdin: 2");
	EXPECT(said("xhop: stdin:2: 'not a name' is not a host name or address\n"),
	       "message: '%s'", shown());
	mon_opts_free(&o);
	close(fd);
	unlink(path);

	alarm(60);
	p = endless("\n", &pid);
	EXPECT(p && dup2(fileno(p), 0) == 0, "stdin from a pipe");
	clearerr(stdin);
	EXPECT(PARSE_KEPT(&o, "--targets", "-", "198.19.0.1") == 2, "endless stdin: 2");
	EXPECT(said("xhop: stdin:1048577: more than 1048576 lines\n"),
	       "message: '%s'", shown());
	mon_opts_free(&o);
	close(0);
	if (p)
		endless_end(p, pid);
	alarm(0);
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
	test_targets_bounds();
	test_targets_stdin();
	test_metrics_addr();
	free(msg);
	return TEST_SUMMARY();
}
