/* SPDX-License-Identifier: GPL-2.0 */
/* Crafting reply frames (Ethernet first) around probes, for the BPF tests. */
#ifndef XHOP_TEST_PKT_H
#define XHOP_TEST_PKT_H

#include <stddef.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <linux/types.h>
#include "core/probe_build.h"

#define PKT_MAX 2048

struct pkt {
	__u8 data[PKT_MAX];
	size_t len;
};

/* "198.18.1.1" or "2001:2::1" into the 16-byte mapped form; aborts on junk */
struct in6_addr pkt_addr(const char *s);

/*
 * Ethernet + IP(from -> to) + ICMP/ICMPv6 error (type, code) quoting the
 * first quote_len bytes of probe (quote_len 0: all of it). A Time Exceeded
 * quotes the probe with TTL / hop limit 1, as it expired; other errors
 * quote the probe bytes as given.
 */
void pkt_icmp_error(struct pkt *p, const struct in6_addr *from, const struct in6_addr *to,
		    __u8 type, __u8 code, const __u8 *probe, size_t probe_len, size_t quote_len);
/* Echo reply to an echo probe: id, seq and payload echoed, from the target */
void pkt_echo_reply(struct pkt *p, const __u8 *probe, size_t probe_len);
/* TCP answer to a SYN probe: flags (SYN|ACK or RST|ACK), ack = seq + 1 */
void pkt_tcp_answer(struct pkt *p, const __u8 *probe, size_t probe_len, __u8 flags);
/* Ethernet + the IP packet as is (what a probe looks like at tc egress) */
void pkt_wrap_eth(struct pkt *p, const __u8 *ip, size_t len);

/* Other people's traffic */
/* ICMP/ICMPv6 echo (request or reply, by type) with any id and seq */
void pkt_echo(struct pkt *p, const struct in6_addr *from, const struct in6_addr *to, __u8 type,
	      __u16 id, __u16 seq, size_t payload_len);
void pkt_udp(struct pkt *p, const struct in6_addr *from, const struct in6_addr *to,
	     __u16 sport, __u16 dport, size_t payload_len);
void pkt_tcp(struct pkt *p, const struct in6_addr *from, const struct in6_addr *to,
	     __u16 sport, __u16 dport, __u32 seq, __u32 ack, __u8 flags);
/* An ARP request (who-has to on behalf of from, both IPv4) */
void pkt_arp(struct pkt *p, const struct in6_addr *from, const struct in6_addr *to);

/*
 * Finding the layers of a frame: after the VLAN tags, after IPv4 options
 * or the IPv6 extension headers (hop-by-hop, routing, destination options;
 * a fragment header ends the walk). 0 family: neither IPv4 nor IPv6.
 */
int pkt_family(const struct pkt *p);
size_t pkt_l3_off(const struct pkt *p);
size_t pkt_l4_off(const struct pkt *p, __u8 *proto);
struct iphdr *pkt_ip4(struct pkt *p);
struct ip6_hdr *pkt_ip6(struct pkt *p);
void *pkt_l4(struct pkt *p);
/* The quoted probe of an ICMP error: 8 bytes past the ICMP header */
size_t pkt_quote_off(const struct pkt *p);

/*
 * After editing a frame: outer IP length from p->len, the IPv4 header
 * checksum and the ICMP/ICMPv6/TCP/UDP checksum. Tests forge lengths after
 * this, never before.
 */
void pkt_fix(struct pkt *p);
/* TTL / hop limit of the outer header */
void pkt_set_ttl(struct pkt *p, __u8 ttl);

/* An 802.1Q (0x8100) or 802.1ad (0x88a8) tag, pushed outermost */
void pkt_vlan_push(struct pkt *p, __u16 tpid, __u16 vid);
/*
 * opt_len bytes of IPv4 options (NOPs, then End of Options List) into the
 * IPv4 header at frame offset ip_off: the outer header or a quoted one.
 * ihl and that header's total length grow with them.
 */
