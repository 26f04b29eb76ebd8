// SPDX-License-Identifier: GPL-2.0
/*
 * AF_XDP, TX only. The socket, its umem and rings are set up here with
 * the kernel's own calls rather than libxdp's xsk_umem__create(): libxdp
 * 1.3.1 registers the umem without a TX metadata area, and that area is
 * where the kernel writes each frame's transmit stamp. libxdp's ring
 * helpers (xdp/xsk.h) run the rings.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <linux/if_xdp.h>
#include <xdp/xsk.h>
#include "net/addr.h"
#include "send/xsk_abi.h"
#include "send/xsk_send.h"

#define XSK_MD_LEN sizeof(struct xhop_tx_metadata)
/* the fill ring is for receiving: the smallest a TX-only socket may have */
#define XSK_FILL_SIZE 64
/*
 * How long one batch may take before the driver is taken to accept
 * nothing: time, not a count of kicks, so that a preempted sender does
 * not give up on a driver that is only slow
 */
#define XSK_KICK_BUDGET_NS 200000000ULL
/* tries at a CLOCK_TAI read bracketed tightly by two CLOCK_MONOTONIC reads */
#define TAI_TRIES 8
#define TAI_BRACKET_NS 1000

struct xsk_sender {
	struct xsk_ring_prod tx;
	struct xsk_ring_cons cq;
	void *area;
	size_t area_len;
	void *tx_map, *cq_map;
	size_t tx_map_len, cq_map_len;
	__u64 submitted; /* frames put on the TX ring */
	__u64 completed; /* of them, back on the completion ring */
	__u64 dropped;	 /* kicks that reported a driver drop */
	__u64 unstamped; /* frames whose stamp is the userspace reading */
	int fd;
	int md;		 /* frames carry TX metadata: the kernel stamps them */
};

/* Where frame chunk k's data starts: its metadata lies just before */
static __u64 chunk_addr(__u64 k)
{
	return (k % XSK_FRAMES) * XSK_FRAME_SIZE + XSK_MD_LEN;
}

static struct xhop_tx_metadata *md_of(struct xsk_sender *x, __u64 addr)
{
	return (struct xhop_tx_metadata *)((__u8 *)x->area + addr - XSK_MD_LEN);
}

/*
 * Register the umem with room for TX metadata where the kernel knows it
 * (6.11 wants the flag; 6.8-6.10 know the length but not the flag), else
 * without. Returns 0 (x->md says which) or -errno.
 */
static int umem_register(struct xsk_sender *x)
{
	struct xhop_umem_reg r = {
		.addr = (__u64)(unsigned long)x->area,
		.len = x->area_len,
		.chunk_size = XSK_FRAME_SIZE,
		.flags = XHOP_UMEM_TX_METADATA_LEN,
		.tx_metadata_len = XSK_MD_LEN,
	};

	x->md = 1;
	if (!setsockopt(x->fd, SOL_XDP, XDP_UMEM_REG, &r, sizeof(r)))
		return 0;
	if (errno != EINVAL)
		return -errno;
	r.flags = 0;
	if (!setsockopt(x->fd, SOL_XDP, XDP_UMEM_REG, &r, sizeof(r)))
		return 0;
	if (errno != EINVAL)
		return -errno;
	x->md = 0;
	r.tx_metadata_len = 0;
	return setsockopt(x->fd, SOL_XDP, XDP_UMEM_REG, &r, sizeof(r)) ? -errno : 0;
}

