// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <linux/if_xdp.h>
#include <xdp/xsk.h>
#include "addr.h"
#include "send/xsk_send.h"

/* the fill ring is for receiving: the smallest a TX-only socket may have */
#define XSK_FILL_SIZE 64
/* kicks of one batch before giving up on a driver that takes nothing */
#define XSK_KICKS_MAX 1024

struct xsk_sender {
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	struct xsk_ring_prod fq, tx;
	struct xsk_ring_cons cq;
	void *area;
	size_t area_len;
	__u64 submitted; /* frames put on the TX ring */
	__u64 completed; /* of them, back on the completion ring */
	__u64 dropped;	 /* kicks that reported a driver drop */
	int fd;
};

/* Take back the frames the kernel is done with; how many are still out */
static __u64 reap(struct xsk_sender *x)
{
	__u64 out = x->submitted - x->completed;
	__u32 idx, n;

	n = xsk_ring_cons__peek(&x->cq, XSK_FRAMES, &idx);
	/*
	 * Never more than we put out: libxdp 1.3.1 was seen to report a
	 * whole ring of completions right after the umem was made
	 */
	if (n > out)
		n = (__u32)out;
	if (n) {
		xsk_ring_cons__release(&x->cq, n);
		x->completed += n;
	}
	return x->submitted - x->completed;
}

