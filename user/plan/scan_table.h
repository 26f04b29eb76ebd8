/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The state of xhop scan's targets in flight: a fixed window of 64-byte
 * slots, an address map that finds a slot from an answer's quoted
 * destination, a pool of answered-hop records and the queues of probes
 * due (the engine keeps the deadlines). Nothing here is per probe on the
 * receive side: an answer carries its target (the quoted destination)
 * and its TTL (in the probe id) itself.
 */
#ifndef XHOP_SCAN_TABLE_H
#define XHOP_SCAN_TABLE_H

#include <stddef.h>
#include <netinet/in.h>
#include <linux/types.h>
#include "core/fifo.h"
#include "net/addrmap.h"
#include "core/reply.h"

#define SCAN_NONE 0xffffffffu

enum scan_dir {
	DIR_BACK = 0, /* from the first TTL down, until Doubletree stops it */
	DIR_FWD = 1,  /* up from the first TTL, until the destination or the gap limit */
	SCAN_DIRS,
};

enum scan_slot_state {
	TARGET_FREE = 0,
	TARGET_ACTIVE,
	TARGET_DONE,	/* probing is over, its record not yet taken */
};

/*
 * One target in flight: 64 bytes at most, whatever the path length. Its
 * answered hops live in the hop pool (struct scan_hop), not here.
 */
struct scan_target {
	__u64 tx_ns[SCAN_DIRS];	   /* kernel send stamp of the outstanding probe, 0: unknown */
	__u32 idx;		   /* position in the target list */
	__u32 hops;		   /* first hop record, by TTL; SCAN_NONE: none */
	__u32 dt_stop;		   /* Doubletree node where backward probing stopped */
	__u32 dt_child;		   /* node of the last backward hop: the child of the next */
	__u32 probed;		   /* bit ttl-1: that TTL has been probed */
	__u16 out_id[SCAN_DIRS];   /* probe id outstanding per direction, 0: none */
	__u16 seq;		   /* probes sent; its low bits make the probe ids */
	__u16 gen;		   /* slot generation, to tell a reused slot apart */
	__u8 next_ttl[SCAN_DIRS];  /* next TTL per direction, 0: direction done */
	__u8 gap;		   /* silent TTLs in a row going forward */
	__u8 dst_ttl;		   /* lowest TTL the destination answered at, 0: none */
	__u8 end_ttl;		   /* lowest TTL that ended the trace (reached, unreachable) */
	__u8 stop_reason;	   /* enum stop_reason, once decided */
	__u8 stop_data;
	__u8 first_ttl;		   /* TTL of the first probe */
	__u8 state;		   /* enum scan_slot_state */
	__u8 queued;		   /* bit per direction: in the send queue */
	__u8 send_failed;	   /* a probe could not leave: its trace ends in ERROR */
	__u8 sending;		   /* bit per direction: handed over, its send not reported */
	__u32 start_ms;		   /* when it entered the window, ms after the scan began */
	__u8 cut;		   /* the run stopped before it finished */
	__u8 _pad[3];
};

_Static_assert(sizeof(struct scan_target) <= 64, "a target in flight must fit 64 bytes");

/* One answered probe of a target in flight, until its trace is written */
struct scan_hop {
	struct hop_reply reply;
	__u64 tx_ns;
	__u32 next; /* next record of the same target (higher TTL), SCAN_NONE */
	__u8 ttl;
	__u8 dir;
};

/* A probe that is due: target slot, its generation, direction */
struct scan_due {
	__u32 slot;
	__u16 gen;
	__u8 dir;
};

struct scan_table {
	struct scan_target *slots;
	__u32 nslots;
	__u32 active;
	__u32 *free_slots; /* stack of free slot numbers */
	__u32 nfree;
	struct addrmap map; /* address -> slot of the targets in flight */
	const struct in6_addr *addrs; /* the target list (slot.idx indexes it) */
	/* hop pool */
	struct scan_hop *hops;
	__u32 nhops, hops_cap, hops_free, hops_used;
	struct fifo due;   /* follow-up probes of targets under way: first */
	struct fifo fresh; /* first probes of new targets: with what is left */
};

/* A window of nslots targets in flight over the target list addrs */
int scan_table_init(struct scan_table *t, __u32 nslots, const struct in6_addr *addrs);
void scan_table_free(struct scan_table *t);
/* Take a free slot for target idx; SCAN_NONE when the window is full */
__u32 scan_table_admit(struct scan_table *t, __u32 idx);
/* The slot of the target in flight with this address, SCAN_NONE if none */
__u32 scan_table_find(const struct scan_table *t, const struct in6_addr *a);
/* Free the slot and its hop records */
void scan_table_release(struct scan_table *t, __u32 slot);
/* Record an answer at ttl (kept in TTL order; a second one at a TTL is
 * dropped). 0, or -ENOMEM.
 */
int scan_table_add_hop(struct scan_table *t, __u32 slot, const struct hop_reply *r, __u64 tx_ns,
		       int ttl, int dir);
/* Drop the hop records of slot above ttl (past the end of the trace) */
void scan_table_trim_hops(struct scan_table *t, __u32 slot, int ttl);
static inline struct scan_hop *scan_table_hop(const struct scan_table *t, __u32 i)
{
	return i == SCAN_NONE ? NULL : &t->hops[i];
}

/* Bytes of state per target in flight and per answered hop (for the summary) */
#define SCAN_TARGET_BYTES sizeof(struct scan_target)
#define SCAN_HOP_BYTES sizeof(struct scan_hop)

#endif
