// SPDX-License-Identifier: GPL-2.0
/*
 * The warts encoder against warts(5), byte by byte: object header, flag
 * bytes and their link bits, parameter lengths, numbers in network order,
 * addresses defined then referenced per object, ICMP extensions; and a
 * trace record read back by a small reader written here from the man
 * page (not from the encoder).
 *
 * test_warts --write DIR also writes one made-up trace (TCP and ICMP
 * answers, MPLS labels, IPv6) as DIR/synth.warts and as xhop's JSON
 * DIR/synth.json: tests/e2e/test_warts.sh has scamper's sc_warts2json
 * read the one and compares it with the other, for what the lab cannot
 * make (MPLS).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xhop_test.h"
#include "core/probe_build.h"
#include "sink/trace_json.h"
#include "sink/warts_enc.h"
#include "sink/warts_trace.h"
#include "xhop_proto.h"
#include "trace_synth.h"

static int bytes_are(const struct warts_buf *b, size_t off, const __u8 *want, size_t n)
{
	return b->len >= off + n && !memcmp(b->p + off, want, n);
}

static void test_numbers(void)
{
	struct warts_buf b = { 0 };
	const __u8 want[] = { 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 1, 0, 0, 0, 2,
			      'a', 'b', 0 };

	warts_put_u16(&b, 0x1234);
	warts_put_u32(&b, 0xdeadbeef);
	warts_put_timeval(&b, 1, 2);
	warts_put_str(&b, "ab");
	EXPECT(b.len == sizeof(want) && bytes_are(&b, 0, want, sizeof(want)), "len %zu", b.len);
	warts_buf_free(&b);
}

static void test_header(void)
{
	struct warts_buf b = { 0 };
	size_t at;

	warts_put_u8(&b, 0xaa); /* an object need not start the buffer */
	at = warts_obj_begin(&b, WARTS_CYCLE_STOP);
	warts_put_u32(&b, 7);
	warts_put_u8(&b, 0);
	warts_obj_end(&b, at);
	{
		const __u8 want[] = { 0x12, 0x05, 0x00, 0x04, 0, 0, 0, 5, 0, 0, 0, 7, 0 };

		EXPECT(at == 1 && bytes_are(&b, 1, want, sizeof(want)), "header");
	}
	warts_buf_free(&b);
}

static void test_flags(void)
{
	struct warts_params p = { 0 };
	struct warts_buf b = { 0 };

	EXPECT(warts_flag_bytes(0) == 1 && warts_flag_bytes(1) == 1 && warts_flag_bytes(7) == 1 &&
		       warts_flag_bytes(8) == 2 && warts_flag_bytes(14) == 2 &&
		       warts_flag_bytes(15) == 3,
	       "flag bytes");

	/* nothing set: one zero byte, no length */
	warts_params_begin(&p);
	EXPECT(warts_params_end(&p, &b) == 0 && b.len == 1 && b.p[0] == 0, "empty: %zu", b.len);

	/* parameter 1: bit 0 of byte 0 */
	warts_buf_reset(&b);
	warts_params_begin(&p);
	warts_param_u8(&p, 1, 0x42);
	{
		const __u8 want[] = { 0x01, 0x00, 0x01, 0x42 };

		EXPECT(warts_params_end(&p, &b) == 0 && b.len == 4 && bytes_are(&b, 0, want, 4),
		       "param 1");
	}

	/* parameter 7 is the last of byte 0; 8 the first of byte 1, whose
	 * predecessor then carries the link bit
	 */
	warts_buf_reset(&b);
	warts_params_begin(&p);
	warts_param_u8(&p, 7, 1);
	warts_param_u16(&p, 8, 0x0203);
	{
		const __u8 want[] = { 0x80 | 0x40, 0x01, 0x00, 0x03, 1, 2, 3 };

		EXPECT(warts_params_end(&p, &b) == 0 && b.len == 7 && bytes_are(&b, 0, want, 7),
		       "params 7, 8");
	}

	/* only a high parameter: byte 0 is the link bit alone */
	warts_buf_reset(&b);
	warts_params_begin(&p);
	warts_param_u32(&p, 19, 0x01020304);
	{
		const __u8 want[] = { 0x80, 0x80, 0x10, 0x00, 0x04, 1, 2, 3, 4 };

		EXPECT(warts_params_end(&p, &b) == 0 && b.len == 9 && bytes_are(&b, 0, want, 9),
		       "param 19 alone");
	}

	/* out of order or out of range: an error, nothing written */
	warts_buf_reset(&b);
	warts_params_begin(&p);
	warts_param_u8(&p, 5, 1);
	warts_param_u8(&p, 3, 1);
	EXPECT(warts_params_end(&p, &b) < 0 && b.len == 0, "order");
	warts_params_begin(&p);
	warts_param_u8(&p, 7 * WARTS_FLAGS_MAX + 1, 1);
	EXPECT(warts_params_end(&p, &b) < 0 && b.len == 0, "range");
	warts_params_begin(&p);
	warts_param_u8(&p, 0, 1);
	EXPECT(warts_params_end(&p, &b) < 0, "id 0");

	warts_params_free(&p);
	warts_buf_free(&b);
}

