// SPDX-License-Identifier: GPL-2.0
/*
 * xhop's kernel side: two programs sharing one key and one ring buffer.
 *
 *   xhop_rx (XDP)  recognises ICMP/ICMPv6 Time Exceeded, Destination
 *                  Unreachable and Echo Reply, and TCP SYN-ACK/RST, that
 *                  answer this run's probes; stamps them with the kernel
 *                  clock, hands an event to userspace and drops them.
 *                  Everything else passes to the kernel unchanged.
 *   xhop_tx (tc egress)
 *                  stamps each of this run's probes as it leaves, on the
 *                  same clock, so an RTT never contains userspace time.
 *
 * A packet is "ours" only when the probe fields it quotes or echoes carry
 * a MAC made with this run's key (include/xhop_probe.h).
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include "parse.h"
#include "xhop_event.h"
#include "xhop_probe.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by the loader before load: the per-run secret of the probe MACs */
const volatile __u64 key0 = 0;
const volatile __u64 key1 = 0;
/*
 * This run's UDP/TCP source port (0: any). Checked before the MAC: the
 * MAC covers the ports a packet carries, so without this a stranger's
 * SYN-ACK would verify by chance once in 65536 and be dropped.
 */
const volatile __u16 run_sport = 0;
/*
 * How many source ports from run_sport are the run's: xhop multipath
 * gives each flow its own (1: run_sport alone). A wider span lets a blind
 * forger guess the port span times more easily: 1024 ports leave UDP and
 * TCP answers 2^-22 per packet, the MAC and an outstanding probe id aside.
 */
const volatile __u16 run_sport_span = 1;

/* A UDP/TCP source port of this run */
static __always_inline int sport_ours(__u16 sport)
{
	return !run_sport || (__u16)(sport - run_sport) < run_sport_span;
}
/* The run's probe protocol: answers of another never are ours (0: any) */
const volatile __u8 run_proto = 0;
/* The interface's frames start at the IP header (no Ethernet) */
const volatile __u8 l3_only = 0;
/*
 * 1: answers never wake the reader, which looks on its own (xhop scan:
 * after each sending call and at least every millisecond). Each wake-up
 * costs the CPU that runs this program an irq_work and an IPI.
 */
const volatile __u8 rx_no_wakeup = 0;

/*
 * xhop_rx is also the probe generator of xhop scan (bpf/gen.h, driven by
 * user/gen_send.c). Every bpf_prog_test_run of an XDP program adds it to
 * the kernel's XDP dispatcher and removes it afterwards, two text pokes
 * with IPIs to every CPU: 1.4 ms per call measured here, 18x the time of
 * generating 256 probes. A program attached to a device stays in the
 * dispatcher and its test runs only take a reference. xhop_rx is attached
 * for the whole run, so it generates too.
 */
#include "gen.h"

/*
 * Two rings, so that each can use the wakeup it needs. Answers wake the
 * consumer adaptively (only when it has read everything, so at most once
 * per batch); send stamps never wake it: it needs them only once the
 * answer comes, and a wakeup is an irq_work run on the sending CPU, a
 * microsecond in the middle of the probe's way to the wire. In one ring
 * the unread stamps would keep the adaptive wakeup from ever firing.
 */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22); /* 4 MiB: ~50k events of 80 bytes */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);
} tx_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XHOP_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

static __always_inline void count(__u32 stat)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &stat);

	if (v)
		*v += 1;
}

/* The probe fields that the MAC covers, however the packet carried them */
struct probe_fields {
	__u64 dst_hi;	/* the destination as xhop_probe_mac_words() takes it */
	__u64 dst_lo;
	__u32 ports;	/* sport << 16 | dport, 0 for ICMP */
	__u16 probe_id;
	__u16 tag;	/* the MAC as carried (UDP: checksum form; ICMP: high half) */
	__u16 tag2;	/* ICMP: the MAC's low half, from the IPv4 ID or the payload */
	__u8 tag2_is_ipid;
	__u8 proto;
};

/*
 * A destination as the MAC's two message words, made from the address
 * where it lies: an IPv4 address is ::ffff:a.b.c.d, so the first word is
 * 0. (Copied into 16 bytes and read back byte by byte, as the MAC of
 * userspace takes it, it cost the receiver a few ns in spills.)
 */
