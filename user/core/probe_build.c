// SPDX-License-Identifier: GPL-2.0
/*
 * Probe packets, byte for byte. The layout of the identifying fields is
 * fixed by include/xhop_probe.h; this file only writes it down, with the
 * checksum arithmetic that keeps Paris flows constant.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include "core/probe_build.h"
#include "xhop_proto.h"

#define IPV4_HLEN 20
#define IPV6_HLEN 40
#define L4_HLEN_ICMP 8
#define L4_HLEN_UDP 8
#define L4_HLEN_TCP 20

/*
 * Big-endian 32-bit words into a 64-bit sum: 2^16 = 1 modulo 0xffff, so
 * a word adds what its two halves add (RFC 1071 section 2), in half the
 * steps of byte pairs; the send path builds every probe through here.
 * The result is folded to 16 bits, so callers may add small terms to it.
 */
__u32 csum_add(__u32 sum, const void *data, size_t len)
{
	const __u8 *p = data;
	__u64 acc = sum;

	for (; len >= 4; p += 4, len -= 4) {
		__u32 w;

		memcpy(&w, p, 4); /* any alignment */
		acc += ntohl(w);
	}
	if (len >= 2) {
		acc += ((__u32)p[0] << 8) | p[1];
		p += 2;
		len -= 2;
	}
	if (len)
		acc += (__u32)p[0] << 8;
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (__u32)acc;
}

__u16 csum_fold(__u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)sum;
}

int addr_is_v4(const struct in6_addr *a)
{
	return IN6_IS_ADDR_V4MAPPED(a);
}

__u8 probe_method_proto(int family, int method)
{
	if (method == METHOD_UDP)
		return XHOP_IPPROTO_UDP;
	if (method == METHOD_TCP)
		return XHOP_IPPROTO_TCP;
	return family == 6 ? XHOP_IPPROTO_ICMPV6 : XHOP_IPPROTO_ICMP;
}

size_t probe_min_size(int family, int method)
{
	size_t ip = family == 6 ? IPV6_HLEN : IPV4_HLEN;

	switch (method) {
	case METHOD_UDP:
		return ip + L4_HLEN_UDP + XHOP_PROBE_MIN_PAYLOAD;
	case METHOD_TCP:
		return ip + L4_HLEN_TCP;
	default:
		return ip + L4_HLEN_ICMP + XHOP_PROBE_MIN_PAYLOAD;
	}
}

/* The pseudo-header sum of UDP, TCP and ICMPv6 (RFC 768, 793, 8200) */
static __u32 pseudo_sum(const struct probe_spec *ps, __u8 proto, size_t l4_len)
{
	__u32 sum = 0;

	if (ps->family == 6) {
		sum = csum_add(sum, &ps->src, 16);
		sum = csum_add(sum, &ps->dst, 16);
		sum += (__u32)(l4_len >> 16) + (l4_len & 0xffff);
	} else {
		sum = csum_add(sum, &ps->src.s6_addr[12], 4);
		sum = csum_add(sum, &ps->dst.s6_addr[12], 4);
		sum += l4_len;
	}
	return sum + proto;
}

/*
 * Choose the 16-bit word at fix so that the checksum field (already set to
 * want) verifies: the sum over everything must fold to 0xffff.
 */
static void csum_steer(__u8 *l4, size_t l4_len, __u32 pseudo, __u8 *fix)
{
	__u16 rest, word;

	fix[0] = fix[1] = 0;
	rest = csum_fold(csum_add(pseudo, l4, l4_len));
	word = (__u16)~rest;
	fix[0] = word >> 8;
	fix[1] = word & 0xff;
}

static void write_ip_header(const struct probe_spec *ps, __u8 proto, size_t len, __u16 ipid,
			    __u8 *buf)
{
	if (ps->family == 6) {
		struct ip6_hdr *h = (struct ip6_hdr *)buf;

		memset(h, 0, IPV6_HLEN);
		/* flow label 0 for every probe: part of the Paris flow */
		h->ip6_flow = htonl(6u << 28 | (__u32)ps->tos << 20);
		h->ip6_plen = htons(len - IPV6_HLEN);
		h->ip6_nxt = proto;
		h->ip6_hlim = ps->ttl;
		memcpy(&h->ip6_src, &ps->src, 16);
		memcpy(&h->ip6_dst, &ps->dst, 16);
	} else {
		struct iphdr *h = (struct iphdr *)buf;
		__u32 sum;

		memset(h, 0, IPV4_HLEN);
		h->version = 4;
		h->ihl = 5;
		h->tos = ps->tos;
		h->tot_len = htons(len);
		/* every router quotes the IP header: a place for probe fields */
		h->id = htons(ipid);
		h->ttl = ps->ttl;
		h->protocol = proto;
		memcpy(&h->saddr, &ps->src.s6_addr[12], 4);
		memcpy(&h->daddr, &ps->dst.s6_addr[12], 4);
		sum = csum_add(0, h, IPV4_HLEN);
		h->check = htons((__u16)~csum_fold(sum));
	}
}

