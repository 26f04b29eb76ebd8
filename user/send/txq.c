// SPDX-License-Identifier: GPL-2.0
/*
 * The sending thread (send/txq.h says why it exists): paces
 * the queue's probes at the asked rate and hands them to the family's
 * sender in batches, one per family per wake-up.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include "core/log.h"
#include "core/units.h"
#include "net/addr.h"
#include "send/txq.h"

/* a sleeping sender looks at the ring at least this often, whatever happens */
#define IDLE_POLL_MS 20

static __u64 load_acquire(const __u64 *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void store_release(__u64 *p, __u64 v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static void kick(int fd)
{
	__u64 one = 1;

	/* an eventfd write fails only when its counter would overflow:
	 * the reader is woken either way
	 */
	if (write(fd, &one, sizeof(one)) < 0)
		return;
}

static void drain(int fd)
{
	__u64 v;

	if (read(fd, &v, sizeof(v)) < 0)
		return;
}

static int stopping(const struct txq *q)
{
	return __atomic_load_n(&q->stop, __ATOMIC_ACQUIRE);
}

/* Block until the planner pushes or stops; 0 when there is work */
static int wait_work(struct txq *q, __u64 taken)
{
	struct pollfd pfd = { .fd = q->work_fd, .events = POLLIN };

	/* Dekker with txq_push(): we store sleeping then load head, it
	 * stores head then loads sleeping; one of us sees the other
	 */
	__atomic_store_n(&q->sleeping, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&q->head, __ATOMIC_SEQ_CST) == taken && !stopping(q))
		poll(&pfd, 1, IDLE_POLL_MS);
	__atomic_store_n(&q->sleeping, 0, __ATOMIC_SEQ_CST);
	if (pfd.revents & POLLIN)
		drain(q->work_fd);
	return 0;
}

/* Wait for the pace; a stop (a kick on work_fd) cuts it short */
static void pace_until(struct txq *q, __u64 at_ns)
{
	struct pollfd pfd = { .fd = q->work_fd, .events = POLLIN };
	__u64 now = clock_mono_ns(), wait = at_ns > now ? at_ns - now : 0;
	struct timespec ts = {
		.tv_sec = (time_t)(wait / NS_PER_S),
		.tv_nsec = (long)(wait % NS_PER_S),
	};

	ppoll(&pfd, 1, &ts, NULL);
}

/* Send entries [from, from + n) as one batch per family */
static void send_batch(struct txq *q, __u64 from, int n)
{
	struct send_probe batch[2][TXQ_CALL_MAX];
	struct send_result res[TXQ_CALL_MAX];
	__u64 idx[2][TXQ_CALL_MAX];
	int nb[2] = { 0, 0 };

	for (int i = 0; i < n; i++) {
		struct txq_entry *e = txq_at(q, from + (__u64)i);
		int f = e->fam;

		batch[f][nb[f]] = e->p;
		idx[f][nb[f]++] = from + (__u64)i;
	}
	for (int f = 0; f < 2; f++) {
		__u64 left;

		if (!nb[f])
			continue;
		q->send(q->send_ctx, f, batch[f], nb[f], res);
		left = clock_mono_ns();
		for (int i = 0; i < nb[f]; i++) {
			struct txq_entry *e = txq_at(q, idx[f][i]);

			e->sent = 1;
			e->err = res[i].err;
			e->tx_ns = res[i].err ? 0 : res[i].tx_ns;
			e->left_ns = left;
		}
	}
}

/* What was queued when the planner stopped us: marked unsent */
static void drop_queued(struct txq *q, __u64 taken)
{
	__u64 head = load_acquire(&q->head);

	for (__u64 k = taken; k < head; k++)
		txq_at(q, k)->sent = 0;
	store_release(&q->done, head);
	kick(q->room_fd);
}

static void *sender_main(void *arg)
{
	struct txq *q = arg;
	__u64 taken = 0;

	q->pace_t0 = clock_mono_ns();
	for (;;) {
		__u64 head = load_acquire(&q->head), avail, now, want;
		double credit;
		int n;

		if (stopping(q)) {
			drop_queued(q, taken);
			return NULL;
		}
		avail = head - taken;
		if (!avail) {
			wait_work(q, taken);
			continue;
		}
		now = clock_mono_ns();
		credit = q->rate * (double)(now - q->pace_t0) / NS_PER_S - (double)q->paced;
		if (credit > 2 * q->quantum) {
			/*
			 * Idle time earns no burst. One quantum more than a
			 * wake-up's share is allowed: a wake-up comes tens of
			 * microseconds late, and without the catch-up that
			 * lateness was lost (168 kpps at --rate 200000).
			 */
			q->pace_t0 = now - (__u64)(((double)q->paced + 2 * q->quantum) * NS_PER_S /
						   q->rate);
			credit = 2 * q->quantum;
		}
		/* a quantum per wake-up, or all that is queued if less */
		want = avail < (__u64)q->quantum ? avail : (__u64)q->quantum;
		if (credit < (double)want) {
			pace_until(q, q->pace_t0 +
				  (__u64)(((double)q->paced + (double)want) * NS_PER_S / q->rate));
			continue;
		}
		/*
		 * A quantum per call, the credit left carries over. Two when
		 * behind the pace sent 15% faster, but the lab's routers
		 * then dropped answers of the larger bursts (58 of 50,176
		 * targets lost a hop at --rate 400000); 256 frames at once
		 * overran the veth peer's ring.
		 */
		n = (int)want;
		send_batch(q, taken, n);
		q->paced += (__u64)n;
		taken += (__u64)n;
		store_release(&q->done, taken);
		/*
		 * Wake the planner only when what is left queued runs low:
		 * waking a sleeping planner costs this CPU an eventfd write
		 * and an IPI. After every batch that was 1.8% of the sending
		 * CPU at 440 kpps (perf), and the planner woke 2,300 times a
		 * second to queue one batch each time.
		 */
		if (load_acquire(&q->head) - taken <= q->low_water)
			kick(q->room_fd);
	}
}

int txq_start(struct txq *q, txq_send_fn send, void *send_ctx, double rate,
		   double quantum, __u32 cap, __u64 low_water)
{
	int err;

	memset(q, 0, sizeof(*q));
	q->work_fd = q->room_fd = -1;
	q->ring = calloc(cap, sizeof(*q->ring));
	if (!q->ring) {
		log_err("xhop: send queue: out of memory\n");
		return -ENOMEM;
	}
	q->mask = cap - 1;
	q->send = send;
	q->send_ctx = send_ctx;
	q->rate = rate;
	q->quantum = quantum < 1 ? 1 : quantum > TXQ_CALL_MAX ? TXQ_CALL_MAX : quantum;
	q->low_water = low_water;
	q->work_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	q->room_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (q->work_fd < 0 || q->room_fd < 0) {
		err = -errno;
		log_err("xhop: send queue: eventfd: %s\n", strerror(errno));
		goto err_free;
	}
	err = -pthread_create(&q->thread, NULL, sender_main, q);
	if (err) {
		log_err("xhop: sending thread: %s\n", strerror(-err));
		goto err_free;
	}
	q->running = 1;
	pthread_setname_np(q->thread, "xhop-tx"); /* for top and perf */
	return 0;

err_free:
	txq_free(q);
	return err;
}

struct txq_entry *txq_reserve(struct txq *q)
{
	if (q->head - q->resolved > q->mask)
		return NULL;
	return txq_at(q, q->head);
}

void txq_push(struct txq *q)
{
	__atomic_store_n(&q->head, q->head + 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&q->sleeping, __ATOMIC_SEQ_CST))
		kick(q->work_fd);
}

__u64 txq_done(struct txq *q)
{
	return load_acquire(&q->done);
}

int txq_room_fd(const struct txq *q)
{
	return q->room_fd;
}

void txq_ack(struct txq *q)
{
	drain(q->room_fd);
}

void txq_stop(struct txq *q)
{
	if (!q->running)
		return;
	__atomic_store_n(&q->stop, 1, __ATOMIC_RELEASE);
	kick(q->work_fd);
	pthread_join(q->thread, NULL);
	q->running = 0;
}

void txq_free(struct txq *q)
{
	if (!q->ring)
		return; /* never started, or freed */
	txq_stop(q);
	if (q->work_fd >= 0)
		close(q->work_fd);
	if (q->room_fd >= 0)
		close(q->room_fd);
	q->work_fd = q->room_fd = -1;
	free(q->ring);
	q->ring = NULL;
}
