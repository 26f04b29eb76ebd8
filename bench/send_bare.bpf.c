// SPDX-License-Identifier: GPL-2.0
/*
 * The bare live-frames sender of the send benchmark: the least an
 * in-kernel sender of one template ICMP echo can do per frame. From a
 * counter it rewrites TTL, IPv4 ID and ICMP sequence, updates both
 * checksums incrementally (RFC 1624) and redirects. The yardstick that
 * xhop's generator (bpf/xhop_gen.bpf.c) is measured against.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 out_ifindex = 0;
/* every frame with this TTL (bench/te_flood.c); 0: 1..32 from the counter */
const volatile __u8 fixed_ttl = 0;
__u32 seq;

static __always_inline __u16 csum_replace(__u16 check, __u16 old, __u16 new)
{
	__u32 s = (__u16)~check + (__u16)~old + (__u32)new;

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return ~s;
}

SEC("xdp")
int bare_send(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data + ETH_HLEN;
	__u16 *icmp = (void *)(ip + 1), n = ++seq, old, new;

	if ((void *)(icmp + 4) > end)
		return XDP_DROP;
	/* TTL and protocol share a word */
	old = *(__u16 *)&ip->ttl;
	ip->ttl = fixed_ttl ? fixed_ttl : 1 + (n & 31);
	new = *(__u16 *)&ip->ttl;
	ip->check = csum_replace(ip->check, old, new);
	old = ip->id;
	ip->id = bpf_htons(n);
	ip->check = csum_replace(ip->check, old, ip->id);
	old = icmp[3];
	icmp[3] = bpf_htons(n);
	icmp[1] = csum_replace(icmp[1], old, icmp[3]);
	return bpf_redirect(out_ifindex, 0);
}
