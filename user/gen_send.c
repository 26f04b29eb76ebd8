// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel probe sender: one template frame, work items in the
 * generator's mmapped .bss, one bpf_prog_test_run_opts() per batch with
 * live frames. See bpf/xhop_gen.bpf.c for the kernel side.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <linux/genetlink.h>
#include <linux/if_ether.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "gen_send.h"
#include "probe_build.h"
#include "route.h"
#include "xhop_gen.h" /* the skeleton's .bss holds struct xhop_gen_state */
#include "xhop.skel.h"
#include "xhop_gen.skel.h"

/* netdev generic netlink family (kernel 6.3+); Debian 12's headers predate it */
#define GEN_NETDEV_CMD_DEV_GET	       1
#define GEN_NETDEV_A_DEV_IFINDEX       1
#define GEN_NETDEV_A_DEV_XDP_FEATURES  3
#define GEN_NETDEV_XDP_ACT_NDO_XMIT    4

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

static void report(const char *what, const char *obj, int err)
{
	char msg[128];

	libbpf_strerror(err, msg, sizeof(msg));
	fprintf(stderr, "xhop: %s %s: %s\n", what, obj, msg);
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

static int if_name_of(int ifindex, char *name)
{
	if (!if_indextoname(ifindex, name))
		return -errno;
	return 0;
}

/* ARPHRD_* of the device and IFF_UP, through one ioctl socket */
static int dev_type_up(const char *ifname, int *type, int *up)
{
	struct ifreq ifr = { 0 };
	int fd, err = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr)) {
		err = -errno;
		goto out;
	}
	*type = ifr.ifr_hwaddr.sa_family;
	if (ioctl(fd, SIOCGIFFLAGS, &ifr)) {
		err = -errno;
		goto out;
	}
	*up = !!(ifr.ifr_flags & IFF_UP);
out:
	close(fd);
	return err;
}

/* A generic netlink request; the reply lands in buf. -errno or its length */
static int genl_call(int fd, __u16 type, __u8 cmd, __u16 attr, const void *val, int vlen,
		     char *buf, size_t cap)
{
	struct {
		struct nlmsghdr nh;
		struct genlmsghdr g;
		char attrs[64];
	} req = { 0 };
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct rtattr *rta;
	struct nlmsghdr *nh;
	ssize_t n;

	req.nh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	req.nh.nlmsg_type = type;
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	req.g.cmd = cmd;
	req.g.version = 1;
	rta = (struct rtattr *)((char *)&req + NLMSG_ALIGN(req.nh.nlmsg_len));
	rta->rta_type = attr;
	rta->rta_len = RTA_LENGTH(vlen);
	memcpy(RTA_DATA(rta), val, vlen);
	req.nh.nlmsg_len = NLMSG_ALIGN(req.nh.nlmsg_len) + RTA_SPACE(vlen);
	if (sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	n = recv(fd, buf, cap, 0);
	if (n < 0)
		return -errno;
	nh = (struct nlmsghdr *)buf;
	if (!NLMSG_OK(nh, (size_t)n))
		return -EPROTO;
	if (nh->nlmsg_type == NLMSG_ERROR) {
		struct nlmsgerr *e = NLMSG_DATA(nh);

		return e->error ? e->error : -EPROTO;
	}
	return (int)n;
}

/* The attribute of type t in a generic netlink reply, or NULL */
static struct rtattr *genl_attr(char *buf, int n, __u16 t)
{
	struct nlmsghdr *nh = (struct nlmsghdr *)buf;
	struct rtattr *rta = (struct rtattr *)((char *)NLMSG_DATA(nh) + GENL_HDRLEN);
	int len = (int)nh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);

	if (len > n)
		return NULL;
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		if ((rta->rta_type & NLA_TYPE_MASK) == t)
			return rta;
	return NULL;
}

int gen_dev_can_xmit(int ifindex)
{
	char buf[4096];
	struct rtattr *a;
	__u64 features = 0;
	__u16 fam;
	__u32 idx = ifindex;
	int fd, n, err;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		return -errno;
	n = genl_call(fd, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, CTRL_ATTR_FAMILY_NAME, "netdev", 7,
		      buf, sizeof(buf));
	if (n < 0) {
		err = n == -ENOENT ? -EOPNOTSUPP : n; /* no netdev family: before 6.3 */
		goto out;
	}
	a = genl_attr(buf, n, CTRL_ATTR_FAMILY_ID);
	if (!a || RTA_PAYLOAD(a) < 2) {
		err = -EPROTO;
		goto out;
	}
	memcpy(&fam, RTA_DATA(a), 2);
	n = genl_call(fd, fam, GEN_NETDEV_CMD_DEV_GET, GEN_NETDEV_A_DEV_IFINDEX, &idx, 4, buf,
		      sizeof(buf));
	if (n < 0) {
		err = n;
		goto out;
	}
	a = genl_attr(buf, n, GEN_NETDEV_A_DEV_XDP_FEATURES);
	if (!a || RTA_PAYLOAD(a) < 8) {
		err = -EPROTO;
		goto out;
	}
	memcpy(&features, RTA_DATA(a), 8);
	err = !!(features & GEN_NETDEV_XDP_ACT_NDO_XMIT);
out:
	close(fd);
	return err;
}

