// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "sink/json.h"

void json_str(FILE *out, const char *s)
{
	fputc_unlocked('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			fputc_unlocked(c, out);
	}
	fputc_unlocked('"', out);
}

/* Digits of v, right-aligned in buf[0, 20); returns the first */
static char *digits(char buf[20], unsigned long long v)
{
	char *p = buf + 20;

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return p;
}

void json_uint(FILE *out, unsigned long long v)
{
	char buf[20], *p = digits(buf, v);

	fwrite_unlocked(p, 1, (size_t)(buf + 20 - p), out);
}

void json_int(FILE *out, long long v)
{
	if (v < 0) {
		fputc_unlocked('-', out);
		/* -(v + 1) + 1: LLONG_MIN has no positive twin */
		json_uint(out, (unsigned long long)(-(v + 1)) + 1);
		return;
	}
	json_uint(out, (unsigned long long)v);
}

void json_milli(FILE *out, unsigned long long v)
{
	char frac[4] = { (char)('0' + v / 100 % 10), (char)('0' + v / 10 % 10),
			 (char)('0' + v % 10), 0 };

	json_uint(out, v / 1000);
	fputc_unlocked('.', out);
	fwrite_unlocked(frac, 1, 3, out);
}
