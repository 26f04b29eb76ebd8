// SPDX-License-Identifier: GPL-2.0
/*
 * xhop scan's sending thread and its queue, with a fake sender: every
 * probe handed over once and in order, stamps published before the
 * planner may read them, never ahead of the asked rate, a quantum per
 * call at most (and never above TXQ_CALL_MAX), and a stop that drops
 * what is queued and returns.
 */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "xhop_test.h"
#include "net/addr.h"
#include "send/txq.h"

#define MAX_CALLS 100000
#define MAX_SENT 100000

/* What the fake sender saw */
struct fake {
	int hold;	/* the first call waits while this is set */
	int calls;
	int sent;
	__u16 ids[MAX_SENT];
	__u8 fams[MAX_SENT];
	int call_n[MAX_CALLS];
	__u64 call_ns[MAX_CALLS];
};

static int fake_send(void *ctx, int fam, const struct send_probe *p, int n,
		     struct send_result *res)
{
	struct fake *fk = ctx;

	while (__atomic_load_n(&fk->hold, __ATOMIC_ACQUIRE))
		nanosleep(&(struct timespec){ .tv_nsec = 100000 }, NULL);
	if (fk->calls < MAX_CALLS) {
		fk->call_n[fk->calls] = n;
		fk->call_ns[fk->calls] = clock_mono_ns();
	}
	fk->calls++;
	for (int i = 0; i < n && fk->sent < MAX_SENT; i++, fk->sent++) {
		fk->ids[fk->sent] = p[i].probe_id;
		fk->fams[fk->sent] = (__u8)fam;
	}
	for (int i = 0; i < n; i++) { /* a stamp per batch, never 0 */
		res[i].err = 0;
		res[i].tx_ns = 1000 + (__u64)fk->calls;
	}
	return n;
}

static void push_one(struct txq *q, __u16 id, int fam)
{
	struct txq_entry *e = txq_reserve(q);

	if (!e)
		return;
	memset(e, 0, sizeof(*e));
	e->p.probe_id = id;
	e->p.ttl = 1;
	e->fam = (__u8)fam;
	e->slot = id;
	txq_push(q);
}

/* Wait (up to 10 s) for the sender to take everything queued */
static int wait_done(struct txq *q)
{
	for (int i = 0; i < 10000; i++) {
		if (txq_done(q) == q->head)
			return 0;
		nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
	}
	return -1;
}

/* Fast: every probe once, in order per family, stamped, published */
static void test_order_and_stamps(void)
{
	struct fake *fk = calloc(1, sizeof(*fk));
	struct txq q;
	__u16 next_id = 1;
	int torn = 0, order_bad = 0, over = 0;

	EXPECT(!txq_start(&q, fake_send, fk, 1e7, 64, 1024, 1024), "start");
	/* the planner: fill, resolve, check every published stamp */
	while (next_id <= 20000) {
		__u64 done = txq_done(&q);

		for (; q.resolved < done; q.resolved++) {
			struct txq_entry *e = txq_at(&q, q.resolved);

			torn += !e->sent || e->tx_ns < 1001 || !e->left_ns;
		}
		while (next_id <= 20000 && txq_reserve(&q)) {
			push_one(&q, next_id, next_id % 3 == 0);
			next_id++;
		}
	}
	EXPECT(!wait_done(&q), "the sender took everything");
	for (; q.resolved < txq_done(&q); q.resolved++)
		torn += !txq_at(&q, q.resolved)->sent;
	txq_stop(&q);
	EXPECT(torn == 0, "%d entries published before their stamps", torn);
	EXPECT(fk->sent == 20000, "handed over %d of 20000", fk->sent);
	/* within a family, ids rise: queue order kept */
	for (int f = 0; f < 2; f++) {
		__u16 last = 0;

		for (int i = 0; i < fk->sent; i++) {
			if (fk->fams[i] != f)
				continue;
			order_bad += fk->ids[i] <= last;
			order_bad += (fk->ids[i] % 3 == 0) != f;
			last = fk->ids[i];
		}
	}
	EXPECT(order_bad == 0, "%d probes out of order or in the wrong family", order_bad);
	/* far behind a pace of 10 Mpps: still a quantum per call */
	for (int c = 0; c < fk->calls && c < MAX_CALLS; c++)
		over += fk->call_n[c] > 64;
	EXPECT(over == 0, "%d calls above the quantum of 64", over);
	txq_free(&q);
	free(fk);
}

