// SPDX-License-Identifier: GPL-2.0
/*
 * xhop-sim's responder: every probe that comes in becomes, in place, the
 * answer the simulated network (sim_topo.h) sends for it, and goes back
 * out with XDP_TX. Time Exceeded from the router at the probe's TTL,
 * Destination Unreachable from the last router of an unreachable prefix,
 * the destination's own answer past the last router: echo reply, port
 * unreachable, TCP RST or SYN-ACK. Nothing else is answered: frames that
 * are not IPv4/IPv6 to our ranges pass to the stack untouched (ARP, ND);
 * frames to our ranges that are no probe are dropped and counted.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "xhop_proto.h"
#include "sim_abi.h"
#include "sim_topo.h"

char LICENSE[] SEC("license") = "GPL";

const volatile struct sim_params params;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SIM_ST_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

/* Token buckets of the rate limit: credit in nanoseconds of answers */
struct bucket {
	__u64 last_ns;
	__u64 credit_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct bucket);
} buckets SEC(".maps");

#define TCP_OPEN(port) ((port) == 22 || (port) == 80 || (port) == 443)

static __always_inline void count(__u32 i)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &i);

	if (v)
		*v += 1;
}

static __always_inline __u16 fold(__u32 s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)s;
}

/* RFC 1624: the checksum after one 16-bit word changes from old to new */
static __always_inline void csum_replace(__u16 *check, __u16 old, __u16 new)
{
	*check = ~fold((__u16)~*check + (__u16)~old + new);
}

/* raw-domain sum of the 16-bit words from p to end (an odd byte padded) */
#define SUM_WORDS_MAX (SIM_ICMP6_MAX / 2)
static __always_inline __u32 sum_to_end(void *p, void *end)
{
	__u32 s = 0;
	int i;

	for (i = 0; i < SUM_WORDS_MAX; i++) {
		if (p + 2 > end)
			break;
		s += *(__u16 *)p;
		p += 2;
	}
	if (p + 1 <= end)
		s += *(__u8 *)p; /* little-endian: the byte is the word's first */
	return s;
}

static __always_inline __u32 sum_words(const void *p, int n)
{
	const __u16 *w = p;
	__u32 s = 0;
	int i;

#pragma unroll
	for (i = 0; i < 20; i++) { /* callers pass n <= 20 */
		if (i < n)
			s += w[i];
	}
	return s;
}

/*
 * The rate limit: true when the interface may answer now. Each answer
 * costs 1e9 / rate_pps ns of credit; credit accrues with time up to
 * `burst` answers. Racy between CPUs, as Linux's own per-peer limit is.
 */
static __always_inline int rate_ok(__u32 key)
{
	__u64 cost, cap, now = bpf_ktime_get_ns();
	struct bucket *b, nb;

	if (!params.rate_pps)
		return 1;
	cost = 1000000000ull / params.rate_pps;
	cap = cost * (params.burst ? params.burst : 1);
	b = bpf_map_lookup_elem(&buckets, &key);
	if (!b) {
		nb.last_ns = now;
		nb.credit_ns = cap - cost;
		bpf_map_update_elem(&buckets, &key, &nb, BPF_ANY);
		return 1;
	}
	b->credit_ns += now - b->last_ns;
	b->last_ns = now;
	if (b->credit_ns > cap)
		b->credit_ns = cap;
	if (b->credit_ns < cost)
		return 0;
	b->credit_ns -= cost;
	return 1;
}

/* The Ethernet header of the answer: back where the probe came from */
static __always_inline void eth_turn(struct ethhdr *out, const struct ethhdr *in, __u16 proto)
{
	__builtin_memcpy(out->h_dest, in->h_source, ETH_ALEN);
	__builtin_memcpy(out->h_source, in->h_dest, ETH_ALEN);
	out->h_proto = proto;
}

/*
 * Cut or grow the frame to Ethernet + keep bytes of IP, then grow it in
 * front by room bytes. Returns 0 or -1 (the kernel refused).
 */
