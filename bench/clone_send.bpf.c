// SPDX-License-Identifier: GPL-2.0
/*
 * An in-kernel probe generator on tc egress (bench/clone_rate.c measures
 * it): userspace fills probes[] (whole IPv4 packets, as xhop builds them)
 * or rw[] (the fields that differ per probe), then sends ONE trigger
 * frame through an AF_PACKET socket. On tcx egress this program sees the
 * trigger, and for each probe of the trigger's range rewrites the
 * trigger's own packet into that probe and bpf_clone_redirect()s a copy
 * to the same device's egress. A copy passes this egress hook once more
 * (it is marked: the program lets it go on to the next program of the
 * chain, e.g. xhop's stamper); the trigger itself is dropped.
 *
 * Two ways to turn the trigger into probe k:
 *   COPY     one bpf_skb_store_bytes() of probe k's 60-byte IP packet
 *   REWRITE  IP daddr, IP ID, TTL and ICMP sequence, each stored with
 *            bpf_skb_store_bytes() and its checksum fixed with
 *            bpf_l3_csum_replace()/bpf_l4_csum_replace()
 *
 * Also, for clone_rate's checks: an XDP program for the far end that
 * keeps the first VERIFY_MAX frames it sees (and passes them, so a
 * tcpdump there sees them too), and a CHAIN trigger whose copies clone
 * themselves again, to find the depth at which the kernel stops nesting.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "clone_send.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 out_ifindex = 0;

/* what userspace fills */
__u8 probes[CL_PROBES][CL_SLOT];
struct cl_rw rw[CL_PROBES];

/* per CPU: no atomics, userspace sums */
__u64 st_trig[CL_CPUS];	    /* triggers seen */
__u64 st_ok[CL_CPUS];	    /* copies the device took (clone_redirect 0) */
__u64 st_full[CL_CPUS];	    /* copies the device dropped (clone_redirect > 0: NET_XMIT_DROP) */
__u64 st_err[CL_CPUS];	    /* helper errors (store, csum, clone < 0) */
__u64 st_pass[CL_CPUS];	    /* marked copies seen again at this hook */
__u32 last_done[CL_CPUS];   /* copies the device took from the last trigger on this CPU */
__s64 last_err[CL_CPUS];    /* the last helper error */
__u32 chain_depth[CL_CPUS]; /* CHAIN: deepest copy seen at the hook */
__s64 chain_ret[CL_CPUS][16]; /* CHAIN: what the clone made at each depth returned */

/*
 * the far end's checker: per CPU (two halves, no atomics: clang 14's BPF
 * target has no fetch-and-add that returns), the first VERIFY_MAX / 2
 * frames, and how many came
 */
__u8 seen[CL_VERIFY_MAX][CL_SLOT_SEEN];
__u32 seen_len[CL_VERIFY_MAX];
__u32 nseen[2];
__u32 verify_verdict = XDP_PASS;

struct lctx {
	struct __sk_buff *skb;
	__u32 start, flags, cpu;
	__u32 ok, full;
	/* REWRITE: what the packet holds now */
	struct cl_rw cur;
};

#define IP_OFF ETH_HLEN
#define IP_CSUM (IP_OFF + offsetof(struct iphdr, check))
#define IP_ID (IP_OFF + offsetof(struct iphdr, id))
#define IP_TTL (IP_OFF + offsetof(struct iphdr, ttl))
#define IP_DADDR (IP_OFF + offsetof(struct iphdr, daddr))
#define ICMP_OFF (IP_OFF + 20)
#define ICMP_CSUM (ICMP_OFF + 2)
#define ICMP_SEQ (ICMP_OFF + 6)

static __always_inline long rewrite(struct __sk_buff *skb, struct cl_rw *cur, const struct cl_rw *n)
{
	/* TTL shares a 16-bit word with the protocol: replace the word */
	__be16 ow = bpf_htons((__u16)cur->ttl << 8 | 1 /* ICMP */);
	__be16 nw = bpf_htons((__u16)n->ttl << 8 | 1 /* ICMP */);
	long r;

	r = bpf_l3_csum_replace(skb, IP_CSUM, cur->daddr, n->daddr, 4);
	r = r ?: bpf_skb_store_bytes(skb, IP_DADDR, &n->daddr, 4, 0);
	r = r ?: bpf_l3_csum_replace(skb, IP_CSUM, cur->id, n->id, 2);
	r = r ?: bpf_skb_store_bytes(skb, IP_ID, &n->id, 2, 0);
	r = r ?: bpf_l3_csum_replace(skb, IP_CSUM, ow, nw, 2);
	r = r ?: bpf_skb_store_bytes(skb, IP_TTL, &n->ttl, 1, 0);
	/* ICMP has no pseudo-header: only the sequence touches its checksum */
	r = r ?: bpf_l4_csum_replace(skb, ICMP_CSUM, cur->seq, n->seq, 2);
	r = r ?: bpf_skb_store_bytes(skb, ICMP_SEQ, &n->seq, 2, 0);
	if (!r)
		*cur = *n;
	return r;
}

