// SPDX-License-Identifier: GPL-2.0
/*
 * The probe generator (bpf/xhop_gen.bpf.c) through bpf_prog_test_run_opts
 * WITHOUT live frames: data_out is the frame it would redirect. Nothing is
 * sent.
 *
 * For each family x method, and with the MAC made in userspace or in BPF,
 * many (dst, TTL, probe id) items: the frame must be byte-identical to
 * probe_build()'s probe behind the configured Ethernet header; the flow
 * stays constant (Paris); xhop_rx consumes the answers routers and targets
 * build around it and decodes the right probe id and destination; a
 * generator with another run's key makes probes whose answers pass.
 *
 * Live frames reuse pages without re-initialising them, so each run gets
 * the previous run's output as its input: a field the program forgot to
 * write would keep the previous probe's value and differ.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "xhop_test.h"
#include "xhop_proto.h"
#include "pkt.h"
#include "recv/loader.h"
#include "send/gen_send.h"
#include "xhop.skel.h"
#include "core/probe_build.h"

#define GOT_MAX 8
#define ITEMS 600 /* more than two batches */

static struct xhop_event got[GOT_MAX];
static int n_got;

static int on_event(void *ctx, const struct xhop_event *ev)
{
	(void)ctx;
	if (n_got < GOT_MAX)
		got[n_got] = *ev;
	n_got++;
	return 0;
}

static const struct xhop_key key = { 0x0123456789abcdefULL, 0xfedcba9876543210ULL };
static const struct xhop_key key_other = { 0x1111111111111111ULL, 0x2222222222222222ULL };
static struct loader ld, ld_other;
static const __u8 mac_src[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const __u8 mac_dst[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
static const char *const method_name[] = { "icmp", "udp", "tcp" };

static __u32 rnd_state = 0x12345678;

static __u32 rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* A destination of the family in the test ranges; every fourth one random */
static struct in6_addr rnd_dst(int family, int i)
{
	struct in6_addr a = probe_dst(family);
	__u32 r = i % 4 ? rnd() : 0xffffffff;

	if (family == 4) {
		a.s6_addr[13] = (r >> 16) & 0x01 ? 0x13 : 0x12; /* 198.18/15 */
		a.s6_addr[14] = r >> 8;
		a.s6_addr[15] = r;
	} else {
		/* 2001:2:0:X::/64, X and the host part random */
		a.s6_addr[6] = r >> 24;
		a.s6_addr[7] = r >> 16;
		for (int k = 8; k < 16; k++)
			a.s6_addr[k] = rnd();
	}
	return a;
}

/* the generator in xhop_rx (the receiver's), or a program of its own */
static int use_rx;

static void cfg_of(struct gen_cfg *cfg, int family, int method, __u16 size, int mac_where,
		   const struct xhop_key *k)
{
	memset(cfg, 0, sizeof(*cfg));
	if (use_rx)
		cfg->rx = k == &key ? &ld : &ld_other;
	cfg->ifindex = 1;
	cfg->family = family;
	cfg->method = method;
	cfg->src = probe_src(family);
	memcpy(cfg->src_mac, mac_src, 6);
	memcpy(cfg->dst_mac, mac_dst, 6);
	cfg->key = k;
	cfg->sport = 40000 + method;
	cfg->dport = method == METHOD_TCP ? 443 : 33434;
	cfg->icmp_sum = 0xbeef;
	cfg->size = size;
	cfg->tos = 0x20;
	cfg->mac_where = mac_where;
	cfg->no_dev_check = 1;
}

static void spec_of(struct probe_spec *ps, const struct gen_cfg *cfg, const struct gen_probe *p)
{
	memset(ps, 0, sizeof(*ps));
	ps->src = cfg->src;
	ps->dst = p->dst;
	ps->probe_id = p->probe_id;
	ps->sport = cfg->sport;
	ps->dport = cfg->dport;
	ps->icmp_sum = cfg->icmp_sum;
	ps->size = cfg->size;
	ps->family = cfg->family;
	ps->method = cfg->method;
	ps->ttl = p->ttl;
	ps->tos = cfg->tos;
}

/* One frame through the generator: 0, the verdict and the output */
static int gen_run(struct gen_sender *g, const __u8 *in, __u32 len, __u8 *out, __u32 *out_len,
		   __u32 *verdict)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in, .data_size_in = len, .data_out = out,
		    .data_size_out = PKT_MAX, .repeat = 1);
	int err = bpf_prog_test_run_opts(gen_prog_fd(g), &opts);

	*out_len = opts.data_size_out;
	*verdict = opts.retval;
	return err ? -errno : 0;
}

