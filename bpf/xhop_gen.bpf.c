// SPDX-License-Identifier: GPL-2.0
/*
 * xhop's in-kernel probe generator (xhop scan).
 *
 *   xhop_gen (XDP)  run by userspace through bpf_prog_test_run_opts with
 *                   BPF_F_TEST_XDP_LIVE_FRAMES on one template frame
 *                   (Ethernet + probe_build()'s probe). Frame i of a call
 *                   becomes the probe of work item i: destination, TTL,
 *                   probe id, MAC, every checksum; then bpf_redirect().
 *   xhop_gen_xmit (raw_tp xdp_devmap_xmit)
 *                   counts what the driver really took: a full veth ring,
 *                   a veth peer without XDP or GRO, a device that went
 *                   down all drop redirected frames while the test run
 *                   still returns success.
 *
 * Its own object, apart from bpf/xhop.bpf.c: it is loaded per sender with
 * that sender's template constants in .rodata (family, method, ports,
 * checksum constants; the verifier prunes the other branches), never
 * attached to any hook, and a scan can run several senders (one per
 * queue/thread), each with its own work items and counters, next to the
 * one receiver.
 *
 * Live frames come from a page pool whose pages are initialised from the
 * template only when the pool first hands them out; a recycled page holds
 * what the previous frame wrote. So every variable field is written every
 * time, and the constant ones are never touched.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "xhop_gen.h"
#include "xhop_probe.h"
#include "xhop_proto.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by gen_open() before load */
const volatile __u64 key0 = 0;
const volatile __u64 key1 = 0;
const volatile __u32 out_ifindex = 0;
/* raw-domain sums (xhop_gen.h) of everything the program does not write */
const volatile __u32 csum_ip = 0; /* IPv4 header, pseudo fields excluded */
const volatile __u32 csum_l4 = 0; /* L4 header + payload + pseudo-header without dst */
const volatile __u32 ports = 0;	  /* sport << 16 | dport, host order (MAC input) */
const volatile __u8 family = 4;
const volatile __u8 method = 0;	  /* enum probe_method */
const volatile __u8 proto = 0;
const volatile __u8 mac_in_bpf = 0; /* 1: SipHash here, 0: items carry it */

/* Work items and the cursor: written by userspace through the mmapped .bss */
struct xhop_gen_item items[XHOP_GEN_BATCH_MAX];
__u32 gen_next;	 /* next item; reset to 0 before each call */
__u32 gen_count; /* items of this call */
/*
 * Kernel time of the first and of the last frame of the call. Frames go to
 * the driver in bulks of 16 (the devmap queue) and the doorbell (veth: the
 * peer's NAPI kick) comes at the flush after the last frame, so last_ns is
 * the time just before the batch was handed over for good.
 */
__u64 first_ns;
__u64 last_ns;
__u64 n_generated;  /* frames the program ran on */
__u64 n_redirected; /* of them, redirected (all but malformed calls) */
/* driver hand-overs seen by the tracepoint, for this sender's thread */
__u32 sender_tid;   /* gettid() of the thread in bpf_prog_test_run */
__s64 n_pending;    /* redirected, not yet seen by the tracepoint */
__u64 n_sent;	    /* taken by the driver's ndo_xdp_xmit */
__u64 n_xmit_drops; /* refused by it (ring full, peer unready) */
__u64 flush_ns;	    /* after the driver took the last bulk */

static __always_inline __u32 fold(__u32 s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return s;
}

/* raw-domain sum of a 32-bit word as it lies in the packet */
static __always_inline __u32 sum32(__u32 w)
{
	return (w & 0xffff) + (w >> 16);
}

