// SPDX-License-Identifier: GPL-2.0
/*
 * scamper's trace object (as `scamper -O json` and sc_warts2json write
 * it), one per line, so analysis code written for scamper reads xhop
 * unchanged: rtt in milliseconds, tx as {sec, usec}, answered probes
 * only. One writer for xhop HOST and xhop scan.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/probe_build.h"
#include "net/addr.h"
#include "net/asn.h"
#include "net/resolve.h"
#include "sink/json.h"
#include "sink/trace_json.h"
#include "xhop_proto.h"

static void put_time(FILE *out, const char *key, __u64 ns)
{
	json_lit(out, key);
	json_key_uint(out, "{\"sec\":", ns / 1000000000ULL);
	json_key_uint(out, ",\"usec\":", ns % 1000000000ULL / 1000);
	json_lit(out, "}");
}

static void put_mpls(FILE *out, const struct hop_reply *r)
{
	/* RFC 4950 label stack entry: label 20 bits, TC 3, S 1, TTL 8 */
	json_key_uint(out, ",\"icmpext\":[{\"ie_cn\":", XHOP_ICMP_EXT_CLASS_MPLS);
	json_key_uint(out, ",\"ie_ct\":", XHOP_ICMP_EXT_CTYPE_MPLS);
	json_key_uint(out, ",\"ie_dl\":", r->mpls_count * 4u);
	json_lit(out, ",\"mpls_labels\":[");
	for (int i = 0; i < r->mpls_count; i++) {
		__u32 l = r->mpls[i];

		json_key_uint(out, i ? ",{\"mpls_ttl\":" : "{\"mpls_ttl\":", l & 0xff);
		json_key_uint(out, ",\"mpls_s\":", (l >> 8) & 1);
		json_key_uint(out, ",\"mpls_exp\":", (l >> 9) & 7);
		json_key_uint(out, ",\"mpls_label\":", l >> 12);
		json_lit(out, "}");
	}
	json_lit(out, "]}]");
}

/* "YYYY-mm-dd HH:MM:SS" local time; a scan starts thousands of traces a
 * second, so the last second's text is kept
 */
static const char *ftime_of(time_t sec)
{
	static char text[32];
	static time_t text_sec = -1;
	struct tm tm;

	if (sec != text_sec) {
		localtime_r(&sec, &tm);
		if (!strftime(text, sizeof(text), "%Y-%m-%d %H:%M:%S", &tm))
			text[0] = 0;
		text_sec = sec;
	}
	return text;
}

static void put_head(FILE *out, const struct trace_head *h)
{
	char a[ADDR_STRLEN];

	json_lit(out, "{\"type\":\"trace\",\"version\":\"0.1\",\"userid\":0,\"method\":\"");
	json_lit(out, method_name(h->method));
	json_lit(out, "\",\"src\":\"");
	json_lit(out, addr_str(&h->src, a));
	json_lit(out, "\",\"dst\":\"");
	json_lit(out, addr_str(&h->dst, a));
	json_lit(out, "\",");
	if (h->method == METHOD_ICMP) {
		json_key_uint(out, "\"icmp_sum\":", h->icmp_sum);
	} else {
		json_key_uint(out, "\"sport\":", h->sport);
		json_key_uint(out, ",\"dport\":", h->dport);
	}
	json_lit(out, ",\"stop_reason\":\"");
	json_lit(out, stop_reason_name(h->stop_reason));
	json_lit(out, "\",\"stop_data\":");
	json_int(out, h->stop_data);
	json_lit(out, ",\"start\":{\"sec\":");
	json_int(out, (long long)h->start.tv_sec);
	json_key_uint(out, ",\"usec\":", (unsigned long long)h->start.tv_nsec / 1000);
	json_lit(out, ",\"ftime\":\"");
	json_lit(out, ftime_of(h->start.tv_sec));
	json_lit(out, "\"},\"hop_count\":");
	json_int(out, h->hop_count);
	json_lit(out, ",\"attempts\":");
	json_int(out, h->attempts);
	json_lit(out, ",\"hoplimit\":");
	json_int(out, h->hoplimit);
	json_lit(out, ",\"firsthop\":");
	json_int(out, h->firsthop);
	fprintf(out, ",\"wait\":%g,\"wait_probe\":0,\"tos\":", h->wait_s);
	json_int(out, h->tos);
	json_lit(out, ",\"probe_size\":");
	json_int(out, h->probe_size);
	json_key_uint(out, ",\"probe_count\":", h->probe_count);
	json_lit(out, ",\"hops\":[");
}