/* Map the TX and completion rings into libxdp's ring structs */
static int rings_map(struct xsk_sender *x)
{
	struct xdp_mmap_offsets off;
	socklen_t optlen = sizeof(off);
	int size = XSK_FRAMES, fill = XSK_FILL_SIZE;

	if (setsockopt(x->fd, SOL_XDP, XDP_UMEM_FILL_RING, &fill, sizeof(fill)) ||
	    setsockopt(x->fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, &size, sizeof(size)) ||
	    setsockopt(x->fd, SOL_XDP, XDP_TX_RING, &size, sizeof(size)) ||
	    getsockopt(x->fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &optlen))
		return -errno;
	x->tx_map_len = off.tx.desc + XSK_FRAMES * sizeof(struct xdp_desc);
	x->tx_map = mmap(NULL, x->tx_map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
			 x->fd, XDP_PGOFF_TX_RING);
	if (x->tx_map == MAP_FAILED) {
		x->tx_map = NULL;
		return -errno;
	}
	x->cq_map_len = off.cr.desc + XSK_FRAMES * sizeof(__u64);
	x->cq_map = mmap(NULL, x->cq_map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
			 x->fd, XDP_UMEM_PGOFF_COMPLETION_RING);
	if (x->cq_map == MAP_FAILED) {
		x->cq_map = NULL;
		return -errno;
	}
	x->tx.mask = XSK_FRAMES - 1;
	x->tx.size = XSK_FRAMES;
	x->tx.producer = (__u32 *)((__u8 *)x->tx_map + off.tx.producer);
	x->tx.consumer = (__u32 *)((__u8 *)x->tx_map + off.tx.consumer);
	x->tx.flags = (__u32 *)((__u8 *)x->tx_map + off.tx.flags);
	x->tx.ring = (__u8 *)x->tx_map + off.tx.desc;
	x->tx.cached_prod = *x->tx.producer;
	/* a producer's cached_cons runs a ring ahead: free = cons + size - prod */
	x->tx.cached_cons = *x->tx.consumer + XSK_FRAMES;
	x->cq.mask = XSK_FRAMES - 1;
	x->cq.size = XSK_FRAMES;
	x->cq.producer = (__u32 *)((__u8 *)x->cq_map + off.cr.producer);
	x->cq.consumer = (__u32 *)((__u8 *)x->cq_map + off.cr.consumer);
	x->cq.flags = (__u32 *)((__u8 *)x->cq_map + off.cr.flags);
	x->cq.ring = (__u8 *)x->cq_map + off.cr.desc;
	x->cq.cached_prod = *x->cq.producer;
	x->cq.cached_cons = *x->cq.consumer;
	return 0;
}

void xsk_sender_close(struct xsk_sender *x)
{
	if (!x)
		return;
	if (x->tx_map)
		munmap(x->tx_map, x->tx_map_len);
	if (x->cq_map)
		munmap(x->cq_map, x->cq_map_len);
	if (x->fd >= 0)
		close(x->fd);
	if (x->area)
		munmap(x->area, x->area_len);
	free(x);
}

