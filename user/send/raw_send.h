/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The last rung of the sender ladder: IPPROTO_RAW sockets, one per
 * family. We write the IP header ourselves (TTL, ID and flow label are
 * part of the probe encoding); the probe passes the tc egress hook,
 * where xhop_tx stamps its send time.
 */
#ifndef XHOP_RAW_SEND_H
#define XHOP_RAW_SEND_H

#include <stddef.h>
#include <netinet/in.h>
#include <linux/types.h>

struct raw_sender {
	int fd;
	int family;
	__u64 sent;
	__u64 errors;
};

/*
 * Open the socket. ifname binds it to an interface (NULL: routing
 * decides). 0 or -errno; the reason in why (why_len bytes) when why is
 * not NULL, else on stderr.
 */
int raw_sender_open(struct raw_sender *s, int family, const char *ifname, char *why,
		    size_t why_len);
/* 0 or -errno (the probe is counted as an error, not reported) */
int raw_sender_send(struct raw_sender *s, const __u8 *pkt, size_t len,
		    const struct in6_addr *dst);
/*
 * Send n built probes with one sendmmsg() per run of successes. err[i]:
 * 0 when probe i left, else -errno. Returns how many left.
 */
int raw_sender_send_many(struct raw_sender *s, __u8 *const *pkts, const size_t *lens,
			 const struct in6_addr *dsts, int n, int *err);
void raw_sender_close(struct raw_sender *s);

#endif