static void test_addrs(void)
{
	struct warts_params p = { 0 };
	struct warts_addrs t = { 0 };
	struct warts_buf b = { 0 };
	struct in6_addr a4 = synth_ip("198.18.1.2"), a6 = synth_ip("2001:2:0:1::2");
	const __u8 want[] = {
		0x0f, 0x00, 34,				/* params 1-4, 34 bytes */
		4, WARTS_ADDR_IPV4, 198, 18, 1, 2,	/* 1: defined, id 0 */
		16, WARTS_ADDR_IPV6, 0x20, 0x01, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2,
		0, 0, 0, 0, 0,				/* 3: id 0 */
		0, 0, 0, 0, 1,				/* 4: id 1 */
	};

	warts_params_begin(&p);
	warts_param_addr(&p, 1, &t, &a4);
	warts_param_addr(&p, 2, &t, &a6);
	warts_param_addr(&p, 3, &t, &a4);
	warts_param_addr(&p, 4, &t, &a6);
	EXPECT(warts_params_end(&p, &b) == 0 && b.len == sizeof(want) &&
		       bytes_are(&b, 0, want, sizeof(want)),
	       "define, then reference: %zu bytes", b.len);

	/* a new object: its own table, so the address is defined again */
	warts_addrs_reset(&t);
	warts_buf_reset(&b);
	warts_params_begin(&p);
	warts_param_addr(&p, 1, &t, &a4);
	EXPECT(warts_params_end(&p, &b) == 0 && b.len == 3 + 6 && b.p[3] == 4, "reset table");

	warts_addrs_free(&t);
	warts_params_free(&p);
	warts_buf_free(&b);
}

static void test_mpls(void)
{
	struct warts_params p = { 0 };
	struct warts_buf b = { 0 };
	/* label 16005, exp 5, S 1, TTL 254 */
	__u32 lse[2] = { 16000u << 12 | 1u << 9 | 0u << 8 | 1, 16005u << 12 | 5u << 9 | 1u << 8 | 254 };
	const __u8 want[] = {
		0x01, 0x00, 14,	       /* param 1: 14 bytes */
		0x00, 12,	       /* the extension set's length */
		0x00, 8, 1, 1,	       /* one object: 8 data bytes, class 1, type 1 */
		0x03, 0xe8, 0x02, 0x01, /* 16000, exp 1, S 0, TTL 1 */
		0x03, 0xe8, 0x5b, 0xfe, /* 16005, exp 5, S 1, TTL 254 */
	};

	warts_params_begin(&p);
	warts_param_mpls(&p, 1, lse, 2);
	EXPECT(warts_params_end(&p, &b) == 0 && b.len == sizeof(want) &&
		       bytes_are(&b, 0, want, sizeof(want)),
	       "mpls: %zu bytes", b.len);
	warts_params_free(&p);
	warts_buf_free(&b);
}

/* ---- a trace, and a reader from the man page ---- */

/* A parameter block as warts(5) lays it out */
struct blk {
	int set[64];
	const __u8 *params; /* the first parameter */
	const __u8 *end;    /* past the last */
};

static const __u8 *read_blk(const __u8 *p, struct blk *k)
{
	int i = 0, more;
	__u16 len;

	memset(k, 0, sizeof(*k));
	do {
		more = p[i] & 0x80;
		for (int bit = 0; bit < 7; bit++)
			if (p[i] & (1 << bit))
				k->set[i * 7 + bit + 1] = 1;
		i++;
	} while (more);
	if (p[0] == 0) {
		k->params = k->end = p + 1;
		return p + 1;
	}
	len = (__u16)(p[i] << 8 | p[i + 1]);
	k->params = p + i + 2;
	k->end = k->params + len;
	return k->end;
}

