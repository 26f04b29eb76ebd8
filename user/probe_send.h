/* SPDX-License-Identifier: GPL-2.0 */
/* Putting built probes on the wire. */
#ifndef XHOP_PROBE_SEND_H
#define XHOP_PROBE_SEND_H

#include <stddef.h>
#include <netinet/in.h>
#include <linux/types.h>

struct probe_sender {
	int fd;
	int family;
	__u64 sent;
	__u64 errors;
};

/*
 * A raw IPPROTO_RAW socket: we write the IP header ourselves (TTL, ID,
 * flow label are part of the probe encoding). Raw sockets pass the tc
 * egress hook, where xhop_tx stamps the send time. ifname binds it to an
 * interface (NULL: routing decides). 0 or -errno, reported on stderr.
 */
int probe_sender_open(struct probe_sender *s, int family, const char *ifname);
/* 0 or -errno (the probe is counted as an error, not reported) */
int probe_sender_send(struct probe_sender *s, const __u8 *pkt, size_t len,
		      const struct in6_addr *dst);
/*
 * Send n built probes with one sendmmsg() (fewer syscalls at scan rates).
 * Returns how many left; the rest failed (counted as errors).
 */
int probe_sender_send_many(struct probe_sender *s, __u8 *const *pkts, const size_t *lens,
			   const struct in6_addr *dsts, int n);
void probe_sender_close(struct probe_sender *s);

#endif
