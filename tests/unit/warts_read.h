/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small warts reader for the encoder's tests, written from the format's
 * description (warts(5), scamper's tracelb layout), not from the encoder:
 * numbers in network order, a flags-and-parameters block (flag bytes of
 * 7 flags each, the top bit linking the next; a uint16 length and the
 * parameters if any flag is set), and where a parameter of a block is.
 */
#ifndef XHOP_TEST_WARTS_READ_H
#define XHOP_TEST_WARTS_READ_H

#include <string.h>
#include <linux/types.h>

/* A parameter block as warts lays it out */
struct blk {
	int set[64];
	const __u8 *params; /* the first parameter */
	const __u8 *end;    /* past the last */
};

static inline const __u8 *read_blk(const __u8 *p, struct blk *k)
{
	int i = 0, more;
	__u16 len;

	memset(k, 0, sizeof(*k));
	do {
		more = p[i] & 0x80;
		for (int bit = 0; bit < 7; bit++)
			if (p[i] & (1 << bit))
				k->set[i * 7 + bit + 1] = 1;
		i++;
	} while (more);
	if (p[0] == 0) {
		k->params = k->end = p + 1;
		return p + 1;
	}
	len = (__u16)(p[i] << 8 | p[i + 1]);
	k->params = p + i + 2;
	k->end = k->params + len;
	return k->end;
}

static inline __u32 be(const __u8 *p, int n)
{
	__u32 v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* Sizes of variable parameters in a block's size table */
enum { WR_ADDR = -1, WR_EXT = -2, WR_STR = -3 };

/* An address field's length: defined (len, type, bytes) or referenced (0, id) */
static inline int addr_len(const __u8 *p)
{
	return p[0] ? 2 + p[0] : 5;
}

/* Where parameter id of block k is (sizes by id, 1-based), or NULL if not set */
static inline const __u8 *blk_param(const struct blk *k, const int *size, int id)
{
	const __u8 *p = k->params;

	if (!k->set[id])
		return NULL;
	for (int i = 1; i < id; i++) {
		if (!k->set[i])
			continue;
		if (size[i] == WR_EXT)
			p += 2 + be(p, 2);
		else if (size[i] == WR_ADDR)
			p += addr_len(p);
		else if (size[i] == WR_STR)
			p += strlen((const char *)p) + 1;
		else
			p += size[i];
	}
	return p;
}

/* The flags set in k, as a bit mask of ids 1..31 (bit id) */
static inline __u32 blk_mask(const struct blk *k)
{
	__u32 m = 0;

	for (int i = 1; i < 32; i++)
		if (k->set[i])
			m |= 1u << i;
	return m;
}

#endif