static __always_inline void dst_of_v4(struct probe_fields *pf, __u32 be_addr)
{
	pf->dst_hi = 0;
	pf->dst_lo = 0xffff00000000ULL | bpf_ntohl(be_addr);
}

/* Unaligned loads from the packet, as everywhere in the parsers */
static __always_inline void dst_of_v6(struct probe_fields *pf, const void *addr)
{
	pf->dst_hi = bpf_be64_to_cpu(*(const __u64 *)addr);
	pf->dst_lo = bpf_be64_to_cpu(*(const __u64 *)(addr + 8));
}

/* The destination into an event, as 16 bytes (8-byte aligned there) */
static __always_inline void dst_to_event(struct xhop_event *ev, const struct probe_fields *pf)
{
	*(__u64 *)&ev->dst[0] = bpf_cpu_to_be64(pf->dst_hi);
	*(__u64 *)&ev->dst[8] = bpf_cpu_to_be64(pf->dst_lo);
}

static __always_inline int probe_verify(const struct probe_fields *pf)
{
	struct xhop_key key = { .k0 = key0, .k1 = key1 };
	__u32 mac;
	__u16 lo;

	/* what costs nothing first: a stranger fails it before the MAC */
	if (run_proto && pf->proto != run_proto)
		return -1;
	if ((pf->proto == XHOP_IPPROTO_UDP || pf->proto == XHOP_IPPROTO_TCP) &&
	    !sport_ours((__u16)(pf->ports >> 16)))
		return -1;
	mac = xhop_probe_mac_words(&key, pf->dst_hi, pf->dst_lo, pf->proto, pf->ports,
				   pf->probe_id);
	lo = mac & 0xffff;
	if (pf->proto == XHOP_IPPROTO_UDP)
		return xhop_udp_check_of(lo) == pf->tag ? 0 : -1;
	if (pf->proto == XHOP_IPPROTO_TCP)
		return lo == pf->tag ? 0 : -1;
	if ((mac >> 16) != pf->tag)
		return -1;
	return (pf->tag2_is_ipid ? xhop_ipid_of(lo) : lo) == pf->tag2 ? 0 : -1;
}

/* The low MAC half in an ICMP echo payload (after the checksum fix bytes) */
static __always_inline int icmp_payload_tag2(struct cursor *c, struct probe_fields *pf)
{
	__u8 *pl = pull(c, XHOP_ICMP_PAYLOAD_MAC_OFF + 2);

	if (!pl)
		return -1;
	pf->tag2 = ((__u16)pl[XHOP_ICMP_PAYLOAD_MAC_OFF] << 8) | pl[XHOP_ICMP_PAYLOAD_MAC_OFF + 1];
	pf->tag2_is_ipid = 0;
	return 0;
}

/*
 * Decode the transport header of a probe: one we send (tc egress) or one a
 * router quotes. Only the first 8 bytes are guaranteed in a quote (RFC
 * 792), so everything but the IPv6 UDP probe id lives there.
 * ipid_be: the IPv4 ID (carries the probe id for UDP/TCP); 0 for IPv6.
 */
static __always_inline int probe_decode_l4(struct cursor *c, __u8 proto, int is_v6,
					   __u16 ipid_be, struct probe_fields *pf)
{
	pf->proto = proto;
	if (proto == XHOP_IPPROTO_ICMP || proto == XHOP_IPPROTO_ICMPV6) {
		struct xhop_icmphdr *ih = pull(c, 8);

		if (!ih)
			return -1;
		if (ih->type != (is_v6 ? XHOP_ICMP6_ECHO_REQUEST : XHOP_ICMP_ECHO) || ih->code)
			return -1;
		if (proto != (is_v6 ? XHOP_IPPROTO_ICMPV6 : XHOP_IPPROTO_ICMP))
			return -1;
		pf->ports = 0;
		pf->tag = bpf_ntohs(ih->un.echo.id);
		pf->probe_id = bpf_ntohs(ih->un.echo.seq);
		if (!is_v6) {
			/* every IPv4 error quotes the ID; RFC 792 promises
			 * no payload byte
			 */
			pf->tag2 = bpf_ntohs(ipid_be);
			pf->tag2_is_ipid = 1;
			return 0;
		}
		return icmp_payload_tag2(c, pf);
	}
	if (proto == XHOP_IPPROTO_UDP) {
		struct xhop_udphdr *uh = pull(c, 8);

		if (!uh)
			return -1;
		pf->ports = ((__u32)bpf_ntohs(uh->source) << 16) | bpf_ntohs(uh->dest);
		pf->tag = bpf_ntohs(uh->check);
		if (is_v6) {
			/* IPv6 has no ID: the id rides in the payload, which
			 * ICMPv6 errors quote (RFC 4443 2.4(c))
			 */
			__u8 *id = pull(c, 2);

			if (!id)
				return -1;
			pf->probe_id = ((__u16)id[0] << 8) | id[1];
		} else {
			pf->probe_id = bpf_ntohs(ipid_be);
		}
		return 0;
	}
	if (proto == XHOP_IPPROTO_TCP) {
		/* ports and sequence number: exactly the 8 quoted bytes */
		__u32 *w = pull(c, 8);
		__u32 seq;

		if (!w)
			return -1;
		seq = bpf_ntohl(w[1]);
		pf->ports = bpf_ntohl(w[0]);
		pf->probe_id = seq >> 16;
		pf->tag = seq & 0xffff;
		return 0;
	}
	return -1;
}

