// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "core/probe_build.h"
#include "core/record.h"
#include "core/reply.h"
#include "xhop_proto.h"

int reply_verdict_of(const struct xhop_event *ev, int family)
{
	switch (ev->kind) {
	case XHOP_EV_ECHO:
	case XHOP_EV_TCP:
		return VERDICT_REACHED;
	case XHOP_EV_UNREACH:
		/* port unreachable quoting our target: the host itself said
		 * so, whichever address it answered from
		 */
		if (family == 6 ? ev->icmp_code == XHOP_ICMP6_PORT_UNREACH
				: ev->icmp_code == XHOP_ICMP_PORT_UNREACH)
			return VERDICT_REACHED;
		return VERDICT_UNREACH;
	default:
		return VERDICT_HOP;
	}
}

void hop_reply_from_event(struct hop_reply *r, const struct xhop_event *ev, int family)
{
	memcpy(&r->from, ev->from, 16);
	r->rx_ns = ev->ts_ns;
	r->kind = ev->kind;
	r->icmp_type = ev->icmp_type;
	r->icmp_code = ev->icmp_code;
	r->reply_ttl = ev->reply_ttl;
	r->reply_tos = ev->reply_tos;
	r->ip_len = ev->ip_len;
	r->ipid = ev->reply_ipid;
	r->q_ttl = ev->q_ttl;
	r->q_tos = ev->q_tos;
	r->q_ipl = ev->q_ipl;
	r->tcp_flags = ev->tcp_flags;
	r->mpls_count = ev->mpls_count > XHOP_MPLS_MAX ? XHOP_MPLS_MAX : ev->mpls_count;
	memcpy(r->mpls, ev->mpls, sizeof(r->mpls));
	r->verdict = (__u8)reply_verdict_of(ev, family);
}

const char *method_name(int method)
{
	switch (method) {
	case METHOD_UDP:
		return "udp-paris";
	case METHOD_TCP:
		return "tcp";
	default:
		return "icmp-echo-paris";
	}
}

const char *stop_reason_name(int stop_reason)
{
	static const char *const names[] = {
		[STOP_NONE] = "NONE",	     [STOP_COMPLETED] = "COMPLETED",
		[STOP_UNREACH] = "UNREACH",  [STOP_ICMP] = "ICMP",
		[STOP_LOOP] = "LOOP",	     [STOP_GAPLIMIT] = "GAPLIMIT",
		[STOP_HOPLIMIT] = "HOPLIMIT", [STOP_ERROR] = "ERROR",
		[STOP_INTERRUPTED] = "NONE", /* scamper: stopped before a reason */
		[STOP_PROBELIMIT] = "PROBELIMIT",
	};

	if (stop_reason < 0 || stop_reason > STOP_PROBELIMIT)
		return "ERROR";
	return names[stop_reason];
}

const char *pc_kind_name(int kind)
{
	switch (kind) {
	case PC_HOP:
		return "hop";
	case PC_HOP_COUNT:
		return "hop_count";
	case PC_REACH:
		return "reach";
	default:
		return "unknown";
	}
}
