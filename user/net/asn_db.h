/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --asn-db FILE: origin ASes offline, from CAIDA's prefix-to-AS file
 * (routeviews-rv2-*.pfx2as: "prefix<TAB>length<TAB>asn", multi-origin
 * "a_b", AS sets "a,b") or a MaxMind DB (.mmdb, GeoLite2-ASN's
 * autonomous_system_number), longest-prefix match either way.
 */
#ifndef XHOP_ASN_DB_H
#define XHOP_ASN_DB_H

#include <stdio.h>
#include <netinet/in.h>
#include "core/record.h"

struct asn_db;
struct prefix_table;

/*
 * Open path: a MaxMind DB when it carries the format's metadata marker,
 * else a CAIDA file. NULL on failure, reported as "xhop: FILE:LINE:
 * reason"; errno EINVAL when the file is malformed (a usage error, exit
 * 2), else why it could not be read.
 */
struct asn_db *asn_db_open(const char *path);
void asn_db_free(struct asn_db *db);
/* 1 with *out filled when a prefix holds addr, else 0 */
int asn_db_lookup(const struct asn_db *db, const struct in6_addr *addr, struct asn_ann *out);

/*
 * CAIDA's lines from f into t (not finished: prefix_table_finish()),
 * through the bounded line reader of net/lines.h: blank lines and '#'
 * comments skipped, a NUL byte or a line over LINE_LEN_MAX refused.
 * 0, -EINVAL (a bad line, reported as "xhop: NAME:LINE: reason"),
 * -ENOMEM or -errno (a read error).
 */
int asn_caida_read(FILE *f, const char *name, struct prefix_table *t);

#endif
