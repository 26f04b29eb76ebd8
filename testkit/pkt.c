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
#include "core/probe_build.h"
#include "xhop_proto.h"

#define IP4_HLEN 20
#define IP6_HLEN 40

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

static void need(const struct pkt *p, size_t len, const char *who)
{
	if (len > PKT_MAX) {
		fprintf(stderr, "%s: frame of %zu bytes exceeds PKT_MAX (was %zu)\n", who, len,
			p->len);
		abort();
	}
}

static __u16 rd16(const __u8 *b)
{
	return (__u16)(b[0] << 8 | b[1]);
}

static void wr16(__u8 *b, __u16 v)
{
	b[0] = v >> 8;
	b[1] = v & 0xff;
}

static size_t put_eth(__u8 *b, int family)
{
	struct ethhdr *eth = (struct ethhdr *)b;

	memset(eth->h_dest, 0x02, ETH_ALEN);
	memset(eth->h_source, 0x04, ETH_ALEN);
	eth->h_proto = htons(family == 6 ? ETH_P_IPV6 : ETH_P_IP);
	return ETH_HLEN;
}

static void ip4_sum(struct iphdr *h)
{
	h->check = 0;
	h->check = htons((__u16)~csum_fold(csum_add(0, h, h->ihl * 4)));
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
		ip4_sum(h);
		return sizeof(*h);
	}
}

static int probe_family(const __u8 *probe)
{
	return (probe[0] >> 4) == 6 ? 6 : 4;
}

static size_t probe_hlen(const __u8 *probe)
{
	return probe_family(probe) == 6 ? IP6_HLEN : (size_t)(probe[0] & 0xf) * 4;
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
	__u8 *icmp, *q;

	if (!quote_len || quote_len > probe_len)
		quote_len = probe_len;
	memset(p, 0, sizeof(*p));
	need(p, ETH_HLEN + IP6_HLEN + 8 + quote_len, __func__);
	off = put_eth(p->data, family);
	l4_len = 8 + quote_len;
	off += put_ip(p->data + off, family, proto, from, to, l4_len);
	icmp = p->data + off;
	q = icmp + 8;
	icmp[0] = type;
	icmp[1] = code;
	memcpy(q, probe, quote_len);
	/*
	 * A router quotes the probe as it arrived: TTL 1 when it expired
	 * (Linux checks ttl <= 1 before decrementing), with the IPv4 header
	 * checksum of that TTL.
	 */
	if (family == 4 && type == XHOP_ICMP_TIME_EXCEEDED && quote_len > 8) {
		q[8] = 1;
		if (quote_len >= probe_hlen(probe))
			ip4_sum((struct iphdr *)q);
	} else if (family == 6 && type == XHOP_ICMP6_TIME_EXCEED && quote_len > 7) {
		q[7] = 1;
	}
	p->len = off + l4_len;
	pkt_fix(p);
}

void pkt_echo_reply(struct pkt *p, const __u8 *probe, size_t probe_len)
{
	int family = probe_family(probe);
	size_t hl = probe_hlen(probe), off, l4_len = probe_len - hl;
	struct in6_addr src, dst;
	__u8 *icmp;

	probe_addrs(probe, &src, &dst);
	memset(p, 0, sizeof(*p));
	need(p, ETH_HLEN + IP6_HLEN + l4_len, __func__);
	off = put_eth(p->data, family);
	off += put_ip(p->data + off, family, family == 6 ? XHOP_IPPROTO_ICMPV6 : XHOP_IPPROTO_ICMP,
		      &dst, &src, l4_len);
	icmp = p->data + off;
	memcpy(icmp, probe + hl, l4_len);
	icmp[0] = family == 6 ? XHOP_ICMP6_ECHO_REPLY : XHOP_ICMP_ECHOREPLY;
	p->len = off + l4_len;
	pkt_fix(p);
}

void pkt_tcp_answer(struct pkt *p, const __u8 *probe, size_t probe_len, __u8 flags)
{
	const struct xhop_tcphdr *q = (const void *)(probe + probe_hlen(probe));
	struct in6_addr src, dst;

	(void)probe_len;
	probe_addrs(probe, &src, &dst);
	pkt_tcp(p, &dst, &src, ntohs(q->dest), ntohs(q->source),
		flags & XHOP_TCP_SYN ? 0x12345678 : 0, ntohl(q->seq) + 1, flags);
}

