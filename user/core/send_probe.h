/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every sender takes and gives back: the varying part of a probe
 * (the rest, source, ports, method, size, is fixed per run and family),
 * and per probe whether it left and when.
 */
#ifndef XHOP_SEND_PROBE_H
#define XHOP_SEND_PROBE_H

#include <netinet/in.h>
#include <linux/types.h>

struct send_probe {
	struct in6_addr dst; /* IPv4 as ::ffff:a.b.c.d */
	__u16 probe_id;
	__u8 ttl;
	__u8 _pad;
	/*
	 * The probe's flow: 0 the run's (Paris); n its n-th neighbour, the
	 * source port + n (UDP, TCP) or the ICMP checksum + n (xhop
	 * multipath, whose runs open the sender with flows > n)
	 */
	__u16 flow;
};

/*
 * One probe after a send. err: 0 it left (the driver or the socket took
 * it), else -errno and it is no measurement. tx_ns: its kernel send
 * stamp (CLOCK_MONOTONIC) when the sender knows it at once; 0 when it
 * comes later as an XHOP_EV_TX event of the tc egress program.
 */
struct send_result {
	__u64 tx_ns;
	__s32 err;
	__u32 _pad;
};

#endif
