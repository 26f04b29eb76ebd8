// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel probe sender: one template frame, work items in the
 * generator's mmapped .bss, one bpf_prog_test_run_opts() per batch with
 * live frames. See bpf/xhop_gen.bpf.c for the kernel side.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "core/log.h"
#include "net/netdev.h"
#include "core/probe_build.h"
#include "send/gen_send.h"
#include "xhop_gen.h" /* the skeleton's .bss holds struct xhop_gen_state */
#include "xhop.skel.h"
#include "xhop_gen.skel.h"

#define GEN_FRAME_MAX (ETH_HLEN + PROBE_MAX_SIZE)

struct gen_sender {
	struct xhop_gen_bpf *skel; /* own program, or NULL: the receiver's */
	const struct loader *rx;
	struct xhop_gen_state *st; /* the program's .bss, mmapped */
	struct bpf_link *xmit_link;
	struct xhop_key key;
	__u8 frame[GEN_FRAME_MAX];
	__u32 frame_len;
	__u32 ports;
	__u8 proto;
	int mac_user;
	int prog_fd;
	__u64 calls;
	__u64 dropped;
};

static __thread pid_t gen_tid;

/*
 * Why the generator cannot run: into cfg->why when the caller collects
 * reasons (the sender ladder says them once, its own way), else on stderr
 */
