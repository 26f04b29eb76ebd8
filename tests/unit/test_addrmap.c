// SPDX-License-Identifier: GPL-2.0
/*
 * addrmap against a plain array: random puts, gets and deletes over a
 * pool of addresses, through growth and backward-shift deletion, with the
 * stored hashes deciding most comparisons (and a tiny table where buckets
 * share their hash's low bits, so equal-bucket chains are long).
 */
#include <stdlib.h>
#include <string.h>
#include "xhop_test.h"
#include "net/addr.h"
#include "net/addrmap.h"

#define POOL 20000

static struct in6_addr pool[POOL];

static const struct in6_addr *key_of(const void *ctx, __u32 v)
{
	(void)ctx;
	return &pool[v];
}

static void run(const char *name, __u32 expect, unsigned int seed, int ops)
{
	static signed char in[POOL];
	struct addrmap m;
	unsigned int bad = 0, n = 0;

	memset(in, 0, sizeof(in));
	EXPECT(addrmap_init(&m, expect, key_of, NULL, 42) == 0, "%s: init", name);
	for (int i = 0; i < ops; i++) {
		__u32 v = (__u32)rand_r(&seed) % POOL;
		int op = rand_r(&seed) % 3, rc;

		if (op == 0) {
			rc = addrmap_put(&m, v);
			bad += rc != !in[v];
			n += !in[v];
			in[v] = 1;
		} else if (op == 1) {
			if (in[v])
				n--;
			addrmap_del(&m, &pool[v]);
			in[v] = 0;
		} else {
			bad += addrmap_get(&m, &pool[v]) != (in[v] ? v : ADDRMAP_NONE);
		}
	}
	for (__u32 v = 0; v < POOL; v++)
		bad += addrmap_get(&m, &pool[v]) != (in[v] ? v : ADDRMAP_NONE);
	EXPECT(!bad && m.n == n, "%s: %u answers unlike the array's, %u entries for %u", name, bad,
	       m.n, n);
	addrmap_free(&m);
}

struct hashed {
	__u32 hash;
	__u32 i;
};

static int cmp_hashed(const void *a, const void *b)
{
	const struct hashed *x = a, *y = b;

	return x->hash < y->hash ? -1 : x->hash > y->hash;
}

static struct in6_addr nth6(__u32 i)
{
	struct in6_addr a = { .s6_addr = { 0x20, 0x01, 0, 2 } };

	memcpy(&a.s6_addr[12], &i, 4);
	return a;
}

/*
 * Two addresses whose stored hashes are equal (found among 2^20 by the
 * birthday bound) must still be told apart by the addresses themselves
 */
static void test_equal_hashes(void)
{
	enum { N = 1 << 20 };
	struct hashed *h = malloc(N * sizeof(*h));
	struct addrmap m;
	int found = 0;

	if (!h)
		return;
	for (__u32 i = 0; i < N; i++) {
		struct in6_addr a = nth6(i);

		h[i].hash = (__u32)addr_hash(&a, 42);
		h[i].i = i;
	}
	qsort(h, N, sizeof(*h), cmp_hashed);
	for (__u32 i = 1; i < N && !found; i++) {
		if (h[i].hash != h[i - 1].hash)
			continue;
		found = 1;
		pool[0] = nth6(h[i - 1].i);
		pool[1] = nth6(h[i].i);
	}
	free(h);
	EXPECT(found, "two of 2^20 addresses share 32 bits of hash");
	if (!found)
		return;
	addrmap_init(&m, 4, key_of, NULL, 42);
	EXPECT(addrmap_put(&m, 0) == 1 && addrmap_get(&m, &pool[1]) == ADDRMAP_NONE,
	       "an equal hash is not the same address");
	EXPECT(addrmap_put(&m, 1) == 1 && addrmap_get(&m, &pool[1]) == 1 &&
		       addrmap_get(&m, &pool[0]) == 0,
	       "both in, each found");
	addrmap_del(&m, &pool[0]);
	EXPECT(addrmap_get(&m, &pool[0]) == ADDRMAP_NONE && addrmap_get(&m, &pool[1]) == 1,
	       "the other one deleted, this one kept");
	addrmap_free(&m);
}

int main(void)
{
	test_equal_hashes();
	for (int i = 0; i < POOL; i++) {
		/* IPv4-mapped and IPv6 addresses that differ in few bits */
		pool[i].s6_addr[0] = i & 1 ? 0x20 : 0;
		pool[i].s6_addr[1] = i & 1 ? 0x01 : 0;
		pool[i].s6_addr[10] = pool[i].s6_addr[11] = i & 1 ? 0 : 0xff;
		pool[i].s6_addr[14] = (unsigned char)(i >> 8);
		pool[i].s6_addr[15] = (unsigned char)i;
	}
	run("grown from 16 buckets", 1, 1, 400000);
	run("sized ahead", POOL, 2, 400000);
	return xhop_test_summary(__func__);
}
