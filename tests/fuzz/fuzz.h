/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the libFuzzer targets: a failed invariant aborts (libFuzzer
 * keeps the input as a crash), stdio can be silenced around code that
 * prints, and a strict JSON checker (RFC 8259) judges what the renderers
 * write.
 */
#ifndef XHOP_FUZZ_H
#define XHOP_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fd 2 directly: stderr may be swapped out (fuzz_quiet) when it fails */
#define FUZZ_CHECK(cond, ...)                                                  \
	do {                                                                   \
		if (cond)                                                      \
			break;                                                 \
		dprintf(2, "FUZZ CHECK %s:%d %s: ", __FILE__, __LINE__, #cond); \
		dprintf(2, __VA_ARGS__);                                       \
		dprintf(2, "\n");                                              \
		abort();                                                       \
	} while (0)

/*
 * Point stdout and stderr at /dev/null, and back. glibc's stdout/stderr
 * are assignable variables; libFuzzer and the sanitizers keep their own
 * handle or write fd 2, so their reports still show.
 */
struct fuzz_stdio {
	FILE *out, *err;
};

static inline FILE *fuzz_devnull(void)
{
	static FILE *null;

	if (!null)
		null = fopen("/dev/null", "w");
	return null;
}

static inline void fuzz_quiet(struct fuzz_stdio *s)
{
	s->out = stdout;
	s->err = stderr;
	stdout = fuzz_devnull();
	stderr = fuzz_devnull();
}

static inline void fuzz_loud(const struct fuzz_stdio *s)
{
	stdout = s->out;
	stderr = s->err;
}

/* A NUL-terminated heap copy of the input: ASan sees any read past it */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = 0;
	return s;
}

/*
 * The first line (from 1) of a list file that a bounded line reader
 * (user/net/lines.h) must refuse: more than max_len bytes before its newline,
 * a NUL byte, or past max_lines lines or max_bytes bytes (newlines
 * counted); 0 if there is none. Byte by byte, the plain way, to judge the
 * reader's block-wise one by.
 */
static inline unsigned long long fuzz_first_bad_line(const uint8_t *p, size_t n, size_t max_len,
						     unsigned long long max_lines,
						     unsigned long long max_bytes)
{
	unsigned long long line = 0;
	size_t len = 0;
	int in_line = 0;

	for (size_t i = 0; i < n; i++) {
		if (!in_line) {
			in_line = 1;
			len = 0;
			if (++line > max_lines)
				return line;
		}
		if (i + 1 > max_bytes)
			return line;
		if (p[i] == '\n') {
			in_line = 0;
			continue;
		}
		if (!p[i] || ++len > max_len)
			return line;
	}
	return 0;
}

/* Where a list reader's message ("xhop: NAME:LINE: why") puts the line: 0
 * if msg is not one such line
 */
static inline unsigned long long fuzz_msg_line(const char *msg, const char *name,
					       const char **why)
{
	size_t k = strlen(name);
	unsigned long long line = 0;
	char *end;

	if (strncmp(msg, "xhop: ", 6) || strncmp(msg + 6, name, k) || msg[6 + k] != ':')
		return 0;
	line = strtoull(msg + 7 + k, &end, 10);
	if (end[0] != ':' || end[1] != ' ' || !strchr(end, '\n') || strchr(end, '\n')[1])
		return 0;
	*why = end + 2;
	return line;
}

/* ---- strict JSON: one value, nothing after it ---- */

struct fuzz_json {
	const unsigned char *p, *end;
	int depth;
};

#define FUZZ_JSON_DEPTH 64

static inline int fj_value(struct fuzz_json *j);

