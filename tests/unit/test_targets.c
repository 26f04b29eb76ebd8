// SPDX-License-Identifier: GPL-2.0
/* Target lists: prefixes, expansion, blocklist, permutation and shards. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/wait.h>
#include "xhop_test.h"
#include "endless.h"
#include "net/lines.h"
#include "cli/scan_cmd.h"
#include "net/targets.h"

static struct in6_addr a4(const char *s)
{
	struct in6_addr a = { 0 };

	a.s6_addr[10] = a.s6_addr[11] = 0xff;
	inet_pton(AF_INET, s, &a.s6_addr[12]);
	return a;
}

static void test_parse(void)
{
	struct prefix p;
	struct in6_addr a;

	EXPECT(prefix_parse("198.18.0.0/15", &p) == 0 && p.len == 96 + 15, "v4 prefix");
	a = a4("198.19.255.1");
	EXPECT(prefix_contains(&p, &a), "198.19.255.1 in 198.18/15");
	a = a4("198.20.0.1");
	EXPECT(!prefix_contains(&p, &a), "198.20.0.1 not in 198.18/15");
	EXPECT(prefix_parse("198.18.0.7", &p) == 0 && p.len == 128, "bare v4 address");
	EXPECT(prefix_parse("2001:2::/48", &p) == 0 && p.len == 48, "v6 prefix");
	inet_pton(AF_INET6, "2001:2:0:ff::1", &a);
	EXPECT(prefix_contains(&p, &a), "v6 contains");
	EXPECT(prefix_parse("198.18.1.1/15", &p) != 0, "host bits set refused");
	EXPECT(prefix_parse("198.18.0.0/33", &p) != 0, "v4 length 33 refused");
	EXPECT(prefix_parse("2001:2::/129", &p) != 0, "v6 length 129 refused");
	EXPECT(prefix_parse("198.18.0.0/", &p) != 0, "empty length refused");
	EXPECT(prefix_parse("198.18.0.0/1x", &p) != 0, "junk length refused");
	EXPECT(prefix_parse("example.com", &p) != 0, "name refused");
	EXPECT(prefix_parse("::ffff:198.18.0.1", &p) != 0, "mapped v6 refused");
	EXPECT(prefix_parse("", &p) != 0, "empty refused");
}

static void test_read(void)
{
	const char good[] = "# lab\n198.18.0.0/24\n\n  2001:2::/64  # v6\n198.19.0.77\n";
	const char bad[] = "198.18.0.0/24\n198.18.0.300\n";
	struct line_bounds b = line_bounds_for(10, "--max-targets");
	struct prefix_list l = { 0 };
	FILE *f = fmemopen((void *)good, sizeof(good) - 1, "r");

	EXPECT(prefix_list_read(&l, f, "good", &b) == 0 && l.n == 3, "3 prefixes, got %zu", l.n);
	fclose(f);
	prefix_list_free(&l);
	f = fmemopen((void *)bad, sizeof(bad) - 1, "r");
	fprintf(stderr, "(expected below: a line-2 error)\n");
	EXPECT(prefix_list_read(&l, f, "bad", &b) == -EINVAL, "bad line refused");
	fclose(f);
	prefix_list_free(&l);
}

/* ---- bounded list reading (lines.c through prefix_list_read) ---- */

static char *msg; /* what the last read_file() wrote on stderr */
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

/* prefix_list_read() of f with its stderr kept in msg */
static int read_file(struct prefix_list *l, FILE *f, const char *name, const struct line_bounds *b)
{
	FILE *saved = stderr;
	int err;

	free(msg);
	msg = NULL;
	stderr = open_memstream(&msg, &msg_len);
	err = prefix_list_read(l, f, name, b);
	fclose(stderr);
	stderr = saved;
	return err;
}

static int read_text(struct prefix_list *l, const char *text, size_t len,
		     const struct line_bounds *b)
{
	FILE *f = fmemopen((void *)text, len, "r");
	int err;

	if (!f)
		return -errno;
	err = read_file(l, f, "t", b);
	fclose(f);
	return err;
}

/* "198.18.0.1 #xxx...": an address and its comment, exactly len bytes */
static char *line_of(size_t len)
{
	char *s = malloc(len + 1);

	strcpy(s, "198.18.0.1 #");
	memset(s + 12, 'x', len - 12);
	s[len] = 0;
	return s;
}

