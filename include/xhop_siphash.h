/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SipHash-1-3 over exactly three 64-bit words, written so that the same
 * code compiles for BPF (no loops, no tables) and for userspace, where a
 * unit test checks it against the reference algorithm.
 *
 * 1-3 (one compression, three finalisation rounds) rather than 2-4: the
 * XDP program runs it for every candidate reply, and a 16-bit truncated
 * tag is guessed long before any weakness of the rounds matters.
 */
#ifndef XHOP_SIPHASH_H
#define XHOP_SIPHASH_H

#include <linux/types.h>

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

#define XHOP_ROTL64(x, b) (((x) << (b)) | ((x) >> (64 - (b))))

#define XHOP_SIPROUND(v0, v1, v2, v3)                                          \
	do {                                                                   \
		v0 += v1; v1 = XHOP_ROTL64(v1, 13); v1 ^= v0;                  \
		v0 = XHOP_ROTL64(v0, 32);                                      \
		v2 += v3; v3 = XHOP_ROTL64(v3, 16); v3 ^= v2;                  \
		v0 += v3; v3 = XHOP_ROTL64(v3, 21); v3 ^= v0;                  \
		v2 += v1; v1 = XHOP_ROTL64(v1, 17); v1 ^= v2;                  \
		v2 = XHOP_ROTL64(v2, 32);                                      \
	} while (0)

/*
 * The message is the 24 bytes w0, w1, w2 in little-endian order, as the
 * reference siphash() reads a byte string; the final block holds only the
 * length (24) in its top byte.
 */
static __always_inline __u64 xhop_siphash13_3w(__u64 k0, __u64 k1, __u64 w0, __u64 w1,
					       __u64 w2)
{
	__u64 v0 = k0 ^ 0x736f6d6570736575ULL;
	__u64 v1 = k1 ^ 0x646f72616e646f6dULL;
	__u64 v2 = k0 ^ 0x6c7967656e657261ULL;
	__u64 v3 = k1 ^ 0x7465646279746573ULL;
	__u64 b = (__u64)24 << 56;

	v3 ^= w0; XHOP_SIPROUND(v0, v1, v2, v3); v0 ^= w0;
	v3 ^= w1; XHOP_SIPROUND(v0, v1, v2, v3); v0 ^= w1;
	v3 ^= w2; XHOP_SIPROUND(v0, v1, v2, v3); v0 ^= w2;
	v3 ^= b;  XHOP_SIPROUND(v0, v1, v2, v3); v0 ^= b;
	v2 ^= 0xff;
	XHOP_SIPROUND(v0, v1, v2, v3);
	XHOP_SIPROUND(v0, v1, v2, v3);
	XHOP_SIPROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

#endif /* XHOP_SIPHASH_H */
