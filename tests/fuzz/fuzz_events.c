// SPDX-License-Identifier: GPL-2.0
/*
 * The path table and both renderers on any sequence of ring-buffer
 * records. The BPF programs verify what they hand over, but userspace
 * must not trust that: a record is 80 bytes the kernel copied, and a
 * wrong probe_id, kind or mpls_count must not reach past the table.
 *
 * Input: a 40-byte header (the trace), then records of one op byte and
 * one struct xhop_event (a short tail is ignored):
 *   header  0 family (bit 0: IPv6)   1 method   2 first TTL   3 max TTL
 *           4 queries   5 last TTL rendered   6 stop reason   7 bit 0: -n
 *           8 sport  10 dport  12 icmp_sum  14 probe size (le16 each)
 *          16 source address (16)  32 real - mono offset (le64)
 *   op % 6  0 send: mark probe (ttl q_ttl, attempt q_tos) SENT until ts_ns,
 *             if it was never sent (the engine sends each probe once)
 *           1 path_apply() as is
 *           2 path_apply() with dst and proto of the path (so it matches)
 *           3 as 2, and probe_id folded into the table's range
 *           4 path_expire(ts_ns)
 *           5 path_hop_settled(q_ttl as a signed byte)
 * (gen_seeds.py writes such inputs; FUZZ_DUMP=1 prints what one renders.) After every op the table must hold
 * together; at the end every TTL goes through the text renderer and the
 * whole trace through the JSON one, which must write one strict JSON
 * object.
 */
#include <errno.h>
#include "core/probe_build.h"
#include "sink/text.h"
#include "sink/trace_json.h"
#include "plan/path_table.h"
#include "xhop_proto.h"
#include "fuzz.h"

#define HDR_LEN 40
#define REC_LEN (1 + sizeof(struct xhop_event))

static __u16 le16(const uint8_t *b)
{
	return (__u16)(b[0] | b[1] << 8);
}