/*
 * Paced: never ahead of the schedule. By each call, what was handed over
 * stays within rate x elapsed + two quanta (the catch-up allowed after a
 * late wake-up) + the call itself.
 */
static void test_never_ahead(void)
{
	struct fake *fk = calloc(1, sizeof(*fk));
	const double rate = 20000, quantum = 5;
	struct txq q;
	int ahead = 0, total = 0, over = 0;
	__u64 t0;

	EXPECT(!txq_start(&q, fake_send, fk, rate, quantum, 1024, 1024), "start");
	for (int i = 1; i <= 800; i++)
		push_one(&q, (__u16)i, 0);
	EXPECT(!wait_done(&q), "800 probes sent at 20 kpps");
	txq_stop(&q);
	t0 = fk->call_ns[0];
	for (int c = 0; c < fk->calls && c < MAX_CALLS; c++) {
		double allowed = rate * (double)(fk->call_ns[c] - t0) / 1e9 + 3 * quantum;

		total += fk->call_n[c];
		ahead += total > allowed;
	}
	EXPECT(ahead == 0, "%d of %d calls ahead of the pace", ahead, fk->calls);
	for (int c = 0; c < fk->calls && c < MAX_CALLS; c++)
		over += fk->call_n[c] > quantum;
	EXPECT(over == 0, "%d calls above the quantum", over);
	EXPECT(total == 800, "%d handed over", total);
	txq_free(&q);
	free(fk);
}

/* A quantum of 256 is cut to TXQ_CALL_MAX frames per call */
static void test_call_max(void)
{
	struct fake *fk = calloc(1, sizeof(*fk));
	struct txq q;
	int most = 0;

	EXPECT(!txq_start(&q, fake_send, fk, 1e8, 256, 4096, 4096), "start");
	for (int i = 1; i <= 4000; i++)
		push_one(&q, (__u16)i, 0);
	EXPECT(!wait_done(&q), "sent");
	txq_stop(&q);
	for (int c = 0; c < fk->calls && c < MAX_CALLS; c++)
		most = fk->call_n[c] > most ? fk->call_n[c] : most;
	EXPECT(q.quantum == TXQ_CALL_MAX, "quantum %.0f, the cap %d", q.quantum,
	       TXQ_CALL_MAX);
	EXPECT(most <= TXQ_CALL_MAX, "largest call %d, the cap %d", most, TXQ_CALL_MAX);
	txq_free(&q);
	free(fk);
}

/* Stopped while slow: returns at once, what was queued comes back unsent */
static void test_stop_drops(void)
{
	struct fake *fk = calloc(1, sizeof(*fk));
	struct txq q;
	int unsent = 0, sent = 0;
	__u64 t;

	EXPECT(!txq_start(&q, fake_send, fk, 10, 1, 64, 64), "start");
	for (int i = 1; i <= 50; i++)
		push_one(&q, (__u16)i, 1);
	nanosleep(&(struct timespec){ .tv_nsec = 20000000 }, NULL);
	t = clock_mono_ns();
	txq_stop(&q);
	t = clock_mono_ns() - t;
	/* at 10 pps the next send is up to 100 ms away: the stop cuts it */
	EXPECT(t < 50000000ULL, "stop took %llu ms", (unsigned long long)(t / 1000000));
	EXPECT(txq_done(&q) == q.head, "everything published");
	for (__u64 k = 0; k < q.head; k++) {
		unsent += !txq_at(&q, k)->sent;
		sent += txq_at(&q, k)->sent;
	}
	EXPECT(sent == fk->sent, "%d marked sent, %d handed over", sent, fk->sent);
	EXPECT(unsent >= 45, "%d of 50 came back unsent", unsent);
	txq_stop(&q); /* idempotent */
	txq_free(&q);
	txq_free(&q); /* and so is this */
	free(fk);
}

