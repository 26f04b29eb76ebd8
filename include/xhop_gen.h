/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The in-kernel probe generator's ABI (bpf/xhop_gen.bpf.c <-> user/gen_send.c).
 *
 * Userspace fills up to XHOP_GEN_BATCH_MAX work items in the program's
 * .bss (mmapped: no syscall per item), then runs the program once per
 * batch with bpf_prog_test_run_opts(BPF_F_TEST_XDP_LIVE_FRAMES) on one
 * template frame; frame i of the batch becomes the probe of item i.
 *
 * Checksum constants are one's complement sums in the "raw" domain: 16-bit
 * words loaded in host (little-endian) order straight from wire bytes, so
 * that the program adds the fields it writes exactly as they lie in the
 * packet and stores the folded result without swapping (RFC 1071: the sum
 * is byte-order independent).
 */
#ifndef XHOP_GEN_H
#define XHOP_GEN_H

#include <linux/types.h>

/* bpf_prog_test_run_opts refuses a batch_size above 256 (E2BIG) */
#define XHOP_GEN_BATCH_MAX 256
/* work items of one call: up to 16 kernel batches (gen_send_many()) */
#define XHOP_GEN_ITEMS_MAX 4096
#define XHOP_GEN_BATCHES (XHOP_GEN_ITEMS_MAX / XHOP_GEN_BATCH_MAX)

struct xhop_gen_item {
	__u8 dst[16];	/* IPv4 as ::ffff:a.b.c.d */
	__u32 mac;	/* xhop_probe_mac(), when userspace computes it */
	__u16 probe_id;
	__u8 ttl;
	__u8 _pad;
};

_Static_assert(sizeof(struct xhop_gen_item) == 24, "xhop_gen_item ABI changed");

/* The sender's template constants, set once by gen_open() */
struct xhop_gen_conf {
	__u32 out_ifindex;
	__u32 csum_ip;	 /* IPv4 header sum without ID, TTL, checksum, destination */
	__u32 csum_l4;	 /* L4 segment + pseudo-header without what the program writes */
	__u32 ports;	 /* sport << 16 | dport, host order (MAC input) */
	__u8 family;	 /* 4 or 6 */
	__u8 method;	 /* enum probe_method */
	__u8 proto;
	__u8 mac_in_bpf; /* 1: SipHash in the program, 0: items carry the MAC */
};

/*
 * Everything of one sender in the program's .bss ("gen"), mmapped by
 * userspace: work items, cursor, stamps, counters.
 */
struct xhop_gen_state {
	struct xhop_gen_item items[XHOP_GEN_ITEMS_MAX];
	/* per kernel batch of the call (items 256k..256k+255): its last frame */
	__u64 batch_ns[XHOP_GEN_BATCHES];
	struct xhop_gen_conf conf;
	__u32 next;	    /* next item; reset to 0 before each call */
	__u32 count;	    /* items of this call; next < count: armed */
	/*
	 * Kernel time of the first and of the last frame of the call. Frames
	 * go to the driver in bulks of 16 (the devmap queue) and the doorbell
	 * (veth: the peer's NAPI kick) comes at the flush right after the
	 * last frame, so last_ns is the time just before the batch was handed
	 * over for good.
	 */
	__u64 first_ns;
	__u64 last_ns;
	__u64 generated;    /* frames the program made */
	__u64 redirected;   /* of them, redirected */
	/* driver hand-overs seen by the xdp_devmap_xmit tracepoint */
	__s64 pending;	    /* redirected, not yet seen there */
	__u64 sent;	    /* taken by the driver's ndo_xdp_xmit */
	__u64 xmit_drops;   /* refused by it (ring full, peer unready) */
	__u64 flush_ns;	    /* after the driver took the last bulk */
	__u32 sender_tid;   /* gettid() of the thread in bpf_prog_test_run */
	/*
	 * Nonzero while gen_open() asks the kernel whether it runs live
	 * frames at all: the one frame of that run is dropped, never sent
	 * (some kernels refuse live frames to every process, EPERM)
	 */
	__u32 trial;
};

#endif /* XHOP_GEN_H */
