/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bounds-checked header parsers for the XDP and tc programs.
 *
 * A cursor walks the packet; every pull checks the bytes against the end
 * before anything reads them, which is what the verifier demands and what
 * keeps truncated or lying packets from being read past their end.
 */
#ifndef XHOP_PARSE_H
#define XHOP_PARSE_H

#include <linux/types.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "xhop_proto.h"

/* IPv6 extension headers walked before giving up (a bounded loop) */
#define XHOP_IPV6_EXT_MAX 4
/* VLAN tags walked on the outer frame (802.1ad + 802.1Q) */
#define XHOP_VLAN_MAX 2

/*
 * end is the end of the frame, what the verifier checks against; lim is
 * the end of the IP packet as its length field says (at most end). Bytes
 * between them (Ethernet padding, trailers) are no part of a quote.
 */
struct cursor {
	void *pos;
	void *end;
	void *lim;
};

struct vlan_hdr {
	__u16 tci;
	__u16 encap_proto;
};

struct ipv6_ext {
	__u8 nexthdr;
	__u8 hdrlen;
};

static __always_inline void *pull(struct cursor *c, __u32 len)
{
	void *p = c->pos;

	if (p + len > c->end) /* verifier: check before any access */
		return NULL;
	if (p + len > c->lim)
		return NULL;
	c->pos = p + len;
	return p;
}

/* Ethernet and up to two VLAN tags; returns the EtherType (network order) or 0 */
static __always_inline __u16 pull_eth(struct cursor *c)
{
	struct ethhdr *eth = pull(c, sizeof(*eth));
	__u16 proto;
	int i;

	if (!eth)
		return 0;
	proto = eth->h_proto;
#pragma unroll
	for (i = 0; i < XHOP_VLAN_MAX; i++) {
		struct vlan_hdr *vh;

		if (proto != bpf_htons(XHOP_ETH_P_8021Q) && proto != bpf_htons(XHOP_ETH_P_8021AD))
			break;
		vh = pull(c, sizeof(*vh));
		if (!vh)
			return 0;
		proto = vh->encap_proto;
	}
	return proto;
}

/*
 * The link layer: Ethernet and up to two VLAN tags, or nothing at all on
 * devices whose frames start at the IP header (tun, WireGuard, ipip, gre,
 * ppp: l3_only), where the version nibble tells the protocol. Returns the
 * EtherType (network order) or 0.
 */
static __always_inline __u16 pull_l2(struct cursor *c, int l3_only)
{
	if (l3_only) {
		__u8 *v = c->pos;

		if ((void *)(v + 1) > c->end)
			return 0;
		if ((*v >> 4) == 4)
			return bpf_htons(XHOP_ETH_P_IP);
		if ((*v >> 4) == 6)
			return bpf_htons(XHOP_ETH_P_IPV6);
		return 0;
	}
	return pull_eth(c);
}

/*
 * IPv4 header with its options. ihl < 5 is forged: reject, don't guess.
 * The masked length (at most 60) keeps the verifier's range bounded.
 */
static __always_inline struct iphdr *pull_ipv4(struct cursor *c)
{
	struct iphdr *iph = c->pos;
	__u32 hlen;

	if ((void *)(iph + 1) > c->end)
		return NULL;
	if (iph->version != 4)
		return NULL;
	hlen = (iph->ihl & 0xf) * 4;
	if (hlen < sizeof(*iph))
		return NULL;
	return pull(c, hlen);
}

/* Stop reading at the end of an IP packet of len bytes starting at ip */
static __always_inline int limit_to(struct cursor *c, void *ip, __u32 len)
{
	void *ip_end = ip + (len & 0xffff);

	if (ip_end < c->pos) /* a length shorter than the headers read */
		return -1;
	if (ip_end < c->lim)
		c->lim = ip_end;
	return 0;
}

/*
 * IPv6 header, then the extension headers a reply may carry (hop-by-hop,
 * routing, destination options). Returns the upper-layer protocol, or -1
 * for fragments, unknown chains and truncation: those are not ours to read.
 */
static __always_inline int pull_ipv6(struct cursor *c, struct ipv6hdr **ip6)
{
	struct ipv6hdr *h = pull(c, sizeof(*h));
	__u8 next;
	int i;

	if (!h || h->version != 6)
		return -1;
	*ip6 = h;
	next = h->nexthdr;
#pragma unroll
	for (i = 0; i < XHOP_IPV6_EXT_MAX; i++) {
		struct ipv6_ext *ext;

		if (next != XHOP_IPPROTO_HOPOPTS && next != XHOP_IPPROTO_ROUTING &&
		    next != XHOP_IPPROTO_DSTOPTS)
			break;
		ext = c->pos;
		if ((void *)(ext + 1) > c->end)
			return -1;
		next = ext->nexthdr;
		if (!pull(c, ((__u32)ext->hdrlen + 1) * 8))
			return -1;
	}
	if (next == XHOP_IPPROTO_HOPOPTS || next == XHOP_IPPROTO_ROUTING ||
	    next == XHOP_IPPROTO_DSTOPTS || next == XHOP_IPPROTO_FRAGMENT)
		return -1;
	return next;
}

/* IPv4-mapped form of an IPv4 address, as the event ABI carries it */
static __always_inline void addr_from_v4(__u8 *out, __u32 be_addr)
{
	__u32 *w = (__u32 *)out;

	w[0] = 0;
	w[1] = 0;
	w[2] = bpf_htonl(0x0000ffff);
	w[3] = be_addr;
}

static __always_inline void addr_from_v6(__u8 *out, const struct in6_addr *a)
{
	__builtin_memcpy(out, a, 16);
}

#endif /* XHOP_PARSE_H */
