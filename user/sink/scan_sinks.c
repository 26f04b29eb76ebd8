// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/log.h"
#include "core/units.h"
#include "net/addr.h"
#include "net/asn.h"
#include "sink/scan_sinks.h"
#include "sink/mp_json.h"
#include "sink/trace_json.h"
#include "sink/ch_deliver.h"
#include "sink/json.h"
#include "plan/scan.h"

/* traces leave in flushes: a reader of a pipe or a file sees them within
 * a quarter of a second, and not in 4 KiB writes
 */
#define FLUSH_NS (NS_PER_S / 4)
#define OUT_BUFFER (1 << 20)
#define PROGRESS_EVERY_NS (NS_PER_S / 2)

static FILE *open_out(const char *path, const char *what)
{
	FILE *f = fopen(path, "w");

	if (!f)
		log_err("xhop: %s %s: %s\n", what, path, strerror(errno));
	return f;
}

/* ---- the traces ---- */

/* Write the held traces, in order, whose ASes are in or whose wait is
 * over (all: every one, with what is known by now)
 */
static void write_held(struct scan_json_sink *j, __u64 now, int all)
{
	while (j->nheld) {
		struct scan_held *h = &j->held[j->head];
		int ready = asn_annotate(j->asn, h->hops, h->rec.nhops);

		if (!all && !ready && now < h->until)
			break;
		trace_json_write(j->out, &h->rec, NULL);
		fputc_unlocked('\n', j->out);
		free(h->hops);
		h->hops = NULL;
		j->head = (j->head + 1) % SCAN_HELD_MAX;
		j->nheld--;
	}
}

static void hold(struct scan_json_sink *j, const struct trace_rec *t)
{
	struct scan_held *h;
	size_t len;

	if (!j->held && !(j->held = calloc(SCAN_HELD_MAX, sizeof(*j->held)))) {
		trace_json_write(j->out, t, NULL); /* no memory: without ASes */
		fputc_unlocked('\n', j->out);
		return;
	}
	if (j->nheld == SCAN_HELD_MAX)
		write_held(j, 0, 1);
	h = &j->held[(j->head + j->nheld) % SCAN_HELD_MAX];
	h->rec = *t;
	len = sizeof(*h->hops) * (size_t)(t->nhops ? t->nhops : 1);
	h->hops = malloc(len);
	if (h->hops)
		memcpy(h->hops, t->hops, sizeof(*h->hops) * (size_t)t->nhops);
	else
		h->rec.nhops = 0; /* out of memory: the head, without hops */
	h->rec.hops = h->hops;
	h->until = clock_mono_ns() + j->asn_wait_ns;
	j->nheld++;
}

static void json_record(void *st, const struct record *rec)
{
	struct scan_json_sink *j = st;

	if (rec->kind == REC_MULTIPATH) {
		mp_json_write(j->out, rec->mp); /* scan --mda: one object per prefix */
		return;
	}
	if (rec->kind != REC_TRACE)
		return;
	if (!asn_on(j->asn)) {
		trace_json_write(j->out, rec->trace, NULL);
		fputc_unlocked('\n', j->out);
		return;
	}
	hold(j, rec->trace);
	write_held(j, clock_mono_ns(), 0);
}

static void json_tick(void *st, __u64 now)
{
	struct scan_json_sink *j = st;

	write_held(j, now, 0);
	fflush(j->out);
	j->next_flush_ns = now + FLUSH_NS;
}

static __u64 json_wake_at(void *st, __u64 now)
{
	struct scan_json_sink *j = st;
	__u64 at = j->next_flush_ns;

	(void)now;
	if (j->nheld && j->held[j->head].until < at)
		at = j->held[j->head].until;
	return at;
}

static int json_busy(void *st)
{
	return ((struct scan_json_sink *)st)->nheld != 0;
}

static int json_close(void *st)
{
	struct scan_json_sink *j = st;
	int err = 0;

	if (!j->out)
		return 0;
	write_held(j, 0, 1); /* cut short: the ASes known by now */
	free(j->held);
	j->held = NULL;
	if (fflush(j->out) || ferror(j->out)) {
		log_err("xhop scan: writing the traces: %s\n", strerror(errno));
		err = -1;
	}
	if (j->owned)
		fclose(j->out);
	j->out = NULL;
	return err;
}

static const struct sink_ops scan_json_ops = {
	.name = "scan json",
	.record = json_record,
	.tick = json_tick,
	.wake_at = json_wake_at,
	.busy = json_busy,
	.close = json_close,
};

