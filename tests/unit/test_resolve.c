// SPDX-License-Identifier: GPL-2.0
/*
 * user/net/resolve.c without network or root. Literals and the cache run
 * against a "silent" server: a UDP socket the test binds and never reads,
 * so any query that should not be sent shows up in its queue, and any
 * query that is sent never gets an answer. Real answers come from a
 * dnsmasq the test starts on 127.0.0.1 with its own hosts file, under the
 * reserved .example and the documentation prefixes; a dnsmasq that does
 * not start fails the test (it is installed with the rest).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "net/resolve.h"
#include "xhop_test.h"

#define DNSMASQ "/usr/sbin/dnsmasq"
/* test_dns_eviction() overflows the cache by this many */
#define EVICT_NAMED 16

struct dns_server {
	char dir[64];
	char log[96];
	pid_t pid;
	int port;
};

static struct in6_addr addr_of(const char *s)
{
	struct in6_addr a = { 0 };
	struct in_addr a4;

	if (inet_pton(AF_INET, s, &a4) == 1) {
		a.s6_addr[10] = a.s6_addr[11] = 0xff;
		memcpy(&a.s6_addr[12], &a4, 4);
	} else if (inet_pton(AF_INET6, s, &a) != 1) {
		fprintf(stderr, "test bug: '%s' is no address\n", s);
		exit(2);
	}
	return a;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A UDP port that takes queries and never answers (nor refuses) them */
static int silent_open(int *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    getsockname(fd, (struct sockaddr *)&sin, &len)) {
		close(fd);
		return -errno;
	}
	*port = ntohs(sin.sin_port);
	return fd;
}

/* Queries the silent server got since the last call */
static int silent_drain(int fd)
{
	char buf[512];
	int n = 0;

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
		n++;
	return n;
}

/* The caller's event loop in miniature: until nothing is pending */
static int pump(struct resolver *r, int max_ms)
{
	long long deadline = now_ms() + max_ms;
	struct pollfd fds[16];

	while (resolver_pending(r) > 0) {
		long long left = deadline - now_ms();
		int n, wait;

		if (left <= 0)
			return -ETIMEDOUT;
		n = resolver_pollfds(r, fds, 16);
		wait = resolver_timeout_ms(r, (int)left);
		if (wait < 0)
			wait = (int)left;
		if (poll(fds, n, wait) < 0 && errno != EINTR)
			return -errno;
		resolver_process(r, fds, n);
	}
	return 0;
}

