// SPDX-License-Identifier: GPL-2.0
/*
 * A tracelb record in warts (sink/warts_tracelb.h), written from what
 * scamper's tracelb reader expects, never from its code. The object is:
 *
 *   flags+params of the trace   (ids below: T_*)
 *   nodec nodes, each flags+params        (N_*)
 *   linkc links, each flags+params        (L_*), then hopc probe sets:
 *     flags+params                        (S_*), then probec probes:
 *       flags+params                      (P_*), then rxc replies:
 *         flags+params                    (R_*)
 *
 * What scamper 20211212's reader refuses, and so never written: a record
 * without src or dst, a node without an address, a link naming a node
 * past nodec, a node whose linkc is not the number of links from it.
 * Its reader hands links to nodes in file order, and sc_warts2json
 * prints only the nodes with links; the nodes without (the destination)
 * are still counted in nodec.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "core/probe_build.h"
#include "sink/warts_tracelb.h"

/* Trace parameters (3 and 4, global address ids, are deprecated) */
enum {
	T_LIST_ID = 1,
	T_CYCLE_ID,
	T_START = 5,
	T_SPORT,
	T_DPORT,
	T_PROBE_SIZE,
	T_TYPE,
	T_FIRSTHOP,
	T_WAIT_TIMEOUT,
	T_WAIT_PROBE,
	T_ATTEMPTS,
	T_CONFIDENCE,
	T_TOS,
	T_NODEC,
	T_LINKC,
	T_PROBEC,
	T_PROBEC_MAX,
	T_GAPLIMIT,
	T_SRC,
	T_DST,
};

/* Node parameters (1, a global address id, is deprecated; 4 the quoted TTL) */
enum { N_FLAGS = 2, N_LINKC, N_QTTL, N_ADDR };
/* Link parameters */
enum { L_FROM = 1, L_TO, L_HOPC };
/* Probe set parameters */
enum { S_PROBEC = 1 };
/* Probe parameters */
enum { P_TX = 1, P_FLOWID, P_TTL, P_ATTEMPT, P_RXC };
/* Reply parameters (10, a global address id, is deprecated) */
enum {
	R_RX = 1,
	R_IPID,
	R_TTL,
	R_FLAGS,
	R_ICMP_TC,
	R_TCP_FLAGS,
	R_ICMP_EXT,
	R_Q_TTL,
	R_Q_TOS,
	R_FROM = 11,
};

/* Reply flags */
#define RF_REPLY_TTL 0x01 /* the reply TTL is known */
#define RF_TCP 0x02	  /* the answer is TCP, not ICMP */

int warts_tracelb_type(int method)
{
	switch (method) {
	case METHOD_UDP:
		return WARTS_TLB_UDP_SPORT;
	case METHOD_TCP:
		return WARTS_TLB_TCP_SPORT;
	default:
		return WARTS_TLB_ICMP_ECHO;
	}
}

/* The nodes written (the silent ones are not) */
static int nodes_written(const struct mp_rec *r)
{
	int n = 0;

	for (int i = 0; i < r->nnodes; i++)
		n += !r->nodes[i].silent;
	return n;
}

static int trace_params(struct warts_enc *e, struct warts_buf *out, const struct mp_rec *r,
			__u32 list_id, __u32 cycle_id)
{
	const struct trace_head *h = &r->h;
	struct warts_params *p = &e->par;

	warts_params_begin(p);
	warts_param_head(p, list_id, cycle_id, T_START, &h->start);
	/* the flows' base: each probe's flow id is it + the flow's index */
	warts_param_u16(p, T_SPORT, h->sport);
	warts_param_u16(p, T_DPORT, h->dport);
	warts_param_u16(p, T_PROBE_SIZE, warts_clamp_u16((unsigned long long)h->probe_size));
	warts_param_u8(p, T_TYPE, (__u8)warts_tracelb_type(h->method));
	warts_param_u8(p, T_FIRSTHOP, warts_clamp_u8(h->firsthop));
	/* whole seconds, as the trace record keeps its wait */
	warts_param_u8(p, T_WAIT_TIMEOUT, warts_clamp_u8((long)(h->wait_s + 0.5)));
	warts_param_u8(p, T_WAIT_PROBE, 0); /* xhop paces by probes in flight, not by time */
	warts_param_u8(p, T_ATTEMPTS, warts_clamp_u8(h->attempts));
	/* whole percent, rounded down: never more than was asked */
	warts_param_u8(p, T_CONFIDENCE, warts_clamp_u8((long)r->confidence));
	warts_param_u8(p, T_TOS, warts_clamp_u8(h->tos));
	warts_param_u16(p, T_NODEC, (__u16)nodes_written(r));
	warts_param_u16(p, T_LINKC, (__u16)r->nlinks);
	warts_param_u32(p, T_PROBEC, (__u32)h->probe_count);
	warts_param_u32(p, T_PROBEC_MAX, r->probes_max);
	warts_param_u8(p, T_GAPLIMIT, warts_clamp_u8(r->gaplimit));
	warts_param_addr(p, T_SRC, &e->addrs, &h->src);
	warts_param_addr(p, T_DST, &e->addrs, &h->dst);
	return warts_params_end(p, out);
}

static int node_put(struct warts_enc *e, struct warts_buf *out, const struct mp_rec *r, int i)
{
	struct warts_params *p = &e->par;
	int linkc = 0;

	for (int l = 0; l < r->nlinks; l++)
		linkc += r->links[l].from == (__u32)i;
	warts_params_begin(p);
	warts_param_u8(p, N_FLAGS, 0); /* no quoted TTL kept */
	warts_param_u16(p, N_LINKC, (__u16)linkc);
	warts_param_addr(p, N_ADDR, &e->addrs, &r->nodes[i].addr);
	return warts_params_end(p, out);
}

