/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xhop monitor's state: many targets, each probed at every TTL once per
 * cycle, Paris-stable, with per-hop statistics, path-change detection and
 * the counters that /metrics exports. This part is pure bookkeeping (no
 * sockets, no BPF, clocks passed in), so the unit tests drive it with
 * synthetic events; user/monitor_loop.c runs it on the wire.
 *
 * Probe ids: one 16-bit id per (cycle, TTL) of a target,
 *   id = (cycle % 255) << 8 | TTL
 * The low byte is a TTL (1-255), so the id is never 0 (a raw socket
 * rewrites IPv4 ID 0); the high byte is at most 254, so it is never
 * 0xffff (PATH_WARMUP_ID). An answer names its own cycle: a late one
 * finds its probe already settled as lost and is counted as late, never
 * in a later cycle.
 */
#ifndef XHOP_MONITOR_H
#define XHOP_MONITOR_H

#include <stddef.h>
#include <netinet/in.h>
#include <linux/types.h>
#include "plan/monitor_stats.h"
#include "net/addrmap.h"
#include "plan/path_change.h"
#include "core/reply.h"
#include "xhop_event.h"

#define MON_CYCLE_MOD 255
#define MON_SLOTS_MAX 64   /* cycles one probe may stay outstanding, + 1 */
#define MON_RESP_MAX 4	   /* responder series per (target, TTL) */
#define MON_BUCKETS 14	   /* RTT histogram buckets, +Inf not counted */
#define MON_LOG_MAX 8	   /* path-change events the live view keeps */

extern const double mon_bucket_le[MON_BUCKETS]; /* upper bounds, seconds */

enum mon_slot_state {
	SLOT_FREE = 0,
	SLOT_SENT,
	SLOT_ANSWERED,
	SLOT_LOST,
	SLOT_UNSENT,   /* the send failed: no probe, no loss */
};

/* One probe: one (TTL, cycle) of a target */
struct mon_slot {
	__u64 tx_ns; /* tc egress stamp; 0 until seen */
	__u64 rx_ns; /* XDP stamp of the answer */
	struct in6_addr from;
	__u32 cycle;
	__u8 state;   /* enum mon_slot_state */
	__u8 verdict; /* enum reply_verdict (path_table.h) */
	__u8 kind;    /* enum xhop_event_kind of the answer */
	__u8 code;    /* ICMP code of the answer */
};

/* A responder's series in /metrics: bounded, least recently seen evicted */
struct mon_resp {
	struct in6_addr addr;
	__u64 replies;
	__u64 rtt_count;
	double rtt_sum; /* seconds */
	__u64 bucket[MON_BUCKETS]; /* non-cumulative counts */
	__u64 last_seen_ns;
	__u8 used;
};

struct mon_hop {
	struct mon_stats st;  /* the view's: 'r' resets them */
	__u64 sent_total;     /* /metrics: monotone, never reset */
	__u64 last_sent_ns;
	struct mon_resp resp[MON_RESP_MAX];
	struct pc_hop pc;
};

/* The bookkeeping of one cycle of one target */
struct mon_cycle {
	__u32 cycle;
	__u16 pending; /* probes sent and not yet settled */
	__u8 limit;    /* highest TTL probed in it */
	__u8 active;
	__u8 unsent;   /* a probe of it could not leave: it says nothing of the path */
};

struct mon_target {
	char *name;	     /* as given */
	struct in6_addr dst; /* IPv4 mapped */
	int family;
	struct mon_hop *hops;	 /* TTL first..max */
	struct mon_slot *slots;	 /* [ttl index * n_slots + cycle % n_slots] */
	struct mon_cycle *cyc;	 /* [cycle % n_slots] */
	__u32 next_eval;	 /* the next cycle to evaluate, in order */
	int limit;		 /* highest TTL the next cycle probes */
	int end_ttl;		 /* last evaluated cycle: TTL that ended it (0: none) */
	int reached;		 /* ... the destination answered */
	int top_ttl;		 /* ... highest TTL that answered */
	int shown_ttl;		 /* TTLs the view and report show */
	int probed_ttl;		 /* highest TTL ever probed: the hops past it
				  * were never touched (their pages never
				  * mapped), so loops stop there */
	struct pc_value pc_count;
	struct pc_value pc_reach;
	__u64 changes[PC_KIND_MAX]; /* /metrics: monotone */
	__u32 cycles_done;
};

/* A probe to send in the current cycle */
struct mon_plan_item {
	__u32 target;
	__u8 ttl;
};


struct mon_cfg {
	int first_ttl;
	int max_ttl;
	int confirm;
	int max_unknown;  /* TTLs probed past the last answering one */
	__u64 interval_ns;
	__u64 wait_ns;
	__u64 spread_ns;  /* sends of a cycle spread over this */
	__u64 stale_ns;	  /* responder series unseen this long are dropped */
	__u8 proto4;	  /* probe protocol per family */
	__u8 proto6;
};