void pkt_wrap_eth(struct pkt *p, const __u8 *ip, size_t len)
{
	memset(p, 0, sizeof(*p));
	need(p, ETH_HLEN + len, __func__);
	p->len = put_eth(p->data, probe_family(ip));
	memcpy(p->data + p->len, ip, len);
	p->len += len;
}

void pkt_echo(struct pkt *p, const struct in6_addr *from, const struct in6_addr *to, __u8 type,
	      __u16 id, __u16 seq, size_t payload_len)
{
	int family = IN6_IS_ADDR_V4MAPPED(from) ? 4 : 6;
	size_t off, i;
	__u8 *icmp;

	memset(p, 0, sizeof(*p));
	need(p, ETH_HLEN + IP6_HLEN + 8 + payload_len, __func__);
	off = put_eth(p->data, family);
	off += put_ip(p->data + off, family, family == 6 ? XHOP_IPPROTO_ICMPV6 : XHOP_IPPROTO_ICMP,
		      from, to, 8 + payload_len);
	icmp = p->data + off;
	icmp[0] = type;
	wr16(icmp + 4, id);
	wr16(icmp + 6, seq);
	for (i = 0; i < payload_len; i++) /* ping(8)'s pattern */
		icmp[8 + i] = (__u8)(0x10 + i);
	p->len = off + 8 + payload_len;
	pkt_fix(p);
}

void pkt_udp(struct pkt *p, const struct in6_addr *from, const struct in6_addr *to,
	     __u16 sport, __u16 dport, size_t payload_len)
{
	int family = IN6_IS_ADDR_V4MAPPED(from) ? 4 : 6;
	struct xhop_udphdr *uh;
	size_t off, i;

	memset(p, 0, sizeof(*p));
	need(p, ETH_HLEN + IP6_HLEN + 8 + payload_len, __func__);
	off = put_eth(p->data, family);
	off += put_ip(p->data + off, family, XHOP_IPPROTO_UDP, from, to, 8 + payload_len);
	uh = (struct xhop_udphdr *)(p->data + off);
	uh->source = htons(sport);
	uh->dest = htons(dport);
	uh->len = htons(8 + payload_len);
	for (i = 0; i < payload_len; i++)
		p->data[off + 8 + i] = (__u8)(0x61 + i % 26);
	p->len = off + 8 + payload_len;
	pkt_fix(p);
}

void pkt_tcp(struct pkt *p, const struct in6_addr *from, const struct in6_addr *to,
	     __u16 sport, __u16 dport, __u32 seq, __u32 ack, __u8 flags)
{
	int family = IN6_IS_ADDR_V4MAPPED(from) ? 4 : 6;
	struct xhop_tcphdr *th;
	size_t off;

	memset(p, 0, sizeof(*p));
	off = put_eth(p->data, family);
	off += put_ip(p->data + off, family, XHOP_IPPROTO_TCP, from, to, sizeof(*th));
	th = (struct xhop_tcphdr *)(p->data + off);
	th->source = htons(sport);
	th->dest = htons(dport);
	th->seq = htonl(seq);
	th->ack_seq = htonl(ack);
	th->doff_res = 5 << 4;
	th->flags = flags;
	th->window = htons(flags & XHOP_TCP_RST ? 0 : 64240);
	p->len = off + sizeof(*th);
	pkt_fix(p);
}

void pkt_arp(struct pkt *p, const struct in6_addr *from, const struct in6_addr *to)
{
	__u8 *a;

	memset(p, 0, sizeof(*p));
	put_eth(p->data, 4);
	memset(p->data, 0xff, ETH_ALEN); /* broadcast */
	wr16(p->data + 12, ETH_P_ARP);
	a = p->data + ETH_HLEN;
	wr16(a, 1);		/* Ethernet */
	wr16(a + 2, ETH_P_IP);
	a[4] = ETH_ALEN;
	a[5] = 4;
	wr16(a + 6, 1);		/* request */
	memset(a + 8, 0x04, ETH_ALEN);
	memcpy(a + 14, &from->s6_addr[12], 4);
	memcpy(a + 24, &to->s6_addr[12], 4);
	p->len = ETH_HLEN + 28;
}