/* xhop_rx of l on the frame: verdict and events */
static __u32 rx(struct loader *l, const struct pkt *p)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p->data, .data_size_in = p->len,
		    .repeat = 1);

	n_got = 0;
	if (bpf_prog_test_run_opts(loader_prog_fd_rx(l), &opts))
		return (__u32)-1;
	loader_consume(l);
	return opts.retval;
}

static void expect_answer(const char *what, const struct pkt *p, const struct gen_probe *gp,
			  int family)
{
	__u32 v = rx(&ld, p);

	EXPECT(v == XDP_DROP && n_got == 1, "%s: verdict %u, %d events", what, v, n_got);
	if (n_got == 1) {
		EXPECT(got[0].probe_id == gp->probe_id, "%s: probe id %u, want %u", what,
		       got[0].probe_id, gp->probe_id);
		EXPECT(!memcmp(got[0].dst, &gp->dst, 16), "%s: wrong destination", what);
		EXPECT(got[0].family == family, "%s: family %u", what, got[0].family);
	}
}

/* The answers a router and the target build around the generated probe */
static void check_answers(const char *what, const __u8 *ip, size_t len, const struct gen_probe *gp,
			  int family, int method)
{
	struct in6_addr hop = probe_hop(family), src = probe_src(family);
	struct pkt p;
	char w[160];

	pkt_icmp_error(&p, &hop, &src, family == 6 ? XHOP_ICMP6_TIME_EXCEED : XHOP_ICMP_TIME_EXCEEDED,
		       0, ip, len, 0);
	snprintf(w, sizeof(w), "%s: time exceeded", what);
	expect_answer(w, &p, gp, family);
	if (method == METHOD_UDP) {
		pkt_icmp_error(&p, &gp->dst, &src,
			       family == 6 ? XHOP_ICMP6_DEST_UNREACH : XHOP_ICMP_DEST_UNREACH,
			       family == 6 ? XHOP_ICMP6_PORT_UNREACH : XHOP_ICMP_PORT_UNREACH, ip, len,
			       0);
		snprintf(w, sizeof(w), "%s: port unreachable", what);
		expect_answer(w, &p, gp, family);
	}
	if (method == METHOD_ICMP) {
		pkt_echo_reply(&p, ip, len);
		snprintf(w, sizeof(w), "%s: echo reply", what);
		expect_answer(w, &p, gp, family);
	} else if (method == METHOD_TCP) {
		pkt_tcp_answer(&p, ip, len, XHOP_TCP_RST | XHOP_TCP_ACK);
		snprintf(w, sizeof(w), "%s: tcp rst", what);
		expect_answer(w, &p, gp, family);
	}
}

/* Paris: what load balancers hash never changes within the flow */
static void check_flow(const char *what, const __u8 *ip, int family, int method)
{
	const __u8 *l4 = ip + (family == 6 ? 40 : 20);

	if (method == METHOD_ICMP)
		EXPECT(l4[2] == 0xbe && l4[3] == 0xef, "%s: icmp checksum %02x%02x", what, l4[2],
		       l4[3]);
	else
		EXPECT((l4[0] << 8 | l4[1]) == 40000 + method &&
			       (l4[2] << 8 | l4[3]) == (method == METHOD_TCP ? 443 : 33434),
		       "%s: ports changed", what);
	if (family == 6) /* flow label 0 */
		EXPECT((ip[1] & 0x0f) == 0 && ip[2] == 0 && ip[3] == 0, "%s: flow label", what);
}

