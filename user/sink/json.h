/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The little JSON writing that xhop needs: escaped strings, and numbers
 * and literals written without printf. A scan writes a trace object per
 * target, hundreds of thousands a second, and printf's format parsing was
 * the largest cost of its planning thread. Everything goes through the
 * _unlocked stdio calls: the stream belongs to one thread.
 */
#ifndef XHOP_JSON_H
#define XHOP_JSON_H

#include <stdio.h>

/* s as a JSON string literal, quotes included; control bytes escaped */
void json_str(FILE *out, const char *s);
/* s as it is (keys, punctuation, names that need no escaping) */
static inline void json_lit(FILE *out, const char *s)
{
	fputs_unlocked(s, out);
}
void json_uint(FILE *out, unsigned long long v);
void json_int(FILE *out, long long v);
/* lit, then v: json_key_uint(out, ",\"ttl\":", 3) */
static inline void json_key_uint(FILE *out, const char *lit, unsigned long long v)
{
	json_lit(out, lit);
	json_uint(out, v);
}
/* v / 1000 with three decimals: 12345 -> 12.345 */
void json_milli(FILE *out, unsigned long long v);

#endif
