// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <maxminddb.h>
#include "core/log.h"
#include "net/asn_db.h"
#include "net/asn_txt.h"
#include "net/lines.h"
#include "net/prefix_table.h"

/* Prefixes a CAIDA file may hold: routeviews' IPv4 file has about a
 * million; the line reader's bounds follow from this (net/lines.h)
 */
#define CAIDA_PREFIXES_MAX (1u << 24)
/* The MaxMind DB spec puts its metadata after this marker, within the
 * last 128 KiB of the file
 */
static const char mmdb_marker[] = "\xab\xcd\xefMaxMind.com";
#define MMDB_TAIL (128 * 1024)

struct asn_db {
	struct prefix_table tab; /* CAIDA */
	MMDB_s mmdb;
	int is_mmdb;
};

static int bad_line(const struct line_reader *r, const char *why, const char *what)
{
	if (what)
		line_error(r, "%s '%s'", why, what);
	else
		line_error(r, "%s", why);
	return -EINVAL;
}

/* "a_b,c": every number, in order; the first ASN_ORIGINS_MAX kept */
static int parse_origins(char *s, struct asn_ann *out)
{
	struct asn_ann a = { 0 };
	char *p = s;

	for (;;) {
		size_t len = strcspn(p, "_,");
		__u32 v;

		if (asn_parse_number(p, len, &v))
			return -EINVAL;
		if (a.n < ASN_ORIGINS_MAX)
			a.asn[a.n++] = v;
		if (!p[len])
			break;
		p += len + 1;
	}
	*out = a;
	return 0;
}

static int parse_line(char *line, const struct line_reader *r, struct prefix_table *t)
{
	char *fields[4], *save = NULL, *tok;
	struct in6_addr net;
	struct in_addr a4;
	struct asn_ann origin;
	int nf = 0, len, err;
	long l;
	char *end;

	for (tok = strtok_r(line, "\t ", &save); tok; tok = strtok_r(NULL, "\t ", &save)) {
		if (nf == 3)
			return bad_line(r, "more than 3 fields (prefix, length, AS)", NULL);
		fields[nf++] = tok;
	}
	if (nf != 3)
		return bad_line(r, "expected 3 fields (prefix, length, AS)", NULL);
	errno = 0;
	l = strtol(fields[1], &end, 10);
	if (errno || *end || end == fields[1] || l < 0)
		return bad_line(r, "bad prefix length", fields[1]);
	if (inet_pton(AF_INET, fields[0], &a4) == 1) {
		if (l > 32)
			return bad_line(r, "IPv4 prefix length over 32", fields[1]);
		memset(&net, 0, sizeof(net));
		net.s6_addr[10] = net.s6_addr[11] = 0xff;
		memcpy(&net.s6_addr[12], &a4, 4);
		len = 96 + (int)l;
	} else if (inet_pton(AF_INET6, fields[0], &net) == 1) {
		if (l > 128)
			return bad_line(r, "IPv6 prefix length over 128", fields[1]);
		len = (int)l;
	} else {
		return bad_line(r, "not an IPv4 or IPv6 address", fields[0]);
	}
	if (parse_origins(fields[2], &origin))
		return bad_line(r, "bad AS number list", fields[2]);
	err = prefix_table_add(t, &net, len, &origin);
	if (err == -EINVAL)
		return bad_line(r, "host bits set beyond the prefix length", fields[0]);
	if (err)
		line_error(r, "%s", strerror(-err));
	return err;
}

int asn_caida_read(FILE *f, const char *name, struct prefix_table *t)
{
	struct line_bounds b = line_bounds_for(CAIDA_PREFIXES_MAX, "a CAIDA file's bound");
	struct line_reader *r;
	char *line;
	int err;

	/* 66 KiB: on the heap, the caller may be deep in a test's stack */
	r = malloc(sizeof(*r));
	if (!r) {
		log_err("xhop: read %s: %s\n", name, strerror(ENOMEM));
		return -ENOMEM;
	}
	line_reader_init(r, f, name, &b);
	while ((err = line_next(r, &line)) > 0) {
		if (t->n >= CAIDA_PREFIXES_MAX) {
			err = line_too_many(r, "prefixes");
			break;
		}
		err = parse_line(line, r, t);
		if (err)
			break;
	}
	free(r);
	return err < 0 ? err : 0;
}

