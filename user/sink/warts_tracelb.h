/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xhop multipath's record as a warts tracelb object (type 0x0008), laid
 * out as scamper's reader of the format (scamper_tracelb_warts.c, Debian
 * 12's scamper 20211212) takes it: the trace's parameters, its nodes,
 * then its links, each with one probe set per TTL it spans, each probe
 * with its replies. warts(5) does not describe tracelb; the layout is
 * noted in warts_tracelb.c. The sink (sink/warts.c) only orders and
 * writes the records.
 */
#ifndef XHOP_WARTS_TRACELB_H
#define XHOP_WARTS_TRACELB_H

#include "core/record.h"
#include "sink/warts_enc.h"
#include "sink/warts_trace.h"

/* scamper's tracelb probe types */
enum warts_tracelb_type {
	WARTS_TLB_UDP_DPORT = 1,
	WARTS_TLB_ICMP_ECHO,
	WARTS_TLB_UDP_SPORT,
	WARTS_TLB_TCP_SPORT,
	WARTS_TLB_TCP_ACK_SPORT,
};

/* The tracelb type of a probe method (enum probe_method) */
int warts_tracelb_type(int method);

/*
 * One multipath trace in list list_id, cycle cycle_id (0: none). Its
 * silent nodes are not written (a tracelb node has an address; links
 * across them span more than one TTL). 0 or -errno; on an error nothing
 * of the record stays in out.
 */
int warts_tracelb_put(struct warts_enc *e, struct warts_buf *out, const struct mp_rec *r,
		      __u32 list_id, __u32 cycle_id);

#endif
