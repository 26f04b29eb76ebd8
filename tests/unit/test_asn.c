// SPDX-License-Identifier: GPL-2.0
/*
 * Origin AS lookups without network or root: the prefix table's longest
 * match (against a brute-force scan of the same prefixes), CAIDA's file
 * format with its malformed lines, Team Cymru's TXT answers and query
 * names, and MaxMind DB files written by an independent writer (Debian's
 * MaxMind::DB::Writer, tests/mmdb_write.pl) and read through libmaxminddb.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "net/addr.h"
#include "net/asn.h"
#include "net/asn_db.h"
#include "net/asn_txt.h"
#include "net/lines.h"
#include "net/prefix_table.h"
#include "xhop_test.h"

static char tmpdir[] = "/tmp/xhop-asn-XXXXXX";

static struct in6_addr addr_of(const char *s)
{
	struct in6_addr a;
	int fam;

	if (addr_parse(s, 0, &a, &fam)) {
		fprintf(stderr, "test bug: '%s' is no address\n", s);
		exit(2);
	}
	return a;
}

static struct asn_ann one(__u32 asn)
{
	return (struct asn_ann){ .asn = { asn }, .n = 1 };
}

/* ---- prefix table ---- */

static void expect_lpm(const struct prefix_table *t, const char *addr, __u32 want)
{
	struct in6_addr a = addr_of(addr);
	const struct prefix_entry *e = prefix_table_lookup(t, &a);

	if (!want)
		EXPECT(!e, "%s: matched AS%u, want none", addr, e ? e->origin.asn[0] : 0);
	else
		EXPECT(e && e->origin.asn[0] == want, "%s: AS%u, want AS%u", addr,
		       e ? e->origin.asn[0] : 0, want);
}

static void add(struct prefix_table *t, const char *net, int len, __u32 asn)
{
	struct in6_addr a = addr_of(net);
	struct asn_ann o = one(asn);
	int v4 = IN6_IS_ADDR_V4MAPPED(&a);

	EXPECT(prefix_table_add(t, &a, v4 ? 96 + len : len, &o) == 0, "add %s/%d", net, len);
}

static void test_table_basic(void)
{
	struct prefix_table t;
	struct in6_addr a = addr_of("198.18.1.1");
	struct asn_ann o = one(1);

	prefix_table_init(&t);
	add(&t, "198.18.0.0", 15, 64999);
	add(&t, "198.18.1.0", 24, 64501);
	add(&t, "198.18.1.128", 25, 64502);
	add(&t, "198.18.1.129", 32, 64503);
	add(&t, "2001:2::", 48, 64998);
	add(&t, "2001:2:0:1::", 64, 64601);
	add(&t, "::", 0, 65000); /* an IPv6 default: never for IPv4 */
	/* before finish: no answers */
	EXPECT(prefix_table_lookup(&t, &a) == NULL, "lookup before finish");
	prefix_table_finish(&t);
	expect_lpm(&t, "198.18.1.1", 64501);
	expect_lpm(&t, "198.18.1.128", 64502);
	expect_lpm(&t, "198.18.1.129", 64503);
	expect_lpm(&t, "198.18.1.130", 64502);
	expect_lpm(&t, "198.18.2.1", 64999);
	expect_lpm(&t, "198.19.255.255", 64999);
	expect_lpm(&t, "198.20.0.1", 0);
	expect_lpm(&t, "10.0.0.1", 0);
	expect_lpm(&t, "2001:2:0:1::2", 64601);
	expect_lpm(&t, "2001:2:0:2::2", 64998);
	expect_lpm(&t, "2001:db8::1", 65000);

	/* host bits set, bad lengths */
	a = addr_of("198.18.1.1");
	EXPECT(prefix_table_add(&t, &a, 96 + 24, &o) == -EINVAL, "host bits accepted");
	EXPECT(prefix_table_add(&t, &a, 129, &o) == -EINVAL, "length 129 accepted");
	EXPECT(prefix_table_add(&t, &a, -1, &o) == -EINVAL, "length -1 accepted");
	prefix_table_free(&t);
}