static int reply_put(struct warts_enc *e, struct warts_buf *out, const struct trace_head *h,
		     const struct hop_reply *rp)
{
	struct warts_params *p = &e->par;
	int tcp = rp->kind == XHOP_EV_TCP;

	warts_params_begin(p);
	warts_param_mono(p, R_RX, rp->rx_ns, h->real_offset_ns);
	warts_param_u16(p, R_IPID, rp->ipid);
	warts_param_u8(p, R_TTL, rp->reply_ttl);
	warts_param_u8(p, R_FLAGS, RF_REPLY_TTL | (tcp ? RF_TCP : 0));
	if (tcp) {
		warts_param_u8(p, R_TCP_FLAGS, rp->tcp_flags);
	} else {
		warts_param_u16(p, R_ICMP_TC, (__u16)(rp->icmp_type << 8 | rp->icmp_code));
		if (rp->mpls_count)
			warts_param_mpls(p, R_ICMP_EXT, rp->mpls, rp->mpls_count);
		warts_param_u8(p, R_Q_TTL, rp->q_ttl);
		warts_param_u8(p, R_Q_TOS, rp->q_tos);
	}
	warts_param_addr(p, R_FROM, &e->addrs, &rp->from);
	return warts_params_end(p, out);
}

/* scamper's flow id: the source port (UDP, TCP) or ICMP checksum it had */
static __u16 flow_id(const struct trace_head *h, __u16 flow)
{
	return (__u16)((h->method == METHOD_ICMP ? h->icmp_sum : h->sport) + flow);
}

static int probe_put(struct warts_enc *e, struct warts_buf *out, const struct trace_head *h,
		     const struct probe_rec *pr)
{
	struct warts_params *p = &e->par;
	int err;

	warts_params_begin(p);
	warts_param_mono(p, P_TX, pr->tx_ns, h->real_offset_ns);
	warts_param_u16(p, P_FLOWID, flow_id(h, pr->flow));
	warts_param_u8(p, P_TTL, pr->ttl);
	warts_param_u8(p, P_ATTEMPT, pr->attempt);
	warts_param_u16(p, P_RXC, pr->answered ? 1 : 0);
	err = warts_params_end(p, out);
	if (!err && pr->answered)
		err = reply_put(e, out, h, &pr->reply);
	return err;
}

/*
 * A link: from, to (indices among the nodes written), the TTLs it spans,
 * then a probe set per TTL after from's up to to's (its probes are in
 * TTL order: each set is a run of them)
 */
static int link_put(struct warts_enc *e, struct warts_buf *out, const struct mp_rec *r,
		    const struct mp_link *l, const int *idx)
{
	const struct mp_node *from = &r->nodes[l->from], *to = &r->nodes[l->to];
	struct warts_params *p = &e->par;
	int hopc = to->ttl - from->ttl, err;
	__u32 j = 0;

	if (hopc < 1 || idx[l->from] < 0 || idx[l->to] < 0 ||
	    l->probe0 + l->nprobes > (__u32)r->nlink_probes)
		return -EINVAL;
	warts_params_begin(p);
	warts_param_u16(p, L_FROM, (__u16)idx[l->from]);
	warts_param_u16(p, L_TO, (__u16)idx[l->to]);
	warts_param_u8(p, L_HOPC, (__u8)hopc);
	err = warts_params_end(p, out);
	for (int ttl = from->ttl + 1; !err && ttl <= to->ttl; ttl++) {
		__u32 k = j;

		while (k < l->nprobes && r->probes[r->link_probes[l->probe0 + k]].ttl == ttl)
			k++;
		if (k - j > 0xffff)
			return -E2BIG;
		warts_params_begin(p);
		warts_param_u16(p, S_PROBEC, (__u16)(k - j));
		err = warts_params_end(p, out);
		for (; !err && j < k; j++)
			err = probe_put(e, out, &r->h, &r->probes[r->link_probes[l->probe0 + j]]);
	}
	/* a probe outside the TTLs the link spans: the record is wrong */
	return err ? err : j == l->nprobes ? 0 : -EINVAL;
}

int warts_tracelb_put(struct warts_enc *e, struct warts_buf *out, const struct mp_rec *r,
		      __u32 list_id, __u32 cycle_id)
{
	size_t at = out->len;
	int err, n = 0, *idx;

	if (r->nnodes > 0xffff || r->nlinks > 0xffff)
		return -E2BIG;
	idx = calloc((size_t)r->nnodes + 1, sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	for (int i = 0; i < r->nnodes; i++)
		idx[i] = r->nodes[i].silent ? -1 : n++;
	warts_obj_begin(out, WARTS_TRACELB);
	/* addresses are defined once per record: a new table for each */
	warts_addrs_reset(&e->addrs);
	err = trace_params(e, out, r, list_id, cycle_id);
	for (int i = 0; !err && i < r->nnodes; i++)
		if (!r->nodes[i].silent)
			err = node_put(e, out, r, i);
	for (int l = 0; !err && l < r->nlinks; l++)
		err = link_put(e, out, r, &r->links[l], idx);
	free(idx);
	warts_obj_end(out, at);
	err = err ? err : out->err;
	if (err && !out->err)
		out->len = at; /* no half record: the file stays readable */
	return err;
}
