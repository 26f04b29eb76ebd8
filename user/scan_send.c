// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "scan.h"
#include "scan_send.h"

/* the neighbour entry of the next hop: resolved by then, or no generator */
#define NEXTHOP_TIMEOUT_MS 2000

static int open_gen(struct scan_sender *s, const struct probe_spec *base,
		    const struct xhop_key *key, int ifindex, const struct loader *rx,
		    const struct in6_addr *first)
{
	struct gen_cfg cfg = {
		.ifindex = ifindex,
		.family = base->family,
		.method = base->method,
		.src = base->src,
		.key = key,
		.sport = base->sport,
		.dport = base->dport,
		.icmp_sum = base->icmp_sum,
		.size = base->size,
		.tos = base->tos,
		.rx = rx,
	};
	int err;

	err = gen_nexthop_mac(ifindex, base->family, first, cfg.dst_mac, cfg.src_mac,
			      NEXTHOP_TIMEOUT_MS);
	if (err)
		return err;
	return gen_open(&s->gen, &cfg);
}

int scan_sender_open(struct scan_sender *s, int kind, const struct probe_spec *base,
		     const struct xhop_key *key, int ifindex, const char *ifname,
		     const struct loader *rx, const struct in6_addr *first)
{
	int err;

	memset(s, 0, sizeof(*s));
	s->raw.fd = -1;
	s->base = *base;
	s->key = key;
	if (kind != SENDER_RAW && rx) {
		err = open_gen(s, base, key, ifindex, rx, first);
		if (!err) {
			s->kind = SENDER_KERNEL;
			return 0;
		}
		if (kind == SENDER_KERNEL) {
			fprintf(stderr, "xhop: --sender kernel: the generator cannot run here (%s)\n",
				strerror(-err));
			return err;
		}
		fprintf(stderr, "xhop scan: IPv%d probes go through a raw socket instead\n",
			base->family);
	} else if (kind == SENDER_KERNEL) {
		fprintf(stderr, "xhop: --sender kernel: one generator per run; the other "
				"family sends through a socket, use --sender auto\n");
		return -EBUSY;
	}
	s->kind = SENDER_RAW;
	s->bufs = malloc(SCAN_BATCH_MAX * sizeof(*s->bufs));
	if (!s->bufs)
		return -ENOMEM;
	err = probe_sender_open(&s->raw, base->family, ifname);
	if (err) {
		free(s->bufs);
		s->bufs = NULL;
	}
	return err;
}

static int send_raw(struct scan_sender *s, const struct scan_probe *p, int n)
{
	__u8 *pkts[SCAN_BATCH_MAX];
	size_t lens[SCAN_BATCH_MAX];
	struct in6_addr dsts[SCAN_BATCH_MAX];
	int m = 0;

	for (int i = 0; i < n; i++) {
		struct probe_spec ps = s->base;
		ssize_t len;

		ps.dst = p[i].dst;
		ps.probe_id = p[i].probe_id;
		ps.ttl = p[i].ttl;
		len = probe_build(&ps, s->key, s->bufs[m], PROBE_MAX_SIZE);
		if (len < 0)
			continue;
		pkts[m] = s->bufs[m];
		lens[m] = (size_t)len;
		dsts[m] = p[i].dst;
		m++;
	}
	return m ? probe_sender_send_many(&s->raw, pkts, lens, dsts, m) : 0;
}

int scan_sender_send(struct scan_sender *s, const struct scan_probe *p, int n, __u64 *tx_ns)
{
	int sent;

	*tx_ns = 0;
	if (n > SCAN_BATCH_MAX)
		n = SCAN_BATCH_MAX;
	if (n <= 0)
		return 0;
	if (s->kind == SENDER_KERNEL) {
		sent = gen_send(s->gen, p, n, tx_ns);
		if (sent < 0)
			sent = 0;
	} else {
		sent = send_raw(s, p, n);
	}
	s->errors += (__u64)(n - sent);
	s->sent += (__u64)sent;
	return sent;
}

__u64 scan_sender_dropped(struct scan_sender *s)
{
	struct gen_stats st;

	if (s->kind != SENDER_KERNEL || gen_stats(s->gen, &st))
		return 0;
	return st.dropped;
}

void scan_sender_close(struct scan_sender *s)
{
	if (s->gen)
		gen_close(s->gen);
	s->gen = NULL;
	probe_sender_close(&s->raw);
	free(s->bufs);
	s->bufs = NULL;
}

const char *scan_sender_name(const struct scan_sender *s)
{
	return s->kind == SENDER_KERNEL ? "kernel" : "raw";
}