/*
 * A candidate answer while it is parsed and verified: where its headers
 * lie. Its record is written from them only once the MAC says it is
 * ours, straight into the ring-buffer slot: a stranger's packet fills no
 * record, and ours is not built on the stack and copied.
 */
struct rx_reply {
	void *ip;	/* the outer IPv4 or IPv6 header */
	void *l4;	/* its ICMP/ICMPv6 or TCP header */
	void *quote;	/* the IP header of the probe an ICMP error quotes, or NULL */
	__u64 ts_ns;
	__u8 family;	/* 4 or 6 */
	__u8 kind;	/* enum xhop_event_kind */
};

/* The probe an ICMP error quotes, IPv4 */
static __always_inline int quote_decode4(struct cursor *c, struct probe_fields *pf)
{
	struct iphdr *q = pull_ipv4(c);

	if (!q)
		return -1;
	/* our probes are never fragmented; a later fragment has no ports */
	if (q->frag_off & bpf_htons(0x1fff))
		return -1;
	dst_of_v4(pf, q->daddr);
	return probe_decode_l4(c, q->protocol, 0, q->id, pf);
}

static __always_inline int quote_decode6(struct cursor *c, struct probe_fields *pf)
{
	struct ipv6hdr *q = pull(c, sizeof(*q));

	if (!q || q->version != 6)
		return -1;
	dst_of_v6(pf, &q->daddr);
	/* we send no extension headers: anything else is not our probe */
	return probe_decode_l4(c, q->nexthdr, 1, 0, pf);
}

/*
 * RFC 4950 MPLS label stack in an RFC 4884 extension structure. orig
 * points at the quoted datagram; len_bytes is its length as the RFC 4884
 * length field gives it, or 0, in which case the pre-4884 convention of a
 * fixed 128-byte quote is tried. Absent or malformed extensions are not an
 * error: the reply is still a hop, just without labels. ev->mpls[] and
 * ev->mpls_count are zero when it starts.
 */
static __always_inline void mpls_decode(void *orig, void *end, void *lim, __u32 len_bytes,
					struct xhop_event *ev)
{
	struct cursor c = { .end = end, .lim = lim };
	struct xhop_icmp_ext_hdr *eh;
	struct xhop_icmp_ext_obj *oh;
	__u32 n, i;

	if (!len_bytes)
		len_bytes = XHOP_ICMP_EXT_ORIG_LEN;
	/* ICMPv6 quotes up to the minimum MTU */
	if (len_bytes < XHOP_ICMP_EXT_ORIG_LEN || len_bytes > 1280)
		return;
	c.pos = orig + len_bytes;
	eh = pull(&c, sizeof(*eh));
	if (!eh || (eh->version_res >> 4) != XHOP_ICMP_EXT_VERSION)
		return;
	/* objects come in any order: an RFC 5837 interface object may
	 * precede the label stack; look at a few
	 */
	for (i = 0; i < XHOP_ICMP_EXT_OBJS_MAX; i++) {
		oh = pull(&c, sizeof(*oh));
		if (!oh)
			return;
		n = bpf_ntohs(oh->length);
		if (oh->class_num == XHOP_ICMP_EXT_CLASS_MPLS &&
		    oh->c_type == XHOP_ICMP_EXT_CTYPE_MPLS)
			break;
		/* skip this object's body; a length below its header is forged.
		 * The mask restates the bound for the verifier.
		 */
		if (n < sizeof(*oh) || n > 512 || !pull(&c, (n - sizeof(*oh)) & 0x1ff))
			return;
	}
	if (i == XHOP_ICMP_EXT_OBJS_MAX)
		return;
	if (n < sizeof(*oh) + 4)
		return;
	n = (n - sizeof(*oh)) / 4;
	for (i = 0; i < XHOP_MPLS_MAX; i++) {
		__u32 *lse;

		if (i >= n)
			break;
		lse = pull(&c, 4);
		if (!lse)
			break;
		ev->mpls[i] = bpf_ntohl(*lse);
		ev->mpls_count = i + 1;
		if (ev->mpls[i] & 0x100) /* bottom of stack */
			break;
	}
}