static void refuse(const struct gen_cfg *cfg, const char *fmt, ...)
{
	char msg[GEN_WHY_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (cfg->why)
		snprintf(cfg->why, GEN_WHY_MAX, "%s", msg);
	else
		log_err("xhop: generator: %s\n", msg);
}

static void report(const struct gen_cfg *cfg, const char *what, const char *obj, int err)
{
	char msg[128];

	libbpf_strerror(err, msg, sizeof(msg));
	refuse(cfg, "%s %s: %s", what, obj, msg);
}

/* One's complement sum of 16-bit words loaded in host (little-endian)
 * order: the "raw" domain of xhop_gen.h
 */
static __u32 raw_sum(__u32 sum, const __u8 *b, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (__u32)b[i] | (__u32)b[i + 1] << 8;
	if (len & 1)
		sum += b[len - 1];
	return sum;
}

static __u32 fold16(__u32 s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

static void zero(__u8 *b, size_t off, size_t len)
{
	memset(b + off, 0, len);
}

/*
 * The sums of everything the program never writes: the IPv4 header
 * without ID, TTL, checksum and destination; the L4 segment without the
 * fields the method varies, plus the pseudo-header without destination.
 */
static void const_sums(const struct gen_cfg *cfg, const __u8 *ip, size_t ip_len, __u8 proto,
		       __u32 *csum_ip, __u32 *csum_l4)
{
	size_t hl = cfg->family == 6 ? 40 : 20, l4_len = ip_len - hl;
	__u8 h[40], l4[PROBE_MAX_SIZE], ph[40] = { 0 };
	__u32 s = 0;

	*csum_ip = 0;
	if (cfg->family == 4) {
		memcpy(h, ip, 20);
		zero(h, 4, 2);	/* id */
		zero(h, 8, 1);	/* ttl (protocol stays) */
		zero(h, 10, 2); /* checksum */
		zero(h, 16, 4); /* destination */
		*csum_ip = fold16(raw_sum(0, h, 20));
	}
	memcpy(l4, ip + hl, l4_len);
	switch (cfg->method) {
	case METHOD_UDP:
		zero(l4, 6, 2);	 /* checksum = MAC */
		zero(l4, 8 + XHOP_UDP_PAYLOAD_ID_OFF, 2);
		zero(l4, 8 + XHOP_UDP_PAYLOAD_FIX_OFF, 2);
		break;
	case METHOD_TCP:
		zero(l4, 4, 4);	 /* seq */
		zero(l4, 16, 2); /* checksum */
		break;
	default:
		zero(l4, 4, 4);	 /* id = MAC high, seq = probe id */
		zero(l4, 8 + XHOP_ICMP_PAYLOAD_FIX_OFF, 2);
		zero(l4, 8 + XHOP_ICMP_PAYLOAD_MAC_OFF, 2);
		break;
	}
	s = raw_sum(s, l4, l4_len);
	/* pseudo-header with a zero destination (the program adds it) */
	if (cfg->family == 6) {
		memcpy(ph, &cfg->src, 16);
		ph[34] = l4_len >> 8;
		ph[35] = l4_len & 0xff;
		ph[39] = proto;
		s = raw_sum(s, ph, 40);
	} else if (cfg->method != METHOD_ICMP) {
		memcpy(ph, &cfg->src.s6_addr[12], 4);
		ph[9] = proto;
		ph[10] = l4_len >> 8;
		ph[11] = l4_len & 0xff;
		s = raw_sum(s, ph, 12);
	}
	*csum_l4 = fold16(s);
}

/* Can frames be redirected to the device? 0, or -errno with the reason said */
static int check_device(const struct gen_cfg *cfg, const char *ifname)
{
	int type = 0, up = 0, err;
	__u64 features;

	if (cfg->no_dev_check)
		return 0;
	err = netdev_type_up(ifname, &type, &up);
	if (err) {
		refuse(cfg, "%s: %s", ifname, strerror(-err));
		return err;
	}
	if (type != ARPHRD_ETHER) {
		refuse(cfg, "%s is not an Ethernet device", ifname);
		return -EOPNOTSUPP;
	}
	if (!up) {
		refuse(cfg, "%s is down", ifname);
		return -ENETDOWN;
	}
	err = netdev_xdp_features(cfg->ifindex, &features);
	if (!err && !(features & NETDEV_XDP_NDO_XMIT)) {
		refuse(cfg, "the driver of %s takes no XDP frames (no ndo_xdp_xmit; a veth "
			    "needs an XDP program or GRO on its peer)", ifname);
		return -EOPNOTSUPP;
	}
	if (err && err != -EOPNOTSUPP && !cfg->why)
		log_warn("xhop: generator on %s: warning: cannot query XDP features "
				"(%s); counting what the driver takes\n", ifname, strerror(-err));
	return 0;
}

/*
 * Does this kernel run live frames for us? Some refuse them to every
 * process (a lockdown or a vendor policy: EPERM) while a plain test run
 * of the same program succeeds, and the device check above cannot tell.
 * One live-frames run with the state in trial mode: the program drops
 * its one frame, so nothing leaves.
 */
static int check_live_frames(struct gen_sender *g, const struct gen_cfg *cfg)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = g->frame, .data_size_in = g->frame_len,
		    .repeat = 1, .batch_size = 1, .flags = BPF_F_TEST_XDP_LIVE_FRAMES);
	int err;

	g->st->count = 0;
	g->st->trial = 1;
	err = bpf_prog_test_run_opts(g->prog_fd, &opts) ? -errno : 0;
	g->st->trial = 0;
	if (err == -EPERM || err == -EACCES)
		refuse(cfg, "live frames refused by the kernel (%s)",
		       err == -EPERM ? "EPERM" : "EACCES");
	else if (err == -EINVAL || err == -EOPNOTSUPP)
		refuse(cfg, "live frames not supported by this kernel (%s)", strerror(-err));
	else if (err)
		refuse(cfg, "live frames: %s", strerror(-err));
	return err;
}

static int build_template(struct gen_sender *g, const struct gen_cfg *cfg)
{
	struct probe_spec ps = {
		.src = cfg->src, .probe_id = 1, .sport = cfg->sport, .dport = cfg->dport,
		.icmp_sum = cfg->icmp_sum, .size = cfg->size, .family = cfg->family,
		.method = cfg->method, .ttl = 1, .tos = cfg->tos,
	};
	struct ethhdr *eth = (struct ethhdr *)g->frame;
	__u8 probe[PROBE_MAX_SIZE] __attribute__((aligned(8)));
	ssize_t n;

	/* a placeholder destination of the family: the program writes it */
	if (cfg->family == 4) {
		ps.dst.s6_addr[10] = ps.dst.s6_addr[11] = 0xff;
	}
	/* built aligned, then copied behind the 14-byte Ethernet header:
	 * probe_build() casts wire headers onto its buffer
	 */
	n = probe_build(&ps, cfg->key, probe, sizeof(probe));
	if (n < 0)
		return (int)n;
	memcpy(g->frame + ETH_HLEN, probe, n);
	memcpy(eth->h_dest, cfg->dst_mac, ETH_ALEN);
	memcpy(eth->h_source, cfg->src_mac, ETH_ALEN);
	eth->h_proto = htons(cfg->family == 6 ? ETH_P_IPV6 : ETH_P_IP);
	g->frame_len = ETH_HLEN + n;
	return 0;
}

