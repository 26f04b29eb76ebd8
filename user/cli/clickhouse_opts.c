// SPDX-License-Identifier: GPL-2.0
/* The options of xhop clickhouse-schema and clickhouse-replay, as tables */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "cli/clickhouse_cmd.h"
#include "sink/ch_http.h"
#include "sink/ch_schema.h"

int cli_parse_ch_url(void *opts, const struct cli_opt *row, const char *arg)
{
	if (ch_url_ok(arg)) {
		fprintf(stderr, "xhop: --%s: '%s' is not an http:// or https:// URL\n", row->name,
			arg);
		return -1;
	}
	*(const char **)((char *)opts + row->off) = arg;
	return 0;
}

int cli_parse_ch_table(void *opts, const struct cli_opt *row, const char *arg)
{
	char db[128], tbl[128];

	if (ch_split_name(arg, db, tbl, sizeof(db))) {
		fprintf(stderr, "xhop: --%s: '%s' is not DB.TABLE (letters, digits, _)\n",
			row->name, arg);
		return -1;
	}
	*(const char **)((char *)opts + row->off) = arg;
	return 0;
}

/* A cluster's name as remote_servers has it: an identifier */
static int parse_cluster(void *opts, const struct cli_opt *row, const char *arg)
{
	char db[128], tbl[128], both[300];

	snprintf(both, sizeof(both), "%s.x", arg);
	if (ch_split_name(both, db, tbl, sizeof(db))) {
		fprintf(stderr, "xhop: --%s: '%s' is not a cluster name (letters, digits, _)\n",
			row->name, arg);
		return -1;
	}
	*(const char **)((char *)opts + row->off) = arg;
	return 0;
}

#define SOPT(name, type, field, ...) CLI_OPT(name, type, struct ch_schema_opts, field, __VA_ARGS__)
#define ROPT(name, type, field, ...) CLI_OPT(name, type, struct ch_replay_opts, field, __VA_ARGS__)

static const struct cli_opt schema_rows[] = {
	SOPT("cluster", CLI_CUSTOM, cluster, .parse = parse_cluster, .arg = "NAME",
	     .help = "Distributed tables over NAME's shards (MergeTree tables *_local)"),
	SOPT("table", CLI_CUSTOM, table, .parse = cli_parse_ch_table, .arg = "DB.TABLE",
	     .help = "the replies table (default xhop.replies; + DB.TABLE_targets)"),
	CLI_HELP_OPT,
};

static const struct cli_cmd schema_cmd = {
	.name = "xhop clickhouse-schema",
	.usage = "Usage: xhop clickhouse-schema [--cluster NAME] [--table DB.TABLE]\n"
		 "Print the DDL of xhop's ClickHouse tables, to run on every node of a\n"
		 "cluster (no ON CLUSTER: that needs ZooKeeper). A single node needs none:\n"
		 "xhop scan --clickhouse creates the tables it lacks.\n\nOptions:\n",
	.epilog = "\nExit status: 0, 2 usage error.\n",
	.opts = schema_rows,
	.n_opts = ARRAY_SIZE(schema_rows),
};

static const struct cli_opt replay_rows[] = {
	ROPT("clickhouse", CLI_CUSTOM, url, .parse = cli_parse_ch_url, .arg = "URL",
	     .help = "the node to deliver to (default http://localhost:8123)"),
	ROPT("clickhouse-wait", CLI_DOUBLE, wait_s, .min = 0, .max = 86400, .arg = "SECONDS",
	     .help = "give up after this long (default 30)"),
	CLI_HELP_OPT,
};

static const struct cli_cmd replay_cmd = {
	.name = "xhop clickhouse-replay",
	.usage = "Usage: xhop clickhouse-replay FILE [--clickhouse URL]\n"
		 "Deliver the rows of a spool file that xhop scan --clickhouse left, into the\n"
		 "table it names. Every batch is looked up first: a batch that is there\n"
		 "already is not sent again, so a spool can be replayed twice safely.\n\n"
		 "Options:\n",
	.epilog = "\nExit status: 0 all delivered, 1 some not (the file is kept), 2 usage error.\n",
	.opts = replay_rows,
	.n_opts = ARRAY_SIZE(replay_rows),
	.mixed = 1,
};

int cli_parse_ch_schema(int argc, char **argv, struct ch_schema_opts *o)
{
	int rc;

	*o = (struct ch_schema_opts){ .table = "xhop.replies" };
	rc = cli_parse(&schema_cmd, argc, argv, o);
	if (rc >= 0)
		return rc;
	if (optind < argc) {
		fprintf(stderr, "xhop clickhouse-schema: unexpected '%s'\n"
				"Try 'xhop clickhouse-schema --help'.\n", argv[optind]);
		return EXIT_USAGE;
	}
	return -1;
}

int cli_parse_ch_replay(int argc, char **argv, struct ch_replay_opts *o)
{
	int rc;

	*o = (struct ch_replay_opts){ .url = "http://localhost:8123", .wait_s = 30 };
	rc = cli_parse(&replay_cmd, argc, argv, o);
	if (rc >= 0)
		return rc;
	if (argc - optind != 1) {
		fprintf(stderr, "xhop clickhouse-replay: %s\nTry 'xhop clickhouse-replay --help'.\n",
			optind < argc ? "one spool FILE only" : "no spool FILE given");
		return EXIT_USAGE;
	}
	o->file = argv[optind];
	return -1;
}
