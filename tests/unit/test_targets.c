// SPDX-License-Identifier: GPL-2.0
/* Target lists: prefixes, expansion, blocklist, permutation and shards. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "xhop_test.h"
#include "targets.h"

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
	struct prefix_list l = { 0 };
	FILE *f = fmemopen((void *)good, sizeof(good) - 1, "r");

	EXPECT(prefix_list_read(&l, f, "good") == 0 && l.n == 3, "3 prefixes, got %zu", l.n);
	fclose(f);
	prefix_list_free(&l);
	f = fmemopen((void *)bad, sizeof(bad) - 1, "r");
	fprintf(stderr, "(expected below: a line-2 error)\n");
	EXPECT(prefix_list_read(&l, f, "bad") == -EINVAL, "bad line refused");
	fclose(f);
	prefix_list_free(&l);
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
	test_expand();
	test_permutation();
	return TEST_SUMMARY();
}
