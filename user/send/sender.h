/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sender layer: how every mode puts probes on the wire. A ladder of
 * senders, fastest first, each tried for real before it is trusted:
 *
 *   kernel  the in-kernel generator: live XDP frames made by a BPF
 *           program (send/gen_send.h), stamped by it per batch
 *   xdp     AF_XDP, TX only (send/xsk_send.h)
 *   packet  AF_PACKET with PACKET_QDISC_BYPASS (send/packet_send.h),
 *           stamped by the driver (SO_TIMESTAMPING)
 *   raw     IPPROTO_RAW sockets (send/raw_send.h), stamped at tc egress
 *
 * "Tried for real": a rung is opened, then one probe of the family (TTL 1,
 * the warm-up id PATH_WARMUP_ID, which every mode ignores) must leave
 * through it; a refusal anywhere moves down a rung (auto) or ends the run
 * with the reason (an explicit --sender). A send that fails is never a
 * measurement: send results say per probe whether it left.
 */
#ifndef XHOP_SENDER_H
#define XHOP_SENDER_H

#include <errno.h>
#include <stddef.h>
#include <netinet/in.h>
#include <linux/types.h>
#include "core/probe_build.h"
#include "send/frame.h"
#include "send/raw_send.h"
#include "core/send_probe.h"
#include "xhop_probe.h"

struct loader;
struct gen_sender;
struct xsk_sender;
struct packet_sender;

enum sender_kind {
	SENDER_AUTO = 0, /* the first rung that works here */
	SENDER_KERNEL,
	SENDER_XDP,
	SENDER_PACKET,
	SENDER_RAW,
	SENDER_KINDS,
};

#define SENDER_BATCH_MAX 256
#define SENDER_WHY_MAX 160
/*
 * Probes in a row that failed to leave, with none leaving between, before
 * the run is declared unable to send. A failure that says the device or
 * the socket is gone (sender_fatal()) decides at once.
 */
#define SENDER_FAIL_RUN 64

/* An error no later send can escape: the device is down or gone, a policy refuses */
static inline int sender_fatal(int err)
{
	return err == -ENETDOWN || err == -ENODEV || err == -ENXIO || err == -EPERM ||
	       err == -EACCES || err == -EBADF;
}

/* "auto", "kernel", "xdp", "packet", "raw"; NULL for anything else */
const char *sender_kind_name(int kind);
/* The kind of a name; -1 if none */
int sender_kind_parse(const char *name);

struct sender_cfg {
	int kind;		   /* asked: enum sender_kind */
	int ifindex;		   /* where the probes leave */
	const char *ifname;	   /* -i as given (raw sockets bind to it), or NULL */
	const struct xhop_key *key;
	const struct loader *rx;   /* the running receiver: the generator rides on it */
	int has[2];		   /* families in use: [0] IPv4, [1] IPv6 */
	struct probe_spec base[2]; /* per family: src, ports, checksum, size, method, tos */
	struct in6_addr first[2];  /* a destination per family: next hop, trial probe */
	const char *who;	   /* "xhop", "xhop scan": messages begin with it */
	int say;		   /* say on stderr which rung each family took */
	unsigned int flows;	   /* > 1: probes carry a flow below it (send_probe.flow) */
	int verbose;
};

struct sender {
	int kind[2];		   /* what each family got */
	int ifindex;
	char ifname[16];
	struct gen_sender *gen[2];
	struct xsk_sender *xsk;	   /* one per interface, both families */
	int xsk_zerocopy;
	int xsk_stamped;	   /* the kernel stamps its frames (TX metadata) */
	struct packet_sender *pkt; /* one per interface, both families */
	struct raw_sender raw[2];
	struct probe_spec base[2];
	struct frame_tmpl tmpl[2]; /* frame senders: base + MACs */
	const struct xhop_key *key;
	__u8 (*bufs)[PROBE_MAX_SIZE]; /* raw: probes being built */
	__u64 sent[2], errors[2];
	__u32 fail_run;		   /* probes failed in a row */
	int fail_err;		   /* the last failure's -errno */
	int gen_used;		   /* the receiver's one generator is taken */
};

/*
 * Open a sender for every family in cfg->has, down the ladder from
 * cfg->kind. 0, or -errno with the reason said on stderr (for an
 * explicit kind: "xhop: --sender kernel: live frames refused by the
 * kernel (EPERM)").
 */
int sender_open(struct sender *s, const struct sender_cfg *cfg);
/*
 * Send n probes of family fam (0 IPv4, 1 IPv6), n <= SENDER_BATCH_MAX.
 * res[i] says whether probe i left and its stamp (core/send_probe.h). Returns
 * how many left.
 */
int sender_send(struct sender *s, int fam, const struct send_probe *p, int n,
		struct send_result *res);
/*
 * 0 while probes leave; -errno of the last failure once SENDER_FAIL_RUN
 * probes in a row failed: the run must stop, its probes cannot leave
 */
int sender_failing(const struct sender *s);
/* The rung family fam took, by name */
const char *sender_name(const struct sender *s, int fam);
/* Frames a driver took and then dropped (generator, AF_XDP) */
__u64 sender_driver_drops(struct sender *s);
/*
 * Probes whose send stamp is a userspace clock reading, not the kernel's
 * (AF_XDP without TX metadata, AF_PACKET on a driver without software
 * transmit stamps): 0 where every stamp is the kernel's
 */
__u64 sender_stamps_user(const struct sender *s);
void sender_close(struct sender *s);

#endif
