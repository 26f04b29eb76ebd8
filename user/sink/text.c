// SPDX-License-Identifier: GPL-2.0
/*
 * Text lines the way Debian traceroute prints them, so scripts and eyes
 * trained on it read xhop unchanged:
 *    1  r1.example (198.18.1.2)  0.021 ms  0.014 ms  0.013 ms
 *    2  * * *
 * A responder is named when it first appears in a line or differs from
 * the previous probe's; an unreachable is annotated after its time.
 * With -z or --asn-db its origin AS goes before it, in brackets as
 * traceroute -A writes it and with mtr's words (AS64500, AS???):
 *    1  [AS64500] r1.example (198.18.1.2)  0.021 ms
 */
#include <stdio.h>
#include <string.h>
#include "core/log.h"
#include "core/probe_build.h"
#include "net/addr.h"
#include "net/asn.h"
#include "net/resolve.h"
#include "sink/text.h"
#include "xhop_proto.h"

const char *text_unreach_note(int family, int kind, int code, char buf[16])
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

void text_ttl_line(FILE *out, const struct ttl_rec *r, struct resolver *res, int no_resolve,
		   int show_asn)
{
	const struct in6_addr *prev = NULL;

	fprintf(out, "%2d ", r->ttl);
	for (int q = 0; q < r->queries; q++) {
		const struct probe_rec *pr = &r->q[q];
		char a[ADDR_STRLEN], note[16];
		__s64 rtt;

		if (!pr->answered) {
			fputs(" *", out);
			continue;
		}
		if (!prev || memcmp(prev, &pr->reply.from, sizeof(*prev))) {
			const char *name = NULL;

			if (res)
				resolver_ptr_get(res, &pr->reply.from, &name);
			addr_str(&pr->reply.from, a);
			if (show_asn) {
				char as[ASN_TEXT_MAX];

				fprintf(out, " [%s]", asn_text(&pr->asn, as, sizeof(as)));
			}
			if (no_resolve)
				fprintf(out, " %s", a);
			else
				fprintf(out, " %s (%s)", name ? name : a, a);
			prev = &pr->reply.from;
		}
		rtt = probe_rec_rtt_ns(pr);
		if (rtt >= 0)
			fprintf(out, "  %.3f ms", rtt / 1e6);
		else
			fputs("  ? ms", out); /* the send stamp was lost */
		fputs(text_unreach_note(r->family, pr->reply.kind, pr->reply.icmp_code, note), out);
	}
	fputc('\n', out);
}

/* Start the names and ASes of a line's responders, the ASes answered
 * so far into the line; 1 once all are known
 */
static int names_ready(struct text_sink *t, struct ttl_rec *r)
{
	int ready = asn_annotate(t->c.asn, r->q, r->queries);

	if (!t->c.res || t->c.no_resolve)
		return ready;
	for (int q = 0; q < r->queries; q++) {
		const char *name;

		if (!r->q[q].answered)
			continue;
		resolver_ptr_start(t->c.res, &r->q[q].reply.from);
		if (!resolver_ptr_get(t->c.res, &r->q[q].reply.from, &name))
			ready = 0;
	}
	return ready;
}

/* Write the held lines, in order, whose names are in or whose wait is over */
static void write_ready(struct text_sink *t, __u64 now, int all)
{
	while (t->nheld) {
		struct ttl_rec *r = &t->held[t->head];

		/* a name may hold a line back by at most the name wait; called
		 * even when all goes: it fills in the ASes answered by now
		 */
		int ready = names_ready(t, r);

		if (!all && !ready && now < t->held_at[t->head] + t->c.name_wait_ns)
			break;
		text_ttl_line(t->c.out, r, t->c.res, t->c.no_resolve, asn_on(t->c.asn));
		fflush(t->c.out);
		t->head = (t->head + 1) % TEXT_HELD_MAX;
		t->nheld--;
	}
}

static void text_start(void *st)
{
	struct text_sink *t = st;
	char a[ADDR_STRLEN];

	/* stderr, as traceroute: stdout carries only the hops */
	fprintf(stderr, "xhop to %s (%s), %d hops max, %s\n", t->c.host_name,
		addr_str(&t->c.dst, a), t->c.max_ttl, method_name(t->c.method));
}

static void text_record(void *st, const struct record *rec)
{
	struct text_sink *t = st;
	int i;

	if (rec->kind != REC_TTL)
		return;
	if (t->nheld == TEXT_HELD_MAX)
		write_ready(t, 0, 1);
	i = (t->head + t->nheld) % TEXT_HELD_MAX;
	t->held[i] = *rec->ttl;
	t->held_at[i] = clock_mono_ns();
	t->nheld++;
	names_ready(t, &t->held[i]);
	write_ready(t, t->held_at[i], 0);
}

static void text_tick(void *st, __u64 now)
{
	write_ready(st, now, 0);
}

static __u64 text_wake_at(void *st, __u64 now)
{
	struct text_sink *t = st;

	(void)now;
	return t->nheld ? t->held_at[t->head] + t->c.name_wait_ns : 0;
}

static int text_busy(void *st)
{
	return ((struct text_sink *)st)->nheld != 0;
}

static int text_close(void *st)
{
	struct text_sink *t = st;

	write_ready(t, 0, 1); /* cut short: the names known by now */
	fflush(t->c.out);
	return 0;
}

static const struct sink_ops text_ops = {
	.name = "text",
	.start = text_start,
	.record = text_record,
	.tick = text_tick,
	.wake_at = text_wake_at,
	.busy = text_busy,
	.close = text_close,
};

struct sink text_sink(struct text_sink *t, const struct text_sink_cfg *c)
{
	memset(t, 0, sizeof(*t));
	t->c = *c;
	return (struct sink){ .ops = &text_ops, .st = t };
}
