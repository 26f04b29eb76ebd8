/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scamper's trace object (as `scamper -O json` and sc_warts2json write
 * it), written piece by piece so that every mode prints the same schema:
 * xhop HOST from its path table, xhop scan from its per-target records.
 */
#ifndef XHOP_JSON_TRACE_H
#define XHOP_JSON_TRACE_H

#include <stdio.h>
#include <time.h>
#include <netinet/in.h>
#include <linux/types.h>
#include "path_table.h"

struct json_trace_head {
	const struct in6_addr *src;
	const struct in6_addr *dst;
	int family;
	int method;	      /* enum probe_method */
	__u16 sport, dport;   /* UDP, TCP */
	__u16 icmp_sum;	      /* ICMP: the flow's constant checksum */
	int stop_reason;      /* enum stop_reason (trace.h) */
	int stop_data;
	struct timespec start; /* wall clock */
	int hop_count, attempts, hoplimit, firsthop;
	double wait_s;
	int tos, probe_size;
	__u64 probe_count;
	__s64 real_offset_ns;  /* CLOCK_REALTIME - CLOCK_MONOTONIC, for tx */
};

/* Everything up to and including "hops":[ */
void json_trace_open(FILE *out, const struct json_trace_head *h);
/*
 * One answered probe. tx_ns: its kernel send stamp (CLOCK_MONOTONIC; 0:
 * unknown, then neither tx nor rtt is written); name may be NULL; attempt
 * is 1-based; first: no comma before it.
 */
void json_trace_hop(FILE *out, const struct json_trace_head *h, const struct hop_reply *r,
		    const char *name, int ttl, int attempt, __u64 tx_ns, int first);
/* Closes the hops array; the caller may add keys, then writes '}' */
void json_trace_hops_end(FILE *out);

/* Fill a reply record from a BPF answer event (family: the target's) */
void hop_reply_from_event(struct hop_reply *r, const struct xhop_event *ev, int family);

#endif