void pkt_ip4_options(struct pkt *p, size_t ip_off, size_t opt_len);
/*
 * An IPv6 extension header (XHOP_IPPROTO_HOPOPTS, _DSTOPTS, _ROUTING or
 * _FRAGMENT) of len bytes (a multiple of 8; a fragment header is 8) right
 * after the outer IPv6 header, first in the chain. Options are PadN; the
 * routing header is an SRH with no segments left; the fragment header
 * says "first fragment, more follow".
 */
void pkt_ip6_ext_push(struct pkt *p, __u8 type, size_t len);

/* An RFC 3032 label stack entry, host order as the event carries it */
static inline __u32 pkt_mpls_lse(__u32 label, __u8 tc, int bos, __u8 ttl)
{
	return label << 12 | (__u32)(tc & 7) << 9 | (bos ? 1u << 8 : 0) | ttl;
}

/*
 * Make an ICMP error frame RFC 4884 compliant and append an RFC 4950 MPLS
 * label stack object with n entries: the quote is zero-padded to 128 bytes
 * (or to the next 4/8-byte boundary if longer), the length field set
 * (ICMPv4 byte 5, 32-bit words; ICMPv6 byte 4, 64-bit words), then the
 * version 2 extension header and the class 1 / c-type 1 object. Returns
 * the frame offset of the extension header, for tests that break it.
 */
size_t pkt_icmp_ext_mpls(struct pkt *p, const __u32 *lse, int n);
/*
 * The same with the original datagram field forced to orig_len bytes (a
 * multiple of the length field's unit): the quote is cut or padded to it.
 * For the invalid lengths RFC 4884 tells receivers to ignore (< 128).
 */
size_t pkt_icmp_ext_mpls_at(struct pkt *p, size_t orig_len, const __u32 *lse, int n);

/*
 * Forge fields of a probe (IP header first) before it is quoted or
 * answered; the MAC is left as it was, so it no longer verifies.
 * set_id: where the method carries the probe id (ICMP seq; UDP IPv4 ID and
 * payload; TCP seq high half). set_dst: the destination address.
 */
void pkt_probe_set_id(__u8 *probe, size_t len, __u16 id);
void pkt_probe_set_dst(__u8 *probe, const struct in6_addr *dst);
/* XOR mask into the MAC where the method carries it (ICMP id, UDP checksum, TCP seq low half) */
void pkt_probe_xor_mac(__u8 *probe, size_t len, __u16 mask);
/* XOR a 16-bit word of the probe at off (transport checksums left stale:
 * routers do not check them); the IPv4 ID and header checksum */
void pkt_probe_xor_bytes(__u8 *probe, size_t len, size_t off, __u16 mask);
void pkt_probe_xor_ipid(__u8 *probe, __u16 mask);

/*
 * A probe of the BPF tests: built by probe_build() between the fixed test
 * addresses below (source 198.18.0.1 / 2001:2::1, target 198.19.0.77 /
 * 2001:2:0:ff::77), sport 40000 + method, dport 443 (TCP) or 33434, TOS
 * 0x20, ICMP checksum 0xbeef. Aborts if the build fails.
 */
struct probe {
	struct probe_spec ps;
	__u8 b[PROBE_MAX_SIZE];
	size_t len;
};

struct in6_addr probe_src(int family);
struct in6_addr probe_dst(int family);
/* the router that answers in the tests: 198.18.1.1 / 2001:2:0:1::1 */
struct in6_addr probe_hop(int family);
void probe_make_size(struct probe *pr, int family, int method, __u16 id, __u8 ttl,
		     const struct xhop_key *k, __u16 size);
/* the default size: 60 bytes (IPv4), 80 (IPv6), as traceroute */
void probe_make(struct probe *pr, int family, int method, __u16 id, __u8 ttl,
		const struct xhop_key *k);

#endif