int xsk_sender_open(struct xsk_sender **out, const char *ifname, int *zerocopy, char *why,
		    size_t why_len)
{
	struct xsk_umem_config ucfg = {
		.fill_size = XSK_FILL_SIZE,
		.comp_size = XSK_FRAMES,
		.frame_size = XSK_FRAME_SIZE,
		.frame_headroom = 0,
		.flags = 0,
	};
	struct xsk_socket_config scfg = {
		.rx_size = 0,
		.tx_size = XSK_FRAMES,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.xdp_flags = 0,
		.bind_flags = XDP_ZEROCOPY,
	};
	struct xsk_sender *x;
	int err;

	*out = NULL;
	x = calloc(1, sizeof(*x));
	if (!x) {
		snprintf(why, why_len, "out of memory");
		return -ENOMEM;
	}
	x->area_len = (size_t)XSK_FRAMES * XSK_FRAME_SIZE;
	x->area = mmap(NULL, x->area_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	if (x->area == MAP_FAILED) {
		err = -errno;
		snprintf(why, why_len, "umem of %zu KiB: %s", x->area_len / 1024, strerror(-err));
		x->area = NULL;
		goto err_free;
	}
	err = xsk_umem__create(&x->umem, x->area, x->area_len, &x->fq, &x->cq, &ucfg);
	if (err == -EPERM || err == -EACCES || err == -EAFNOSUPPORT) {
		/* the socket itself (a policy, or no AF_XDP in this kernel) */
		snprintf(why, why_len, "AF_XDP socket refused (%s)", strerror(-err));
		x->umem = NULL;
		goto err_unmap;
	}
	if (err) {
		/* pinned pages over RLIMIT_MEMLOCK without CAP_IPC_LOCK: ENOBUFS */
		snprintf(why, why_len, "umem of %zu KiB: %s%s", x->area_len / 1024,
			 strerror(-err),
			 err == -ENOBUFS || err == -ENOMEM ? " (over RLIMIT_MEMLOCK)" : "");
		x->umem = NULL;
		goto err_unmap;
	}
	*zerocopy = 1;
	err = xsk_socket__create(&x->xsk, ifname, 0, x->umem, NULL, &x->tx, &scfg);
	if (err) {
		/* most drivers (veth among them) have no zero-copy: copy mode */
		scfg.bind_flags = XDP_COPY;
		*zerocopy = 0;
		err = xsk_socket__create(&x->xsk, ifname, 0, x->umem, NULL, &x->tx, &scfg);
	}
	if (err) {
		snprintf(why, why_len, "AF_XDP socket on %s queue 0: %s", ifname, strerror(-err));
		x->xsk = NULL;
		goto err_umem;
	}
	x->fd = xsk_socket__fd(x->xsk);
	*out = x;
	return 0;

err_umem:
	xsk_umem__delete(x->umem);
err_unmap:
	munmap(x->area, x->area_len);
err_free:
	free(x);
	return err;
}

/*
 * Hand what is on the TX ring to the driver: in copy mode each sendto()
 * transmits a few dozen descriptors (and the lab's whole answer, in
 * softirq, before it returns) and says EAGAIN while more wait. A frame's
 * stamp is the clock just before the call that consumed its descriptor
 * (the ring's consumer index tells which): never after the frame left.
 * stamp[k]: descriptor ring0 + k. Returns 0 or -errno.
 */
static int kick(struct xsk_sender *x, __u32 ring0, int n, __u64 *stamp)
{
	__u32 seen = ring0;

	for (int k = 0; k < XSK_KICKS_MAX; k++) {
		__u32 cons = __atomic_load_n(x->tx.consumer, __ATOMIC_ACQUIRE);
		__u64 t;
		int err = 0;

		reap(x);
		if (cons - ring0 >= (__u32)n && x->completed == x->submitted)
			return 0;
		t = clock_mono_ns();
		if (sendto(x->fd, NULL, 0, MSG_DONTWAIT, NULL, 0) < 0)
			err = -errno;
		cons = __atomic_load_n(x->tx.consumer, __ATOMIC_ACQUIRE);
		for (; seen != cons && seen - ring0 < (__u32)n; seen++)
			if (stamp)
				stamp[seen - ring0] = t;
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
	}
	return -ETIMEDOUT;
}

int xsk_sender_send(struct xsk_sender *x, const struct frame_tmpl *tmpl,
		    const struct send_probe *p, int n, struct send_result *res)
{
	__u64 stamp[XSK_FRAMES / 2];
	int slot[XSK_FRAMES / 2];
	int err, built = 0;
	__u32 idx;

	if (n <= 0)
		return 0;
	if (n > XSK_FRAMES / 2)
		n = XSK_FRAMES / 2;
	/* room for the batch: frames in use are still out */
	if (reap(x) + (__u64)n > XSK_FRAMES &&
	    (err = kick(x, x->tx.cached_prod, 0, NULL)))
		goto err_all;
	if (xsk_ring_prod__reserve(&x->tx, (__u32)n, &idx) != (__u32)n) {
		err = -ENOBUFS;
		goto err_all;
	}
	for (int i = 0; i < n; i++) {
		__u64 addr = ((x->submitted + (__u64)built) % XSK_FRAMES) * XSK_FRAME_SIZE;
		struct xdp_desc *d = xsk_ring_prod__tx_desc(&x->tx, idx + (__u32)built);
		ssize_t len = frame_build(tmpl, &p[i], (__u8 *)x->area + addr, XSK_FRAME_SIZE);

		res[i].tx_ns = 0;
		res[i].err = len < 0 ? (int)len : 0;
		if (len < 0)
			continue;
		d->addr = addr;
		d->len = (__u32)len;
		d->options = 0;
		stamp[built] = 0;
		slot[built++] = i;
	}
	/* descriptors are taken in order: give back the unused tail */
	x->tx.cached_prod -= (__u32)(n - built);
	if (!built)
		return 0;
	xsk_ring_prod__submit(&x->tx, (__u32)built);
	x->submitted += (__u64)built;
	err = kick(x, idx, built, stamp);
	if (err)
		goto err_all;
	for (int k = 0; k < built; k++)
		res[slot[k]].tx_ns = stamp[k];
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

void xsk_sender_close(struct xsk_sender *x)
{
	if (!x)
		return;
	xsk_socket__delete(x->xsk);
	xsk_umem__delete(x->umem);
	munmap(x->area, x->area_len);
	free(x);
}
