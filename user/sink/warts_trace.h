/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The warts records xhop writes, as bytes: list, cycle start and stop
 * (warts(5) "LIST STRUCTURE", "CYCLE STRUCTURE") and a trace record of
 * one finished trace (type 0x0006) carrying what xhop's scamper JSON
 * carries where warts has a field. The sink (sink/warts.c) only orders
 * and writes them.
 */
#ifndef XHOP_WARTS_TRACE_H
#define XHOP_WARTS_TRACE_H

#include "core/record.h"
#include "sink/warts_enc.h"

/* scamper's trace types and stop reasons, as warts stores them */
enum warts_trace_type {
	WARTS_TT_ICMP_ECHO = 1,
	WARTS_TT_UDP,
	WARTS_TT_TCP,
	WARTS_TT_ICMP_ECHO_PARIS,
	WARTS_TT_UDP_PARIS,
	WARTS_TT_TCP_ACK,
};

/* Scratch of the encoders, kept between records (no allocation per trace) */
struct warts_enc {
	struct warts_params par;
	struct warts_addrs addrs;
};

void warts_enc_free(struct warts_enc *e);

/* A list: ids from 1 (0 is "no list"); descr and monitor may be NULL */
int warts_list_put(struct warts_enc *e, struct warts_buf *out, __u32 id, __u32 human_id,
		   const char *name, const char *descr, const char *monitor);
/* A cycle start of list list_id; hostname may be NULL */
int warts_cycle_start_put(struct warts_enc *e, struct warts_buf *out, __u32 id, __u32 list_id,
			  __u32 human_id, __u32 start_sec, const char *hostname);
int warts_cycle_stop_put(struct warts_enc *e, struct warts_buf *out, __u32 id, __u32 stop_sec);

/* One trace in list list_id, cycle cycle_id (0: none). 0 or -errno */
int warts_trace_put(struct warts_enc *e, struct warts_buf *out, const struct trace_rec *t,
		    __u32 list_id, __u32 cycle_id);

/*
 * Multipath (tracelb, type WARTS_TRACELB) goes beside warts_trace_put()
 * as warts_tracelb_put(), on the same encoder (warts_enc.h), once the
 * multipath mode hands its record over; sink/warts.c has the place.
 */

/* The warts trace type of a probe method (enum probe_method) */
int warts_trace_type(int method);
/* scamper's stop reason code of an enum stop_reason */
int warts_stop_reason(int stop_reason);

#endif
