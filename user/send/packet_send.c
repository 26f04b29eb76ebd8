// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/errqueue.h>
#include <linux/if_packet.h>
#include <linux/net_tstamp.h>
#include "net/addr.h"
#include "send/packet_send.h"

#define PKT_BATCH_MAX 256
/*
 * The error queue holds a stamp per frame until we read it: room for a
 * few batches of them (each is a small skb, about 700 bytes of truesize)
 */
#define PKT_ERRQ_BYTES (4 << 20)
#define PKT_SNDBUF_BYTES (4 << 20)

#define TS_FLAGS (SOF_TIMESTAMPING_TX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE | \
		  SOF_TIMESTAMPING_OPT_ID | SOF_TIMESTAMPING_OPT_TSONLY)

struct packet_sender {
	int fd;
	int ifindex;
	__u32 next_key;	  /* OPT_ID of the next frame that leaves */
	int resync;	  /* a failure may have taken a key: restart the count */
	__u64 unstamped;
	__u8 frames[PKT_BATCH_MAX][FRAME_MAX] __attribute__((aligned(8)));
};

static int set_stamping(int fd, int flags)
{
	return setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &flags, sizeof(flags)) ? -errno : 0;
}

int packet_sender_open(struct packet_sender **out, int ifindex, char *why, size_t why_len)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_ifindex = ifindex };
	struct packet_sender *s;
	int one = 1, bytes = PKT_SNDBUF_BYTES, err;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(why, why_len, "out of memory");
		return -ENOMEM;
	}
	s->ifindex = ifindex;
	/* protocol 0: the socket sends only, it never receives a frame */
	s->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		err = -errno;
		snprintf(why, why_len, "packet socket %s (%s)",
			 err == -EPERM || err == -EACCES ? "refused" : "failed", strerror(-err));
		goto err_free;
	}
	if (bind(s->fd, (struct sockaddr *)&sll, sizeof(sll))) {
		err = -errno;
		snprintf(why, why_len, "bind packet socket: %s", strerror(-err));
		goto err_close;
	}
	if (setsockopt(s->fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one))) {
		err = -errno;
		snprintf(why, why_len, "PACKET_QDISC_BYPASS: %s", strerror(-err));
		goto err_close;
	}
	/* larger buffers than the defaults: a batch of frames and its
	 * stamps are charged to them until sent and read (FORCE: above
	 * rmem_max/wmem_max, we have CAP_NET_ADMIN; else the default stays)
	 */
	if (setsockopt(s->fd, SOL_SOCKET, SO_SNDBUFFORCE, &bytes, sizeof(bytes)))
		setsockopt(s->fd, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof(bytes));
	bytes = PKT_ERRQ_BYTES;
	if (setsockopt(s->fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)))
		setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes));
	err = set_stamping(s->fd, TS_FLAGS);
	if (err) {
		snprintf(why, why_len, "SO_TIMESTAMPING: %s", strerror(-err));
		goto err_close;
	}
	*out = s;
	return 0;

err_close:
	close(s->fd);
err_free:
	free(s);
	return err;
}

/* Turning OPT_ID off and on restarts the kernel's count at 0 */
static void restart_keys(struct packet_sender *s)
{
	set_stamping(s->fd, TS_FLAGS & ~SOF_TIMESTAMPING_OPT_ID);
	set_stamping(s->fd, TS_FLAGS);
	s->next_key = 0;
	s->resync = 0;
}

/*
 * Read the driver's stamps of this batch from the error queue: key k is
 * probe slot[k - key0]. CLOCK_REALTIME, made CLOCK_MONOTONIC with the
 * offset of the moment (the two tick alike; only a step of the wall clock
 * between the send and this read would show).
 */
static void read_stamps(struct packet_sender *s, __u32 key0, const int *slot, int nkeys,
			struct send_result *res)
{
	struct mmsghdr msgs[PKT_BATCH_MAX];
	char ctl[PKT_BATCH_MAX][128];
	__s64 off = clock_real_offset_ns();
	int got = 0;