static __always_inline int reshape(struct xdp_md *ctx, __u32 keep, int room)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	int delta = (int)keep - ((int)(end - data) - ETH_HLEN);

	if ((delta && bpf_xdp_adjust_tail(ctx, delta)) ||
	    (room && bpf_xdp_adjust_head(ctx, -room))) {
		count(SIM_ST_REFUSED);
		return -1;
	}
	return 0;
}

/* RFC 4950 in an RFC 4884 extension: one label stack entry */
struct mpls_ext {
	struct xhop_icmp_ext_hdr hdr;
	struct xhop_icmp_ext_obj obj;
	__u32 lse;
};

#define EXT_ORIG XHOP_ICMP_EXT_ORIG_LEN
#define EXT_ALL	 (EXT_ORIG + sizeof(struct mpls_ext))

/*
 * How much of the probe a tunnel router's answer keeps (ip_len bytes
 * arrived), and how much the frame must grow in front beyond the headers
 * so that the answer fits without growing its tail, which the kernel may
 * refuse (a veth frame used in place has little tailroom; headroom it has)
 */
static __always_inline __u32 mpls_keep(__u32 ip_len, __u32 *pad)
{
	__u32 keep = ip_len < EXT_ALL ? ip_len : EXT_ALL;

	*pad = EXT_ALL - keep;
	return keep;
}

/*
 * A tunnel router's extension after the quote, which RFC 4884 pads to
 * exactly 128 bytes: the probe moved down from pad bytes further on (where
 * it lay before the frame grew in front), zeros past its ip_len bytes,
 * then the label as it arrived: TTL 1, bottom of stack. -1: frame too short.
 */
static __always_inline int mpls_fill(struct xhop_icmphdr *ic, void *end, __u32 ip_len, __u32 pad,
				     __u32 label)
{
	__u8 *q = (void *)(ic + 1);
	struct mpls_ext *x = (void *)(q + EXT_ORIG);
	int i;

	if ((void *)(x + 1) > end || pad > EXT_ALL)
		return -1;
	for (i = 0; i < EXT_ORIG; i++) {
		__u8 *from = q + pad + i;

		if ((__u32)i >= ip_len) {
			q[i] = 0;
			continue;
		}
		if ((void *)(from + 1) > end)
			return -1;
		q[i] = *from; /* forward: the source is never behind */
	}
	x->hdr.version_res = XHOP_ICMP_EXT_VERSION << 4;
	x->hdr.reserved = 0;
	x->hdr.checksum = 0;
	x->obj.length = bpf_htons(sizeof(x->obj) + sizeof(x->lse));
	x->obj.class_num = XHOP_ICMP_EXT_CLASS_MPLS;
	x->obj.c_type = XHOP_ICMP_EXT_CTYPE_MPLS;
	x->lse = bpf_htonl(label << 12 | 1 << 8 | 1);
	x->hdr.checksum = ~fold(sum_words(x, sizeof(*x) / 2));
	return 0;
}

/*
 * Room for an ICMP error behind an hl-byte IP header, quoting the probe's
 * ip_len bytes: at most max bytes in all, or exactly 128 bytes and the
 * extension at a tunnel's router (*pad: see mpls_keep). 0 or -1.
 */
static __always_inline int error_room(struct xdp_md *ctx, __u32 hl, __u32 max, __u32 ip_len,
				      __u32 label, __u32 *pad)
{
	__u32 room = hl + sizeof(struct xhop_icmphdr), quote = ip_len;

	*pad = 0;
	if (quote > max - room)
		quote = max - room;
	if (label)
		quote = mpls_keep(ip_len, pad);
	return reshape(ctx, quote, room + *pad);
}

/*
 * After error_room: the answer's Ethernet header in place, and where its
 * ICMP header goes, behind hl bytes of IP; NULL when the frame is short
 */
static __always_inline struct xhop_icmphdr *error_frame(struct xdp_md *ctx,
							const struct ethhdr *eth0, __u32 hl)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct xhop_icmphdr *ic = data + ETH_HLEN + hl;

	if ((void *)(ic + 1) > end)
		return NULL;
	__builtin_memcpy(data, eth0, sizeof(*eth0));
	return ic;
}

