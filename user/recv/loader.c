// SPDX-License-Identifier: GPL-2.0
/*
 * The skeleton loader. Both programs are attached through bpf_links, never
 * through netlink or legacy tc filters: a link lives exactly as long as its
 * fd, so a killed xhop leaves nothing attached.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_link.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include "core/log.h"
#include "recv/loader.h"
#include "xhop_gen.h" /* the skeleton's .bss holds struct xhop_gen_state */
#include "xhop.skel.h"

/*
 * tcx (kernel 6.6+) attach type; Debian 12's UAPI headers predate it and
 * libbpf 1.1 has no bpf_program__attach_tcx(), but bpf_link_create()
 * passes it through unchanged.
 */
#ifndef BPF_TCX_EGRESS
#define XHOP_BPF_TCX_INGRESS 46
#define XHOP_BPF_TCX_EGRESS 47
#else
#define XHOP_BPF_TCX_INGRESS BPF_TCX_INGRESS
#define XHOP_BPF_TCX_EGRESS BPF_TCX_EGRESS
#endif

/* libbpf's own messages at xhop's levels: -v, and the verifier's with -vv */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	log_vmsg(level == LIBBPF_DEBUG ? LOG_DEBUG : LOG_INFO, fmt, args);
	return 0;
}

void loader_set_verbose(int verbose)
{
	log_set_verbose(verbose);
	libbpf_set_print(libbpf_print);
}

static void report(const char *what, const char *obj, int err)
{
	char msg[128];

	libbpf_strerror(err, msg, sizeof(msg));
	log_err("xhop: %s %s: %s\n", what, obj, msg);
}

static int ring_cb(void *ctx, void *data, size_t size)
{
	struct loader *ld = ctx;

	if (size < sizeof(struct xhop_event))
		return 0; /* an ABI mismatch would be a build bug; skip, don't crash */
	return ld->on_event(ld->ctx, data);
}

int loader_open(struct loader *ld, const struct xhop_key *key, loader_event_fn on_event,
		void *ctx)
{
	return loader_open_sport(ld, key, 0, on_event, ctx);
}

int loader_open_sport(struct loader *ld, const struct xhop_key *key, __u16 sport,
		      loader_event_fn on_event, void *ctx)
{
	struct loader_cfg cfg = { .key = key, .sport = sport };

	return loader_open_cfg(ld, &cfg, on_event, ctx);
}

int loader_open_cfg(struct loader *ld, const struct loader_cfg *cfg, loader_event_fn on_event,
		    void *ctx)
{
	int err;

	libbpf_set_print(libbpf_print);
	memset(ld, 0, sizeof(*ld));
	ld->tx_link_fd = -1;
	ld->rx_tc_link_fd = -1;
	ld->on_event = on_event;
	ld->ctx = ctx;
	ld->skel = xhop_bpf__open();
	if (!ld->skel) {
		err = -errno;
		report("open", "BPF object", err);
		return err;
	}
	ld->skel->rodata->key0 = cfg->key->k0;
	ld->skel->rodata->key1 = cfg->key->k1;
	ld->skel->rodata->run_sport = cfg->sport;
	ld->skel->rodata->run_sport_span = cfg->sport_span > 1 ? cfg->sport_span : 1;
	ld->skel->rodata->run_proto = cfg->proto;
	ld->skel->rodata->l3_only = cfg->l3_only;
	ld->skel->rodata->rx_no_wakeup = cfg->rx_no_wakeup;
	err = xhop_bpf__load(ld->skel);
	if (err) {
		if (err == -EPERM || err == -EACCES)
			log_err("xhop: load BPF programs: %s (needs CAP_BPF, "
					"CAP_PERFMON and CAP_NET_ADMIN, or root)\n", strerror(-err));
		else
			report("load", "BPF programs (-vv shows the verifier log)", err);
		goto err_destroy;
	}
	/* send stamps first: a consume then sees a probe's stamp before the
	 * answer to it (renderers need both, not their order)
	 */
	ld->rb = ring_buffer__new(bpf_map__fd(ld->skel->maps.tx_events), ring_cb, ld, NULL);
	if (!ld->rb) {
		err = -errno;
		report("create", "ring buffer", err);
		goto err_destroy;
	}
	err = ring_buffer__add(ld->rb, bpf_map__fd(ld->skel->maps.events), ring_cb, ld);
	if (err) {
		report("add", "answer ring buffer", err);
		goto err_free_rb;
	}
	/* the send stamps alone, for loader_consume_stamps() */
	ld->stamps_rb = ring_buffer__new(bpf_map__fd(ld->skel->maps.tx_events), ring_cb, ld, NULL);
	if (!ld->stamps_rb) {
		err = -errno;
		report("create", "send stamp ring buffer", err);
		goto err_free_rb;
	}
	return 0;

err_free_rb:
	ring_buffer__free(ld->rb);
	ld->rb = NULL;
err_destroy:
	xhop_bpf__destroy(ld->skel);
	ld->skel = NULL;
	return err;
}