static void test_sanitise(void)
{
	static const char *good[] = { "router-1.example", "a_b.example.", "x", "A.B-C_d.9" };
	static const char *bad[] = { "", ".", "a b.example", "a\"b", "a\\b", "a\nb", "a/b",
				     "<script>", "caf\xc3\xa9.example", "a,b", "a..b\t", "{}" };
	char name[300];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		EXPECT(resolver_name_sanitise(good[i]) == good[i], "'%s' dropped", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT(!resolver_name_sanitise(bad[i]), "'%s' kept", bad[i]);
	EXPECT(!resolver_name_sanitise(NULL), "NULL kept");

	/* 253 characters is the longest DNS name; the root's dot is extra */
	memset(name, 'a', sizeof(name));
	name[253] = '\0';
	EXPECT(resolver_name_sanitise(name) == name, "253 chars dropped");
	name[253] = '.';
	name[254] = '\0';
	EXPECT(resolver_name_sanitise(name) == name, "253 chars + root dot dropped");
	name[253] = 'a';
	EXPECT(!resolver_name_sanitise(name), "254 chars kept");
}

static void expect_literal(struct resolver *r, const char *host, int family, int want_err,
			   int want_family, const char *want_addr)
{
	struct in6_addr got = { 0 }, want;
	char canon[64] = "";
	int fam = -1, err;

	err = resolver_lookup_host(r, host, family, &got, &fam, canon, sizeof(canon), 200);
	EXPECT(err == want_err, "'%s' family %d: %d (%s), want %d", host, family, err,
	       strerror(-err), want_err);
	if (err || want_err)
		return;
	want = addr_of(want_addr);
	EXPECT(fam == want_family, "'%s': family %d, want %d", host, fam, want_family);
	EXPECT(!memcmp(&got, &want, sizeof(got)), "'%s': wrong address", host);
	EXPECT(!strcmp(canon, host), "'%s': canon '%s'", host, canon);
}

/* No literal, valid or not, may reach the silent server */
static void test_literals(struct resolver *r, int silent_fd)
{
	static const char *garbage[] = { "", "not a host", "a;b.example", "1.2.3", "300.1.1.1",
					 "192.0.2.1/24", "2001:db8::1%lo", "host\n.example",
					 "a/b.example" };
	struct in6_addr a;
	char small[4];
	int fam, err;

	silent_drain(silent_fd);
	expect_literal(r, "192.0.2.1", 0, 0, 4, "192.0.2.1");
	expect_literal(r, "192.0.2.1", 4, 0, 4, "192.0.2.1");
	expect_literal(r, "2001:db8::1", 0, 0, 6, "2001:db8::1");
	expect_literal(r, "2001:db8::1", 6, 0, 6, "2001:db8::1");
	expect_literal(r, "::ffff:192.0.2.7", 0, 0, 4, "192.0.2.7");
	expect_literal(r, "::1", 0, 0, 6, "::1");
	expect_literal(r, "192.0.2.1", 6, -ENOENT, 0, NULL);
	expect_literal(r, "2001:db8::1", 4, -ENOENT, 0, NULL);
	expect_literal(r, "::ffff:192.0.2.7", 6, -ENOENT, 0, NULL);
	for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		err = resolver_lookup_host(r, garbage[i], 0, &a, &fam, NULL, 0, 200);
		EXPECT(err == -EINVAL || err == -ENOENT, "'%s': %d", garbage[i], err);
	}
	EXPECT(resolver_lookup_host(r, "192.0.2.1", 5, &a, &fam, NULL, 0, 200) == -EINVAL,
	       "family 5");
	EXPECT(resolver_lookup_host(r, NULL, 0, &a, &fam, NULL, 0, 200) == -EINVAL, "NULL host");

	/* canon is cut to its buffer, never overrun */
	memset(small, 'x', sizeof(small));
	err = resolver_lookup_host(r, "192.0.2.1", 0, &a, &fam, small, 4, 200);
	EXPECT(!err && !strcmp(small, "192"), "small canon: %d '%.4s'", err, small);
	EXPECT(silent_drain(silent_fd) == 0, "a literal sent a DNS query");
}

/* Bookkeeping that needs no answer: dedup, the in-flight cap, the poll API */
static void test_cache_silent(struct resolver *r, int silent_fd)
{
	struct in6_addr a = addr_of("192.0.2.1"), b = addr_of("2001:db8::1");
	struct pollfd fds[16];
	const char *name = "junk";
	int n;

	silent_drain(silent_fd);
	EXPECT(resolver_pending(r) == 0, "pending %d at start", resolver_pending(r));
	EXPECT(resolver_timeout_ms(r, 1000) == -1, "timeout with nothing pending");
	EXPECT(resolver_ptr_get(r, &a, &name) == 0 && !name, "never started: done or name");

	resolver_ptr_start(r, &a);
	resolver_ptr_start(r, &a);
	resolver_ptr_start(r, &b);
	EXPECT(resolver_pending(r) == 2, "pending %d, want 2 (dedup)", resolver_pending(r));
	EXPECT(silent_drain(silent_fd) == 2, "not one query per address");
	EXPECT(resolver_ptr_get(r, &a, &name) == 0, "done without an answer");
	n = resolver_pollfds(r, fds, 16);
	EXPECT(n >= 1, "no fd to poll with queries out");
	EXPECT(resolver_pollfds(r, fds, 0) == 0, "max 0 filled fds");
	n = resolver_timeout_ms(r, 100);
	EXPECT(n >= 0 && n <= 100, "timeout %d not within the 100 ms cap", n);
	n = resolver_timeout_ms(r, -1);
	EXPECT(n > 0, "uncapped timeout %d", n);

	/* a burst: only RESOLVER_PTR_INFLIGHT go out, the rest wait */
	for (int i = 0; i < 3 * RESOLVER_PTR_INFLIGHT; i++) {
		struct in6_addr c = addr_of("2001:db8::2:0");

		c.s6_addr[14] = i >> 8;
		c.s6_addr[15] = i;
		resolver_ptr_start(r, &c);
	}
	EXPECT(resolver_pending(r) == 2 + 3 * RESOLVER_PTR_INFLIGHT, "pending %d",
	       resolver_pending(r));
	n = silent_drain(silent_fd);
	EXPECT(n == RESOLVER_PTR_INFLIGHT - 2, "%d queries went out, want %d", n,
	       RESOLVER_PTR_INFLIGHT - 2);

	/* a full cache more: every waiting one is evicted before its turn,
	 * so none is ever sent, and only the cache's worth still waits
	 */
	for (int i = 0; i < RESOLVER_CACHE_MAX; i++) {
		struct in6_addr c = addr_of("2001:db8::3:0:0");

		c.s6_addr[13] = i >> 16;
		c.s6_addr[14] = i >> 8;
		c.s6_addr[15] = i;
		resolver_ptr_start(r, &c);
	}
	EXPECT(resolver_pending(r) == RESOLVER_PTR_INFLIGHT + RESOLVER_CACHE_MAX,
	       "pending %d, want %d", resolver_pending(r),
	       RESOLVER_PTR_INFLIGHT + RESOLVER_CACHE_MAX);
	EXPECT(silent_drain(silent_fd) == 0, "sent with no room on the wire");
	/* resolver_free() with all of them pending: valgrind checks the rest */
}