/*
 * The error's ICMP header and, at a tunnel's router, its extension with
 * RFC 4884's length of the padded quote: 32-bit words in byte 5 of an
 * ICMPv4 header, 64-bit words in byte 4 of an ICMPv6 one. 0 or -1.
 */
static __always_inline int error_fill(struct xhop_icmphdr *ic, void *end, __u8 type, __u8 code,
				      __u32 ip_len, __u32 pad, __u32 label, int v6)
{
	ic->type = type;
	ic->code = code;
	ic->checksum = 0;
	ic->un.rest = 0;
	if (!label)
		return 0;
	if (mpls_fill(ic, end, ip_len, pad, label))
		return -1;
	if (v6)
		ic->un.err.b4 = EXT_ORIG / 8;
	else
		ic->un.err.b5 = EXT_ORIG / 4;
	return 0;
}

/*
 * IPv4 ICMP error quoting the probe (its TTL set to qttl, as it arrived
 * there): from `from` (network order) with type/code, the reply's TTL rttl.
 */
static __always_inline int icmp4_error(struct xdp_md *ctx, __u32 from, __u8 type, __u8 code,
				       __u8 rttl, __u8 qttl, __u32 ip_len, __u32 label)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data, eth0;
	struct xhop_icmphdr *ic;
	struct iphdr *iph = data + ETH_HLEN, *q;
	__u32 to, pad;

	if ((void *)(iph + 1) > end)
		return XDP_DROP;
	eth_turn(&eth0, eth, bpf_htons(ETH_P_IP));
	to = iph->saddr;
	csum_replace(&iph->check, bpf_htons((__u16)iph->ttl << 8 | iph->protocol),
		     bpf_htons((__u16)qttl << 8 | iph->protocol));
	iph->ttl = qttl;
	if (error_room(ctx, sizeof(*iph), SIM_ICMP4_MAX, ip_len, label, &pad))
		return XDP_DROP;
	ic = error_frame(ctx, &eth0, sizeof(*q));
	if (!ic)
		return XDP_DROP;
	end = (void *)(long)ctx->data_end;
	q = (void *)ic - sizeof(*q);
	q->version = 4;
	q->ihl = 5;
	q->tos = 0xc0; /* Linux: internetwork control precedence on its errors */
	q->tot_len = bpf_htons((__u16)(end - (void *)q));
	q->id = 0;
	q->frag_off = 0;
	q->ttl = rttl;
	q->protocol = XHOP_IPPROTO_ICMP;
	q->check = 0;
	q->saddr = from;
	q->daddr = to;
	q->check = ~fold(sum_words(q, 10));
	if (error_fill(ic, end, type, code, ip_len, pad, label, 0))
		return XDP_DROP;
	ic->checksum = ~fold(sum_to_end(ic, end));
	return XDP_TX;
}

static __always_inline int icmp6_error(struct xdp_md *ctx, const __u32 from[4], __u8 type,
				       __u8 code, __u8 rttl, __u8 qttl, __u32 ip_len, __u32 label)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data, eth0;
	struct ipv6hdr *ip6 = data + ETH_HLEN, *q;
	struct xhop_icmphdr *ic;
	struct in6_addr to;
	__u32 plen, s, pad;
	int i;

	if ((void *)(ip6 + 1) > end)
		return XDP_DROP;
	eth_turn(&eth0, eth, bpf_htons(ETH_P_IPV6));
	to = ip6->saddr;
	ip6->hop_limit = qttl;
	if (error_room(ctx, sizeof(*ip6), SIM_ICMP6_MAX, ip_len, label, &pad))
		return XDP_DROP;
	ic = error_frame(ctx, &eth0, sizeof(*q));
	if (!ic)
		return XDP_DROP;
	end = (void *)(long)ctx->data_end;
	q = (void *)ic - sizeof(*q);
	plen = end - (void *)ic;
	*(__u32 *)q = bpf_htonl(0x60000000);
	q->payload_len = bpf_htons((__u16)plen);
	q->nexthdr = XHOP_IPPROTO_ICMPV6;
	q->hop_limit = rttl;
