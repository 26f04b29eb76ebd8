// SPDX-License-Identifier: GPL-2.0
/*
 * xhop scan's per-target plan (scan_plan.c) under any sequence of
 * events: targets enter, probes leave, answers of every kind from any
 * address and any reply TTL come back, probes time out, in any order the
 * input says. Answers and silences are only for probes that are out, as
 * the engine guarantees (the XDP program has checked the MAC, on_event
 * the outstanding id). After every step the invariants of a target in
 * flight hold; at the end every trace written is strict JSON.
 *
 * Input: a byte per operation (low 3 bits: what; the rest: which target
 * slot, direction, reply kind), with operands in the following bytes.
 */
#include <errno.h>
#include "plan/doubletree.h"
#include "fuzz.h"
#include "sink/trace_json.h"
#include "plan/scan.h"
#include "xhop_proto.h"

#define TARGETS 8

static void check_target(const struct scan *sc, const struct scan_target *t)
{
	for (int dir = 0; dir < SCAN_DIRS; dir++) {
		int next = t->next_ttl[dir], id = t->out_id[dir];

		FUZZ_CHECK(next == 0 || next == FIRST_TTL_PENDING || next <= sc->c->max_ttl,
			   "next TTL %d", next);
		if (id) {
			int ttl = scan_probe_ttl((__u16)id);

			FUZZ_CHECK(ttl >= 1 && ttl <= sc->c->max_ttl, "outstanding TTL %d", ttl);
			FUZZ_CHECK(scan_probed(t, ttl), "outstanding TTL %d not marked probed", ttl);
		}
	}
	FUZZ_CHECK(!t->end_ttl || t->end_ttl <= sc->c->max_ttl, "end TTL %d", t->end_ttl);
	FUZZ_CHECK(!t->dst_ttl || t->dst_ttl >= t->end_ttl, "destination %d below the end %d",
		   t->dst_ttl, t->end_ttl);
	for (__u32 h = t->hops, last = 0; h != SCAN_NONE; h = sc->tab.hops[h].next) {
		FUZZ_CHECK(sc->tab.hops[h].ttl > last, "hops out of order");
		last = sc->tab.hops[h].ttl;
	}
}

/* The engine's part after each event: the finished records, written */
static void drain(struct scan *sc, FILE *out)
{
	struct planner p = scan_planner(sc);
	struct record rec;

	while (p.ops->take(p.st, &rec)) {
		trace_json_write(out, rec.trace, NULL);
		fputc('\n', out);
	}
}

static struct hop_reply reply_of(const uint8_t *op, int family)
{
	static const int kinds[] = { XHOP_EV_TTL, XHOP_EV_ECHO, XHOP_EV_UNREACH, XHOP_EV_TCP };
	struct xhop_event ev = { 0 };
	struct hop_reply r;

	ev.kind = (__u8)kinds[op[1] & 3];
	ev.icmp_code = op[2] & 15;
	ev.reply_ttl = op[3];
	/* a few responders, so Doubletree sees the same hops again */
	ev.from[10] = ev.from[11] = 0xff;
	ev.from[12] = 198;
	ev.from[13] = 18;
	ev.from[15] = op[1] >> 5;
	hop_reply_from_event(&r, &ev, family);
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in6_addr addrs[TARGETS];
	struct scan_cfg o = { .max_ttl = 32, .split_ttl = 16, .gap_limit = 5, .wait_s = 1 };
	struct session ss = { .base[0].size = 60 };
	struct scan *sc = calloc(1, sizeof(*sc));
	FILE *out;
	__u32 slot_of[TARGETS];
	char *json = NULL;
	size_t json_len = 0;

