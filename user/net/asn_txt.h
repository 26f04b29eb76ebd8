/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Team Cymru's origin AS service over DNS, as mtr -z asks it: the query
 * name of an address and the parse of its TXT answer.
 */
#ifndef XHOP_ASN_TXT_H
#define XHOP_ASN_TXT_H

#include <stddef.h>
#include <netinet/in.h>
#include "core/record.h"

/* Longest query name: 16 nibbles of "x." + "origin6.asn.cymru.com" */
#define ASN_QNAME_MAX 64

/*
 * d.c.b.a.origin.asn.cymru.com for IPv4 (mapped), and for IPv6 the
 * nibbles of the top 64 bits, reversed, under origin6.asn.cymru.com
 * (Cymru keys IPv6 by /64 at most; mtr asks the same name). 0 or -ENOSPC.
 */
int asn_txt_qname(const struct in6_addr *addr, char *buf, size_t cap);

/*
 * "64500 | 198.18.0.0/24 | ZZ | arin | 2020-01-01", or "64500 64501 | ..."
 * for a multi-origin prefix: the AS numbers of the first field, at most
 * ASN_ORIGINS_MAX, in order. 0, or -EINVAL (no field, a token that is
 * not a whole number in 1..4294967295, or nothing before the first '|').
 */
int asn_txt_parse(const char *txt, size_t len, struct asn_ann *out);

/*
 * One AS number of a file or answer: decimal, 1 to 4294967295, also
 * RFC 5396's asdot "1.10" (= 65546). 0 or -EINVAL.
 */
int asn_parse_number(const char *s, size_t len, __u32 *out);

#endif