static void put_hop(FILE *out, const struct trace_head *h, const struct probe_rec *p,
		    const char *name, int first)
{
	const struct hop_reply *r = &p->reply;
	__u64 tx_ns = p->tx_ns;
	char a[ADDR_STRLEN];

	json_lit(out, first ? "{\"addr\":\"" : ",{\"addr\":\"");
	json_lit(out, addr_str(&r->from, a));
	json_lit(out, "\"");
	if (name) {
		json_lit(out, ",\"name\":");
		json_str(out, name);
	}
	json_lit(out, ",\"probe_ttl\":");
	json_int(out, p->ttl);
	json_lit(out, ",\"probe_id\":");
	json_int(out, p->attempt + 1);
	json_lit(out, ",\"probe_size\":");
	json_int(out, h->probe_size);
	/* a send stamp can be missing (its ring was full): then no rtt */
	if (tx_ns) {
		put_time(out, ",\"tx\":", tx_ns + h->real_offset_ns);
		/* rtt as scamper (ms, 3 decimals, rounded); rtt_ns keeps the
		 * kernel stamps' full resolution, which a microsecond rounds away
		 */
		if (r->rx_ns >= tx_ns) {
			__u64 rtt = r->rx_ns - tx_ns;

			json_lit(out, ",\"rtt\":");
			json_milli(out, (rtt + 500) / 1000);
			json_key_uint(out, ",\"rtt_ns\":", rtt);
		}
	}
	json_key_uint(out, ",\"reply_ttl\":", r->reply_ttl);
	json_key_uint(out, ",\"reply_tos\":", r->reply_tos);
	if (h->family == 4)
		json_key_uint(out, ",\"reply_ipid\":", r->ipid);
	json_key_uint(out, ",\"reply_size\":", r->ip_len);
	if (r->kind == XHOP_EV_TCP) {
		json_key_uint(out, ",\"tcp_flags\":", r->tcp_flags);
	} else {
		json_key_uint(out, ",\"icmp_type\":", r->icmp_type);
		json_key_uint(out, ",\"icmp_code\":", r->icmp_code);
		if (r->kind != XHOP_EV_ECHO) {
			json_key_uint(out, ",\"icmp_q_ttl\":", r->q_ttl);
			json_key_uint(out, ",\"icmp_q_ipl\":", r->q_ipl);
			json_key_uint(out, ",\"icmp_q_tos\":", r->q_tos);
		}
	}
	if (r->mpls_count)
		put_mpls(out, r);
	if (p->asn.n) {
		/* the first origin as "asn", as mtr's one AS column shows it */
		json_key_uint(out, ",\"asn\":", p->asn.asn[0]);
		if (p->asn.n > 1) {
			json_lit(out, ",\"asns\":[");
			for (int i = 0; i < p->asn.n; i++)
				json_key_uint(out, i ? "," : "", p->asn.asn[i]);
			json_lit(out, "]");
		}
	}
	json_lit(out, "}");
}

/* The hops below a Doubletree stop, as the stop set knew them (xhop scan) */
static void put_inferred(FILE *out, const struct trace_rec *t)
{
	char a[ADDR_STRLEN];

	json_lit(out, ",\"doubletree\":{\"stop_ttl\":");
	json_int(out, t->dt_stop_ttl);
	json_lit(out, ",\"stop_addr\":\"");
	json_lit(out, addr_str(&t->dt_stop_addr, a));
	json_lit(out, "\"},\"inferred_hops\":[");
	for (int i = 0; i < t->ninferred; i++) {
		json_lit(out, i ? ",{\"addr\":\"" : "{\"addr\":\"");
		json_lit(out, addr_str(&t->inferred[i].addr, a));
		json_lit(out, "\",\"probe_ttl\":");
		json_int(out, t->inferred[i].ttl);
		json_lit(out, "}");
	}
	json_lit(out, "]");
}