/* Slower than the deadline, which must win: about 1 s, not c-ares' 5 s+ */
static void test_timeout(struct resolver *r)
{
	struct in6_addr a;
	long long t0, ms;
	int fam, err;

	t0 = now_ms();
	err = resolver_lookup_host(r, "host4.example", 0, &a, &fam, NULL, 0, 1000);
	ms = now_ms() - t0;
	EXPECT(err == -ETIMEDOUT, "silent server: %d (%s)", err, strerror(-err));
	EXPECT(ms >= 950 && ms < 1500, "timeout took %lld ms", ms);
	/* the cancelled query left nothing behind to answer later */
	t0 = now_ms();
	err = resolver_lookup_host(r, "host6.example", 6, &a, &fam, NULL, 0, 0);
	EXPECT(err == -ETIMEDOUT && now_ms() - t0 < 100, "timeout 0: %d", err);
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int err = 0;

	if (!f)
		return -errno;
	if (fputs(text, f) < 0)
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

static void dns_stop(struct dns_server *d)
{
	char path[128];

	if (d->pid > 0) {
		kill(d->pid, SIGTERM);
		waitpid(d->pid, NULL, 0);
		d->pid = 0;
	}
	if (!d->dir[0])
		return;
	snprintf(path, sizeof(path), "%s/hosts", d->dir);
	unlink(path);
	unlink(d->log);
	rmdir(d->dir);
	d->dir[0] = '\0';
}

static pid_t dns_spawn(struct dns_server *d)
{
	char port[32], hosts[96];
	pid_t pid;
	int fd;

	snprintf(port, sizeof(port), "--port=%d", d->port);
	snprintf(hosts, sizeof(hosts), "--addn-hosts=%s/hosts", d->dir);
	pid = fork();
	if (pid)
		return pid;
	/* a crashed test must not leave a DNS server behind */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	fd = open(d->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
	}
	/* --conf-file=/dev/null: not the host's /etc/dnsmasq.conf;
	 * --local: NXDOMAIN for the test zones instead of REFUSED
	 */
	execl(DNSMASQ, DNSMASQ, "--conf-file=/dev/null", "--no-resolv", "--no-hosts", hosts, port,
	      "--listen-address=127.0.0.1", "--bind-interfaces", "--keep-in-foreground",
	      "--pid-file=", "--log-facility=-", "--local=/example/",
	      "--local=/2.0.192.in-addr.arpa/", "--local=/8.b.d.0.1.0.0.2.ip6.arpa/",
	      "--cname=alias.example,host4.example",
	      "--ptr-record=30.2.0.192.in-addr.arpa,bad<x>.example",
	      "--ptr-record=31.2.0.192.in-addr.arpa,a/b.example",
	      /* Team Cymru's origin AS answers (-z); the rest of the zone NXDOMAIN */
	      "--local=/asn.cymru.com/",
	      "--txt-record=10.2.0.192.origin.asn.cymru.com,"
	      "64500 | 192.0.2.0/24 | ZZ | arin | 2020-01-01",
	      "--txt-record=11.2.0.192.origin.asn.cymru.com,"
	      "64500 64501 | 192.0.2.0/24 | ZZ | arin | 2020-01-01",
	      "--txt-record=12.2.0.192.origin.asn.cymru.com,not an answer",
	      "--txt-record=0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.origin6.asn.cymru.com,"
	      "64502 | 2001:db8::/32 | ZZ | arin | 2020-01-01",
	      (char *)NULL);
	_exit(127);
}

/*
 * Start dnsmasq on a random port and wait until it answers (a condition,
 * with a deadline): it reads its hosts file only after binding. 0, or
 * -errno with why in 'why'.
 */
static int dns_start(struct dns_server *d, char *why, size_t cap)
{
	static const char hosts[] = "192.0.2.10 host4.example\n"
				    "2001:db8::10 host6.example\n"
				    "192.0.2.20 dual.example\n"
				    "2001:db8::20 dual.example\n";
	char path[128], servers[64], line[64];
	FILE *f;
	unsigned short rnd;
	int err;

	if (access(DNSMASQ, X_OK)) {
		snprintf(why, cap, "%s: %s", DNSMASQ, strerror(errno));
		return -ENOENT;
	}
	snprintf(d->dir, sizeof(d->dir), "/tmp/xhop-test-resolve.XXXXXX");
	if (!mkdtemp(d->dir)) {
		err = -errno;
		d->dir[0] = '\0';
		snprintf(why, cap, "mkdtemp: %s", strerror(-err));
		return err;
	}
	/* dnsmasq started as root drops to nobody before reading the file */
	chmod(d->dir, 0755);
	snprintf(d->log, sizeof(d->log), "%s/log", d->dir);
	snprintf(path, sizeof(path), "%s/hosts", d->dir);
	err = write_file(path, hosts);
	/* the first of test_dns_eviction()'s burst have names, the rest not */
	f = err ? NULL : fopen(path, "a");
	for (int i = 0; f && i < EVICT_NAMED; i++) {
		snprintf(line, sizeof(line), "2001:db8::1:%x burst%d.example\n", i, i);
		fputs(line, f);
	}
	if (!err && (!f || fclose(f)))
		err = -EIO;
	if (err) {
		snprintf(why, cap, "write %s: %s", path, strerror(-err));
		return err;
	}
	for (int attempt = 0; attempt < 5; attempt++) {
		struct resolver *r;
		long long deadline;
		struct in6_addr a;
		int fam, status = 0;

		if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
			rnd = getpid() + attempt * 7919;
		d->port = 20000 + rnd % 40000;
		d->pid = dns_spawn(d);
		if (d->pid < 0) {
			err = -errno;
			snprintf(why, cap, "fork: %s", strerror(-err));
			return err;
		}
		snprintf(servers, sizeof(servers), "127.0.0.1:%d", d->port);
		r = resolver_new_with_server(servers);
		if (!r) {
			err = -errno;
			snprintf(why, cap, "resolver for %s: %s", servers, strerror(-err));
			return err;
		}
		deadline = now_ms() + 5000;
		err = -ETIMEDOUT;
		while (now_ms() < deadline) {
			err = resolver_lookup_host(r, "host4.example", 4, &a, &fam, NULL, 0, 200);
			if (!err || waitpid(d->pid, &status, WNOHANG) == d->pid)
				break;
			/* not bound yet: refused at once; back off, don't spin */
			if (err == -ECONNREFUSED)
				poll(NULL, 0, 20);
		}
		resolver_free(r);
		if (!err)
			return 0;
		if (waitpid(d->pid, &status, WNOHANG) == 0) {
			kill(d->pid, SIGTERM);
			waitpid(d->pid, &status, 0);
		}
		d->pid = 0;
		snprintf(why, cap, "dnsmasq on port %d: %s (exit status %d, log %s)", d->port,
			 strerror(-err), WIFEXITED(status) ? WEXITSTATUS(status) : -1, d->log);
		/* 127: exec failed; anything else may be a port in use: retry */
		if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
			break;
	}
	return err ? err : -EIO;
}

static void expect_host(struct resolver *r, const char *host, int family, int want_err,
			const char *want_addr, const char *want_canon)
{
	struct in6_addr got = { 0 }, want;
	char canon[256] = "";
	int fam = -1, err;

	err = resolver_lookup_host(r, host, family, &got, &fam, canon, sizeof(canon), 2000);
	EXPECT(err == want_err, "'%s' family %d: %d (%s), want %d", host, family, err,
	       strerror(-err), want_err);
	if (err || want_err)
		return;
	want = addr_of(want_addr);
	EXPECT(fam == (strchr(want_addr, ':') ? 6 : 4), "'%s': family %d", host, fam);
	EXPECT(!memcmp(&got, &want, sizeof(got)), "'%s' family %d: not %s", host, family,
	       want_addr);
	EXPECT(!strcmp(canon, want_canon), "'%s': canon '%s', want '%s'", host, canon,
	       want_canon);
}

static void test_dns_forward(struct resolver *r)
{
	expect_host(r, "host4.example", 0, 0, "192.0.2.10", "host4.example");
	expect_host(r, "host4.example", 4, 0, "192.0.2.10", "host4.example");
	expect_host(r, "host4.example", 6, -ENOENT, NULL, NULL);
	expect_host(r, "host6.example", 0, 0, "2001:db8::10", "host6.example");
	expect_host(r, "host6.example", 6, 0, "2001:db8::10", "host6.example");
	expect_host(r, "host6.example", 4, -ENOENT, NULL, NULL);
	/* both families: IPv4 first, as traceroute */
	expect_host(r, "dual.example", 0, 0, "192.0.2.20", "dual.example");
	expect_host(r, "dual.example", 6, 0, "2001:db8::20", "dual.example");
	expect_host(r, "HOST4.example", 0, 0, "192.0.2.10", "HOST4.example");
	expect_host(r, "alias.example", 0, 0, "192.0.2.10", "host4.example");
	expect_host(r, "nonexistent.example", 0, -ENOENT, NULL, NULL);
	expect_host(r, "nonexistent.example", 4, -ENOENT, NULL, NULL);
	expect_host(r, "nonexistent.example", 6, -ENOENT, NULL, NULL);
}

static void expect_ptr(struct resolver *r, const char *addr, const char *want)
{
	struct in6_addr a = addr_of(addr);
	const char *name = "junk";
	int done;

	done = resolver_ptr_get(r, &a, &name);
	EXPECT(done == 1, "PTR %s not done", addr);
	if (want)
		EXPECT(name && !strcmp(name, want), "PTR %s: '%s', want '%s'", addr,
		       name ? name : "(none)", want);
	else
		EXPECT(!name, "PTR %s: '%s', want none", addr, name);
}

static void test_dns_ptr(struct resolver *r)
{
	static const char *addrs[] = { "192.0.2.10", "2001:db8::10", "192.0.2.99",
				       "2001:db8::99", "192.0.2.30", "192.0.2.31" };
	int err;

	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		struct in6_addr a = addr_of(addrs[i]);

		resolver_ptr_start(r, &a);
	}
	err = pump(r, 3000);
	EXPECT(!err, "PTR lookups still pending: %d", resolver_pending(r));
	EXPECT(resolver_timeout_ms(r, 1000) == -1, "timeout with nothing pending");
	expect_ptr(r, "192.0.2.10", "host4.example");
	expect_ptr(r, "2001:db8::10", "host6.example");
	expect_ptr(r, "192.0.2.99", NULL);
	expect_ptr(r, "2001:db8::99", NULL);
	/* attacker-chosen PTR targets: dropped whole, by c-ares or by us ('/') */
	expect_ptr(r, "192.0.2.30", NULL);
	expect_ptr(r, "192.0.2.31", NULL);
}

