// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <net/if_arp.h>
#include "core/log.h"
#include "net/addr.h"
#include "net/neigh.h"
#include "net/netdev.h"
#include "plan/path_table.h" /* PATH_WARMUP_ID */
#include "send/gen_send.h"
#include "send/packet_send.h"
#include "send/sender.h"
#include "send/xsk_send.h"

/* the next hop's neighbour entry: resolved by then, or no frame sender */
#define NEXTHOP_TIMEOUT_MS 2000

static const char *const kind_names[SENDER_KINDS] = {
	[SENDER_AUTO] = "auto",	    [SENDER_KERNEL] = "kernel", [SENDER_XDP] = "xdp",
	[SENDER_PACKET] = "packet", [SENDER_RAW] = "raw",
};

const char *sender_kind_name(int kind)
{
	return kind >= 0 && kind < SENDER_KINDS ? kind_names[kind] : NULL;
}

int sender_kind_parse(const char *name)
{
	for (int k = 0; k < SENDER_KINDS; k++)
		if (!strcmp(name, kind_names[k]))
			return k;
	return -1;
}

/* The frame template of family f: our MAC and the next hop's. 0 or -errno */
static int frame_tmpl_init(struct sender *s, const struct sender_cfg *cfg, int f, char *why)
{
	struct frame_tmpl *t = &s->tmpl[f];
	int type = 0, up = 0, err;

	if (t->key)
		return 0; /* made for an earlier rung */
	err = netdev_type_up(s->ifname, &type, &up);
	if (!err && type != ARPHRD_ETHER)
		err = -EOPNOTSUPP;
	if (!err && !up)
		err = -ENETDOWN;
	if (err) {
		snprintf(why, SENDER_WHY_MAX, "%s: %s", s->ifname,
			 err == -EOPNOTSUPP ? "not an Ethernet device"
			 : err == -ENETDOWN ? "device is down" : strerror(-err));
		return err;
	}
	err = neigh_nexthop_mac(s->ifindex, f ? 6 : 4, &cfg->first[f], t->dst_mac, t->src_mac,
				NEXTHOP_TIMEOUT_MS);
	if (err) {
		snprintf(why, SENDER_WHY_MAX, "no next-hop address on %s (%s)", s->ifname,
			 strerror(-err));
		return err;
	}
	t->base = s->base[f];
	t->key = cfg->key;
	return 0;
}

static int open_kernel(struct sender *s, const struct sender_cfg *cfg, int f, char *why)
{
	const struct probe_spec *b = &cfg->base[f];
	struct gen_cfg gc = {
		.ifindex = s->ifindex, .family = f ? 6 : 4, .method = b->method, .src = b->src,
		.key = cfg->key, .sport = b->sport, .dport = b->dport, .icmp_sum = b->icmp_sum,
		.size = b->size, .tos = b->tos, .rx = cfg->rx, .why = why,
	};
	int err;

	if (!cfg->rx) {
		snprintf(why, SENDER_WHY_MAX, "no receiver to generate in");
		return -EOPNOTSUPP;
	}
	if (cfg->flows > 1) {
		/* its work items carry no flow: one per run (bpf/gen.h) */
		snprintf(why, SENDER_WHY_MAX, "the generator sends the run's one flow, not %u",
			 cfg->flows);
		return -EOPNOTSUPP;
	}
	if (s->gen_used) {
		/* the receiver's program holds one generator's state */
		snprintf(why, SENDER_WHY_MAX, "one generator per run, taken by the other family");
		return -EBUSY;
	}
	err = frame_tmpl_init(s, cfg, f, why);
	if (err)
		return err;
	memcpy(gc.src_mac, s->tmpl[f].src_mac, 6);
	memcpy(gc.dst_mac, s->tmpl[f].dst_mac, 6);
	err = gen_open(&s->gen[f], &gc);
	if (!err)
		s->gen_used = 1;
	return err;
}