int scan_json_open(struct scan_json_sink *j, const char *path, struct asn_lookup *asn,
		   __u64 asn_wait_ns, struct sink *out)
{
	memset(j, 0, sizeof(*j));
	j->asn = asn;
	j->asn_wait_ns = asn_wait_ns;
	j->out = path ? open_out(path, "--output") : stdout;
	if (!j->out)
		return -1;
	j->owned = path != NULL;
	/* if this fails, the default buffer works too */
	setvbuf(j->out, NULL, _IOFBF, OUT_BUFFER);
	*out = (struct sink){ .ops = &scan_json_ops, .st = j };
	return 0;
}

/* ---- the summary ---- */

static const struct in6_addr *set_key(const void *ctx, __u32 v)
{
	return &((const struct addr_set *)ctx)->v[v];
}

/* 1 added, 0 there already, -ENOMEM */
static int addr_set_add(struct addr_set *s, const struct in6_addr *a)
{
	if (addrmap_get(&s->map, a) != ADDRMAP_NONE)
		return 0;
	if (s->n == s->cap) {
		__u32 cap = s->cap ? 2 * s->cap : 1024;
		struct in6_addr *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n] = *a;
	if (addrmap_put(&s->map, s->n) < 0)
		return -ENOMEM;
	s->n++;
	return 1;
}

