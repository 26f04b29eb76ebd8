// SPDX-License-Identifier: GPL-2.0
#include "core/probe_build.h"
#include "net/addr.h"
#include "sink/ch_rows.h"
#include "sink/json.h"

/* What every row begins with: who, which batch, which probe flow */
static void put_common(FILE *out, const struct ch_ident *id, const char *batch_id,
		       const struct trace_head *h)
{
	char a[ADDR_STRLEN];

	json_lit(out, "{\"measurement\":");
	json_str(out, id->measurement);
	json_lit(out, ",\"vantage\":");
	json_str(out, id->vantage);
	json_lit(out, ",\"batch_id\":\"");
	json_lit(out, batch_id); /* hex: nothing to escape */
	json_lit(out, "\",\"probe_src\":\"");
	json_lit(out, addr_str(&h->src, a));
	json_lit(out, "\",\"probe_dst\":\"");
	json_lit(out, addr_str(&h->dst, a));
	json_lit(out, "\",\"probe_method\":\"");
	json_lit(out, method_name(h->method));
	json_key_uint(out, "\",\"probe_flow\":", h->method == METHOD_ICMP ? h->icmp_sum : h->sport);
	json_key_uint(out, ",\"probe_dport\":", h->method == METHOD_ICMP ? 0 : h->dport);
}

/* A kernel stamp (CLOCK_MONOTONIC) as Unix ns; 0 stays 0 (unknown) */
static unsigned long long unix_ns(__u64 mono_ns, __s64 offset_ns)
{
	return mono_ns ? (unsigned long long)((__s64)mono_ns + offset_ns) : 0;
}

static void put_reply(FILE *out, const struct ch_ident *id, const char *batch_id,
		      const struct trace_head *h, const struct probe_rec *p)
{
	const struct hop_reply *r = &p->reply;
	__s64 rtt_ns = probe_rec_rtt_ns(p);
	char a[ADDR_STRLEN];

	put_common(out, id, batch_id, h);
	json_key_uint(out, ",\"probe_ttl\":", p->ttl);
	json_key_uint(out, ",\"probe_attempt\":", p->attempt);
	json_key_uint(out, ",\"probe_size\":", (unsigned)h->probe_size);
	json_key_uint(out, ",\"probe_tx_ns\":", unix_ns(p->tx_ns, h->real_offset_ns));
	json_lit(out, ",\"reply_src\":\"");
	json_lit(out, addr_str(&r->from, a));
	json_key_uint(out, "\",\"reply_rx_ns\":", unix_ns(r->rx_ns, h->real_offset_ns));
	/* a TCP answer has no ICMP type: 0 and 0, its flags apart */
	json_key_uint(out, ",\"reply_icmp_type\":", r->kind == XHOP_EV_TCP ? 0 : r->icmp_type);
	json_key_uint(out, ",\"reply_icmp_code\":", r->kind == XHOP_EV_TCP ? 0 : r->icmp_code);
	json_key_uint(out, ",\"reply_tcp_flags\":", r->kind == XHOP_EV_TCP ? r->tcp_flags : 0);
	json_key_uint(out, ",\"reply_ttl\":", r->reply_ttl);
	json_key_uint(out, ",\"reply_tos\":", r->reply_tos);
	json_key_uint(out, ",\"reply_size\":", r->ip_len);
	json_lit(out, ",\"reply_mpls_labels\":[");
	/* RFC 4950 stack entries: the label is the top 20 bits */
	for (int i = 0; i < r->mpls_count && i < XHOP_MPLS_MAX; i++)
		json_key_uint(out, i ? "," : "", r->mpls[i] >> 12);
	json_lit(out, "],\"rtt\":");
	/* the JSON output's rtt: ms from the kernel stamps, to the microsecond */
	if (rtt_ns >= 0)
		json_milli(out, ((unsigned long long)rtt_ns + 500) / 1000);
	else
		json_lit(out, "-1");
	json_lit(out, "}\n");
}

int ch_rows_replies(FILE *out, const struct ch_ident *id, const char *batch_id,
		    const struct trace_rec *t)
{
	for (int i = 0; i < t->nhops; i++)
		put_reply(out, id, batch_id, &t->h, &t->hops[i]);
	return t->nhops;
}

void ch_row_target(FILE *out, const struct ch_ident *id, const char *batch_id,
		   const struct trace_rec *t)
{
	const struct trace_head *h = &t->h;

	put_common(out, id, batch_id, h);
	json_key_uint(out, ",\"start_ns\":",
		      (unsigned long long)h->start.tv_sec * 1000000000ULL +
			      (unsigned long long)h->start.tv_nsec);
	json_lit(out, ",\"stop_reason\":\"");
	json_lit(out, stop_reason_name(h->stop_reason));
	json_lit(out, "\",\"stop_data\":");
	json_int(out, h->stop_data);
	json_key_uint(out, ",\"hop_count\":", (unsigned)h->hop_count);
	json_key_uint(out, ",\"replies\":", (unsigned)t->nhops);
	json_key_uint(out, ",\"probe_count\":", h->probe_count);
	json_lit(out, "}\n");
}
