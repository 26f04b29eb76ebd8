// SPDX-License-Identifier: GPL-2.0
/*
 * What xhop scan writes: one scamper trace object per target as it
 * finishes (stdout or --output), progress on stderr, and a summary object
 * at the end (stderr or --summary).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "addr.h"
#include "json.h"
#include "json_trace.h"
#include "scan_engine.h"
#include "trace.h"

#define NS_PER_S 1000000000ULL
#define PROGRESS_EVERY_NS (NS_PER_S / 2)
#define OUT_BUFFER (1 << 20)

int addr_set_add(struct addr_set *s, const struct in6_addr *a)
{
	__u64 i;

	if (2 * (s->n + 1) > s->mask + 1) { /* at most half full: grow */
		__u64 size = s->mask ? 2 * (s->mask + 1) : 1024;
		struct in6_addr *v = calloc(size, sizeof(*v));
		__u8 *used = calloc(size, 1);

		if (!v || !used) {
			free(v);
			free(used);
			return -ENOMEM;
		}
		for (__u64 j = 0; s->mask && j <= s->mask; j++) {
			__u64 k;

			if (!s->used[j])
				continue;
			k = addr_hash(&s->v[j], 0);
			while (used[k & (size - 1)])
				k++;
			v[k & (size - 1)] = s->v[j];
			used[k & (size - 1)] = 1;
		}
		free(s->v);
		free(s->used);
		s->v = v;
		s->used = used;
		s->mask = size - 1;
	}
	for (i = addr_hash(a, 0);; i++) {
		__u64 k = i & s->mask;

		if (!s->used[k]) {
			s->v[k] = *a;
			s->used[k] = 1;
			s->n++;
			return 1;
		}
		if (!memcmp(&s->v[k], a, sizeof(*a)))
			return 0;
	}
}

static void addr_set_free(struct addr_set *s)
{
	free(s->v);
	free(s->used);
	memset(s, 0, sizeof(*s));
}

void scan_free_sets(struct scan *sc)
{
	addr_set_free(&sc->ifaces);
	addr_set_free(&sc->routers);
}

static FILE *open_out(const char *path, const char *what)
{
	FILE *f = fopen(path, "w");

	if (!f)
		fprintf(stderr, "xhop: %s %s: %s\n", what, path, strerror(errno));
	return f;
}

int scan_open_outputs(struct scan *sc)
{
	const struct scan_opts *o = sc->o;

	sc->out = o->output_file ? open_out(o->output_file, "--output") : stdout;
	if (!sc->out)
		return 1;
	sc->summary = o->summary_file ? open_out(o->summary_file, "--summary") : stderr;
	if (!sc->summary) {
		if (sc->out != stdout)
			fclose(sc->out);
		sc->out = NULL;
		return 1;
	}
	/* traces leave in flushes every quarter second (scan.c), not in
	 * 4 KiB writes (if this fails, the default buffer works too)
	 */
	setvbuf(sc->out, NULL, _IOFBF, OUT_BUFFER);
	sc->progress_tty = isatty(STDERR_FILENO);
	sc->progress_lines = o->progress && !sc->progress_tty;
	return 0;
}

int scan_close_output(struct scan *sc)
{
	int err = 0;

	if (sc->out) {
		if (fflush(sc->out) || ferror(sc->out)) {
			fprintf(stderr, "xhop scan: writing the traces: %s\n", strerror(errno));
			err = -1;
		}
		if (sc->out != stdout)
			fclose(sc->out);
		sc->out = NULL;
	}
	if (sc->summary) {
		fflush(sc->summary);
		if (sc->summary != stderr)
			fclose(sc->summary);
		sc->summary = NULL;
	}
	return err;
}

static int lowest_bit(__u32 x)
{
	return x ? __builtin_ctz(x) + 1 : 0;
}

static int highest_bit(__u32 x)
{
	return x ? 32 - __builtin_clz(x) : 0;
}

/* The hops below a Doubletree stop, as the stop set knows them */
static void put_inferred(struct scan *sc, const struct scan_target *t)
{
	const struct dt_node *stop = dt_get(&sc->dt, t->dt_stop);
	char a[ADDR_STRLEN];
	int first = 1;

	json_lit(sc->out, ",\"doubletree\":{\"stop_ttl\":");
	json_int(sc->out, stop->ttl);
	json_lit(sc->out, ",\"stop_addr\":\"");
	json_lit(sc->out, addr_str(&stop->addr, a));
	json_lit(sc->out, "\"},\"inferred_hops\":[");
	for (__u32 n = stop->parent; n != DT_NONE;) {
		const struct dt_node *p = dt_get(&sc->dt, n);

		if (!p->silent) {
			json_lit(sc->out, first ? "{\"addr\":\"" : ",{\"addr\":\"");
			json_lit(sc->out, addr_str(&p->addr, a));
			json_lit(sc->out, "\",\"probe_ttl\":");
			json_int(sc->out, p->ttl);
			json_lit(sc->out, "}");
			first = 0;
			sc->inferred_hops++;
		}
		if (p->ttl <= 1)
			break;
		n = p->parent;
	}
	json_lit(sc->out, "]");
}