static void expect_asn(struct resolver *r, const char *addr, int n, __u32 a0, __u32 a1)
{
	struct in6_addr a = addr_of(addr);
	struct asn_ann o;

	EXPECT(resolver_asn_get(r, &a, &o) == 1, "AS of %s not done", addr);
	EXPECT(o.n == n && (!n || o.asn[0] == a0) && (n < 2 || o.asn[1] == a1),
	       "AS of %s: %d origins (%u %u), want %d (%u %u)", addr, o.n, o.asn[0], o.asn[1], n,
	       a0, a1);
}

/*
 * Origin AS TXT lookups on the PTR channel and cache: an address's PTR
 * and AS entries are apart (one does not answer for the other), the
 * multi-origin answer keeps its order, a garbled or missing one is none.
 */
static void test_dns_asn(struct resolver *r)
{
	static const char *addrs[] = { "192.0.2.10", "192.0.2.11", "192.0.2.12", "192.0.2.13",
				       "2001:db8::10" };
	struct in6_addr a = addr_of("192.0.2.10");
	struct asn_ann o;
	int err;

	EXPECT(resolver_asn_get(r, &a, &o) == 0, "AS of 192.0.2.10 before asking");
	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		struct in6_addr x = addr_of(addrs[i]);

		resolver_asn_start(r, &x);
		resolver_asn_start(r, &x); /* asked twice: one lookup */
	}
	EXPECT(resolver_pending(r) == 5, "pending %d, want 5", resolver_pending(r));
	err = pump(r, 3000);
	EXPECT(!err, "AS lookups still pending: %d", resolver_pending(r));
	expect_asn(r, "192.0.2.10", 1, 64500, 0);
	expect_asn(r, "192.0.2.11", 2, 64500, 64501);
	expect_asn(r, "192.0.2.12", 0, 0, 0);
	expect_asn(r, "192.0.2.13", 0, 0, 0);
	expect_asn(r, "2001:db8::10", 1, 64502, 0);
	/* test_dns_ptr()'s names are still there, apart from the ASes */
	expect_ptr(r, "192.0.2.10", "host4.example");
	a = addr_of("192.0.2.99");
	EXPECT(resolver_asn_get(r, &a, &o) == 0, "a PTR entry answered an AS query");
}

