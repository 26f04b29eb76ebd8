// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include "send/frame.h"

ssize_t frame_build(const struct frame_tmpl *t, const struct send_probe *p, __u8 *buf,
		    size_t cap)
{
	struct probe_spec ps = t->base;
	__u8 pkt[PROBE_MAX_SIZE] __attribute__((aligned(8)));
	__u16 proto = htons(ps.family == 6 ? ETH_P_IPV6 : ETH_P_IP);
	ssize_t n;

	ps.dst = p->dst;
	ps.probe_id = p->probe_id;
	ps.ttl = p->ttl;
	probe_spec_flow(&ps, p->flow);
	/* built aligned, then copied behind the 14-byte Ethernet header:
	 * probe_build() casts wire headers onto its buffer
	 */
	n = probe_build(&ps, t->key, pkt, sizeof(pkt));
	if (n < 0)
		return n;
	if ((size_t)n + FRAME_ETH_LEN > cap)
		return -EMSGSIZE;
	memcpy(buf, t->dst_mac, 6);
	memcpy(buf + 6, t->src_mac, 6);
	memcpy(buf + 12, &proto, 2);
	memcpy(buf + FRAME_ETH_LEN, pkt, (size_t)n);
	return n + FRAME_ETH_LEN;
}
