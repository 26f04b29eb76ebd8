// SPDX-License-Identifier: GPL-2.0
/*
 * What a PTR or CNAME answer may say, on the way to text and JSON:
 * resolver_name_sanitise() must keep exactly the names its contract
 * allows, and json_str() must write a string literal that escapes every
 * control byte, quote and backslash and decodes back to its input. Its
 * output is strict JSON whenever its input is UTF-8 (xhop feeds it only
 * sanitised, ASCII names; raw bytes >= 0x80 pass through as they are).
 */
#include "sink/json.h"
#include "net/resolve.h"
#include "fuzz.h"

/* The contract of resolve.h, written out again independently */
static int name_allowed(const char *s)
{
	size_t len = strlen(s), text = len && s[len - 1] == '.' ? len - 1 : len;

	if (text < 1 || text > 253)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

static int hexval(char c)
{
	return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

/*
 * Check the literal lit[0, len) byte by byte and decode it into out (at
 * least len bytes); returns the decoded length.
 */
static size_t check_literal(const char *lit, size_t len, char *out)
{
	size_t n = 0, i;

	FUZZ_CHECK(len >= 2 && lit[0] == '"' && lit[len - 1] == '"', "not quoted");
	for (i = 1; i < len - 1; i++) {
		unsigned char c = (unsigned char)lit[i];

		FUZZ_CHECK(c >= 0x20 && c != 0x7f, "raw control byte 0x%02x at %zu", c, i);
		FUZZ_CHECK(c != '"', "unescaped quote at %zu", i);
		if (c != '\\') {
			out[n++] = (char)c;
			continue;
		}
		FUZZ_CHECK(i + 1 < len - 1, "escape cut by the closing quote");
		c = (unsigned char)lit[++i];
		if (c == '"' || c == '\\' || c == '/') {
			out[n++] = (char)c;
		} else if (c == 'u') {
			int v = 0;

			FUZZ_CHECK(i + 4 < len - 1, "short \\u escape");
			for (int k = 1; k <= 4; k++) {
				FUZZ_CHECK(fj_hex((unsigned char)lit[i + k]), "bad hex in \\u");
				v = v << 4 | hexval(lit[i + k]);
			}
			/* json_str escapes single bytes only: U+0000 to U+007F */
			FUZZ_CHECK(v > 0 && v < 0x80, "\\u%04x", v);
			out[n++] = (char)v;
			i += 4;
		} else {
			static const char from[] = "bfnrt", to[] = "\b\f\n\r\t";
			const char *f = c ? strchr(from, c) : NULL;

			FUZZ_CHECK(f, "unknown escape \\%c", c);
			out[n++] = to[f - from];
		}
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strndup(data, size), *lit = NULL, *dec;
	size_t len = strlen(s), litlen = 0, n;
	const char *clean = resolver_name_sanitise(s);
	FILE *f;

	FUZZ_CHECK(!resolver_name_sanitise(NULL), "NULL kept");
	FUZZ_CHECK(clean == NULL || clean == s, "not the name itself");
	FUZZ_CHECK(!!clean == name_allowed(s), "'%s' %s", s, clean ? "kept" : "dropped");

	f = open_memstream(&lit, &litlen);
	FUZZ_CHECK(f, "open_memstream");
	json_str(f, s);
	FUZZ_CHECK(fclose(f) == 0, "fclose");
	FUZZ_CHECK(strlen(lit) == litlen, "NUL inside the literal");

	dec = malloc(litlen + 1);
	FUZZ_CHECK(dec, "malloc");
	n = check_literal(lit, litlen, dec);
	FUZZ_CHECK(n == len && !memcmp(dec, s, len), "literal does not decode to its input");
	if (fuzz_utf8_valid(s, len))
		FUZZ_CHECK(fuzz_json_valid(lit, litlen), "not JSON: %s", lit);
	/* a kept name needs no escaping: it goes out as it came */
	if (clean)
		FUZZ_CHECK(litlen == len + 2 && !memcmp(lit + 1, s, len), "kept name escaped");

	free(dec);
	free(lit);
	free(s);
	return 0;
}
