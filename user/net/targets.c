// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "net/targets.h"
#include "xhop_siphash.h"

#define V4_MAPPED_BITS 96 /* ::ffff:0:0/96 */

static void mask_host_bits(struct in6_addr *a, int len, struct in6_addr *host)
{
	for (int i = 0; i < 16; i++) {
		int bits = len - 8 * i;
		__u8 m = bits >= 8 ? 0xff : bits <= 0 ? 0 : (__u8)(0xff << (8 - bits));

		if (host)
			host->s6_addr[i] = a->s6_addr[i] & ~m;
		a->s6_addr[i] &= m;
	}
}

int prefix_parse(const char *s, struct prefix *p)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	struct in6_addr host;
	struct in_addr v4;
	long len;
	int is_v4;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = 0;
	memset(p, 0, sizeof(*p));
	if (inet_pton(AF_INET, buf, &v4) == 1) {
		is_v4 = 1;
		p->addr.s6_addr[10] = p->addr.s6_addr[11] = 0xff;
		memcpy(&p->addr.s6_addr[12], &v4, 4);
	} else if (inet_pton(AF_INET6, buf, &p->addr) == 1 && !IN6_IS_ADDR_V4MAPPED(&p->addr)) {
		is_v4 = 0;
	} else {
		return -EINVAL;
	}
	len = is_v4 ? 32 : 128;
	if (slash) {
		errno = 0;
		len = strtol(slash, &end, 10);
		if (errno || end == slash || *end || len < 0 || len > (is_v4 ? 32 : 128))
			return -EINVAL;
	}
	p->len = (__u8)(len + (is_v4 ? V4_MAPPED_BITS : 0));
	mask_host_bits(&p->addr, p->len, &host);
	/* 198.18.1.1/15 is a typo, not a prefix: say so instead of guessing */
	for (int i = 0; i < 16; i++)
		if (host.s6_addr[i])
			return -EINVAL;
	return 0;
}

int prefix_contains(const struct prefix *p, const struct in6_addr *a)
{
	struct in6_addr x = *a;

	mask_host_bits(&x, p->len, NULL);
	return !memcmp(&x, &p->addr, 16);
}

int prefix_list_add(struct prefix_list *l, const struct prefix *p)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct prefix *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *p;
	return 0;
}

int prefix_list_read(struct prefix_list *l, FILE *f, const char *name,
		     const struct line_bounds *b)
{
	struct line_reader r;
	char *s;
	int err;

	line_reader_init(&r, f, name, b);
	while ((err = line_next(&r, &s)) > 0) {
		struct prefix p;

		if (prefix_parse(s, &p)) {
			line_error(&r, "'%.64s' is not an address or prefix", s);
			return -EINVAL;
		}
		if (l->n >= b->entries)
			return line_too_many(&r, "addresses and prefixes");
		err = prefix_list_add(l, &p);
		if (err) {
			line_error(&r, "%s", strerror(-err));
			return err;
		}
	}
	return err;
}

int prefix_list_contains(const struct prefix_list *l, const struct in6_addr *a)
{
	for (size_t i = 0; i < l->n; i++)
		if (prefix_contains(&l->v[i], a))
			return 1;
	return 0;
}

