/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Ethernet address of the next hop: what a sender that writes whole
 * frames (the in-kernel generator, AF_XDP, AF_PACKET) puts first.
 */
#ifndef XHOP_NEIGH_H
#define XHOP_NEIGH_H

#include <netinet/in.h>
#include <linux/types.h>

/*
 * The MAC of the next hop towards dst on ifindex (RTM_GETROUTE + neighbour
 * table; if no neighbour entry yet, trigger resolution with a UDP datagram
 * of TTL 1 towards dst, which dies at the next hop, and wait up to
 * timeout_ms). src_mac: the interface's own. 0 or -errno, reported.
 */
int neigh_nexthop_mac(int ifindex, int family, const struct in6_addr *dst, __u8 mac[6],
		      __u8 src_mac[6], int timeout_ms);

#endif