static void test_matrix_one(int family, int method, __u16 size, int mac_where)
{
	static struct gen_probe gp[ITEMS];
	static __u8 prev[PKT_MAX], out[PKT_MAX], want[PROBE_MAX_SIZE];
	struct gen_sender *g;
	struct gen_cfg cfg;
	const __u8 *tmpl;
	__u32 tlen, prev_len, out_len, verdict;
	static __u8 check_ip[4][PROBE_MAX_SIZE];
	size_t check_len[4];
	struct gen_probe check_gp[4];
	int mismatches = 0, answers = 0, n_check = 0;
	char what[96];

	snprintf(what, sizeof(what), "%s v%d %s size %u mac %s", use_rx ? "xhop_rx" : "own",
		 family, method_name[method], size, mac_where == GEN_MAC_BPF ? "bpf" : "user");
	cfg_of(&cfg, family, method, size, mac_where, &key);
	if (gen_open(&g, &cfg)) {
		EXPECT(0, "%s: gen_open failed", what);
		return;
	}
	tmpl = gen_template(g, &tlen);
	EXPECT(!memcmp(tmpl, mac_dst, 6) && !memcmp(tmpl + 6, mac_src, 6) &&
		       tmpl[12] == (family == 6 ? 0x86 : 0x08) && tmpl[13] == (family == 6 ? 0xdd : 0x00),
	       "%s: template Ethernet header", what);
	memcpy(prev, tmpl, tlen);
	prev_len = tlen;
	for (int i = 0; i < ITEMS; i++) {
		gp[i].dst = rnd_dst(family, i);
		gp[i].ttl = 1 + rnd() % 255;
		gp[i].probe_id = i < 3 ? (__u16[]){ 1, 0xffff, 0x8000 }[i] : 1 + rnd() % 0xffff;
	}
	for (int base = 0; base < ITEMS; base += GEN_BATCH_MAX) {
		int n = ITEMS - base < GEN_BATCH_MAX ? ITEMS - base : GEN_BATCH_MAX;
		__u64 t0, t1;
		struct gen_stats st;

		EXPECT(gen_fill(g, gp + base, n) == 0, "%s: fill", what);
		for (int j = 0; j < n; j++) {
			const struct gen_probe *p = &gp[base + j];
			struct probe_spec ps;
			ssize_t wl;

			spec_of(&ps, &cfg, p);
			wl = probe_build(&ps, &key, want, sizeof(want));
			t0 = mono_ns();
			/* a recycled page: the previous probe's bytes */
			if (gen_run(g, prev, prev_len, out, &out_len, &verdict)) {
				EXPECT(0, "%s: test run: %s", what, strerror(errno));
				break;
			}
			t1 = mono_ns();
			if (verdict != XDP_REDIRECT || out_len != ETH_HLEN + wl ||
			    memcmp(out, tmpl, ETH_HLEN) || memcmp(out + ETH_HLEN, want, wl)) {
				if (mismatches++ < 3) {
					size_t k = 0;

					while (k < (size_t)wl && out[ETH_HLEN + k] == want[k])
						k++;
					EXPECT(0, "%s: item %d (id %u ttl %u): verdict %u len %u/%zd, "
						  "first difference at IP byte %zu", what, base + j,
						  p->probe_id, p->ttl, verdict, out_len, ETH_HLEN + wl, k);
				}
			}
			check_flow(what, out + ETH_HLEN, family, method);
			/* answers once the batch is over: an armed xhop_rx
			 * would take them for generator frames (a test run
			 * comes from lo; real answers never do)
			 */
			if ((base + j) % 37 == 0 && n_check < 4) {
				memcpy(check_ip[n_check], out + ETH_HLEN, wl);
				check_len[n_check] = wl;
				check_gp[n_check++] = *p;
			}
			gen_stats(g, &st);
			if (j == n - 1)
				EXPECT(st.last_ns >= t0 && st.last_ns <= t1,
				       "%s: stamp %llu outside the run [%llu, %llu]", what,
				       (unsigned long long)st.last_ns, (unsigned long long)t0,
				       (unsigned long long)t1);
			memcpy(prev, out, out_len);
			prev_len = out_len;
		}
		/* one frame more than items: never a stale probe (own program:
		 * dropped; xhop_rx: disarmed, so a receiver that passes it)
		 */
		EXPECT(gen_run(g, prev, prev_len, out, &out_len, &verdict) == 0 &&
			       verdict == (use_rx ? XDP_PASS : XDP_DROP),
		       "%s: frame past the items: verdict %u", what, verdict);
		for (int c = 0; c < n_check; c++) {
			char w[128];

			snprintf(w, sizeof(w), "%s item id %u", what, check_gp[c].probe_id);
			check_answers(w, check_ip[c], check_len[c], &check_gp[c], family, method);
			answers++;
		}
		n_check = 0;
	}
	EXPECT(mismatches == 0, "%s: %d of %d frames differ from probe_build()", what, mismatches,
	       ITEMS);
	EXPECT(answers == 11, "%s: %d probes answered, want 11", what, answers);
	{
		struct gen_stats st;

		gen_stats(g, &st);
		EXPECT(st.generated == ITEMS && st.redirected == ITEMS,
		       "%s: generated %llu redirected %llu", what, (unsigned long long)st.generated,
		       (unsigned long long)st.redirected);
	}
	gen_close(g);
}

