// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sink/ch_schema.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* Times are Unix ns in UInt64: 18.16 has no DateTime64, and a DateTime
 * (seconds) would round away what the kernel stamps measured
 */
/* Both tables begin alike: who measured, which batch, which probe flow */
#define COMMON_COLUMNS						\
	{ "measurement", "String" },				\
	{ "vantage", "String" },				\
	{ "batch_id", "String" },				\
	{ "probe_src", "String" },				\
	{ "probe_dst", "String" },				\
	{ "probe_method", "String" },				\
	/* ICMP: the checksum; UDP/TCP: the source port */	\
	{ "probe_flow", "UInt16" },				\
	{ "probe_dport", "UInt16" }

static const struct ch_column reply_cols[] = {
	COMMON_COLUMNS,
	{ "probe_ttl", "UInt8" },
	{ "probe_attempt", "UInt8" },
	{ "probe_size", "UInt16" },
	{ "probe_tx_ns", "UInt64" },	/* 0: the send stamp was lost */
	{ "reply_src", "String" },
	{ "reply_rx_ns", "UInt64" },
	{ "reply_icmp_type", "UInt8" },
	{ "reply_icmp_code", "UInt8" },
	{ "reply_tcp_flags", "UInt8" },
	{ "reply_ttl", "UInt8" },
	{ "reply_tos", "UInt8" },
	{ "reply_size", "UInt16" },
	{ "reply_mpls_labels", "Array(UInt32)" },
	{ "rtt", "Float64" },		/* ms; -1: no send stamp */
};

static const struct ch_column target_cols[] = {
	COMMON_COLUMNS,
	{ "start_ns", "UInt64" },
	{ "stop_reason", "String" },
	{ "stop_data", "Int32" },
	{ "hop_count", "UInt8" },
	{ "replies", "UInt16" },
	{ "probe_count", "UInt64" },
};

/* Sorting keys: a measurement and vantage point's rows together */
static const char *const order_by[CH_TABLES] = {
	"(measurement, vantage, probe_dst, probe_ttl)",
	"(measurement, vantage, probe_dst)",
};

const struct ch_column *ch_columns(int table, size_t *n)
{
	if (table == CH_TARGETS) {
		*n = ARRAY_SIZE(target_cols);
		return target_cols;
	}
	*n = ARRAY_SIZE(reply_cols);
	return reply_cols;
}

static const char *const kind_names[CH_TABLES] = { "replies", "targets" };

const char *ch_table_kind_name(int table)
{
	return kind_names[table == CH_TARGETS];
}

int ch_table_kind_of(const char *name)
{
	for (int i = 0; i < CH_TABLES; i++)
		if (!strcmp(name, kind_names[i]))
			return i;
	return -1;
}

static int ident_ok(const char *s, size_t n)
{
	if (!n || (s[0] >= '0' && s[0] <= '9'))
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9')))
			return 0;
	}
	return 1;
}

int ch_split_name(const char *full, char *db, char *tbl, size_t len)
{
	const char *dot = strchr(full, '.');
	size_t ndb, ntbl;

	if (!dot)
		return -1;
	ndb = (size_t)(dot - full);
	ntbl = strlen(dot + 1);
	/* room for "_targets_local" after the table */
	if (!ident_ok(full, ndb) || !ident_ok(dot + 1, ntbl) || ndb >= len || ntbl + 15 >= len)
		return -1;
	memcpy(db, full, ndb);
	db[ndb] = 0;
	memcpy(tbl, dot + 1, ntbl + 1);
	return 0;
}

void ch_table_name(char *buf, size_t len, const char *full, int table, int local)
{
	snprintf(buf, len, "%s%s%s", full, table == CH_TARGETS ? "_targets" : "",
		 local ? "_local" : "");
}

static char *columns_ddl(int table)
{
	size_t n, len = 0;
	const struct ch_column *c = ch_columns(table, &n);
	char *s = NULL;
	FILE *f = open_memstream(&s, &len);

	if (!f)
		return NULL;
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s\n    %s %s", i ? "," : "(", c[i].name, c[i].type);
	fputs("\n)", f);
	if (fclose(f)) {
		free(s);
		return NULL;
	}
	return s;
}

int ch_schema_ddl(const char *full, const char *cluster, char **out, int max)
{
	char db[128], tbl[128], name[300], local[300];
	int n = 0;

	if (ch_split_name(full, db, tbl, sizeof(db)) || max < 1 + 2 * CH_TABLES)
		return -1;
	if (asprintf(&out[n++], "CREATE DATABASE IF NOT EXISTS %s", db) < 0)
		goto err;
	for (int t = 0; t < CH_TABLES; t++) {
		char *cols = columns_ddl(t);
		int r;

		if (!cols)
			goto err;
		ch_table_name(name, sizeof(name), full, t, 0);
		ch_table_name(local, sizeof(local), full, t, 1);
		/* PARTITION BY tuple(): one partition; measurements are rows */
		r = asprintf(&out[n], "CREATE TABLE IF NOT EXISTS %s\n%s\nENGINE = MergeTree()\n"
				      "PARTITION BY tuple()\nORDER BY %s",
			     cluster ? local : name, cols, order_by[t]);
		free(cols);
		if (r < 0)
			goto err;
		n++;
		if (!cluster)
			continue;
		/* a batch's rows on one shard: its one insert, its one count */
		if (asprintf(&out[n++], "CREATE TABLE IF NOT EXISTS %s AS %s\n"
					"ENGINE = Distributed(%s, %s, %s, cityHash64(batch_id))",
			     name, local, cluster, db, strchr(local, '.') + 1) < 0)
			goto err;
	}
	return n;
err:
	while (n > 0)
		free(out[--n]);
	return -1;
}

int ch_columns_check(int table, const char *tsv, char *why, size_t len)
{
	size_t n, seen = 0;
	const struct ch_column *c = ch_columns(table, &n);
	const char *line = tsv;

	while (*line) {
		const char *tab = strchr(line, '\t'), *nl = strchr(line, '\n');
		size_t i;

		if (!nl)
			nl = line + strlen(line);
		if (!tab || tab > nl) {
			snprintf(why, len, "unreadable column list");
			return -1;
		}
		for (i = 0; i < n; i++)
			if (strlen(c[i].name) == (size_t)(tab - line) &&
			    !strncmp(c[i].name, line, (size_t)(tab - line)))
				break;
		if (i == n) {
			snprintf(why, len, "it has a column %.*s that xhop does not write",
				 (int)(tab - line), line);
			return -1;
		}
		if (strlen(c[i].type) != (size_t)(nl - tab - 1) ||
		    strncmp(c[i].type, tab + 1, (size_t)(nl - tab - 1))) {
			snprintf(why, len, "its column %s is %.*s, not %s", c[i].name,
				 (int)(nl - tab - 1), tab + 1, c[i].type);
			return -1;
		}
		seen++;
		line = *nl ? nl + 1 : nl;
	}
	if (seen != n) {
		snprintf(why, len, "it has %zu of xhop's %zu columns", seen, n);
		return -1;
	}
	return 0;
}