static int open_xdp(struct sender *s, const struct sender_cfg *cfg, int f, char *why)
{
	int err = frame_tmpl_init(s, cfg, f, why);

	if (err || s->xsk)
		return err;
	return xsk_sender_open(&s->xsk, s->ifname, &s->xsk_zerocopy, &s->xsk_stamped, why,
			       SENDER_WHY_MAX);
}

static int open_packet(struct sender *s, const struct sender_cfg *cfg, int f, char *why)
{
	int err = frame_tmpl_init(s, cfg, f, why);

	if (err || s->pkt)
		return err;
	return packet_sender_open(&s->pkt, s->ifindex, why, SENDER_WHY_MAX);
}

static int open_raw(struct sender *s, const struct sender_cfg *cfg, int f, char *why)
{
	if (!s->bufs) {
		s->bufs = malloc(SENDER_BATCH_MAX * sizeof(*s->bufs));
		if (!s->bufs) {
			snprintf(why, SENDER_WHY_MAX, "out of memory");
			return -ENOMEM;
		}
	}
	return raw_sender_open(&s->raw[f], f ? 6 : 4, cfg->ifname, why, SENDER_WHY_MAX);
}

/* Undo what opening family f's rung made that nothing else uses */
static void close_rung(struct sender *s, int f)
{
	int other = s->kind[!f];

	switch (s->kind[f]) {
	case SENDER_KERNEL:
		gen_close(s->gen[f]);
		s->gen[f] = NULL;
		s->gen_used = 0;
		break;
	case SENDER_XDP:
		if (other != SENDER_XDP) {
			xsk_sender_close(s->xsk);
			s->xsk = NULL;
		}
		break;
	case SENDER_PACKET:
		if (other != SENDER_PACKET) {
			packet_sender_close(s->pkt);
			s->pkt = NULL;
		}
		break;
	case SENDER_RAW:
		raw_sender_close(&s->raw[f]);
		break;
	}
	s->kind[f] = SENDER_AUTO;
}

/*
 * One probe through the new rung must leave: the warm-up id at TTL 1,
 * which dies at the first hop and whose answer every mode ignores
 */
static int trial(struct sender *s, const struct sender_cfg *cfg, int f, char *why)
{
	struct send_probe p = { .dst = cfg->first[f], .probe_id = PATH_WARMUP_ID, .ttl = 1 };
	struct send_result r = { 0 };
	__u64 sent = s->sent[f], errors = s->errors[f];
	int n = sender_send(s, f, &p, 1, &r);

	/* a trial is no probe of the run */
	s->sent[f] = sent;
	s->errors[f] = errors;
	s->fail_run = 0;
	if (n == 1 && !r.err)
		return 0;
	snprintf(why, SENDER_WHY_MAX, "a trial probe did not leave (%s)",
		 r.err ? strerror(-r.err) : "the driver took no frame");
	return r.err ? r.err : -EIO;
}

static int open_rung(struct sender *s, const struct sender_cfg *cfg, int f, int kind, char *why)
{
	int err;

	switch (kind) {
	case SENDER_KERNEL:
		err = open_kernel(s, cfg, f, why);
		break;
	case SENDER_XDP:
		err = open_xdp(s, cfg, f, why);
		break;
	case SENDER_PACKET:
		err = open_packet(s, cfg, f, why);
		break;
	default:
		err = open_raw(s, cfg, f, why);
		break;
	}
	if (err)
		return err;
	s->kind[f] = kind;
	err = trial(s, cfg, f, why);
	if (err)
		close_rung(s, f);
	return err;
}

/* "kernel: live frames refused ...; xdp: ..." for the rungs above kind */
static void why_above(char why[SENDER_KINDS][SENDER_WHY_MAX], int kind, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = 0;
	for (int k = SENDER_KERNEL; k < kind && off < len; k++) {
		if (!why[k][0])
			continue;
		off += (size_t)snprintf(buf + off, len - off, "%s%s: %s", off ? "; " : "",
					kind_names[k], why[k]);
	}
}

