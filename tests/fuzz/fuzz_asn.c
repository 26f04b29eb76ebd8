// SPDX-License-Identifier: GPL-2.0
/*
 * What an origin AS source may hand xhop: a TXT answer (whoever runs the
 * DNS server writes it) and a prefix-to-AS file. Odd first byte: the
 * rest is a TXT string for asn_txt_parse(); even: a CAIDA file for
 * asn_caida_read(). Either is refused or gives origins in 1..2^32-1; a
 * file read whole gives a table whose every entry has no host bits and
 * is found by its own network, at least as long a match as itself.
 */
#include <errno.h>
#include "net/asn_txt.h"
#include "net/asn_db.h"
#include "net/prefix_table.h"
#include "fuzz.h"

static void check_origins(const struct asn_ann *a)
{
	FUZZ_CHECK(a->n >= 1 && a->n <= ASN_ORIGINS_MAX, "%d origins", a->n);
	for (int i = 0; i < a->n; i++)
		FUZZ_CHECK(a->asn[i] != 0, "AS 0 at %d", i);
}

static void fuzz_txt(const uint8_t *data, size_t size)
{
	char *s = fuzz_strndup(data, size);
	struct asn_ann a = { .n = 99 };
	int err = asn_txt_parse(s, size, &a);

	FUZZ_CHECK(err == 0 || err == -EINVAL, "err %d", err);
	if (!err)
		check_origins(&a);
	else
		FUZZ_CHECK(a.n == 99, "output written on error");
	FUZZ_CHECK(err || memchr(s, '|', size), "parsed without a field separator");
	free(s);
}

static void fuzz_caida(const uint8_t *data, size_t size)
{
	struct prefix_table t;
	struct fuzz_stdio io;
	FILE *f;
	int err;

	f = fmemopen((void *)data, size, "r");
	if (!f)
		return; /* size 0 */
	prefix_table_init(&t);
	fuzz_quiet(&io);
	err = asn_caida_read(f, "fuzz", &t);
	fuzz_loud(&io);
	fclose(f);
	FUZZ_CHECK(err == 0 || err == -EINVAL || err == -ENOMEM, "err %d", err);
	if (!err) {
		prefix_table_finish(&t);
		for (size_t i = 0; i < t.n; i++) {
			const struct prefix_entry *e = &t.e[i], *m;
			struct in6_addr masked;

			FUZZ_CHECK(e->len <= 128, "length %u", e->len);
			prefix_mask(&masked, &e->net, e->len);
			FUZZ_CHECK(!memcmp(&masked, &e->net, sizeof(masked)), "host bits kept");
			if (IN6_IS_ADDR_V4MAPPED(&e->net))
				FUZZ_CHECK(e->len >= 96, "IPv4 prefix of length %u", e->len);
			check_origins(&e->origin);
			m = prefix_table_lookup(&t, &e->net);
			FUZZ_CHECK(m && m->len >= e->len, "an entry's own network not found");
		}
	}
	prefix_table_free(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	if (data[0] & 1)
		fuzz_txt(data + 1, size - 1);
	else
		fuzz_caida(data + 1, size - 1);
	return 0;
}
