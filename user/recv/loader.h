/* SPDX-License-Identifier: GPL-2.0 */
/* Loading and attaching the BPF programs; the ring buffer of their events. */
#ifndef XHOP_LOADER_H
#define XHOP_LOADER_H

#include <linux/types.h>
#include "xhop_event.h"
#include "xhop_probe.h"

struct xhop_bpf;
struct bpf_link;
struct ring_buffer;
struct loader_cfg;

/* Called for each event; return non-zero to stop the current poll */
typedef int (*loader_event_fn)(void *ctx, const struct xhop_event *ev);

struct loader {
	struct xhop_bpf *skel;
	struct bpf_link *xdp_link;
	int tx_link_fd; /* tcx link: libbpf 1.1 has no bpf_link for it; -1 if none */
	int rx_tc_link_fd; /* tcx ingress receiver when XDP is taken; -1 if none */
	struct ring_buffer *rb;	      /* send stamps first, then answers */
	struct ring_buffer *stamps_rb; /* the send stamps' ring alone */
	loader_event_fn on_event;
	void *ctx;
	int ifindex;
	int xdp_generic; /* the driver had no native XDP: generic mode */
	char ifname[32];
};

/*
 * Load with this run's key, attach XDP (receive) and tcx egress (send
 * stamps) to ifindex through bpf_links: the kernel detaches them when the
 * last fd closes, even if xhop is killed. When another program holds the
 * XDP hook it is left in place and xhop receives at tcx ingress behind
 * it, with a warning. 0 or -errno, reported on stderr.
 */
int loader_start(struct loader *ld, int ifindex, const struct xhop_key *key, __u16 sport,
		 __u8 proto, loader_event_fn on_event, void *ctx);
/* The same with cfg (its l3_only is found from the interface) */
int loader_start_cfg(struct loader *ld, int ifindex, const struct loader_cfg *cfg,
		     loader_event_fn on_event, void *ctx);
/* Load only (no attach), for tests that drive the programs directly */
int loader_open(struct loader *ld, const struct xhop_key *key, loader_event_fn on_event,
		void *ctx);
struct loader_cfg {
	const struct xhop_key *key;
	__u16 sport;	/* UDP/TCP answers only to this source port (0: any) */
	__u8 proto;	/* answers only for this probe protocol (0: any) */
	__u8 l3_only;	/* frames start at the IP header (tun, ipip, ...) */
	/* additions */
	__u8 rx_no_wakeup; /* answers never wake a poll of the ring buffer fd: the caller looks itself */
	__u16 sport_span;  /* the source ports sport..sport+span-1 are ours (0, 1: sport alone) */
};

int loader_open_cfg(struct loader *ld, const struct loader_cfg *cfg, loader_event_fn on_event,
		    void *ctx);
/* The same, accepting UDP/TCP answers only for source port sport (0: any) */
int loader_open_sport(struct loader *ld, const struct xhop_key *key, __u16 sport,
		      loader_event_fn on_event, void *ctx);
/* Wait up to timeout_ms for events and dispatch them; count or -errno */
int loader_epoll_fd(struct loader *ld);
/* Dispatch what is queued now, without waiting */
int loader_consume(struct loader *ld);
/*
 * Dispatch the send stamps queued now, from inside an answer's callback
 * too: when another thread sends, a probe's stamp can land after a
 * consume has passed the stamp ring, and its answer before it reaches
 * the answer ring.
 */
int loader_consume_stamps(struct loader *ld);
/* Sums of the per-CPU counters, enum xhop_stat order */
int loader_stats(struct loader *ld, __u64 out[XHOP_STAT_MAX]);
int loader_prog_fd_rx(struct loader *ld);
int loader_prog_fd_rx_tc(struct loader *ld);
int loader_prog_fd_tx(struct loader *ld);
/* Detach and free everything; safe on a half-started or zeroed loader */
void loader_stop(struct loader *ld);
/* libbpf's own messages: only with -v (verbose > 0) */
void loader_set_verbose(int verbose);

#endif