static void addr_set_free(struct addr_set *s)
{
	addrmap_free(&s->map);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* scan --mda: a prefix's interfaces, links and rounds */
static void summary_mp(struct scan_summary_sink *m, const struct mp_rec *r)
{
	m->done++;
	m->reached += r->h.stop_reason == STOP_COMPLETED;
	m->links += (__u64)r->nlinks;
	m->rounds += r->rounds;
	if (r->rounds > m->rounds_max)
		m->rounds_max = r->rounds;
	for (int i = 0; i < r->nnodes; i++) {
		const struct mp_node *n = &r->nodes[i];

		if (n->silent)
			continue;
		if (addr_set_add(&m->ifaces, &n->addr) < 0)
			m->oom = 1;
		if (n->verdict != VERDICT_REACHED && addr_set_add(&m->routers, &n->addr) < 0)
			m->oom = 1;
	}
}

/* Interfaces found, reached targets, inferred hops: counted as written */
static void summary_record(void *st, const struct record *rec)
{
	struct scan_summary_sink *m = st;
	const struct trace_rec *t = rec->trace;

	if (rec->kind == REC_MULTIPATH)
		summary_mp(m, rec->mp);
	if (rec->kind != REC_TRACE)
		return;
	m->done++;
	m->reached += t->h.stop_reason == STOP_COMPLETED;
	m->inferred += (__u64)t->ninferred;
	for (int i = 0; i < t->nhops; i++) {
		const struct hop_reply *r = &t->hops[i].reply;

		if (addr_set_add(&m->ifaces, &r->from) < 0)
			m->oom = 1;
		if (r->verdict != VERDICT_REACHED && addr_set_add(&m->routers, &r->from) < 0)
			m->oom = 1;
	}
}

static void put_counts(FILE *f, const struct scan_summary_sink *m)
{
	const struct scan_stats *st = m->st;
	const struct run_stats *run = m->run;

	fprintf(f, "\"targets\":%llu,\"targets_listed\":%llu,\"blocked\":%llu,\"duplicates\":%llu,",
		(unsigned long long)st->targets, (unsigned long long)st->targets_listed,
		(unsigned long long)st->blocked, (unsigned long long)st->duplicates);
	fprintf(f, "\"targets_done\":%llu,\"targets_reached\":%llu,",
		(unsigned long long)m->done, (unsigned long long)m->reached);
	fprintf(f, "\"probes_sent\":%llu,\"replies\":%llu,\"replies_ignored\":%llu,"
		   "\"warmup_replies\":%llu,",
		(unsigned long long)run->probes_sent, (unsigned long long)run->replies,
		(unsigned long long)run->ignored, (unsigned long long)run->warmup_replies);
	fprintf(f, "\"interfaces\":%u,\"router_interfaces\":%u,\"probes_per_interface\":%.2f,",
		m->ifaces.n, m->routers.n,
		m->ifaces.n ? (double)run->probes_sent / (double)m->ifaces.n : 0.0);
	if (m->info.mda) {
		/* links: each prefix's, summed (two prefixes through one
		 * diamond count its links twice) */
		fprintf(f, "\"mda\":true,\"confidence\":%g,\"links\":%llu,\"links_per_prefix\":%.2f,"
			   "\"probes_per_link\":%.2f,\"rounds\":%llu,\"rounds_per_prefix\":%.2f,"
			   "\"rounds_max\":%u,\"retries\":%llu,", m->info.confidence,
			(unsigned long long)m->links,
			m->done ? (double)m->links / (double)m->done : 0.0,
			m->links ? (double)run->probes_sent / (double)m->links : 0.0,
			(unsigned long long)m->rounds,
			m->done ? (double)m->rounds / (double)m->done : 0.0, m->rounds_max,
			(unsigned long long)st->retries);
		return;
	}
	fprintf(f, "\"doubletree\":%s,\"doubletree_stops\":%llu,\"inferred_hops\":%llu,"
		   "\"late_divergence\":%llu,", m->info.doubletree ? "true" : "false",
		(unsigned long long)st->doubletree_stops, (unsigned long long)m->inferred,
		(unsigned long long)st->late_divergence);
}

static void put_receiver(FILE *f, const struct scan_summary_sink *m)
{
	const struct run_stats *run = m->run;

	fprintf(f, "\"xdp_seen\":%llu,\"xdp_ours\":%llu,\"xdp_foreign\":%llu,\"xdp_malformed\":%llu,",
		(unsigned long long)run->xdp[XHOP_STAT_RX_SEEN],
		(unsigned long long)run->xdp[XHOP_STAT_RX_OURS],
		(unsigned long long)run->xdp[XHOP_STAT_RX_FOREIGN],
		(unsigned long long)run->xdp[XHOP_STAT_RX_MALFORMED]);
	fprintf(f, "\"ring_drops\":%llu,\"tx_stamps_lost\":%llu,\"send_errors\":%llu,"
		   "\"driver_drops\":%llu,\"stamps_user\":%llu,",
		(unsigned long long)run->xdp[XHOP_STAT_RX_RB_FULL],
		(unsigned long long)run->xdp[XHOP_STAT_TX_RB_FULL],
		(unsigned long long)run->send_errors, (unsigned long long)run->driver_drops,
		(unsigned long long)run->stamps_user);
}

/* The measurement's name; with --clickhouse, what reached it */
static void put_clickhouse(FILE *f, const struct scan_summary_sink *m)
{
	const struct ch_stats *c = m->info.ch;

	fputs("\"measurement\":", f);
	json_str(f, m->info.measurement ? m->info.measurement : "");
	fputc(',', f);
	if (!c)
		return;
	fprintf(f, "\"clickhouse_rows_written\":%llu,\"clickhouse_rows_retried\":%llu,"
		   "\"clickhouse_rows_spooled\":%llu,\"clickhouse_rows_lost\":%llu,",
		(unsigned long long)c->rows_written, (unsigned long long)c->rows_retried,
		(unsigned long long)c->rows_spooled, (unsigned long long)c->rows_lost);
}

static int summary_close(void *st)
{
	struct scan_summary_sink *m = st;
	const struct run_stats *run = m->run;
	double dur = (double)(m->s->end_ns - m->s->t0_ns) / NS_PER_S;
	FILE *f = m->out;

	if (m->oom)
		log_err("xhop scan: out of memory counting interfaces\n");
	fprintf(f, "{\"type\":\"scan-summary\",\"version\":\"0.1\",\"method\":\"%s\",",
		method_name(m->info.method));
	fprintf(f, "\"sender\":\"%s\",\"seed\":%llu,\"shard\":%d,\"shards\":%d,", run->sender,
		(unsigned long long)m->st->seed, m->info.shard, m->info.shards);
	put_counts(f, m);
	put_receiver(f, m);
	put_clickhouse(f, m);
	fprintf(f, "\"window\":%u,\"bytes_per_target\":%llu,\"bytes_per_hop\":%llu,",
		m->st->window, (unsigned long long)m->info.bytes_per_target,
		(unsigned long long)m->info.bytes_per_hop);
	/* backlog: the time probes were ready beyond the send queue, the
	 * silent-hop waits at the end left out; the rate then is the rate
	 * the scan drove the network at
	 */
	fprintf(f, "\"duration_s\":%.3f,\"rate_pps\":%.0f,\"backlog_s\":%.3f,"
		   "\"backlog_pps\":%.0f,\"interrupted\":%s}\n", dur,
		dur > 0 ? (double)run->probes_sent / dur : 0.0, (double)run->backlog_ns / 1e9,
		run->backlog_ns ? (double)run->backlog_probes * 1e9 / (double)run->backlog_ns : 0.0,
		run->interrupted ? "true" : "false");
	fflush(f);
	if (m->owned)
		fclose(f);
	addr_set_free(&m->ifaces);
	addr_set_free(&m->routers);
	return 0;
}

static const struct sink_ops summary_ops = {
	.name = "scan summary",
	.record = summary_record,
	.close = summary_close,
};

int scan_summary_open(struct scan_summary_sink *m, const char *path,
		      const struct scan_summary_info *info, const struct scan_stats *st,
		      const struct run_stats *run, const struct session *s, struct sink *out)
{
	memset(m, 0, sizeof(*m));
	m->out = path ? open_out(path, "--summary") : stderr;
	if (!m->out)
		return -1;
	m->owned = path != NULL;
	m->info = *info;
	m->st = st;
	m->run = run;
	m->s = s;
	if (addrmap_init(&m->ifaces.map, 1024, set_key, &m->ifaces, 0) ||
	    addrmap_init(&m->routers.map, 1024, set_key, &m->routers, 0)) {
		log_err("xhop scan: out of memory\n");
		if (m->owned)
			fclose(m->out);
		return -1;
	}
	*out = (struct sink){ .ops = &summary_ops, .st = m };
	return 0;
}

/* ---- the progress line ---- */

static void fmt_eta(char *buf, size_t len, double s)
{
	if (s < 0 || s > 1e7)
		snprintf(buf, len, "?");
	else if (s >= 3600)
		snprintf(buf, len, "%dh%02dm", (int)(s / 3600), (int)(s / 60) % 60);
	else if (s >= 60)
		snprintf(buf, len, "%dm%02ds", (int)(s / 60), (int)s % 60);
	else
		snprintf(buf, len, "%.0fs", s);
}

static void progress_line(struct scan_progress_sink *p, __u64 now, int last)
{
	double el = (double)(now - p->s->t0_ns) / NS_PER_S, rate, eta;
	char etabuf[32];

	rate = el > 0 ? (double)p->run->probes_sent / el : 0;
	eta = p->done ? el * (double)(p->st->targets - p->done) / (double)p->done : -1;
	fmt_eta(etabuf, sizeof(etabuf), eta);
	fprintf(stderr, "%sxhop scan: %.1f kpps, sent %llu, replies %llu, targets %llu/%llu done, "
			"%llu in flight, ETA %s%s",
		p->tty ? "\r\033[K" : "", rate / 1000, (unsigned long long)p->run->probes_sent,
		(unsigned long long)p->run->replies, (unsigned long long)p->done,
		(unsigned long long)p->st->targets, (unsigned long long)p->st->active, etabuf,
		p->tty && !last ? "" : "\n");
}

static void progress_record(void *st, const struct record *rec)
{
	((struct scan_progress_sink *)st)->done += rec->kind == REC_TRACE ||
						   rec->kind == REC_MULTIPATH;
}

static void progress_tick(void *st, __u64 now)
{
	struct scan_progress_sink *p = st;

	progress_line(p, now, 0);
	p->next_ns = now + PROGRESS_EVERY_NS;
}

static __u64 progress_wake_at(void *st, __u64 now)
{
	(void)now;
	return ((struct scan_progress_sink *)st)->next_ns;
}

static int progress_close(void *st)
{
	struct scan_progress_sink *p = st;

	progress_line(p, p->s->end_ns, 1);
	return 0;
}

static const struct sink_ops progress_ops = {
	.name = "scan progress",
	.record = progress_record,
	.tick = progress_tick,
	.wake_at = progress_wake_at,
	.close = progress_close,
};

struct sink scan_progress_sink(struct scan_progress_sink *p, int asked,
			       const struct scan_stats *st, const struct run_stats *run,
			       const struct session *s)
{
	memset(p, 0, sizeof(*p));
	p->tty = isatty(STDERR_FILENO);
	p->lines = asked && !p->tty;
	p->st = st;
	p->run = run;
	p->s = s;
	if (!p->tty && !p->lines)
		return (struct sink){ .ops = NULL, .st = NULL };
	return (struct sink){ .ops = &progress_ops, .st = p };
}
