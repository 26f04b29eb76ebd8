/* SPDX-License-Identifier: GPL-2.0 */
/* Which interface and source address the kernel would use to reach a host. */
#ifndef XHOP_ROUTE_H
#define XHOP_ROUTE_H

#include <netinet/in.h>

struct route_info {
	int ifindex;
	struct in6_addr src; /* IPv4 as ::ffff:a.b.c.d */
	struct in6_addr gw;  /* the next hop, when not on-link (has_gw) */
	int has_gw;
};

/*
 * Ask the kernel (RTM_GETROUTE) for the route to dst. oif (0: any)
 * restricts it to an interface, as -i does. 0, -ENETUNREACH when there is
 * no route, or another -errno.
 */
int route_lookup(const struct in6_addr *dst, int family, int oif, struct route_info *out);

/* The source address the kernel picks for dst (a UDP connect()); ifname
 * (NULL: any) as -i binds it. 0 or -errno.
 */
int route_source(const struct in6_addr *dst, int family, const char *ifname, struct in6_addr *src);

/*
 * 0 if src is an address of this host (a socket can bind to it, on ifname
 * if given), else -errno (EADDRNOTAVAIL): -s must never spoof
 */
int route_source_is_local(const struct in6_addr *src, int family, const char *ifname);

#endif
