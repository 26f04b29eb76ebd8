// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <linux/if_xdp.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/xsk.h>
#include "bare_send.h"
#include "rounds.h"
#include "send/xsk_abi.h"
#include "send_bare.skel.h"

/* Linux 6.17: how many descriptors one sendto() of a copy-mode socket may send */
#ifndef XDP_MAX_TX_SKB_BUDGET
#define XDP_MAX_TX_SKB_BUDGET 9
#endif

/* TX metadata (6.8+): the AF_XDP rung's own copy of the kernel ABI */
#define MD_LEN sizeof(struct xhop_tx_metadata)

#define XSK_FRAME 2048 /* umem chunk: 1024 x 2 KiB = 2 MiB pinned, within 8 MiB of RLIMIT_MEMLOCK */
#define RING_FRAME 128 /* TX ring slot: tpacket2_hdr, then a frame of up to 96 bytes */
#define SNDBUF_BYTES (4 << 20) /* as xhop's AF_PACKET sender: a batch never waits on it */
#define LIVE_BATCH_MAX 256     /* the kernel's live-frames batch_size limit */
#define DRAIN_TRIES 100000

struct bare {
	struct bare_cfg cfg;
	int fd;
	int k; /* the next frame (socket senders) */
	/* sockets: one message per frame, the first batch repeated at the end */
	struct mmsghdr *msgs;
	struct iovec *iov;
	struct sockaddr_in *sin;
	/* ring senders */
	void *ring;
	size_t ring_len;
	__u64 head, tail; /* frames handed to the ring, frames back from it */
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	struct xsk_ring_prod fq, tx;
	struct xsk_ring_cons cq;
	void *tx_map, *cq_map; /* the stamped socket's rings, mapped here */
	size_t tx_map_len, cq_map_len;
	__u32 data_off, opts;  /* where a frame starts in its chunk; descriptor options */
	/* live frames */
	struct send_bare_bpf *skel;
	int pinned;
};

static const __u8 *frame_at(const struct bare *b, int i)
{
	return b->cfg.frames + (size_t)(i % b->cfg.nframes) * b->cfg.stride;
}

/* ---- sockets: IPPROTO_RAW and AF_PACKET ---------------------------------------- */

/* One message per frame; messages [n, n + batch) repeat the first ones, so
 * a batch starting anywhere below n is contiguous
 */
static int msgs_init(struct bare *b, int raw)
{
	int n = b->cfg.nframes, total = n + b->cfg.batch;

	b->msgs = calloc((size_t)total, sizeof(*b->msgs));
	b->iov = calloc((size_t)total, sizeof(*b->iov));
	b->sin = calloc((size_t)total, sizeof(*b->sin));
	if (!b->msgs || !b->iov || !b->sin)
		return -ENOMEM;
	for (int i = 0; i < total; i++) {
		const __u8 *f = frame_at(b, i);

		b->iov[i].iov_base = (void *)(f + (raw ? ETH_HLEN : 0));
		b->iov[i].iov_len = b->cfg.len - (raw ? ETH_HLEN : 0);
		b->msgs[i].msg_hdr.msg_iov = &b->iov[i];
		b->msgs[i].msg_hdr.msg_iovlen = 1;
		if (!raw)
			continue;
		/* the destination is the frame's: IPv4 daddr at offset 16 */
		b->sin[i].sin_family = AF_INET;
		memcpy(&b->sin[i].sin_addr, f + ETH_HLEN + 16, 4);
		b->msgs[i].msg_hdr.msg_name = &b->sin[i];
		b->msgs[i].msg_hdr.msg_namelen = sizeof(b->sin[i]);
	}
	return 0;
}

static int open_raw(struct bare *b, char *why, size_t why_len)
{
	int err;

	b->fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (b->fd < 0 || setsockopt(b->fd, SOL_SOCKET, SO_BINDTODEVICE, b->cfg.ifname,
				    (socklen_t)strlen(b->cfg.ifname) + 1)) {
		err = -errno;
		snprintf(why, why_len, "raw socket on %s: %s", b->cfg.ifname, strerror(-err));
		return err;
	}
	return msgs_init(b, 1);
}