/* Can frames be redirected to the device? 0, or -errno with the reason said */
static int check_device(const struct gen_cfg *cfg, const char *ifname)
{
	int type = 0, up = 0, err;

	if (cfg->no_dev_check)
		return 0;
	err = dev_type_up(ifname, &type, &up);
	if (err) {
		fprintf(stderr, "xhop: generator on %s: %s\n", ifname, strerror(-err));
		return err;
	}
	if (type != ARPHRD_ETHER) {
		fprintf(stderr, "xhop: generator on %s: not an Ethernet device\n", ifname);
		return -EOPNOTSUPP;
	}
	if (!up) {
		fprintf(stderr, "xhop: generator on %s: device is down\n", ifname);
		return -ENETDOWN;
	}
	err = gen_dev_can_xmit(cfg->ifindex);
	if (err == 0) {
		fprintf(stderr, "xhop: generator on %s: the driver takes no XDP frames "
				"(no ndo_xdp_xmit; a veth needs an XDP program or GRO on its "
				"peer)\n", ifname);
		return -EOPNOTSUPP;
	}
	if (err < 0 && err != -EOPNOTSUPP)
		fprintf(stderr, "xhop: generator on %s: warning: cannot query XDP features "
				"(%s); counting what the driver takes\n", ifname, strerror(-err));
	return 0;
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

int gen_open(struct gen_sender **out, const struct gen_cfg *cfg)
{
	char ifname[IF_NAMESIZE] = "?";
	struct bpf_program *xmit;
	struct gen_sender *g;
	__u32 csum_ip, csum_l4;
	int err;

	*out = NULL;
	if ((cfg->family != 4 && cfg->family != 6) || cfg->method < METHOD_ICMP ||
	    cfg->method > METHOD_TCP || !cfg->key ||
	    (cfg->family == 4) != !!addr_is_v4(&cfg->src)) {
		fprintf(stderr, "xhop: generator: invalid configuration\n");
		return -EINVAL;
	}
	err = if_name_of(cfg->ifindex, ifname);
	if (err) {
		fprintf(stderr, "xhop: generator: interface %d: %s\n", cfg->ifindex,
			strerror(-err));
		return err;
	}
	err = check_device(cfg, ifname);
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
		fprintf(stderr, "xhop: generator: build template probe: %s\n", strerror(-err));
		goto err_free;
	}
	const_sums(cfg, g->frame + ETH_HLEN, g->frame_len - ETH_HLEN, g->proto, &csum_ip,
		   &csum_l4);

	if (cfg->rx) {
		struct xhop_bpf *rs = cfg->rx->skel;

		if (!rs || rs->rodata->key0 != cfg->key->k0 || rs->rodata->key1 != cfg->key->k1) {
			fprintf(stderr, "xhop: generator: the receiver is not loaded with this key\n");
			err = -EINVAL;
			goto err_free;
		}
		g->rx = cfg->rx;
		g->st = &rs->bss->gen;
		xmit = rs->progs.xhop_gen_xmit;
		g->prog_fd = bpf_program__fd(rs->progs.xhop_rx);
	} else {
		g->skel = xhop_gen_bpf__open();
		if (!g->skel) {
			err = -errno;
			report("open", "generator BPF object", err);
			goto err_free;
		}
		g->skel->rodata->key0 = cfg->key->k0;
		g->skel->rodata->key1 = cfg->key->k1;
		err = xhop_gen_bpf__load(g->skel);
		if (err) {
			report("load", "generator BPF program (-vv shows the verifier log)", err);
			goto err_destroy;
		}
		g->st = &g->skel->bss->gen;
		xmit = g->skel->progs.xhop_gen_xmit;
		g->prog_fd = bpf_program__fd(g->skel->progs.xhop_gen);
	}
	memset(g->st, 0, sizeof(*g->st));
	g->st->conf.out_ifindex = cfg->ifindex;
	g->st->conf.csum_ip = csum_ip;
	g->st->conf.csum_l4 = csum_l4;
	g->st->conf.ports = g->ports;
	g->st->conf.family = cfg->family;
	g->st->conf.method = cfg->method;
	g->st->conf.proto = g->proto;
	g->st->conf.mac_in_bpf = !g->mac_user;
	g->xmit_link = bpf_program__attach_raw_tracepoint(xmit, "xdp_devmap_xmit");
	if (!g->xmit_link) {
		err = -errno;
		report("attach", "tracepoint xdp_devmap_xmit", err);
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

/* ---- next-hop MAC ---- */

static int neigh_usable(__u16 state)
{
	return state & (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT |
			NUD_NOARP);
}

/* The neighbour entry of addr on ifindex: 0 (mac set), -ENOENT, -errno */
static int neigh_find(int ifindex, int family, const struct in6_addr *addr, __u8 mac[6])
{
	struct {
		struct nlmsghdr nh;
		struct ndmsg nd;
	} req = { 0 };
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	const void *want = family == 6 ? (const void *)addr : &addr->s6_addr[12];
	size_t alen = family == 6 ? 16 : 4;
	static char buf[32768];
	int fd, err = -ENOENT, done = 0;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ndmsg));
	req.nh.nlmsg_type = RTM_GETNEIGH;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nd.ndm_family = family == 6 ? AF_INET6 : AF_INET;
	if (sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = -errno;
		goto out;
	}
	while (!done) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *nh;

		if (n < 0) {
			err = -errno;
			break;
		}
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)n); nh = NLMSG_NEXT(nh, n)) {
			struct ndmsg *nd;
			struct rtattr *rta;
			const void *dst = NULL, *ll = NULL;
			int len;

			if (nh->nlmsg_type == NLMSG_DONE || nh->nlmsg_type == NLMSG_ERROR) {
				done = 1;
				break;
			}
			if (nh->nlmsg_type != RTM_NEWNEIGH || err == 0)
				continue;
			nd = NLMSG_DATA(nh);
			if (nd->ndm_ifindex != ifindex || !neigh_usable(nd->ndm_state))
				continue;
			len = RTM_PAYLOAD(nh);
			for (rta = (struct rtattr *)((char *)nd + NLMSG_ALIGN(sizeof(*nd)));
			     RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
				if (rta->rta_type == NDA_DST && RTA_PAYLOAD(rta) == alen)
					dst = RTA_DATA(rta);
				else if (rta->rta_type == NDA_LLADDR && RTA_PAYLOAD(rta) == 6)
					ll = RTA_DATA(rta);
			}
			if (dst && ll && !memcmp(dst, want, alen)) {
				memcpy(mac, ll, 6);
				err = 0;
			}
		}
	}