void scan_finish_target(struct scan *sc, __u32 slot, int cut)
{
	struct scan_target *t = &sc->tab.slots[slot];
	const struct in6_addr *dst = &sc->tab.addrs[t->idx];
	int f = addr_is_v4(dst) ? 0 : 1, first = 1;
	struct json_trace_head h = { 0 };
	__u64 start_ns;

	if (t->send_failed)
		t->stop_reason = STOP_ERROR;
	else if (cut)
		t->stop_reason = STOP_INTERRUPTED;
	else if (t->dst_ttl)
		t->stop_reason = STOP_COMPLETED;
	else if (!t->stop_reason)
		t->stop_reason = STOP_HOPLIMIT;
	if (t->end_ttl)
		scan_table_trim_hops(&sc->tab, slot, t->end_ttl);

	start_ns = sc->t0_ns + (__u64)t->start_ms * 1000000;
	h.src = &sc->fam[f].src;
	h.dst = dst;
	h.family = f ? 6 : 4;
	h.method = sc->o->method;
	h.sport = sc->sport;
	h.dport = sc->dport;
	h.icmp_sum = sc->icmp_sum;
	h.stop_reason = t->stop_reason;
	h.stop_data = t->stop_data;
	h.start.tv_sec = (time_t)((start_ns + sc->real_offset_ns) / NS_PER_S);
	h.start.tv_nsec = (long)((start_ns + sc->real_offset_ns) % NS_PER_S);
	h.hop_count = t->end_ttl ? t->end_ttl : highest_bit(t->probed);
	h.attempts = 1;
	h.hoplimit = sc->o->max_ttl;
	h.firsthop = lowest_bit(t->probed);
	h.wait_s = sc->o->wait_s;
	h.tos = sc->o->tos;
	h.probe_size = sc->fam[f].probe_size;
	h.probe_count = t->seq;
	h.real_offset_ns = sc->real_offset_ns;
	json_trace_open(sc->out, &h);
	for (__u32 i = t->hops; i != SCAN_NONE; i = sc->tab.hops[i].next) {
		const struct scan_hop *hop = &sc->tab.hops[i];

		json_trace_hop(sc->out, &h, &hop->reply, NULL, hop->ttl, 1, hop->tx_ns, first);
		first = 0;
		if (addr_set_add(&sc->ifaces, &hop->reply.from) < 0)
			sc->oom = 1;
		if (hop->reply.verdict != VERDICT_REACHED &&
		    addr_set_add(&sc->routers, &hop->reply.from) < 0)
			sc->oom = 1;
	}
	json_trace_hops_end(sc->out);
	if (t->dt_stop != SCAN_NONE)
		put_inferred(sc, t);
	json_lit(sc->out, "}\n");

	sc->reached += t->dst_ttl != 0;
	sc->finished++;
	scan_table_release(&sc->tab, slot);
}

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

void scan_progress(struct scan *sc, __u64 now, int last)
{
	double el, rate, eta;
	char etabuf[32];

	if (!sc->progress_tty && !sc->progress_lines)
		return;
	if (!last && now < sc->last_progress_ns + PROGRESS_EVERY_NS)
		return;
	sc->last_progress_ns = now;
	el = (double)(now - sc->t0_ns) / NS_PER_S;
	rate = el > 0 ? (double)sc->probes_sent / el : 0;
	eta = sc->finished ? el * (double)(sc->shard_targets - sc->finished) / (double)sc->finished :
			     -1;
	fmt_eta(etabuf, sizeof(etabuf), eta);
	fprintf(stderr, "%sxhop scan: %.1f kpps, sent %llu, replies %llu, targets %llu/%llu done, "
			"%u in flight, ETA %s%s",
		sc->progress_tty ? "\r\033[K" : "", rate / 1000, (unsigned long long)sc->probes_sent,
		(unsigned long long)sc->replies, (unsigned long long)sc->finished,
		(unsigned long long)sc->shard_targets, sc->tab.active, etabuf,
		sc->progress_tty && !last ? "" : "\n");
}