static void test_line_length(void)
{
	struct line_bounds b = line_bounds_for(100, "--max-targets");
	struct prefix_list l = { 0 };
	char *ok = line_of(LINE_LEN_MAX), *over = line_of(LINE_LEN_MAX + 1), text[3 * 1100];
	int len;

	EXPECT(LINE_LEN_MAX == 1024, "the documented bound: %d", LINE_LEN_MAX);
	len = snprintf(text, sizeof(text), "198.18.0.2\n%s\n%s", ok, ok);
	EXPECT(read_text(&l, text, len, &b) == 0 && l.n == 3,
	       "lines of exactly %d bytes (the last without newline) pass: %zu, '%s'", LINE_LEN_MAX,
	       l.n, shown());
	prefix_list_free(&l);
	len = snprintf(text, sizeof(text), "%s\r\n", ok);
	EXPECT(read_text(&l, text, len, &b) == -EINVAL, "%d bytes and a CR are one too many",
	       LINE_LEN_MAX);
	prefix_list_free(&l);
	len = snprintf(text, sizeof(text), "198.18.0.2\n# a comment\n%s\n198.18.0.3\n", over);
	EXPECT(read_text(&l, text, len, &b) == -EINVAL, "%d bytes refused", LINE_LEN_MAX + 1);
	EXPECT(said("xhop: t:3: longer than 1024 bytes\n"), "message: '%s'", shown());
	EXPECT(l.n == 1, "reading stopped at line 3: %zu kept", l.n);
	prefix_list_free(&l);
	free(ok);
	free(over);
}

static void test_binary(void)
{
	static const char nul[] = "198.18.0.1\n\n198.18.0.2\0junk\n198.18.0.3\n";
	struct line_bounds b = line_bounds_for(SCAN_DEFAULT_MAX_TARGETS, "--max-targets");
	struct prefix_list l = { 0 };
	FILE *f;

	EXPECT(read_text(&l, nul, sizeof(nul) - 1, &b) == -EINVAL, "a NUL byte refused");
	EXPECT(said("xhop: t:3: binary data (a NUL byte)\n"), "message: '%s'", shown());
	prefix_list_free(&l);
	/* the issue's input: endless, and one line of it would be endless */
	f = fopen("/dev/zero", "r");
	EXPECT(f && read_file(&l, f, "/dev/zero", &b) == -EINVAL && l.n == 0, "/dev/zero refused");
	EXPECT(said("xhop: /dev/zero:1: binary data (a NUL byte)\n"), "message: '%s'",
	       shown());
	EXPECT(f && ftell(f) <= LINE_CHUNK, "read %ld bytes of /dev/zero", f ? ftell(f) : -1L);
	if (f)
		fclose(f);
	prefix_list_free(&l);
	/* a directory opens, but reading fails: an error, not an empty list */
	f = fopen("/", "r");
	EXPECT(f && read_file(&l, f, "/", &b) == -EISDIR, "a directory refused");
	EXPECT(said("xhop: /:1: read: Is a directory\n"), "message: '%s'", shown());
	if (f)
		fclose(f);
	prefix_list_free(&l);
}

static void test_endless(void)
{
	static const char *const units[] = { "\n", "# a comment\n", "  \t\r\n" };
	struct line_bounds b = line_bounds_for(1, "--max-targets");
	struct prefix_list l = { 0 };
	char want[128];
	pid_t pid;

	/* a read that never ends hangs the test: SIGALRM fails it instead */
	alarm(60);
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		FILE *f = endless(units[i], &pid);

		EXPECT(f && read_file(&l, f, "pipe", &b) == -EINVAL, "endless '%s' refused",
		       units[i]);
		snprintf(want, sizeof(want), "xhop: pipe:%llu: more than %llu lines\n", b.lines + 1,
			 b.lines);
		EXPECT(said(want), "message: '%s'", shown());
		if (f)
			endless_end(f, pid);
	}
	/* endless duplicates: each is kept, so the entries bound ends them */
	{
		FILE *f = endless("198.18.0.1\n", &pid);

		b = line_bounds_for(1000, "--max-targets");
		EXPECT(f && read_file(&l, f, "pipe", &b) == -EINVAL && l.n == 1000,
		       "endless duplicates: %zu kept", l.n);
		EXPECT(said("xhop: pipe:1001: more than 1000 addresses and prefixes "
					   "(--max-targets)\n"),
		       "message: '%s'", shown());
		if (f)
			endless_end(f, pid);
		prefix_list_free(&l);
	}
	/* endless long comments: the bytes bound ends them */
	{
		char unit[LINE_LEN_MAX + 2];
		FILE *f;

		memset(unit, 'x', LINE_LEN_MAX);
		unit[0] = '#';
		unit[LINE_LEN_MAX] = '\n';
		unit[LINE_LEN_MAX + 1] = 0;
		f = endless(unit, &pid);
		b = line_bounds_for(1, "--max-targets");
		EXPECT(f && read_file(&l, f, "pipe", &b) == -EINVAL, "endless long comments refused");
		snprintf(want, sizeof(want), "xhop: pipe:%llu: more than %llu bytes\n",
			 b.bytes / (LINE_LEN_MAX + 1) + 1, b.bytes);
		EXPECT(said(want), "message: '%s', want '%s'", shown(), want);
		if (f)
			endless_end(f, pid);
	}
	alarm(0);
}

