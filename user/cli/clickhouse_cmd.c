// SPDX-License-Identifier: GPL-2.0
/*
 * xhop clickhouse-schema prints ch_schema.c's DDL; xhop clickhouse-replay
 * runs a spool file through the same delivery as xhop scan's sink. This
 * file only wires them.
 */
#include <stdio.h>
#include <stdlib.h>
#include "cli/clickhouse_cmd.h"
#include "core/log.h"
#include "core/signals.h"
#include "core/units.h"
#include "sink/ch_deliver.h"
#include "sink/ch_http.h"
#include "sink/ch_schema.h"

#define WHO "xhop clickhouse-replay"

int ch_schema_main(const struct ch_schema_opts *o)
{
	char *ddl[CH_DDL_MAX];
	int n = ch_schema_ddl(o->table, o->cluster, ddl, CH_DDL_MAX);

	if (n < 0) {
		log_err("xhop clickhouse-schema: out of memory\n");
		return EXIT_RUNTIME;
	}
	for (int i = 0; i < n; i++) {
		printf("%s;\n", ddl[i]);
		free(ddl[i]);
	}
	return fflush(stdout) ? EXIT_RUNTIME : EXIT_OK;
}

int ch_replay_main(const struct ch_replay_opts *o)
{
	struct ch_delivery_cfg dc = {
		.who = WHO, .spool_path = o->file, .mem_limit = 0,
		.backoff_min_ns = NS_PER_S / 5, .backoff_max_ns = 5 * NS_PER_S,
	};
	struct ch_delivery *d = calloc(1, sizeof(*d));
	struct ch_http *h = NULL;
	__u64 rows, batches;
	char table[256], why[256];
	int r, rc = EXIT_RUNTIME;

	if (!d) {
		log_err(WHO ": out of memory\n");
		return EXIT_RUNTIME;
	}
	if (ch_spool_check(o->file, table, sizeof(table), &rows, &batches))
		goto out;
	dc.table = table;
	h = ch_http_new(WHO, o->url, table, &d->abort);
	if (!h)
		goto out;
	r = ch_http_transport(h).ops->setup(h, why, sizeof(why));
	if (r == CH_REFUSED) {
		log_err(WHO ": --clickhouse: %s\n", why);
		goto out;
	}
	if (ch_delivery_init(d, &dc, ch_http_transport(h)))
		goto out;
	if (ch_delivery_replay(d, o->file, rows) || ch_delivery_start(d, r == CH_OK)) {
		ch_delivery_free(d);
		goto out;
	}
	r = ch_delivery_finish(d, (__u64)(o->wait_s * NS_PER_S), &xhop_stop);
	printf("%s: %llu rows in %llu batches for %s: %llu delivered (%llu batches there "
	       "already), %llu not\n", o->file, (unsigned long long)rows,
	       (unsigned long long)batches, table, (unsigned long long)d->st.rows_written,
	       (unsigned long long)d->st.batches_present, (unsigned long long)d->st.rows_spooled);
	if (r)
		log_err(WHO ": %s: %llu rows not delivered; the file is kept as it was\n", o->file,
			(unsigned long long)d->st.rows_spooled);
	rc = r ? EXIT_RUNTIME : EXIT_OK;
	ch_delivery_free(d);
out:
	ch_http_free(h);
	free(d);
	return rc;
}
