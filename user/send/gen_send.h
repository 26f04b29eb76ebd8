/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The in-kernel probe sender of xhop scan: probes built by an XDP program
 * (bpf/xhop_gen.bpf.c) on live frames, byte for byte what probe_build()
 * writes, handed to the driver without a socket, an skb or the qdisc.
 *
 * Live frames skip the tc egress hook, so xhop_tx never stamps them: the
 * send time of a batch comes back from gen_send() instead.
 */
#ifndef XHOP_GEN_SEND_H
#define XHOP_GEN_SEND_H

#include <netinet/in.h>
#include <linux/types.h>
#include "recv/loader.h"
#include "core/send_probe.h"
#include "xhop_gen.h"
#include "xhop_probe.h"

enum gen_mac_where {
	GEN_MAC_DEFAULT = 0, /* the faster one, as measured (GEN_MAC_BPF) */
	GEN_MAC_USER,	     /* gen_send() computes each MAC in userspace */
	GEN_MAC_BPF,	     /* the XDP program does */
};

struct gen_cfg {
	int ifindex;
	int family;		     /* 4 or 6 */
	int method;		     /* enum probe_method (probe_build.h) */
	struct in6_addr src;	     /* IPv4 as ::ffff:a.b.c.d */
	__u8 src_mac[6], dst_mac[6]; /* ours, and the next hop's */
	const struct xhop_key *key;
	__u16 sport, dport, icmp_sum;
	__u16 size;		     /* IP packet size, as probe_spec.size */
	__u8 tos;
	/* additions */
	/*
	 * The running receiver (loader_start() done, same key): its xhop_rx
	 * generates, which keeps each call cheap (bpf/xhop.bpf.c says why).
	 * NULL: a program of its own, about 1.4 ms more per call. One sender
	 * per receiver.
	 */
	const struct loader *rx;
	int mac_where;		     /* enum gen_mac_where */
	int no_dev_check;	     /* tests without live frames: any device, no trial */
	/*
	 * Where a refusal's reason goes (GEN_WHY_MAX bytes): the sender
	 * ladder collects them; NULL: stderr
	 */
	char *why;
};

#define GEN_WHY_MAX 160

/* One probe for the generator: the sender layer's own record */
#define gen_probe send_probe

#define GEN_BATCH_MAX XHOP_GEN_BATCH_MAX

struct gen_sender;

/*
 * Load a generator for cfg and try live frames for real (one run whose
 * frame the program drops). Fails with -EPERM when the kernel refuses
 * live frames, -EOPNOTSUPP when the device cannot take redirected XDP
 * frames (no ndo_xdp_xmit; a veth whose peer has neither an XDP program
 * nor GRO; not Ethernet), -ENETDOWN when it is down: the sender ladder
 * (send/sender.h) then goes down a rung. 0 or -errno, the reason in
 * cfg->why or on stderr.
 */
int gen_open(struct gen_sender **g, const struct gen_cfg *cfg);

/*
 * Generate and transmit n (1..GEN_BATCH_MAX) probes as one kernel batch.
 * *tx_ns: bpf_ktime_get_ns() (CLOCK_MONOTONIC) just before the batch was
 * handed to the driver (the last frame's generation; the first frame was
 * made (n - 1) x ~20-60 ns earlier). Returns the number the driver took,
 * or -errno. Blocks until the whole batch is handed over.
 */
int gen_send(struct gen_sender *g, const struct gen_probe *p, int n, __u64 *tx_ns);

/*
 * The same for n (1..GEN_ITEMS_MAX) probes in one call: the kernel runs
 * them as ceil(n / 256) batches of 256, each handed over after its last
 * frame; tx_ns[k] is the stamp of batch k (probes 256k..256k+255). One
 * call costs about 50 us of set-up (the test run's page pool), so many
 * batches per call send faster; gen_send() is this with n <= 256.
 */
#define GEN_ITEMS_MAX XHOP_GEN_ITEMS_MAX
int gen_send_many(struct gen_sender *g, const struct gen_probe *p, int n,
		  __u64 tx_ns[GEN_ITEMS_MAX / GEN_BATCH_MAX]);

struct gen_stats {
	__u64 generated;  /* frames the program made */
	__u64 redirected; /* of them, redirected to the device */
	__u64 dropped;	  /* redirected but not taken by the driver */
	/* additions */
	__u64 sent;	  /* taken by the driver (ndo_xdp_xmit) */
	__u64 calls;	  /* gen_send() calls that ran */
	__u64 first_ns;	  /* last call: generation of its first frame */
	__u64 last_ns;	  /* last call: of its last frame (= its tx_ns) */
	__u64 flush_ns;	  /* last call: after the driver took its last bulk */
};

int gen_stats(struct gen_sender *g, struct gen_stats *st);
void gen_close(struct gen_sender *g);

/* The generator program, for tests that run it without live frames */
int gen_prog_fd(struct gen_sender *g);
/* Fill the work items as gen_send() does, without running the program */
int gen_fill(struct gen_sender *g, const struct gen_probe *p, int n);
/* The template frame (Ethernet first) and its length */
const __u8 *gen_template(struct gen_sender *g, __u32 *len);

#endif