static long gen_one(__u32 i, void *data)
{
	struct lctx *c = data;
	struct __sk_buff *skb = c->skb;
	__u32 k = c->start + i, cpu = c->cpu & (CL_CPUS - 1);
	long r;

	if (k >= CL_PROBES)
		return 1;
	/* clang 14 checks a copy of k and indexes with another: bound k itself */
	asm volatile("%[k] &= %[m]" : [k] "+r"(k) : [m] "i"(CL_PROBES - 1));
	if (c->flags & CL_REWRITE)
		r = rewrite(skb, &c->cur, &rw[k]);
	else
		r = bpf_skb_store_bytes(skb, IP_OFF, probes[k], CL_L3_LEN, 0);
	if (r) {
		st_err[cpu]++;
		last_err[cpu] = r;
		return 1;
	}
	/*
	 * A copy has no socket: the device's queue is picked by its flow
	 * hash, which the flow dissector works out per copy unless one is
	 * set. (Set so, below 2^31, every copy takes queue 0 of a two-queue
	 * device: reciprocal_scale(). Unset, they spread over both.)
	 */
	if (c->flags & CL_HASH)
		bpf_set_hash(skb, k + 1);
	r = bpf_clone_redirect(skb, out_ifindex, 0);
	if (!r) {
		c->ok++;
		return 0;
	}
	if (r > 0) {
		c->full++; /* the device dropped it: its queue is full */
		return c->flags & CL_STOP_FULL ? 1 : 0;
	}
	st_err[cpu]++;
	last_err[cpu] = r;
	return 1;
}

SEC("tc")
int clone_gen(struct __sk_buff *skb)
{
	__u32 cpu = bpf_get_smp_processor_id() & (CL_CPUS - 1);
	struct cl_trigger t;
	struct lctx c = {};
	__u8 proto;
	__u16 eth;

	if ((skb->mark & CL_MARK_MASK) == CL_MARK) {
		st_pass[cpu]++;
		if (skb->mark & CL_CHAIN) {
			/* a copy that copies itself again: one level deeper */
			__u32 depth = (skb->mark & CL_DEPTH_MASK) + 1;
			long r;

			if (depth > chain_depth[cpu])
				chain_depth[cpu] = depth;
			if (depth >= CL_DEPTH_MASK)
				return TC_ACT_SHOT;
			skb->mark = CL_MARK | CL_CHAIN | depth;
			r = bpf_clone_redirect(skb, out_ifindex, 0);
			chain_ret[cpu][depth & 15] = r;
			return TC_ACT_SHOT;
		}
		/* tcx: on to the next program (xhop's stamper), else pass */
		return TC_ACT_UNSPEC;
	}
	if (skb->len != CL_FRAME_LEN ||
	    bpf_skb_load_bytes(skb, offsetof(struct ethhdr, h_proto), &eth, 2) ||
	    eth != bpf_htons(ETH_P_IP) ||
	    bpf_skb_load_bytes(skb, IP_OFF + offsetof(struct iphdr, protocol), &proto, 1) ||
	    proto != CL_TRIGGER_PROTO || bpf_skb_load_bytes(skb, ICMP_OFF, &t, sizeof(t)) ||
	    t.magic != bpf_htonl(CL_MAGIC))
		return TC_ACT_UNSPEC;
	st_trig[cpu]++;
	if (t.flags & CL_CHAIN) {
		skb->mark = CL_MARK | CL_CHAIN;
		chain_ret[cpu][0] = bpf_clone_redirect(skb, out_ifindex, 0);
		return TC_ACT_SHOT;
	}
	c.skb = skb;
	c.start = t.start;
	c.flags = t.flags;
	c.cpu = cpu;
	if (t.start >= CL_PROBES)
		return TC_ACT_SHOT;
	if (t.flags & CL_REWRITE) {
		/* the base: probe 0's packet, then each probe's fields into it */
		if (bpf_skb_store_bytes(skb, IP_OFF, probes[0], CL_L3_LEN, 0))
			return TC_ACT_SHOT;
		c.cur = rw[0];
	}
	skb->mark = CL_MARK;
	bpf_loop(t.count, gen_one, &c, 0);
	st_ok[cpu] += c.ok;
	st_full[cpu] += c.full;
	last_done[cpu] = c.ok;
	/*
	 * The trigger is not a probe: dropped. Not TC_ACT_STOLEN: tcx knows
	 * only NEXT, PASS, DROP and REDIRECT, and takes any other code for
	 * NEXT, so a "stolen" trigger leaves as one more copy of the last
	 * probe. Dropped, its sendto() says ENOBUFS (NET_XMIT_DROP).
	 */
	return TC_ACT_SHOT;
}

/* The far end's checker: keep what came, pass it on */
SEC("xdp")
int xdp_keep(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u32 half = bpf_get_smp_processor_id() & 1, i, len;

	if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	i = nseen[half]++;
	if (i >= CL_VERIFY_MAX / 2)
		return verify_verdict;
	i += half * (CL_VERIFY_MAX / 2);
	len = (__u32)(end - data);
	seen_len[i] = len;
	if (len > CL_SLOT_SEEN)
		len = CL_SLOT_SEEN;
	if (len >= CL_FRAME_LEN)
		bpf_xdp_load_bytes(ctx, 0, seen[i], CL_FRAME_LEN);
	return verify_verdict;
}