void trace_json_write(FILE *out, const struct trace_rec *t, struct resolver *res)
{
	put_head(out, &t->h);
	for (int i = 0; i < t->nhops; i++) {
		const char *name = NULL;

		if (res)
			resolver_ptr_get(res, &t->hops[i].reply.from, &name);
		put_hop(out, &t->h, &t->hops[i], name, i == 0);
	}
	json_lit(out, "]");
	if (t->dt_stop_ttl)
		put_inferred(out, t);
	json_lit(out, "}");
}


/* Ask for the names and ASes of these probes' responders, the ASes
 * answered so far into p; 1 once all are known
 */
static int names_ready(struct trace_json_sink *j, struct probe_rec *p, int n)
{
	struct resolver *res = j->res;
	int ready = asn_annotate(j->asn, p, n);

	for (int i = 0; res && i < n; i++) {
		const char *name;

		if (!p[i].answered)
			continue;
		resolver_ptr_start(res, &p[i].reply.from);
		if (!resolver_ptr_get(res, &p[i].reply.from, &name))
			ready = 0;
	}
	return ready;
}

static void write_held(struct trace_json_sink *j)
{
	trace_json_write(j->out, &j->rec, j->res);
	fputc('\n', j->out);
	fflush(j->out);
	j->held = 0;
	free(j->hops);
	j->hops = NULL;
}

static void json_sink_record(void *st, const struct record *rec)
{
	struct trace_json_sink *j = st;
	size_t len;

	if (rec->kind == REC_TTL) {
		struct ttl_rec ttl = *rec->ttl; /* a copy: the lookups start, the record stays */

		names_ready(j, ttl.q, ttl.queries);
		return;
	}
	if (rec->kind != REC_TRACE)
		return;
	/* the record lives until the planner's next one: keep a copy */
	j->rec = *rec->trace;
	len = sizeof(*j->hops) * (size_t)(j->rec.nhops ? j->rec.nhops : 1);
	j->hops = malloc(len);
	if (j->hops)
		memcpy(j->hops, rec->trace->hops, sizeof(*j->hops) * (size_t)j->rec.nhops);
	else
		j->rec.nhops = 0; /* out of memory: the head, without hops */
	j->rec.hops = j->hops;
	j->held = 1;
	j->held_until = clock_mono_ns() + j->name_wait_ns;
	if (names_ready(j, j->hops, j->rec.nhops))
		write_held(j);
}

static void json_sink_tick(void *st, __u64 now)
{
	struct trace_json_sink *j = st;

	if (j->held && (names_ready(j, j->hops, j->rec.nhops) || now >= j->held_until))
		write_held(j);
}

static __u64 json_sink_wake_at(void *st, __u64 now)
{
	struct trace_json_sink *j = st;

	(void)now;
	return j->held ? j->held_until : 0;
}

static int json_sink_busy(void *st)
{
	return ((struct trace_json_sink *)st)->held;
}

static int json_sink_close(void *st)
{
	struct trace_json_sink *j = st;

	if (j->held) {
		names_ready(j, j->hops, j->rec.nhops); /* the ASes answered by now */
		write_held(j); /* cut short: the names known by now */
	}
	return 0;
}

static const struct sink_ops trace_json_ops = {
	.name = "trace json",
	.record = json_sink_record,
	.tick = json_sink_tick,
	.wake_at = json_sink_wake_at,
	.busy = json_sink_busy,
	.close = json_sink_close,
};

struct sink trace_json_sink(struct trace_json_sink *j, FILE *out, struct resolver *res,
			    struct asn_lookup *asn, __u64 name_wait_ns)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
	j->res = res;
	j->asn = asn;
	j->name_wait_ns = name_wait_ns;
	return (struct sink){ .ops = &trace_json_ops, .st = j };
}