/* Each bound: exactly at it passes, one past it fails, naming the line */
static void test_exact_bounds(void)
{
	struct line_bounds b = { .lines = 5, .bytes = 1000, .entries = 3, .limit = "--max-targets" };
	struct prefix_list l = { 0 };
	char text[2048];
	int len;

	/* 5 lines: 3 entries, a comment, a blank line */
	len = snprintf(text, sizeof(text), "198.18.0.1\n# c\n198.18.0.2\n\n198.18.0.3\n");
	EXPECT(read_text(&l, text, len, &b) == 0 && l.n == 3, "5 lines, 3 entries: %s", shown());
	prefix_list_free(&l);
	len = snprintf(text, sizeof(text), "198.18.0.1\n# c\n198.18.0.2\n\n198.18.0.3\n\n");
	EXPECT(read_text(&l, text, len, &b) == -EINVAL, "a 6th line refused, even blank");
	EXPECT(said("xhop: t:6: more than 5 lines\n"), "message: '%s'", shown());
	prefix_list_free(&l);
	len = snprintf(text, sizeof(text), "198.18.0.1\n198.18.0.2\n198.18.0.3\n198.18.0.4\n");
	EXPECT(read_text(&l, text, len, &b) == -EINVAL && l.n == 3, "a 4th entry refused");
	EXPECT(said("xhop: t:4: more than 3 addresses and prefixes (--max-targets)\n"),
	       "message: '%s'", shown());
	prefix_list_free(&l);
	/* entries already in the list (the operands) count */
	{
		struct prefix p;

		prefix_parse("198.18.1.0/24", &p);
		prefix_list_add(&l, &p);
		prefix_list_add(&l, &p);
		len = snprintf(text, sizeof(text), "198.18.0.1\n198.18.0.2\n");
		EXPECT(read_text(&l, text, len, &b) == -EINVAL && l.n == 3,
		       "2 operands + 2 lines > 3");
		prefix_list_free(&l);
	}
	/* bytes: exactly 1000 (newlines counted) pass, 1001 fail */
	b.lines = 100;
	memset(text, ' ', 1000);
	for (int i = 99; i < 1000; i += 100)
		text[i] = '\n';
	memcpy(text, "198.18.0.1", 10);
	EXPECT(read_text(&l, text, 1000, &b) == 0 && l.n == 1, "1000 bytes pass: '%s'", shown());
	prefix_list_free(&l);
	text[1000] = ' ';
	EXPECT(read_text(&l, text, 1001, &b) == -EINVAL, "1001 bytes refused");
	EXPECT(said("xhop: t:11: more than 1000 bytes\n"), "message: '%s'", shown());
	prefix_list_free(&l);
}

static void test_bounds_for(void)
{
	struct line_bounds b = line_bounds_for(SCAN_DEFAULT_MAX_TARGETS, "--max-targets");

	/* a list of --max-targets' default: 4 lines and 256 bytes each */
	EXPECT(b.lines == 64ULL << 20 && b.bytes == 4ULL << 30 && b.entries == SCAN_DEFAULT_MAX_TARGETS,
	       "16M entries: %llu lines, %llu bytes", b.lines, b.bytes);
	b = line_bounds_for(10, "x");
	EXPECT(b.lines == 1ULL << 20 && b.bytes == 64ULL << 20 && b.entries == 10,
	       "a short list may still have a long preamble: %llu lines", b.lines);
	b = line_bounds_for((size_t)-1, "x");
	EXPECT(b.lines == 4ULL << 32 && b.bytes == 256ULL << 32, "no overflow: %llu", b.lines);
}

