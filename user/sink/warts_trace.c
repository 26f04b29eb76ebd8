// SPDX-License-Identifier: GPL-2.0
/*
 * List, cycle and trace records in warts, written from warts(5). The
 * parameter numbers are the man page's; what scamper's readers assume
 * when a parameter is left out (a quoted TTL of 1, a quoted length equal
 * to the probe size, an IPID of 0) lets a trace leave those out too.
 */
#include <errno.h>
#include <string.h>
#include "core/probe_build.h"
#include "sink/warts_trace.h"

/* List parameters */
enum { LIST_DESCR = 1, LIST_MONITOR };
/* Cycle start parameters */
enum { CYCLE_STOP_TIME = 1, CYCLE_HOSTNAME };

/* Trace parameters (3 and 4, global address ids, are deprecated) */
enum {
	T_LIST_ID = 1,
	T_CYCLE_ID = 2,
	T_START = 5,
	T_STOP_REASON,
	T_STOP_DATA,
	T_FLAGS8,
	T_ATTEMPTS,
	T_HOPLIMIT,
	T_TYPE,
	T_PROBE_SIZE,
	T_SPORT,
	T_DPORT,
	T_FIRSTHOP,
	T_TOS,
	T_WAIT,
	T_LOOPS,
	T_HOP_COUNT,
	T_GAPLIMIT,
	T_GAPACTION,
	T_LOOPACTION,
	T_PROBEC,
	T_WAITPROBE,
	T_CONFIDENCE,
	T_SRC,
	T_DST,
};

/* Hop parameters (1, a global address id, is deprecated) */
enum {
	H_PROBE_TTL = 2,
	H_REPLY_TTL,
	H_FLAGS,
	H_PROBE_ID,
	H_RTT,
	H_ICMP_TC,
	H_PROBE_SIZE,
	H_REPLY_SIZE,
	H_REPLY_IPID,
	H_REPLY_TOS,
	H_NHMTU,
	H_Q_IPLEN,
	H_Q_TTL,
	H_TCP_FLAGS,
	H_Q_TOS,
	H_ICMPEXT,
	H_ADDR,
	H_TX,
};

/* Trace flags (parameter 8) */
#define TF_ICMPCSUMDP 0x20 /* the ICMP checksum is in the dport field */
/* Hop flags (parameter 4) */
#define HF_REPLY_TTL 0x10 /* the reply TTL is known */
#define HF_TCP 0x20	  /* the answer is TCP, not ICMP */

#define END_OF_TRACE 0x0000

void warts_enc_free(struct warts_enc *e)
{
	warts_params_free(&e->par);
	warts_addrs_free(&e->addrs);
}

int warts_trace_type(int method)
{
	switch (method) {
	case METHOD_UDP:
		return WARTS_TT_UDP_PARIS;
	case METHOD_TCP:
		return WARTS_TT_TCP;
	default:
		return WARTS_TT_ICMP_ECHO_PARIS;
	}
}

int warts_stop_reason(int stop_reason)
{
	/* scamper: none, completed, unreach, icmp, loop, gaplimit, error,
	 * hoplimit, gss, halted. An interrupted trace is "NONE" in xhop's
	 * JSON, so it is here too.
	 */
	static const __u8 code[] = {
		[STOP_NONE] = 0,     [STOP_COMPLETED] = 1, [STOP_UNREACH] = 2,
		[STOP_ICMP] = 3,     [STOP_LOOP] = 4,	   [STOP_GAPLIMIT] = 5,
		[STOP_HOPLIMIT] = 7, [STOP_ERROR] = 6,	   [STOP_INTERRUPTED] = 0,
	};

	if (stop_reason < 0 || stop_reason > STOP_INTERRUPTED)
		return 6;
	return code[stop_reason];
}

int warts_list_put(struct warts_enc *e, struct warts_buf *out, __u32 id, __u32 human_id,
		   const char *name, const char *descr, const char *monitor)
{
	size_t at = warts_obj_begin(out, WARTS_LIST);
	int err;

	warts_put_u32(out, id);
	warts_put_u32(out, human_id);
	warts_put_str(out, name);
	warts_params_begin(&e->par);
	if (descr)
		warts_param_str(&e->par, LIST_DESCR, descr);
	if (monitor)
		warts_param_str(&e->par, LIST_MONITOR, monitor);
	err = warts_params_end(&e->par, out);
	warts_obj_end(out, at);
	return err;
}

