/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Whole Ethernet frames of probes, for the senders that hand frames to the
 * driver themselves (AF_XDP, AF_PACKET): the next hop's address, ours,
 * then what probe_build() writes.
 */
#ifndef XHOP_SEND_FRAME_H
#define XHOP_SEND_FRAME_H

#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>
#include "core/probe_build.h"
#include "core/send_probe.h"

#define FRAME_ETH_LEN 14
#define FRAME_MAX (FRAME_ETH_LEN + PROBE_MAX_SIZE)

/* What the frames of one family share */
struct frame_tmpl {
	struct probe_spec base; /* src, ports, checksum, size, method, tos */
	const struct xhop_key *key;
	__u8 dst_mac[6];	/* the next hop's */
	__u8 src_mac[6];	/* ours */
};

/*
 * Write the frame of probe p into buf (cap bytes, 2-byte aligned or
 * better); its length or -errno
 */
ssize_t frame_build(const struct frame_tmpl *t, const struct send_probe *p, __u8 *buf,
		    size_t cap);

#endif