ssize_t probe_build(const struct probe_spec *ps, const struct xhop_key *key, __u8 *buf,
		    size_t cap)
{
	size_t ip_hlen = ps->family == 6 ? IPV6_HLEN : IPV4_HLEN;
	size_t len = ps->size, l4_len;
	__u8 proto, *l4;
	__u32 ports = 0, mac;
	__u16 ipid = ps->probe_id;

	if ((ps->family != 4 && ps->family != 6) || ps->method > METHOD_TCP || !ps->ttl)
		return -EINVAL;
	if ((ps->family == 4) != !!addr_is_v4(&ps->dst) || (ps->family == 4) != !!addr_is_v4(&ps->src))
		return -EINVAL;
	if (len < probe_min_size(ps->family, ps->method))
		len = probe_min_size(ps->family, ps->method);
	if (len > cap || len > PROBE_MAX_SIZE)
		return -EINVAL;
	memset(buf, 0, len);
	l4 = buf + ip_hlen;
	l4_len = len - ip_hlen;

	switch (ps->method) {
	case METHOD_UDP: {
		struct xhop_udphdr *uh = (struct xhop_udphdr *)l4;
		__u8 *payload = l4 + L4_HLEN_UDP;

		proto = XHOP_IPPROTO_UDP;
		ports = (__u32)ps->sport << 16 | ps->dport;
		mac = xhop_probe_mac(key, ps->dst.s6_addr, proto, ports, ps->probe_id);
		uh->source = htons(ps->sport);
		uh->dest = htons(ps->dport);
		uh->len = htons(l4_len);
		uh->check = htons(xhop_udp_check_of(mac & 0xffff));
		payload[XHOP_UDP_PAYLOAD_ID_OFF] = ps->probe_id >> 8;
		payload[XHOP_UDP_PAYLOAD_ID_OFF + 1] = ps->probe_id & 0xff;
		csum_steer(l4, l4_len, pseudo_sum(ps, proto, l4_len),
			   payload + XHOP_UDP_PAYLOAD_FIX_OFF);
		break;
	}
	case METHOD_TCP: {
		struct xhop_tcphdr *th = (struct xhop_tcphdr *)l4;

		proto = XHOP_IPPROTO_TCP;
		ports = (__u32)ps->sport << 16 | ps->dport;
		mac = xhop_probe_mac(key, ps->dst.s6_addr, proto, ports, ps->probe_id);
		l4_len = L4_HLEN_TCP; /* a SYN carries no payload */
		len = ip_hlen + l4_len;
		th->source = htons(ps->sport);
		th->dest = htons(ps->dport);
		th->seq = htonl(xhop_tcp_seq(ps->probe_id, mac & 0xffff));
		th->doff_res = 5 << 4;
		th->flags = XHOP_TCP_SYN;
		th->window = htons(65535);
		th->check = htons((__u16)~csum_fold(csum_add(pseudo_sum(ps, proto, l4_len), l4, l4_len)));
		break;
	}
	default: {
		struct xhop_icmphdr *ih = (struct xhop_icmphdr *)l4;
		__u32 pseudo = 0;

		proto = ps->family == 6 ? XHOP_IPPROTO_ICMPV6 : XHOP_IPPROTO_ICMP;
		mac = xhop_probe_mac(key, ps->dst.s6_addr, proto, 0, ps->probe_id);
		ih->type = ps->family == 6 ? XHOP_ICMP6_ECHO_REQUEST : XHOP_ICMP_ECHO;
		ih->code = 0;
		ih->checksum = htons(ps->icmp_sum);
		ih->un.echo.id = htons(mac >> 16);
		ih->un.echo.seq = htons(ps->probe_id);
		ipid = xhop_ipid_of(mac & 0xffff);
		l4[L4_HLEN_ICMP + XHOP_ICMP_PAYLOAD_MAC_OFF] = (mac >> 8) & 0xff;
		l4[L4_HLEN_ICMP + XHOP_ICMP_PAYLOAD_MAC_OFF + 1] = mac & 0xff;
		if (ps->family == 6) /* ICMPv6 sums a pseudo-header, ICMP does not */
			pseudo = pseudo_sum(ps, proto, l4_len);
		csum_steer(l4, l4_len, pseudo, l4 + L4_HLEN_ICMP + XHOP_ICMP_PAYLOAD_FIX_OFF);
		break;
	}
	}
	write_ip_header(ps, proto, len, ipid, buf);
	return len;
}