#pragma unroll
	for (i = 0; i < 4; i++)
		q->saddr.in6_u.u6_addr32[i] = bpf_htonl(from[i]);
	q->daddr = to;
	if (error_fill(ic, end, type, code, ip_len, pad, label, 1))
		return XDP_DROP;
	s = sum_words(&q->saddr, 16) + bpf_htons((__u16)plen) + bpf_htons(XHOP_IPPROTO_ICMPV6);
	ic->checksum = ~fold(s + sum_to_end(ic, end));
	return XDP_TX;
}

/* the walk's state: in a map value, whose contents the verifier does not
 * track, so the bpf_loop() callback converges after one pass
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sim_walk);
} scratch SEC(".maps");

struct walk_ctx {
	struct sim_walk *st;
};

/*
 * The loader's values, field by field: volatile reads, so the compiler
 * cannot fold in the zeros it compiled (a whole-struct copy of the
 * volatile object lost all but the first field here)
 */
static __always_inline void load_params(struct sim_params *p)
{
	p->seed = params.seed;
	p->silent_pct = params.silent_pct;
	p->lb_pct = params.lb_pct;
	p->unreach_pct = params.unreach_pct;
	p->dead_pct = params.dead_pct;
	p->max_width = params.max_width;
	p->rate_pps = params.rate_pps;
	p->burst = params.burst;
	p->mpls_pct = params.mpls_pct;
}

static long walk_cb(__u32 idx, void *ctx)
{
	struct walk_ctx *c = ctx;

	return sim_step(c->st);
}

/* The topology's answer at ttl; -1 when the scratch map is missing */
static __always_inline int walk(const struct sim_params *p, const struct sim_dst *d, __u32 flow,
				__u32 ttl, struct sim_hop *out)
{
	struct walk_ctx c;
	__u32 zero = 0;

	c.st = bpf_map_lookup_elem(&scratch, &zero);
	if (!c.st)
		return -1;
	sim_walk_init(c.st, p, d, flow, ttl);
	bpf_loop(SIM_TTL_MAX + 1, walk_cb, &c, 0);
	sim_walk_end(c.st, out);
	return 0;
}

/* A router's answer, if it is allowed one; counts it either way */
static __always_inline int router_ok(__u32 family, __u32 iface)
{
	if (rate_ok(iface | (family == 6) << 31))
		return 1;
	count(SIM_ST_RATELIMIT);
	return 0;
}

/*
 * The destination's TCP answer, in place: the probe's IP header and a bare
 * 20-byte TCP header. SYN: SYN-ACK on an open port, RST-ACK on a closed
 * one; any other segment but a RST: RST. A RST gets nothing.
 */
static __always_inline int tcp_answer(struct xhop_tcphdr *th, __u32 *sum)
{
	__u32 seq = bpf_ntohl(th->seq), ack = bpf_ntohl(th->ack_seq);
	__u16 port = th->dest;
	__u8 flags = th->flags;

	if (flags & XHOP_TCP_RST)
		return -1;
	th->dest = th->source;
	th->source = port;
	if (flags & XHOP_TCP_SYN) {
		int open = TCP_OPEN(bpf_ntohs(port));

		th->flags = open ? XHOP_TCP_SYN | XHOP_TCP_ACK : XHOP_TCP_RST | XHOP_TCP_ACK;
		th->seq = open ? bpf_htonl((__u32)sim_mix(seq ^ params.seed)) : 0;
		th->ack_seq = bpf_htonl(seq + 1);
		th->window = open ? bpf_htons(64240) : 0;
	} else {
		th->flags = XHOP_TCP_RST;
		th->seq = bpf_htonl(ack);
		th->ack_seq = 0;
		th->window = 0;
	}
	th->doff_res = 5 << 4;
	th->urg_ptr = 0;
	th->check = 0;
	*sum += sum_words(th, 10);
	return 0;
}

/*
 * The frame cut to Ethernet, hl bytes of IP and the bare TCP header of a
 * TCP answer, counted; its IP header, or NULL
 */