SEC("xdp")
int xhop_gen(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct xhop_gen_item *it;
	__u32 i = gen_next, mac, l4sum, w0, w1, w2, w3;
	__u64 now;
	void *l4;

	if (i >= gen_count || i >= XHOP_GEN_BATCH_MAX)
		return XDP_DROP; /* more frames than items: a caller's bug */
	gen_next = i + 1;
	n_generated++;
	it = &items[i];
	if (mac_in_bpf) {
		struct xhop_key key = { .k0 = key0, .k1 = key1 };

		mac = xhop_probe_mac(&key, it->dst, proto, ports, it->probe_id);
	} else {
		mac = it->mac;
	}
	w3 = *(__u32 *)&it->dst[12];
	l4sum = csum_l4;

	if (family == 4) {
		struct iphdr *ip = data + ETH_HLEN;
		__u16 ipid = method == 0 ? xhop_ipid_of(mac & 0xffff) : it->probe_id;
		__u32 s;

		if ((void *)(ip + 1) > end)
			return XDP_DROP;
		ip->ttl = it->ttl;
		ip->id = bpf_htons(ipid);
		ip->daddr = w3;
		/* the ttl byte lies at an even offset: the low byte of its word */
		s = csum_ip + it->ttl + bpf_htons(ipid) + sum32(w3);
		ip->check = ~fold(s);
		l4 = ip + 1;
		if (method != 0) /* ICMP has no pseudo-header */
			l4sum += sum32(w3);
	} else {
		struct ipv6hdr *ip6 = data + ETH_HLEN;
		__u32 *d = (__u32 *)&ip6->daddr;

		if ((void *)(ip6 + 1) > end)
			return XDP_DROP;
		w0 = *(__u32 *)&it->dst[0];
		w1 = *(__u32 *)&it->dst[4];
		w2 = *(__u32 *)&it->dst[8];
		ip6->hop_limit = it->ttl;
		d[0] = w0;
		d[1] = w1;
		d[2] = w2;
		d[3] = w3;
		l4sum += sum32(w0) + sum32(w1) + sum32(w2) + sum32(w3);
		l4 = ip6 + 1;
	}

	if (method == 1) { /* UDP: checksum = MAC, id and fix in the payload */
		struct xhop_udphdr *uh = l4;
		__u16 *pl = (__u16 *)(uh + 1);
		__u16 check = bpf_htons(xhop_udp_check_of(mac & 0xffff));
		__u16 id = bpf_htons(it->probe_id);

		if ((void *)(pl + 2) > end)
			return XDP_DROP;
		uh->check = check;
		pl[XHOP_UDP_PAYLOAD_ID_OFF / 2] = id;
		pl[XHOP_UDP_PAYLOAD_FIX_OFF / 2] = ~fold(l4sum + check + id);
	} else if (method == 2) { /* TCP SYN: seq = id << 16 | MAC */
		struct xhop_tcphdr *th = l4;
		__u32 seq = bpf_htonl(xhop_tcp_seq(it->probe_id, mac & 0xffff));

		if ((void *)(th + 1) > end)
			return XDP_DROP;
		th->seq = seq;
		th->check = ~fold(l4sum + sum32(seq));
	} else { /* ICMP echo: id = MAC high, seq = probe id, MAC low in the payload */
		struct xhop_icmphdr *ih = l4;
		__u16 *pl = (__u16 *)(ih + 1);
		__u16 hi = bpf_htons(mac >> 16), seq = bpf_htons(it->probe_id);
		__u16 lo = bpf_htons(mac & 0xffff);

		if ((void *)(pl + 2) > end)
			return XDP_DROP;
		ih->un.echo.id = hi;
		ih->un.echo.seq = seq;
		pl[XHOP_ICMP_PAYLOAD_MAC_OFF / 2] = lo;
		/* the checksum field keeps the flow's constant (Paris):
		 * these two bytes absorb what changed
		 */
		pl[XHOP_ICMP_PAYLOAD_FIX_OFF / 2] = ~fold(l4sum + hi + seq + lo);
	}

	now = bpf_ktime_get_ns();
	if (i == 0)
		first_ns = now;
	last_ns = now;
	n_redirected++;
	n_pending++;
	return bpf_redirect(out_ifindex, 0);
}

/*
 * TP_PROTO(const struct net_device *from_dev, const struct net_device *to_dev,
 *          int sent, int drops, int err): one call per bulk handed to the
 * driver. The tracepoint is global: only hand-overs made in our sender's
 * thread while our frames are pending are ours (the flush runs inside the
 * test run, in that thread, with bottom halves off).
 */
SEC("raw_tp/xdp_devmap_xmit")
int xhop_gen_xmit(struct bpf_raw_tracepoint_args *ctx)
{
	__s64 sent = (int)ctx->args[2], drops = (int)ctx->args[3];

	if (!sender_tid || (__u32)bpf_get_current_pid_tgid() != sender_tid || n_pending <= 0)
		return 0;
	if (sent < 0 || drops < 0)
		return 0;
	n_sent += sent;
	n_xmit_drops += drops;
	n_pending -= sent + drops;
	flush_ns = bpf_ktime_get_ns();
	return 0;
}