int xsk_sender_open(struct xsk_sender **out, const char *ifname, int *zerocopy, int *stamped,
		    char *why, size_t why_len)
{
	struct sockaddr_xdp sxdp = { .sxdp_family = AF_XDP, .sxdp_queue_id = 0 };
	struct xsk_sender *x;
	int err;

	*out = NULL;
	x = calloc(1, sizeof(*x));
	if (!x) {
		snprintf(why, why_len, "out of memory");
		return -ENOMEM;
	}
	x->fd = -1;
	sxdp.sxdp_ifindex = if_nametoindex(ifname);
	x->fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (x->fd < 0) {
		/* a policy, or no AF_XDP in this kernel */
		err = -errno;
		snprintf(why, why_len, "AF_XDP socket %s (%s)",
			 err == -EPERM || err == -EACCES ? "refused" : "failed", strerror(-err));
		goto err_close;
	}
	x->area_len = (size_t)XSK_FRAMES * XSK_FRAME_SIZE;
	x->area = mmap(NULL, x->area_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	if (x->area == MAP_FAILED) {
		x->area = NULL;
		err = -errno;
		snprintf(why, why_len, "umem of %zu KiB: %s", x->area_len / 1024, strerror(-err));
		goto err_close;
	}
	err = umem_register(x);
	if (err) {
		/* pinned pages over RLIMIT_MEMLOCK without CAP_IPC_LOCK: ENOBUFS */
		snprintf(why, why_len, "umem of %zu KiB: %s%s", x->area_len / 1024,
			 strerror(-err),
			 err == -ENOBUFS || err == -ENOMEM ? " (over RLIMIT_MEMLOCK)" : "");
		goto err_close;
	}
	err = rings_map(x);
	if (err) {
		snprintf(why, why_len, "AF_XDP rings: %s", strerror(-err));
		goto err_close;
	}
	/* most drivers (veth among them) have no zero-copy: copy mode */
	*zerocopy = 1;
	sxdp.sxdp_flags = XDP_ZEROCOPY;
	if (bind(x->fd, (struct sockaddr *)&sxdp, sizeof(sxdp))) {
		*zerocopy = 0;
		sxdp.sxdp_flags = XDP_COPY;
		if (bind(x->fd, (struct sockaddr *)&sxdp, sizeof(sxdp))) {
			err = -errno;
			snprintf(why, why_len, "AF_XDP socket on %s queue 0: %s", ifname,
				 strerror(-err));
			goto err_close;
		}
	}
	*stamped = x->md;
	*out = x;
	return 0;

err_close:
	xsk_sender_close(x);
	return err;
}

/* Take back the frames the kernel is done with; how many are still out */
static __u64 reap(struct xsk_sender *x)
{
	__u32 idx, n = xsk_ring_cons__peek(&x->cq, XSK_FRAMES, &idx);

	if (n) {
		xsk_ring_cons__release(&x->cq, n);
		x->completed += n;
	}
	return x->submitted - x->completed;
}

/*
 * Hand what is on the TX ring to the driver, and wait for its completion
 * (the stamp): in copy mode each sendto() transmits a few dozen
 * descriptors (and the lab's whole answer, in softirq, before it returns)
 * and says EAGAIN while more wait. kick_ns[k]: the clock just before the
 * call that consumed descriptor ring0 + k (never after the frame left),
 * the stamp when the kernel gives none. Returns 0 or -errno.
 */
static int kick(struct xsk_sender *x, __u32 ring0, int n, __u64 *kick_ns)
{
	__u64 give_up = clock_mono_ns() + XSK_KICK_BUDGET_NS;
	__u32 seen = ring0;

	for (;;) {
		__u32 cons = __atomic_load_n(x->tx.consumer, __ATOMIC_ACQUIRE);
		__u64 out = reap(x), t;
		int err = 0;

		if (out == 0 && cons - ring0 >= (__u32)n)
			return 0;
		t = clock_mono_ns();
		if (t > give_up)
			return -ETIMEDOUT;
		if (sendto(x->fd, NULL, 0, MSG_DONTWAIT, NULL, 0) < 0)
			err = -errno;
		cons = __atomic_load_n(x->tx.consumer, __ATOMIC_ACQUIRE);
		for (; seen != cons && seen - ring0 < (__u32)n; seen++)
			if (kick_ns)
				kick_ns[seen - ring0] = t;
		switch (err) {
		case 0:
		case -EAGAIN:
		case -ENOBUFS: /* the completion ring is full: reap, go on */
		case -EINTR:
			break;
		case -EBUSY:   /* the driver dropped a frame (it is completed all the same) */
			x->dropped++;
			break;
		default:
			return err;
		}
		/* nothing moved: let the softirq or the peer run before the next kick */
		if (__atomic_load_n(x->tx.consumer, __ATOMIC_ACQUIRE) == cons && reap(x) == out)
			sched_yield();
	}
}

/*
 * The stamp of a sent frame: the kernel's transmit stamp (CLOCK_TAI, made
 * CLOCK_MONOTONIC with the offset of the moment) when it lies within the
 * kick that sent the frame, as it must; else the clock before that kick
 */
static __u64 frame_stamp(struct xsk_sender *x, __u64 addr, __u64 kick_ns, __u64 end_ns,
			 __s64 tai_off)
{
	const struct xhop_tx_metadata *m = md_of(x, addr);
	__u64 tai = m->completion.tx_timestamp, mono;

	if (x->md && tai) {
		mono = (__u64)((__s64)tai - tai_off);
		if (mono >= kick_ns && mono <= end_ns)
			return mono;
	}
	x->unstamped++;
	return kick_ns;
}

static __s64 ts_ns(const struct timespec *t)
{
	return (__s64)t->tv_sec * 1000000000LL + t->tv_nsec;
}

/*
 * CLOCK_TAI - CLOCK_MONOTONIC now: the two tick alike, only their origins
 * differ. The TAI read is bracketed by two MONOTONIC reads and the
 * tightest bracket of a few tries is kept: a sender preempted between two
 * bare reads would shift every stamp of its batch by the time it lost
 * (8 ms was seen under load), pushing stamps past their answers.
 */
static __s64 tai_offset(void)
{
	__s64 best_off = 0, best_gap = -1;

	for (int i = 0; i < TAI_TRIES; i++) {
		struct timespec m0, tai, m1;
		__s64 gap;

		clock_gettime(CLOCK_MONOTONIC, &m0);
		clock_gettime(CLOCK_TAI, &tai);
		clock_gettime(CLOCK_MONOTONIC, &m1);
		gap = ts_ns(&m1) - ts_ns(&m0);
		if (best_gap < 0 || gap < best_gap) {
			best_gap = gap;
			best_off = ts_ns(&tai) - (ts_ns(&m0) + gap / 2);
		}
		if (gap < TAI_BRACKET_NS)
			break;
	}
	return best_off;
}

int xsk_sender_send(struct xsk_sender *x, const struct frame_tmpl *tmpl,
		    const struct send_probe *p, int n, struct send_result *res)
{
	__u64 kick_ns[XSK_FRAMES / 2], addrs[XSK_FRAMES / 2], end_ns;
	int slot[XSK_FRAMES / 2];
	int err, built = 0;
	__s64 tai_off;
	__u32 idx;

	if (n <= 0)
		return 0;
	if (n > XSK_FRAMES / 2)
		n = XSK_FRAMES / 2;
	/* the last batch is completed before a send returns: the ring is free */
	if (xsk_ring_prod__reserve(&x->tx, (__u32)n, &idx) != (__u32)n) {
		err = -ENOBUFS;
		goto err_all;
	}
	for (int i = 0; i < n; i++) {
		__u64 addr = chunk_addr(x->submitted + (__u64)built);
		struct xdp_desc *d = xsk_ring_prod__tx_desc(&x->tx, idx + (__u32)built);
		ssize_t len = frame_build(tmpl, &p[i], (__u8 *)x->area + addr,
					  XSK_FRAME_SIZE - XSK_MD_LEN);

		res[i].tx_ns = 0;
		res[i].err = len < 0 ? (int)len : 0;
		if (len < 0)
			continue;
		d->addr = addr;
		d->len = (__u32)len;
		d->options = 0;
		if (x->md) {
			struct xhop_tx_metadata *m = md_of(x, addr);

			memset(m, 0, sizeof(*m));
			m->flags = XHOP_TXMD_FLAGS_TIMESTAMP;
			d->options = XHOP_XDP_TX_METADATA;
		}
		kick_ns[built] = 0;
		addrs[built] = addr;
		slot[built++] = i;
	}
	/* descriptors are taken in order: give back the unused tail */
	x->tx.cached_prod -= (__u32)(n - built);
	if (!built)
		return 0;
	xsk_ring_prod__submit(&x->tx, (__u32)built);
	x->submitted += (__u64)built;
	tai_off = tai_offset();
	err = kick(x, idx, built, kick_ns);
	end_ns = clock_mono_ns();
	if (err)
		goto err_all;
	for (int k = 0; k < built; k++)
		res[slot[k]].tx_ns = frame_stamp(x, addrs[k], kick_ns[k], end_ns, tai_off);
	return built;

err_all:
	for (int i = 0; i < n; i++) {
		res[i].err = err;
		res[i].tx_ns = 0;
	}
	return err;
}

__u64 xsk_sender_dropped(const struct xsk_sender *x)
{
	return x->dropped;
}

__u64 xsk_sender_unstamped(const struct xsk_sender *x)
{
	return x->unstamped;
}