/* "-" is stdin, named so in messages */
static void test_stdin(void)
{
	static const char text[] = "198.18.0.1\n198.18.0.0/33\n";
	struct line_bounds b = line_bounds_for(10, "--max-targets");
	struct prefix_list l = { 0 };
	char path[] = "/tmp/xhop-test-targets-XXXXXX";
	int fd = mkstemp(path);
	FILE *f;

	EXPECT(fd >= 0 && write(fd, text, sizeof(text) - 1) == (ssize_t)sizeof(text) - 1, "temp file");
	EXPECT(freopen(path, "r", stdin) != NULL, "stdin from %s", path);
	f = line_open("-", "--targets");
	EXPECT(f == stdin && !strcmp(line_name("-"), "stdin") && !strcmp(line_name("a"), "a"),
	       "'-' is stdin");
	EXPECT(read_file(&l, f, line_name("-"), &b) == -EINVAL && l.n == 1, "read from stdin");
	EXPECT(said("xhop: stdin:2: '198.18.0.0/33' is not an address or prefix\n"),
	       "message: '%s'", shown());
	line_close(f);
	prefix_list_free(&l);
	/* stdin that never ends is bounded too */
	{
		pid_t pid;
		FILE *p = endless("\n", &pid);

		alarm(60);
		EXPECT(p && dup2(fileno(p), 0) == 0, "stdin from a pipe");
		clearerr(stdin);
		b = line_bounds_for(1, "--max-targets");
		EXPECT(read_file(&l, line_open("-", "--targets"), "stdin", &b) == -EINVAL,
		       "endless stdin refused");
		EXPECT(said("xhop: stdin:1048577: more than 1048576 lines\n"),
		       "message: '%s'", shown());
		close(0);
		if (p)
			endless_end(p, pid);
		alarm(0);
	}
	close(fd);
	unlink(path);
	{
		FILE *saved = stderr;

		free(msg);
		stderr = open_memstream(&msg, &msg_len);
		f = line_open("/nonexistent/list", "--blocklist");
		EXPECT(!f && errno == ENOENT, "a missing file");
		fclose(stderr);
		stderr = saved;
		EXPECT(said("xhop: --blocklist /nonexistent/list: No such file or directory\n"),
		       "message: '%s'", shown());
	}
}

