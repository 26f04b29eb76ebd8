// SPDX-License-Identifier: GPL-2.0
/*
 * scamper's trace JSON (as `scamper -O json` and sc_warts2json write it),
 * so analysis code written for scamper reads xhop unchanged: one object
 * per line, rtt in milliseconds, tx as {sec, usec}, answered probes only.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "addr.h"
#include "json.h"
#include "output.h"
#include "xhop_proto.h"

static void put_time(FILE *out, const char *key, __u64 ns)
{
	fprintf(out, ",\"%s\":{\"sec\":%llu,\"usec\":%llu}", key, (unsigned long long)(ns / 1000000000ULL),
		(unsigned long long)(ns % 1000000000ULL / 1000));
}

static void put_mpls(FILE *out, const struct hop_reply *r)
{
	/* RFC 4950 label stack entry: label 20 bits, TC 3, S 1, TTL 8 */
	fprintf(out, ",\"icmpext\":[{\"ie_cn\":%d,\"ie_ct\":%d,\"ie_dl\":%d,\"mpls_labels\":[",
		XHOP_ICMP_EXT_CLASS_MPLS, XHOP_ICMP_EXT_CTYPE_MPLS, r->mpls_count * 4);
	for (int i = 0; i < r->mpls_count; i++) {
		__u32 l = r->mpls[i];

		fprintf(out, "%s{\"mpls_ttl\":%u,\"mpls_s\":%u,\"mpls_exp\":%u,\"mpls_label\":%u}",
			i ? "," : "", l & 0xff, (l >> 8) & 1, (l >> 9) & 7, l >> 12);
	}
	fputs("]}]", out);
}

static void put_hop(FILE *out, const struct trace *t, const struct hop_probe *pr)
{
	const struct hop_reply *r = &pr->reply;
	const char *name = trace_name_of(t, &r->from);
	char a[ADDR_STRLEN];
	__s64 rtt = hop_probe_rtt_ns(pr);

	fprintf(out, "{\"addr\":\"%s\"", addr_str(&r->from, a));
	if (name) {
		fputs(",\"name\":", out);
		json_str(out, name);
	}
	fprintf(out, ",\"probe_ttl\":%u,\"probe_id\":%u,\"probe_size\":%d", pr->ttl,
		pr->attempt + 1, t->probe_size);
	if (pr->tx_ns) /* the send stamp can be lost (stamp ring full) */
		put_time(out, "tx", pr->tx_ns + t->real_offset_ns);
	/* rtt as scamper (ms, 3 decimals); rtt_ns keeps the kernel stamps'
	 * full resolution, which a microsecond rounds away
	 */
	if (rtt >= 0)
		fprintf(out, ",\"rtt\":%.3f,\"rtt_ns\":%lld", rtt / 1e6, (long long)rtt);
	fprintf(out, ",\"reply_ttl\":%u,\"reply_tos\":%u", r->reply_ttl, r->reply_tos);
	if (t->family == 4)
		fprintf(out, ",\"reply_ipid\":%u", r->ipid);
	fprintf(out, ",\"reply_size\":%u", r->ip_len);
	if (r->kind == XHOP_EV_TCP) {
		fprintf(out, ",\"tcp_flags\":%u", r->tcp_flags);
	} else {
		fprintf(out, ",\"icmp_type\":%u,\"icmp_code\":%u", r->icmp_type, r->icmp_code);
		if (r->kind != XHOP_EV_ECHO)
			fprintf(out, ",\"icmp_q_ttl\":%u,\"icmp_q_ipl\":%u,\"icmp_q_tos\":%u", r->q_ttl,
				r->q_ipl, r->q_tos);
	}
	if (r->mpls_count)
		put_mpls(out, r);
	fputc('}', out);
}

void output_json_trace(FILE *out, const struct trace *t)
{
	struct path *p = (struct path *)&t->path;
	char src[ADDR_STRLEN], dst[ADDR_STRLEN], ftime[32];
	struct tm tm;
	int first = 1;

	localtime_r(&t->start.tv_sec, &tm);
	strftime(ftime, sizeof(ftime), "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(out, "{\"type\":\"trace\",\"version\":\"0.1\",\"userid\":0,\"method\":\"%s\",",
		trace_method_name(t->o->method));
	fprintf(out, "\"src\":\"%s\",\"dst\":\"%s\",", addr_str(&t->src, src), addr_str(&t->dst, dst));
	if (t->o->method == METHOD_ICMP)
		fprintf(out, "\"icmp_sum\":%u,", t->icmp_sum);
	else
		fprintf(out, "\"sport\":%u,\"dport\":%u,", t->sport, t->dport);
	fprintf(out, "\"stop_reason\":\"%s\",\"stop_data\":%d,", trace_stop_name(t->stop_reason),
		t->stop_data);
	fprintf(out, "\"start\":{\"sec\":%lld,\"usec\":%ld,\"ftime\":\"%s\"},",
		(long long)t->start.tv_sec, t->start.tv_nsec / 1000, ftime);
	fprintf(out, "\"hop_count\":%d,\"attempts\":%d,\"hoplimit\":%d,\"firsthop\":%d,",
		t->last_ttl, p->queries, p->max_ttl, p->first_ttl);
	fprintf(out, "\"wait\":%g,\"wait_probe\":0,\"tos\":%d,\"probe_size\":%d,\"probe_count\":%llu,",
		t->o->wait_s, t->o->tos, t->probe_size, (unsigned long long)t->probes_sent);
	fputs("\"hops\":[", out);
	for (int ttl = p->first_ttl; t->last_ttl && ttl <= t->last_ttl; ttl++) {
		for (int q = 0; q < p->queries; q++) {
			const struct hop_probe *pr = path_probe(p, ttl, q);

			if (pr->state != PROBE_ANSWERED)
				continue;
			if (!first)
				fputc(',', out);
			first = 0;
			put_hop(out, t, pr);
		}
	}
	fputs("]}", out);
}

static void json_start(void *ctx, const struct trace *t)
{
	(void)ctx;
	(void)t;
}

static void json_hop(void *ctx, const struct trace *t, int ttl)
{
	(void)ctx;
	(void)t;
	(void)ttl;
}

static void json_end(void *ctx, const struct trace *t)
{
	FILE *out = ctx;

	output_json_trace(out, t);
	fputc('\n', out);
	fflush(out);
}

void output_json_renderer(struct trace_renderer *r, FILE *out)
{
	r->start = json_start;
	r->hop = json_hop;
	r->end = json_end;
	r->ctx = out;
}
