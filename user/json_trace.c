// SPDX-License-Identifier: GPL-2.0
/*
 * scamper's trace JSON, so analysis code written for scamper reads xhop
 * unchanged: rtt in milliseconds, tx as {sec, usec}, answered probes only.
 */
#include <string.h>
#include "addr.h"
#include "json.h"
#include "json_trace.h"
#include "trace.h"
#include "xhop_proto.h"

static void put_time(FILE *out, const char *key, __u64 ns)
{
	fprintf(out, ",\"%s\":{\"sec\":%llu,\"usec\":%llu}", key,
		(unsigned long long)(ns / 1000000000ULL),
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

void json_trace_open(FILE *out, const struct json_trace_head *h)
{
	char src[ADDR_STRLEN], dst[ADDR_STRLEN], ftime[32];
	struct tm tm;

	localtime_r(&h->start.tv_sec, &tm);
	strftime(ftime, sizeof(ftime), "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(out, "{\"type\":\"trace\",\"version\":\"0.1\",\"userid\":0,\"method\":\"%s\",",
		trace_method_name(h->method));
	fprintf(out, "\"src\":\"%s\",\"dst\":\"%s\",", addr_str(h->src, src), addr_str(h->dst, dst));
	if (h->method == METHOD_ICMP)
		fprintf(out, "\"icmp_sum\":%u,", h->icmp_sum);
	else
		fprintf(out, "\"sport\":%u,\"dport\":%u,", h->sport, h->dport);
	fprintf(out, "\"stop_reason\":\"%s\",\"stop_data\":%d,", trace_stop_name(h->stop_reason),
		h->stop_data);
	fprintf(out, "\"start\":{\"sec\":%lld,\"usec\":%ld,\"ftime\":\"%s\"},",
		(long long)h->start.tv_sec, h->start.tv_nsec / 1000, ftime);
	fprintf(out, "\"hop_count\":%d,\"attempts\":%d,\"hoplimit\":%d,\"firsthop\":%d,",
		h->hop_count, h->attempts, h->hoplimit, h->firsthop);
	fprintf(out, "\"wait\":%g,\"wait_probe\":0,\"tos\":%d,\"probe_size\":%d,\"probe_count\":%llu,",
		h->wait_s, h->tos, h->probe_size, (unsigned long long)h->probe_count);
	fputs("\"hops\":[", out);
}

void json_trace_hop(FILE *out, const struct json_trace_head *h, const struct hop_reply *r,
		    const char *name, int ttl, int attempt, __u64 tx_ns, int first)
{
	char a[ADDR_STRLEN];

	if (!first)
		fputc(',', out);
	fprintf(out, "{\"addr\":\"%s\"", addr_str(&r->from, a));
	if (name) {
		fputs(",\"name\":", out);
		json_str(out, name);
	}
	fprintf(out, ",\"probe_ttl\":%d,\"probe_id\":%d,\"probe_size\":%d", ttl, attempt,
		h->probe_size);
	/* a send stamp can be missing (its ring was full): then no rtt */
	if (tx_ns) {
		put_time(out, "tx", tx_ns + h->real_offset_ns);
		/* rtt as scamper (ms, 3 decimals); rtt_ns keeps the kernel
		 * stamps' full resolution, which a microsecond rounds away
		 */
		if (r->rx_ns >= tx_ns) {
			__u64 rtt = r->rx_ns - tx_ns;

			fprintf(out, ",\"rtt\":%.3f,\"rtt_ns\":%llu", rtt / 1e6,
				(unsigned long long)rtt);
		}
	}
	fprintf(out, ",\"reply_ttl\":%u,\"reply_tos\":%u", r->reply_ttl, r->reply_tos);
	if (h->family == 4)
		fprintf(out, ",\"reply_ipid\":%u", r->ipid);
	fprintf(out, ",\"reply_size\":%u", r->ip_len);
	if (r->kind == XHOP_EV_TCP) {
		fprintf(out, ",\"tcp_flags\":%u", r->tcp_flags);
	} else {
		fprintf(out, ",\"icmp_type\":%u,\"icmp_code\":%u", r->icmp_type, r->icmp_code);
		if (r->kind != XHOP_EV_ECHO)
			fprintf(out, ",\"icmp_q_ttl\":%u,\"icmp_q_ipl\":%u,\"icmp_q_tos\":%u",
				r->q_ttl, r->q_ipl, r->q_tos);
	}
	if (r->mpls_count)
		put_mpls(out, r);
	fputc('}', out);
}

void json_trace_hops_end(FILE *out)
{
	fputc(']', out);
}

void hop_reply_from_event(struct hop_reply *r, const struct xhop_event *ev, int family)
{
	memcpy(&r->from, ev->from, 16);
	r->rx_ns = ev->ts_ns;
	r->kind = ev->kind;
	r->icmp_type = ev->icmp_type;
	r->icmp_code = ev->icmp_code;
	r->reply_ttl = ev->reply_ttl;
	r->reply_tos = ev->reply_tos;
	r->ip_len = ev->ip_len;
	r->ipid = ev->reply_ipid;
	r->q_ttl = ev->q_ttl;
	r->q_tos = ev->q_tos;
	r->q_ipl = ev->q_ipl;
	r->tcp_flags = ev->tcp_flags;
	r->mpls_count = ev->mpls_count > XHOP_MPLS_MAX ? XHOP_MPLS_MAX : ev->mpls_count;
	memcpy(r->mpls, ev->mpls, sizeof(r->mpls));
	r->verdict = reply_verdict_of(ev, family);
}
