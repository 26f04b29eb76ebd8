/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xhop scan --clickhouse: the sink. It reads finished traces only, as the
 * JSON sink does, turns each into rows (ch_rows.c) in the open batch of
 * its table, and seals a batch at a row count or an age; sealed batches
 * go to the delivery thread (ch_deliver.c), which alone talks to
 * ClickHouse. Nothing here waits on the database until close, which
 * gives the thread --clickhouse-wait to finish.
 */
#ifndef XHOP_CLICKHOUSE_H
#define XHOP_CLICKHOUSE_H

#include <stdio.h>
#include <linux/types.h>
#include "core/sink.h"
#include "sink/ch_deliver.h"
#include "sink/ch_rows.h"
#include "sink/ch_schema.h"

struct ch_http;

struct ch_sink_cfg {
	const char *url;
	const char *table;	   /* DB.TABLE */
	const char *measurement;
	const char *vantage;
	const char *spool_path;	   /* NULL: xhop-clickhouse-MEASUREMENT.spool */
	double wait_s;		   /* --clickhouse-wait */
	__u32 batch_rows;	   /* seal a batch at this many rows */
	__u64 batch_ns;		   /* ... or when its first row is this old */
	size_t mem_limit;	   /* bytes of rows in memory before spooling */
};

struct ch_open_batch {
	struct ch_batch *b;
	FILE *f;	/* writes into b->body */
	__u64 first_ns;
};

struct ch_sink {
	struct ch_sink_cfg cfg;
	struct ch_ident id;
	struct ch_http *http;
	struct ch_delivery d;
	int d_init;
	struct ch_open_batch open[CH_TABLES];
	char spool[4096];
	int oom;
};

/*
 * Check the node (a ClickHouse, tables right or created) before anything
 * is probed, then start delivery. A node that cannot be reached now is
 * only a warning: rows wait for it. 0, or -1 (reported: not ClickHouse,
 * a table that is not xhop's, out of memory).
 */
int ch_sink_open(struct ch_sink *c, const struct ch_sink_cfg *cfg, struct sink *out);
/* Without a run (the outputs failed first): stop, write nothing */
void ch_sink_abandon(struct ch_sink *c);
const struct ch_stats *ch_sink_stats(const struct ch_sink *c);

/* The defaults: a measurement name (time and randomness), the host's name */
void ch_default_measurement(char *buf, size_t len);
void ch_default_vantage(char *buf, size_t len);

#endif
