// SPDX-License-Identifier: GPL-2.0
/* xhop multipath's text (sink/mp_text.h) */
#include <stdio.h>
#include <string.h>
#include "core/log.h"
#include "core/probe_build.h"
#include "net/addr.h"
#include "net/resolve.h"
#include "sink/mp_json.h"
#include "sink/mp_text.h"
#include "sink/text.h"
#include "xhop_event.h"

static void put_node(FILE *out, const struct mp_rec *r, int i, struct resolver *res,
		     int first_of_ttl)
{
	const struct mp_node *n = &r->nodes[i];
	char a[ADDR_STRLEN], note[16];
	const char *name = NULL;
	int preds = 0;

	if (first_of_ttl)
		fprintf(out, "%2d  ", n->ttl);
	else
		fputs("    ", out);
	if (n->silent) {
		fprintf(out, "*  (%u flow%s silent)\n", n->flows, n->flows == 1 ? "" : "s");
		return;
	}
	addr_str(&n->addr, a);
	if (res && resolver_ptr_get(res, &n->addr, &name) && name)
		fprintf(out, "%s (%s)", name, a);
	else
		fputs(a, out);
	if (n->rtt_min_ns)
		fprintf(out, "  %.3f ms", n->rtt_min_ns / 1e6);
	if (n->verdict == VERDICT_UNREACH)
		fputs(text_unreach_note(r->h.family, XHOP_EV_UNREACH, n->icmp_code, note), out);
	for (int l = 0; l < r->nlinks; l++) {
		const struct mp_node *f = &r->nodes[r->links[l].from];

		if (r->links[l].to != (__u32)i)
			continue;
		fputs(preds++ ? " " : "  <- ", out);
		fputs(addr_str(&f->addr, a), out);
		if (f->ttl + 1 != n->ttl)
			fprintf(out, " (TTL %d)", f->ttl);
	}
	fputc('\n', out);
}

void mp_text_write(FILE *out, const struct mp_rec *r, struct resolver *res)
{
	int nodes = 0;

	for (int ttl = r->h.firsthop; ttl <= r->h.hoplimit; ttl++) {
		int first = 1;

		/* answering interfaces first, in the order found; silence last */
		for (int pass = 0; pass < 2; pass++)
			for (int i = 0; i < r->nnodes; i++)
				if (r->nodes[i].ttl == ttl && r->nodes[i].silent == pass) {
					put_node(out, r, i, res, first);
					first = 0;
				}
	}
	for (int i = 0; i < r->nnodes; i++)
		nodes += !r->nodes[i].silent;
	fprintf(out, "# %llu probes, %u flows, %d interfaces, %d links, %s",
		(unsigned long long)r->h.probe_count, r->flows, nodes, r->nlinks,
		stop_reason_name(r->h.stop_reason));
	if (r->nunfinished) {
		char a[ADDR_STRLEN];

		fputs(" (unsettled:", out);
		for (int i = 0; i < r->nunfinished; i++) {
			const struct mp_node *n = &r->nodes[r->unfinished[i]];

			fprintf(out, " %s", n->silent ? "*" : addr_str(&n->addr, a));
		}
		fputc(')', out);
	}
	fputc('\n', out);
}

/* Start the names of the record's interfaces; 1 once all are known */
static int names_ready(struct mp_text_sink *t)
{
	int ready = 1;

	if (!t->c.res)
		return 1;
	for (int i = 0; i < t->rec->nnodes; i++) {
		const char *name;

		if (t->rec->nodes[i].silent)
			continue;
		resolver_ptr_start(t->c.res, &t->rec->nodes[i].addr);
		if (!resolver_ptr_get(t->c.res, &t->rec->nodes[i].addr, &name))
			ready = 0;
	}
	return ready;
}

static void write_if_ready(struct mp_text_sink *t, __u64 now, int all)
{
	if (!t->rec)
		return;
	if (!all && !names_ready(t) && now < t->held_at + t->c.name_wait_ns)
		return;
	mp_text_write(t->c.out, t->rec, t->c.res);
	fflush(t->c.out);
	t->rec = NULL;
}

static void mp_text_start(void *st)
{
	struct mp_text_sink *t = st;
	char a[ADDR_STRLEN];

	fprintf(stderr, "xhop multipath to %s (%s), %d hops max, %s, %g%% confidence\n",
		t->c.host_name, addr_str(&t->c.dst, a), t->c.max_ttl, mp_method_name(t->c.method),
		t->c.confidence);
}

static void mp_text_record(void *st, const struct record *rec)
{
	struct mp_text_sink *t = st;

	if (rec->kind != REC_MULTIPATH)
		return;
	t->rec = rec->mp;
	t->held_at = clock_mono_ns();
	write_if_ready(t, t->held_at, 0);
}

static void mp_text_tick(void *st, __u64 now)
{
	write_if_ready(st, now, 0);
}

static __u64 mp_text_wake_at(void *st, __u64 now)
{
	struct mp_text_sink *t = st;

	(void)now;
	return t->rec ? t->held_at + t->c.name_wait_ns : 0;
}

static int mp_text_busy(void *st)
{
	return ((struct mp_text_sink *)st)->rec != NULL;
}

static int mp_text_close(void *st)
{
	struct mp_text_sink *t = st;

	write_if_ready(t, 0, 1);
	fflush(t->c.out);
	return 0;
}

static const struct sink_ops mp_text_ops = {
	.name = "multipath text",
	.start = mp_text_start,
	.record = mp_text_record,
	.tick = mp_text_tick,
	.wake_at = mp_text_wake_at,
	.busy = mp_text_busy,
	.close = mp_text_close,
};

struct sink mp_text_sink(struct mp_text_sink *t, const struct mp_text_cfg *c)
{
	memset(t, 0, sizeof(*t));
	t->c = *c;
	return (struct sink){ .ops = &mp_text_ops, .st = t };
}