/* The ring holds cap entries until the planner resolves them */
static void test_full_ring(void)
{
	struct fake *fk = calloc(1, sizeof(*fk));
	struct txq q;
	struct pollfd pfd;
	int n = 0;

	EXPECT(!txq_start(&q, fake_send, fk, 1e7, 16, 16, 16), "start");
	while (txq_reserve(&q) && n < 100)
		push_one(&q, (__u16)++n, 0);
	EXPECT(n == 16, "%d entries fit a ring of 16", n);
	EXPECT(!wait_done(&q), "sent");
	EXPECT(!txq_reserve(&q), "sent but unresolved entries are kept");
	pfd.fd = txq_room_fd(&q);
	pfd.events = POLLIN;
	EXPECT(poll(&pfd, 1, 1000) == 1, "room_fd says a batch left");
	txq_ack(&q);
	EXPECT(poll(&pfd, 1, 0) == 0, "ack empties it");
	q.resolved = txq_done(&q);
	EXPECT(txq_reserve(&q) != NULL, "resolved entries are free again");
	txq_free(&q);
	free(fk);
}

/*
 * Kicks on room_fd (an eventfd counts them) for a queue of n probes in
 * quanta of 16 with the given low water: the first batch is held until
 * all are queued, so that every later batch finds the rest waiting
 */
static __u64 kicks_for(int n, __u64 low_water, int *calls)
{
	struct fake *fk = calloc(1, sizeof(*fk));
	__u64 kicks = 0;
	struct txq q;

	fk->hold = 1;
	EXPECT(!txq_start(&q, fake_send, fk, 1e8, 16, 1024, low_water), "start");
	for (int i = 0; i < n; i++)
		push_one(&q, (__u16)(i + 1), 0);
	__atomic_store_n(&fk->hold, 0, __ATOMIC_RELEASE);
	EXPECT(!wait_done(&q), "sent");
	/*
	 * done is published before the batch's kick: join the thread first,
	 * then take away the one kick its stop always writes
	 */
	txq_stop(&q);
	if (read(txq_room_fd(&q), &kicks, sizeof(kicks)) != sizeof(kicks) || !kicks)
		kicks = 1; /* no stop kick: counted as 0 below, a failure */
	kicks--;
	*calls = fk->calls;
	txq_free(&q);
	free(fk);
	return kicks;
}

/*
 * The planner is woken when the queue runs low, not after every batch
 * (each wake-up cost the sending CPU an IPI), and never misses the end
 */
static void test_low_water(void)
{
	int calls;
	__u64 k;

	k = kicks_for(1000, 1024, &calls);
	EXPECT(k == (__u64)calls && calls >= 63, "low water at cap: a kick per batch (%llu for %d)",
	       (unsigned long long)k, calls);
	/*
	 * after the held batch, every batch takes 16 (the sender waits for
	 * credit, never sends less while more is queued): the last five
	 * leave r + 48, r + 32, r + 16, r and 0 queued, r < 16 (or 64 .. 0)
	 */
	k = kicks_for(1000, 64, &calls);
	EXPECT(k == 5, "low water 64, quanta of 16: %llu kicks (5) in %d batches",
	       (unsigned long long)k, calls);
	k = kicks_for(1000, 0, &calls);
	EXPECT(k == 1, "low water 0: one kick, when the queue ran empty (%llu)",
	       (unsigned long long)k);
}

int main(void)
{
	test_order_and_stamps();
	test_never_ahead();
	test_call_max();
	test_stop_drops();
	test_full_ring();
	test_low_water();
	return TEST_SUMMARY();
}
