// SPDX-License-Identifier: GPL-2.0
/*
 * Text lines the way Debian traceroute prints them, so scripts and eyes
 * trained on it read xhop unchanged:
 *    1  r1.example (198.18.1.2)  0.021 ms  0.014 ms  0.013 ms
 *    2  * * *
 * A responder is named when it first appears in a line or differs from
 * the previous probe's; an unreachable is annotated after its time.
 */
#include <stdio.h>
#include <string.h>
#include "addr.h"
#include "output.h"
#include "xhop_proto.h"

const char *output_unreach_note(int family, int kind, int code, char buf[16])
{
	buf[0] = 0;
	if (kind != XHOP_EV_UNREACH)
		return buf;
	if (family == 6) {
		switch (code) {
		case XHOP_ICMP6_NOROUTE:
			return " !N";
		case XHOP_ICMP6_ADM_PROHIBITED:
		case XHOP_ICMP6_POLICY_FAIL:
		case XHOP_ICMP6_REJECT_ROUTE:
			return " !X";
		case XHOP_ICMP6_NOT_NEIGHBOUR:
			return " !S";
		case XHOP_ICMP6_ADDR_UNREACH:
			return " !H";
		case XHOP_ICMP6_PORT_UNREACH:
			return "";
		}
	} else {
		switch (code) {
		case XHOP_ICMP_NET_UNREACH:
		case 6:	 /* network unknown */
		case 11: /* network unreachable for TOS */
			return " !N";
		case XHOP_ICMP_HOST_UNREACH:
		case 7:	 /* host unknown */
		case 12: /* host unreachable for TOS */
			return " !H";
		case XHOP_ICMP_PROT_UNREACH:
			return " !P";
		case XHOP_ICMP_PORT_UNREACH:
			return "";
		case XHOP_ICMP_FRAG_NEEDED:
			return " !F";
		case XHOP_ICMP_SR_FAILED:
			return " !S";
		case XHOP_ICMP_NET_ANO:
			return " !A";
		case XHOP_ICMP_HOST_ANO:
			return " !Z";
		case XHOP_ICMP_PKT_FILTERED:
			return " !X";
		case XHOP_ICMP_PREC_VIOLATION:
			return " !V";
		case XHOP_ICMP_PREC_CUTOFF:
			return " !C";
		}
	}
	snprintf(buf, 16, " !<%d>", code);
	return buf;
}

static void text_start(void *ctx, const struct trace *t)
{
	char a[ADDR_STRLEN];

	(void)ctx;
	/* stderr, as traceroute: stdout carries only the hops */
	fprintf(stderr, "xhop to %s (%s), %d hops max, %s\n", t->host_name, addr_str(&t->dst, a),
		t->path.max_ttl, trace_method_name(t->o->method));
}

static void text_hop(void *ctx, const struct trace *t, int ttl)
{
	FILE *out = ctx;
	const struct in6_addr *prev = NULL;
	struct path *p = (struct path *)&t->path;

	fprintf(out, "%2d ", ttl);
	for (int q = 0; q < p->queries; q++) {
		const struct hop_probe *pr = path_probe(p, ttl, q);
		char a[ADDR_STRLEN], note[16];
		__s64 rtt;

		if (pr->state != PROBE_ANSWERED) {
			fputs(" *", out);
			continue;
		}
		if (!prev || memcmp(prev, &pr->reply.from, sizeof(*prev))) {
			const char *name = trace_name_of(t, &pr->reply.from);

			addr_str(&pr->reply.from, a);
			if (t->o->no_resolve)
				fprintf(out, " %s", a);
			else
				fprintf(out, " %s (%s)", name ? name : a, a);
			prev = &pr->reply.from;
		}
		rtt = hop_probe_rtt_ns(pr);
		if (rtt >= 0)
			fprintf(out, "  %.3f ms", rtt / 1e6);
		else
			fputs("  ? ms", out); /* the send stamp was lost */
		fputs(output_unreach_note(t->family, pr->reply.kind, pr->reply.icmp_code, note), out);
	}
	fputc('\n', out);
	fflush(out);
}

static void text_end(void *ctx, const struct trace *t)
{
	(void)t;
	fflush(ctx);
}

void output_text_renderer(struct trace_renderer *r, FILE *out)
{
	r->start = text_start;
	r->hop = text_hop;
	r->end = text_end;
	r->ctx = out;
}
