/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xhop clickhouse-schema (the DDL for every node) and xhop
 * clickhouse-replay (a spool file into ClickHouse), and the option
 * parsers they share with xhop scan's --clickhouse rows.
 */
#ifndef XHOP_CLICKHOUSE_CMD_H
#define XHOP_CLICKHOUSE_CMD_H

#include "cli/parse.h"

/* --clickhouse URL: http:// or https:// */
cli_parse_fn cli_parse_ch_url;
/* --clickhouse-table, --table: DB.TABLE */
cli_parse_fn cli_parse_ch_table;

struct ch_schema_opts {
	const char *cluster; /* --cluster NAME; NULL: single node */
	const char *table;   /* --table DB.TABLE */
};

struct ch_replay_opts {
	const char *file;
	const char *url;     /* --clickhouse URL */
	double wait_s;	     /* --clickhouse-wait */
};

/* -1: run; else the exit code (help: 0, usage: 2) */
int cli_parse_ch_schema(int argc, char **argv, struct ch_schema_opts *o);
int cli_parse_ch_replay(int argc, char **argv, struct ch_replay_opts *o);
/* The exit code: 0, or 1 (reported) */
int ch_schema_main(const struct ch_schema_opts *o);
int ch_replay_main(const struct ch_replay_opts *o);

#endif
