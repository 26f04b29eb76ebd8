// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include "net/addr.h"

int addr_family(const struct in6_addr *a)
{
	return IN6_IS_ADDR_V4MAPPED(a) ? 4 : 6;
}

/* v in decimal at p; the end */
static char *put_dec(char *p, unsigned int v)
{
	if (v >= 100)
		*p++ = (char)('0' + v / 100);
	if (v >= 10)
		*p++ = (char)('0' + v / 10 % 10);
	*p++ = (char)('0' + v % 10);
	return p;
}

/* v in lower-case hex without leading zeros at p; the end */
static char *put_hex(char *p, unsigned int v)
{
	static const char hex[] = "0123456789abcdef";
	int shift = 12;

	while (shift > 0 && !(v >> shift))
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		*p++ = hex[(v >> shift) & 15];
	return p;
}

/*
 * inet_ntop's text without its sprintf per part: a scan writes millions of
 * addresses a second, and glibc formats each through vfprintf (a quarter
 * of the scan thread). Same text: RFC 5952 (the longest run of two or
 * more zero groups as "::", the first of equals). Addresses whose first
 * five groups are zero may carry an IPv4 tail in inet_ntop's text
 * (::a.b.c.d, ::ffff:a.b.c.d): those few go to inet_ntop itself.
 */
const char *addr_str(const struct in6_addr *a, char buf[ADDR_STRLEN])
{
	unsigned int w[8];
	int best = -1, best_len = 1, run = 0;
	char *p = buf;

	if (addr_family(a) == 4) {
		for (int i = 12; i < 16; i++) {
			p = put_dec(p, a->s6_addr[i]);
			*p++ = i < 15 ? '.' : 0;
		}
		return buf;
	}
	for (int i = 0; i < 8; i++) {
		w[i] = (unsigned int)a->s6_addr[2 * i] << 8 | a->s6_addr[2 * i + 1];
		run = w[i] ? 0 : run + 1;
		if (run > best_len) {
			best_len = run;
			best = i - run + 1;
		}
	}
	if (!w[0] && !w[1] && !w[2] && !w[3] && !w[4]) {
		inet_ntop(AF_INET6, a, buf, ADDR_STRLEN);
		return buf;
	}
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			*p++ = ':';
			if (i == 0)
				*p++ = ':';
			i += best_len - 1;
			continue;
		}
		p = put_hex(p, w[i]);
		if (i < 7)
			*p++ = ':';
	}
	*p = 0;
	return buf;
}

int addr_parse(const char *s, int family, struct in6_addr *out, int *out_family)
{
	struct in_addr v4;

	memset(out, 0, sizeof(*out));
	if (family != 6 && inet_pton(AF_INET, s, &v4) == 1) {
		out->s6_addr[10] = out->s6_addr[11] = 0xff;
		memcpy(&out->s6_addr[12], &v4, 4);
		*out_family = 4;
		return 0;
	}
	/* a mapped IPv6 literal is an IPv4 target in disguise: refuse it */
	if (family != 4 && inet_pton(AF_INET6, s, out) == 1 && !IN6_IS_ADDR_V4MAPPED(out)) {
		*out_family = 6;
		return 0;
	}
	memset(out, 0, sizeof(*out));
	return -EINVAL;
}

__u64 clock_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

__s64 clock_real_offset_ns(void)
{
	struct timespec r, m;

	clock_gettime(CLOCK_MONOTONIC, &m);
	clock_gettime(CLOCK_REALTIME, &r);
	return ((__s64)r.tv_sec - m.tv_sec) * 1000000000LL + ((__s64)r.tv_nsec - m.tv_nsec);
}

__u64 addr_hash(const struct in6_addr *a, __u64 salt)
{
	__u64 w0, w1;

	memcpy(&w0, a->s6_addr, 8);
	memcpy(&w1, a->s6_addr + 8, 8);
	/* splitmix64's finaliser over both halves */
	w0 ^= (w1 + salt) * 0x9e3779b97f4a7c15ULL;
	w0 ^= w0 >> 30;
	w0 *= 0xbf58476d1ce4e5b9ULL;
	w0 ^= w0 >> 27;
	w0 *= 0x94d049bb133111ebULL;
	return w0 ^ (w0 >> 31);
}

socklen_t addr_sockaddr(const struct in6_addr *a, int family, __u16 port,
			struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family == 6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = *a;
		s6->sin6_port = htons(port);
		return sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, &a->s6_addr[12], 4);
		s4->sin_port = htons(port);
		return sizeof(*s4);
	}
}
