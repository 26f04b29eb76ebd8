// SPDX-License-Identifier: GPL-2.0
/*
 * addr_str: its own formatter must print exactly what inet_ntop prints
 * (traceroute -n's text, which every output and test compares against),
 * for IPv4 and for IPv6 addresses of every shape of zero runs.
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "xhop_test.h"
#include "net/addr.h"

static int differs(const struct in6_addr *a, char *want, char *got)
{
	if (addr_family(a) == 4)
		inet_ntop(AF_INET, &a->s6_addr[12], want, ADDR_STRLEN);
	else
		inet_ntop(AF_INET6, a, want, ADDR_STRLEN);
	addr_str(a, got);
	return strcmp(want, got) != 0;
}

/* a's groups zero where bit i of zeros is set, else random (never 0) */
static void shape(struct in6_addr *a, unsigned int zeros, unsigned int *seed)
{
	for (int i = 0; i < 8; i++) {
		unsigned int w = (zeros >> i & 1) ? 0 : 1 + (unsigned int)rand_r(seed) % 0xffff;

		/* small groups too: leading zeros are dropped, not printed */
		if (!(zeros >> i & 1) && rand_r(seed) % 4 == 0)
			w = 1 + w % 0xf;
		a->s6_addr[2 * i] = (unsigned char)(w >> 8);
		a->s6_addr[2 * i + 1] = (unsigned char)w;
	}
}

static void test_ipv6_shapes(void)
{
	char want[ADDR_STRLEN], got[ADDR_STRLEN];
	unsigned int seed = 7, bad = 0, n = 0;
	struct in6_addr a;

	/* every pattern of zero groups, each with random others, 64 times */
	for (unsigned int zeros = 0; zeros < 256; zeros++)
		for (int k = 0; k < 64; k++, n++) {
			shape(&a, zeros, &seed);
			if (differs(&a, want, got) && bad++ < 5)
				fprintf(stderr, "inet_ntop %s, addr_str %s\n", want, got);
		}
	EXPECT(!bad, "%u of %u IPv6 addresses printed unlike inet_ntop", bad, n);
}

static void test_ipv6_special(void)
{
	static const char *const cases[] = {
		"::", "::1", "::ffff:198.18.0.1", "::198.18.0.1", "1::", "2001:2::",
		"2001:2:0:ffff::1", "2001:2:0:fffe:0:1:0:5", "2001:0:0:1::1", "0:0:1::",
		"1:0:0:2:0:0:3:4", "1:2:3:4:5:6:7:8", "fe80::2", "::ffff:0:0", "0:0:0:0:1::",
	};
	char want[ADDR_STRLEN], got[ADDR_STRLEN];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct in6_addr a;

		inet_pton(AF_INET6, cases[i], &a);
		EXPECT(!differs(&a, want, got), "%s: inet_ntop %s, addr_str %s", cases[i], want,
		       got);
	}
}

static void test_ipv4(void)
{
	char want[ADDR_STRLEN], got[ADDR_STRLEN];
	unsigned int seed = 3, bad = 0;
	struct in6_addr a = { 0 };

	a.s6_addr[10] = a.s6_addr[11] = 0xff;
	for (unsigned int i = 0; i < 100000; i++) {
		/* every octet value in every position, then random ones */
		unsigned int v = i < 1024 ? (i & 255) * 0x01010101u >> (i >> 8) * 8 :
					    (unsigned int)rand_r(&seed) ^ (unsigned int)rand_r(&seed) << 16;

		memcpy(&a.s6_addr[12], &v, 4);
		if (differs(&a, want, got) && bad++ < 5)
			fprintf(stderr, "inet_ntop %s, addr_str %s\n", want, got);
	}
	EXPECT(!bad, "%u IPv4 addresses printed unlike inet_ntop", bad);
}

int main(void)
{
	test_ipv4();
	test_ipv6_shapes();
	test_ipv6_special();
	return xhop_test_summary(__func__);
}
