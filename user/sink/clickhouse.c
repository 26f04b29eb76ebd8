// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>
#include "core/log.h"
#include "core/signals.h"
#include "core/units.h"
#include "net/addr.h"
#include "sink/ch_http.h"
#include "sink/clickhouse.h"

#define WHO "xhop scan"
#define BACKOFF_MIN_NS (NS_PER_S / 5)
#define BACKOFF_MAX_NS (5 * NS_PER_S)

/* Seal the open batch of table t and hand it to the thread */
static void seal(struct ch_sink *c, int t)
{
	struct ch_open_batch *o = &c->open[t];
	struct ch_batch *b = o->b;

	if (!b)
		return;
	o->b = NULL;
	if (fclose(o->f) || !b->rows) {
		if (b->rows)
			c->oom = 1;
		ch_batch_free(b);
		return;
	}
	ch_delivery_push(&c->d, b);
}

/* The open batch of table t, a new one if none; NULL: out of memory */
static FILE *batch_of(struct ch_sink *c, int t)
{
	struct ch_open_batch *o = &c->open[t];

	if (o->b)
		return o->f;
	o->b = ch_batch_new(t);
	if (!o->b)
		return NULL;
	o->f = open_memstream(&o->b->body, &o->b->len);
	if (!o->f) {
		ch_batch_free(o->b);
		o->b = NULL;
		return NULL;
	}
	o->first_ns = clock_mono_ns();
	return o->f;
}

static void ch_record(void *st, const struct record *rec)
{
	struct ch_sink *c = st;
	const struct trace_rec *t;
	FILE *f;

	if (rec->kind != REC_TRACE)
		return;
	t = rec->trace;
	if (t->nhops) {
		f = batch_of(c, CH_REPLIES);
		if (!f)
			goto oom;
		c->open[CH_REPLIES].b->rows +=
			(__u32)ch_rows_replies(f, &c->id, c->open[CH_REPLIES].b->id, t);
	}
	f = batch_of(c, CH_TARGETS);
	if (!f)
		goto oom;
	ch_row_target(f, &c->id, c->open[CH_TARGETS].b->id, t);
	c->open[CH_TARGETS].b->rows++;
	for (int i = 0; i < CH_TABLES; i++)
		if (c->open[i].b && c->open[i].b->rows >= c->cfg.batch_rows)
			seal(c, i);
	return;
oom:
	c->oom = 1;
}

static void ch_tick(void *st, __u64 now)
{
	struct ch_sink *c = st;

	for (int i = 0; i < CH_TABLES; i++)
		if (c->open[i].b && now >= c->open[i].first_ns + c->cfg.batch_ns)
			seal(c, i);
}

static __u64 ch_wake_at(void *st, __u64 now)
{
	struct ch_sink *c = st;
	__u64 wake = 0;

	(void)now;
	for (int i = 0; i < CH_TABLES; i++) {
		__u64 at = c->open[i].first_ns + c->cfg.batch_ns;

		if (c->open[i].b && (!wake || at < wake))
			wake = at;
	}
	return wake;
}

static void ch_end(void *st, __u64 now)
{
	struct ch_sink *c = st;

	(void)now;
	for (int i = 0; i < CH_TABLES; i++)
		seal(c, i);
}

static int ch_close(void *st)
{
	struct ch_sink *c = st;
	sig_atomic_t was;
	int err;

	ch_end(c, 0);
	if (c->oom)
		log_err(WHO ": ClickHouse: out of memory: rows of some traces are missing\n");
	/* a signal during the wait cuts it short; one that ended the scan
	 * before it does not (what was measured is worth the wait), but it
	 * stays the scan's exit status
	 */
	was = xhop_stop;
	xhop_stop = 0;
	err = ch_delivery_finish(&c->d, (__u64)(c->cfg.wait_s * NS_PER_S), &xhop_stop);
	if (!xhop_stop)
		xhop_stop = was;
	ch_delivery_free(&c->d);
	c->d_init = 0;
	ch_http_free(c->http);
	c->http = NULL;
	return err || c->oom ? -1 : 0;
}