static void test_table_duplicates(void)
{
	struct prefix_table t;

	prefix_table_init(&t);
	add(&t, "198.18.0.0", 16, 1);
	add(&t, "198.18.0.0", 16, 2);
	add(&t, "198.18.0.0", 17, 3);
	add(&t, "198.18.0.0", 16, 4); /* the last of equal prefixes wins */
	prefix_table_finish(&t);
	EXPECT(t.n == 2, "%zu entries after dedup, want 2", t.n);
	expect_lpm(&t, "198.18.200.1", 4);
	expect_lpm(&t, "198.18.1.1", 3);
	prefix_table_free(&t);
}

/* Random prefixes and addresses near them, against a linear scan */
static void test_table_random(void)
{
	enum { N = 3000, Q = 20000 };
	struct prefix_table t;
	static struct in6_addr nets[N];
	static int lens[N];
	int bad = 0;

	srandom(7);
	prefix_table_init(&t);
	for (int i = 0; i < N; i++) {
		struct in6_addr a = { 0 };
		struct asn_ann o = one((__u32)i + 1);
		int v4 = i % 2;

		if (v4) {
			a.s6_addr[10] = a.s6_addr[11] = 0xff;
			/* a small space: prefixes nest often */
			a.s6_addr[12] = 198;
			a.s6_addr[13] = 18 + random() % 2;
			a.s6_addr[14] = random() % 4;
			a.s6_addr[15] = random();
			lens[i] = 96 + 15 + random() % 18;
		} else {
			a.s6_addr[0] = 0x20;
			a.s6_addr[1] = 0x01;
			a.s6_addr[3] = 2;
			a.s6_addr[7] = random() % 4;
			a.s6_addr[8] = random();
			lens[i] = 48 + random() % 40;
		}
		prefix_mask(&nets[i], &a, lens[i]);
		EXPECT(prefix_table_add(&t, &nets[i], lens[i], &o) == 0, "add %d", i);
	}
	prefix_table_finish(&t);
	for (int q = 0; q < Q; q++) {
		struct in6_addr a = nets[random() % N], m;
		const struct prefix_entry *e;
		int best = -1;

		a.s6_addr[15] ^= random();
		a.s6_addr[9] ^= random() % 2;
		/* the truth: the longest, then the last added of equal ones */
		for (int i = 0; i < N; i++) {
			prefix_mask(&m, &a, lens[i]);
			if (memcmp(&m, &nets[i], sizeof(m)))
				continue;
			/* i > best always: ties go to the later */
			if (best < 0 || lens[i] >= lens[best])
				best = i;
		}
		e = prefix_table_lookup(&t, &a);
		if (best < 0 ? e != NULL : !e || e->origin.asn[0] != (__u32)best + 1)
			bad++;
	}
	EXPECT(bad == 0, "%d of %d lookups differ from a linear scan", bad, Q);
	prefix_table_free(&t);
}

/* ---- CAIDA files ---- */