static int open_packet(struct bare *b, int tx_ring, char *why, size_t why_len)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_ifindex = b->cfg.ifindex };
	int one = 1, bytes = SNDBUF_BYTES, err;

	/* protocol 0: a sender that never receives */
	b->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (b->fd < 0 || setsockopt(b->fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one))) {
		err = -errno;
		snprintf(why, why_len, "packet socket: %s", strerror(-err));
		return err;
	}
	if (setsockopt(b->fd, SOL_SOCKET, SO_SNDBUFFORCE, &bytes, sizeof(bytes)))
		setsockopt(b->fd, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof(bytes));
	if (tx_ring) {
		int ver = TPACKET_V2;
		struct tpacket_req req = {
			.tp_block_size = 4096,
			.tp_frame_size = RING_FRAME,
			.tp_block_nr = BARE_RING_FRAMES / (4096 / RING_FRAME),
			.tp_frame_nr = BARE_RING_FRAMES,
		};

		if (TPACKET2_HDRLEN - sizeof(struct sockaddr_ll) + b->cfg.len > RING_FRAME) {
			snprintf(why, why_len, "frame of %zu bytes over the ring's slot", b->cfg.len);
			return -EMSGSIZE;
		}
		if (setsockopt(b->fd, SOL_PACKET, PACKET_VERSION, &ver, sizeof(ver)) ||
		    setsockopt(b->fd, SOL_PACKET, PACKET_TX_RING, &req, sizeof(req))) {
			err = -errno;
			snprintf(why, why_len, "PACKET_TX_RING: %s", strerror(-err));
			return err;
		}
		b->ring_len = (size_t)req.tp_block_size * req.tp_block_nr;
		b->ring = mmap(NULL, b->ring_len, PROT_READ | PROT_WRITE, MAP_SHARED, b->fd, 0);
		if (b->ring == MAP_FAILED) {
			err = -errno;
			b->ring = NULL;
			snprintf(why, why_len, "mmap the TX ring: %s", strerror(-err));
			return err;
		}
		/* the frames go in once: a send only flips their status */
		for (int i = 0; i < BARE_RING_FRAMES; i++) {
			struct tpacket2_hdr *h = (void *)((__u8 *)b->ring + (size_t)i * RING_FRAME);

			memcpy((__u8 *)h + TPACKET2_HDRLEN - sizeof(struct sockaddr_ll),
			       frame_at(b, i), b->cfg.len);
			h->tp_len = (__u32)b->cfg.len;
		}
	}
	if (bind(b->fd, (struct sockaddr *)&sll, sizeof(sll))) {
		err = -errno;
		snprintf(why, why_len, "bind packet socket: %s", strerror(-err));
		return err;
	}
	return tx_ring ? 0 : msgs_init(b, 0);
}

static int send_mmsg(struct bare *b)
{
	int r;

	if (b->cfg.kind == BARE_RAW) {
		/* one system call per frame: a batch of them */
		int sent = 0;

		for (int i = 0; i < b->cfg.batch; i++) {
			const struct msghdr *m = &b->msgs[b->k].msg_hdr;

			if (sendto(b->fd, m->msg_iov->iov_base, m->msg_iov->iov_len, 0, m->msg_name,
				   m->msg_namelen) > 0)
				sent++;
			b->k = (b->k + 1) % b->cfg.nframes;
		}
		return sent;
	}
	r = sendmmsg(b->fd, b->msgs + b->k, (unsigned int)b->cfg.batch, 0);
	if (r < 0)
		return errno == EINTR ? 0 : -errno;
	b->k = (b->k + r) % b->cfg.nframes;
	return r;
}

/* ---- AF_PACKET TX ring ---------------------------------------------------------- */

static struct tpacket2_hdr *slot(struct bare *b, __u64 i)
{
	return (void *)((__u8 *)b->ring + (size_t)(i % BARE_RING_FRAMES) * RING_FRAME);
}

/* Frames the kernel has given back since the last look; -EINVAL on a refused one */
static int ring_reap(struct bare *b)
{
	int n = 0;

	while (b->tail < b->head) {
		__u32 st = __atomic_load_n(&slot(b, b->tail)->tp_status, __ATOMIC_ACQUIRE);

		if (st & TP_STATUS_WRONG_FORMAT)
			return -EINVAL;
		if (st != TP_STATUS_AVAILABLE)
			break;
		b->tail++;
		n++;
	}
	return n;
}