/* Offset of what follows Ethernet and its VLAN tags; *type its EtherType */
static size_t l3_walk(const struct pkt *p, __u16 *type)
{
	size_t off = 2 * ETH_ALEN;
	__u16 t = rd16(p->data + off);

	off += 2;
	while ((t == XHOP_ETH_P_8021Q || t == XHOP_ETH_P_8021AD) && off + 4 <= p->len) {
		t = rd16(p->data + off + 2);
		off += 4;
	}
	if (type)
		*type = t;
	return off;
}

int pkt_family(const struct pkt *p)
{
	__u16 t;

	l3_walk(p, &t);
	return t == XHOP_ETH_P_IP ? 4 : t == XHOP_ETH_P_IPV6 ? 6 : 0;
}

size_t pkt_l3_off(const struct pkt *p)
{
	return l3_walk(p, NULL);
}

size_t pkt_l4_off(const struct pkt *p, __u8 *proto)
{
	size_t off = pkt_l3_off(p);
	const __u8 *ip = p->data + off;
	__u8 next;

	if (pkt_family(p) == 4) {
		if (proto)
			*proto = ip[9];
		return off + (ip[0] & 0xf) * 4;
	}
	next = ip[6];
	off += IP6_HLEN;
	while ((next == XHOP_IPPROTO_HOPOPTS || next == XHOP_IPPROTO_ROUTING ||
		next == XHOP_IPPROTO_DSTOPTS) && off + 2 <= p->len) {
		next = p->data[off];
		off += ((size_t)p->data[off + 1] + 1) * 8;
	}
	if (proto)
		*proto = next;
	return off;
}

struct iphdr *pkt_ip4(struct pkt *p)
{
	return (struct iphdr *)(p->data + pkt_l3_off(p));
}

struct ip6_hdr *pkt_ip6(struct pkt *p)
{
	return (struct ip6_hdr *)(p->data + pkt_l3_off(p));
}

void *pkt_l4(struct pkt *p)
{
	return p->data + pkt_l4_off(p, NULL);
}

size_t pkt_quote_off(const struct pkt *p)
{
	return pkt_l4_off(p, NULL) + 8;
}

void pkt_fix(struct pkt *p)
{
	size_t l3 = pkt_l3_off(p), l4;
	int family = pkt_family(p);
	struct in6_addr src, dst;
	__u8 proto, *sum_at;
	__u16 s;

	if (family == 4) {
		struct iphdr *h = pkt_ip4(p);

		h->tot_len = htons(p->len - l3);
		ip4_sum(h);
	} else if (family == 6) {
		pkt_ip6(p)->ip6_plen = htons(p->len - l3 - IP6_HLEN);
	} else {
		return;
	}
	probe_addrs(p->data + l3, &src, &dst);
	l4 = pkt_l4_off(p, &proto);
	if (proto == XHOP_IPPROTO_ICMP || proto == XHOP_IPPROTO_ICMPV6)
		sum_at = p->data + l4 + 2;
	else if (proto == XHOP_IPPROTO_TCP)
		sum_at = p->data + l4 + 16;
	else if (proto == XHOP_IPPROTO_UDP)
		sum_at = p->data + l4 + 6;
	else
		return;
	if (l4 > p->len || sum_at + 2 > p->data + p->len)
		return;
	sum_at[0] = sum_at[1] = 0;
	s = l4_csum(family, &src, &dst, proto, p->data + l4, p->len - l4);
	if (proto == XHOP_IPPROTO_UDP && !s)
		s = 0xffff; /* RFC 768: a computed 0 is sent as all ones */
	wr16(sum_at, s);
}

void pkt_set_ttl(struct pkt *p, __u8 ttl)
{
	if (pkt_family(p) == 4) {
		pkt_ip4(p)->ttl = ttl;
		ip4_sum(pkt_ip4(p));
	} else {
		pkt_ip6(p)->ip6_hlim = ttl;
	}
}

/* Open a gap of len bytes at off */
static __u8 *pkt_insert(struct pkt *p, size_t off, size_t len)
{
	need(p, p->len + len, __func__);
	memmove(p->data + off + len, p->data + off, p->len - off);
	memset(p->data + off, 0, len);
	p->len += len;
	return p->data + off;
}