/* 0 if cfg describes a probe the generator can make, else -EINVAL (said) */
static int check_cfg(const struct gen_cfg *cfg, char ifname[IF_NAMESIZE])
{
	int err;

	if ((cfg->family != 4 && cfg->family != 6) || cfg->method < METHOD_ICMP ||
	    cfg->method > METHOD_TCP || !cfg->key ||
	    (cfg->family == 4) != !!addr_is_v4(&cfg->src)) {
		refuse(cfg, "invalid configuration");
		return -EINVAL;
	}
	if (!if_indextoname(cfg->ifindex, ifname)) {
		err = -errno;
		refuse(cfg, "interface %d: %s", cfg->ifindex, strerror(-err));
		return err;
	}
	return check_device(cfg, ifname);
}

/*
 * The program that generates: the running receiver's xhop_rx (it stays
 * in the kernel's XDP dispatcher), or one of its own. *xmit: its
 * xdp_devmap_xmit tracepoint program. 0 or -errno (said)
 */
static int pick_program(struct gen_sender *g, const struct gen_cfg *cfg,
			struct bpf_program **xmit)
{
	int err;

	if (cfg->rx) {
		struct xhop_bpf *rs = cfg->rx->skel;

		if (!rs || rs->rodata->key0 != cfg->key->k0 || rs->rodata->key1 != cfg->key->k1) {
			refuse(cfg, "the receiver is not loaded with this key");
			return -EINVAL;
		}
		g->rx = cfg->rx;
		g->st = &rs->bss->gen;
		*xmit = rs->progs.xhop_gen_xmit;
		g->prog_fd = bpf_program__fd(rs->progs.xhop_rx);
		return 0;
	}
	g->skel = xhop_gen_bpf__open();
	if (!g->skel) {
		err = -errno;
		report(cfg, "open", "generator BPF object", err);
		return err;
	}
	g->skel->rodata->key0 = cfg->key->k0;
	g->skel->rodata->key1 = cfg->key->k1;
	err = xhop_gen_bpf__load(g->skel);
	if (err) {
		report(cfg, "load", "generator BPF program (-vv shows the verifier log)", err);
		return err;
	}
	g->st = &g->skel->bss->gen;
	*xmit = g->skel->progs.xhop_gen_xmit;
	g->prog_fd = bpf_program__fd(g->skel->progs.xhop_gen);
	return 0;
}

/* The template's constants into the program's state */
static void configure(struct gen_sender *g, const struct gen_cfg *cfg)
{
	__u32 csum_ip, csum_l4;

	const_sums(cfg, g->frame + ETH_HLEN, g->frame_len - ETH_HLEN, g->proto, &csum_ip,
		   &csum_l4);
	memset(g->st, 0, sizeof(*g->st));
	g->st->conf.out_ifindex = cfg->ifindex;
	g->st->conf.csum_ip = csum_ip;
	g->st->conf.csum_l4 = csum_l4;
	g->st->conf.ports = g->ports;
	g->st->conf.family = cfg->family;
	g->st->conf.method = cfg->method;
	g->st->conf.proto = g->proto;
	g->st->conf.mac_in_bpf = !g->mac_user;
}

int gen_open(struct gen_sender **out, const struct gen_cfg *cfg)
{
	char ifname[IF_NAMESIZE] = "?";
	struct bpf_program *xmit;
	struct gen_sender *g;
	int err;

	*out = NULL;
	err = check_cfg(cfg, ifname);
	if (err)
		return err;
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->key = *cfg->key;
	g->proto = probe_method_proto(cfg->family, cfg->method);
	g->ports = cfg->method == METHOD_ICMP ? 0 : (__u32)cfg->sport << 16 | cfg->dport;
	/* in BPF by default: 91% of the bare sender against 68% with 4096
	 * per call (the userspace SipHash runs serially before the call)
	 */
	g->mac_user = cfg->mac_where == GEN_MAC_USER;
	err = build_template(g, cfg);
	if (err) {
		refuse(cfg, "build template probe: %s", strerror(-err));
		goto err_free;
	}
	err = pick_program(g, cfg, &xmit);
	if (err)
		goto err_destroy;
	configure(g, cfg);
	/* tests that run the program without live frames skip the trial too */
	if (!cfg->no_dev_check) {
		err = check_live_frames(g, cfg);
		if (err)
			goto err_destroy;
	}
	g->xmit_link = bpf_program__attach_raw_tracepoint(xmit, "xdp_devmap_xmit");
	if (!g->xmit_link) {
		err = -errno;
		report(cfg, "attach", "tracepoint xdp_devmap_xmit", err);
		goto err_destroy;
	}
	*out = g;
	return 0;

err_destroy:
	xhop_gen_bpf__destroy(g->skel);
err_free:
	free(g);
	return err;
}

