// SPDX-License-Identifier: GPL-2.0
/*
 * Another tenant's XDP program for tests/e2e/test_hostile.sh: passes
 * every packet and counts them, so the test can tell it stayed attached
 * and kept working while xhop refused to replace it. Built at test time:
 *   clang -O2 -g -target bpf -I/usr/include/$(uname -m)-linux-gnu -c ...
 * and attached with "ip link set dev IF xdp obj FILE sec xdp".
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} nb_count SEC(".maps");

SEC("xdp")
int nb_pass(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 *n = bpf_map_lookup_elem(&nb_count, &k);

	if (n)
		__sync_fetch_and_add(n, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