static void test_matrix(void)
{
	for (int family = 4; family <= 6; family += 2)
		for (int method = METHOD_ICMP; method <= METHOD_TCP; method++) {
			/* the default size, the minimum, a large one */
			test_matrix_one(family, method, family == 6 ? 80 : 60, GEN_MAC_USER);
			test_matrix_one(family, method, 0, GEN_MAC_BPF);
			test_matrix_one(family, method, 1400, GEN_MAC_DEFAULT);
		}
}

/* A generator with another run's key: its probes' answers are not ours */
static void test_other_key(void)
{
	for (int family = 4; family <= 6; family += 2)
		for (int method = METHOD_ICMP; method <= METHOD_TCP; method++) {
			struct gen_probe gp = { .dst = probe_dst(family), .probe_id = 42, .ttl = 5 };
			struct in6_addr hop = probe_hop(family), src = probe_src(family);
			__u8 out[PKT_MAX];
			__u32 len, v;
			struct gen_sender *g;
			struct gen_cfg cfg;
			const __u8 *tmpl;
			struct pkt p;
			__u32 rv;

			cfg_of(&cfg, family, method, 0, GEN_MAC_BPF, &key_other);
			if (gen_open(&g, &cfg)) {
				EXPECT(0, "other key: gen_open");
				continue;
			}
			tmpl = gen_template(g, &len);
			gen_fill(g, &gp, 1);
			EXPECT(gen_run(g, tmpl, len, out, &len, &v) == 0 && v == XDP_REDIRECT,
			       "other key v%d %s: run", family, method_name[method]);
			pkt_icmp_error(&p, &hop, &src,
				       family == 6 ? XHOP_ICMP6_TIME_EXCEED : XHOP_ICMP_TIME_EXCEEDED,
				       0, out + ETH_HLEN, len - ETH_HLEN, 0);
			rv = rx(&ld, &p);
			EXPECT(rv == XDP_PASS && n_got == 0, "other key v%d %s: verdict %u, %d events",
			       family, method_name[method], rv, n_got);
			rv = rx(&ld_other, &p);
			EXPECT(rv == XDP_DROP && n_got == 1 && got[0].probe_id == 42,
			       "other key v%d %s: its own run: verdict %u, %d events", family,
			       method_name[method], rv, n_got);
			gen_close(g);
		}
}