/*
 * The oldest go first, answered or not; the rest stay answered. The
 * oldest of the burst are on the wire when their slots are reused, and
 * only they have names: a late answer landing in the new owner of its
 * slot shows as a name where there is none.
 */
static void test_dns_eviction(struct resolver *r)
{
	const int extra = EVICT_NAMED, total = RESOLVER_CACHE_MAX + extra;
	struct in6_addr a = addr_of("2001:db8::1:0"), first = addr_of("192.0.2.10");
	int evicted = 0, answered = 0, err;
	const char *name;

	/* from test_dns_ptr(): answered, and the oldest of all */
	EXPECT(resolver_ptr_get(r, &first, &name) == 1, "192.0.2.10 lost early");
	for (int i = 0; i < total; i++) {
		a.s6_addr[14] = i >> 8;
		a.s6_addr[15] = i;
		resolver_ptr_start(r, &a);
	}
	err = pump(r, 20000);
	EXPECT(!err, "eviction burst still pending: %d", resolver_pending(r));
	for (int i = 0; i < total; i++) {
		a.s6_addr[14] = i >> 8;
		a.s6_addr[15] = i;
		if (!resolver_ptr_get(r, &a, &name))
			evicted += i < extra;
		else
			answered += i >= extra && !name;
	}
	EXPECT(evicted == extra, "%d of the oldest %d evicted", evicted, extra);
	EXPECT(answered == total - extra, "%d of the newest %d answered", answered, total - extra);
	EXPECT(resolver_ptr_get(r, &first, &name) == 0, "192.0.2.10 outlived %d newer",
	       total);

	/* evicted: asking again starts a new lookup */
	resolver_ptr_start(r, &first);
	EXPECT(resolver_pending(r) == 1, "pending %d after restart", resolver_pending(r));
	err = pump(r, 3000);
	EXPECT(!err, "restart still pending");
	expect_ptr(r, "192.0.2.10", "host4.example");
}

