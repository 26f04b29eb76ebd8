// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <curl/curl.h>
#include "core/log.h"
#include "sink/ch_http.h"
#include "sink/ch_schema.h"

#define CONNECT_TIMEOUT_MS 3000L
#define TRANSFER_TIMEOUT_MS 30000L
/* What is kept of an answer: numbers, names, an error's first lines */
#define RESP_MAX (64 * 1024)

struct ch_http {
	CURL *curl;
	const char *who;
	char *url;
	char table[256];
	char db[128], tbl[128];
	char target[CH_TABLES][300];
	int *abort;
	char resp[RESP_MAX + 1];
	size_t resp_len;
	int clickhouse; /* the answer carried ClickHouse's X-ClickHouse-* headers */
	int met;	/* some answer did: a later one without them is no verdict */
};

int ch_url_ok(const char *url)
{
	return strncmp(url, "http://", 7) && strncmp(url, "https://", 8) ? -1 : 0;
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct ch_http *h = arg;
	size_t len = size * n, room = RESP_MAX - h->resp_len;

	memcpy(h->resp + h->resp_len, p, len < room ? len : room);
	h->resp_len += len < room ? len : room;
	h->resp[h->resp_len] = 0;
	return len;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	struct ch_http *h = arg;
	size_t len = size * n;

	if (len > 13 && !strncasecmp(p, "X-ClickHouse-", 13))
		h->clickhouse = 1;
	return len;
}

static int on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	struct ch_http *h = arg;

	(void)dt, (void)dn, (void)ut, (void)un;
	return h->abort && __atomic_load_n(h->abort, __ATOMIC_ACQUIRE);
}

struct ch_http *ch_http_new(const char *who, const char *url, const char *table, int *abort)
{
	static int global_done;
	struct ch_http *h;
	size_t n;

	if (!global_done && curl_global_init(CURL_GLOBAL_DEFAULT)) {
		log_err("%s: libcurl cannot start\n", who);
		return NULL;
	}
	global_done = 1;
	h = calloc(1, sizeof(*h));
	if (!h || !(h->url = strdup(url)) || !(h->curl = curl_easy_init())) {
		log_err("%s: out of memory\n", who);
		goto err;
	}
	n = strlen(h->url);
	while (n && h->url[n - 1] == '/') /* "http://h:8123/" and without: the same */
		h->url[--n] = 0;
	h->who = who;
	h->abort = abort;
	snprintf(h->table, sizeof(h->table), "%s", table);
	if (ch_split_name(table, h->db, h->tbl, sizeof(h->db))) {
		log_err("%s: --clickhouse-table: '%s' is not DB.TABLE\n", who, table);
		goto err;
	}
	for (int t = 0; t < CH_TABLES; t++)
		ch_table_name(h->target[t], sizeof(h->target[t]), table, t, 0);
	curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, h);
	curl_easy_setopt(h->curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h->curl, CURLOPT_HEADERDATA, h);
	curl_easy_setopt(h->curl, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h->curl, CURLOPT_XFERINFODATA, h);
	curl_easy_setopt(h->curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h->curl, CURLOPT_NOSIGNAL, 1L); /* a thread of its own */
	curl_easy_setopt(h->curl, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MS);
	curl_easy_setopt(h->curl, CURLOPT_TIMEOUT_MS, TRANSFER_TIMEOUT_MS);
	curl_easy_setopt(h->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	return h;
err:
	ch_http_free(h);
	return NULL;
}

void ch_http_free(struct ch_http *h)
{
	if (!h)
		return;
	if (h->curl)
		curl_easy_cleanup(h->curl);
	free(h->url);
	free(h);
}

/* The first line of an answer, for messages */
static const char *first_line(struct ch_http *h)
{
	char *nl = strchr(h->resp, '\n');

	if (nl)
		*nl = 0;
	return h->resp;
}

/*
 * POST body to the server; query (a statement the body completes, e.g.
 * "INSERT ... FORMAT TabSeparated") and query_id go in the URL. An
 * outcome; the answer in h->resp, the status in *status.
 */
