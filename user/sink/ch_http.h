/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ClickHouse transport: its HTTP interface through libcurl. setup
 * checks that the URL is a ClickHouse, finds where a batch goes (DB.TABLE
 * itself, or DB.TABLE_local under a Distributed DB.TABLE: the node's own
 * shard, so one insert and one count see the same rows), creates the
 * tables on a single node that lacks them and refuses tables whose
 * columns are not xhop's. Inserts are TabSeparated with the batch's id as
 * query_id: while a first send still runs on the server, a second is
 * refused instead of doubling the rows.
 */
#ifndef XHOP_CH_HTTP_H
#define XHOP_CH_HTTP_H

#include "sink/ch_deliver.h"

struct ch_http;

/* url: http(s)://HOST:PORT; table: DB.TABLE; abort: nonzero makes a
 * transfer give up (the delivery's flag). NULL: reported.
 */
struct ch_http *ch_http_new(const char *who, const char *url, const char *table, int *abort);
void ch_http_free(struct ch_http *h);
struct ch_transport ch_http_transport(struct ch_http *h);

/* A URL xhop can use: http:// or https://; 0, or -1 */
int ch_url_ok(const char *url);

#endif
