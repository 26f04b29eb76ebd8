/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The AF_XDP rung of the sender ladder: one TX-only socket per interface
 * (libxdp's xsk API), both families through it. Zero-copy where the driver
 * allows, copy mode otherwise. No XDP program of libxdp's: its dispatcher
 * needs EXT programs, which some kernels refuse, and xhop's receive
 * program already holds the interface; a TX-only socket needs none.
 *
 * The umem is pinned memory, charged to RLIMIT_MEMLOCK unless the process
 * has CAP_IPC_LOCK: it is sized well within the usual 8 MiB, and a
 * refusal (ENOBUFS, EPERM) moves the ladder down a rung.
 *
 * Send stamps: frames skip the tc egress hook. The stamp of a frame is
 * CLOCK_MONOTONIC read around the kick that hands it to the driver (in
 * copy mode the kernel transmits inside that sendto()), placed within the
 * kick by its position: see README "Send stamps".
 */
#ifndef XHOP_XSK_SEND_H
#define XHOP_XSK_SEND_H

#include <stddef.h>
#include <linux/types.h>
#include "send/frame.h"
#include "send/send_probe.h"

struct xsk_sender;

/* frames in the umem: 2 KiB each, so 2 MiB pinned */
#define XSK_FRAMES 1024
#define XSK_FRAME_SIZE 2048

/*
 * Open a TX-only socket on queue 0 of ifname. 0 or -errno, the reason in
 * why (why_len bytes). *zerocopy: 1 when the driver took zero-copy.
 */
int xsk_sender_open(struct xsk_sender **x, const char *ifname, int *zerocopy, char *why,
		    size_t why_len);
/*
 * Send the frames of n probes (tmpl: their family's frame template).
 * res[i] per probe. Returns how many left, or -errno when the socket
 * failed as a whole (then every res[i].err is that error).
 */
int xsk_sender_send(struct xsk_sender *x, const struct frame_tmpl *tmpl,
		    const struct send_probe *p, int n, struct send_result *res);
/* Frames the kernel took but reported not sent (EBUSY: the driver dropped them) */
__u64 xsk_sender_dropped(const struct xsk_sender *x);
void xsk_sender_close(struct xsk_sender *x);

#endif
