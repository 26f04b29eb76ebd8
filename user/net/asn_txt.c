// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "net/asn_txt.h"

int asn_txt_qname(const struct in6_addr *addr, char *buf, size_t cap)
{
	const __u8 *b = addr->s6_addr;
	size_t off = 0;
	int n;

	if (IN6_IS_ADDR_V4MAPPED(addr)) {
		n = snprintf(buf, cap, "%u.%u.%u.%u.origin.asn.cymru.com", b[15], b[14], b[13],
			     b[12]);
		return n < 0 || (size_t)n >= cap ? -ENOSPC : 0;
	}
	for (int i = 7; i >= 0; i--) {
		n = snprintf(buf + off, cap - off, "%x.%x.", b[i] & 0xf, b[i] >> 4);
		if (n < 0 || (size_t)n >= cap - off)
			return -ENOSPC;
		off += (size_t)n;
	}
	n = snprintf(buf + off, cap - off, "origin6.asn.cymru.com");
	return n < 0 || (size_t)n >= cap - off ? -ENOSPC : 0;
}

int asn_parse_number(const char *s, size_t len, __u32 *out)
{
	unsigned long long v = 0, hi = 0;
	int dot = 0, digits = 0;

	if (!len)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '.' && !dot && digits) {
			/* asdot: high.low, each 16 bits */
			if (v > 0xffff)
				return -EINVAL;
			hi = v;
			v = 0;
			dot = 1;
			digits = 0;
			continue;
		}
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned)(s[i] - '0');
		if (v > 0xffffffffULL)
			return -EINVAL;
		digits++;
	}
	if (!digits || (dot && v > 0xffff))
		return -EINVAL;
	if (dot)
		v = hi << 16 | v;
	/* AS 0 is reserved (RFC 7607): no origin announces it */
	if (v == 0)
		return -EINVAL;
	*out = (__u32)v;
	return 0;
}

int asn_txt_parse(const char *txt, size_t len, struct asn_ann *out)
{
	const char *end, *p = txt;
	struct asn_ann a = { 0 };

	end = memchr(txt, '|', len);
	if (!end)
		return -EINVAL;
	while (p < end) {
		const char *tok;
		__u32 v;

		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p == end)
			break;
		tok = p;
		while (p < end && *p != ' ' && *p != '\t')
			p++;
		if (asn_parse_number(tok, (size_t)(p - tok), &v))
			return -EINVAL;
		if (a.n < ASN_ORIGINS_MAX)
			a.asn[a.n++] = v;
	}
	if (!a.n)
		return -EINVAL;
	*out = a;
	return 0;
}