void pkt_vlan_push(struct pkt *p, __u16 tpid, __u16 vid)
{
	__u8 *tag = pkt_insert(p, 2 * ETH_ALEN, 4);

	wr16(tag, tpid);
	wr16(tag + 2, vid & 0xfff);
}

void pkt_ip4_options(struct pkt *p, size_t ip_off, size_t opt_len)
{
	struct iphdr *h = (struct iphdr *)(p->data + ip_off);
	size_t hl = h->ihl * 4;
	__u8 *opt;

	if (opt_len % 4 || hl + opt_len > 60) {
		fprintf(stderr, "pkt_ip4_options: %zu option bytes on ihl %u\n", opt_len, h->ihl);
		abort();
	}
	if (!opt_len)
		return;
	opt = pkt_insert(p, ip_off + hl, opt_len);
	memset(opt, 1, opt_len - 1); /* NOP */
	opt[opt_len - 1] = 0;	      /* End of Options List */
	h->ihl += opt_len / 4;
	h->tot_len = htons(ntohs(h->tot_len) + opt_len);
	ip4_sum(h);
	if (ip_off != pkt_l3_off(p)) /* a quoted header: the outer packet grew */
		pkt_fix(p);
}

void pkt_ip6_ext_push(struct pkt *p, __u8 type, size_t len)
{
	size_t l3 = pkt_l3_off(p);
	struct ip6_hdr *h = pkt_ip6(p);
	__u8 *ext;

	if (len < 8 || len % 8 || len > 2048 || (type == XHOP_IPPROTO_FRAGMENT && len != 8)) {
		fprintf(stderr, "pkt_ip6_ext_push: type %u of %zu bytes\n", type, len);
		abort();
	}
	ext = pkt_insert(p, l3 + IP6_HLEN, len);
	h = pkt_ip6(p);
	ext[0] = h->ip6_nxt;
	h->ip6_nxt = type;
	h->ip6_plen = htons(ntohs(h->ip6_plen) + len);
	if (type == XHOP_IPPROTO_FRAGMENT) {
		wr16(ext + 2, 1); /* offset 0, M: a first fragment */
		memcpy(ext + 4, "\x12\x34\x56\x78", 4);
		return;
	}
	ext[1] = len / 8 - 1;
	if (type == XHOP_IPPROTO_ROUTING) {
		ext[2] = 4; /* RFC 8754 segment routing header */
		ext[3] = 0; /* segments left: we are the final destination */
		return;
	}
	ext[2] = 1; /* PadN over the rest */
	ext[3] = len - 4;
}

size_t pkt_icmp_ext_mpls(struct pkt *p, const __u32 *lse, int n)
{
	return pkt_icmp_ext_mpls_at(p, 0, lse, n);
}

size_t pkt_icmp_ext_mpls_at(struct pkt *p, size_t orig, const __u32 *lse, int n)
{
	int family = pkt_family(p);
	size_t icmp = pkt_l4_off(p, NULL), quote = icmp + 8, qlen = p->len - quote;
	size_t unit = family == 6 ? 8 : 4, ext, i;
	__u8 *e;

	if (!orig)
		orig = qlen < XHOP_ICMP_EXT_ORIG_LEN ? XHOP_ICMP_EXT_ORIG_LEN
						     : (qlen + unit - 1) / unit * unit;
	if (orig % unit || orig / unit > 255) {
		fprintf(stderr, "pkt_icmp_ext_mpls_at: original datagram of %zu bytes\n", orig);
		abort();
	}
	need(p, quote + orig + 8 + 4 * (size_t)n, __func__);
	if (quote + orig > p->len)
		memset(p->data + p->len, 0, quote + orig - p->len);
	if (family == 6)
		p->data[icmp + 4] = orig / 8;
	else
		p->data[icmp + 5] = orig / 4;
	ext = quote + orig;
	e = p->data + ext;
	e[0] = XHOP_ICMP_EXT_VERSION << 4;
	e[1] = e[2] = e[3] = 0;
	wr16(e + 4, 4 + 4 * n);
	e[6] = XHOP_ICMP_EXT_CLASS_MPLS;
	e[7] = XHOP_ICMP_EXT_CTYPE_MPLS;
	for (i = 0; i < (size_t)n; i++) {
		__u32 be = htonl(lse[i]);

		memcpy(e + 8 + 4 * i, &be, 4);
	}
	p->len = ext + 8 + 4 * n;
	wr16(e + 2, (__u16)~csum_fold(csum_add(0, e, p->len - ext)));
	pkt_fix(p);
	return ext;
}