static __always_inline void *tcp_trim(struct xdp_md *ctx, __u32 hl)
{
	void *data, *end;

	if (reshape(ctx, hl + sizeof(struct xhop_tcphdr), 0))
		return NULL;
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	if (data + ETH_HLEN + hl > end)
		return NULL;
	count(SIM_ST_TCP);
	return data + ETH_HLEN;
}

/* eth_turn on itself would copy a source over the destination first */
static __always_inline void eth_swap(struct ethhdr *eth)
{
	struct ethhdr e = *eth;

	eth_turn(eth, &e, e.h_proto);
}

static __always_inline int dest4(struct xdp_md *ctx, struct iphdr *iph, void *l4, __u8 rttl)
{
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = (void *)(long)ctx->data;
	__u32 a = iph->saddr, s;

	if ((void *)(eth + 1) > end)
		return XDP_DROP;
	if (iph->protocol == XHOP_IPPROTO_ICMP) {
		struct xhop_icmphdr *ic = l4;

		if ((void *)(ic + 1) > end)
			return XDP_DROP;
		ic->type = XHOP_ICMP_ECHOREPLY;
		csum_replace(&ic->checksum, bpf_htons(XHOP_ICMP_ECHO << 8), 0);
		count(SIM_ST_ECHO);
	} else {
		struct xhop_tcphdr *th = l4;

		if ((void *)(th + 1) > end)
			return XDP_DROP;
		if (iph->ihl != 5) /* options: not worth a real answer */
			goto ignore;
		s = sum_words(&iph->saddr, 4) + bpf_htons(XHOP_IPPROTO_TCP) + bpf_htons(20);
		if (tcp_answer(th, &s))
			goto ignore;
		th->check = ~fold(s);
		iph->tot_len = bpf_htons(40);
		iph->frag_off = bpf_htons(0x4000); /* DF, as Linux's RSTs */
		iph = tcp_trim(ctx, sizeof(*iph));
		if (!iph)
			return XDP_DROP;
	}
	iph->saddr = iph->daddr;
	iph->daddr = a;
	iph->ttl = rttl;
	iph->check = 0;
	iph->check = ~fold(sum_words(iph, 10));
	return XDP_TX;
ignore:
	count(SIM_ST_IGNORED);
	return XDP_DROP;
}

/* The ICMP errors the simulator sends */
#define ERR_TIMEX   0 /* Time Exceeded from a router */
#define ERR_UNREACH 1 /* no route, from an unreachable prefix's last router */
#define ERR_PORT    2 /* port unreachable, from the destination */

struct err_plan {
	__u32 iface; /* the router (ERR_TIMEX, ERR_UNREACH) */
	__u32 label; /* its MPLS label; 0: none */
	__u8 what;   /* ERR_* */
	__u8 rttl;   /* the answer's TTL */
	__u8 qttl;   /* the probe's TTL where it ended, as quoted */
};

/*
 * What the topology's answer at the probe's TTL (ttl) means for the frame:
 * 0 nothing (a silent router, a dead destination, the rate limit), 1 the
 * ICMP error of *e, 2 the destination's own answer in place. Counted.
 */
static __always_inline int plan(const struct sim_hop *hop, __u32 family, __u8 ttl, int udp,
				struct err_plan *e)
{
	e->iface = hop->iface;
	e->label = 0;
	switch (hop->kind) {
	case SIM_ROUTER:
		if (!router_ok(family, hop->iface))
			return 0;
		count(SIM_ST_TIMEX);
		e->what = ERR_TIMEX;
		e->label = hop->label;
		e->rttl = SIM_REPLY_TTL - ttl;
		e->qttl = 1;
		return 1;
	case SIM_UNREACH:
		if (!router_ok(family, hop->iface))
			return 0;
		count(SIM_ST_UNREACH);
		e->what = ERR_UNREACH;
		e->rttl = SIM_REPLY_TTL - hop->hops;
		e->qttl = ttl - (hop->hops - 1);
		return 1;
	case SIM_SILENT:
		count(SIM_ST_SILENT);
		return 0;
	case SIM_DEAD:
		count(SIM_ST_DEAD);
		return 0;
	}
	/* the destination, one hop past the last router */
	if (!udp)
		return 2;
	count(SIM_ST_PORT);
	e->what = ERR_PORT;
	e->rttl = SIM_REPLY_TTL - 1 - hop->hops;
	e->qttl = ttl - hop->hops;
	return 1;
}