static __always_inline int event_kind_of_icmp(__u8 type, int is_v6)
{
	if (is_v6) {
		if (type == XHOP_ICMP6_TIME_EXCEED)
			return XHOP_EV_TTL;
		if (type == XHOP_ICMP6_DEST_UNREACH)
			return XHOP_EV_UNREACH;
		if (type == XHOP_ICMP6_ECHO_REPLY)
			return XHOP_EV_ECHO;
		return 0;
	}
	if (type == XHOP_ICMP_TIME_EXCEEDED)
		return XHOP_EV_TTL;
	if (type == XHOP_ICMP_DEST_UNREACH)
		return XHOP_EV_UNREACH;
	if (type == XHOP_ICMP_ECHOREPLY)
		return XHOP_EV_ECHO;
	return 0;
}

/*
 * The arrival stamp, taken as soon as the packet could be an answer (an
 * ICMP error or echo reply, a TCP SYN-ACK or RST-ACK to our port) and
 * before the quote parse and the MAC: those are xhop's own work, not the
 * path's. Reading the clock is the dearest single step of the receive
 * path (26 ns of the ~70 an answer costs, kvm-clock, bench/xdp_cost.c), so
 * the checks that let other traffic go without it come first; they cost
 * an answer nothing. The send stamp in xhop_tx is taken after its parse
 * for the same reason: the packet is still on its way out then.
 */
static __always_inline __u64 rx_stamp(void)
{
	return bpf_ktime_get_ns();
}

/* The responder, which an echo reply or a TCP answer names as the destination */
static __always_inline void dst_of_source(struct probe_fields *pf, const struct rx_reply *r)
{
	if (r->family == 6)
		dst_of_v6(pf, &((struct ipv6hdr *)r->ip)->saddr);
	else
		dst_of_v4(pf, ((struct iphdr *)r->ip)->saddr);
}

/*
 * An ICMP/ICMPv6 message after the outer IP header. Returns 0 if it may
 * answer one of our probes (r and pf filled, MAC not yet checked), -1 if
 * not.
 */
static __always_inline int icmp_decode(struct cursor *c, struct rx_reply *r,
				       struct probe_fields *pf)
{
	struct xhop_icmphdr *ih = pull(c, sizeof(*ih));
	int is_v6 = r->family == 6;

	if (!ih)
		return -1;
	r->kind = event_kind_of_icmp(ih->type, is_v6);
	if (!r->kind)
		return -1;
	r->ts_ns = rx_stamp();
	r->l4 = ih;
	if (r->kind == XHOP_EV_ECHO) {
		/* an echo reply echoes id and seq; the destination answered */
		pf->proto = is_v6 ? XHOP_IPPROTO_ICMPV6 : XHOP_IPPROTO_ICMP;
		pf->ports = 0;
		pf->tag = bpf_ntohs(ih->un.echo.id);
		pf->probe_id = bpf_ntohs(ih->un.echo.seq);
		dst_of_source(pf, r);
		return icmp_payload_tag2(c, pf);
	}
	r->quote = c->pos;
	return is_v6 ? quote_decode6(c, pf) : quote_decode4(c, pf);
}

/* A SYN-ACK or RST answering a SYN probe: it acknowledges seq + 1 */
static __always_inline int tcp_decode(struct cursor *c, struct rx_reply *r,
				      struct probe_fields *pf)
{
	struct xhop_tcphdr *th = pull(c, sizeof(*th));
	__u32 seq;