static __u64 le64(const uint8_t *b)
{
	__u64 v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

static int n_probes(const struct path *p)
{
	return (p->max_ttl - p->first_ttl + 1) * p->queries;
}

/* What path_apply() and path_expire() promise about the table */
static void check_table(const struct path *p)
{
	__u64 answered = 0;

	for (int i = 0; i < n_probes(p); i++) {
		const struct hop_probe *pr = &p->probes[i];

		FUZZ_CHECK(pr->state <= PROBE_LOST, "probe %d state %u", i, pr->state);
		FUZZ_CHECK(pr->probe_id == i + 1, "probe %d has id %u", i, pr->probe_id);
		FUZZ_CHECK(pr->reply.mpls_count <= XHOP_MPLS_MAX, "mpls_count %u",
			   pr->reply.mpls_count);
		FUZZ_CHECK(pr->reply.verdict <= VERDICT_UNREACH, "verdict %u", pr->reply.verdict);
		answered += pr->state == PROBE_ANSWERED;
	}
	FUZZ_CHECK(answered == p->replies, "%llu answered, %llu replies",
		   (unsigned long long)answered, (unsigned long long)p->replies);
	FUZZ_CHECK(!p->final_ttl || (p->final_ttl >= p->first_ttl && p->final_ttl <= p->max_ttl),
		   "final_ttl %d", p->final_ttl);
}

static void run_op(struct path *p, __u8 op, struct xhop_event *ev)
{
	struct hop_probe *pr;
	int ttl, settled;

	switch (op % 6) {
	case 0: /* what send_probe() does before sendto(), once per probe */
		pr = path_probe(p, ev->q_ttl, ev->q_tos);
		if (pr && pr->state == PROBE_UNSENT) {
			pr->state = PROBE_SENT;
			pr->deadline_ns = ev->ts_ns;
		}
		return;
	case 3:
		ev->probe_id = (__u16)(1 + ev->probe_id % n_probes(p));
		/* fall through */
	case 2:
		memcpy(ev->dst, &p->dst, sizeof(ev->dst));
		ev->proto = p->proto;
		/* fall through */
	case 1:
		ttl = path_apply(p, ev);
		FUZZ_CHECK(ttl == 0 || (ttl >= p->first_ttl && ttl <= p->max_ttl), "ttl %d", ttl);
		return;
	case 4:
		FUZZ_CHECK(path_expire(p, ev->ts_ns) >= 0, "expire");
		return;
	default:
		ttl = (signed char)ev->q_ttl;
		settled = path_hop_settled(p, ttl);
		if (ttl < p->first_ttl || ttl > p->max_ttl)
			FUZZ_CHECK(!settled, "TTL %d out of the table settled", ttl);
		for (int q = 0; settled && q < p->queries; q++)
			FUZZ_CHECK(path_probe(p, ttl, q)->state >= PROBE_ANSWERED, "TTL %d", ttl);
		return;
	}
}

/* The text sink's lines: one per TTL, each a whole line */
static char *render_text(struct path *p, int no_resolve, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	FUZZ_CHECK(f, "open_memstream");
	for (int ttl = p->first_ttl; ttl <= p->max_ttl; ttl++) {
		struct ttl_rec r;
		size_t before;

		fflush(f);
		before = *len;
		path_ttl_rec(p, ttl, &r);
		text_ttl_line(f, &r, NULL, no_resolve, 0);
		fflush(f);
		FUZZ_CHECK(*len > before && buf[*len - 1] == '\n', "TTL %d: no line", ttl);
		FUZZ_CHECK(memchr(buf + before, '\n', *len - before) == buf + *len - 1,
			   "TTL %d: more than one line", ttl);
	}
	FUZZ_CHECK(fclose(f) == 0, "fclose");
	return buf;
}

static char *render_json(struct trace_rec *t, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	FUZZ_CHECK(f, "open_memstream");
	trace_json_write(f, t, NULL);
	FUZZ_CHECK(fclose(f) == 0, "fclose");
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct probe_rec recs[255 * 255];
	struct trace_rec t = { .h = { .wait_s = 5.0, .host_name = "fuzz.example" } };
	struct path path, *p = &path;
	int no_resolve, last_ttl;
	char *text, *json;
	size_t tlen = 0, jlen = 0;
	__u64 hops = 0, answered = 0;
	int err;

	if (size < HDR_LEN)
		return 0;
	t.h.family = data[0] & 1 ? 6 : 4;
	if (t.h.family == 4) {
		t.h.dst.s6_addr[10] = t.h.dst.s6_addr[11] = 0xff;
		t.h.dst.s6_addr[12] = 198, t.h.dst.s6_addr[13] = 19, t.h.dst.s6_addr[15] = 77;
	} else {
		t.h.dst.s6_addr[0] = 0x20, t.h.dst.s6_addr[1] = 0x01, t.h.dst.s6_addr[3] = 0x02;
		t.h.dst.s6_addr[15] = 0x77;
	}
	t.h.method = data[1] % 3;
	no_resolve = data[7] & 1;
	err = path_init(p, &t.h.dst, t.h.family,
			t.h.method == METHOD_UDP ? XHOP_IPPROTO_UDP
			: t.h.method == METHOD_TCP ? XHOP_IPPROTO_TCP
			: t.h.family == 6	   ? XHOP_IPPROTO_ICMPV6
						   : XHOP_IPPROTO_ICMP,
			data[2], data[3], data[4]);
	if (err) {
		FUZZ_CHECK(err == -EINVAL && !p->probes, "path_init: %d", err);
		return 0;
	}
	last_ttl = data[5] % (p->max_ttl + 1);
	t.h.hop_count = last_ttl;
	t.h.stop_reason = data[6];
	t.h.sport = le16(data + 8);
	t.h.dport = le16(data + 10);
	t.h.icmp_sum = le16(data + 12);
	t.h.probe_size = le16(data + 14);
	memcpy(&t.h.src, data + 16, sizeof(t.h.src));
	t.h.real_offset_ns = (__s64)le64(data + 32);
	t.h.start.tv_sec = 1700000000;
	t.h.attempts = p->queries;
	t.h.hoplimit = p->max_ttl;
	t.h.firsthop = p->first_ttl;

	for (size_t off = HDR_LEN; off + REC_LEN <= size; off += REC_LEN) {
		struct xhop_event ev;

		memcpy(&ev, data + off + 1, sizeof(ev));
		run_op(p, data[off], &ev);
		check_table(p);
	}

	text = render_text(p, no_resolve, &tlen);
	t.hops = recs;
	t.nhops = path_answered(p, last_ttl, recs);
	json = render_json(&t, &jlen);
	if (getenv("FUZZ_DUMP")) /* to see what a seed or a crash renders */
		dprintf(2, "%s%s\n", text, json);
	free(text);

	FUZZ_CHECK(jlen >= 2 && json[0] == '{' && json[jlen - 1] == '}', "not an object: %s", json);
	FUZZ_CHECK(strlen(json) == jlen, "NUL in the JSON");
	FUZZ_CHECK(fuzz_json_valid(json, jlen), "not JSON: %s", json);
	/* one hop object per answered probe up to the last TTL rendered */
	for (int ttl = p->first_ttl; ttl <= last_ttl; ttl++)
		for (int q = 0; q < p->queries; q++)
			answered += path_probe(p, ttl, q)->state == PROBE_ANSWERED;
	for (const char *s = json; (s = strstr(s, "{\"addr\":")); s++)
		hops++;
	FUZZ_CHECK(hops == answered, "%llu hops for %llu answers", (unsigned long long)hops,
		   (unsigned long long)answered);
	free(json);
	path_free(p);
	return 0;
}