void scan_write_summary(struct scan *sc)
{
	const struct scan_opts *o = sc->o;
	__u64 stats[XHOP_STAT_MAX] = { 0 };
	double dur = (double)(sc->end_ns - sc->t0_ns) / NS_PER_S;
	__u64 send_errors = sc->send_errors, gen_dropped = 0;
	FILE *s = sc->summary;
	int both;

	if (sc->ld.skel)
		loader_stats(&sc->ld, stats);
	if (sc->tx_open)
		gen_dropped = sender_driver_drops(&sc->tx);
	fprintf(s, "{\"type\":\"scan-summary\",\"version\":\"0.1\",\"method\":\"%s\",",
		trace_method_name(o->method));
	/* the rung each family took; one name when both took the same */
	both = sc->fam[0].on && sc->fam[1].on && sc->tx.kind[0] != sc->tx.kind[1];
	fprintf(s, "\"sender\":\"%s%s%s\",\"seed\":%llu,\"shard\":%d,\"shards\":%d,",
		sc->fam[0].on ? sender_name(&sc->tx, 0) : sender_name(&sc->tx, 1), both ? "," : "",
		both ? sender_name(&sc->tx, 1) : "", (unsigned long long)sc->seed, o->shard,
		o->shards);
	fprintf(s, "\"targets\":%llu,\"targets_listed\":%llu,\"blocked\":%llu,\"duplicates\":%llu,",
		(unsigned long long)sc->shard_targets, (unsigned long long)sc->targets.n,
		(unsigned long long)sc->targets.blocked, (unsigned long long)sc->duplicates);
	fprintf(s, "\"targets_done\":%llu,\"targets_reached\":%llu,",
		(unsigned long long)sc->finished, (unsigned long long)sc->reached);
	fprintf(s, "\"probes_sent\":%llu,\"replies\":%llu,\"replies_ignored\":%llu,"
		   "\"warmup_replies\":%llu,",
		(unsigned long long)sc->probes_sent, (unsigned long long)sc->replies,
		(unsigned long long)sc->ignored, (unsigned long long)sc->warmup_replies);
	fprintf(s, "\"interfaces\":%llu,\"router_interfaces\":%llu,\"probes_per_interface\":%.2f,",
		(unsigned long long)sc->ifaces.n, (unsigned long long)sc->routers.n,
		sc->ifaces.n ? (double)sc->probes_sent / (double)sc->ifaces.n : 0.0);
	fprintf(s, "\"doubletree\":%s,\"doubletree_stops\":%llu,\"inferred_hops\":%llu,"
		   "\"late_divergence\":%llu,",
		o->no_doubletree ? "false" : "true", (unsigned long long)sc->dt.stops,
		(unsigned long long)sc->inferred_hops, (unsigned long long)sc->dt.late_divergence);
	fprintf(s, "\"xdp_seen\":%llu,\"xdp_ours\":%llu,\"xdp_foreign\":%llu,\"xdp_malformed\":%llu,",
		(unsigned long long)stats[XHOP_STAT_RX_SEEN], (unsigned long long)stats[XHOP_STAT_RX_OURS],
		(unsigned long long)stats[XHOP_STAT_RX_FOREIGN],
		(unsigned long long)stats[XHOP_STAT_RX_MALFORMED]);
	fprintf(s, "\"ring_drops\":%llu,\"tx_stamps_lost\":%llu,\"send_errors\":%llu,"
		   "\"driver_drops\":%llu,\"stamps_user\":%llu,",
		(unsigned long long)stats[XHOP_STAT_RX_RB_FULL],
		(unsigned long long)stats[XHOP_STAT_TX_RB_FULL], (unsigned long long)send_errors,
		(unsigned long long)gen_dropped,
		(unsigned long long)(sc->tx_open ? sender_stamps_user(&sc->tx) : 0));
	fprintf(s, "\"window\":%u,\"bytes_per_target\":%zu,\"bytes_per_hop\":%zu,",
		sc->window, (size_t)SCAN_TARGET_BYTES, (size_t)SCAN_HOP_BYTES);
	/* backlog: the time probes were ready beyond the send queue, the
	 * silent-hop waits at the end left out; the rate then is the rate
	 * the scan drove the network at
	 */
	fprintf(s, "\"duration_s\":%.3f,\"rate_pps\":%.0f,\"backlog_s\":%.3f,"
		   "\"backlog_pps\":%.0f,\"interrupted\":%s}\n", dur,
		dur > 0 ? (double)sc->probes_sent / dur : 0.0, (double)sc->backlog_ns / 1e9,
		sc->backlog_ns ? (double)sc->backlog_probes * 1e9 / (double)sc->backlog_ns : 0.0,
		sc->interrupted ? "true" : "false");
	fflush(s);
}