static int post(struct ch_http *h, const char *query, const char *query_id, const char *body,
		size_t len, char *why, size_t wlen)
{
	char *url = NULL, *q = NULL;
	long status = 0;
	CURLcode rc;
	int r;

	h->resp_len = 0;
	h->resp[0] = 0;
	h->clickhouse = 0;
	if (query && !(q = curl_easy_escape(h->curl, query, 0)))
		goto oom;
	if (asprintf(&url, "%s/%s%s%s%s", h->url, q ? "?query=" : "", q ? q : "",
		     query_id ? (q ? "&query_id=" : "?query_id=") : "", query_id ? query_id : "") < 0) {
		url = NULL;
		goto oom;
	}
	curl_easy_setopt(h->curl, CURLOPT_URL, url);
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	rc = curl_easy_perform(h->curl);
	curl_free(q);
	free(url);
	if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
	    rc == CURLE_COULDNT_RESOLVE_PROXY) {
		snprintf(why, wlen, "%s: %s", h->url, curl_easy_strerror(rc));
		return CH_NOT_SENT;
	}
	if (rc != CURLE_OK) {
		snprintf(why, wlen, "%s: %s", h->url, curl_easy_strerror(rc));
		return CH_UNKNOWN;
	}
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
	if (!h->clickhouse && !h->met) {
		snprintf(why, wlen, "%s is not a ClickHouse HTTP interface (HTTP %ld, no "
			 "X-ClickHouse headers)", h->url, status);
		return CH_REFUSED;
	}
	if (!h->clickhouse) {
		/* it was ClickHouse: a proxy in front answering while the node restarts */
		snprintf(why, wlen, "%s: HTTP %ld, not from ClickHouse", h->url, status);
		return CH_UNKNOWN;
	}
	h->met = 1;
	if (status == 200)
		return CH_OK;
	r = CH_UNKNOWN;
	{
		/* errors no retry mends: schema, names, rights */
		static const int never[] = { 16, 27, 60, 81, 117, 192, 193, 194, 195, 497, 516 };
		const char *c = strstr(h->resp, "Code: ");
		int code = c ? atoi(c + 6) : 0;

		for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++)
			if (code == never[i])
				r = CH_REFUSED;
	}
	snprintf(why, wlen, "%s: HTTP %ld: %s", h->url, status, first_line(h));
	return r;
oom:
	curl_free(q);
	snprintf(why, wlen, "out of memory");
	return CH_UNKNOWN;
}

static int select_sql(struct ch_http *h, const char *sql, char *why, size_t wlen)
{
	return post(h, NULL, NULL, sql, strlen(sql), why, wlen);
}

/* Engines of DB.TABLE's four names (missing: "") */
static int find_tables(struct ch_http *h, char engine[4][64], char *why, size_t wlen)
{
	char names[4][160], sql[1024];
	int r;

	for (int i = 0; i < 4; i++) {
		ch_table_name(names[i], sizeof(names[i]), h->tbl, i & 1, i >> 1);
		engine[i][0] = 0;
	}
	snprintf(sql, sizeof(sql), "SELECT name, engine FROM system.tables WHERE database = '%s' "
		 "AND name IN ('%s', '%s', '%s', '%s') FORMAT TSV", h->db, names[0], names[1],
		 names[2], names[3]);
	r = select_sql(h, sql, why, wlen);
	if (r != CH_OK)
		return r;
	for (char *line = h->resp; *line;) {
		char *tab = strchr(line, '\t'), *nl = strchr(line, '\n');

		if (!tab || !nl)
			break;
		*tab = *nl = 0;
		for (int i = 0; i < 4; i++)
			if (!strcmp(line, names[i]))
				snprintf(engine[i], sizeof(engine[i]), "%s", tab + 1);
		line = nl + 1;
	}
	return CH_OK;
}

