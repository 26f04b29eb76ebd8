/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The probe engine: one run of any mode. It sets up the session (the
 * interface, the source per family, the run's key and flow, the BPF
 * receiver, a sender from the sender layer), then runs the one event
 * loop: it takes the probes a planner asks for and sends them (inline,
 * or through the sending thread when a rate is asked), dispatches every
 * event of the ring buffer to the probe it names (by quoted destination
 * and probe id), expires probes at their deadline, hands the planner's
 * finished records to the sinks, and polls every source the planning
 * thread has: the ring buffer, the sending thread, c-ares, the sinks'
 * fds (metrics server, keyboard), their timers. Written once; every mode
 * is a planner on it (core/planner.h) with sinks (core/sink.h).
 */
#ifndef XHOP_ENGINE_H
#define XHOP_ENGINE_H

#include <time.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/types.h>
#include "engine/deadline.h"
#include "core/planner.h"
#include "core/probe_build.h"
#include "core/session.h"
#include "core/sink.h"
#include "recv/loader.h"
#include "net/addrmap.h"
#include "send/sender.h"
#include "send/txq.h"
#include "xhop_event.h"
#include "xhop_probe.h"

struct resolver;

struct engine_cfg {
	const char *who;	  /* "xhop", "xhop scan", "xhop monitor": messages */
	const char *ifname;	  /* -i, or NULL */
	const char *source;	  /* -s, or NULL */
	int method;		  /* enum probe_method */
	int port;		  /* -p (0: the method's default) */
	int tos;
	int size;		  /* probe size, IP header included (0: the default) */
	int sender;		  /* enum sender_kind */
	int verbose;
	double wait_s;		  /* a probe is lost after this */
	double rate;		  /* > 0: a sending thread paces the probes (xhop scan) */
	int warmup;		  /* TTL-1 warm-up probes first (a cold path skews RTTs) */
	int no_wakeup;		  /* answers do not wake the loop: it looks itself */
	/* > 1: probes carry their own flow below it (send_probe.flow), the
	 * source ports sport..sport+flows-1 are the run's (xhop multipath) */
	unsigned int flows;
	int has[2];		  /* families in use: [0] IPv4, [1] IPv6 */
	struct in6_addr first[2]; /* a target per family: route, source, next hop */
	const char *first_name[2];/* its name as given, for messages (or NULL) */
	/* every target, when all must route through the one interface (xhop
	 * monitor); ncheck 0: the first of each family stands for all */
	const struct in6_addr *check;
	const char *const *check_names;
	size_t ncheck;
	struct resolver *res;	  /* names: polled by the loop; NULL with -n */
};

#define ENGINE_SINKS_MAX 8
#define ENGINE_PARK_MAX 4096

struct engine {
	struct engine_cfg cfg;
	struct session s;
	struct loader ld;
	struct sender tx;
	int tx_open;
	struct txq q;		   /* the sending thread's queue (cfg.rate > 0) */
	int q_running;
	double quantum;		   /* probes per sending call */
	__u64 lookahead;	   /* probes queued ahead of the pace */
	struct planner p;
	const struct addrmap *targets; /* the planner's: dst -> target */
	struct sink sinks[ENGINE_SINKS_MAX];
	int nsinks;
	struct deadlines deadlines; /* one per probe sent, in send order */
	struct run_stats st;
	__u32 fail_run;		   /* sends failed in a row */
	int fail_err;
	/* answers that came before their probe's send was reported */
	struct xhop_event parked[ENGINE_PARK_MAX];
	__u32 nparked;
	__u64 parked_done;
	int stopping;
	int names_news;		   /* c-ares read answers: the sinks may have lines to let go */
};

/*
 * Set the session up: privileges, the interface and source of every
 * family, the run's key and flow, the receiver, the sender (down the
 * ladder from cfg->sender). Returns the exit code: 0 ready, 1 runtime
 * failure, 2 a usage error (a bad -i or -s), reported on stderr.
 */
int engine_open(struct engine *e, const struct engine_cfg *cfg);
/*
 * Run planner p (its targets in map) with these sinks until it is done,
 * a signal stops it, or probes cannot leave. 0, or -errno (reported).
 * The sinks are closed at the end whatever happened.
 */
int engine_run(struct engine *e, struct planner p, const struct addrmap *map,
	       const struct sink *sinks, int nsinks);
/* Receiver counters, sender names: for the summary */
int engine_xdp_stats(struct engine *e, __u64 out[XHOP_STAT_MAX]);
void engine_close(struct engine *e);

#endif
