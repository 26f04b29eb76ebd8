// SPDX-License-Identifier: GPL-2.0
/*
 * xhop scan's target lists: prefix_list_read() on any file, and what the
 * prefixes it keeps expand to. Input: 8 bytes of seed, a flags byte (bit
 * 0: every address; bit 1: tiny bounds for the file, from the next two
 * bytes, so that inputs of a few lines reach every bound of the line
 * reader), a le16 permutation size, then the file's text.
 * The read refuses exactly the files past a bound (a line over
 * LINE_LEN_MAX, a NUL byte, too many lines or bytes: judged byte by byte
 * here), naming the first such line or an earlier bad one, in one
 * message; it keeps at most the bound's entries. Every prefix kept has
 * zero host bits, contains its own address and prints back to itself;
 * every expanded target lies in its prefix, not in the default
 * blocklist, and none repeats; the permutation of [0, n) hits each index
 * once.
 */
#include <errno.h>
#include "net/addr.h"
#include "net/lines.h"
#include "net/targets.h"
#include "fuzz.h"

#define HDR_LEN 11
#define EXPAND_MAX 512 /* targets per prefix: bounded work per input */
#define PREFIXES_MAX 8 /* prefixes expanded per input */

static void check_prefix(const struct prefix *p)
{
	int v4 = IN6_IS_ADDR_V4MAPPED(&p->addr);
	char a[ADDR_STRLEN], text[ADDR_STRLEN + 8];
	struct prefix again;

	FUZZ_CHECK(p->len <= 128 && (!v4 || p->len >= 96), "len %u", p->len);
	FUZZ_CHECK(prefix_contains(p, &p->addr), "does not contain its own address");
	snprintf(text, sizeof(text), "%s/%d", addr_str(&p->addr, a), p->len - (v4 ? 96 : 0));
	FUZZ_CHECK(prefix_parse(text, &again) == 0, "'%s' does not parse back", text);
	FUZZ_CHECK(!memcmp(&again, p, sizeof(again)), "'%s' parses to another prefix", text);
}

static void check_expand(const struct prefix *p, int every, __u64 seed,
			 const struct prefix_list *block)
{
	struct target_set t = { 0 };
	int err = targets_expand(&t, p, every, seed, block, EXPAND_MAX);

	FUZZ_CHECK(err == 0 || err == -E2BIG, "expand: %d", err);
	FUZZ_CHECK(t.n <= EXPAND_MAX, "%zu targets", t.n);
	for (size_t i = 0; i < t.n; i++) {
		FUZZ_CHECK(prefix_contains(p, &t.v[i]), "target %zu outside its prefix", i);
		FUZZ_CHECK(!prefix_list_contains(block, &t.v[i]), "target %zu is blocked", i);
		for (size_t j = 0; j < i; j++)
			FUZZ_CHECK(memcmp(&t.v[i], &t.v[j], 16), "targets %zu and %zu equal", j, i);
	}
	target_set_free(&t);
}

static void check_permutation(__u64 n, __u64 seed)
{
	struct permutation perm;
	__u8 *seen = calloc(n + 1, 1);

	FUZZ_CHECK(seen, "calloc");
	permutation_init(&perm, n, seed);
	for (__u64 i = 0; i < n; i++) {
		__u64 x = permutation_at(&perm, i);

		FUZZ_CHECK(x < n && !seen[x], "index %llu -> %llu", (unsigned long long)i,
			   (unsigned long long)x);
		seen[x] = 1;
	}
	free(seen);
}

/* The read's verdict against the byte-by-byte model */
static void check_read(const uint8_t *text, size_t len, const struct line_bounds *b, int err,
		       const char *msg, size_t kept)
{
	unsigned long long bad = fuzz_first_bad_line(text, len, LINE_LEN_MAX, b->lines, b->bytes);
	unsigned long long line;
	const char *why = NULL;

	FUZZ_CHECK(err == 0 || err == -EINVAL, "read: %d", err);
	FUZZ_CHECK(kept <= b->entries, "%zu kept, bound %zu", kept, b->entries);
	FUZZ_CHECK(!bad || err == -EINVAL, "line %llu breaks a bound, read %d", bad, err);
	if (!err) {
		FUZZ_CHECK(!msg[0], "a message without an error: %s", msg);
		return;
	}
	line = fuzz_msg_line(msg, "fuzz", &why);
	FUZZ_CHECK(line >= 1, "not one 'xhop: fuzz:LINE: ...' line: '%s'", msg);
	FUZZ_CHECK(!bad || line <= bad, "line %llu reported, %llu is the first bad", line, bad);
	if (!strncmp(why, "longer than", 11) || !strncmp(why, "binary data", 11) ||
	    (!strncmp(why, "more than", 9) && (strstr(why, " lines\n") || strstr(why, " bytes\n"))))
		FUZZ_CHECK(line == bad, "'%s' at line %llu, the first bad is %llu", why, line, bad);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct line_bounds b = line_bounds_for(1 << 24, "--max-targets");
	struct prefix_list l = { 0 }, block = { 0 };
	FILE *f, *saved;
	char *msg = NULL;
	size_t msg_len;
	__u64 seed = 0;
	int err;

	if (size < HDR_LEN)
		return 0;
	memcpy(&seed, data, 8);
	check_permutation((__u64)(data[9] | data[10] << 8) % 4096, seed);
	if (data[8] & 2) {
		b.lines = 1 + data[9] % 32;
		b.bytes = 1 + (data[9] | data[10] << 8) % 2048;
		b.entries = data[10] % 16;
	}

	f = fmemopen((void *)(data + HDR_LEN), size - HDR_LEN, "r");
	if (!f) /* glibc refuses a zero-size buffer */
		return 0;
	saved = stderr; /* a bad line is reported there: keep it to judge */
	stderr = open_memstream(&msg, &msg_len);
	FUZZ_CHECK(stderr, "memstream");
	err = prefix_list_read(&l, f, "fuzz", &b);
	fclose(stderr);
	stderr = saved;
	fclose(f);
	check_read(data + HDR_LEN, size - HDR_LEN, &b, err, msg, l.n);
	free(msg);
	FUZZ_CHECK(blocklist_default(&block) == 0, "default blocklist");
	for (size_t i = 0; i < l.n; i++) {
		check_prefix(&l.v[i]);
		if (i < PREFIXES_MAX)
			check_expand(&l.v[i], data[8] & 1, seed, &block);
	}
	prefix_list_free(&block);
	prefix_list_free(&l);
	return 0;
}