int warts_cycle_start_put(struct warts_enc *e, struct warts_buf *out, __u32 id, __u32 list_id,
			  __u32 human_id, __u32 start_sec, const char *hostname)
{
	size_t at = warts_obj_begin(out, WARTS_CYCLE_START);
	int err;

	warts_put_u32(out, id);
	warts_put_u32(out, list_id);
	warts_put_u32(out, human_id);
	warts_put_u32(out, start_sec);
	warts_params_begin(&e->par);
	if (hostname)
		warts_param_str(&e->par, CYCLE_HOSTNAME, hostname);
	err = warts_params_end(&e->par, out);
	warts_obj_end(out, at);
	return err;
}

int warts_cycle_stop_put(struct warts_enc *e, struct warts_buf *out, __u32 id, __u32 stop_sec)
{
	size_t at = warts_obj_begin(out, WARTS_CYCLE_STOP);
	int err;

	warts_put_u32(out, id);
	warts_put_u32(out, stop_sec);
	warts_params_begin(&e->par);
	err = warts_params_end(&e->par, out); /* no flags: one zero byte */
	warts_obj_end(out, at);
	return err;
}

static __u8 clamp_u8(long v)
{
	return v < 0 ? 0 : v > 255 ? 255 : (__u8)v;
}

static __u16 clamp_u16(unsigned long long v)
{
	return v > 0xffff ? 0xffff : (__u16)v;
}

/* The highest TTL answered: a reader refuses a hop count below it */
static int max_ttl_of(const struct trace_rec *t)
{
	int max = 0;

	for (int i = 0; i < t->nhops; i++)
		if (t->hops[i].ttl > max)
			max = t->hops[i].ttl;
	return max;
}

static int trace_params(struct warts_enc *e, struct warts_buf *out, const struct trace_rec *t,
			__u32 list_id, __u32 cycle_id)
{
	const struct trace_head *h = &t->h;
	struct warts_params *p = &e->par;
	int hop_count = h->hop_count, max_ttl = max_ttl_of(t);
	/* warts keeps whole seconds of wait; xhop's JSON prints the option */
	long wait = (long)(h->wait_s + 0.5);

	if (hop_count < max_ttl)
		hop_count = max_ttl;
	warts_params_begin(p);
	if (list_id)
		warts_param_u32(p, T_LIST_ID, list_id);
	if (cycle_id)
		warts_param_u32(p, T_CYCLE_ID, cycle_id);
	warts_param_timeval(p, T_START, (__u32)h->start.tv_sec, (__u32)(h->start.tv_nsec / 1000));
	warts_param_u8(p, T_STOP_REASON, (__u8)warts_stop_reason(h->stop_reason));
	warts_param_u8(p, T_STOP_DATA, clamp_u8(h->stop_data));
	if (h->method == METHOD_ICMP)
		warts_param_u8(p, T_FLAGS8, TF_ICMPCSUMDP);
	warts_param_u8(p, T_ATTEMPTS, clamp_u8(h->attempts));
	warts_param_u8(p, T_HOPLIMIT, clamp_u8(h->hoplimit));
	warts_param_u8(p, T_TYPE, (__u8)warts_trace_type(h->method));
	warts_param_u16(p, T_PROBE_SIZE, clamp_u16((unsigned long long)h->probe_size));
	/* ICMP: the flow's constant checksum where the dport goes */
	if (h->method != METHOD_ICMP)
		warts_param_u16(p, T_SPORT, h->sport);
	warts_param_u16(p, T_DPORT, h->method == METHOD_ICMP ? h->icmp_sum : h->dport);
	warts_param_u8(p, T_FIRSTHOP, clamp_u8(h->firsthop));
	warts_param_u8(p, T_TOS, clamp_u8(h->tos));
	warts_param_u8(p, T_WAIT, clamp_u8(wait));
	warts_param_u16(p, T_HOP_COUNT, (__u16)hop_count);
	warts_param_u16(p, T_PROBEC, clamp_u16(h->probe_count));
	warts_param_addr(p, T_SRC, &e->addrs, &h->src);
	warts_param_addr(p, T_DST, &e->addrs, &h->dst);
	return warts_params_end(p, out);
}