/* 1 when f ends with a MaxMind DB's metadata */
static int has_mmdb_marker(FILE *f)
{
	char *buf;
	long size;
	size_t got;
	int found = 0;

	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0)
		return 0;
	if (size > MMDB_TAIL && fseek(f, size - MMDB_TAIL, SEEK_SET))
		return 0;
	if (size <= MMDB_TAIL)
		rewind(f);
	buf = malloc(MMDB_TAIL);
	if (!buf)
		return 0;
	got = fread(buf, 1, MMDB_TAIL, f);
	found = memmem(buf, got, mmdb_marker, sizeof(mmdb_marker) - 1) != NULL;
	free(buf);
	rewind(f);
	return found;
}

static int open_mmdb(struct asn_db *db, const char *path)
{
	int status = MMDB_open(path, MMDB_MODE_MMAP, &db->mmdb);

	if (status != MMDB_SUCCESS) {
		log_err("xhop: %s: not a valid MaxMind DB: %s\n", path, MMDB_strerror(status));
		return status == MMDB_IO_ERROR ? -EIO : -EINVAL;
	}
	db->is_mmdb = 1;
	return 0;
}

struct asn_db *asn_db_open(const char *path)
{
	struct asn_db *db;
	FILE *f;
	int err;

	db = calloc(1, sizeof(*db));
	if (!db) {
		err = -ENOMEM;
		log_err("xhop: load %s: %s\n", path, strerror(-err));
		goto err_out;
	}
	prefix_table_init(&db->tab);
	f = fopen(path, "r");
	if (!f) {
		err = -errno;
		log_err("xhop: open %s: %s\n", path, strerror(-err));
		goto err_free;
	}
	if (has_mmdb_marker(f)) {
		fclose(f);
		err = open_mmdb(db, path);
		if (err)
			goto err_free;
		return db;
	}
	err = asn_caida_read(f, path, &db->tab);
	fclose(f);
	if (err)
		goto err_free;
	if (!db->tab.n) {
		err = -EINVAL;
		log_err("xhop: %s: no prefixes (neither a CAIDA prefix-to-AS file nor a MaxMind DB)\n",
			path);
		goto err_free;
	}
	prefix_table_finish(&db->tab);
	return db;

err_free:
	prefix_table_free(&db->tab);
	free(db);
err_out:
	errno = -err;
	return NULL;
}

void asn_db_free(struct asn_db *db)
{
	if (!db)
		return;
	if (db->is_mmdb)
		MMDB_close(&db->mmdb);
	prefix_table_free(&db->tab);
	free(db);
}

static int mmdb_lookup(const struct asn_db *db, const struct in6_addr *addr,
		       struct asn_ann *out)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
	const struct sockaddr *sa;
	MMDB_lookup_result_s res;
	MMDB_entry_data_s d;
	__u64 v;
	int mmerr;

	if (IN6_IS_ADDR_V4MAPPED(addr)) {
		memcpy(&sin.sin_addr, &addr->s6_addr[12], 4);
		sa = (const struct sockaddr *)&sin;
	} else {
		sin6.sin6_addr = *addr;
		sa = (const struct sockaddr *)&sin6;
	}
	res = MMDB_lookup_sockaddr(&db->mmdb, sa, &mmerr);
	if (mmerr != MMDB_SUCCESS || !res.found_entry)
		return 0; /* an IPv6 address in an IPv4-only database: none */
	if (MMDB_get_value(&res.entry, &d, "autonomous_system_number", NULL) != MMDB_SUCCESS ||
	    !d.has_data)
		return 0;
	switch (d.type) {
	case MMDB_DATA_TYPE_UINT16:
		v = d.uint16;
		break;
	case MMDB_DATA_TYPE_UINT32:
		v = d.uint32;
		break;
	case MMDB_DATA_TYPE_UINT64:
		v = d.uint64;
		break;
	case MMDB_DATA_TYPE_INT32:
		v = d.int32 < 0 ? 0 : (__u64)d.int32;
		break;
	default:
		return 0;
	}
	if (v == 0 || v > 0xffffffffULL)
		return 0;
	*out = (struct asn_ann){ .asn = { (__u32)v }, .n = 1 };
	return 1;
}

int asn_db_lookup(const struct asn_db *db, const struct in6_addr *addr, struct asn_ann *out)
{
	const struct prefix_entry *e;

	if (!db || !addr)
		return 0;
	if (db->is_mmdb)
		return mmdb_lookup(db, addr, out);
	e = prefix_table_lookup(&db->tab, addr);
	if (!e)
		return 0;
	*out = e->origin;
	return 1;
}
