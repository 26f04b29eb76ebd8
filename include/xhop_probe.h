/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Probe encoding: where a probe carries what is needed to recognise its
 * answers, shared by the userspace builder and the BPF parsers.
 *
 * Every probe carries a 16-bit probe id and a MAC over (destination,
 * protocol, ports, probe id) keyed with a per-run secret: 32 bits for ICMP
 * echo, 16 bits for UDP and TCP, whose random per-run source port is a
 * further 16 bits that a blind forger must guess.
 * A reply is ours only if the fields it quotes (or echoes) carry a MAC
 * that verifies: other people's pings and traceroutes, other xhop runs and
 * blind forgeries fail that check and pass to the kernel untouched.
 *
 * The fields are chosen from the first 8 bytes after the IP header and the
 * IP header itself, which every router quotes (RFC 792), and they keep the
 * flow identifier constant across a trace (Paris traceroute): load balancers
 * hash ports or the first ICMP word, never these fields.
 *
 *   ICMP echo  id = MAC high half, seq = probe id; MAC low half in the
 *              IPv4 ID (every IPv4 error quotes it) and in payload bytes
 *              2-3 (echo replies echo the payload; ICMPv6 errors quote
 *              it). Payload bytes 0-1 hold the checksum constant per trace.
 *   UDP        ports fixed per trace; checksum = MAC (payload compensates);
 *              probe id in the IPv4 ID and in payload bytes 0-1 (IPv6 has
 *              no ID; ICMPv6 errors quote as much as fits in 1280 bytes).
 *   TCP SYN    ports fixed per trace; seq = probe id << 16 | MAC; the
 *              SYN-ACK or RST acknowledges seq + 1.
 */
#ifndef XHOP_PROBE_H
#define XHOP_PROBE_H

#include <linux/types.h>
#include "xhop_siphash.h"

struct xhop_key {
	__u64 k0;
	__u64 k1;
};

/* UDP payload: probe id, then the two bytes that steer the checksum */
#define XHOP_UDP_PAYLOAD_ID_OFF	  0
#define XHOP_UDP_PAYLOAD_FIX_OFF  2
/* ICMP echo payload: the two bytes that hold the checksum constant, then
 * the low half of the MAC
 */
#define XHOP_ICMP_PAYLOAD_FIX_OFF 0
#define XHOP_ICMP_PAYLOAD_MAC_OFF 2

#define XHOP_PROBE_MIN_PAYLOAD 4

/*
 * 32-bit MAC of one probe, the destination given as the message's first
 * two words: its 16 bytes (IPv4 mapped as ::ffff:a.b.c.d) read big-endian,
 * bytes 0-7 and 8-15. ports is sport << 16 | dport, 0 for ICMP. A blind
 * forger who knows the target hits with odds 2^-32 per packet (ICMP: the
 * whole MAC; UDP/TCP: the low 16 bits and the source port). Userspace
 * then also demands an outstanding, unanswered probe id. The XDP receiver
 * makes the two words straight from the addresses in the packet: a
 * 16-byte copy read back byte by byte costs it more than a SipHash round.
 */
static __always_inline __u32 xhop_probe_mac_words(const struct xhop_key *key, __u64 dst_hi,
						  __u64 dst_lo, __u8 proto, __u32 ports,
						  __u16 probe_id)
{
	__u64 w2 = ((__u64)proto << 48) | ((__u64)ports << 16) | probe_id;

	return (__u32)xhop_siphash13_3w(key->k0, key->k1, dst_hi, dst_lo, w2);
}

/* The same MAC of a destination as 16 bytes */
static __always_inline __u32 xhop_probe_mac(const struct xhop_key *key, const __u8 *dst,
					    __u8 proto, __u32 ports, __u16 probe_id)
{
	__u64 w0 = 0, w1 = 0;
	int i;

#ifdef __clang__
#pragma unroll
#endif
	for (i = 0; i < 8; i++) {
		w0 = (w0 << 8) | dst[i];
		w1 = (w1 << 8) | dst[8 + i];
	}
	return xhop_probe_mac_words(key, w0, w1, proto, ports, probe_id);
}

/*
 * A UDP checksum of 0 means "none" (IPv4) or is illegal (IPv6); RFC 768
 * sends a computed 0 as 0xffff. So the MAC travels in the checksum field
 * in that form, and both sides compare this form.
 */
static __always_inline __u16 xhop_udp_check_of(__u16 mac)
{
	return mac ? mac : 0xffff;
}

/*
 * A raw socket replaces an IPv4 ID of 0 with one of its own, so the MAC
 * half in the IPv4 ID travels in the same never-zero form.
 */
static __always_inline __u16 xhop_ipid_of(__u16 mac_lo)
{
	return mac_lo ? mac_lo : 0xffff;
}

static __always_inline __u32 xhop_tcp_seq(__u16 probe_id, __u16 mac)
{
	return ((__u32)probe_id << 16) | mac;
}

#endif /* XHOP_PROBE_H */