static int send_ring(struct bare *b)
{
	int done = ring_reap(b), more;

	if (done < 0)
		return done;
	for (int i = 0; i < b->cfg.batch && b->head - b->tail < BARE_RING_FRAMES; i++)
		__atomic_store_n(&slot(b, b->head++)->tp_status, TP_STATUS_SEND_REQUEST,
				 __ATOMIC_RELEASE);
	/* without waiting for the frames to be freed: that is the next call's look */
	if (send(b->fd, NULL, 0, MSG_DONTWAIT) < 0 && errno != EAGAIN && errno != ENOBUFS &&
	    errno != EINTR)
		return -errno;
	more = ring_reap(b);
	return more < 0 ? more : done + more;
}

/* ---- AF_XDP, copy mode ---------------------------------------------------------- */

static int xsk_reap(struct bare *b)
{
	__u32 idx, n = xsk_ring_cons__peek(&b->cq, BARE_RING_FRAMES, &idx);

	if (n) {
		xsk_ring_cons__release(&b->cq, n);
		b->tail += n;
	}
	return (int)n;
}

static int open_xsk_libxdp(struct bare *b, const struct xsk_umem_config *ucfg,
			   const struct xsk_socket_config *scfg, char *why, size_t why_len)
{
	int err;

	err = xsk_umem__create(&b->umem, b->ring, b->ring_len, &b->fq, &b->cq, ucfg);
	if (err) {
		b->umem = NULL;
		snprintf(why, why_len, "umem of %zu KiB: %s", b->ring_len / 1024, strerror(-err));
		return err;
	}
	err = xsk_socket__create(&b->xsk, b->cfg.ifname, 0, b->umem, NULL, &b->tx, scfg);
	if (err) {
		b->xsk = NULL;
		snprintf(why, why_len, "AF_XDP socket on %s: %s", b->cfg.ifname, strerror(-err));
		return err;
	}
	b->fd = xsk_socket__fd(b->xsk);
	/*
	 * Start the completion ring's cached indexes at the kernel's: libxdp
	 * 1.3.1 was seen to report a whole ring of completions right after
	 * the umem was made
	 */
	b->cq.cached_prod = __atomic_load_n(b->cq.producer, __ATOMIC_ACQUIRE);
	b->cq.cached_cons = __atomic_load_n(b->cq.consumer, __ATOMIC_ACQUIRE);
	return 0;
}

/* One ring of the stamped socket, mapped into libxdp's ring struct fields */
static void *ring_map(struct bare *b, __u64 pgoff, const struct xdp_ring_offset *o, size_t elem,
		      size_t *len, __u32 **prod, __u32 **cons, __u32 **flags, void **ring)
{
	void *m;

	*len = o->desc + BARE_RING_FRAMES * elem;
	m = mmap(NULL, *len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, b->fd, (off_t)pgoff);
	if (m == MAP_FAILED)
		return NULL;
	*prod = (__u32 *)((__u8 *)m + o->producer);
	*cons = (__u32 *)((__u8 *)m + o->consumer);
	*flags = (__u32 *)((__u8 *)m + o->flags);
	*ring = (__u8 *)m + o->desc;
	return m;
}

/*
 * The same socket with a TX metadata area, so that the kernel stamps
 * every frame as xhop's AF_XDP rung has it do: set up with the kernel's
 * own calls, as libxdp 1.3.1 registers no such area
 */
