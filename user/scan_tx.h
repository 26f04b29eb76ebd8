/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xhop scan's sending thread and the queue that feeds it.
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
 * sender's release of `done`; the planner reads it (scan_txq_done(),
 * acquire) before it trusts it. Entries stay put until the planner has
 * resolved them, so an answer that overtakes the publication waits for it
 * without losing its stamp.
 */
#ifndef XHOP_SCAN_TX_H
#define XHOP_SCAN_TX_H

#include <pthread.h>
#include <linux/types.h>
#include "scan_send.h"

/*
 * Send n probes of family fam (0 IPv4, 1 IPv6) as one batch; *tx_ns: the
 * batch's kernel stamp if the sender knows it, else 0. Returns how many
 * left (the queue counts all as sent: the caller counts its failures).
 */
typedef int (*scan_tx_fn)(void *ctx, int fam, const struct scan_probe *p, int n, __u64 *tx_ns);

/* One queued probe and, once sent, its stamps */
struct scan_tx_entry {
	struct scan_probe p;
	__u32 slot;	/* the target's slot and generation, for the planner */
	__u16 gen;
	__u8 dir;
	__u8 fam;	/* 0 IPv4, 1 IPv6: which sender */
	/* written by the sender before it publishes done */
	__u8 sent;	/* 0: dropped unsent (stopping), else handed to send() */
	__u64 tx_ns;	/* the generator's kernel stamp of its batch, else 0 */
	__u64 left_ns;	/* CLOCK_MONOTONIC after the batch was handed over */
};

struct scan_txq {
	struct scan_tx_entry *ring;
	__u64 mask;
	/* planner: head (published with release), resolved (its own) */
	__u64 head;
	__u64 resolved;
	/* sender: done (published with release) */
	__u64 done;
	int stop;	   /* planner -> sender: drop what is queued and exit */
	int sleeping;	   /* sender waits for work on work_fd */
	int work_fd;	   /* eventfd: planner -> sleeping sender */
	int room_fd;	   /* eventfd: sender -> planner, after each batch */
	pthread_t thread;
	int running;
	/* the sender's own */
	scan_tx_fn send;
	void *send_ctx;
	double rate, quantum;
	__u64 pace_t0, paced;
};

/* probes per sending call at most (a veth peer's ring holds 256 frames) */
#define SCAN_TX_CALL_MAX 192

/*
 * Start the sending thread: send(send_ctx, ...) at rate probes per
 * second, a quantum per call at most (1..SCAN_TX_CALL_MAX); cap: ring
 * entries, a power of two. 0 or -errno (reported).
 */
int scan_txq_start(struct scan_txq *q, scan_tx_fn send, void *send_ctx, double rate,
		   double quantum, __u32 cap);
/* The next free entry, NULL when the ring is full (the planner fills it, then pushes) */
struct scan_tx_entry *scan_txq_reserve(struct scan_txq *q);
void scan_txq_push(struct scan_txq *q);
/* Entries sent (or dropped) so far: [0, done) may be read */
__u64 scan_txq_done(struct scan_txq *q);
static inline struct scan_tx_entry *scan_txq_at(struct scan_txq *q, __u64 k)
{
	return &q->ring[k & q->mask];
}
/* Queued, not yet sent */
static inline __u64 scan_txq_queued(struct scan_txq *q)
{
	return q->head - scan_txq_done(q);
}
/* Readable when a batch has left; scan_txq_ack() empties it */
int scan_txq_room_fd(const struct scan_txq *q);
void scan_txq_ack(struct scan_txq *q);
/*
 * Stop the thread: what is queued is dropped unsent (entries marked so),
 * the batch under way finishes first. Idempotent; safe before a start.
 */
void scan_txq_stop(struct scan_txq *q);
void scan_txq_free(struct scan_txq *q);

#endif
