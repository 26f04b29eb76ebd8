// SPDX-License-Identifier: GPL-2.0
/*
 * The floors that bench/xdp_cost.c sets xhop_rx against, each measured
 * like it (bpf_prog_test_run_opts with repeat): a program that does
 * nothing, one that only reads the clock as xhop_rx stamps an answer, and
 * one that also writes a ring-buffer record of an answer's size. Any
 * receiver that stamps and records pays the last; what xhop_rx costs
 * above it is its parse and MAC.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "xhop_event.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22); /* as xhop's events ring */
} floor_rb SEC(".maps");

SEC("xdp")
int floor_empty(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int floor_stamp(struct xdp_md *ctx)
{
	bpf_ktime_get_ns();
	return XDP_PASS;
}

SEC("xdp")
int floor_record(struct xdp_md *ctx)
{
	__u64 now = bpf_ktime_get_ns();
	struct xhop_event *ev = bpf_ringbuf_reserve(&floor_rb, sizeof(*ev), 0);

	if (!ev)
		return XDP_PASS;
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->ts_ns = now;
	bpf_ringbuf_submit(ev, 0);
	return XDP_DROP;
}
