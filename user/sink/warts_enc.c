// SPDX-License-Identifier: GPL-2.0
/*
 * warts(5) encoding, written from the format's description: every 16- and
 * 32-bit number in network order, timevals as two uint32, RTTs as one
 * uint32 of microseconds (the caller's), strings with their NUL.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "sink/warts_enc.h"
#include "xhop_proto.h"

#define WARTS_HDR_LEN 8

static int grow(struct warts_buf *b, size_t n)
{
	size_t cap;
	__u8 *p;

	if (b->err)
		return -1;
	if (b->len + n <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + n)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p) {
		b->err = -ENOMEM;
		return -1;
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

void warts_buf_reset(struct warts_buf *b)
{
	b->len = 0;
	b->err = 0;
}

void warts_buf_free(struct warts_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

void warts_put_bytes(struct warts_buf *b, const void *p, size_t n)
{
	if (grow(b, n))
		return;
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

void warts_put_u8(struct warts_buf *b, __u8 v)
{
	warts_put_bytes(b, &v, 1);
}

void warts_put_u16(struct warts_buf *b, __u16 v)
{
	__u8 x[2] = { (__u8)(v >> 8), (__u8)v };

	warts_put_bytes(b, x, sizeof(x));
}

void warts_put_u32(struct warts_buf *b, __u32 v)
{
	__u8 x[4] = { (__u8)(v >> 24), (__u8)(v >> 16), (__u8)(v >> 8), (__u8)v };

	warts_put_bytes(b, x, sizeof(x));
}

void warts_put_timeval(struct warts_buf *b, __u32 sec, __u32 usec)
{
	warts_put_u32(b, sec);
	warts_put_u32(b, usec);
}

void warts_put_str(struct warts_buf *b, const char *s)
{
	warts_put_bytes(b, s, strlen(s) + 1);
}

size_t warts_obj_begin(struct warts_buf *b, __u16 type)
{
	size_t off = b->len;

	warts_put_u16(b, WARTS_MAGIC);
	warts_put_u16(b, type);
	warts_put_u32(b, 0);
	return off;
}

void warts_obj_end(struct warts_buf *b, size_t off)
{
	__u32 len;

	if (b->err)
		return;
	len = (__u32)(b->len - off - WARTS_HDR_LEN);
	b->p[off + 4] = (__u8)(len >> 24);
	b->p[off + 5] = (__u8)(len >> 16);
	b->p[off + 6] = (__u8)(len >> 8);
	b->p[off + 7] = (__u8)len;
}

/* ---- addresses ---- */

void warts_addrs_reset(struct warts_addrs *t)
{
	t->n = 0;
}

void warts_addrs_free(struct warts_addrs *t)
{
	free(t->a);
	memset(t, 0, sizeof(*t));
}

static int is_v4(const struct in6_addr *a)
{
	return IN6_IS_ADDR_V4MAPPED(a);
}

/* Its id in t, or -1 (then added, if there is room: -2 if not) */
static long addrs_find_add(struct warts_addrs *t, const struct in6_addr *a)
{
	/* a trace names a few dozen addresses: a linear look is enough */
	for (__u32 i = 0; i < t->n; i++)
		if (!memcmp(&t->a[i], a, sizeof(*a)))
			return i;
	if (t->n == t->cap) {
		__u32 cap = t->cap ? 2 * t->cap : 32;
		struct in6_addr *v = realloc(t->a, cap * sizeof(*v));

		if (!v)
			return -2;
		t->a = v;
		t->cap = cap;
	}
	t->a[t->n++] = *a;
	return -1;
}

/* ---- flags and parameters ---- */

int warts_flag_bytes(int max_id)
{
	return max_id ? (max_id + 6) / 7 : 1;
}

void warts_params_begin(struct warts_params *p)
{
	memset(p->flags, 0, sizeof(p->flags));
	p->max_id = 0;
	p->err = 0;
	warts_buf_reset(&p->data);
}

void warts_params_free(struct warts_params *p)
{
	warts_buf_free(&p->data);
}

/* Flag parameter id: byte (id - 1) / 7, bit (id - 1) % 7; ids only grow */
static int flag(struct warts_params *p, int id)
{
	if (id <= p->max_id || id > 7 * WARTS_FLAGS_MAX) {
		p->err = -EINVAL;
		return -1;
	}
	p->flags[(id - 1) / 7] |= (__u8)(1u << ((id - 1) % 7));
	p->max_id = id;
	return 0;
}

void warts_param_u8(struct warts_params *p, int id, __u8 v)
{
	if (!flag(p, id))
		warts_put_u8(&p->data, v);
}

void warts_param_u16(struct warts_params *p, int id, __u16 v)
{
	if (!flag(p, id))
		warts_put_u16(&p->data, v);
}

void warts_param_u32(struct warts_params *p, int id, __u32 v)
{
	if (!flag(p, id))
		warts_put_u32(&p->data, v);
}

void warts_param_timeval(struct warts_params *p, int id, __u32 sec, __u32 usec)
{
	if (!flag(p, id))
		warts_put_timeval(&p->data, sec, usec);
}

void warts_param_str(struct warts_params *p, int id, const char *s)
{
	if (!flag(p, id))
		warts_put_str(&p->data, s);
}

void warts_param_addr(struct warts_params *p, int id, struct warts_addrs *t,
		      const struct in6_addr *a)
{
	long got;

	if (flag(p, id))
		return;
	got = addrs_find_add(t, a);
	if (got >= 0) {
		warts_put_u8(&p->data, 0);
		warts_put_u32(&p->data, (__u32)got);
		return;
	}
	if (got == -2) {
		p->data.err = -ENOMEM;
		return;
	}
	if (is_v4(a)) {
		warts_put_u8(&p->data, 4);
		warts_put_u8(&p->data, WARTS_ADDR_IPV4);
		warts_put_bytes(&p->data, &a->s6_addr[12], 4);
	} else {
		warts_put_u8(&p->data, 16);
		warts_put_u8(&p->data, WARTS_ADDR_IPV6);
		warts_put_bytes(&p->data, a->s6_addr, 16);
	}
}

void warts_param_mpls(struct warts_params *p, int id, const __u32 *lse, int n)
{
	__u16 dl = (__u16)(4 * n);

	if (flag(p, id))
		return;
	/* the set's length, then one extension: its data length, class, type */
	warts_put_u16(&p->data, (__u16)(2 + 1 + 1 + dl));
	warts_put_u16(&p->data, dl);
	warts_put_u8(&p->data, XHOP_ICMP_EXT_CLASS_MPLS);
	warts_put_u8(&p->data, XHOP_ICMP_EXT_CTYPE_MPLS);
	for (int i = 0; i < n; i++)
		warts_put_u32(&p->data, lse[i]);
}

int warts_params_end(struct warts_params *p, struct warts_buf *out)
{
	int nbytes = warts_flag_bytes(p->max_id);
	__u8 flags[WARTS_FLAGS_MAX];

	if (p->err)
		return p->err;
	if (p->data.err)
		return p->data.err;
	if (p->data.len > 0xffff)
		return -E2BIG;
	memcpy(flags, p->flags, sizeof(flags));
	/* the link bit on every byte but the last */
	for (int i = 0; i < nbytes - 1; i++)
		flags[i] |= 0x80;
	warts_put_bytes(out, flags, (size_t)nbytes);
	if (p->max_id) {
		warts_put_u16(out, (__u16)p->data.len);
		warts_put_bytes(out, p->data.p, p->data.len);
	}
	return out->err;
}