/* Was the program attached in generic (skb) mode? */
static int xdp_is_generic(int ifindex)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	if (bpf_xdp_query(ifindex, 0, &q))
		return 0;
	return q.attach_mode == XDP_ATTACHED_SKB;
}

/*
 * Frames on tun, WireGuard, ipip, gre, sit and ppp devices start at the IP
 * header; the parsers must not look for an Ethernet header there.
 */
static int link_is_l3_only(const char *ifname)
{
	struct ifreq ifr = {};
	int fd, type = ARPHRD_ETHER;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (!ioctl(fd, SIOCGIFHWADDR, &ifr))
		type = ifr.ifr_hwaddr.sa_family;
	close(fd);
	switch (type) {
	case ARPHRD_NONE:
	case ARPHRD_TUNNEL:
	case ARPHRD_TUNNEL6:
	case ARPHRD_IPGRE:
	case ARPHRD_SIT:
	case ARPHRD_PPP:
	case ARPHRD_RAWIP:
		return 1;
	default:
		return 0;
	}
}

/* "id 42 xdp_pass": who holds the XDP hook, for the messages */
static void xdp_holder(int ifindex, char *buf, size_t len)
{
	struct bpf_prog_info info = {};
	__u32 id = 0, info_len = sizeof(info);
	int fd;

	snprintf(buf, len, "unknown");
	if (bpf_xdp_query_id(ifindex, 0, &id) || !id)
		return;
	snprintf(buf, len, "id %u", id);
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return;
	if (!bpf_obj_get_info_by_fd(fd, &info, &info_len))
		snprintf(buf, len, "id %u %s", id, info.name);
	close(fd);
}

/*
 * The XDP hook is someone else's (a neighbour, or another xhop run): never
 * replace it. Receive at tcx ingress instead, behind it: tcx chains any
 * number of programs, each detached with its own link.
 */
static int attach_rx_behind(struct loader *ld)
{
	char holder[64];
	int fd, err;

	xdp_holder(ld->ifindex, holder, sizeof(holder));
	fd = bpf_link_create(bpf_program__fd(ld->skel->progs.xhop_rx_tc), ld->ifindex,
			     XHOP_BPF_TCX_INGRESS, NULL);
	if (fd < 0) {
		err = -errno;
		log_err("xhop: attach to %s: XDP is held by another program (%s) and "
				"tcx ingress failed (%s); xhop does not replace it\n",
			ld->ifname, holder, strerror(-err));
		return err;
	}
	ld->rx_tc_link_fd = fd;
	log_warn("xhop: warning: %s: XDP is held by another program (%s), left in "
			"place; receiving at tcx ingress behind it (RTTs include more of the "
			"stack)\n", ld->ifname, holder);
	return 0;
}

int loader_start(struct loader *ld, int ifindex, const struct xhop_key *key, __u16 sport, __u8 proto,
		 loader_event_fn on_event, void *ctx)
{
	struct loader_cfg cfg = { .key = key, .sport = sport, .proto = proto };

	return loader_start_cfg(ld, ifindex, &cfg, on_event, ctx);
}

