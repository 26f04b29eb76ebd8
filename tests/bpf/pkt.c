// SPDX-License-Identifier: GPL-2.0
/* Reply frames built the way Linux routers and hosts build them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <linux/if_ether.h>
#include "pkt.h"
#include "probe_build.h"
#include "xhop_proto.h"

struct in6_addr pkt_addr(const char *s)
{
	struct in6_addr a = { 0 };
	struct in_addr v4;

	if (inet_pton(AF_INET, s, &v4) == 1) {
		a.s6_addr[10] = a.s6_addr[11] = 0xff;
		memcpy(&a.s6_addr[12], &v4, 4);
		return a;
	}
	if (inet_pton(AF_INET6, s, &a) == 1)
		return a;
	fprintf(stderr, "pkt_addr: bad address '%s'\n", s);
	abort();
}

static size_t put_eth(__u8 *b, int family)
{
	struct ethhdr *eth = (struct ethhdr *)b;

	memset(eth->h_dest, 0x02, ETH_ALEN);
	memset(eth->h_source, 0x04, ETH_ALEN);
	eth->h_proto = htons(family == 6 ? ETH_P_IPV6 : ETH_P_IP);
	return ETH_HLEN;
}

static size_t put_ip(__u8 *b, int family, __u8 proto, const struct in6_addr *from,
		     const struct in6_addr *to, size_t l4_len)
{
	if (family == 6) {
		struct ip6_hdr *h = (struct ip6_hdr *)b;

		memset(h, 0, sizeof(*h));
		h->ip6_flow = htonl(6u << 28);
		h->ip6_plen = htons(l4_len);
		h->ip6_nxt = proto;
		h->ip6_hlim = 64;
		h->ip6_src = *from;
		h->ip6_dst = *to;
		return sizeof(*h);
	} else {
		struct iphdr *h = (struct iphdr *)b;

		memset(h, 0, sizeof(*h));
		h->version = 4;
		h->ihl = 5;
		h->tos = 0xc0;
		h->tot_len = htons(sizeof(*h) + l4_len);
		h->id = htons(4321);
		h->ttl = 64;
		h->protocol = proto;
		memcpy(&h->saddr, &from->s6_addr[12], 4);
		memcpy(&h->daddr, &to->s6_addr[12], 4);
		h->check = htons((__u16)~csum_fold(csum_add(0, h, sizeof(*h))));
		return sizeof(*h);
	}
}

static int probe_family(const __u8 *probe)
{
	return (probe[0] >> 4) == 6 ? 6 : 4;
}

static void probe_addrs(const __u8 *probe, struct in6_addr *src, struct in6_addr *dst)
{
	memset(src, 0, sizeof(*src));
	memset(dst, 0, sizeof(*dst));
	if (probe_family(probe) == 6) {
		memcpy(src, probe + 8, 16);
		memcpy(dst, probe + 24, 16);
	} else {
		src->s6_addr[10] = src->s6_addr[11] = 0xff;
		dst->s6_addr[10] = dst->s6_addr[11] = 0xff;
		memcpy(&src->s6_addr[12], probe + 12, 4);
		memcpy(&dst->s6_addr[12], probe + 16, 4);
	}
}

static __u16 l4_csum(int family, const struct in6_addr *from, const struct in6_addr *to,
		     __u8 proto, const __u8 *l4, size_t len)
{
	__u32 sum = 0;

	if (family == 6) {
		sum = csum_add(sum, from, 16);
		sum = csum_add(sum, to, 16);
		sum += len + proto;
	} else if (proto != XHOP_IPPROTO_ICMP) {
		sum = csum_add(sum, &from->s6_addr[12], 4);
		sum = csum_add(sum, &to->s6_addr[12], 4);
		sum += len + proto;
	}
	return (__u16)~csum_fold(csum_add(sum, l4, len));
}

void pkt_icmp_error(struct pkt *p, const struct in6_addr *from, const struct in6_addr *to,
		    __u8 type, __u8 code, const __u8 *probe, size_t probe_len, size_t quote_len)
{
	int family = probe_family(probe);
	__u8 proto = family == 6 ? XHOP_IPPROTO_ICMPV6 : XHOP_IPPROTO_ICMP;
	size_t off, l4_len;
	__u8 *icmp;

	if (!quote_len || quote_len > probe_len)
		quote_len = probe_len;
	memset(p, 0, sizeof(*p));
	off = put_eth(p->data, family);
	l4_len = 8 + quote_len;
	off += put_ip(p->data + off, family, proto, from, to, l4_len);
	icmp = p->data + off;
	icmp[0] = type;
	icmp[1] = code;
	memcpy(icmp + 8, probe, quote_len);
	/* a router quotes the probe as it arrived: TTL 1 when it expired */
	if (family == 4) {
		icmp[8 + 8] = 1;
	} else {
		icmp[8 + 7] = 1;
	}
	icmp[2] = icmp[3] = 0;
	{
		__u16 s = l4_csum(family, from, to, proto, icmp, l4_len);

		icmp[2] = s >> 8;
		icmp[3] = s & 0xff;
	}
	p->len = off + l4_len;
}

