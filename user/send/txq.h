/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sending thread and the queue that feeds it: part of the sender
 * layer, for any mode that sends faster than its planner should wait on
 * (xhop scan today).
 *
 * Why a thread: the in-kernel generator hands frames to the veth driver
 * inside the bpf() call, and everything that follows (the lab's routers
 * forwarding, their answers, xhop_rx parsing them) runs in softirq on the
 * CPU that made the call. On one thread that CPU also consumed the ring
 * buffer, planned every target and wrote the JSON: half the probe rate a
 * blind sender reached. Now the planner (scan.c) fills a single-producer,
 * single-consumer ring of probes a little ahead of the pace, and this
 * thread does nothing but pace and send them. The scheduler keeps the two
 * apart; pinning them measured no different.
 *
 * Send stamps: the generator stamps each batch in the kernel, after the
 * planner decided the probe. An entry's stamp is published with the
 * sender's release of `done`; the planner reads it (txq_done(),
 * acquire) before it trusts it. Entries stay put until the planner has
 * resolved them, so an answer that overtakes the publication waits for it
 * without losing its stamp.
 */
#ifndef XHOP_TXQ_H
#define XHOP_TXQ_H

#include <pthread.h>
#include <linux/types.h>
#include "core/send_probe.h"

/*
 * Send n probes of family fam (0 IPv4, 1 IPv6) as one batch; res[i]: did
 * probe i leave, and its stamp if the sender knows it (core/send_probe.h).
 * Returns how many left.
 */
typedef int (*txq_send_fn)(void *ctx, int fam, const struct send_probe *p, int n,
			   struct send_result *res);

/* One queued probe and, once sent, what became of it */
struct txq_entry {
	struct send_probe p;
	__u32 slot;	/* the planner's: which target, its generation, direction */
	__u16 gen;
	__u8 dir;
	__u8 fam;	/* 0 IPv4, 1 IPv6: which sender */
	/* written by the sender before it publishes done */
	__u8 sent;	/* 0: not handed to send() (dropped at a stop), else 1 */
	__s32 err;	/* handed over: 0 it left, else -errno (no measurement) */
	__u64 tx_ns;	/* its kernel stamp if the sender knew it, else 0 */
	__u64 left_ns;	/* CLOCK_MONOTONIC after the batch was handed over */
};

struct txq {
	struct txq_entry *ring;
	__u64 mask;
	/* planner: head (published with release), resolved (its own) */
	__u64 head;
	__u64 resolved;
	/* sender: done (published with release) */
	__u64 done;
	int stop;	   /* planner -> sender: drop what is queued and exit */
	int sleeping;	   /* sender waits for work on work_fd */
	int work_fd;	   /* eventfd: planner -> sleeping sender */
	int room_fd;	   /* eventfd: sender -> planner, a batch left the queue low */
	pthread_t thread;
	int running;
	/* the sender's own */
	txq_send_fn send;
	void *send_ctx;
	double rate, quantum;
	__u64 pace_t0, paced;
	__u64 low_water; /* a batch that leaves no more queued kicks room_fd */
};

/* probes per sending call at most (a veth peer's ring holds 256 frames) */
#define TXQ_CALL_MAX 192

/*
 * Start the sending thread: send(send_ctx, ...) at rate probes per
 * second, a quantum per call at most (1..TXQ_CALL_MAX); cap: ring
 * entries, a power of two; low_water: a batch after which no more than
 * this is queued makes room_fd readable (cap: every batch; 0: only
 * when the queue is empty). 0 or -errno (reported).
 */
int txq_start(struct txq *q, txq_send_fn send, void *send_ctx, double rate,
		   double quantum, __u32 cap, __u64 low_water);
/* The next free entry, NULL when the ring is full (the planner fills it, then pushes) */
struct txq_entry *txq_reserve(struct txq *q);
void txq_push(struct txq *q);
/* Entries sent (or dropped) so far: [0, done) may be read */
__u64 txq_done(struct txq *q);
static inline struct txq_entry *txq_at(struct txq *q, __u64 k)
{
	return &q->ring[k & q->mask];
}
/* Queued, not yet sent */
static inline __u64 txq_queued(struct txq *q)
{
	return q->head - txq_done(q);
}
/* Readable when a batch left the queue at or below its low water; txq_ack() empties it */
int txq_room_fd(const struct txq *q);
void txq_ack(struct txq *q);
/*
 * Stop the thread: what is queued is dropped unsent (entries marked so),
 * the batch under way finishes first. Idempotent; safe before a start.
 */
void txq_stop(struct txq *q);
void txq_free(struct txq *q);

#endif