int loader_start_cfg(struct loader *ld, int ifindex, const struct loader_cfg *start_cfg,
		     loader_event_fn on_event, void *ctx)
{
	struct loader_cfg cfg = *start_cfg;
	char ifname[IF_NAMESIZE] = "?";
	int err, fd;

	if_indextoname(ifindex, ifname);
	cfg.l3_only = link_is_l3_only(ifname);
	err = loader_open_cfg(ld, &cfg, on_event, ctx);
	if (err)
		return err;
	snprintf(ld->ifname, sizeof(ld->ifname), "%s", ifname);
	ld->ifindex = ifindex;

	/* flags 0: native XDP when the driver has it, generic otherwise */
	ld->xdp_link = bpf_program__attach_xdp(ld->skel->progs.xhop_rx, ifindex);
	if (!ld->xdp_link) {
		err = -errno;
		if (err != -EBUSY && err != -EEXIST) {
			report("attach XDP to", ifname, err);
			goto err_close;
		}
		err = attach_rx_behind(ld);
		if (err)
			goto err_close;
	} else {
		ld->xdp_generic = xdp_is_generic(ifindex);
	}
	if (ld->xdp_generic)
		log_warn("xhop: warning: %s has no native XDP; using generic mode "
				"(slower, RTTs include more of the stack)\n", ifname);

	fd = bpf_link_create(bpf_program__fd(ld->skel->progs.xhop_tx), ifindex,
			     XHOP_BPF_TCX_EGRESS, NULL);
	if (fd < 0) {
		err = -errno;
		report("attach tcx egress to", ifname, err);
		goto err_detach_xdp;
	}
	ld->tx_link_fd = fd;
	return 0;

err_detach_xdp:
	bpf_link__destroy(ld->xdp_link); /* = XDP detach */
	ld->xdp_link = NULL;
	if (ld->rx_tc_link_fd >= 0)
		close(ld->rx_tc_link_fd); /* = tcx ingress detach */
	ld->rx_tc_link_fd = -1;
err_close:
	loader_stop(ld);
	return err;
}

int loader_consume(struct loader *ld)
{
	return ring_buffer__consume(ld->rb);
}

int loader_consume_stamps(struct loader *ld)
{
	return ring_buffer__consume(ld->stamps_rb);
}

int loader_epoll_fd(struct loader *ld)
{
	return ring_buffer__epoll_fd(ld->rb);
}

int loader_prog_fd_rx(struct loader *ld)
{
	return bpf_program__fd(ld->skel->progs.xhop_rx);
}

int loader_prog_fd_rx_tc(struct loader *ld)
{
	return bpf_program__fd(ld->skel->progs.xhop_rx_tc);
}

int loader_prog_fd_tx(struct loader *ld)
{
	return bpf_program__fd(ld->skel->progs.xhop_tx);
}

int loader_stats(struct loader *ld, __u64 out[XHOP_STAT_MAX])
{
	int ncpu = libbpf_num_possible_cpus(), fd, err = 0;
	__u64 vals[ncpu > 0 ? ncpu : 1];
	__u32 k;

	memset(out, 0, sizeof(__u64) * XHOP_STAT_MAX);
	if (ncpu <= 0 || !ld->skel)
		return -EINVAL;
	fd = bpf_map__fd(ld->skel->maps.stats);
	for (k = 0; k < XHOP_STAT_MAX; k++) {
		if (bpf_map_lookup_elem(fd, &k, vals)) {
			err = -errno;
			continue;
		}
		for (int i = 0; i < ncpu; i++)
			out[k] += vals[i];
	}
	return err;
}

void loader_stop(struct loader *ld)
{
	if (!ld->skel) /* never opened, or already stopped */
		return;
	/* reverse order of loader_start; every step tolerates "never done" */
	if (ld->tx_link_fd >= 0)
		close(ld->tx_link_fd); /* = tcx detach */
	ld->tx_link_fd = -1;
	if (ld->rx_tc_link_fd >= 0)
		close(ld->rx_tc_link_fd);
	ld->rx_tc_link_fd = -1;
	bpf_link__destroy(ld->xdp_link);
	ld->xdp_link = NULL;
	ring_buffer__free(ld->stamps_rb);
	ld->stamps_rb = NULL;
	ring_buffer__free(ld->rb);
	ld->rb = NULL;
	xhop_bpf__destroy(ld->skel);
	ld->skel = NULL;
}
