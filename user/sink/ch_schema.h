/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xhop's ClickHouse tables, once: the columns of the replies table and of
 * its _targets twin, as the rows (ch_rows.c) write them, the DDL that
 * `xhop clickhouse-schema` prints and a single node gets when its tables
 * are missing, and the check that a table's columns are exactly these.
 * Only types ClickHouse 18.16 (Debian 12) has: no LowCardinality, codecs,
 * DateTime64 or IPv6 columns, so the same DDL serves current versions.
 */
#ifndef XHOP_CH_SCHEMA_H
#define XHOP_CH_SCHEMA_H

#include <stddef.h>

enum ch_table {
	CH_REPLIES = 0,	 /* DB.TABLE: one row per answer in the JSON output */
	CH_TARGETS,	 /* DB.TABLE_targets: one row per finished target */
	CH_TABLES,
};

struct ch_column {
	const char *name;
	const char *type;
};

/* The columns of a table kind, in the order rows write them */
const struct ch_column *ch_columns(int table, size_t *n);
/* "replies", "targets": the kind's name in spool headers */
const char *ch_table_kind_name(int table);
int ch_table_kind_of(const char *name);

/* DB and TABLE of "DB.TABLE", into db and tbl (each at least len bytes);
 * 0, or -1 when the name is not two identifiers [A-Za-z_][A-Za-z0-9_]*
 */
int ch_split_name(const char *full, char *db, char *tbl, size_t len);

/* The table a kind lives in: "DB.TABLE" or "DB.TABLE_targets", with
 * "_local" after it when local (the MergeTree under a Distributed table)
 */
void ch_table_name(char *buf, size_t len, const char *full, int table, int local);

/*
 * The DDL for full ("DB.TABLE"): statements without their ';', each as
 * its own malloc'ed string in out[] (at most max). cluster NULL: MergeTree
 * tables; else Distributed tables over MergeTree ones named with a
 * "_local" suffix, a batch kept on one shard (sharding key: batch_id).
 * The number of statements, or -1 (out of memory).
 */
int ch_schema_ddl(const char *full, const char *cluster, char **out, int max);

#define CH_DDL_MAX 8

/*
 * Compare a table's columns (TSV lines "name\ttype\n", as
 * system.columns gives them) with those of kind table. 0 when they are
 * the same set with the same types; else -1, and why (the first
 * difference) in why.
 */
int ch_columns_check(int table, const char *tsv, char *why, size_t len);

#endif