int main(void)
{
	struct dns_server dns = { 0 };
	struct resolver *r;
	char servers[64], why[256];
	int silent_fd, port = 0, err;

	/* every wait below has a deadline; should one be broken, die (and
	 * count as failed) rather than hang the suite
	 */
	alarm(120);
	test_sanitise();

	silent_fd = silent_open(&port);
	EXPECT(silent_fd >= 0, "silent server: %s", strerror(-silent_fd));
	if (silent_fd >= 0) {
		snprintf(servers, sizeof(servers), "127.0.0.1:%d", port);
		r = resolver_new_with_server(servers);
		EXPECT(r, "resolver for %s: %s", servers, strerror(errno));
		if (r) {
			test_literals(r, silent_fd);
			test_cache_silent(r, silent_fd);
			resolver_free(r);
		}
		r = resolver_new_with_server(servers);
		if (r) {
			test_timeout(r);
			resolver_free(r);
		}
		close(silent_fd);
	}

	/* the host's resolv.conf must load; literals need no server at all */
	r = resolver_new();
	EXPECT(r, "resolver_new: %s", strerror(errno));
	if (r) {
		expect_literal(r, "198.18.0.1", 0, 0, 4, "198.18.0.1");
		resolver_free(r);
	}
	errno = 0;
	EXPECT(!resolver_new_with_server("not a server") && errno, "bad server list accepted");

	err = dns_start(&dns, why, sizeof(why));
	/* dnsmasq is installed with the rest (scripts/install-deps.sh): a
	 * server that does not start is a failure, never a skip
	 */
	EXPECT(!err, "dnsmasq checks cannot run: %s", why);
	if (!err) {
		snprintf(servers, sizeof(servers), "127.0.0.1:%d", dns.port);
		r = resolver_new_with_server(servers);
		EXPECT(r, "resolver for %s: %s", servers, strerror(errno));
		if (r) {
			test_dns_forward(r);
			test_dns_ptr(r);
			test_dns_asn(r);
			test_dns_eviction(r);
			resolver_free(r);
		}
	}
	dns_stop(&dns);
	return TEST_SUMMARY();
}