static int write_file(const char *name, const char *text, char *path, size_t cap)
{
	FILE *f;

	snprintf(path, cap, "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* Read text as a CAIDA file; the error and what went to stderr */
static int caida(const char *text, struct prefix_table *t, char *msg, size_t cap)
{
	char path[PATH_MAX], errpath[PATH_MAX];
	FILE *f, *saved;
	int err, fd;

	write_file("caida.pfx2as", text, path, sizeof(path));
	snprintf(errpath, sizeof(errpath), "%s/stderr", tmpdir);
	fflush(stderr);
	saved = fdopen(dup(2), "w");
	fd = fileno(fopen(errpath, "w"));
	dup2(fd, 2);
	close(fd);
	f = fopen(path, "r");
	err = asn_caida_read(f, "caida.pfx2as", t);
	fclose(f);
	fflush(stderr);
	dup2(fileno(saved), 2);
	fclose(saved);
	msg[0] = 0;
	f = fopen(errpath, "r");
	if (f) {
		if (!fgets(msg, (int)cap, f))
			msg[0] = 0;
		fclose(f);
	}
	return err;
}

static void expect_bad(const char *text, const char *want_msg)
{
	struct prefix_table t;
	char msg[512];
	int err;

	prefix_table_init(&t);
	err = caida(text, &t, msg, sizeof(msg));
	EXPECT(err == -EINVAL, "accepted: '%s' (err %d)", text, err);
	EXPECT(strstr(msg, want_msg), "'%s': said '%s', want '%s'", text, msg, want_msg);
	prefix_table_free(&t);
}

static void test_caida(void)
{
	struct prefix_table t;
	const struct prefix_entry *e;
	struct in6_addr a;
	char msg[512];

	prefix_table_init(&t);
	EXPECT(caida("# routeviews\n198.18.0.0\t15\t64999\n198.18.1.0\t24\t64501_64502\n"
		     "\n198.18.2.0\t24\t64503,64504\r\n198.18.3.0\t24\t64505_64506,64507\n"
		     "2001:2::\t48\t64998\n2001:2:0:1::\t64\t1.10\n",
		     &t, msg, sizeof(msg)) == 0,
	       "good file refused: %s", msg);
	prefix_table_finish(&t);
	EXPECT(t.n == 6, "%zu prefixes, want 6", t.n);
	a = addr_of("198.18.1.2");
	e = prefix_table_lookup(&t, &a);
	EXPECT(e && e->origin.n == 2 && e->origin.asn[0] == 64501 && e->origin.asn[1] == 64502,
	       "multi-origin a_b");
	a = addr_of("198.18.2.2");
	e = prefix_table_lookup(&t, &a);
	EXPECT(e && e->origin.n == 2 && e->origin.asn[1] == 64504, "AS set a,b");
	a = addr_of("198.18.3.2");
	e = prefix_table_lookup(&t, &a);
	EXPECT(e && e->origin.n == 3 && e->origin.asn[2] == 64507, "a_b,c");
	expect_lpm(&t, "198.18.200.1", 64999);
	expect_lpm(&t, "2001:2:0:1::2", 65546); /* asdot 1.10 */
	expect_lpm(&t, "2001:2:0:5::2", 64998);
	prefix_table_free(&t);

	expect_bad("198.18.0.0\t15\n", "caida.pfx2as:1: expected 3 fields");
	expect_bad("# x\n198.18.0.0\t15\t1\t2\n", "caida.pfx2as:2: more than 3 fields");
	expect_bad("198.18.0.0\t33\t1\n", "IPv4 prefix length over 32");
	expect_bad("2001:2::\t129\t1\n", "IPv6 prefix length over 128");
	expect_bad("198.18.0.0\t1x\t1\n", "bad prefix length '1x'");
	expect_bad("198.18.0.0\t-1\t1\n", "bad prefix length");
	expect_bad("198.18.0.300\t24\t1\n", "not an IPv4 or IPv6 address '198.18.0.300'");
	expect_bad("198.18.1.1\t24\t1\n", "host bits set");
	expect_bad("198.18.0.0\t24\tAS1\n", "bad AS number list 'AS1'");
	expect_bad("198.18.0.0\t24\t1__2\n", "bad AS number list");
	expect_bad("198.18.0.0\t24\t0\n", "bad AS number list '0'");
	expect_bad("198.18.0.0\t24\t4294967296\n", "bad AS number list");
	expect_bad("198.18.0.0\t24\t1,\n", "bad AS number list");
	{
		char longline[LINE_LEN_MAX + 8];

		memset(longline, '1', sizeof(longline) - 2);
		longline[sizeof(longline) - 2] = '\n';
		longline[sizeof(longline) - 1] = 0;
		expect_bad(longline, "caida.pfx2as:1: longer than");
	}
	expect_bad("198.18.0.0\t24\t1\n\n198.18.1.0\t24\t2\n\n198.18.2.0\t\x01\n",
		   "caida.pfx2as:5: expected 3 fields");
	{
		static const char nul[] = "198.18.0.0\t24\t1\n198.18.1.0\0\t24\t2\n";
		struct prefix_table t;
		char path[PATH_MAX];
		FILE *f;
		int err;

		/* a NUL byte: binary data, not a shorter line */
		write_file("nul.pfx2as", "", path, sizeof(path));
		f = fopen(path, "w");
		fwrite(nul, 1, sizeof(nul) - 1, f);
		fclose(f);
		prefix_table_init(&t);
		f = fopen(path, "r");
		err = asn_caida_read(f, "nul.pfx2as", &t);
		fclose(f);
		EXPECT(err == -EINVAL, "NUL byte accepted (err %d)", err);
		prefix_table_free(&t);
	}
}

/* asn_db_open: the file's kind by its content, errors named */
static void test_db_open_errors(void)
{
	char path[PATH_MAX];
	struct asn_db *db;

	errno = 0;
	db = asn_db_open("/nonexistent/xhop.pfx2as");
	EXPECT(!db && errno == ENOENT, "missing file: errno %d", errno);
	write_file("empty", "# nothing\n", path, sizeof(path));
	errno = 0;
	db = asn_db_open(path);
	EXPECT(!db && errno == EINVAL, "no prefixes: errno %d", errno);
	write_file("bad", "198.18.0.0\t24\tfoo\n", path, sizeof(path));
	errno = 0;
	db = asn_db_open(path);
	EXPECT(!db && errno == EINVAL, "bad line: errno %d", errno);
	/* the marker, but no database around it */
	write_file("fake.mmdb", "junk\xab\xcd\xefMaxMind.comjunk", path, sizeof(path));
	errno = 0;
	db = asn_db_open(path);
	EXPECT(!db && errno == EINVAL, "fake mmdb: errno %d", errno);
}

/* ---- MaxMind DB ---- */

static void expect_db(struct asn_db *db, const char *addr, __u32 want)
{
	struct in6_addr a = addr_of(addr);
	struct asn_ann o = { 0 };
	int found = asn_db_lookup(db, &a, &o);

	if (!want)
		EXPECT(!found, "%s: AS%u, want none", addr, o.asn[0]);
	else
		EXPECT(found && o.n == 1 && o.asn[0] == want, "%s: AS%u, want AS%u", addr,
		       found ? o.asn[0] : 0, want);
}

static void test_mmdb(void)
{
	char exe[PATH_MAX], root[PATH_MAX], cmd[3 * PATH_MAX + 64], in[PATH_MAX], out[PATH_MAX];
	struct asn_db *db;
	ssize_t n;
	int rc;

	/* build/tests/unit/test_asn: the checkout is three folders up */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	EXPECT(n > 0, "readlink /proc/self/exe");
	if (n <= 0)
		return;
	exe[n] = 0;
	snprintf(root, sizeof(root), "%s", exe);
	for (int i = 0; i < 4; i++)
		*strrchr(root, '/') = 0;
	write_file("mmdb.in",
		   "198.18.0.0/15 64999\n198.18.1.0/24 64501\n198.18.1.128/25 64502\n"
		   "2001:2::/48 64998\n2001:2:0:1::/64 64601\n",
		   in, sizeof(in));
	snprintf(out, sizeof(out), "%s/test.mmdb", tmpdir);
	snprintf(cmd, sizeof(cmd), "perl '%s/tests/mmdb_write.pl' '%s' < '%s'", root, out, in);
	rc = system(cmd);
	/* the writer is installed with the rest (scripts/install-deps.sh) */
	EXPECT(rc == 0, "%s: exit %d", cmd, rc);
	if (rc)
		return;
	db = asn_db_open(out);
	EXPECT(db, "open %s: %s", out, strerror(errno));
	if (!db)
		return;
	expect_db(db, "198.18.1.1", 64501);
	expect_db(db, "198.18.1.200", 64502);
	expect_db(db, "198.18.7.2", 64999);
	expect_db(db, "198.20.0.1", 0);
	expect_db(db, "2001:2:0:1::2", 64601);
	expect_db(db, "2001:2:0:7::2", 64998);
	expect_db(db, "2001:db8::1", 0);
	asn_db_free(db);
}

/* ---- Team Cymru ---- */

static void expect_txt(const char *txt, int want_err, int n, __u32 a0, __u32 a1)
{
	struct asn_ann o = { .n = 9 };
	int err = asn_txt_parse(txt, strlen(txt), &o);

	EXPECT(err == want_err, "'%s': err %d, want %d", txt, err, want_err);
	if (!want_err)
		EXPECT(o.n == n && o.asn[0] == a0 && (n < 2 || o.asn[1] == a1),
		       "'%s': %d origins %u %u", txt, o.n, o.asn[0], o.asn[1]);
	else
		EXPECT(o.n == 9, "'%s': output touched on error", txt);
}

static void test_txt(void)
{
	char q[ASN_QNAME_MAX];
	struct in6_addr a;
	struct asn_ann o = { .asn = { 64500, 64501, 4200000000u }, .n = 3 };
	char buf[ASN_TEXT_MAX];

	expect_txt("64500 | 198.18.0.0/24 | ZZ | arin | 2020-01-01", 0, 1, 64500, 0);
	expect_txt("64500 64501 | 198.18.0.0/24 | ZZ | arin | 2020-01-01", 0, 2, 64500, 64501);
	expect_txt("  4200000000|x", 0, 1, 4200000000u, 0);
	expect_txt("1 2 3 4 5 6 | x", 0, 4, 1, 2); /* the first ASN_ORIGINS_MAX */
	expect_txt("64500", -EINVAL, 0, 0, 0);	   /* no field separator */
	expect_txt(" | 198.18.0.0/24", -EINVAL, 0, 0, 0);
	expect_txt("AS64500 | x", -EINVAL, 0, 0, 0);
	expect_txt("64500x | x", -EINVAL, 0, 0, 0);
	expect_txt("4294967296 | x", -EINVAL, 0, 0, 0);
	expect_txt("0 | x", -EINVAL, 0, 0, 0);
	expect_txt("", -EINVAL, 0, 0, 0);
	/* not NUL-terminated: the length is what counts */
	EXPECT(asn_txt_parse("64500 | x", 3, &o) == -EINVAL, "read past len");

	a = addr_of("198.18.1.2");
	EXPECT(!asn_txt_qname(&a, q, sizeof(q)) && !strcmp(q, "2.1.18.198.origin.asn.cymru.com"),
	       "v4 qname '%s'", q);
	a = addr_of("2001:2:0:1::2");
	EXPECT(!asn_txt_qname(&a, q, sizeof(q)) &&
		       !strcmp(q, "1.0.0.0.0.0.0.0.2.0.0.0.1.0.0.2.origin6.asn.cymru.com"),
	       "v6 qname '%s'", q);
	a = addr_of("2001:db8:abcd:ef01:ffff::1");
	EXPECT(!asn_txt_qname(&a, q, sizeof(q)) &&
		       !strcmp(q, "1.0.f.e.d.c.b.a.8.b.d.0.1.0.0.2.origin6.asn.cymru.com"),
	       "v6 qname '%s'", q);
	EXPECT(asn_txt_qname(&a, q, 20) == -ENOSPC, "short buffer");

	o = (struct asn_ann){ .asn = { 64500, 64501, 4200000000u }, .n = 3 };
	EXPECT(!strcmp(asn_text(&o, buf, sizeof(buf)), "AS64500/64501/4200000000"), "'%s'", buf);
	o.n = 0;
	EXPECT(!strcmp(asn_text(&o, buf, sizeof(buf)), "AS???"), "'%s'", buf);
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_table_basic();
	test_table_duplicates();
	test_table_random();
	test_caida();
	test_db_open_errors();
	test_mmdb();
	test_txt();
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd))
			fprintf(stderr, "could not remove %s\n", tmpdir);
	}
	return TEST_SUMMARY();
}