static int open_xsk_stamped(struct bare *b, char *why, size_t why_len)
{
	struct xhop_umem_reg reg = {
		.addr = (__u64)(unsigned long)b->ring, .len = b->ring_len, .chunk_size = XSK_FRAME,
		.flags = XHOP_UMEM_TX_METADATA_LEN, .tx_metadata_len = MD_LEN,
	};
	struct sockaddr_xdp sxdp = {
		.sxdp_family = AF_XDP, .sxdp_ifindex = (__u32)b->cfg.ifindex, .sxdp_flags = XDP_COPY,
	};
	struct xdp_mmap_offsets off;
	socklen_t optlen = sizeof(off);
	int n = BARE_RING_FRAMES, fill = 64, err;

	b->fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (b->fd < 0 || setsockopt(b->fd, SOL_XDP, XDP_UMEM_REG, &reg, sizeof(reg))) {
		err = -errno;
		snprintf(why, why_len, "umem with TX metadata: %s%s", strerror(-err),
			 err == -EINVAL ? " (a kernel before 6.11)" : "");
		return err;
	}
	if (setsockopt(b->fd, SOL_XDP, XDP_UMEM_FILL_RING, &fill, sizeof(fill)) ||
	    setsockopt(b->fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, &n, sizeof(n)) ||
	    setsockopt(b->fd, SOL_XDP, XDP_TX_RING, &n, sizeof(n)) ||
	    getsockopt(b->fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &optlen)) {
		err = -errno;
		snprintf(why, why_len, "AF_XDP rings: %s", strerror(-err));
		return err;
	}
	b->tx_map = ring_map(b, XDP_PGOFF_TX_RING, &off.tx, sizeof(struct xdp_desc),
			     &b->tx_map_len, &b->tx.producer, &b->tx.consumer, &b->tx.flags,
			     &b->tx.ring);
	b->cq_map = ring_map(b, XDP_UMEM_PGOFF_COMPLETION_RING, &off.cr, sizeof(__u64),
			     &b->cq_map_len, &b->cq.producer, &b->cq.consumer, &b->cq.flags,
			     &b->cq.ring);
	if (!b->tx_map || !b->cq_map) {
		err = -errno;
		snprintf(why, why_len, "map AF_XDP rings: %s", strerror(-err));
		return err;
	}
	b->tx.mask = b->cq.mask = BARE_RING_FRAMES - 1;
	b->tx.size = b->cq.size = BARE_RING_FRAMES;
	b->tx.cached_prod = *b->tx.producer;
	/* a producer's cached_cons runs a ring ahead (libxdp's convention) */
	b->tx.cached_cons = *b->tx.consumer + BARE_RING_FRAMES;
	b->cq.cached_prod = *b->cq.producer;
	b->cq.cached_cons = *b->cq.consumer;
	if (bind(b->fd, (struct sockaddr *)&sxdp, sizeof(sxdp))) {
		err = -errno;
		snprintf(why, why_len, "AF_XDP socket on %s: %s", b->cfg.ifname, strerror(-err));
		return err;
	}
	return 0;
}