/* scamper's "ICMP with a quotation": v4 unreachable or time exceeded,
 * v6 unreachable, packet too big or time exceeded
 */
static int quotes(const struct hop_reply *r, int v4)
{
	if (r->kind == XHOP_EV_TCP)
		return 0;
	if (v4)
		return r->icmp_type == 3 || r->icmp_type == 11;
	return r->icmp_type >= 1 && r->icmp_type <= 3;
}

static int hop_put(struct warts_enc *e, struct warts_buf *out, const struct trace_head *h,
		   const struct probe_rec *pr)
{
	const struct hop_reply *r = &pr->reply;
	struct warts_params *p = &e->par;
	int tcp = r->kind == XHOP_EV_TCP, v4 = IN6_IS_ADDR_V4MAPPED(&r->from);
	__s64 rtt_ns = probe_rec_rtt_ns(pr);

	warts_params_begin(p);
	warts_param_u8(p, H_PROBE_TTL, pr->ttl);
	warts_param_u8(p, H_REPLY_TTL, r->reply_ttl);
	warts_param_u8(p, H_FLAGS, HF_REPLY_TTL | (tcp ? HF_TCP : 0));
	warts_param_u8(p, H_PROBE_ID, pr->attempt); /* 0-based: probe_id - 1 */
	/* rounded to the microsecond as the JSON's milliseconds are */
	if (rtt_ns >= 0)
		warts_param_u32(p, H_RTT, (__u32)(((__u64)rtt_ns + 500) / 1000));
	if (!tcp)
		warts_param_u16(p, H_ICMP_TC, (__u16)(r->icmp_type << 8 | r->icmp_code));
	warts_param_u16(p, H_PROBE_SIZE, clamp_u16((unsigned long long)h->probe_size));
	warts_param_u16(p, H_REPLY_SIZE, r->ip_len);
	if (r->ipid)
		warts_param_u16(p, H_REPLY_IPID, r->ipid);
	warts_param_u8(p, H_REPLY_TOS, r->reply_tos);
	if (quotes(r, v4) && r->q_ipl != h->probe_size)
		warts_param_u16(p, H_Q_IPLEN, r->q_ipl);
	if (quotes(r, v4) && r->q_ttl != 1)
		warts_param_u8(p, H_Q_TTL, r->q_ttl);
	if (tcp)
		warts_param_u8(p, H_TCP_FLAGS, r->tcp_flags);
	if (quotes(r, v4) && v4)
		warts_param_u8(p, H_Q_TOS, r->q_tos);
	if (r->mpls_count)
		warts_param_mpls(p, H_ICMPEXT, r->mpls, r->mpls_count);
	warts_param_addr(p, H_ADDR, &e->addrs, &r->from);
	if (pr->tx_ns) {
		__u64 tx = pr->tx_ns + (__u64)h->real_offset_ns;

		warts_param_timeval(p, H_TX, (__u32)(tx / 1000000000ULL),
				    (__u32)(tx % 1000000000ULL / 1000));
	}
	return warts_params_end(p, out);
}

int warts_trace_put(struct warts_enc *e, struct warts_buf *out, const struct trace_rec *t,
		    __u32 list_id, __u32 cycle_id)
{
	size_t at = warts_obj_begin(out, WARTS_TRACE);
	int err;

	if (t->nhops > 0xffff)
		return -E2BIG;
	/* addresses are defined once per record: a new table for each */
	warts_addrs_reset(&e->addrs);
	err = trace_params(e, out, t, list_id, cycle_id);
	warts_put_u16(out, (__u16)t->nhops);
	/* by TTL, then attempt: a reader groups consecutive hops of a TTL */
	for (int i = 0; !err && i < t->nhops; i++)
		err = hop_put(e, out, &t->h, &t->hops[i]);
	warts_put_u16(out, END_OF_TRACE);
	warts_obj_end(out, at);
	err = err ? err : out->err;
	if (err && !out->err)
		out->len = at; /* no half record: the file stays readable */
	return err;
}
