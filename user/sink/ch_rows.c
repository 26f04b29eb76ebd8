// SPDX-License-Identifier: GPL-2.0
#include "core/probe_build.h"
#include "net/addr.h"
#include "sink/ch_rows.h"
#include "sink/json.h"

/* TabSeparated's escapes: a tab or a newline inside a value would end it */
static void tsv_str(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '\t': fputs_unlocked("\\t", out); break;
		case '\n': fputs_unlocked("\\n", out); break;
		case '\r': fputs_unlocked("\\r", out); break;
		case '\\': fputs_unlocked("\\\\", out); break;
		default: fputc_unlocked(*s, out);
		}
	}
}

/* A number, then the tab before the next column (numbers without printf:
 * a scan writes hundreds of thousands of rows a second)
 */
static void num(FILE *out, unsigned long long v)
{
	json_uint(out, v);
	fputc_unlocked('\t', out);
}

static void text(FILE *out, const char *s)
{
	fputs_unlocked(s, out);
	fputc_unlocked('\t', out);
}

/* What every row begins with: who, which batch, which probe flow */
static void put_common(FILE *out, const struct ch_ident *id, const char *batch_id,
		       const struct trace_head *h)
{
	char a[ADDR_STRLEN];

	tsv_str(out, id->measurement);
	fputc_unlocked('\t', out);
	tsv_str(out, id->vantage);
	fputc_unlocked('\t', out);
	text(out, batch_id); /* hex, addresses, method names: nothing to escape */
	text(out, addr_str(&h->src, a));
	text(out, addr_str(&h->dst, a));
	text(out, method_name(h->method));
	num(out, h->method == METHOD_ICMP ? h->icmp_sum : h->sport);
	num(out, h->method == METHOD_ICMP ? 0 : h->dport);
}

/* A kernel stamp (CLOCK_MONOTONIC) as Unix ns; 0 stays 0 (unknown) */
static unsigned long long unix_ns(__u64 mono_ns, __s64 offset_ns)
{
	return mono_ns ? (unsigned long long)((__s64)mono_ns + offset_ns) : 0;
}

static void put_reply(FILE *out, const char *common, size_t clen, const struct trace_head *h,
		      const struct probe_rec *p)
{
	const struct hop_reply *r = &p->reply;
	__s64 rtt_ns = probe_rec_rtt_ns(p);
	char a[ADDR_STRLEN];

	fwrite_unlocked(common, 1, clen, out);
	num(out, p->ttl);
	num(out, p->attempt);
	num(out, (unsigned)h->probe_size);
	num(out, unix_ns(p->tx_ns, h->real_offset_ns));
	text(out, addr_str(&r->from, a));
	num(out, unix_ns(r->rx_ns, h->real_offset_ns));
	/* a TCP answer has no ICMP type: 0 and 0, its flags apart */
	num(out, r->kind == XHOP_EV_TCP ? 0 : r->icmp_type);
	num(out, r->kind == XHOP_EV_TCP ? 0 : r->icmp_code);
	num(out, r->kind == XHOP_EV_TCP ? r->tcp_flags : 0);
	num(out, r->reply_ttl);
	num(out, r->reply_tos);
	num(out, r->ip_len);
	fputc_unlocked('[', out);
	/* RFC 4950 stack entries: the label is the top 20 bits */
	for (int i = 0; i < r->mpls_count && i < XHOP_MPLS_MAX; i++) {
		if (i)
			fputc_unlocked(',', out);
		json_uint(out, r->mpls[i] >> 12);
	}
	fputs_unlocked("]\t", out);
	/* the JSON output's rtt: ms from the kernel stamps, to the microsecond */
	if (rtt_ns >= 0)
		json_milli(out, ((unsigned long long)rtt_ns + 500) / 1000);
	else
		fputs_unlocked("-1", out);
	fputc_unlocked('\n', out);
}

int ch_rows_replies(FILE *out, const struct ch_ident *id, const char *batch_id,
		    const struct trace_rec *t)
{
	/* the columns every row of the trace shares, formatted once */
	char common[1024];
	FILE *f = fmemopen(common, sizeof(common), "w");
	long clen;

	if (!f)
		return 0;
	put_common(f, id, batch_id, &t->h);
	clen = ftell(f);
	fclose(f);
	for (int i = 0; i < t->nhops; i++)
		put_reply(out, common, (size_t)clen, &t->h, &t->hops[i]);
	return t->nhops;
}

void ch_row_target(FILE *out, const struct ch_ident *id, const char *batch_id,
		   const struct trace_rec *t)
{
	const struct trace_head *h = &t->h;

	put_common(out, id, batch_id, h);
	num(out, (unsigned long long)h->start.tv_sec * 1000000000ULL +
			 (unsigned long long)h->start.tv_nsec);
	text(out, stop_reason_name(h->stop_reason));
	json_int(out, h->stop_data);
	fputc_unlocked('\t', out);
	num(out, (unsigned)h->hop_count);
	num(out, (unsigned)t->nhops);
	json_uint(out, h->probe_count);
	fputc_unlocked('\n', out);
}