static int open_xsk(struct bare *b, char *why, size_t why_len)
{
	struct xsk_umem_config ucfg = {
		.fill_size = 64, /* TX only: the least a fill ring may be */
		.comp_size = BARE_RING_FRAMES,
		.frame_size = XSK_FRAME,
	};
	struct xsk_socket_config scfg = {
		.tx_size = BARE_RING_FRAMES,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.bind_flags = XDP_COPY,
	};
	__u32 budget = b->cfg.xsk_budget;
	int err;

	b->ring_len = (size_t)BARE_RING_FRAMES * XSK_FRAME;
	b->ring = mmap(NULL, b->ring_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (b->ring == MAP_FAILED) {
		err = -errno;
		b->ring = NULL;
		snprintf(why, why_len, "umem: %s", strerror(-err));
		return err;
	}
	b->data_off = b->cfg.xsk_stamp ? MD_LEN : 0;
	b->opts = b->cfg.xsk_stamp ? XHOP_XDP_TX_METADATA : 0;
	/*
	 * umem chunk i holds frame i for good, and (stamped) its request for
	 * a stamp, which the kernel's completion leaves in place: a send
	 * only writes descriptors
	 */
	for (int i = 0; i < BARE_RING_FRAMES; i++) {
		__u8 *chunk = (__u8 *)b->ring + (size_t)i * XSK_FRAME;

		if (b->cfg.xsk_stamp)
			*(__u64 *)chunk = XHOP_TXMD_FLAGS_TIMESTAMP;
		memcpy(chunk + b->data_off, frame_at(b, i), b->cfg.len);
	}
	if (b->cfg.xsk_stamp)
		err = open_xsk_stamped(b, why, why_len);
	else
		err = open_xsk_libxdp(b, &ucfg, &scfg, why, why_len);
	if (err)
		return err;
	if (budget && setsockopt(b->fd, SOL_XDP, XDP_MAX_TX_SKB_BUDGET, &budget, sizeof(budget))) {
		err = -errno;
		snprintf(why, why_len, "XDP_MAX_TX_SKB_BUDGET %u: %s%s", budget, strerror(-err),
			 err == -ENOPROTOOPT ? " (a kernel before 6.17)" : "");
		return err;
	}
	return 0;
}

static int send_xsk(struct bare *b)
{
	__u64 room = BARE_RING_FRAMES - (b->head - b->tail);
	__u32 n = (__u32)b->cfg.batch, idx;
	int done = xsk_reap(b);

	room += (__u64)done;
	if (n > room)
		n = (__u32)room;
	if (n && xsk_ring_prod__reserve(&b->tx, n, &idx) == n) {
		for (__u32 i = 0; i < n; i++) {
			struct xdp_desc *d = xsk_ring_prod__tx_desc(&b->tx, idx + i);

			d->addr = ((b->head + i) % BARE_RING_FRAMES) * XSK_FRAME + b->data_off;
			d->len = (__u32)b->cfg.len;
			d->options = b->opts;
		}
		xsk_ring_prod__submit(&b->tx, n);
		b->head += n;
	}
	/*
	 * Copy mode transmits inside this call, up to the socket's budget
	 * of descriptors, and says EAGAIN when more are waiting; ENOBUFS:
	 * the completion ring is full; EBUSY: the driver dropped a frame
	 * (the peer's count shows it)
	 */
	if (sendto(b->fd, NULL, 0, MSG_DONTWAIT, NULL, 0) < 0 && errno != EAGAIN &&
	    errno != ENOBUFS && errno != EBUSY && errno != EINTR)
		return -errno;
	return done + xsk_reap(b);
}

/* ---- live frames ---------------------------------------------------------------- */

static int live_run(struct bare *b, __u32 repeat)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = b->cfg.frames,
		    .data_size_in = (__u32)b->cfg.len, .repeat = repeat,
		    .batch_size = repeat < LIVE_BATCH_MAX ? repeat : LIVE_BATCH_MAX,
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES);

	if (bpf_prog_test_run_opts(bpf_program__fd(b->skel->progs.bare_send), &opts))
		return -errno;
	return (int)repeat;
}

static int open_live(struct bare *b, char *why, size_t why_len)
{
	int err;

	b->skel = send_bare_bpf__open();
	if (!b->skel) {
		err = -errno;
		snprintf(why, why_len, "open send_bare: %s", strerror(-err));
		return err;
	}
	b->skel->rodata->out_ifindex = (__u32)b->cfg.ifindex;
	b->skel->rodata->fixed_ttl = b->cfg.live_ttl;
	err = send_bare_bpf__load(b->skel);
	if (err) {
		snprintf(why, why_len, "load send_bare: %s", strerror(-err));
		return err;
	}
	/*
	 * A test run of an XDP program attached nowhere patches the kernel's
	 * XDP dispatcher in and out (1.4 ms per call here); attached, it
	 * stays: a generic-mode attach to this namespace's lo, where nothing
	 * else runs, as xhop's generator rides on its attached receiver
	 */
	err = bpf_xdp_attach(1, bpf_program__fd(b->skel->progs.bare_send), XDP_FLAGS_SKB_MODE, NULL);
	if (err) {
		snprintf(why, why_len, "attach send_bare to lo: %s", strerror(-err));
		return err;
	}
	b->pinned = 1;
	return 0;
}

/* ---- the interface ---------------------------------------------------------------- */