void pkt_echo_reply(struct pkt *p, const __u8 *probe, size_t probe_len)
{
	int family = probe_family(probe);
	size_t hl = family == 6 ? 40 : 20, off, l4_len = probe_len - hl;
	struct in6_addr src, dst;
	__u8 *icmp;
	__u16 s;

	probe_addrs(probe, &src, &dst);
	memset(p, 0, sizeof(*p));
	off = put_eth(p->data, family);
	off += put_ip(p->data + off, family, family == 6 ? XHOP_IPPROTO_ICMPV6 : XHOP_IPPROTO_ICMP,
		      &dst, &src, l4_len);
	icmp = p->data + off;
	memcpy(icmp, probe + hl, l4_len);
	icmp[0] = family == 6 ? XHOP_ICMP6_ECHO_REPLY : XHOP_ICMP_ECHOREPLY;
	icmp[2] = icmp[3] = 0;
	s = l4_csum(family, &dst, &src, family == 6 ? XHOP_IPPROTO_ICMPV6 : XHOP_IPPROTO_ICMP, icmp,
		    l4_len);
	icmp[2] = s >> 8;
	icmp[3] = s & 0xff;
	p->len = off + l4_len;
}

void pkt_tcp_answer(struct pkt *p, const __u8 *probe, size_t probe_len, __u8 flags)
{
	int family = probe_family(probe);
	size_t hl = family == 6 ? 40 : 20, off;
	const struct xhop_tcphdr *q = (const void *)(probe + hl);
	struct in6_addr src, dst;
	struct xhop_tcphdr *th;
	__u16 s;

	(void)probe_len;
	probe_addrs(probe, &src, &dst);
	memset(p, 0, sizeof(*p));
	off = put_eth(p->data, family);
	off += put_ip(p->data + off, family, XHOP_IPPROTO_TCP, &dst, &src, 20);
	th = (struct xhop_tcphdr *)(p->data + off);
	th->source = q->dest;
	th->dest = q->source;
	th->seq = htonl(flags & XHOP_TCP_SYN ? 0x12345678 : 0);
	th->ack_seq = htonl(ntohl(q->seq) + 1);
	th->doff_res = 5 << 4;
	th->flags = flags;
	th->window = htons(flags & XHOP_TCP_RST ? 0 : 64240);
	s = l4_csum(family, &dst, &src, XHOP_IPPROTO_TCP, (const __u8 *)th, 20);
	th->check = htons(s);
	p->len = off + 20;
}

void pkt_wrap_eth(struct pkt *p, const __u8 *ip, size_t len)
{
	memset(p, 0, sizeof(*p));
	p->len = put_eth(p->data, probe_family(ip));
	memcpy(p->data + p->len, ip, len);
	p->len += len;
}