struct mon_log_entry {
	struct pc_event ev;
	__u32 target;
	struct timespec when;
};

struct monitor;
typedef void (*mon_change_fn)(void *ctx, struct monitor *m, __u32 target,
			      const struct pc_event *ev);

struct monitor {
	struct mon_cfg cfg;
	struct mon_target *t;
	size_t n, cap;
	int n_ttl;		/* max_ttl - first_ttl + 1 */
	int n_slots;		/* cycles a target keeps */
	struct addrmap map;	/* dst -> target index */
	struct mon_hop *hop_mem;   /* one block for every target's hops */
	struct mon_slot *slot_mem;
	struct mon_cycle *cyc_mem;

	__u32 cycle;		  /* cycles started */
	__u64 cycle_start_ns;	  /* of the current cycle */
	struct mon_plan_item *plan;
	size_t plan_n, plan_next;

	mon_change_fn on_change;
	void *ctx;
	struct mon_log_entry log[MON_LOG_MAX];
	__u64 log_n;

	/* totals (monotone) */
	__u64 probes_sent;
	__u64 send_errors;
	__u64 replies;
	__u64 late;	/* answers after their probe settled or its wait */
	__u64 unknown;	/* answers that fit no target or no probe */
	__u64 no_tx;	/* answers whose send stamp never came */
	__u64 behind;	/* cycles that started late: sending fell behind */
	__u64 resp_evicted;
	size_t in_flight;
};

/* Probe ids (see above) */
__u16 mon_probe_id(__u32 cycle, int ttl);
static inline int mon_probe_id_ttl(__u16 id) { return id & 0xff; }
static inline int mon_probe_id_cyc(__u16 id) { return id >> 8; }

/* Slots a target keeps: enough cycles for a probe to settle, + 1 */
int mon_slots_for(__u64 interval_ns, __u64 spread_ns, __u64 wait_ns);

int monitor_init(struct monitor *m, const struct mon_cfg *cfg);
/* -EEXIST when dst is already a target (reported by the caller) */
int monitor_add_target(struct monitor *m, const char *name, const struct in6_addr *dst,
		       int family);
/* After the last add: allocate every target's hops and slots */
int monitor_ready(struct monitor *m);
void monitor_free(struct monitor *m);
/* Index of the target with destination dst, or -1 */
long monitor_find(const struct monitor *m, const struct in6_addr *dst);
struct mon_hop *monitor_hop(struct monitor *m, __u32 target, int ttl);
const struct mon_hop *monitor_hop_c(const struct monitor *m, __u32 target, int ttl);

/* Start the next cycle: plan its probes (plan_n of them). */
int monitor_cycle_begin(struct monitor *m, __u64 now_ns);
/*
 * The probe of plan item i went out (ok), stamped tx_ns if the sender
 * knew the stamp at once (else 0: a tc egress event brings it), or could
 * not be sent (!ok): then it counts as a send error, neither sent nor
 * lost, and its cycle is not evaluated for path changes
 */
void monitor_probe_sent(struct monitor *m, const struct mon_plan_item *it, __u64 now_ns, int ok,
			__u64 tx_ns);
/* A BPF event: send stamp or answer. 1 if it settled or stamped a probe */
int monitor_apply(struct monitor *m, const struct xhop_event *ev);
/* The slot that probe id of target names while it is kept, else NULL */
const struct mon_slot *monitor_slot(struct monitor *m, __u32 target, __u16 probe_id);
/* Its send stamp (tc egress): 1 taken */
int monitor_stamp(struct monitor *m, __u32 target, __u16 probe_id, __u64 tx_ns);
/* Its answer: 1 settled, 0 late or a duplicate (counted) */
int monitor_answer(struct monitor *m, __u32 target, __u16 probe_id, const struct hop_reply *r);
/*
 * The probe with this id of target is past its wait (the engine keeps the
 * deadlines): settled as lost if it still waits. 1 if it did
 */
int monitor_timeout(struct monitor *m, __u32 target, __u16 probe_id);
/* Probes sent and not yet settled */
size_t monitor_in_flight(const struct monitor *m);
/* Cycles evaluated for every target */
__u32 monitor_cycles_done(const struct monitor *m);
/* Reset the view statistics ('r'); /metrics counters stay */
void monitor_reset_stats(struct monitor *m);
/* Drop responder series not seen since now - stale (0: keep all) */
void monitor_drop_stale(struct monitor *m, __u64 now_ns);
/* Responders of a hop, most recently seen first; returns how many */
int monitor_hop_responders(const struct mon_hop *h, const struct mon_resp **out, int max);
/* The hop count to export: the established one if reached, else the
 * highest answering TTL of the last cycle (0: nothing yet)
 */
int monitor_target_hops(const struct mon_target *t);
int monitor_target_reachable(const struct mon_target *t);

#endif
