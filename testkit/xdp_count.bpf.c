// SPDX-License-Identifier: GPL-2.0
/*
 * The far end of a send benchmark or test: counts the probes that arrive
 * on a veth (and their first/last arrival times when asked), then drops
 * them (benchmarks) or passes them to the stack (tests, for a capture).
 * Counters are .bss arrays indexed by CPU: no map lookup per packet.
 * Other traffic (ARP, neighbour discovery, MLD) is passed and not counted.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define XC_CPUS 64

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 verdict = XDP_DROP;
/* count only this IP protocol (ICMP: 1 for both families, answers too); 0: any probe */
const volatile __u8 only_proto = 0;

__u64 cnt[XC_CPUS];
__u64 first_ns[XC_CPUS]; /* 0 until userspace asks (stamp) and a probe comes */
__u64 last_ns[XC_CPUS];
__u32 stamp;

static __always_inline int is_probe(void *data, void *end)
{
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > end)
		return 0;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > end)
			return 0;
		if (only_proto)
			return ip->protocol == only_proto;
		return ip->protocol == 1 || ip->protocol == 6 || ip->protocol == 17;
	}
	if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);
		__u8 *type = (void *)(ip6 + 1);

		if ((void *)(type + 1) > end)
			return 0;
		if (ip6->nexthdr == 6 || ip6->nexthdr == 17)
			return !only_proto || ip6->nexthdr == only_proto;
		/* echo request, and with only_proto ICMP also the answers (errors,
		 * echo reply: flood's simulator answers), never ND or MLD
		 */
		if (ip6->nexthdr != 58 || (only_proto && only_proto != 1))
			return 0;
		return *type == 128 || (only_proto && (*type <= 4 || *type == 129));
	}
	return 0;
}

SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
	__u32 c = bpf_get_smp_processor_id() & (XC_CPUS - 1);

	if (!is_probe((void *)(long)ctx->data, (void *)(long)ctx->data_end))
		return XDP_PASS;
	cnt[c]++;
	if (stamp) {
		__u64 now = bpf_ktime_get_ns();

		if (!first_ns[c])
			first_ns[c] = now;
		last_ns[c] = now;
	}
	return verdict;
}