	if (!sc)
		abort();
	if (size && (data[0] & 1)) {
		/* small limits too: the edges of every range */
		o.max_ttl = 1 + data[0] % SCAN_MAX_TTL;
		o.split_ttl = 1 + (data[0] >> 3) % o.max_ttl;
		o.gap_limit = 1 + (data[0] >> 5);
	}
	o.no_doubletree = size > 1 && (data[1] & 1);
	sc->c = &o;
	for (int i = 0; i < TARGETS; i++) {
		memset(&addrs[i], 0, sizeof(addrs[i]));
		addrs[i].s6_addr[10] = addrs[i].s6_addr[11] = 0xff;
		addrs[i].s6_addr[12] = 198;
		addrs[i].s6_addr[13] = 19;
		addrs[i].s6_addr[15] = (__u8)i;
		slot_of[i] = SCAN_NONE;
	}
	sc->targets.v = malloc(sizeof(addrs));
	if (!sc->targets.v)
		abort();
	memcpy(sc->targets.v, addrs, sizeof(addrs));
	sc->window = TARGETS;
	if (scan_init(sc, &ss))
		abort();
	/* a Doubletree that stops early: the edges of its rules */
	dt_free(&sc->dt);
	if (dt_init(&sc->dt, 2, 3))
		abort();
	out = open_memstream(&json, &json_len);

	for (size_t i = 2; i + 4 <= size; i += 4) {
		const uint8_t *op = data + i;
		int idx = (op[0] >> 3) % TARGETS, dir = (op[0] >> 6) & 1;
		__u32 s = slot_of[idx];
		struct scan_target *t;

		if (s != SCAN_NONE && sc->tab.slots[s].state != TARGET_ACTIVE)
			s = slot_of[idx] = SCAN_NONE; /* it finished */
		switch (op[0] & 3) {
		case 0: /* a target enters */
			if (s == SCAN_NONE && (s = scan_table_admit(&sc->tab, idx)) != SCAN_NONE) {
				sc->tab.slots[s].next_ttl[DIR_BACK] = FIRST_TTL_PENDING;
				slot_of[idx] = s;
			}
			break;
		case 1: /* its probe of dir leaves */
			if (s != SCAN_NONE)
				scan_take_probe(sc, s, dir);
			break;
		case 2: /* an answer to it */
			if (s == SCAN_NONE || !sc->tab.slots[s].out_id[dir])
				break;
			{
				struct hop_reply r = reply_of(op, 4);

				scan_answer(sc, s, dir, &r,
					    scan_probe_ttl(sc->tab.slots[s].out_id[dir]));
			}
			break;
		case 3: /* its wait is over */
			if (s == SCAN_NONE || !sc->tab.slots[s].out_id[dir])
				break;
			scan_timeout(sc, s, dir, scan_probe_ttl(sc->tab.slots[s].out_id[dir]));
			break;
		}
		drain(sc, out);
		FUZZ_CHECK(!sc->oom, "out of memory");
		for (__u32 k = 0; k < sc->tab.nslots; k++) {
			t = &sc->tab.slots[k];
			if (t->state == TARGET_ACTIVE)
				check_target(sc, t);
		}
	}
	/* SIGINT with probes still in the send queue: taken back unsent,
	 * after which nothing may count as outstanding
	 */
	if (size > 1 && (data[1] & 2)) {
		for (__u32 k = 0; k < sc->tab.nslots; k++) {
			struct scan_target *t = &sc->tab.slots[k];

			for (int dir = 0; t->state == TARGET_ACTIVE && dir < SCAN_DIRS; dir++)
				if (t->out_id[dir])
					scan_unsent(sc, k, dir, scan_probe_ttl(t->out_id[dir]));
		}
		FUZZ_CHECK(sc->outstanding == 0, "%llu outstanding after every probe was taken back",
			   (unsigned long long)sc->outstanding);
	}
	/* what is still in flight is written cut short, as SIGINT does */
	scan_planner(sc).ops->stop(sc, 1);
	drain(sc, out);
	FUZZ_CHECK(sc->tab.hops_used == 0, "%u hop records leaked", sc->tab.hops_used);
	fclose(out);
	for (char *line = json, *end; line && *line; line = end + 1) {
		end = strchr(line, '\n');
		FUZZ_CHECK(end, "a trace without its newline");
		*end = 0;
		FUZZ_CHECK(fuzz_json_valid(line, (size_t)(end - line)), "not JSON: %s", line);
	}
	free(json);
	scan_free(sc);
	free(sc);
	return 0;
}