int bare_open(struct bare **out, const struct bare_cfg *cfg, char *why, size_t why_len)
{
	struct bare *b = calloc(1, sizeof(*b));
	int err, n;

	*out = NULL;
	if (!b) {
		snprintf(why, why_len, "out of memory");
		return -ENOMEM;
	}
	b->cfg = *cfg;
	b->fd = -1;
	switch (cfg->kind) {
	case BARE_RAW:
	case BARE_RAW_MMSG:
		err = open_raw(b, why, why_len);
		break;
	case BARE_PACKET:
	case BARE_TX_RING:
		err = open_packet(b, cfg->kind == BARE_TX_RING, why, why_len);
		break;
	case BARE_XSK:
		err = open_xsk(b, why, why_len);
		break;
	case BARE_LIVE:
		err = open_live(b, why, why_len);
		break;
	default:
		err = -EINVAL;
		snprintf(why, why_len, "no such sender");
		break;
	}
	if (err)
		goto err_close;
	/* frames for real: a refusal shows here, not in the measurement */
	if (cfg->kind == BARE_LIVE) {
		n = live_run(b, 1);
		if (n < 0) {
			err = n;
			if (err == -EPERM)
				snprintf(why, why_len, "live frames refused by the kernel (EPERM)");
			else
				snprintf(why, why_len, "test run with live frames: %s", strerror(-err));
			goto err_close;
		}
		*out = b;
		return 0;
	}
	n = bare_send(b);
	if (n >= 0) {
		int more = bare_drain(b);

		n = more < 0 ? more : n + more;
	}
	if (n <= 0) {
		err = n < 0 ? n : -EIO;
		snprintf(why, why_len, "a trial batch did not leave (%s)",
			 n < 0 ? strerror(-n) : "nothing sent");
		goto err_close;
	}
	*out = b;
	return 0;

err_close:
	bare_close(b);
	return err;
}

int bare_send(struct bare *b)
{
	switch (b->cfg.kind) {
	case BARE_RAW:
	case BARE_RAW_MMSG:
	case BARE_PACKET:
		return send_mmsg(b);
	case BARE_TX_RING:
		return send_ring(b);
	case BARE_XSK:
		return send_xsk(b);
	case BARE_LIVE:
		return live_run(b, (__u32)b->cfg.batch);
	}
	return -EINVAL;
}

int bare_drain(struct bare *b)
{
	int n = 0, r;

	for (int i = 0; i < DRAIN_TRIES && b->tail < b->head; i++) {
		if (b->cfg.kind == BARE_XSK) {
			/* copy mode sends only when kicked */
			if (sendto(b->fd, NULL, 0, MSG_DONTWAIT, NULL, 0) < 0 && errno != EAGAIN &&
			    errno != ENOBUFS && errno != EBUSY && errno != EINTR)
				return -errno;
			r = xsk_reap(b);
		} else {
			r = ring_reap(b);
		}
		if (r < 0)
			return r;
		n += r;
		if (!r)
			sched_yield();
	}
	return b->tail < b->head ? -ETIMEDOUT : n;
}

void bare_close(struct bare *b)
{
	if (!b)
		return;
	if (b->xsk)
		xsk_socket__delete(b->xsk); /* closes b->fd */
	if (b->umem)
		xsk_umem__delete(b->umem);
	if (b->tx_map)
		munmap(b->tx_map, b->tx_map_len);
	if (b->cq_map)
		munmap(b->cq_map, b->cq_map_len);
	if (!b->xsk && b->fd >= 0)
		close(b->fd);
	if (b->ring)
		munmap(b->ring, b->ring_len);
	if (b->pinned)
		bpf_xdp_detach(1, XDP_FLAGS_SKB_MODE, NULL);
	send_bare_bpf__destroy(b->skel);
	free(b->msgs);
	free(b->iov);
	free(b->sin);
	free(b);
}

int bare_run(struct bare *b, double secs, int (*send)(void *ctx), void *ctx, __u64 *sent,
	     double *elapsed)
{
	double t0 = bench_now_s();
	__u64 left = 0;
	int n = 0;

	while (n >= 0 && bench_now_s() < t0 + secs) {
		n = send(ctx);
		if (n > 0)
			left += (__u64)n;
	}
	/* frames still in a ring have not left yet: they count when they do */
	if (b && n >= 0) {
		n = bare_drain(b);
		if (n > 0)
			left += (__u64)n;
	}
	if (sent)
		*sent = left;
	if (elapsed)
		*elapsed = bench_now_s() - t0;
	return n;
}