int gen_fill(struct gen_sender *g, const struct gen_probe *p, int n)
{
	struct xhop_gen_state *b = g->st;
	int i;

	if (n < 1 || n > GEN_ITEMS_MAX)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		struct xhop_gen_item *it = &b->items[i];

		memcpy(it->dst, &p[i].dst, 16);
		it->probe_id = p[i].probe_id;
		it->ttl = p[i].ttl;
		if (g->mac_user)
			it->mac = xhop_probe_mac(&g->key, p[i].dst.s6_addr, g->proto, g->ports,
						 p[i].probe_id);
	}
	b->next = 0;
	b->count = n;
	return 0;
}

int gen_send_many(struct gen_sender *g, const struct gen_probe *p, int n,
		  __u64 tx_ns[GEN_ITEMS_MAX / GEN_BATCH_MAX])
{
	struct xhop_gen_state *b = g->st;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = g->frame, .data_size_in = g->frame_len,
		    .repeat = n, .batch_size = n < GEN_BATCH_MAX ? n : GEN_BATCH_MAX,
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES);
	__u64 sent0, red0, sent, red;
	int err;

	err = gen_fill(g, p, n);
	if (err)
		return err;
	if (!gen_tid)
		gen_tid = gettid();
	sent0 = b->sent;
	red0 = b->redirected;
	b->pending = 0;
	b->sender_tid = gen_tid;
	/* repeat <= batch_size: one kernel batch. The frames go to the
	 * driver in bulks of 16 and the last flush right after the last
	 * frame; the call returns when all are handed over
	 */
	err = bpf_prog_test_run_opts(g->prog_fd, &opts);
	b->sender_tid = 0;
	b->count = 0; /* disarmed, whatever happened */
	if (err)
		return -errno;
	sent = b->sent - sent0;
	red = b->redirected - red0;
	g->dropped += red - sent;
	g->calls++;
	if (tx_ns)
		for (int k = 0; k < (n + GEN_BATCH_MAX - 1) / GEN_BATCH_MAX; k++)
			tx_ns[k] = b->batch_ns[k];
	return (int)sent;
}

int gen_send(struct gen_sender *g, const struct gen_probe *p, int n, __u64 *tx_ns)
{
	__u64 ts[GEN_ITEMS_MAX / GEN_BATCH_MAX];
	int ret;

	if (n < 1 || n > GEN_BATCH_MAX)
		return -EINVAL;
	ret = gen_send_many(g, p, n, ts);
	if (ret >= 0 && tx_ns)
		*tx_ns = ts[0];
	return ret;
}

int gen_stats(struct gen_sender *g, struct gen_stats *st)
{
	struct xhop_gen_state *b = g->st;

	memset(st, 0, sizeof(*st));
	st->generated = b->generated;
	st->redirected = b->redirected;
	st->sent = b->sent;
	st->dropped = g->dropped;
	st->calls = g->calls;
	st->first_ns = b->first_ns;
	st->last_ns = b->last_ns;
	st->flush_ns = b->flush_ns;
	return 0;
}

void gen_close(struct gen_sender *g)
{
	if (!g)
		return;
	bpf_link__destroy(g->xmit_link);
	if (g->st)
		g->st->count = 0;
	xhop_gen_bpf__destroy(g->skel);
	free(g);
}

int gen_prog_fd(struct gen_sender *g)
{
	return g->prog_fd;
}

const __u8 *gen_template(struct gen_sender *g, __u32 *len)
{
	*len = g->frame_len;
	return g->frame;
}