	while (got < nkeys) {
		int r;

		memset(msgs, 0, sizeof(msgs[0]) * (size_t)(nkeys - got));
		for (int i = 0; i < nkeys - got; i++) {
			msgs[i].msg_hdr.msg_control = ctl[i];
			msgs[i].msg_hdr.msg_controllen = sizeof(ctl[i]);
		}
		r = recvmmsg(s->fd, msgs, (unsigned int)(nkeys - got), MSG_ERRQUEUE | MSG_DONTWAIT,
			     NULL);
		if (r <= 0)
			break;
		for (int i = 0; i < r; i++) {
			struct cmsghdr *cm;
			const struct scm_timestamping *ts = NULL;
			const struct sock_extended_err *ee = NULL;

			for (cm = CMSG_FIRSTHDR(&msgs[i].msg_hdr); cm;
			     cm = CMSG_NXTHDR(&msgs[i].msg_hdr, cm)) {
				if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPING)
					ts = (const void *)CMSG_DATA(cm);
				else if (cm->cmsg_level == SOL_PACKET &&
					 cm->cmsg_type == PACKET_TX_TIMESTAMP)
					ee = (const void *)CMSG_DATA(cm);
			}
			if (ts && ee && ee->ee_origin == SO_EE_ORIGIN_TIMESTAMPING &&
			    ee->ee_info == SCM_TSTAMP_SND && ee->ee_data - key0 < (__u32)nkeys) {
				__u64 real = (__u64)ts->ts[0].tv_sec * 1000000000ULL +
					     (__u64)ts->ts[0].tv_nsec;

				res[slot[ee->ee_data - key0]].tx_ns = (__u64)((__s64)real - off);
			}
		}
		got += r;
	}
}

int packet_sender_send(struct packet_sender *s, const struct frame_tmpl *tmpl,
		       const struct send_probe *p, int n, struct send_result *res)
{
	struct mmsghdr msgs[PKT_BATCH_MAX];
	struct iovec iov[PKT_BATCH_MAX];
	int idx[PKT_BATCH_MAX], slot[PKT_BATCH_MAX];
	int m = 0, done = 0, sent = 0, nkeys = 0;
	__u64 t0, t1;
	__u32 key0;

	if (n > PKT_BATCH_MAX)
		n = PKT_BATCH_MAX;
	for (int i = 0; i < n; i++) {
		ssize_t len = frame_build(tmpl, &p[i], s->frames[m], FRAME_MAX);

		res[i].tx_ns = 0;
		res[i].err = len < 0 ? (int)len : 0;
		if (len < 0)
			continue;
		iov[m].iov_base = s->frames[m];
		iov[m].iov_len = (size_t)len;
		memset(&msgs[m], 0, sizeof(msgs[m]));
		msgs[m].msg_hdr.msg_iov = &iov[m];
		msgs[m].msg_hdr.msg_iovlen = 1;
		idx[m++] = i;
	}
	if (s->resync)
		restart_keys(s);
	key0 = s->next_key;
	t0 = clock_mono_ns();
	while (done < m) {
		int r = sendmmsg(s->fd, msgs + done, (unsigned int)(m - done), 0);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			/* a failure in the driver may have used up a key */
			res[idx[done++]].err = -errno;
			s->resync = 1;
			continue;
		}
		for (int i = 0; i < r && !s->resync; i++)
			slot[nkeys++] = idx[done + i];
		done += r;
		sent += r;
	}
	t1 = clock_mono_ns();
	s->next_key += (__u32)nkeys;
	if (nkeys)
		read_stamps(s, key0, slot, nkeys, res);
	/* no driver stamp: the reading around the call, by position */
	for (int k = 0, i; k < m; k++) {
		i = idx[k];
		if (res[i].err || res[i].tx_ns)
			continue;
		res[i].tx_ns = t0 + (t1 - t0) * (__u64)(2 * k + 1) / (__u64)(2 * m);
		s->unstamped++;
	}
	return sent;
}

__u64 packet_sender_unstamped(const struct packet_sender *s)
{
	return s->unstamped;
}

void packet_sender_close(struct packet_sender *s)
{
	if (!s)
		return;
	close(s->fd);
	free(s);
}