	if (!th)
		return -1;
	/* a SYN-ACK or a RST-ACK, nothing mixed in, with a sane header */
	if ((th->flags & (XHOP_TCP_SYN | XHOP_TCP_RST | XHOP_TCP_FIN | XHOP_TCP_ACK)) !=
		    (XHOP_TCP_SYN | XHOP_TCP_ACK) &&
	    (th->flags & (XHOP_TCP_SYN | XHOP_TCP_RST | XHOP_TCP_FIN | XHOP_TCP_ACK)) !=
		    (XHOP_TCP_RST | XHOP_TCP_ACK))
		return -1;
	if ((th->doff_res >> 4) < 5)
		return -1;
	/* probe_verify() checks the port again; here it spares the clock */
	if (!sport_ours(bpf_ntohs(th->dest)))
		return -1;
	r->ts_ns = rx_stamp();
	r->kind = XHOP_EV_TCP;
	r->l4 = th;
	seq = bpf_ntohl(th->ack_seq) - 1;
	pf->proto = XHOP_IPPROTO_TCP;
	/* the answer's ports are ours reversed */
	pf->ports = ((__u32)bpf_ntohs(th->dest) << 16) | bpf_ntohs(th->source);
	pf->probe_id = seq >> 16;
	pf->tag = seq & 0xffff;
	dst_of_source(pf, r);
	return 0;
}

/* 0 if ours (r and pf filled, MAC verified), 1 if not ours, -1 if malformed */
static __always_inline int reply_decode(struct cursor *c, struct rx_reply *r,
					struct probe_fields *pf)
{
	__u16 eth_proto = pull_l2(c, l3_only);
	int l4, err;

