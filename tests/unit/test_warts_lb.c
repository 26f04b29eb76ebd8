// SPDX-License-Identifier: GPL-2.0
/*
 * The tracelb encoder (sink/warts_tracelb.c) against the layout scamper's
 * reader takes: a made-up multipath trace (testkit/mp_synth.h) encoded,
 * then read back field by field by the small reader of warts_read.h:
 * which flags each block sets, the numbers, addresses defined once then
 * referenced, node indices with the silent node left out, a probe set
 * per TTL a link spans, replies ICMP (with MPLS) and TCP; a record the
 * encoder must refuse leaves nothing behind.
 *
 * test_warts_lb --write DIR writes the made-up traces (each family and
 * method) as DIR/synth.warts, between a list and a cycle, and as xhop's
 * JSON DIR/synth.json: tests/e2e/test_mp_warts.sh has scamper's readers
 * take the one and compares with the other.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "xhop_test.h"
#include "core/probe_build.h"
#include "sink/mp_json.h"
#include "sink/warts_tracelb.h"
#include "mp_synth.h"
#include "synth_write.h"
#include "warts_read.h"

/* Parameter sizes by id, per block (scamper_tracelb_warts.c's layout) */
static const int trace_size[26] = { 0, 4, 4, 4, 4, 8, 2, 2, 2, 1, 1, 1, 1, 1,
				    1, 1, 2, 2, 4, 4, 1, WR_ADDR, WR_ADDR, 4, 1, WR_ADDR };
static const int node_size[7] = { 0, 4, 1, 2, 1, WR_ADDR, WR_STR };
static const int link_size[4] = { 0, 2, 2, 1 };
static const int set_size[2] = { 0, 2 };
static const int probe_size[6] = { 0, 8, 2, 1, 1, 2 };
static const int reply_size[12] = { 0, 8, 2, 1, 1, 2, 1, WR_EXT, 1, 1, 4, WR_ADDR };

#define BIT(i) (1u << (i))
#define RANGE(a, b) (((b) >= 31 ? ~0u : (BIT((b) + 1) - 1)) & ~(BIT(a) - 1))

static __u32 u(const struct blk *k, const int *size, int id, int n)
{
	const __u8 *p = blk_param(k, size, id);

	return p ? be(p, n) : 0xdeadbeef;
}

/* An address parameter: defined (its id is the next) or a reference */
static int addr_is_ref(const __u8 *p, __u32 id)
{
	return p && p[0] == 0 && be(p + 1, 4) == id;
}

static int addr_is_def(const __u8 *p, const struct in6_addr *a)
{
	if (!p)
		return 0;
	if (IN6_IS_ADDR_V4MAPPED(a))
		return p[0] == 4 && p[1] == WARTS_ADDR_IPV4 && !memcmp(p + 2, &a->s6_addr[12], 4);
	return p[0] == 16 && p[1] == WARTS_ADDR_IPV6 && !memcmp(p + 2, a->s6_addr, 16);
}

/* One reply: its flags and fields against the probe it answers */
static const __u8 *check_reply(const __u8 *p, const struct probe_rec *pr, int method, int v4,
			       const char *what)
{
	const struct hop_reply *r = &pr->reply;
	int tcp = r->kind == XHOP_EV_TCP;
	__u32 want = BIT(1) | BIT(2) | BIT(3) | BIT(4) | BIT(11);
	__u64 rx = r->rx_ns + 1700000000ULL * 1000000000ULL;
	struct blk k;

	(void)method;
	p = read_blk(p, &k);
	want |= tcp ? BIT(6) : BIT(5) | BIT(8) | BIT(9) | (r->mpls_count ? BIT(7) : 0);
	EXPECT(blk_mask(&k) == want, "%s: reply flags 0x%x, want 0x%x", what, blk_mask(&k), want);
	EXPECT(u(&k, reply_size, 1, 4) == rx / 1000000000ULL &&
		       be(blk_param(&k, reply_size, 1) + 4, 4) == rx % 1000000000ULL / 1000,
	       "%s: rx", what);
	EXPECT(u(&k, reply_size, 2, 2) == (v4 ? r->ipid : 0), "%s: ipid", what);
	EXPECT(u(&k, reply_size, 3, 1) == r->reply_ttl, "%s: reply ttl", what);
	EXPECT(u(&k, reply_size, 4, 1) == (tcp ? 0x03u : 0x01u), "%s: reply flags byte", what);
	if (tcp) {
		EXPECT(u(&k, reply_size, 6, 1) == r->tcp_flags, "%s: tcp flags", what);
	} else {
		EXPECT(u(&k, reply_size, 5, 2) == (__u32)(r->icmp_type << 8 | r->icmp_code),
		       "%s: icmp type/code", what);
		EXPECT(u(&k, reply_size, 8, 1) == r->q_ttl && u(&k, reply_size, 9, 1) == r->q_tos,
		       "%s: quoted ttl, tos", what);
	}
	if (r->mpls_count) {
		const __u8 *e = blk_param(&k, reply_size, 7);

		/* set length 8; one object: 4 data bytes, class 1, type 1; the entry */
		EXPECT(e && be(e, 2) == 8 && be(e + 2, 2) == 4 && e[4] == 1 && e[5] == 1 &&
			       be(e + 6, 4) == r->mpls[0],
		       "%s: MPLS extension", what);
	}
	EXPECT(k.end == p, "%s: reply length", what);
	return p;
}

