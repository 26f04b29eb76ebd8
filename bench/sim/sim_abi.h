/* SPDX-License-Identifier: GPL-2.0 */
/* What the simulator's XDP program shares with xhop-sim and the tests. */
#ifndef XHOP_SIM_ABI_H
#define XHOP_SIM_ABI_H

/* Counters of the `stats` per-CPU array, one slot each */
#define SIM_ST_PROBES	   0 /* probes to our ranges */
#define SIM_ST_TIMEX	   1 /* Time Exceeded sent */
#define SIM_ST_UNREACH	   2 /* Destination Unreachable from a last router */
#define SIM_ST_ECHO	   3 /* echo replies */
#define SIM_ST_PORT	   4 /* port unreachables from destinations */
#define SIM_ST_TCP	   5 /* RST or SYN-ACK */
#define SIM_ST_SILENT	   6 /* probes expiring at a silent router */
#define SIM_ST_DEAD	   7 /* probes to a destination that never answers */
#define SIM_ST_RATELIMIT   8 /* answers dropped on purpose by the rate limit */
#define SIM_ST_IGNORED	   9 /* ours but no probe (RSTs, ICMP errors, fragments) */
#define SIM_ST_MALFORMED   10 /* lengths that lie */
#define SIM_ST_REFUSED	   11 /* answers the kernel gave no room for (adjust_head/tail) */
#define SIM_ST_MAX	   12

/* Linux quotes at most this much of an IPv4 packet in an ICMP error
 * (576 bytes in all), and fills an IPv6 error up to the minimum MTU
 */
#define SIM_ICMP4_MAX	   576
#define SIM_ICMP6_MAX	   1280
/* The reply TTL of the router at hop 1: a Linux default of 64 */
#define SIM_REPLY_TTL	   65

#endif /* XHOP_SIM_ABI_H */
