// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "scan.h"
#include "scan_send.h"

int scan_sender_open(struct scan_sender *s, int kind, const struct probe_spec *base,
		     const struct xhop_key *key, int ifindex, const char *ifname)
{
	int err;

	(void)ifindex;
	memset(s, 0, sizeof(*s));
	s->raw.fd = -1;
	s->base = *base;
	s->key = key;
	if (kind == SENDER_KERNEL) {
		fprintf(stderr, "xhop: --sender kernel: the in-kernel generator is not built in\n");
		return -EOPNOTSUPP;
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

int scan_sender_send(struct scan_sender *s, const struct scan_probe *p, int n, __u64 *tx_ns)
{
	__u8 *pkts[SCAN_BATCH_MAX];
	size_t lens[SCAN_BATCH_MAX];
	struct in6_addr dsts[SCAN_BATCH_MAX];
	int m = 0, sent;

	*tx_ns = 0;
	if (n > SCAN_BATCH_MAX)
		n = SCAN_BATCH_MAX;
	for (int i = 0; i < n; i++) {
		struct probe_spec ps = s->base;
		ssize_t len;

		ps.dst = p[i].dst;
		ps.probe_id = p[i].probe_id;
		ps.ttl = p[i].ttl;
		len = probe_build(&ps, s->key, s->bufs[m], PROBE_MAX_SIZE);
		if (len < 0) {
			s->errors++;
			continue;
		}
		pkts[m] = s->bufs[m];
		lens[m] = (size_t)len;
		dsts[m] = p[i].dst;
		m++;
	}
	sent = m ? probe_sender_send_many(&s->raw, pkts, lens, dsts, m) : 0;
	s->errors += (__u64)(m - sent);
	s->sent += (__u64)sent;
	return sent;
}

void scan_sender_close(struct scan_sender *s)
{
	probe_sender_close(&s->raw);
	free(s->bufs);
	s->bufs = NULL;
}

const char *scan_sender_name(const struct scan_sender *s)
{
	return s->kind == SENDER_KERNEL ? "kernel" : "raw";
}
