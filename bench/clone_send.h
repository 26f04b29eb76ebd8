/* SPDX-License-Identifier: GPL-2.0 */
/* What bench/clone_send.bpf.c and bench/clone_rate.c share. */
#ifndef XHOP_CLONE_SEND_H
#define XHOP_CLONE_SEND_H

#include <linux/types.h>

#define CL_PROBES 4096	  /* probes userspace may fill */
#define CL_L3_LEN 60	  /* one probe's IPv4 packet (xhop's 60-byte ICMP echo) */
#define CL_FRAME_LEN 74	  /* with its Ethernet header: the trigger has the same length */
#define CL_SLOT 64	  /* probes[] stride */
#define CL_SLOT_SEEN 80	  /* seen[] stride */
#define CL_VERIFY_MAX 8192
#define CL_CPUS 64

#define CL_TRIGGER_PROTO 253 /* IP protocol of a trigger (RFC 3692: experimentation) */
#define CL_MAGIC 0x78636c6e  /* "xcln" */

/* skb->mark of a copy: CL_MARK, CL_CHAIN, a depth below */
#define CL_MARK 0x78630000
#define CL_MARK_MASK 0xffff0000
#define CL_CHAIN 0x8000
#define CL_DEPTH_MASK 0x00ff

/* trigger flags */
#define CL_REWRITE 1	/* rewrite fields (rw[]) instead of storing whole packets (probes[]) */
#define CL_STOP_FULL 2	/* stop at the first copy the device drops */
#define CL_HASH 4	/* set each copy's flow hash (no flow dissector to pick its queue) */
/* CL_CHAIN (above): one copy that copies itself again and again */

/* The trigger's payload, right after its IP header */
struct cl_trigger {
	__be32 magic;
	__u32 start; /* first probe */
	__u32 count; /* probes */
	__u32 flags;
};

/* REWRITE: the fields of a probe that differ from probe 0's */
struct cl_rw {
	__be32 daddr;
	__be16 id;
	__be16 seq; /* ICMP sequence */
	__u8 ttl;
	__u8 pad[3];
};

#endif