static inline void fj_ws(struct fuzz_json *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static inline int fj_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* One UTF-8 sequence at j->p (lead byte >= 0x80): shortest form, no
 * surrogates, at most U+10FFFF
 */
static inline int fj_utf8(struct fuzz_json *j)
{
	unsigned char c = *j->p;
	unsigned int cp, n, min;

	if (c >= 0xc2 && c <= 0xdf)
		n = 1, cp = c & 0x1f, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		n = 2, cp = c & 0x0f, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 3, cp = c & 0x07, min = 0x10000;
	else
		return 0;
	if ((size_t)(j->end - j->p) < n + 1)
		return 0;
	for (unsigned int i = 1; i <= n; i++) {
		if ((j->p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (j->p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	j->p += n + 1;
	return 1;
}

static inline int fj_string(struct fuzz_json *j)
{
	if (j->p >= j->end || *j->p != '"')
		return 0;
	j->p++;
	while (j->p < j->end) {
		unsigned char c = *j->p;

		if (c == '"') {
			j->p++;
			return 1;
		}
		if (c < 0x20) /* control characters must be escaped */
			return 0;
		if (c >= 0x80) {
			if (!fj_utf8(j))
				return 0;
			continue;
		}
		j->p++;
		if (c != '\\')
			continue;
		if (j->p >= j->end)
			return 0;
		c = *j->p++;
		if (c == 'u') {
			if (j->end - j->p < 4)
				return 0;
			for (int i = 0; i < 4; i++)
				if (!fj_hex(*j->p++))
					return 0;
		} else if (!strchr("\"\\/bfnrt", c) || !c) {
			return 0;
		}
	}
	return 0;
}

static inline int fj_digits(struct fuzz_json *j)
{
	const unsigned char *start = j->p;

	while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
		j->p++;
	return j->p > start;
}

static inline int fj_number(struct fuzz_json *j)
{
	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p < j->end && *j->p == '0')
		j->p++;
	else if (j->p >= j->end || *j->p < '1' || *j->p > '9' || !fj_digits(j))
		return 0;
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (!fj_digits(j))
			return 0;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (!fj_digits(j))
			return 0;
	}
	return 1;
}

static inline int fj_word(struct fuzz_json *j, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n))
		return 0;
	j->p += n;
	return 1;
}

/* '{' members '}' or '[' elements ']' */
static inline int fj_container(struct fuzz_json *j, unsigned char close)
{
	int first = 1;

	if (++j->depth > FUZZ_JSON_DEPTH)
		return 0;
	j->p++;
	for (;;) {
		fj_ws(j);
		if (j->p < j->end && *j->p == close && first)
			break;
		if (!first) {
			if (j->p < j->end && *j->p == close)
				break;
			if (j->p >= j->end || *j->p != ',')
				return 0;
			j->p++;
			fj_ws(j);
		}
		first = 0;
		if (close == '}') {
			if (!fj_string(j))
				return 0;
			fj_ws(j);
			if (j->p >= j->end || *j->p != ':')
				return 0;
			j->p++;
			fj_ws(j);
		}
		if (!fj_value(j))
			return 0;
	}
	j->p++;
	j->depth--;
	return 1;
}

static inline int fj_value(struct fuzz_json *j)
{
	if (j->p >= j->end)
		return 0;
	switch (*j->p) {
	case '{':
		return fj_container(j, '}');
	case '[':
		return fj_container(j, ']');
	case '"':
		return fj_string(j);
	case 't':
		return fj_word(j, "true");
	case 'f':
		return fj_word(j, "false");
	case 'n':
		return fj_word(j, "null");
	default:
		return fj_number(j);
	}
}

/* 1 if buf[0, len) is exactly one JSON value (whitespace around allowed) */
static inline int fuzz_json_valid(const char *buf, size_t len)
{
	struct fuzz_json j = { (const unsigned char *)buf, (const unsigned char *)buf + len, 0 };

	fj_ws(&j);
	if (!fj_value(&j))
		return 0;
	fj_ws(&j);
	return j.p == j.end;
}

/* 1 if s[0, len) is well-formed UTF-8 */
static inline int fuzz_utf8_valid(const char *s, size_t len)
{
	struct fuzz_json j = { (const unsigned char *)s, (const unsigned char *)s + len, 0 };

	while (j.p < j.end) {
		if (*j.p < 0x80)
			j.p++;
		else if (!fj_utf8(&j))
			return 0;
	}
	return 1;
}

#endif
