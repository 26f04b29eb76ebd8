/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bare senders of the send benchmark: for each mechanism xhop's
 * sender ladder uses (user/send/sender.h), the least one thread can do
 * with it to put prebuilt frames on a device. Each sends the same frames
 * xhop would build, made once before the clock starts: the difference to
 * xhop's rung of the same mechanism is what xhop's own work costs.
 */
#ifndef XHOP_BARE_SEND_H
#define XHOP_BARE_SEND_H

#include <stddef.h>
#include <linux/types.h>

enum bare_kind {
	BARE_RAW,      /* IPPROTO_RAW, one sendto() per frame */
	BARE_RAW_MMSG, /* IPPROTO_RAW, sendmmsg() */
	BARE_PACKET,   /* AF_PACKET + PACKET_QDISC_BYPASS, sendmmsg() */
	BARE_TX_RING,  /* AF_PACKET + PACKET_QDISC_BYPASS, PACKET_TX_RING (TPACKET_V2) */
	BARE_XSK,      /* AF_XDP, TX only, copy mode (libxdp xsk) */
	BARE_LIVE,     /* live XDP frames (bench/send_bare.bpf.c) */
	BARE_KINDS,
};

/* frames an AF_XDP or TX ring sender keeps in flight at most */
#define BARE_RING_FRAMES 1024

struct bare_cfg {
	int kind;	     /* enum bare_kind */
	int ifindex;
	const char *ifname;
	const __u8 *frames;  /* nframes Ethernet frames, stride bytes apart */
	size_t stride, len;  /* len: one frame's length, Ethernet header included */
	int nframes;
	int batch;	     /* frames per call; live frames: per test run */
	__u32 xsk_budget;    /* AF_XDP: descriptors one kick may send (0: the kernel's 32) */
	int xsk_stamp;	     /* AF_XDP: the kernel stamps each frame (TX metadata), as xhop's */
	__u8 live_ttl;	     /* live frames: this TTL in every frame (0: 1..32, counted) */
};

struct bare;

/*
 * Open a sender of cfg->kind and try it with one frame. 0, or -errno and
 * the reason in why (why_len bytes): "live frames refused by the kernel
 * (EPERM)" and the like.
 */
int bare_open(struct bare **b, const struct bare_cfg *cfg, char *why, size_t why_len);
/*
 * One call's worth of frames (cfg->batch). Returns how many left in this
 * call (for the ring senders: came back on the completion ring or to
 * TP_STATUS_AVAILABLE), or -errno
 */
int bare_send(struct bare *b);
/* Wait for every frame still in flight (ring senders); how many left meanwhile */
int bare_drain(struct bare *b);
/*
 * send(ctx) again and again for secs, then what b's ring still holds is
 * drained (b may be NULL: a sender without one). *sent: frames that left
 * (may be NULL); *elapsed: the seconds it took, drain included (may be
 * NULL). Returns the last call's result: below 0, a send failed.
 */
int bare_run(struct bare *b, double secs, int (*send)(void *ctx), void *ctx, __u64 *sent,
	     double *elapsed);
void bare_close(struct bare *b);

#endif