static int open_family(struct sender *s, const struct sender_cfg *cfg, int f,
		       char why[SENDER_KINDS][SENDER_WHY_MAX])
{
	int first = cfg->kind == SENDER_AUTO ? SENDER_KERNEL : cfg->kind;
	int last = cfg->kind == SENDER_AUTO ? SENDER_RAW : cfg->kind, err = -ENODEV;

	for (int k = first; k <= last; k++) {
		why[k][0] = 0;
		err = open_rung(s, cfg, f, k, why[k]);
		if (!err)
			return 0;
		if (cfg->kind == SENDER_AUTO)
			log_info("%s: IPv%d sender %s: %s\n", cfg->who, f ? 6 : 4,
				kind_names[k], why[k]);
	}
	if (cfg->kind != SENDER_AUTO)
		log_err("%s: --sender %s: %s\n", cfg->who, kind_names[cfg->kind],
			why[cfg->kind]);
	else
		log_err("%s: no sender works on %s for IPv%d: raw: %s\n", cfg->who,
			s->ifname, f ? 6 : 4, why[SENDER_RAW]);
	return err;
}

int sender_open(struct sender *s, const struct sender_cfg *cfg)
{
	char why[2][SENDER_KINDS][SENDER_WHY_MAX];
	char above[2][4 * SENDER_WHY_MAX];
	int err;

	memset(why, 0, sizeof(why));
	memset(above, 0, sizeof(above));
	memset(s, 0, sizeof(*s));
	s->raw[0].fd = s->raw[1].fd = -1;
	s->ifindex = cfg->ifindex;
	s->key = cfg->key;
	s->base[0] = cfg->base[0];
	s->base[1] = cfg->base[1];
	if (!if_indextoname((unsigned int)cfg->ifindex, s->ifname)) {
		err = -errno;
		log_err("%s: interface %d: %s\n", cfg->who, cfg->ifindex, strerror(-err));
		return err;
	}
	for (int f = 0; f < 2; f++) {
		if (!cfg->has[f])
			continue;
		err = open_family(s, cfg, f, why[f]);
		if (err) {
			sender_close(s);
			return err;
		}
		/* auto says why it took no faster rung */
		if (cfg->kind == SENDER_AUTO)
			why_above(why[f], s->kind[f], above[f], sizeof(above[f]));
	}
	if (!cfg->say)
		return 0;
	/* one line: what was taken, and why not anything faster */
	if (!cfg->has[0] || !cfg->has[1] || s->kind[0] == s->kind[1]) {
		int f = cfg->has[0] ? 0 : 1;

		log_notice("%s: sender %s%s on %s%s%s%s\n", cfg->who, kind_names[s->kind[f]],
			s->kind[f] == SENDER_XDP ? (s->xsk_zerocopy ? " (zero-copy)" : " (copy mode)")
						 : "",
			s->ifname, above[f][0] ? " (" : "", above[f], above[f][0] ? ")" : "");
	} else {
		log_notice("%s: senders %s (IPv4), %s (IPv6) on %s%s%s%s%s%s\n", cfg->who,
			kind_names[s->kind[0]], kind_names[s->kind[1]], s->ifname,
			above[0][0] || above[1][0] ? " (" : "", above[0],
			above[0][0] && above[1][0] ? "; " : "", above[1],
			above[0][0] || above[1][0] ? ")" : "");
	}
	return 0;
}

static int send_raw(struct sender *s, int f, const struct send_probe *p, int n,
		    struct send_result *res)
{
	__u8 *pkts[SENDER_BATCH_MAX];
	size_t lens[SENDER_BATCH_MAX];
	struct in6_addr dsts[SENDER_BATCH_MAX];
	int idx[SENDER_BATCH_MAX], err[SENDER_BATCH_MAX], m = 0, sent;