static __always_inline __u8 err_type(__u32 family, __u8 what)
{
	if (family == 4)
		return what == ERR_TIMEX ? XHOP_ICMP_TIME_EXCEEDED : XHOP_ICMP_DEST_UNREACH;
	return what == ERR_TIMEX ? XHOP_ICMP6_TIME_EXCEED : XHOP_ICMP6_DEST_UNREACH;
}

static __always_inline __u8 err_code(__u32 family, __u8 what)
{
	if (what == ERR_PORT)
		return family == 4 ? XHOP_ICMP_PORT_UNREACH : XHOP_ICMP6_PORT_UNREACH;
	return 0; /* TTL exceeded in transit; net unreachable / no route */
}

static __always_inline int sim_v4(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct iphdr *iph = data + ETH_HLEN;
	__u32 src[4] = {}, dst[4] = {}, l4w, hl, ip_len;
	struct err_plan e;
	struct sim_params p;
	struct sim_dst d;
	struct sim_hop hop;
	__u8 *l4;

	if ((void *)(iph + 1) > end || iph->version != 4)
		return XDP_PASS;
	dst[0] = bpf_ntohl(iph->daddr);
	if (!sim_dst_of(4, dst, params.seed, &d))
		return XDP_PASS;
	hl = iph->ihl * 4;
	ip_len = bpf_ntohs(iph->tot_len);
	if (hl < sizeof(*iph) || ip_len < hl || data + ETH_HLEN + ip_len > end) {
		count(SIM_ST_MALFORMED);
		return XDP_DROP;
	}
	if (iph->frag_off & bpf_htons(0x3FFF) || !iph->ttl) /* fragments: not probes */
		goto ignore;
	l4 = (void *)iph + (hl & 0x3C);
	/* every probe has 8 bytes of L4 header; a TCP one 20 */
	if ((void *)(l4 + 8) > end ||
	    (iph->protocol == XHOP_IPPROTO_TCP && (void *)(l4 + 20) > end))
		goto ignore;
	switch (iph->protocol) {
	case XHOP_IPPROTO_ICMP:
		if (l4[0] != XHOP_ICMP_ECHO)
			goto ignore;
		l4w = bpf_ntohs(*(__u16 *)(l4 + 2));
		break;
	case XHOP_IPPROTO_UDP:
	case XHOP_IPPROTO_TCP:
		l4w = bpf_ntohl(*(__u32 *)l4);
		break;
	default:
		goto ignore;
	}
	count(SIM_ST_PROBES);
	src[0] = bpf_ntohl(iph->saddr);
	load_params(&p);
	if (walk(&p, &d, sim_flow(p.seed, src, dst, iph->protocol, l4w), iph->ttl, &hop))
		return XDP_PASS;
	switch (plan(&hop, 4, iph->ttl, iph->protocol == XHOP_IPPROTO_UDP, &e)) {
	case 0:
		return XDP_DROP;
	case 1:
		return icmp4_error(ctx, e.what == ERR_PORT ? iph->daddr
							 : bpf_htonl(sim_iface_addr4(e.iface)),
				   err_type(4, e.what), err_code(4, e.what), e.rttl, e.qttl, ip_len,
				   e.label);
	}
	eth_swap(data);
	return dest4(ctx, iph, l4, SIM_REPLY_TTL - 1 - hop.hops);
ignore:
	count(SIM_ST_IGNORED);
	return XDP_DROP;
}