static __u32 be(const __u8 *p, int n)
{
	__u32 v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* An address field's length: defined (len, type, bytes) or referenced (0, id) */
static int addr_len(const __u8 *p)
{
	return p[0] ? 2 + p[0] : 5;
}

/* Hop parameter sizes by id (warts(5)); 0: variable */
static const int hop_size[20] = { 0, 4, 1, 1, 1, 1, 4, 2, 2, 2, 2, 1, 2, 2, 1, 1, 1, 0, 0, 8 };

/* Where parameter id of a hop block is, or NULL if not set */
static const __u8 *hop_param(const struct blk *k, int id)
{
	const __u8 *p = k->params;

	if (!k->set[id])
		return NULL;
	for (int i = 1; i < id; i++) {
		if (!k->set[i])
			continue;
		if (i == 17)
			p += 2 + be(p, 2);
		else if (i == 18)
			p += addr_len(p);
		else
			p += hop_size[i];
	}
	return p;
}

static void test_trace(void)
{
	struct probe_rec hops[SYNTH_HOPS];
	struct trace_rec t = trace_synth(4, METHOD_TCP, hops);
	struct warts_enc e = { 0 };
	struct warts_buf b = { 0 };
	struct blk k;
	const __u8 *p, *q;
	__u32 len;

	EXPECT(warts_trace_put(&e, &b, &t, 1, 1) == 0, "encode");
	EXPECT(be(b.p, 2) == WARTS_MAGIC && be(b.p + 2, 2) == WARTS_TRACE, "header");
	len = be(b.p + 4, 4);
	EXPECT(len == b.len - 8, "length %u of %zu", len, b.len);
	p = read_blk(b.p + 8, &k);
	/* list, cycle, start, stop reason/data, attempts, hoplimit, type, ... */
	EXPECT(k.set[1] && k.set[2] && k.set[5] && k.set[6] && k.set[11] && k.set[26] && k.set[27] &&
		       !k.set[3] && !k.set[4] && !k.set[8],
	       "trace flags");
	/* list 1, cycle 1, then the start timeval */
	EXPECT(be(k.params, 4) == 1 && be(k.params + 4, 4) == 1 && be(k.params + 8, 4) == 1700000000 &&
		       be(k.params + 12, 4) == 123456,
	       "list, cycle, start");
	/* stop reason COMPLETED, stop data 0, attempts 3, hoplimit 30, type tcp */
	EXPECT(k.params[16] == 1 && k.params[17] == 0 && k.params[18] == 3 && k.params[19] == 30 &&
		       k.params[20] == WARTS_TT_TCP,
	       "stop, attempts, hoplimit, type: %u %u %u %u %u", k.params[16], k.params[17],
	       k.params[18], k.params[19], k.params[20]);
	EXPECT(be(p, 2) == 5, "hop records: %u", be(p, 2));
	p += 2;
	for (int i = 0; i < 5; i++) {
		const struct probe_rec *pr = &t.hops[i];

		p = read_blk(p, &k);
		q = hop_param(&k, 2);
		EXPECT(q && *q == pr->ttl, "hop %d probe ttl", i);
		q = hop_param(&k, 5);
		EXPECT(q && *q == pr->attempt, "hop %d probe id, 0-based", i);
		q = hop_param(&k, 6);
		if (i == 4)
			EXPECT(!q, "hop 4: no send stamp, no rtt");
		else
			EXPECT(q && be(q, 4) == 1235 + (__u32)i, "hop %d rtt %u us", i, q ? be(q, 4) : 0);
		q = hop_param(&k, 4);
		EXPECT(q && *q == (i == 4 ? 0x30 : 0x10), "hop %d flags 0x%x", i, q ? *q : 0);
		q = hop_param(&k, 7);
		EXPECT(i == 4 ? !q : q && be(q, 2) == 11 << 8, "hop %d icmp type/code", i);
		q = hop_param(&k, 15);
		EXPECT(i == 4 ? q && *q == 0x14 : !q, "hop %d tcp flags", i);
		q = hop_param(&k, 14);
		EXPECT(i == 3 ? q && *q == 2 : !q, "hop %d quoted ttl only when not 1", i);
		q = hop_param(&k, 13);
		EXPECT(i == 1 ? q && be(q, 2) == 64 : !q, "hop %d quoted length only when not the probe's",
		       i);
		q = hop_param(&k, 17);
		EXPECT(i == 1 ? q && be(q, 2) == 12 : !q, "hop %d icmp extensions", i);
		q = hop_param(&k, 18);
		/* ids: src 0, dst 1, then each new hop address; hops 1 and 2
		 * share one, and the last is the destination
		 */
		if (i == 2)
			EXPECT(q && q[0] == 0 && be(q + 1, 4) == 3, "hop 2 address by id");
		else if (i == 4)
			EXPECT(q && q[0] == 0 && be(q + 1, 4) == 1, "hop 4: the destination's id");
		else
			EXPECT(q && q[0] == 4 && q[1] == WARTS_ADDR_IPV4 &&
				       !memcmp(q + 2, &t.hops[i].reply.from.s6_addr[12], 4),
			       "hop %d address defined", i);
		q = hop_param(&k, 19);
		EXPECT(i == 4 ? !q : q && be(q, 4) == 1700000005, "hop %d tx", i);
	}
	EXPECT(be(p, 2) == 0 && p + 2 == b.p + b.len, "end of trace");
	warts_enc_free(&e);
	warts_buf_free(&b);
}

static void test_records(void)
{
	struct warts_enc e = { 0 };
	struct warts_buf b = { 0 };
	const __u8 list[] = { 0x12, 0x05, 0x00, 0x01, 0, 0, 0, 17, 0, 0, 0, 1, 0, 0, 0, 7,
			      'x', 0, 0x03, 0x00, 0x04, 'd', 0, 'm', 0 };
	const __u8 cycle[] = { 0x12, 0x05, 0x00, 0x02, 0, 0, 0, 22, 0, 0, 0, 1, 0, 0, 0, 1,
			       0, 0, 0, 9, 0, 0, 0, 100, 0x02, 0x00, 0x03, 'h', 'h', 0 };
	const __u8 stop[] = { 0x12, 0x05, 0x00, 0x04, 0, 0, 0, 9, 0, 0, 0, 1, 0, 0, 0, 200, 0 };

	EXPECT(warts_list_put(&e, &b, 1, 7, "x", "d", "m") == 0 && b.len == sizeof(list) &&
		       bytes_are(&b, 0, list, sizeof(list)),
	       "list");
	warts_buf_reset(&b);
	EXPECT(warts_cycle_start_put(&e, &b, 1, 1, 9, 100, "hh") == 0 && b.len == sizeof(cycle) &&
		       bytes_are(&b, 0, cycle, sizeof(cycle)),
	       "cycle start");
	warts_buf_reset(&b);
	EXPECT(warts_cycle_stop_put(&e, &b, 1, 200) == 0 && b.len == sizeof(stop) &&
		       bytes_are(&b, 0, stop, sizeof(stop)),
	       "cycle stop");
	warts_enc_free(&e);
	warts_buf_free(&b);
}

static void test_codes(void)
{
	EXPECT(warts_trace_type(METHOD_ICMP) == WARTS_TT_ICMP_ECHO_PARIS &&
		       warts_trace_type(METHOD_UDP) == WARTS_TT_UDP_PARIS &&
		       warts_trace_type(METHOD_TCP) == WARTS_TT_TCP,
	       "trace types");
	EXPECT(warts_stop_reason(STOP_COMPLETED) == 1 && warts_stop_reason(STOP_UNREACH) == 2 &&
		       warts_stop_reason(STOP_GAPLIMIT) == 5 && warts_stop_reason(STOP_ERROR) == 6 &&
		       warts_stop_reason(STOP_HOPLIMIT) == 7 && warts_stop_reason(STOP_INTERRUPTED) == 0,
	       "stop reasons");
}

/* The made-up traces as warts and as xhop's JSON, for scamper to compare */
static int write_synth(const char *dir)
{
	char path[512];
	struct warts_enc e = { 0 };
	struct warts_buf b = { 0 };
	FILE *w, *j;
	int err = 0;

	snprintf(path, sizeof(path), "%s/synth.warts", dir);
	w = fopen(path, "wb");
	snprintf(path, sizeof(path), "%s/synth.json", dir);
	j = fopen(path, "w");
	if (!w || !j) {
		perror("test_warts: open");
		return 1;
	}
	err |= warts_list_put(&e, &b, 1, 1, "synth", NULL, NULL);
	err |= warts_cycle_start_put(&e, &b, 1, 1, 1, 1700000000, NULL);
	for (int fam = 4; fam <= 6; fam += 2) {
		for (int m = METHOD_ICMP; m <= METHOD_TCP; m++) {
			struct probe_rec hops[SYNTH_HOPS];
			struct trace_rec t = trace_synth(fam, m, hops);

			err |= warts_trace_put(&e, &b, &t, 1, 1);
			trace_json_write(j, &t, NULL);
			fputc('\n', j);
		}
	}
	err |= warts_cycle_stop_put(&e, &b, 1, 1700000001);
	if (err || fwrite(b.p, 1, b.len, w) != b.len)
		err = 1;
	if (fclose(w) || fclose(j))
		err = 1;
	warts_enc_free(&e);
	warts_buf_free(&b);
	return err != 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--write"))
		return write_synth(argv[2]);
	test_numbers();
	test_header();
	test_flags();
	test_addrs();
	test_mpls();
	test_records();
	test_codes();
	test_trace();
	return TEST_SUMMARY();
}
