/* SPDX-License-Identifier: GPL-2.0 */
/* Crafting reply frames (Ethernet first) around probes, for the BPF tests. */
#ifndef XHOP_TEST_PKT_H
#define XHOP_TEST_PKT_H

#include <stddef.h>
#include <netinet/in.h>
#include <linux/types.h>

#define PKT_MAX 2048

struct pkt {
	__u8 data[PKT_MAX];
	size_t len;
};

/* "198.18.1.1" or "2001:2::1" into the 16-byte mapped form; aborts on junk */
struct in6_addr pkt_addr(const char *s);

/*
 * Ethernet + IP(from -> to) + ICMP/ICMPv6 error (type, code) quoting the
 * first quote_len bytes of probe (quote_len 0: all of it).
 */
void pkt_icmp_error(struct pkt *p, const struct in6_addr *from, const struct in6_addr *to,
		    __u8 type, __u8 code, const __u8 *probe, size_t probe_len, size_t quote_len);
/* Echo reply to an echo probe: id, seq and payload echoed, from the target */
void pkt_echo_reply(struct pkt *p, const __u8 *probe, size_t probe_len);
/* TCP answer to a SYN probe: flags (SYN|ACK or RST|ACK), ack = seq + 1 */
void pkt_tcp_answer(struct pkt *p, const __u8 *probe, size_t probe_len, __u8 flags);
/* Ethernet + the IP packet as is (what a probe looks like at tc egress) */
void pkt_wrap_eth(struct pkt *p, const __u8 *ip, size_t len);

#endif