static __always_inline int dest6(struct xdp_md *ctx, struct ipv6hdr *ip6, void *l4, __u8 rttl)
{
	void *end = (void *)(long)ctx->data_end;
	struct in6_addr a = ip6->saddr;
	__u32 s;

	if (ip6->nexthdr == XHOP_IPPROTO_ICMPV6) {
		struct xhop_icmphdr *ic = l4;

		if ((void *)(ic + 1) > end)
			return XDP_DROP;
		ic->type = XHOP_ICMP6_ECHO_REPLY;
		/* the pseudo-header's addresses swap places: same sum */
		csum_replace(&ic->checksum, bpf_htons(XHOP_ICMP6_ECHO_REQUEST << 8),
			     bpf_htons(XHOP_ICMP6_ECHO_REPLY << 8));
		count(SIM_ST_ECHO);
	} else {
		struct xhop_tcphdr *th = l4;

		if ((void *)(th + 1) > end)
			return XDP_DROP;
		s = sum_words(&ip6->saddr, 16) + bpf_htons(XHOP_IPPROTO_TCP) + bpf_htons(20);
		if (tcp_answer(th, &s)) {
			count(SIM_ST_IGNORED);
			return XDP_DROP;
		}
		th->check = ~fold(s);
		ip6->payload_len = bpf_htons(20);
		ip6 = tcp_trim(ctx, sizeof(*ip6));
		if (!ip6)
			return XDP_DROP;
	}
	ip6->saddr = ip6->daddr;
	ip6->daddr = a;
	ip6->hop_limit = rttl;
	return XDP_TX;
}

static __always_inline int sim_v6(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ipv6hdr *ip6 = data + ETH_HLEN;
	__u32 src[4], dst[4], l4w, ip_len, i;
	struct err_plan e;
	struct sim_params p;
	struct sim_dst d;
	struct sim_hop hop;
	__u8 *l4;

	if ((void *)(ip6 + 1) > end || ip6->version != 6)
		return XDP_PASS;
#pragma unroll
	for (i = 0; i < 4; i++) {
		src[i] = bpf_ntohl(ip6->saddr.in6_u.u6_addr32[i]);
		dst[i] = bpf_ntohl(ip6->daddr.in6_u.u6_addr32[i]);
	}
	if (!sim_dst_of(6, dst, params.seed, &d))
		return XDP_PASS;
	ip_len = sizeof(*ip6) + bpf_ntohs(ip6->payload_len);
	if (data + ETH_HLEN + ip_len > end) {
		count(SIM_ST_MALFORMED);
		return XDP_DROP;
	}
	l4 = (void *)(ip6 + 1);
	if ((void *)(l4 + 8) > end || !ip6->hop_limit)
		goto ignore;
	/* no extension headers: probes carry none */
	switch (ip6->nexthdr) {
	case XHOP_IPPROTO_ICMPV6:
		if (l4[0] >= 133 && l4[0] <= 137) /* neighbour discovery: the stack's */
			return XDP_PASS;
		if (l4[0] != XHOP_ICMP6_ECHO_REQUEST)
			goto ignore;
		l4w = bpf_ntohs(*(__u16 *)(l4 + 2));
		break;
	case XHOP_IPPROTO_TCP:
		if ((void *)(l4 + 20) > end)
			goto ignore;
		/* fall through */
	case XHOP_IPPROTO_UDP:
		l4w = bpf_ntohl(*(__u32 *)l4);
		break;
	default:
		goto ignore;
	}
	count(SIM_ST_PROBES);
	load_params(&p);
	if (walk(&p, &d, sim_flow(p.seed, src, dst, ip6->nexthdr, l4w), ip6->hop_limit, &hop))
		return XDP_PASS;
	switch (plan(&hop, 6, ip6->hop_limit, ip6->nexthdr == XHOP_IPPROTO_UDP, &e)) {
	case 0:
		return XDP_DROP;
	case 1:
		if (e.what != ERR_PORT)
			sim_iface_addr6(e.iface, dst);
		return icmp6_error(ctx, dst, err_type(6, e.what), err_code(6, e.what), e.rttl,
				   e.qttl, ip_len, e.label);
	}
	eth_swap(data);
	return dest6(ctx, ip6, l4, SIM_REPLY_TTL - 1 - hop.hops);
ignore:
	count(SIM_ST_IGNORED);
	return XDP_DROP;
}

SEC("xdp")
int xhop_sim(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(ETH_P_IP))
		return sim_v4(ctx);
	if (eth->h_proto == bpf_htons(ETH_P_IPV6))
		return sim_v6(ctx);
	return XDP_PASS;
}