void pkt_probe_set_id(__u8 *probe, size_t len, __u16 id)
{
	int family = probe_family(probe);
	size_t hl = probe_hlen(probe);
	__u8 proto = family == 6 ? probe[6] : probe[9];

	if (proto == XHOP_IPPROTO_ICMP || proto == XHOP_IPPROTO_ICMPV6) {
		wr16(probe + hl + 6, id);
	} else if (proto == XHOP_IPPROTO_TCP) {
		wr16(probe + hl + 4, id);
	} else if (proto == XHOP_IPPROTO_UDP) {
		if (family == 4)
			wr16(probe + 4, id);
		if (len >= hl + 8 + XHOP_UDP_PAYLOAD_ID_OFF + 2)
			wr16(probe + hl + 8 + XHOP_UDP_PAYLOAD_ID_OFF, id);
	}
	if (family == 4)
		ip4_sum((struct iphdr *)probe);
}

void pkt_probe_set_dst(__u8 *probe, const struct in6_addr *dst)
{
	if (probe_family(probe) == 6) {
		memcpy(probe + 24, dst, 16);
	} else {
		memcpy(probe + 16, &dst->s6_addr[12], 4);
		ip4_sum((struct iphdr *)probe);
	}
}

void pkt_probe_xor_mac(__u8 *probe, size_t len, __u16 mask)
{
	int family = probe_family(probe);
	size_t hl = probe_hlen(probe);
	__u8 proto = family == 6 ? probe[6] : probe[9];
	size_t at;

	if (proto == XHOP_IPPROTO_ICMP || proto == XHOP_IPPROTO_ICMPV6)
		at = hl + 4;
	else if (proto == XHOP_IPPROTO_TCP)
		at = hl + 6;
	else if (proto == XHOP_IPPROTO_UDP)
		at = hl + 6;
	else
		return;
	if (at + 2 <= len)
		wr16(probe + at, rd16(probe + at) ^ mask);
}

void pkt_probe_xor_bytes(__u8 *probe, size_t len, size_t off, __u16 mask)
{
	if (off + 2 <= len)
		wr16(probe + off, rd16(probe + off) ^ mask);
}

void pkt_probe_xor_ipid(__u8 *probe, __u16 mask)
{
	if (probe_family(probe) != 4)
		return;
	wr16(probe + 4, rd16(probe + 4) ^ mask);
	ip4_sum((struct iphdr *)probe);
}

struct in6_addr probe_src(int family)
{
	return pkt_addr(family == 6 ? "2001:2::1" : "198.18.0.1");
}

struct in6_addr probe_dst(int family)
{
	return pkt_addr(family == 6 ? "2001:2:0:ff::77" : "198.19.0.77");
}

struct in6_addr probe_hop(int family)
{
	return pkt_addr(family == 6 ? "2001:2:0:1::1" : "198.18.1.1");
}

void probe_make_size(struct probe *pr, int family, int method, __u16 id, __u8 ttl,
		     const struct xhop_key *k, __u16 size)
{
	ssize_t n;

	memset(pr, 0, sizeof(*pr));
	pr->ps.family = family;
	pr->ps.method = method;
	pr->ps.probe_id = id;
	pr->ps.ttl = ttl;
	pr->ps.tos = 0x20;
	pr->ps.icmp_sum = 0xbeef;
	pr->ps.size = size;
	pr->ps.src = probe_src(family);
	pr->ps.dst = probe_dst(family);
	pr->ps.sport = 40000 + method;
	pr->ps.dport = method == METHOD_TCP ? 443 : 33434;
	n = probe_build(&pr->ps, k, pr->b, sizeof(pr->b));
	if (n < 0) {
		fprintf(stderr, "probe_build v%d method %d: %zd\n", family, method, n);
		abort();
	}
	pr->len = n;
}

void probe_make(struct probe *pr, int family, int method, __u16 id, __u8 ttl,
		const struct xhop_key *k)
{
	probe_make_size(pr, family, method, id, ttl, k, family == 6 ? 80 : 60);
}
