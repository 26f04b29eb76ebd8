/* SPDX-License-Identifier: GPL-2.0 */
/* Addresses in the one 16-byte form used everywhere (IPv4 mapped), and clocks. */
#ifndef XHOP_ADDR_H
#define XHOP_ADDR_H

#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/types.h>

#define ADDR_STRLEN 46 /* INET6_ADDRSTRLEN */

/* Text form: dotted quad for mapped IPv4, RFC 5952 for IPv6 */
const char *addr_str(const struct in6_addr *a, char buf[ADDR_STRLEN]);
/* Parse a literal; family 0 takes either. 0, or -EINVAL. */
int addr_parse(const char *s, int family, struct in6_addr *out, int *out_family);
int addr_family(const struct in6_addr *a);
/* a (family 4: mapped) as a socket address of its family; its length */
socklen_t addr_sockaddr(const struct in6_addr *a, int family, __u16 port,
			struct sockaddr_storage *ss);

/*
 * A 64-bit mix of an address (and a salt) for hash tables of addresses
 * xhop chose itself (targets, hops): fast, not keyed. Every bit of the
 * address reaches every bit of the result, so tables may use low bits.
 */
__u64 addr_hash(const struct in6_addr *a, __u64 salt);

/* CLOCK_MONOTONIC in ns: the clock of bpf_ktime_get_ns() */
__u64 clock_mono_ns(void);
/* CLOCK_REALTIME minus CLOCK_MONOTONIC, for printing kernel stamps as dates */
__s64 clock_real_offset_ns(void);

#endif
