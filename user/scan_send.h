/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How xhop scan puts probes on the wire: one sender per address family,
 * either IPPROTO_RAW sockets (sendmmsg; each probe is stamped by the tc
 * egress program as it leaves) or the in-kernel generator (BPF_PROG_RUN
 * live frames; the batch is stamped by the generating program).
 */
#ifndef XHOP_SCAN_SEND_H
#define XHOP_SCAN_SEND_H

#include <netinet/in.h>
#include <linux/types.h>
#include "probe_build.h"
#include "probe_send.h"
#include "xhop_probe.h"

#define SCAN_BATCH_MAX 256

/* One probe to send */
struct scan_probe {
	struct in6_addr dst;
	__u16 probe_id;
	__u8 ttl;
};

struct scan_sender {
	int kind;		/* SENDER_RAW or SENDER_KERNEL */
	struct probe_spec base; /* src, ports, checksum, size, method, tos */
	const struct xhop_key *key;
	struct probe_sender raw;
	__u8 (*bufs)[PROBE_MAX_SIZE];
	__u64 sent, errors;
};

/*
 * Open the sender of one family. kind: enum scan_sender_kind (AUTO picks
 * the generator where the interface takes it, else raw sockets). 0 or
 * -errno, reported on stderr.
 */
int scan_sender_open(struct scan_sender *s, int kind, const struct probe_spec *base,
		     const struct xhop_key *key, int ifindex, const char *ifname);
/*
 * Send n probes (n <= SCAN_BATCH_MAX). *tx_ns is the kernel's send stamp
 * of the batch when the sender knows it (generator), else 0: the tc
 * egress program then stamps every probe and the stamps come as events.
 * Returns the number sent.
 */
int scan_sender_send(struct scan_sender *s, const struct scan_probe *p, int n, __u64 *tx_ns);
void scan_sender_close(struct scan_sender *s);
const char *scan_sender_name(const struct scan_sender *s);

#endif
