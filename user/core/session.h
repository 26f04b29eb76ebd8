/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every probe of a run shares, and what the run counted: the engine
 * fills them, planners and sinks read them (a trace's head, the summary,
 * the progress line).
 */
#ifndef XHOP_SESSION_H
#define XHOP_SESSION_H

#include <time.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/types.h>
#include "core/probe_build.h"
#include "xhop_event.h"
#include "xhop_probe.h"

struct session {
	struct xhop_key key;
	int ifindex;
	char ifname[IF_NAMESIZE];
	struct in6_addr src[2];		/* per family: [0] IPv4, [1] IPv6 */
	__u16 sport, dport, icmp_sum;	/* the run's flow (Paris) */
	struct probe_spec base[2];	/* per family: what a probe is built from */
	struct timespec start;		/* wall clock when probing began */
	__s64 real_offset_ns;		/* CLOCK_REALTIME - CLOCK_MONOTONIC then */
	__u64 t0_ns, end_ns;		/* CLOCK_MONOTONIC: probing began, ended */
};

/* The run's counters */
struct run_stats {
	__u64 probes_sent;    /* probes that left */
	__u64 send_errors;    /* handed to the sender, did not leave */
	__u64 replies;	      /* answers matched to an outstanding probe */
	__u64 ignored;	      /* verified answers that fit no outstanding probe */
	__u64 warmup_replies; /* answers to the warm-up and the sender's trial probes */
	__u64 backlog_ns;     /* time with probes due beyond what the sender took */
	__u64 backlog_probes; /* probes that left meanwhile */
	int interrupted;      /* a signal stopped the run */
	int send_failed;      /* -errno: probes could not leave, the run stopped */
	/* filled when the run ends, before the sinks close */
	__u64 xdp[XHOP_STAT_MAX]; /* the receiver's counters (enum xhop_stat) */
	__u64 driver_drops;   /* frames a driver took and then dropped */
	__u64 stamps_user;    /* probes stamped in userspace, not by the kernel */
	char sender[32];      /* the rung each family took: "xdp", "kernel,xdp" */
};

#endif