static void test_expand(void)
{
	struct prefix_list block = { 0 };
	struct target_set t = { 0 }, u = { 0 };
	struct prefix p;

	prefix_parse("198.18.0.0/22", &p);
	EXPECT(targets_expand(&t, &p, 0, 42, NULL, 1000) == 0 && t.n == 4, "one per /24: %zu", t.n);
	for (size_t i = 0; i < t.n; i++) {
		__u8 last = t.v[i].s6_addr[15];

		EXPECT(t.v[i].s6_addr[14] == i && last >= 1 && last <= 254, "block %zu host %u", i, last);
	}
	EXPECT(targets_expand(&u, &p, 0, 42, NULL, 1000) == 0 && !memcmp(t.v, u.v, 4 * 16),
	       "same seed, same hosts");
	target_set_free(&u);
	{
		int differ = 0;

		for (__u64 seed = 1; seed < 20 && !differ; seed++) {
			targets_expand(&u, &p, 0, seed, NULL, 1000);
			differ = memcmp(t.v, u.v, 4 * 16) != 0;
			target_set_free(&u);
		}
		EXPECT(differ, "another seed, other hosts");
	}
	target_set_free(&t);

	prefix_parse("198.18.0.0/30", &p);
	EXPECT(targets_expand(&t, &p, 1, 0, NULL, 1000) == 0 && t.n == 4, "every address of a /30");
	EXPECT(t.v[3].s6_addr[15] == 3, "last of the /30");
	target_set_free(&t);

	prefix_parse("198.18.0.0/16", &p);
	EXPECT(targets_expand(&t, &p, 1, 0, NULL, 1000) == -E2BIG, "max-targets enforced");
	target_set_free(&t);

	/* blocklist: counted, never added */
	blocklist_default(&block);
	prefix_parse("198.18.0.0/23", &p);
	EXPECT(targets_expand(&t, &p, 0, 1, &block, 1000) == 0 && t.n == 0 && t.blocked == 2,
	       "lab range blocked by default: n %zu blocked %llu", t.n, (unsigned long long)t.blocked);
	target_set_free(&t);
	{
		struct in6_addr a;
		static const char *const reserved[] = { "10.1.2.3", "127.0.0.1", "192.168.1.1",
							"224.0.0.1", "255.255.255.255", "100.64.0.1" };

		for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
			a = a4(reserved[i]);
			EXPECT(prefix_list_contains(&block, &a), "%s blocked", reserved[i]);
		}
		a = a4("8.8.8.8");
		EXPECT(!prefix_list_contains(&block, &a), "a public address is not blocked");
		inet_pton(AF_INET6, "2001:2:0:1::1", &a);
		EXPECT(prefix_list_contains(&block, &a), "2001:2::/48 blocked by default");
		inet_pton(AF_INET6, "fe80::1", &a);
		EXPECT(prefix_list_contains(&block, &a), "link-local blocked");
	}
	prefix_list_free(&block);

	/* prefixes longer than the block: the host stays inside them */
	{
		static const char *const small[] = { "198.51.100.16/28", "198.51.100.128/25",
						     "198.18.7.4/30", "2001:2:0:9::1:0/112" };

		for (size_t i = 0; i < sizeof(small) / sizeof(small[0]); i++) {
			int inside = 1;

			prefix_parse(small[i], &p);
			for (__u64 seed = 0; seed < 200; seed++) {
				targets_expand(&t, &p, 0, seed, NULL, 1000);
				inside &= t.n == 1 && prefix_contains(&p, &t.v[0]);
				if (t.n == 1 && IN6_IS_ADDR_V4MAPPED(&t.v[0]) && p.len <= 126) {
					__u8 hm = (__u8)((1u << (128 - p.len)) - 1);

					inside &= (t.v[0].s6_addr[15] & hm) != 0 &&
						  (t.v[0].s6_addr[15] & hm) != hm;
				}
				target_set_free(&t);
			}
			EXPECT(inside, "%s: 200 seeds, every host inside, not network/broadcast",
			       small[i]);
		}
	}

	prefix_parse("2001:2:0:100::/62", &p);
	EXPECT(targets_expand(&t, &p, 0, 5, NULL, 1000) == 0 && t.n == 4, "one per /64");
	EXPECT(t.v[1].s6_addr[7] == 1 && t.v[3].s6_addr[7] == 3, "the four /64s");
	target_set_free(&t);
}

static void test_permutation(void)
{
	static const __u64 sizes[] = { 1, 2, 3, 7, 64, 1000, 65537 };

	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		__u64 n = sizes[s];
		struct permutation p, q;
		__u8 *seen = calloc(n, 1);
		int ok = 1, moved = 0;

		permutation_init(&p, n, 1234);
		permutation_init(&q, n, 1234);
		for (__u64 i = 0; i < n; i++) {
			__u64 x = permutation_at(&p, i);

			if (x >= n || seen[x] || x != permutation_at(&q, i))
				ok = 0;
			else
				seen[x] = 1;
			moved += x != i;
		}
		EXPECT(ok, "n=%llu: a deterministic bijection", (unsigned long long)n);
		if (n >= 64)
			EXPECT(moved > (int)n / 2, "n=%llu: it shuffles (%d moved)", (unsigned long long)n,
			       moved);
		free(seen);
	}
	/* two shards with the same seed cover the list exactly once */
	{
		struct permutation p;
		__u64 n = 10007;
		int *count = calloc(n, sizeof(int)), ok = 1;

		permutation_init(&p, n, 99);
		for (int shard = 0; shard < 2; shard++)
			for (__u64 i = shard; i < n; i += 2)
				count[permutation_at(&p, i)]++;
		for (__u64 i = 0; i < n; i++)
			ok &= count[i] == 1;
		EXPECT(ok, "shards 0/2 and 1/2 cover each target once");
		free(count);
	}
}

int main(void)
{
	test_parse();
	test_read();
	test_line_length();
	test_binary();
	test_endless();
	test_exact_bounds();
	test_bounds_for();
	test_stdin();
	test_expand();
	test_permutation();
	free(msg);
	return TEST_SUMMARY();
}
