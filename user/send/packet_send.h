/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The AF_PACKET rung of the sender ladder: one packet socket per
 * interface, both families through it, PACKET_QDISC_BYPASS (no qdisc, no
 * tc egress: the driver straight away) and sendmmsg(). sendmmsg measured
 * faster than a PACKET_TX_RING here (0.65 against 0.54 Mpps from one
 * thread into a veth), so the ring is not used.
 *
 * Send stamps: SO_TIMESTAMPING software transmit stamps, taken by the
 * driver as it takes the frame (skb_tx_timestamp(); veth and most
 * Ethernet drivers do), read back from the socket's error queue after
 * each batch and matched by their OPT_ID counter. A driver that gives
 * none leaves the CLOCK_MONOTONIC reading around the call, placed by
 * position (say so with -v).
 */
#ifndef XHOP_PACKET_SEND_H
#define XHOP_PACKET_SEND_H

#include <stddef.h>
#include <linux/types.h>
#include "send/frame.h"
#include "core/send_probe.h"

struct packet_sender;

/* 0 or -errno, the reason in why (why_len bytes) */
int packet_sender_open(struct packet_sender **s, int ifindex, char *why, size_t why_len);
/* res[i] per probe; returns how many left (each failure in its res[i].err) */
int packet_sender_send(struct packet_sender *s, const struct frame_tmpl *tmpl,
		       const struct send_probe *p, int n, struct send_result *res);
/* Probes that left without a driver stamp (theirs is the userspace reading) */
__u64 packet_sender_unstamped(const struct packet_sender *s);
void packet_sender_close(struct packet_sender *s);

#endif
