// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "core/log.h"
#include "core/units.h"
#include "sink/warts.h"

/* as the JSON traces: a reader of the file sees them within a quarter second */
#define FLUSH_NS (NS_PER_S / 4)
#define OUT_BUFFER (1 << 20)
/* One list, one cycle per file: the ids warts gives them (0 is "none") */
#define LIST_ID 1
#define CYCLE_ID 1

static __u32 now_sec(void)
{
	return (__u32)time(NULL);
}

/* Write what buf holds, then empty it */
static void drain(struct warts_sink *w)
{
	if (w->buf.err)
		w->err = w->buf.err;
	else if (w->buf.len && fwrite_unlocked(w->buf.p, 1, w->buf.len, w->out) != w->buf.len)
		w->err = -errno;
	warts_buf_reset(&w->buf);
}

static void put_head(struct warts_sink *w)
{
	int err;

	err = warts_list_put(&w->enc, &w->buf, LIST_ID, LIST_ID, w->c.list_name, w->c.descr,
			     w->host[0] ? w->host : NULL);
	err = err ? err : warts_cycle_start_put(&w->enc, &w->buf, CYCLE_ID, LIST_ID, CYCLE_ID,
						now_sec(), w->host[0] ? w->host : NULL);
	if (err)
		w->err = err;
	w->head = 1;
	drain(w);
}

static void warts_start(void *st)
{
	struct warts_sink *w = st;

	if (!w->head)
		put_head(w);
}

static void warts_record(void *st, const struct record *rec)
{
	struct warts_sink *w = st;
	int err = 0;

	if (!w->head)
		put_head(w);
	switch (rec->kind) {
	case REC_TRACE:
		err = warts_trace_put(&w->enc, &w->buf, rec->trace, LIST_ID, CYCLE_ID);
		break;
	/*
	 * The multipath mode's record goes here as a tracelb object (type
	 * WARTS_TRACELB, laid out as scamper's scamper_tracelb_warts.c has
	 * it: nodes, links, probe sets) by a warts_tracelb_put() beside
	 * warts_trace_put(), once core/record.h has its record kind.
	 */
	default:
		return;
	}
	if (err && !w->err)
		w->err = err;
	drain(w);
}

static void warts_tick(void *st, __u64 now)
{
	struct warts_sink *w = st;

	fflush(w->out);
	w->next_flush_ns = now + FLUSH_NS;
}

static __u64 warts_wake_at(void *st, __u64 now)
{
	(void)now;
	return ((struct warts_sink *)st)->next_flush_ns;
}

static int warts_close(void *st)
{
	struct warts_sink *w = st;
	int rc = 0;

	if (!w->out)
		return 0;
	if (!w->head)
		put_head(w);
	if (warts_cycle_stop_put(&w->enc, &w->buf, CYCLE_ID, now_sec()) && !w->err)
		w->err = -ENOMEM;
	drain(w);
	if (fflush(w->out) || ferror(w->out)) {
		if (!w->err)
			w->err = -errno;
	}
	if (w->err) {
		log_err("xhop: writing warts: %s\n", strerror(-w->err));
		rc = -1;
	}
	warts_sink_abandon(w);
	return rc;
}

static const struct sink_ops warts_ops = {
	.name = "warts",
	.start = warts_start,
	.record = warts_record,
	.tick = warts_tick,
	.wake_at = warts_wake_at,
	.close = warts_close,
};

int warts_sink_open(struct warts_sink *w, const char *path, const struct warts_sink_cfg *c,
		    struct sink *out)
{
	memset(w, 0, sizeof(*w));
	w->c = *c;
	w->out = path ? fopen(path, "wb") : stdout;
	if (!w->out) {
		log_err("xhop: %s %s: %s\n", c->opt, path, strerror(errno));
		return -1;
	}
	w->owned = path != NULL;
	/* if this fails, the default buffer works too */
	setvbuf(w->out, NULL, _IOFBF, OUT_BUFFER);
	if (gethostname(w->host, sizeof(w->host) - 1))
		w->host[0] = 0;
	*out = (struct sink){ .ops = &warts_ops, .st = w };
	return 0;
}

void warts_sink_abandon(struct warts_sink *w)
{
	if (w->owned && w->out)
		fclose(w->out);
	w->out = NULL;
	warts_enc_free(&w->enc);
	warts_buf_free(&w->buf);
}
