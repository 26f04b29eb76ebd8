/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The AF_XDP rung of the sender ladder: one TX-only socket per interface,
 * both families through it. Zero-copy where the driver allows, copy mode
 * otherwise. No XDP program: libxdp's would need its dispatcher (EXT
 * programs, which some kernels refuse) and xhop's receive program
 * already holds the interface; a TX-only socket needs none.
 *
 * The umem is pinned memory, charged to RLIMIT_MEMLOCK unless the process
 * has CAP_IPC_LOCK: 2 MiB, well within the usual 8 MiB; a refusal
 * (ENOBUFS, EPERM) moves the ladder down a rung.
 *
 * Send stamps: frames skip the tc egress hook. Where the kernel has AF_XDP
 * TX metadata (6.8+), every frame asks for its transmit stamp, which the
 * kernel writes at completion (copy mode: when the driver lets the skb go;
 * veth does so as it hands the frame across, measured 1 us into a 5-11 us
 * kick); it is trusted only inside the kick that sent the frame. Else the
 * stamp is the clock just before that kick.
 */
#ifndef XHOP_XSK_SEND_H
#define XHOP_XSK_SEND_H

#include <stddef.h>
#include <linux/types.h>
#include "send/frame.h"
#include "core/send_probe.h"

struct xsk_sender;

/* frames in the umem: 2 KiB each, so 2 MiB pinned */
#define XSK_FRAMES 1024
#define XSK_FRAME_SIZE 2048

/*
 * Open a TX-only socket on queue 0 of ifname. 0 or -errno, the reason in
 * why (why_len bytes). *zerocopy: 1 when the driver took zero-copy;
 * *stamped: 1 when the kernel stamps frames (TX metadata).
 */
int xsk_sender_open(struct xsk_sender **x, const char *ifname, int *zerocopy, int *stamped,
		    char *why, size_t why_len);
/*
 * Send the frames of n probes (tmpl: their family's frame template).
 * res[i] per probe. Returns how many left, or -errno when the socket
 * failed as a whole (then every res[i].err is that error).
 */
int xsk_sender_send(struct xsk_sender *x, const struct frame_tmpl *tmpl,
		    const struct send_probe *p, int n, struct send_result *res);
/* Frames the kernel took but reported not sent (EBUSY: the driver dropped them) */
__u64 xsk_sender_dropped(const struct xsk_sender *x);
/* Frames whose stamp is the userspace reading (no kernel stamp, or none to trust) */
__u64 xsk_sender_unstamped(const struct xsk_sender *x);
void xsk_sender_close(struct xsk_sender *x);

#endif