void prefix_list_free(struct prefix_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* IANA special-purpose registries (RFC 6890 and successors), multicast, reserved */
static const char *const default_blocked[] = {
	"0.0.0.0/8",	   "10.0.0.0/8",      "100.64.0.0/10",	 "127.0.0.0/8",
	"169.254.0.0/16",  "172.16.0.0/12",   "192.0.0.0/24",	 "192.0.2.0/24",
	"192.31.196.0/24", "192.52.193.0/24", "192.88.99.0/24",	 "192.168.0.0/16",
	"192.175.48.0/24", "198.18.0.0/15",   "198.51.100.0/24", "203.0.113.0/24",
	"224.0.0.0/4",	   "240.0.0.0/4",     "::/127",		 "64:ff9b::/96",
	"64:ff9b:1::/48",  "100::/64",	      "2001::/23",	 "2001:db8::/32",
	"2002::/16",	   "3fff::/20",	      "5f00::/16",	 "fc00::/7",
	"fe80::/10",	   "ff00::/8",
};

int blocklist_default(struct prefix_list *l)
{
	for (size_t i = 0; i < sizeof(default_blocked) / sizeof(default_blocked[0]); i++) {
		struct prefix p;
		int err = prefix_parse(default_blocked[i], &p);

		if (!err)
			err = prefix_list_add(l, &p);
		if (err)
			return err;
	}
	return 0;
}

static int target_add(struct target_set *t, const struct in6_addr *a,
		      const struct prefix_list *block, size_t max)
{
	if (block && prefix_list_contains(block, a)) {
		t->blocked++;
		return 0;
	}
	if (t->n >= max)
		return -E2BIG;
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;
		struct in6_addr *v = realloc(t->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		t->v = v;
		t->cap = cap;
	}
	t->v[t->n++] = *a;
	return 0;
}

/* a += k << shift, the address read as one 128-bit big-endian number */
static void addr_add(struct in6_addr *a, __u64 k, int shift)
{
	__u64 hi = 0, lo = 0, add_hi, add_lo, old_lo;

	for (int i = 0; i < 8; i++) {
		hi = hi << 8 | a->s6_addr[i];
		lo = lo << 8 | a->s6_addr[8 + i];
	}
	if (shift >= 64) {
		add_hi = k << (shift - 64);
		add_lo = 0;
	} else {
		add_lo = k << shift;
		add_hi = shift ? k >> (64 - shift) : 0;
	}
	old_lo = lo;
	lo += add_lo;
	hi += add_hi + (lo < old_lo);
	for (int i = 7; i >= 0; i--) {
		a->s6_addr[i] = hi & 0xff;
		a->s6_addr[8 + i] = lo & 0xff;
		hi >>= 8;
		lo >>= 8;
	}
}

int targets_expand(struct target_set *t, const struct prefix *p, int every_address, __u64 seed,
		   const struct prefix_list *block, size_t max_targets)
{
	int v4 = IN6_IS_ADDR_V4MAPPED(&p->addr);
	int block_len = v4 ? V4_MAPPED_BITS + 24 : 64; /* one target per /24, /64 */
	int unit = every_address ? 128 : (p->len > block_len ? p->len : block_len);
	int count_bits = unit - p->len;
	__u64 count;

	if (count_bits >= 40) /* over 2^40 targets: no machine probes that */
		return -E2BIG;
	count = 1ULL << count_bits;
	if (count > max_targets)
		return -E2BIG;
	for (__u64 i = 0; i < count; i++) {
		struct in6_addr a = p->addr;
		int err;

		addr_add(&a, i, 128 - unit);
		if (!every_address && unit < 128) {
			/* the host part of this block: fixed by (seed, block);
			 * only the bits below the block's length change
			 */
			__u64 w0, w1, h;
			__u8 rnd[16];

			memcpy(&w0, &a.s6_addr[0], 8);
			memcpy(&w1, &a.s6_addr[8], 8);
			h = xhop_siphash13_3w(seed, ~seed, w0, w1, unit);
			memcpy(rnd, &h, 8);
			memcpy(rnd + 8, &h, 8);
			for (int b = 0; b < 16; b++) {
				int bits = unit - 8 * b;
				__u8 m = bits >= 8 ? 0xff : bits <= 0 ? 0 : (__u8)(0xff << (8 - bits));

				a.s6_addr[b] = (a.s6_addr[b] & m) | (rnd[b] & ~m);
			}
			/* not the all-zeros or all-ones host of an IPv4 block */
			if (v4 && 128 - unit >= 2) {
				__u8 hm = (__u8)((1u << (128 - unit < 8 ? 128 - unit : 8)) - 1);
				__u8 host = a.s6_addr[15] & hm;

				if (host == 0)
					a.s6_addr[15] |= 1;
				else if (host == hm && 128 - unit <= 8)
					a.s6_addr[15] &= (__u8)~1;
			}
		}
		err = target_add(t, &a, block, max_targets);
		if (err)
			return err;
	}
	return 0;
}

void target_set_free(struct target_set *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}

void permutation_init(struct permutation *p, __u64 n, __u64 seed)
{
	int bits = 2;

	memset(p, 0, sizeof(*p));
	p->n = n;
	while (bits < 64 && (1ULL << bits) < n)
		bits += 2;
	p->half_bits = bits / 2;
	p->half_mask = (1ULL << p->half_bits) - 1;
	p->k0 = seed;
	p->k1 = seed ^ 0x9e3779b97f4a7c15ULL;
}

static __u64 feistel(const struct permutation *p, __u64 x)
{
	__u64 l = x >> p->half_bits, r = x & p->half_mask;

	for (__u64 round = 0; round < 4; round++) {
		__u64 f = xhop_siphash13_3w(p->k0, p->k1, r, round, p->n) & p->half_mask;
		__u64 nl = r;

		r = l ^ f;
		l = nl;
	}
	return (l << p->half_bits) | r;
}

__u64 permutation_at(const struct permutation *p, __u64 i)
{
	__u64 x = i;

	if (!p->n)
		return 0;
	/* cycle walking: the domain is at most 4n, so a few steps on average */
	do
		x = feistel(p, x);
	while (x >= p->n);
	return x;
}