static void test_record(int family, int method)
{
	/* node indices once the silent node is left out, and the address ids */
	static const int idx[MPS_NODES] = { 0, 1, 2, -1, 3, 4, 5, 6 };
	static const int linkc[7] = { 2, 1, 1, 1, 1, 0, 0 };
	static const int hopc[MPS_LINKS] = { 1, 1, 2, 1, 1, 1 };
	struct mp_synth s;
	struct warts_enc e = { 0 };
	struct warts_buf b = { 0 };
	const struct mp_rec *r;
	const __u8 *p, *q;
	struct blk k;
	char what[64];
	int v4 = family == 4, ntype = method == METHOD_UDP ? 3 : method == METHOD_TCP ? 4 : 2;
	__u16 base = method == METHOD_ICMP ? 0xbeef : 40001;

	mp_synth(&s, family, method);
	r = &s.rec;
	EXPECT(warts_tracelb_put(&e, &b, r, 1, 1) == 0, "encode v%d m%d", family, method);
	EXPECT(be(b.p, 2) == WARTS_MAGIC && be(b.p + 2, 2) == WARTS_TRACELB, "header");
	EXPECT(be(b.p + 4, 4) == b.len - 8, "length %u of %zu", be(b.p + 4, 4), b.len);

	/* the trace: every parameter 1-22 but the deprecated 3 and 4 */
	p = read_blk(b.p + 8, &k);
	EXPECT(blk_mask(&k) == (RANGE(1, 22) & ~(BIT(3) | BIT(4))), "trace flags 0x%x",
	       blk_mask(&k));
	EXPECT(u(&k, trace_size, 1, 4) == 1 && u(&k, trace_size, 2, 4) == 1, "list, cycle");
	EXPECT(u(&k, trace_size, 5, 4) == 1700000000 &&
		       be(blk_param(&k, trace_size, 5) + 4, 4) == 123456,
	       "start");
	EXPECT(u(&k, trace_size, 6, 2) == 40001 &&
		       u(&k, trace_size, 7, 2) == (method == METHOD_TCP ? 80u : 33434u),
	       "sport, dport");
	EXPECT(u(&k, trace_size, 8, 2) == (v4 ? 60u : 80u), "probe size");
	EXPECT(u(&k, trace_size, 9, 1) == (__u32)ntype, "type %u", u(&k, trace_size, 9, 1));
	EXPECT(u(&k, trace_size, 10, 1) == 1 && u(&k, trace_size, 11, 1) == 2 &&
		       u(&k, trace_size, 12, 1) == 0 && u(&k, trace_size, 13, 1) == 2 &&
		       u(&k, trace_size, 14, 1) == 95 && u(&k, trace_size, 15, 1) == 0,
	       "firsthop, wait, wait probe, attempts, confidence, tos");
	EXPECT(u(&k, trace_size, 16, 2) == 7 && u(&k, trace_size, 17, 2) == MPS_LINKS,
	       "nodec %u (the silent node left out), linkc %u", u(&k, trace_size, 16, 2),
	       u(&k, trace_size, 17, 2));
	EXPECT(u(&k, trace_size, 18, 4) == MPS_PROBES && u(&k, trace_size, 19, 4) == 3000 &&
		       u(&k, trace_size, 20, 1) == 3,
	       "probec, probec_max, gaplimit");
	EXPECT(addr_is_def(blk_param(&k, trace_size, 21), &r->h.src) &&
		       addr_is_def(blk_param(&k, trace_size, 22), &r->h.dst),
	       "src, dst defined (ids 0, 1)");

	/* nodes: flags, linkc, address; ids 2.. in order, r4 and dst by reference */
	for (int i = 0, id = 2; i < MPS_NODES; i++) {
		if (idx[i] < 0)
			continue;
		snprintf(what, sizeof(what), "v%d m%d node %d", family, method, idx[i]);
		p = read_blk(p, &k);
		EXPECT(blk_mask(&k) == (BIT(2) | BIT(3) | BIT(5)), "%s flags 0x%x", what,
		       blk_mask(&k));
		EXPECT(u(&k, node_size, 2, 1) == 0 && u(&k, node_size, 3, 2) == (__u32)linkc[idx[i]],
		       "%s: linkc %u", what, u(&k, node_size, 3, 2));
		q = blk_param(&k, node_size, 5);
		if (i == MPS_R4_4)
			EXPECT(addr_is_ref(q, 5), "%s: r4 again, by reference", what);
		else if (i >= MPS_DST_4)
			EXPECT(addr_is_ref(q, 1), "%s: the destination, by reference", what);
		else
			EXPECT(addr_is_def(q, &s.nodes[i].addr) && id++, "%s: defined", what);
	}

	/* links, their probe sets, probes, replies */
	for (int l = 0; l < MPS_LINKS; l++) {
		const struct mp_link *lk = &r->links[l];
		__u32 j = 0;

		snprintf(what, sizeof(what), "v%d m%d link %d", family, method, l);
		p = read_blk(p, &k);
		EXPECT(blk_mask(&k) == (BIT(1) | BIT(2) | BIT(3)), "%s flags", what);
		EXPECT(u(&k, link_size, 1, 2) == (__u32)idx[lk->from] &&
			       u(&k, link_size, 2, 2) == (__u32)idx[lk->to] &&
			       u(&k, link_size, 3, 1) == (__u32)hopc[l],
		       "%s: from %u to %u hopc %u", what, u(&k, link_size, 1, 2),
		       u(&k, link_size, 2, 2), u(&k, link_size, 3, 1));
		for (int h = 0; h < hopc[l]; h++) {
			int ttl = s.nodes[lk->from].ttl + 1 + h, n = 0;

			for (__u32 x = j; x < lk->nprobes; x++)
				n += r->probes[r->link_probes[lk->probe0 + x]].ttl == ttl;
			p = read_blk(p, &k);
			EXPECT(blk_mask(&k) == BIT(1) && u(&k, set_size, 1, 2) == (__u32)n,
			       "%s set %d: %u probes, want %d", what, h, u(&k, set_size, 1, 2), n);
			for (int x = 0; x < n; x++, j++) {
				const struct probe_rec *pr = &r->probes[r->link_probes[lk->probe0 + j]];
				__u64 tx = pr->tx_ns + 1700000000ULL * 1000000000ULL;

				p = read_blk(p, &k);
				EXPECT(blk_mask(&k) == RANGE(1, 5), "%s probe flags", what);
				EXPECT(u(&k, probe_size, 1, 4) == tx / 1000000000ULL &&
					       be(blk_param(&k, probe_size, 1) + 4, 4) ==
						       tx % 1000000000ULL / 1000,
				       "%s: tx", what);
				EXPECT(u(&k, probe_size, 2, 2) == (__u16)(base + pr->flow),
				       "%s: flow id %u", what, u(&k, probe_size, 2, 2));
				EXPECT(u(&k, probe_size, 3, 1) == pr->ttl &&
					       u(&k, probe_size, 4, 1) == pr->attempt &&
					       u(&k, probe_size, 5, 2) == pr->answered,
				       "%s: ttl, attempt, rxc", what);
				if (pr->answered)
					p = check_reply(p, pr, method, v4, what);
			}
		}
		EXPECT(j == lk->nprobes, "%s: every probe written", what);
	}
	EXPECT(p == b.p + b.len, "the record ends after the last link");

	/* a link holding a probe outside its TTLs: refused, nothing left */
	{
		static const __u8 pre[] = { 0xaa, 0xbb };

		warts_buf_reset(&b);
		warts_put_bytes(&b, pre, sizeof(pre));
		s.link_probes[s.links[0].probe0] = 8; /* a TTL 4 probe in the TTL 2 link */
		EXPECT(warts_tracelb_put(&e, &b, r, 1, 1) == -EINVAL && b.len == sizeof(pre),
		       "a wrong record: refused, %zu bytes left", b.len);
	}
	warts_enc_free(&e);
	warts_buf_free(&b);
}

static void test_types(void)
{
	EXPECT(warts_tracelb_type(METHOD_ICMP) == WARTS_TLB_ICMP_ECHO &&
		       warts_tracelb_type(METHOD_UDP) == WARTS_TLB_UDP_SPORT &&
		       warts_tracelb_type(METHOD_TCP) == WARTS_TLB_TCP_SPORT,
	       "tracelb types");
}

/* One made-up multipath trace as warts and as xhop's JSON (synth_write.h) */
static int put_synth(struct warts_enc *e, struct warts_buf *b, FILE *json, int family, int method)
{
	struct mp_synth s;

	mp_synth(&s, family, method);
	mp_json_write(json, &s.rec);
	return warts_tracelb_put(e, b, &s.rec, 1, 1);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--write"))
		return synth_write(argv[2], put_synth);
	test_types();
	for (int fam = 4; fam <= 6; fam += 2)
		for (int m = METHOD_ICMP; m <= METHOD_TCP; m++)
			test_record(fam, m);
	return TEST_SUMMARY();
}
