/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How xhop scan puts probes on the wire: one sender per address family,
 * either the in-kernel generator (gen_send.h: live XDP frames, the batch
 * stamped by the generating program) or IPPROTO_RAW sockets (sendmmsg;
 * every probe stamped by the tc egress program as it leaves).
 */
#ifndef XHOP_SCAN_SEND_H
#define XHOP_SCAN_SEND_H

#include <netinet/in.h>
#include <linux/types.h>
#include "gen_send.h"
#include "loader.h"
#include "probe_build.h"
#include "probe_send.h"
#include "xhop_probe.h"

#define SCAN_BATCH_MAX 256

/* One probe to send: the generator's own record */
#define scan_probe gen_probe

struct scan_sender {
	int kind;		/* SENDER_RAW or SENDER_KERNEL (enum scan_sender_kind) */
	struct probe_spec base; /* src, ports, checksum, size, method, tos */
	const struct xhop_key *key;
	struct probe_sender raw;
	struct gen_sender *gen;
	__u8 (*bufs)[PROBE_MAX_SIZE];
	__u64 sent, errors;
};

/*
 * Open the sender of one family. kind: enum scan_sender_kind; AUTO takes
 * the generator where the interface takes live frames and the receiver rx
 * has none yet (one per receiver), else raw sockets; KERNEL insists.
 * first: a target of the family, for the next hop's MAC. 0 or -errno,
 * reported on stderr.
 */
int scan_sender_open(struct scan_sender *s, int kind, const struct probe_spec *base,
		     const struct xhop_key *key, int ifindex, const char *ifname,
		     const struct loader *rx, const struct in6_addr *first);
/*
 * Send n probes (n <= SCAN_BATCH_MAX). *tx_ns is the kernel's send stamp
 * of the batch when the sender knows it (generator), else 0: the tc
 * egress program then stamps every probe and the stamps come as events.
 * Returns the number sent.
 */
int scan_sender_send(struct scan_sender *s, const struct scan_probe *p, int n, __u64 *tx_ns);
/* Frames the driver refused after taking them from the generator */
__u64 scan_sender_dropped(struct scan_sender *s);
void scan_sender_close(struct scan_sender *s);
const char *scan_sender_name(const struct scan_sender *s);

#endif