out:
	close(fd);
	return err;
}

/* A one-byte UDP datagram with TTL 1 towards dst: it makes the kernel
 * resolve the next hop, and dies there
 */
static int neigh_trigger(const char *ifname, int family, const struct in6_addr *dst)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t slen;
	int fd, one = 1, err = 0;

	fd = socket(family == 6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, strlen(ifname) + 1) ||
	    (family == 6 ? setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &one, sizeof(one))
			 : setsockopt(fd, IPPROTO_IP, IP_TTL, &one, sizeof(one)))) {
		err = -errno;
		goto out;
	}
	if (family == 6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = *dst;
		s6->sin6_port = htons(33434);
		slen = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, &dst->s6_addr[12], 4);
		s4->sin_port = htons(33434);
		slen = sizeof(*s4);
	}
	if (sendto(fd, "", 1, 0, (struct sockaddr *)&ss, slen) < 0)
		err = -errno;
out:
	close(fd);
	return err;
}

static int if_mac(const char *ifname, __u8 mac[6])
{
	struct ifreq ifr = { 0 };
	int fd, err = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		err = -errno;
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(fd);
	return err;
}

static __u64 now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int gen_nexthop_mac(int ifindex, int family, const struct in6_addr *dst, __u8 mac[6],
		    __u8 src_mac[6], int timeout_ms)
{
	char ifname[IF_NAMESIZE] = "?";
	struct route_info ri;
	const struct in6_addr *nh;
	__u64 deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	int err, triggered = 0;

	err = if_name_of(ifindex, ifname);
	if (!err)
		err = if_mac(ifname, src_mac);
	if (err) {
		fprintf(stderr, "xhop: next hop: interface %d: %s\n", ifindex, strerror(-err));
		return err;
	}
	err = route_lookup(dst, family, ifindex, &ri);
	if (err) {
		fprintf(stderr, "xhop: next hop: no route on %s: %s\n", ifname, strerror(-err));
		return err;
	}
	nh = ri.has_gw ? &ri.gw : dst;
	for (;;) {
		err = neigh_find(ifindex, family, nh, mac);
		if (err != -ENOENT)
			break;
		if (!triggered) {
			err = neigh_trigger(ifname, family, dst);
			if (err)
				break;
			triggered = 1;
		}
		if (now_ms() >= deadline) {
			err = -EHOSTUNREACH;
			break;
		}
		poll(NULL, 0, 5); /* the neighbour table has no event to wait on here */
	}
	if (err) {
		char a[INET6_ADDRSTRLEN] = "?";

		inet_ntop(family == 6 ? AF_INET6 : AF_INET,
			  family == 6 ? (const void *)nh : &nh->s6_addr[12], a, sizeof(a));
		fprintf(stderr, "xhop: next hop %s on %s: %s\n", a, ifname,
			err == -EHOSTUNREACH ? "no neighbour entry (unresolved)" : strerror(-err));
	}
	return err;
}
