/* SPDX-License-Identifier: GPL-2.0 */
/* xhop HOST: one Paris trace with kernel-stamped RTTs, hop lines as they settle. */
#ifndef XHOP_TRACE_H
#define XHOP_TRACE_H

#include <time.h>
#include <netinet/in.h>
#include <linux/types.h>
#include "path_table.h"
#include "probe_build.h"
#include "xhop_probe.h"

struct resolver;

struct trace_opts {
	const char *host;
	const char *source;  /* -s: source address */
	const char *ifname;  /* -i: interface */
	double wait_s;	     /* -w: per-probe wait */
	int family;	     /* 0 (either), 4, 6 */
	int method;	     /* enum probe_method */
	int first_ttl;	     /* -f */
	int max_ttl;	     /* -m */
	int queries;	     /* -q */
	int sim_queries;     /* -N: probes in flight at once */
	int sim_set;	     /* -N was given */
	int port;	     /* -p: destination port (UDP, TCP); 0: default */
	int packetlen;	     /* total probe size; 0: default */
	int tos;	     /* -t */
	int no_resolve;	     /* -n */
	int json;	     /* --json */
	int verbose;	     /* -v */
	int sender;	     /* --sender: enum sender_kind */
};

enum stop_reason {
	STOP_NONE = 0,
	STOP_COMPLETED,
	STOP_UNREACH,
	STOP_ICMP,
	STOP_LOOP,
	STOP_GAPLIMIT,
	STOP_HOPLIMIT,
	STOP_ERROR,
	STOP_INTERRUPTED,
};

/* Everything a renderer may read about a running or finished trace */
struct trace {
	const struct trace_opts *o;
	char host_name[256];	 /* as given, or the canonical name */
	struct in6_addr dst;
	struct in6_addr src;
	int family;
	int ifindex;
	__u16 sport;
	__u16 dport;
	__u16 icmp_sum;	 /* icmp-paris: the constant checksum */
	int probe_size;
	struct timespec start; /* wall clock, for the JSON "start" */
	__s64 real_offset_ns;  /* CLOCK_REALTIME - CLOCK_MONOTONIC */
	struct path path;
	int stop_reason;
	int stop_data;
	int last_ttl;	/* last TTL rendered */
	__u64 probes_sent;
	struct resolver *res; /* NULL with -n */
};

struct trace_renderer {
	void (*start)(void *ctx, const struct trace *t);
	/* one TTL, in order, once all its probes are answered or lost */
	void (*hop)(void *ctx, const struct trace *t, int ttl);
	void (*end)(void *ctx, const struct trace *t);
	void *ctx;
};

/* Method names as scamper writes them: icmp-echo-paris, udp-paris, tcp */
const char *trace_method_name(int method);
const char *trace_stop_name(int stop_reason);
/* Name of a responder if resolved, else NULL */
const char *trace_name_of(const struct trace *t, const struct in6_addr *a);

/*
 * Run one trace. Returns the exit code: 0 the trace ran, 1 runtime
 * failure, 2 HOST does not resolve, 130/143 on SIGINT/SIGTERM.
 */
int trace_main(const struct trace_opts *o, const struct trace_renderer *r);

#endif