static void test_bounds(void)
{
	static struct gen_probe gp[GEN_ITEMS_MAX + 1];
	struct gen_sender *g;
	struct gen_cfg cfg;

	for (int i = 0; i <= GEN_ITEMS_MAX; i++) {
		gp[i].dst = probe_dst(4);
		gp[i].ttl = 1;
		gp[i].probe_id = 1;
	}
	cfg_of(&cfg, 4, METHOD_ICMP, 0, GEN_MAC_USER, &key);
	if (gen_open(&g, &cfg)) {
		EXPECT(0, "bounds: gen_open");
		return;
	}
	EXPECT(gen_fill(g, gp, 0) == -EINVAL, "0 items accepted");
	EXPECT(gen_fill(g, gp, GEN_ITEMS_MAX + 1) == -EINVAL, "4097 items accepted");
	EXPECT(gen_fill(g, gp, GEN_ITEMS_MAX) == 0, "4096 items refused");
	/* refused before anything runs: nothing is sent */
	EXPECT(gen_send(g, gp, 0, NULL) == -EINVAL, "gen_send of 0 accepted");
	EXPECT(gen_send(g, gp, GEN_BATCH_MAX + 1, NULL) == -EINVAL, "gen_send of 257 accepted");
	EXPECT(gen_send_many(g, gp, GEN_ITEMS_MAX + 1, NULL) == -EINVAL, "4097 accepted");
	gen_close(g);
	cfg_of(&cfg, 5, METHOD_ICMP, 0, GEN_MAC_USER, &key);
	EXPECT(gen_open(&g, &cfg) == -EINVAL, "family 5 accepted");
	cfg_of(&cfg, 4, METHOD_ICMP, 0, GEN_MAC_USER, &key);
	cfg.src = probe_src(6);
	EXPECT(gen_open(&g, &cfg) == -EINVAL, "IPv6 source for IPv4 accepted");
}

/*
 * gen_open()'s question "does this kernel run live frames?" is one run
 * with the state in trial mode: the program must drop that frame (never
 * redirect it anywhere) and make no probe of it; out of trial mode, an
 * unarmed receiver leaves the same frame to the stack
 */
static void test_trial(void)
{
	struct xhop_gen_state *st = &ld.skel->bss->gen;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .repeat = 1);
	struct gen_sender *g;
	struct gen_cfg cfg;
	const __u8 *frame;
	__u32 len;
	__u64 generated;

	use_rx = 1;
	cfg_of(&cfg, 4, METHOD_ICMP, 0, GEN_MAC_BPF, &key);
	if (gen_open(&g, &cfg)) {
		EXPECT(0, "trial: gen_open");
		use_rx = 0;
		return;
	}
	frame = gen_template(g, &len);
	opts.data_in = frame;
	opts.data_size_in = len;
	generated = st->generated;
	st->count = st->next = 0;
	st->trial = 1;
	EXPECT(bpf_prog_test_run_opts(loader_prog_fd_rx(&ld), &opts) == 0, "trial run: %s",
	       strerror(errno));
	EXPECT(opts.retval == XDP_DROP, "trial frame: verdict %u, want XDP_DROP", opts.retval);
	EXPECT(st->generated == generated, "trial frame made %llu probes",
	       (unsigned long long)(st->generated - generated));
	st->trial = 0;
	EXPECT(bpf_prog_test_run_opts(loader_prog_fd_rx(&ld), &opts) == 0, "run: %s",
	       strerror(errno));
	EXPECT(opts.retval == XDP_PASS, "unarmed, no trial: verdict %u, want XDP_PASS",
	       opts.retval);
	gen_close(g);
	use_rx = 0;
}

/* The receiver's generator refuses a key it was not loaded with */
static void test_rx_key_mismatch(void)
{
	struct gen_sender *g;
	struct gen_cfg cfg;

	use_rx = 1;
	cfg_of(&cfg, 4, METHOD_ICMP, 0, GEN_MAC_USER, &key);
	cfg.rx = &ld_other;
	EXPECT(gen_open(&g, &cfg) == -EINVAL, "a receiver with another key accepted");
	use_rx = 0;
}

int main(void)
{
	if (geteuid() != 0) {
		printf("test_gen: skipped: bpf_prog_test_run needs root\n");
		return TEST_SUMMARY();
	}
	if (loader_open(&ld, &key, on_event, NULL) ||
	    loader_open(&ld_other, &key_other, on_event, NULL)) {
		EXPECT(0, "cannot load the BPF programs");
		return TEST_SUMMARY();
	}
	for (use_rx = 0; use_rx < 2; use_rx++) {
		test_matrix();
		test_other_key();
		test_bounds();
	}
	test_rx_key_mismatch();
	test_trial();
	loader_stop(&ld);
	loader_stop(&ld_other);
	return TEST_SUMMARY();
}