	if (eth_proto == bpf_htons(XHOP_ETH_P_IP)) {
		struct iphdr *iph = pull_ipv4(c);

		if (!iph)
			return -1;
		if (iph->frag_off & bpf_htons(0x3fff)) /* MF or offset: not whole */
			return 1;
		if (limit_to(c, iph, bpf_ntohs(iph->tot_len)))
			return -1;
		r->ip = iph;
		r->family = 4;
		l4 = iph->protocol;
	} else if (eth_proto == bpf_htons(XHOP_ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = NULL;

		ip6 = c->pos;
		if ((void *)(ip6 + 1) <= c->end &&
		    limit_to(c, ip6, bpf_ntohs(ip6->payload_len) + sizeof(*ip6)))
			return -1;
		l4 = pull_ipv6(c, &ip6);
		if (l4 < 0 || !ip6)
			return 1;
		r->ip = ip6;
		r->family = 6;
	} else {
		return 1;
	}

	if ((r->family == 4 && l4 == XHOP_IPPROTO_ICMP) ||
	    (r->family == 6 && l4 == XHOP_IPPROTO_ICMPV6))
		err = icmp_decode(c, r, pf);
	else if (l4 == XHOP_IPPROTO_TCP)
		err = tcp_decode(c, r, pf);
	else
		return 1;
	if (err)
		return 1;
	if (probe_verify(pf))
		return 1;
	return 0;
}

/*
 * An answer's record, written in its ring-buffer slot. A reserved slot
 * holds whatever an earlier record left there, so every byte is written:
 * the label stack and the 16 bytes of small fields from reply_ipid on
 * are zeroed as whole words first (tests/bpf/test_rx.c
 * test_ring_reuse()).
 */
_Static_assert(__builtin_offsetof(struct xhop_event, mpls) % 8 == 0 &&
		       __builtin_offsetof(struct xhop_event, reply_ipid) == XHOP_EVENT_SIZE - 16,
	       "event_fill() zeroes mpls[] and the small fields as 8-byte words");

static __always_inline void event_fill(struct xhop_event *ev, const struct cursor *c,
				       const struct rx_reply *r, const struct probe_fields *pf,
				       __u32 ifindex)
{
	struct xhop_icmphdr *ih = r->l4;
	__u64 *small = (__u64 *)&ev->reply_ipid;
	__u64 *mpls = (__u64 *)ev->mpls;
	__u32 ext_len;

	ev->ts_ns = r->ts_ns;
	dst_to_event(ev, pf);
	mpls[0] = 0;
	mpls[1] = 0;
	ev->ifindex = ifindex;
	ev->probe_id = pf->probe_id;
	small[0] = 0;
	small[1] = 0;
	ev->kind = r->kind;
	ev->family = r->family;
	ev->proto = pf->proto;
	if (r->family == 4) {
		struct iphdr *iph = r->ip;

		addr_from_v4(ev->from, iph->saddr);
		ev->ip_len = bpf_ntohs(iph->tot_len);
		ev->reply_ipid = bpf_ntohs(iph->id);
		ev->reply_ttl = iph->ttl;
		ev->reply_tos = iph->tos;
	} else {
		struct ipv6hdr *ip6 = r->ip;

		addr_from_v6(ev->from, &ip6->saddr);
		ev->ip_len = bpf_ntohs(ip6->payload_len) + sizeof(*ip6);
		ev->reply_ttl = ip6->hop_limit;
		ev->reply_tos = (ip6->priority << 4) | (ip6->flow_lbl[0] >> 4);
	}
	if (r->kind == XHOP_EV_TCP) {
		ev->tcp_flags = ((struct xhop_tcphdr *)r->l4)->flags;
		return;
	}
	ev->icmp_type = ih->type;
	ev->icmp_code = ih->code;
	if (!r->quote) /* an echo reply quotes nothing */
		return;
	if (r->family == 4) {
		struct iphdr *q = r->quote;

		ev->q_ttl = q->ttl;
		ev->q_tos = q->tos;
		ev->q_ipl = bpf_ntohs(q->tot_len);
		ext_len = (__u32)ih->un.err.b5 * 4;
	} else {
		struct ipv6hdr *q = r->quote;

		ev->q_ttl = q->hop_limit;
		ev->q_tos = (q->priority << 4) | (q->flow_lbl[0] >> 4);
		ev->q_ipl = bpf_ntohs(q->payload_len) + sizeof(*q);
		ext_len = (__u32)ih->un.err.b4 * 8;
	}
	mpls_decode(r->quote, c->end, c->lim, ext_len, ev);
}

enum rx_verdict {
	RX_PASS = 0,	 /* not ours (or not recordable): to the kernel, untouched */
	RX_DROP,	 /* ours, recorded: consumed */
	RX_RECORD_PASS,	 /* ours, recorded, and the kernel must see it too */
};

/*
 * The receive path proper, shared by the XDP program and its tcx ingress
 * twin: whether the packet answered our probe, and what becomes of it.
 */
static __always_inline int rx_handle(struct cursor *c, __u32 ifindex)
{
	struct rx_reply r = {};
	struct probe_fields pf;
	struct xhop_event *ev;
	int ret;

	count(XHOP_STAT_RX_SEEN);
	ret = reply_decode(c, &r, &pf);
	if (ret) {
		count(ret < 0 ? XHOP_STAT_RX_MALFORMED : XHOP_STAT_RX_FOREIGN);
		return RX_PASS;
	}
	ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
	if (!ev) {
		/* never drop what userspace cannot see */
		count(XHOP_STAT_RX_RB_FULL);
		return RX_PASS;
	}
	event_fill(ev, c, &r, &pf, ifindex);
	bpf_ringbuf_submit(ev, rx_no_wakeup ? BPF_RB_NO_WAKEUP : 0);
	count(XHOP_STAT_RX_OURS);
	/*
	 * A SYN-ACK leaves the target with a half-open connection on the
	 * probe's 4-tuple, which every later probe of this Paris flow reuses:
	 * the target would answer them with a bare ACK for the old one. Our
	 * stack, which has no such socket, resets it at once.
	 */
	if (r.kind == XHOP_EV_TCP && (((struct xhop_tcphdr *)r.l4)->flags & XHOP_TCP_SYN))
		return RX_RECORD_PASS;
	return RX_DROP;
}

SEC("xdp")
int xhop_rx(struct xdp_md *ctx)
{
	struct cursor c = {
		.pos = (void *)(long)ctx->data,
		.end = (void *)(long)ctx->data_end,
		.lim = (void *)(long)ctx->data_end,
	};

	/*
	 * gen_send()'s test runs (no ctx) come in on the namespace's loopback,
	 * ifindex 1, where xhop never receives (gen_open() refuses anything
	 * but Ethernet), and only while a batch is armed or gen_open() tries
	 * whether live frames run (no items: gen_frame() drops the frame)
	 */
	if (ctx->ingress_ifindex == 1 && (gen.next < gen.count || gen.trial))
		return gen_frame(ctx);
	return rx_handle(&c, ctx->ingress_ifindex) == RX_DROP ? XDP_DROP : XDP_PASS;
}

/*
 * The same receiver at tcx ingress, for an interface whose XDP hook
 * another program holds: it sees what that program passes, and tcx keeps
 * any number of programs in a chain, each with its own link. Later than
 * XDP (after the skb is built), so its stamps carry more of the stack.
 */
SEC("tc")
int xhop_rx_tc(struct __sk_buff *skb)
{
	struct cursor c;

	/* replies are small: make the whole of one linear if it is not */
	if (skb->data_end - skb->data < skb->len && bpf_skb_pull_data(skb, skb->len))
		return TC_ACT_UNSPEC;
	c.pos = (void *)(long)skb->data;
	c.end = (void *)(long)skb->data_end;
	c.lim = c.end;
	return rx_handle(&c, skb->ifindex) == RX_DROP ? TC_ACT_SHOT : TC_ACT_UNSPEC;
}

/* A send stamp, built on the stack as the parse goes, copied into the ring */
static __always_inline int emit(void *ring, struct xhop_event *ev, __u64 flags)
{
	struct xhop_event *slot = bpf_ringbuf_reserve(ring, sizeof(*slot), 0);

	if (!slot)
		return -1;
	__builtin_memcpy(slot, ev, sizeof(*slot));
	bpf_ringbuf_submit(slot, flags);
	return 0;
}

/* 0 if the outgoing packet is one of our probes (ev filled) */
static __always_inline int probe_decode_tx(struct cursor *c, struct xhop_event *ev)
{
	struct probe_fields pf = {};
	__u16 eth_proto = pull_l2(c, l3_only);
	struct xhop_tcphdr *th;

	if (eth_proto == bpf_htons(XHOP_ETH_P_IP)) {
		struct iphdr *iph = pull_ipv4(c);

		if (!iph || (iph->frag_off & bpf_htons(0x3fff)))
			return -1;
		ev->family = 4;
		ev->q_ttl = iph->ttl;
		ev->q_tos = iph->tos;
		ev->ip_len = bpf_ntohs(iph->tot_len);
		addr_from_v4(ev->from, iph->saddr);
		dst_of_v4(&pf, iph->daddr);
		th = c->pos;
		if (probe_decode_l4(c, iph->protocol, 0, iph->id, &pf))
			return -1;
	} else if (eth_proto == bpf_htons(XHOP_ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = pull(c, sizeof(*ip6));

		if (!ip6 || ip6->version != 6)
			return -1;
		ev->family = 6;
		ev->q_ttl = ip6->hop_limit;
		ev->q_tos = (ip6->priority << 4) | (ip6->flow_lbl[0] >> 4);
		ev->ip_len = bpf_ntohs(ip6->payload_len) + sizeof(*ip6);
		addr_from_v6(ev->from, &ip6->saddr);
		dst_of_v6(&pf, &ip6->daddr);
		th = c->pos;
		if (probe_decode_l4(c, ip6->nexthdr, 1, 0, &pf))
			return -1;
	} else {
		return -1;
	}
	/* of TCP, only SYNs are probes: resets of our own stack are not */
	if (pf.proto == XHOP_IPPROTO_TCP) {
		if ((void *)(th + 1) > c->end || th->flags != XHOP_TCP_SYN)
			return -1;
	}
	if (probe_verify(&pf))
		return -1;
	ev->kind = XHOP_EV_TX;
	ev->proto = pf.proto;
	ev->probe_id = pf.probe_id;
	dst_to_event(ev, &pf);
	return 0;
}

SEC("tc")
int xhop_tx(struct __sk_buff *skb)
{
	struct cursor c = {
		.pos = (void *)(long)skb->data,
		.end = (void *)(long)skb->data_end,
		.lim = (void *)(long)skb->data_end,
	};
	struct xhop_event ev = {};

	if (probe_decode_tx(&c, &ev))
		return TC_ACT_UNSPEC; /* tcx: next program, else pass */
	ev.ts_ns = bpf_ktime_get_ns();
	ev.ifindex = skb->ifindex;
	count(XHOP_STAT_TX_PROBES);
	if (emit(&tx_events, &ev, BPF_RB_NO_WAKEUP))
		count(XHOP_STAT_TX_RB_FULL);
	return TC_ACT_UNSPEC;
}
