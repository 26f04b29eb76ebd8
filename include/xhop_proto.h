/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Wire headers and constants shared by the BPF programs and userspace.
 *
 * <linux/icmp.h> cannot be included under -target bpf on Debian (it drags
 * in glibc's gnu/stubs-32.h), so ICMP and ICMPv6 are declared here once for
 * both sides. Everything is in network byte order as on the wire.
 */
#ifndef XHOP_PROTO_H
#define XHOP_PROTO_H

#include <linux/types.h>

#define XHOP_ETH_P_IP	  0x0800
#define XHOP_ETH_P_IPV6	  0x86DD
#define XHOP_ETH_P_8021Q  0x8100
#define XHOP_ETH_P_8021AD 0x88A8

#define XHOP_IPPROTO_ICMP   1
#define XHOP_IPPROTO_TCP    6
#define XHOP_IPPROTO_UDP    17
#define XHOP_IPPROTO_ICMPV6 58

/* IPv6 extension headers a reply may carry before its ICMPv6 header */
#define XHOP_IPPROTO_HOPOPTS  0
#define XHOP_IPPROTO_ROUTING  43
#define XHOP_IPPROTO_FRAGMENT 44
#define XHOP_IPPROTO_DSTOPTS  60

/* ICMP (RFC 792) */
#define XHOP_ICMP_ECHOREPLY	 0
#define XHOP_ICMP_DEST_UNREACH	 3
#define XHOP_ICMP_ECHO		 8
#define XHOP_ICMP_TIME_EXCEEDED 11
/* Destination Unreachable codes that traceroute annotates */
#define XHOP_ICMP_NET_UNREACH	 0
#define XHOP_ICMP_HOST_UNREACH	 1
#define XHOP_ICMP_PROT_UNREACH	 2
#define XHOP_ICMP_PORT_UNREACH	 3
#define XHOP_ICMP_FRAG_NEEDED	 4
#define XHOP_ICMP_SR_FAILED	 5
#define XHOP_ICMP_NET_ANO	 9
#define XHOP_ICMP_HOST_ANO	 10
#define XHOP_ICMP_PKT_FILTERED	 13
#define XHOP_ICMP_PREC_VIOLATION 14
#define XHOP_ICMP_PREC_CUTOFF	 15

/* ICMPv6 (RFC 4443) */
#define XHOP_ICMP6_DEST_UNREACH	 1
#define XHOP_ICMP6_PACKET_TOO_BIG 2
#define XHOP_ICMP6_TIME_EXCEED	 3
#define XHOP_ICMP6_ECHO_REQUEST	 128
#define XHOP_ICMP6_ECHO_REPLY	 129
#define XHOP_ICMP6_NOROUTE	 0
#define XHOP_ICMP6_ADM_PROHIBITED 1
#define XHOP_ICMP6_NOT_NEIGHBOUR 2
#define XHOP_ICMP6_ADDR_UNREACH	 3
#define XHOP_ICMP6_PORT_UNREACH	 4
#define XHOP_ICMP6_POLICY_FAIL	 5
#define XHOP_ICMP6_REJECT_ROUTE	 6

/* TCP flags byte (offset 13 of the TCP header) */
#define XHOP_TCP_FIN 0x01
#define XHOP_TCP_SYN 0x02
#define XHOP_TCP_RST 0x04
#define XHOP_TCP_PSH 0x08
#define XHOP_TCP_ACK 0x10

/*
 * ICMP and ICMPv6 share this layout for the types we use: errors carry an
 * unused word (RFC 4884 puts the original-datagram length in it), echoes an
 * identifier and a sequence number.
 */
struct xhop_icmphdr {
	__u8 type;
	__u8 code;
	__u16 checksum;
	union {
		struct {
			__u16 id;
			__u16 seq;
		} echo;
		struct {
			/* RFC 4884: ICMPv4 puts the length (32-bit words) in
			 * byte 5, ICMPv6 in byte 4; zero when no extensions.
			 */
			__u8 b4;
			__u8 b5;
			__u16 mtu;
		} err;
		__u32 rest;
	} un;
};

struct xhop_udphdr {
	__u16 source;
	__u16 dest;
	__u16 len;
	__u16 check;
};

/* Only the fields before the options; data offset in the high nibble. */
struct xhop_tcphdr {
	__u16 source;
	__u16 dest;
	__u32 seq;
	__u32 ack_seq;
	__u8 doff_res;
	__u8 flags;
	__u16 window;
	__u16 check;
	__u16 urg_ptr;
};

/* RFC 4884 extension structure header and RFC 4950 MPLS object */
struct xhop_icmp_ext_hdr {
	__u8 version_res; /* version 2 in the high nibble */
	__u8 reserved;
	__u16 checksum;
};

struct xhop_icmp_ext_obj {
	__u16 length; /* bytes, header included */
	__u8 class_num;
	__u8 c_type;
};

#define XHOP_ICMP_EXT_VERSION	    2
#define XHOP_ICMP_EXT_CLASS_MPLS    1
#define XHOP_ICMP_EXT_CTYPE_MPLS    1
/* RFC 4884: an extension-aware sender pads the original datagram to 128 bytes */
#define XHOP_ICMP_EXT_ORIG_LEN	    128
/* extension objects looked at before giving up on finding the labels */
#define XHOP_ICMP_EXT_OBJS_MAX	    3

#endif /* XHOP_PROTO_H */
