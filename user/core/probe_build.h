/* SPDX-License-Identifier: GPL-2.0 */
/* Building probe packets (IP header included); no sockets here. */
#ifndef XHOP_PROBE_BUILD_H
#define XHOP_PROBE_BUILD_H

#include <stddef.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <linux/types.h>
#include "xhop_probe.h"

enum probe_method {
	METHOD_ICMP = 0, /* ICMP/ICMPv6 echo, Paris: constant checksum */
	METHOD_UDP,	 /* UDP, Paris: constant ports */
	METHOD_TCP,	 /* TCP SYN, constant ports */
};

struct probe_spec {
	struct in6_addr src; /* IPv4 as ::ffff:a.b.c.d */
	struct in6_addr dst;
	__u16 probe_id;	     /* 0 is reserved: a raw socket replaces IP ID 0 */
	__u16 sport;	     /* UDP/TCP */
	__u16 dport;	     /* UDP/TCP */
	__u16 icmp_sum;	     /* ICMP: the checksum every probe of the flow has */
	__u16 size;	     /* whole IP packet; raised to the minimum */
	__u8 family;	     /* 4 or 6 */
	__u8 method;	     /* enum probe_method */
	__u8 ttl;
	__u8 tos;
};

#define PROBE_MAX_SIZE 1500

/* The IP protocol of a method's probes in a family */
__u8 probe_method_proto(int family, int method);

/* Minimum IP packet size of a method: headers plus the id/fix bytes */
size_t probe_min_size(int family, int method);

/*
 * Writes the probe into buf (at least PROBE_MAX_SIZE bytes), IP header
 * first; returns its length or -EINVAL.
 */
ssize_t probe_build(const struct probe_spec *ps, const struct xhop_key *key, __u8 *buf,
		    size_t cap);

/*
 * A probe of the run's n-th neighbouring flow (core/send_probe.h): what
 * a per-flow load balancer hashes differs, nothing else does
 */
static inline void probe_spec_flow(struct probe_spec *ps, __u16 flow)
{
	if (ps->method == METHOD_ICMP)
		ps->icmp_sum = (__u16)(ps->icmp_sum + flow);
	else
		ps->sport = (__u16)(ps->sport + flow);
}

/* One's complement sum helpers (RFC 1071), exported for the tests */
__u32 csum_add(__u32 sum, const void *data, size_t len);
__u16 csum_fold(__u32 sum);

/* IPv4-mapped helpers: the 16-byte form the event ABI uses */
int addr_is_v4(const struct in6_addr *a);

#endif