	for (int i = 0; i < n; i++) {
		struct probe_spec ps = s->base[f];
		ssize_t len;

		ps.dst = p[i].dst;
		ps.probe_id = p[i].probe_id;
		ps.ttl = p[i].ttl;
		probe_spec_flow(&ps, p[i].flow);
		len = probe_build(&ps, s->key, s->bufs[m], PROBE_MAX_SIZE);
		res[i].tx_ns = 0; /* xhop_tx stamps it at tc egress */
		res[i].err = len < 0 ? (int)len : 0;
		if (len < 0)
			continue;
		pkts[m] = s->bufs[m];
		lens[m] = (size_t)len;
		dsts[m] = p[i].dst;
		idx[m++] = i;
	}
	if (!m)
		return 0;
	sent = raw_sender_send_many(&s->raw[f], pkts, lens, dsts, m, err);
	for (int k = 0; k < m; k++)
		res[idx[k]].err = err[k];
	return sent;
}

static int send_kernel(struct sender *s, int f, const struct send_probe *p, int n,
		       struct send_result *res)
{
	__u64 tx_ns = 0;
	int ret = gen_send(s->gen[f], p, n, &tx_ns);

	/*
	 * Which frames a driver dropped after taking the batch is unknown
	 * (they are counted: sender_driver_drops()); all or nothing here
	 */
	for (int i = 0; i < n; i++) {
		res[i].err = ret < 0 ? ret : ret == 0 ? -EIO : 0;
		res[i].tx_ns = ret > 0 ? tx_ns : 0;
	}
	return ret > 0 ? n : 0;
}

int sender_send(struct sender *s, int f, const struct send_probe *p, int n,
		struct send_result *res)
{
	int sent;

	if (n <= 0)
		return 0;
	if (n > SENDER_BATCH_MAX)
		n = SENDER_BATCH_MAX;
	switch (s->kind[f]) {
	case SENDER_KERNEL:
		sent = send_kernel(s, f, p, n, res);
		break;
	case SENDER_XDP:
		sent = xsk_sender_send(s->xsk, &s->tmpl[f], p, n, res);
		break;
	case SENDER_PACKET:
		sent = packet_sender_send(s->pkt, &s->tmpl[f], p, n, res);
		break;
	case SENDER_RAW:
		sent = send_raw(s, f, p, n, res);
		break;
	default:
		sent = -ENOTCONN;
		break;
	}
	if (sent < 0) {
		for (int i = 0; i < n; i++)
			res[i].err = sent;
		sent = 0;
	}
	for (int i = 0; i < n; i++) {
		if (!res[i].err) {
			s->fail_run = 0;
			continue;
		}
		s->fail_run = sender_fatal(res[i].err) ? SENDER_FAIL_RUN : s->fail_run + 1;
		s->fail_err = res[i].err;
	}
	s->sent[f] += (__u64)sent;
	s->errors[f] += (__u64)(n - sent);
	return sent;
}

int sender_failing(const struct sender *s)
{
	return s->fail_run >= SENDER_FAIL_RUN ? s->fail_err : 0;
}

const char *sender_name(const struct sender *s, int f)
{
	return kind_names[s->kind[f]];
}

__u64 sender_driver_drops(struct sender *s)
{
	__u64 n = 0;
	struct gen_stats st;

	for (int f = 0; f < 2; f++)
		if (s->gen[f] && !gen_stats(s->gen[f], &st))
			n += st.dropped;
	if (s->xsk)
		n += xsk_sender_dropped(s->xsk);
	return n;
}

__u64 sender_stamps_user(const struct sender *s)
{
	return (s->xsk ? xsk_sender_unstamped(s->xsk) : 0) +
	       (s->pkt ? packet_sender_unstamped(s->pkt) : 0);
}

void sender_close(struct sender *s)
{
	if (!s->ifindex)
		return; /* never opened (zeroed): its raw fds are not -1 yet */
	for (int f = 0; f < 2; f++) {
		gen_close(s->gen[f]);
		s->gen[f] = NULL;
		raw_sender_close(&s->raw[f]);
		s->kind[f] = SENDER_AUTO;
	}
	xsk_sender_close(s->xsk);
	s->xsk = NULL;
	packet_sender_close(s->pkt);
	s->pkt = NULL;
	free(s->bufs);
	s->bufs = NULL;
	s->ifindex = 0;
}
