/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Finished records: what a planner hands over and a sink renders. They
 * live below both, so neither knows the other: a planner fills them from
 * its own state, a sink reads them and nothing else of the planner's.
 */
#ifndef XHOP_RECORD_H
#define XHOP_RECORD_H

#include <time.h>
#include <netinet/in.h>
#include <linux/types.h>
#include "core/reply.h"

/* Probes of one TTL at most (xhop HOST -q) */
#define RECORD_QUERIES_MAX 10

/* Origins of a multi-origin prefix kept at most (CAIDA's a_b, Cymru's "a b") */
#define ASN_ORIGINS_MAX 4

/*
 * The origin AS of a responder's prefix (-z, --asn-db; net/asn.h fills
 * it). A record carries it so a sink renders it like any other field.
 */
struct asn_ann {
	__u32 asn[ASN_ORIGINS_MAX]; /* asn[0]: the one "asn" shows */
	__u8 n;			    /* 0: no origin known (mtr's AS???) */
};

/* One probe as a sink sees it */
struct probe_rec {
	struct hop_reply reply; /* when answered */
	struct asn_ann asn;	/* of reply.from, when a lookup is on and answered */
	__u64 tx_ns;		/* its kernel send stamp, CLOCK_MONOTONIC; 0: unknown */
	/*
	 * Its flow (core/send_probe.h): 0 the run's Paris flow; xhop
	 * multipath's n-th flow has the run's source port (ICMP checksum) + n
	 */
	__u16 flow;
	__u8 ttl;
	__u8 attempt;		/* 0-based */
	__u8 answered;
};

/* The RTT of an answered probe in ns from its two kernel stamps; -1 if none */
static inline __s64 probe_rec_rtt_ns(const struct probe_rec *p)
{
	if (!p->answered || !p->tx_ns || p->reply.rx_ns < p->tx_ns)
		return -1;
	return (__s64)(p->reply.rx_ns - p->tx_ns);
}

/* What scamper's trace object says before its hops */
struct trace_head {
	const char *host_name;	/* as given, or the canonical name (xhop HOST) */
	struct in6_addr src;
	struct in6_addr dst;
	int family;
	int method;		/* enum probe_method */
	__u16 sport, dport;	/* UDP, TCP */
	__u16 icmp_sum;		/* ICMP: the flow's constant checksum */
	int stop_reason;	/* enum stop_reason */
	int stop_data;
	struct timespec start;	/* wall clock */
	int hop_count, attempts, hoplimit, firsthop;
	double wait_s;
	int tos, probe_size;
	__u64 probe_count;
	__s64 real_offset_ns;	/* CLOCK_REALTIME - CLOCK_MONOTONIC, for tx */
};

/* A hop below a Doubletree stop that the stop set knows (xhop scan) */
struct inferred_hop {
	struct in6_addr addr;
	__u8 ttl;
};

#define RECORD_INFERRED_MAX 32

/* One finished trace */
struct trace_rec {
	struct trace_head h;
	const struct probe_rec *hops; /* answered probes, by TTL then attempt */
	int nhops;
	/* xhop scan: where Doubletree stopped it (dt_stop_ttl 0: it did not) */
	int dt_stop_ttl;
	struct in6_addr dt_stop_addr;
	struct inferred_hop inferred[RECORD_INFERRED_MAX];
	int ninferred;
};

/* One TTL of xhop HOST once all its probes settled: a text line */
struct ttl_rec {
	int ttl;
	int family;
	int queries;
	struct probe_rec q[RECORD_QUERIES_MAX];
};

/*
 * xhop multipath: an interface at one TTL (the same address at two TTLs,
 * behind branches of unequal length, is two nodes), or the silence of
 * some flows at a TTL (silent: one node per TTL, it has no address)
 */
struct mp_node {
	struct in6_addr addr;
	__u64 rtt_min_ns;	/* of its answers (0: none) */
	__u32 replies;
	__u32 flows;		/* flows seen through it */
	__u8 ttl;
	__u8 silent;
	__u8 verdict;		/* enum reply_verdict of its answers */
	__u8 icmp_code;		/* of an Unreachable */
};

/*
 * Two nodes one flow met one after the other: to_ttl - from_ttl > 1 when
 * the TTLs between were silent for that flow
 */
struct mp_link {
	__u32 from, to;		/* node indices */
	/*
	 * Its probes, as scamper's tracelb keeps them per link: those of the
	 * flows that met from then to, at the TTLs after from's up to to's
	 * (the silent ones between included), every attempt. They are
	 * mp_rec.link_probes[probe0 .. probe0 + nprobes - 1].
	 */
	__u32 probe0, nprobes;
};

/* One finished multipath trace */
struct mp_rec {
	struct trace_head h;	/* probe_count, stop_reason, method, flow base */
	double confidence;	/* percent */
	__u32 flows;		/* flows used */
	const struct mp_node *nodes;
	int nnodes;
	const struct mp_link *links; /* by from node, then to node */
	int nlinks;
	const __u32 *unfinished; /* PROBELIMIT: nodes whose next hops were not settled */
	int nunfinished;
	__u32 probes_max;	/* --max-probes */
	int gaplimit;		/* --gaplimit */
	/* every probe sent, in send order (h.probe_count of them) */
	const struct probe_rec *probes;
	int nprobes;
	/*
	 * The links' probes: indices into probes, link by link, in each by
	 * TTL, then flow, then attempt. A probe is in no link when its flow
	 * has no answering node before it (the first TTL, a TTL never asked).
	 */
	const __u32 *link_probes;
	int nlink_probes;
	int dst_len;		/* xhop scan --mda: dst is this prefix (IPv4: /24 is 24); 0: an address */
	__u32 rounds;		/* xhop scan --mda: rounds of probes (0: not counted) */
};

enum record_kind {
	REC_NONE = 0,
	REC_TTL,     /* rec.ttl */
	REC_TRACE,   /* rec.trace */
	REC_CHANGE,  /* rec.change: a path change xhop monitor confirmed */
	REC_MULTIPATH, /* rec.mp */
};

#define PC_ADDRS 4 /* addresses kept per TTL (a per-packet balancer's branches) */

/* What changed in a path (plan/path_change.h decides when) */
enum pc_kind {
	PC_HOP = 1,
	PC_HOP_COUNT,
	PC_REACH,
	PC_KIND_MAX,
};

struct pc_event {
	int kind;
	int ttl;	/* PC_HOP: the TTL; PC_HOP_COUNT: the new count; PC_REACH:
			 * the hop count when reachable, else 0 */
	struct in6_addr before[PC_ADDRS];
	struct in6_addr after[PC_ADDRS];
	int n_before;
	int n_after;
	int before_val; /* PC_HOP_COUNT: hop counts; PC_REACH: 0/1 */
	int after_val;
	__u32 cycle;
};

/* "hop", "hop_count", "reach" */
const char *pc_kind_name(int kind);

/* A path change, as xhop monitor's events carry it */
struct change_rec {
	struct pc_event ev;
	const char *target;  /* as given */
	struct in6_addr dst;
	struct timespec when;
};

struct record {
	int kind; /* enum record_kind */
	union {
		const struct ttl_rec *ttl;
		const struct trace_rec *trace;
		struct change_rec change;
		const struct mp_rec *mp;
	};
};

#endif