static int create_tables(struct ch_http *h, char *why, size_t wlen)
{
	char *ddl[CH_DDL_MAX];
	int n = ch_schema_ddl(h->table, NULL, ddl, CH_DDL_MAX), r = CH_OK;

	if (n < 0) {
		snprintf(why, wlen, "out of memory");
		return CH_UNKNOWN;
	}
	for (int i = 0; i < n; i++) {
		if (r == CH_OK)
			r = select_sql(h, ddl[i], why, wlen);
		free(ddl[i]);
	}
	if (r == CH_OK)
		log_notice("%s: ClickHouse: created %s and %s_targets\n", h->who, h->table,
			   h->table);
	return r;
}

static int check_columns(struct ch_http *h, int t, char *why, size_t wlen)
{
	char sql[1024], diff[200];
	const char *name = strchr(h->target[t], '.') + 1;
	int r;

	snprintf(sql, sizeof(sql), "SELECT name, type FROM system.columns WHERE database = '%s' "
		 "AND table = '%s' FORMAT TSV", h->db, name);
	r = select_sql(h, sql, why, wlen);
	if (r != CH_OK)
		return r;
	if (ch_columns_check(t, h->resp, diff, sizeof(diff))) {
		snprintf(why, wlen, "table %s is not xhop's: %s (see xhop clickhouse-schema)",
			 h->target[t], diff);
		return CH_REFUSED;
	}
	return CH_OK;
}

static int http_setup(void *st, char *why, size_t wlen)
{
	struct ch_http *h = st;
	char engine[4][64];
	int r = select_sql(h, "SELECT version()", why, wlen);

	if (r != CH_OK)
		return r;
	r = find_tables(h, engine, why, wlen);
	if (r == CH_OK && (!engine[0][0] || !engine[1][0]) && strcmp(engine[0], "Distributed")) {
		r = create_tables(h, why, wlen);
		if (r == CH_OK)
			r = find_tables(h, engine, why, wlen);
	}
	for (int t = 0; r == CH_OK && t < CH_TABLES; t++) {
		int local = !strcmp(engine[t], "Distributed");

		ch_table_name(h->target[t], sizeof(h->target[t]), h->table, t, local);
		if (!engine[t][0] || (local && !engine[2 + t][0])) {
			snprintf(why, wlen, "no table %s on %s (run what xhop clickhouse-schema "
				 "--cluster prints on every node)", h->target[t], h->url);
			return CH_REFUSED;
		}
		r = check_columns(h, t, why, wlen);
	}
	return r;
}

static int http_insert(void *st, const struct ch_batch *b, char *why, size_t wlen)
{
	struct ch_http *h = st;
	size_t n;
	const struct ch_column *c = ch_columns(b->table, &n);
	char q[1024];
	int len = snprintf(q, sizeof(q), "INSERT INTO %s (", h->target[b->table]);

	/* the columns by name, in the rows' order: a table may order them otherwise */
	for (size_t i = 0; i < n && len > 0 && (size_t)len < sizeof(q); i++)
		len += snprintf(q + len, sizeof(q) - (size_t)len, "%s%s", i ? ", " : "", c[i].name);
	if (len > 0 && (size_t)len < sizeof(q))
		snprintf(q + len, sizeof(q) - (size_t)len, ") FORMAT TabSeparated");
	return post(h, q, b->id, b->body, b->len, why, wlen);
}

static long long http_count(void *st, const struct ch_batch *b, char *why, size_t wlen)
{
	struct ch_http *h = st;
	char sql[512], *end;
	long long n;

	snprintf(sql, sizeof(sql), "SELECT count() FROM %s WHERE batch_id = '%s'",
		 h->target[b->table], b->id);
	if (select_sql(h, sql, why, wlen) != CH_OK)
		return -1;
	n = strtoll(h->resp, &end, 10);
	if (end == h->resp || (*end && *end != '\n')) {
		snprintf(why, wlen, "%s: count of batch %s: '%s'", h->url, b->id, first_line(h));
		return -1;
	}
	return n;
}

static const struct ch_transport_ops http_ops = {
	.setup = http_setup,
	.insert = http_insert,
	.count = http_count,
};

struct ch_transport ch_http_transport(struct ch_http *h)
{
	return (struct ch_transport){ .ops = &http_ops, .st = h };
}
