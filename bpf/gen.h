/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The probe generator's per-frame work, shared by the standalone program
 * (bpf/xhop_gen.bpf.c) and by xhop_rx (bpf/xhop.bpf.c), which runs it for
 * its own test runs: see there why. The including object defines the
 * run's key as key0/key1.
 *
 * Frame i of a bpf_prog_test_run_opts(BPF_F_TEST_XDP_LIVE_FRAMES) call on
 * the template (Ethernet + probe_build()'s probe) becomes the probe of
 * work item i: destination, TTL, probe id, MAC and every checksum, then
 * bpf_redirect(). Live frames come from a page pool whose pages hold the
 * template only when the pool first hands them out; a recycled page holds
 * what the previous frame wrote. So every variable field is written every
 * time, and the constant ones are never touched.
 *
 * Checksums: one's complement sums in the raw domain of xhop_gen.h; the
 * constant part comes summed from userspace, the program adds the 16-bit
 * words it writes, as they lie in the packet.
 */
#ifndef XHOP_BPF_GEN_H
#define XHOP_BPF_GEN_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "xhop_gen.h"
#include "xhop_probe.h"
#include "xhop_proto.h"

struct xhop_gen_state gen;

static __always_inline __u32 gen_fold(__u32 s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return s;
}

/* raw-domain sum of a 32-bit word as it lies in the packet */
static __always_inline __u32 gen_sum32(__u32 w)
{
	return (w & 0xffff) + (w >> 16);
}

static __always_inline int gen_frame(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 i = gen.next, mac, l4sum, w3;
	__u8 method = gen.conf.method;
	struct xhop_gen_item *it;
	__u64 now;
	void *l4;

	if (i >= gen.count || i >= XHOP_GEN_ITEMS_MAX)
		return XDP_DROP; /* more frames than items: a caller's bug */
	gen.next = i + 1;
	gen.generated++;
	it = &gen.items[i];
	if (gen.conf.mac_in_bpf) {
		struct xhop_key key = { .k0 = key0, .k1 = key1 };

		mac = xhop_probe_mac(&key, it->dst, gen.conf.proto, gen.conf.ports, it->probe_id);
	} else {
		mac = it->mac;
	}
	w3 = *(__u32 *)&it->dst[12];
	l4sum = gen.conf.csum_l4;

	if (gen.conf.family == 4) {
		struct iphdr *ip = data + ETH_HLEN;
		__u16 ipid = method == 0 ? xhop_ipid_of(mac & 0xffff) : it->probe_id;

		if ((void *)(ip + 1) > end)
			return XDP_DROP;
		ip->ttl = it->ttl;
		ip->id = bpf_htons(ipid);
		ip->daddr = w3;
		/* the TTL byte lies at an even offset: the low byte of its word */
		ip->check = ~gen_fold(gen.conf.csum_ip + it->ttl + bpf_htons(ipid) + gen_sum32(w3));
		l4 = ip + 1;
		if (method != 0) /* ICMP has no pseudo-header */
			l4sum += gen_sum32(w3);
	} else {
		struct ipv6hdr *ip6 = data + ETH_HLEN;
		__u32 *d = (__u32 *)&ip6->daddr, w0, w1, w2;

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
		l4sum += gen_sum32(w0) + gen_sum32(w1) + gen_sum32(w2) + gen_sum32(w3);
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
		pl[XHOP_UDP_PAYLOAD_FIX_OFF / 2] = ~gen_fold(l4sum + check + id);
	} else if (method == 2) { /* TCP SYN: seq = id << 16 | MAC */
		struct xhop_tcphdr *th = l4;
		__u32 seq = bpf_htonl(xhop_tcp_seq(it->probe_id, mac & 0xffff));

		if ((void *)(th + 1) > end)
			return XDP_DROP;
		th->seq = seq;
		th->check = ~gen_fold(l4sum + gen_sum32(seq));
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
		pl[XHOP_ICMP_PAYLOAD_FIX_OFF / 2] = ~gen_fold(l4sum + hi + seq + lo);
	}

	now = bpf_ktime_get_ns();
	if (i == 0)
		gen.first_ns = now;
	gen.last_ns = now;
	/* a call of repeat > 256 runs kernel batches of 256, each flushed
	 * after its last frame
	 */
	gen.batch_ns[(i / XHOP_GEN_BATCH_MAX) & (XHOP_GEN_BATCHES - 1)] = now;
	gen.redirected++;
	gen.pending++;
	return bpf_redirect(gen.conf.out_ifindex, 0);
}

/*
 * TP_PROTO(const struct net_device *from_dev, const struct net_device *to_dev,
 *          int sent, int drops, int err): one call per bulk handed to the
 * driver. A full veth ring, a veth peer without XDP or GRO, a device gone
 * down: all drop redirected frames while the test run returns success.
 * The tracepoint is global: only hand-overs made in our sender's thread
 * while our frames are pending are ours (the flush runs inside the test
 * run, in that thread, with bottom halves off).
 */
SEC("raw_tp/xdp_devmap_xmit")
int xhop_gen_xmit(struct bpf_raw_tracepoint_args *ctx)
{
	__s64 sent = (int)ctx->args[2], drops = (int)ctx->args[3];

	if (!gen.sender_tid || (__u32)bpf_get_current_pid_tgid() != gen.sender_tid ||
	    gen.pending <= 0)
		return 0;
	if (sent < 0 || drops < 0)
		return 0;
	gen.sent += sent;
	gen.xmit_drops += drops;
	gen.pending -= sent + drops;
	gen.flush_ns = bpf_ktime_get_ns();
	return 0;
}

#endif /* XHOP_BPF_GEN_H */