static const struct sink_ops ch_ops = {
	.name = "clickhouse",
	.record = ch_record,
	.tick = ch_tick,
	.wake_at = ch_wake_at,
	.end = ch_end,
	.close = ch_close,
};

/* xhop-clickhouse-MEASUREMENT.spool in the current folder, the name's
 * bytes other than [A-Za-z0-9._-] as '_': a name is no path
 */
static void spool_name(char *buf, size_t len, const char *measurement)
{
	int n = snprintf(buf, len, "xhop-clickhouse-%s.spool", measurement);

	for (int i = 16; i < n - 6 && (size_t)i < len; i++) {
		char ch = buf[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '_'))
			buf[i] = '_';
	}
}

int ch_sink_open(struct ch_sink *c, const struct ch_sink_cfg *cfg, struct sink *out)
{
	struct ch_delivery_cfg dc = {
		.who = WHO, .table = cfg->table, .mem_limit = cfg->mem_limit,
		.backoff_min_ns = BACKOFF_MIN_NS, .backoff_max_ns = BACKOFF_MAX_NS,
	};
	char why[256];
	int r;

	memset(c, 0, sizeof(*c));
	c->cfg = *cfg;
	c->id = (struct ch_ident){ .measurement = cfg->measurement, .vantage = cfg->vantage };
	if (cfg->spool_path)
		snprintf(c->spool, sizeof(c->spool), "%s", cfg->spool_path);
	else
		spool_name(c->spool, sizeof(c->spool), cfg->measurement);
	dc.spool_path = c->spool;
	/* the flag's address stays: ch_delivery_init only zeroes it */
	c->http = ch_http_new(WHO, cfg->url, cfg->table, &c->d.abort);
	if (!c->http)
		return -1;
	/* before the first probe: a URL that is no ClickHouse, or a table
	 * that is not xhop's, stops the scan before it measures anything
	 */
	r = ch_http_transport(c->http).ops->setup(c->http, why, sizeof(why));
	if (r == CH_REFUSED) {
		log_err(WHO ": --clickhouse: %s\n", why);
		goto err;
	}
	if (r != CH_OK)
		log_warn(WHO ": ClickHouse: %s; the scan runs, rows wait for it\n", why);
	if (ch_delivery_init(&c->d, &dc, ch_http_transport(c->http)))
		goto err;
	c->d_init = 1;
	if (ch_delivery_start(&c->d, r == CH_OK))
		goto err_d;
	*out = (struct sink){ .ops = &ch_ops, .st = c };
	return 0;
err_d:
	ch_delivery_free(&c->d);
	c->d_init = 0;
err:
	ch_http_free(c->http);
	c->http = NULL;
	return -1;
}

void ch_sink_abandon(struct ch_sink *c)
{
	if (c->d_init) {
		for (int i = 0; i < CH_TABLES; i++)
			seal(c, i);
		/* no run, no rows: the thread only stops */
		ch_delivery_finish(&c->d, 0, NULL);
		ch_delivery_free(&c->d);
		c->d_init = 0;
	}
	ch_http_free(c->http);
	c->http = NULL;
}

const struct ch_stats *ch_sink_stats(const struct ch_sink *c)
{
	return &c->d.st;
}

void ch_default_measurement(char *buf, size_t len)
{
	unsigned int rnd = 0;
	time_t now = time(NULL);
	struct tm tm;

	if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
		rnd = (unsigned int)getpid();
	gmtime_r(&now, &tm);
	snprintf(buf, len, "xhop-%04d%02d%02dT%02d%02d%02dZ-%04x", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, rnd & 0xffff);
}

void ch_default_vantage(char *buf, size_t len)
{
	if (gethostname(buf, len) || !buf[0])
		snprintf(buf, len, "unknown");
	buf[len - 1] = 0;
}
