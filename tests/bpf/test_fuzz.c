// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzzing the XDP receiver, its tcx ingress twin and the tc send stamper,
 * one frame per bpf_prog_test_run_opts (repeat = 1). A corpus of valid
 * replies to this run's probes, of replies to another run's probes and of
 * foreign traffic is mutated (truncated, length fields forged, bits flipped, bytes
 * overwritten, inserted, deleted, spliced, VLAN-tagged, checksums broken,
 * IPv6 extension chains pushed) or replaced by random bytes.
 *
 * The oracles hold for any input, however mangled:
 *   run      the test run succeeds; EINVAL only for what the kernel refuses
 *            (frames shorter than Ethernet; for tc, than the IP header)
 *   verdict  XDP_PASS or XDP_DROP (tcx receiver: TC_ACT_UNSPEC or _SHOT);
 *            the send stamper always TC_ACT_UNSPEC (-1)
 *   same     a passed frame, and every frame the stamper sees, leaves byte
 *            for byte as it came
 *   event    every event names a probe this run built with its own key:
 *            (dst, proto, probe id) in the set of built probes
 *   drop     dropped iff exactly one event; the stamper: at most one stamp
 *   predict  where the mutation decides the outcome (the clean corpus, VLAN
 *            tags, extension chains, outer checksums, ihl < 5), that outcome
 *
 * UDP and TCP probes carry a 16-bit MAC. A blind forger must guess the
 * per-run source port too; a fuzzer knows it, and a foreign TCP answer or
 * a quote of foreign UDP needs no guess: it names its own ports, and its
 * tag verifies by chance once in 65536 frames. An event naming no probe
 * of ours is therefore run again under a third key: a chance collision
 * does not survive the key change, a parser that emits without a verified
 * MAC does. Collisions are counted and bounded, not failed.
 *
 * Reproducible: a fixed seed unless XHOP_FUZZ_SEED says otherwise; packet i
 * depends only on the seed and i, so XHOP_FUZZ_START=i XHOP_FUZZ_COUNT=1
 * replays one packet. XHOP_FUZZ_COUNT sets the number of packets.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "xhop_test.h"
#include "xhop_proto.h"
#include "pkt.h"
#include "recv/loader.h"
#include "core/probe_build.h"

#define FUZZ_COUNT_DEFAULT 1000000ULL
#define FUZZ_SEED_DEFAULT  0x78686f702d667a31ULL /* "xhop-fz1" */
#define TX_SHARE_PCT	   20 /* of packets through the tc send stamper */
#define RXTC_SHARE_PCT	   10 /* through the tcx ingress receiver */
#define ITEMS_MAX	   1024
#define PSET_SLOTS	   8192 /* power of two; at most half full */
#define GOT_MAX		   8
#define DUMPS_MAX	   24 /* failing packets printed, in all */
#define DUMPS_PER	   2  /* per mutator and oracle */
#define COLL_DUMPS	   4
#define RANDOM_MAX	   1600

/* this run's key, another xhop run's, and one no probe was built with */
static const struct xhop_key key = { 0x0123456789abcdefULL, 0xfedcba9876543210ULL };
static const struct xhop_key key_other = { 0x1111111111111111ULL, 0x2222222222222222ULL };
static const struct xhop_key key_third = { 0x5a5a5a5a0f0f0f0fULL, 0x3c3c3c3cc3c3c3c3ULL };

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

/* the programs; a corpus item's expectations are by side, T_RX or T_TX */
enum target { T_RX, T_TX, T_RXTC, T_MAX };

static const char *const target_name[T_MAX] = { "xdp", "tc egress", "tcx ingress" };

static int side(int t)
{
	return t == T_TX ? T_TX : T_RX;
}
enum expect { EXP_UNKNOWN, EXP_PASS, EXP_OURS };
enum pred { P_NONE, P_PASS, P_SAME };

enum mut {
	M_CLEAN,
	M_TRUNC,
	M_LEN,
	M_BITFLIP,
	M_BYTES,
	M_INSDEL,
	M_SPLICE,
	M_VLAN,
	M_CSUM,
	M_EXT6,
	M_HAVOC,
	M_RANDOM,
	M_RANDOM_IP,
	M_MAX,
};

static const char *const mut_name[M_MAX] = {
	"clean",  "truncate", "bad-length", "bit-flip", "overwrite", "insert-delete", "splice",
	"vlan",	  "checksum", "ip6-ext",    "havoc",	"random",    "random-ip",
};

enum oracle { O_RUN, O_VERDICT, O_SAME, O_EVENT, O_DROP, O_PREDICT, O_MAX };

static const char *const oracle_name[O_MAX] = {
	"test run ok", "verdict", "frame unchanged", "events name our probes",
	"drop iff one event", "predicted outcome",
};

/* ---- the set of probes built ---------------------------------------- */

struct triple {
	__u8 dst[16];
	__u16 id;
	__u8 proto;
};

struct pset {
	struct triple t[PSET_SLOTS];
	__u8 used[PSET_SLOTS];
	size_t n;
};

static __u32 triple_hash(const __u8 *dst, __u8 proto, __u16 id)
{
	__u32 h = 2166136261u; /* FNV-1a */

	for (int i = 0; i < 16; i++)
		h = (h ^ dst[i]) * 16777619u;
	h = (h ^ proto) * 16777619u;
	h = (h ^ (id >> 8)) * 16777619u;
	return (h ^ (id & 0xff)) * 16777619u;
}

static int pset_has(const struct pset *s, const __u8 *dst, __u8 proto, __u16 id)
{
	for (__u32 i = triple_hash(dst, proto, id);; i++) {
		const struct triple *t = &s->t[i & (PSET_SLOTS - 1)];

		if (!s->used[i & (PSET_SLOTS - 1)])
			return 0;
		if (t->id == id && t->proto == proto && !memcmp(t->dst, dst, 16))
			return 1;
	}
}

static void pset_add(struct pset *s, const struct triple *t)
{
	__u32 i;

	if (pset_has(s, t->dst, t->proto, t->id))
		return;
	if (++s->n > PSET_SLOTS / 2) {
		fprintf(stderr, "test_fuzz: probe set full\n");
		abort();
	}
	for (i = triple_hash(t->dst, t->proto, t->id); s->used[i & (PSET_SLOTS - 1)]; i++)
		;
	s->used[i & (PSET_SLOTS - 1)] = 1;
	s->t[i & (PSET_SLOTS - 1)] = *t;
}

/* ---- corpus ------------------------------------------------------------ */

struct item {
	struct pkt p;
	char name[64];
	__u8 exp[2]; /* enum expect by side, under this run's key */
	__u8 ctl[2]; /* EXP_OURS: another run's reply, which that run takes */
	__u8 family;	 /* of the frame: 4, 6 or 0 */
	struct triple want; /* the probe an EXP_OURS names */
};

struct mstat {
	__u64 runs[T_MAX], taken[T_MAX], einval[T_MAX], predicted, collisions;
	__u64 bad[O_MAX];
	int dumped[O_MAX];
};

struct fz {
	struct loader ld, ld_other, ld_third;
	__u64 seed, rng;
	struct pset run, other;
	struct item items[ITEMS_MAX];
	size_t n_items;
	size_t probes[ITEMS_MAX], n_probes; /* frames the tc program stamps */
	size_t v6[ITEMS_MAX], n_v6;
	__u16 sport[3];
	struct mstat ms[M_MAX];
	/* the packet under test */
	__u64 idx;
	int target, mut;
	size_t base;
	struct pkt cur;
	int dumps, coll_dumps;
	/* runs of ld the kernel accepted, what they yielded, and their cost */
	__u64 ok_runs[T_MAX], drops, stamps, ns_prog[T_MAX], ns_call[T_MAX];
	__u64 coll_by_proto[256];
};

static struct fz fuzz;

static __u64 mix64(__u64 z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* splitmix64: tiny, and every packet can start its own stream */
static __u64 rnd(struct fz *f)
{
	return mix64(f->rng += 0x9e3779b97f4a7c15ULL);
}

static __u32 below(struct fz *f, __u32 n)
{
	return n ? (__u32)(rnd(f) % n) : 0;
}

static __u16 rd16(const __u8 *b)
{
	return (__u16)(b[0] << 8 | b[1]);
}

static void wr16(__u8 *b, __u16 v)
{
	b[0] = v >> 8;
	b[1] = v & 0xff;
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* ---- one test run ------------------------------------------------------ */

struct run {
	int err;
	__u32 retval;
	int n;	  /* events */
	int same; /* data_out is the input, byte for byte */
	__u32 ns; /* the kernel's time of the program */
};

static struct run prog_run(struct loader *l, int target, const struct pkt *p, __u64 *call_ns)
{
	static __u8 out[PKT_MAX + 64];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p->data, .data_size_in = p->len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);
	int fd = target == T_RX	  ? loader_prog_fd_rx(l)
		 : target == T_TX ? loader_prog_fd_tx(l)
				  : loader_prog_fd_rx_tc(l);
	struct run r = { 0 };
	__u64 t0;

	memset(out, 0xa5, p->len + 8);
	n_got = 0;
	t0 = now_ns();
	r.err = bpf_prog_test_run_opts(fd, &opts);
	if (call_ns)
		*call_ns += now_ns() - t0;
	loader_consume(l);
	r.retval = opts.retval;
	r.n = n_got;
	r.ns = opts.duration;
	r.same = opts.data_size_out == p->len && !memcmp(out, p->data, p->len);
	return r;
}

static int ev_is(const struct xhop_event *ev, const struct triple *t)
{
	return ev->probe_id == t->id && ev->proto == t->proto && !memcmp(ev->dst, t->dst, 16);
}

/* The verdicts of passing and of taking a frame, by program */
static __u32 verdict_pass(int target)
{
	return target == T_RX ? XDP_PASS : (__u32)TC_ACT_UNSPEC;
}

static __u32 verdict_take(int target)
{
	return target == T_RX ? XDP_DROP : target == T_RXTC ? TC_ACT_SHOT : (__u32)TC_ACT_UNSPEC;
}

/*
 * The verdict an answer of ours gets on target: taken, except a SYN-ACK,
 * which also goes to our stack so that it resets the target's half-open
 * connection.
 */
static __u32 verdict_ours(int target, const struct xhop_event *ev)
{
	if (ev->kind == XHOP_EV_TCP && (ev->tcp_flags & XHOP_TCP_SYN))
		return verdict_pass(target);
	return verdict_take(target);
}

/* Does a run meet an expectation (EXP_PASS, or EXP_OURS naming want)? */
static int meets(int target, const struct run *r, const struct xhop_event *ev, int exp,
		 const struct triple *want)
{
	if (r->err)
		return 0;
	if (exp == EXP_PASS)
		return r->n == 0 && r->retval == verdict_pass(target);
	return r->n == 1 && r->retval == verdict_ours(target, ev) && ev_is(ev, want);
}

/* ---- probes and the corpus -------------------------------------------- */


static const char *const method_name[] = { "icmp", "udp", "tcp" };

static struct in6_addr src_addr(int family)
{
	return pkt_addr(family == 6 ? "2001:2::1" : "198.18.0.1");
}

static struct in6_addr dst_addr(int family, int i)
{
	if (family == 6)
		return pkt_addr(i ? "2001:2:0:ff::1:9" : "2001:2:0:ff::77");
	return pkt_addr(i ? "198.19.3.9" : "198.19.0.77");
}

static struct in6_addr hop_addr(int family)
{
	return pkt_addr(family == 6 ? "2001:2:0:1::1" : "198.18.1.1");
}

static struct in6_addr peer_addr(int family)
{
	return pkt_addr(family == 6 ? "2001:2::99" : "198.18.0.99");
}


static void triple_of(struct triple *t, const struct probe *pr)
{
	memset(t, 0, sizeof(*t));
	memcpy(t->dst, &pr->ps.dst, 16);
	t->proto = probe_method_proto(pr->ps.family, pr->ps.method);
	t->id = pr->ps.probe_id;
}

static void probe_build_or_die(struct probe *pr, const struct xhop_key *k)
{
	ssize_t n = probe_build(&pr->ps, k, pr->b, sizeof(pr->b));

	if (n < 0) {
		fprintf(stderr, "test_fuzz: probe_build v%d %s: %zd\n", pr->ps.family,
			method_name[pr->ps.method], n);
		abort();
	}
	pr->len = n;
}

/*
 * A probe with a probe id that no probe to that destination has had yet,
 * built with this run's key (or, other, another run's).
 */
static void probe_new(struct fz *f, struct probe *pr, int family, int method, int dst,
		      __u16 size, __u8 ttl, int other)
{
	struct triple t;

	memset(pr, 0, sizeof(*pr));
	pr->ps.family = family;
	pr->ps.method = method;
	pr->ps.ttl = ttl;
	pr->ps.tos = 0x20;
	pr->ps.icmp_sum = 0xbeef;
	pr->ps.size = size;
	pr->ps.src = src_addr(family);
	pr->ps.dst = dst_addr(family, dst);
	pr->ps.sport = f->sport[method];
	pr->ps.dport = method == METHOD_TCP ? 443 : 33434;
	do {
		pr->ps.probe_id = 1 + below(f, 65535);
		triple_of(&t, pr);
	} while (pset_has(&f->run, t.dst, t.proto, t.id) ||
		 pset_has(&f->other, t.dst, t.proto, t.id));
	probe_build_or_die(pr, other ? &key_other : &key);
	pset_add(other ? &f->other : &f->run, &t);
}

/*
 * The same probe from another xhop run: destination, ports, probe id all
 * equal, only the key differs. -1 if the two keys happen to give the same
 * bytes (a MAC collision between them), which no test can tell apart.
 */
static int probe_twin(struct fz *f, struct probe *tw, const struct probe *pr)
{
	struct triple t;

	*tw = *pr;
	probe_build_or_die(tw, &key_other);
	if (tw->len == pr->len && !memcmp(tw->b, pr->b, pr->len))
		return -1;
	triple_of(&t, tw);
	pset_add(&f->other, &t);
	return 0;
}

static __attribute__((format(printf, 8, 9))) void
item_add(struct fz *f, const struct pkt *p, int exp_rx, int exp_tx, int ctl_rx, int ctl_tx,
	 const struct probe *want, const char *fmt, ...)
{
	struct item *it;
	va_list ap;

	if (f->n_items >= ITEMS_MAX) {
		fprintf(stderr, "test_fuzz: corpus exceeds %d items\n", ITEMS_MAX);
		abort();
	}
	it = &f->items[f->n_items];
	memset(it, 0, sizeof(*it));
	it->p = *p;
	it->exp[T_RX] = exp_rx;
	it->exp[T_TX] = exp_tx;
	it->ctl[T_RX] = ctl_rx;
	it->ctl[T_TX] = ctl_tx;
	it->family = pkt_family(p);
	if (want)
		triple_of(&it->want, want);
	va_start(ap, fmt);
	vsnprintf(it->name, sizeof(it->name), fmt, ap);
	va_end(ap);
	if (exp_tx == EXP_OURS)
		f->probes[f->n_probes++] = f->n_items;
	if (it->family == 6)
		f->v6[f->n_v6++] = f->n_items;
	f->n_items++;
}

/* A reply to a probe of ours, an answer to nothing on egress */
static void add_reply(struct fz *f, const struct pkt *p, const struct probe *pr, int exp,
		      const char *what)
{
	item_add(f, p, exp, EXP_PASS, 0, 0, pr, "v%d %s %s", pr->ps.family,
		 method_name[pr->ps.method], what);
}

static void te(struct pkt *p, const struct probe *pr, size_t quote_len)
{
	struct in6_addr hop = hop_addr(pr->ps.family);

	pkt_icmp_error(p, &hop, &pr->ps.src,
		       pr->ps.family == 6 ? XHOP_ICMP6_TIME_EXCEED : XHOP_ICMP_TIME_EXCEEDED, 0,
		       pr->b, pr->len, quote_len);
}

static void set_frag_off(struct pkt *p, size_t ip_off, __u16 frag)
{
	((struct iphdr *)(p->data + ip_off))->frag_off = htons(frag);
	pkt_fix(p);
}

/* Replies to every method of one family, whole and in their variants */
static void corpus_family(struct fz *f, int fam)
{
	const __u16 typical = fam == 6 ? 80 : 60, large = fam == 6 ? 1200 : 500;
	const __u32 lse[] = { pkt_mpls_lse(24005, 5, 0, 254), pkt_mpls_lse(1001, 2, 0, 8),
			      pkt_mpls_lse(1002, 3, 0, 7), pkt_mpls_lse(1003, 4, 0, 6),
			      pkt_mpls_lse(16, 0, 1, 1) };
	const __u32 one[] = { pkt_mpls_lse(16001, 0, 1, 1) };
	struct in6_addr me = src_addr(fam), hop = hop_addr(fam);
	struct probe pr, tw;
	struct pkt p;

	for (int m = METHOD_ICMP; m <= METHOD_TCP; m++) {
		const char *mn = method_name[m];

		/* every size, both destinations: a TE, the probe leaving, another run's */
		for (int d = 0; d < 2; d++) {
			for (int s = 0; s < (m == METHOD_TCP ? 1 : 3); s++) {
				__u16 size = s == 0 ? 0 : s == 1 ? typical : large;

				probe_new(f, &pr, fam, m, d, size, 5, 0);
				te(&p, &pr, 0);
				add_reply(f, &p, &pr, EXP_OURS, "TE");
				pkt_wrap_eth(&p, pr.b, pr.len);
				item_add(f, &p, EXP_PASS, EXP_OURS, 0, 0, &pr, "v%d %s probe %zu bytes",
					 fam, mn, pr.len);
				if (probe_twin(f, &tw, &pr))
					continue;
				te(&p, &tw, 0);
				item_add(f, &p, EXP_PASS, EXP_PASS, EXP_OURS, 0, &tw,
					 "v%d %s other run's TE", fam, mn);
				pkt_wrap_eth(&p, tw.b, tw.len);
				item_add(f, &p, EXP_PASS, EXP_PASS, 0, EXP_OURS, &tw,
					 "v%d %s other run's probe", fam, mn);
			}
		}

		/* unreachables: port from the destination, the rest from a router */
		{
			static const __u8 codes4[][2] = { { XHOP_ICMP_PORT_UNREACH, 1 },
							  { XHOP_ICMP_HOST_UNREACH, 0 },
							  { XHOP_ICMP_NET_UNREACH, 0 },
							  { XHOP_ICMP_PKT_FILTERED, 0 },
							  { XHOP_ICMP_FRAG_NEEDED, 0 } };
			static const __u8 codes6[][2] = { { XHOP_ICMP6_PORT_UNREACH, 1 },
							  { XHOP_ICMP6_ADDR_UNREACH, 0 },
							  { XHOP_ICMP6_NOROUTE, 0 },
							  { XHOP_ICMP6_ADM_PROHIBITED, 0 },
							  { XHOP_ICMP6_POLICY_FAIL, 0 } };

			for (int c = 0; c < 5; c++) {
				const __u8 *cc = fam == 6 ? codes6[c] : codes4[c];
				char what[32];

				probe_new(f, &pr, fam, m, 0, typical, 9, 0);
				pkt_icmp_error(&p, cc[1] ? &pr.ps.dst : &hop, &me,
					       fam == 6 ? XHOP_ICMP6_DEST_UNREACH
							: XHOP_ICMP_DEST_UNREACH,
					       cc[0], pr.b, pr.len, 0);
				snprintf(what, sizeof(what), "unreach code %u", cc[0]);
				add_reply(f, &p, &pr, EXP_OURS, what);
			}
		}

		/* ICMP types that quote a probe but answer nothing */
		{
			static const __u8 types4[][2] = { { 5, 1 }, { 4, 0 }, { 12, 0 } };
			static const __u8 types6[][2] = { { XHOP_ICMP6_PACKET_TOO_BIG, 0 },
							  { 4, 0 }, { 137, 0 } };

			probe_new(f, &pr, fam, m, 0, typical, 5, 0);
			for (int t = 0; t < 3; t++) {
				const __u8 *tc = fam == 6 ? types6[t] : types4[t];
				char what[32];

				pkt_icmp_error(&p, &hop, &me, tc[0], tc[1], pr.b, pr.len, 0);
				snprintf(what, sizeof(what), "ICMP type %u", tc[0]);
				add_reply(f, &p, &pr, EXP_PASS, what);
			}
			/* the RFC 792 minimum: whether it is enough is the encoding's business */
			te(&p, &pr, fam == 6 ? 48 : 28);
			add_reply(f, &p, &pr, EXP_UNKNOWN, "TE 8-byte quote");
		}

		/* RFC 4950 label stacks */
		probe_new(f, &pr, fam, m, 0, typical, 5, 0);
		te(&p, &pr, 0);
		pkt_icmp_ext_mpls(&p, one, 1);
		add_reply(f, &p, &pr, EXP_OURS, "TE 1 label");
		probe_new(f, &pr, fam, m, 1, typical, 9, 0);
		pkt_icmp_error(&p, &pr.ps.dst, &me,
			       fam == 6 ? XHOP_ICMP6_DEST_UNREACH : XHOP_ICMP_DEST_UNREACH,
			       fam == 6 ? XHOP_ICMP6_PORT_UNREACH : XHOP_ICMP_PORT_UNREACH, pr.b,
			       pr.len, 0);
		pkt_icmp_ext_mpls(&p, lse + 2, 3);
		add_reply(f, &p, &pr, EXP_OURS, "port unreach 3 labels");
		probe_new(f, &pr, fam, m, 0, m == METHOD_TCP ? 0 : large, 5, 0);
		te(&p, &pr, 0);
		pkt_icmp_ext_mpls(&p, lse, 5);
		add_reply(f, &p, &pr, EXP_OURS, "TE 5 labels");

		/* VLAN tags: two are walked, a third is not */
		probe_new(f, &pr, fam, m, 0, typical, 5, 0);
		te(&p, &pr, 0);
		pkt_vlan_push(&p, XHOP_ETH_P_8021Q, 100);
		add_reply(f, &p, &pr, EXP_OURS, "TE 802.1Q");
		pkt_vlan_push(&p, XHOP_ETH_P_8021AD, 200);
		add_reply(f, &p, &pr, EXP_OURS, "TE QinQ");
		pkt_vlan_push(&p, XHOP_ETH_P_8021AD, 300);
		add_reply(f, &p, &pr, EXP_PASS, "TE 3 tags");
		pkt_wrap_eth(&p, pr.b, pr.len);
		pkt_vlan_push(&p, XHOP_ETH_P_8021Q, 100);
		item_add(f, &p, EXP_PASS, EXP_OURS, 0, 0, &pr, "v%d %s probe 802.1Q", fam, mn);

		/* options, extension headers, fragments */
		probe_new(f, &pr, fam, m, 0, typical, 5, 0);
		if (fam == 4) {
			te(&p, &pr, 0);
			pkt_ip4_options(&p, pkt_l3_off(&p), 4);
			add_reply(f, &p, &pr, EXP_OURS, "TE ihl 6");
			te(&p, &pr, 0);
			pkt_ip4_options(&p, pkt_l3_off(&p), 40);
			add_reply(f, &p, &pr, EXP_OURS, "TE ihl 15");
			te(&p, &pr, 0);
			pkt_ip4_options(&p, pkt_quote_off(&p), 8);
			add_reply(f, &p, &pr, EXP_OURS, "TE quoted ihl 7");
			te(&p, &pr, 0);
			set_frag_off(&p, pkt_l3_off(&p), IP_MF);
			add_reply(f, &p, &pr, EXP_PASS, "TE MF");
			te(&p, &pr, 0);
			set_frag_off(&p, pkt_l3_off(&p), 185);
			add_reply(f, &p, &pr, EXP_PASS, "TE fragment offset");
			te(&p, &pr, 0);
			set_frag_off(&p, pkt_l3_off(&p), IP_DF);
			add_reply(f, &p, &pr, EXP_OURS, "TE DF");
			te(&p, &pr, 0);
			set_frag_off(&p, pkt_quote_off(&p), 0x10);
			add_reply(f, &p, &pr, EXP_PASS, "TE quoted fragment offset");
			te(&p, &pr, 0);
			set_frag_off(&p, pkt_quote_off(&p), IP_MF);
			add_reply(f, &p, &pr, EXP_OURS, "TE quoted first fragment");
		} else {
			te(&p, &pr, 0);
			pkt_ip6_ext_push(&p, XHOP_IPPROTO_HOPOPTS, 8);
			add_reply(f, &p, &pr, EXP_OURS, "TE hop-by-hop");
			te(&p, &pr, 0);
			pkt_ip6_ext_push(&p, XHOP_IPPROTO_ROUTING, 24);
			pkt_ip6_ext_push(&p, XHOP_IPPROTO_DSTOPTS, 16);
			add_reply(f, &p, &pr, EXP_OURS, "TE dstopts+routing");
			pkt_ip6_ext_push(&p, XHOP_IPPROTO_DSTOPTS, 8);
			pkt_ip6_ext_push(&p, XHOP_IPPROTO_HOPOPTS, 8);
			add_reply(f, &p, &pr, EXP_OURS, "TE 4 ext headers");
			pkt_ip6_ext_push(&p, XHOP_IPPROTO_HOPOPTS, 8);
			add_reply(f, &p, &pr, EXP_PASS, "TE 5 ext headers");
			te(&p, &pr, 0);
			pkt_ip6_ext_push(&p, XHOP_IPPROTO_FRAGMENT, 8);
			add_reply(f, &p, &pr, EXP_PASS, "TE fragment header");
			pkt_ip6_ext_push(&p, XHOP_IPPROTO_HOPOPTS, 8);
			add_reply(f, &p, &pr, EXP_PASS, "TE hop-by-hop, fragment");
		}

		/* an ICMP error quoting an ICMP error that quotes our probe */
		{
			struct pkt inner;
			size_t l3;

			probe_new(f, &pr, fam, m, 0, typical, 5, 0);
			te(&inner, &pr, 0);
			l3 = pkt_l3_off(&inner);
			pkt_icmp_error(&p, &hop, &me,
				       fam == 6 ? XHOP_ICMP6_DEST_UNREACH : XHOP_ICMP_DEST_UNREACH,
				       fam == 6 ? XHOP_ICMP6_ADDR_UNREACH : XHOP_ICMP_HOST_UNREACH,
				       inner.data + l3, inner.len - l3, 0);
			add_reply(f, &p, &pr, EXP_PASS, "unreach quoting a TE");
		}

		/* another run's probe with an id of its own */
		probe_new(f, &pr, fam, m, 1, typical, 5, 1);
		te(&p, &pr, 0);
		item_add(f, &p, EXP_PASS, EXP_PASS, EXP_OURS, 0, &pr, "v%d %s other run's TE, own id",
			 fam, mn);

		if (m == METHOD_ICMP) {
			probe_new(f, &pr, fam, m, 0, typical, 30, 0);
			pkt_echo_reply(&p, pr.b, pr.len);
			add_reply(f, &p, &pr, EXP_OURS, "echo reply");
			pkt_vlan_push(&p, XHOP_ETH_P_8021Q, 7);
			add_reply(f, &p, &pr, EXP_OURS, "echo reply 802.1Q");
			pkt_echo_reply(&p, pr.b, pr.len);
			if (fam == 4)
				pkt_ip4_options(&p, pkt_l3_off(&p), 12);
			else
				pkt_ip6_ext_push(&p, XHOP_IPPROTO_DSTOPTS, 8);
			add_reply(f, &p, &pr, EXP_OURS, "echo reply options");
			probe_new(f, &pr, fam, m, 1, large, 30, 0);
			pkt_echo_reply(&p, pr.b, pr.len);
			add_reply(f, &p, &pr, EXP_OURS, "echo reply large");
			if (!probe_twin(f, &tw, &pr)) {
				pkt_echo_reply(&p, tw.b, tw.len);
				item_add(f, &p, EXP_PASS, EXP_PASS, EXP_OURS, 0, &tw,
					 "v%d icmp other run's echo reply", fam);
			}
		}
		if (m == METHOD_TCP) {
			probe_new(f, &pr, fam, m, 0, 0, 30, 0);
			pkt_tcp_answer(&p, pr.b, pr.len, XHOP_TCP_SYN | XHOP_TCP_ACK);
			add_reply(f, &p, &pr, EXP_OURS, "SYN-ACK");
			pkt_vlan_push(&p, XHOP_ETH_P_8021Q, 1);
			pkt_vlan_push(&p, XHOP_ETH_P_8021AD, 2);
			add_reply(f, &p, &pr, EXP_OURS, "SYN-ACK QinQ");
			pkt_tcp_answer(&p, pr.b, pr.len, XHOP_TCP_RST | XHOP_TCP_ACK);
			add_reply(f, &p, &pr, EXP_OURS, "RST-ACK");
			pkt_tcp_answer(&p, pr.b, pr.len, XHOP_TCP_RST);
			add_reply(f, &p, &pr, EXP_PASS, "RST without ACK");
			pkt_tcp_answer(&p, pr.b, pr.len, XHOP_TCP_SYN);
			add_reply(f, &p, &pr, EXP_PASS, "SYN");
			if (!probe_twin(f, &tw, &pr)) {
				pkt_tcp_answer(&p, tw.b, tw.len, XHOP_TCP_SYN | XHOP_TCP_ACK);
				item_add(f, &p, EXP_PASS, EXP_PASS, EXP_OURS, 0, &tw,
					 "v%d tcp other run's SYN-ACK", fam);
			}
		}
	}

	/* other people's traffic */
	{
		struct in6_addr peer = peer_addr(fam);

		pkt_echo(&p, &peer, &me, fam == 6 ? XHOP_ICMP6_ECHO_REQUEST : XHOP_ICMP_ECHO, 0x4d2,
			 1, 56);
		item_add(f, &p, EXP_PASS, EXP_PASS, 0, 0, NULL, "v%d ping to us", fam);
		pkt_echo(&p, &peer, &me, fam == 6 ? XHOP_ICMP6_ECHO_REPLY : XHOP_ICMP_ECHOREPLY,
			 0x4d2, 7, 56);
		item_add(f, &p, EXP_PASS, EXP_PASS, 0, 0, NULL, "v%d someone's echo reply", fam);
		pkt_udp(&p, &peer, &me, 53, 41234, 48);
		item_add(f, &p, EXP_PASS, EXP_PASS, 0, 0, NULL, "v%d DNS answer", fam);
		pkt_tcp(&p, &peer, &me, 443, 51000, 1, 2, XHOP_TCP_SYN | XHOP_TCP_ACK);
		item_add(f, &p, EXP_PASS, EXP_PASS, 0, 0, NULL, "v%d someone's SYN-ACK", fam);
	}
}

static void corpus_build(struct fz *f)
{
	struct in6_addr a = peer_addr(4), b = src_addr(4);
	struct pkt p;

	for (int m = 0; m < 3; m++) /* per run and method, like xhop's */
		f->sport[m] = 32768 + below(f, 28000);
	corpus_family(f, 4);
	corpus_family(f, 6);
	pkt_arp(&p, &a, &b);
	item_add(f, &p, EXP_PASS, EXP_PASS, 0, 0, NULL, "ARP");
}

/*
 * Every item, unmutated, does what it was built for; another run's replies
 * are well formed: that run takes them.
 */
static void corpus_check(struct fz *f)
{
	size_t bad = 0, bad_ctl = 0, ours = 0, ctl = 0;

	for (size_t i = 0; i < f->n_items; i++) {
		const struct item *it = &f->items[i];

		for (int t = 0; t < T_MAX; t++) {
			int exp = it->exp[side(t)];
			struct run r;

			if (exp != EXP_UNKNOWN) {
				r = prog_run(&f->ld, t, &it->p, NULL);
				if (!r.err) {
					f->ok_runs[t]++;
					f->drops += t != T_TX && r.n == 1 && r.retval == verdict_ours(t, &got[0]);
					f->stamps += t == T_TX ? r.n : 0;
				}
				ours += exp == EXP_OURS && t != T_RXTC;
				if (!meets(t, &r, &got[0], exp, &it->want) && bad++ < 10)
					fprintf(stderr, "corpus: '%s' on %s: err %d verdict %d, %d events\n",
						it->name, target_name[t], r.err, (int)r.retval, r.n);
			}
			if (it->ctl[side(t)] == EXP_OURS) {
				ctl++;
				r = prog_run(&f->ld_other, t, &it->p, NULL);
				if (!meets(t, &r, &got[0], EXP_OURS, &it->want) && bad_ctl++ < 10)
					fprintf(stderr, "corpus: '%s' not taken by its own run on %s\n",
						it->name, target_name[t]);
			}
		}
	}
	EXPECT(bad == 0, "%zu corpus runs not as built", bad);
	EXPECT(bad_ctl == 0, "%zu of %zu other runs' frames not taken by that run", bad_ctl, ctl);
	EXPECT(ours > 100 && f->n_probes > 20, "corpus: %zu frames ours, %zu probes", ours,
	       f->n_probes);
	printf("corpus: %zu frames (%zu consumed or stamped unmutated, %zu probe frames, "
	       "%zu IPv6), %zu probes of this run, %zu of another\n",
	       f->n_items, ours, f->n_probes, f->n_v6, f->run.n, f->other.n);
}

/* ---- mutators ---------------------------------------------------------- */

/* A length for a 16-bit length field: near the truth, at the edges, anything */
static __u16 len16(struct fz *f, size_t truth)
{
	static const __u16 edges[] = { 0, 1, 7, 8, 19, 20, 21, 27, 28, 39, 40, 47, 48, 0x7fff,
				       0x8000, 0xffff };

	switch (below(f, 3)) {
	case 0:
		return edges[below(f, sizeof(edges) / sizeof(edges[0]))];
	case 1:
		return (__u16)(truth + below(f, 33) - 16);
	default:
		return (__u16)rnd(f);
	}
}

static __u8 byte_any(struct fz *f)
{
	static const __u8 edges[] = { 0x00, 0x01, 0x7f, 0x80, 0xff, 0x40, 0x45, 0x60, 0x3a, 0x06 };

	return below(f, 2) ? edges[below(f, sizeof(edges))] : (__u8)rnd(f);
}

static int mut_trunc(struct fz *f, struct pkt *p)
{
	p->len = below(f, p->len + 1);
	return P_NONE;
}

static int mut_bitflip(struct fz *f, struct pkt *p)
{
	for (int n = 1 + below(f, 8); n && p->len; n--)
		p->data[below(f, p->len)] ^= 1u << below(f, 8);
	return P_NONE;
}

static int mut_bytes(struct fz *f, struct pkt *p)
{
	for (int n = 1 + below(f, 8); n && p->len; n--)
		p->data[below(f, p->len)] = byte_any(f);
	return P_NONE;
}

static int mut_insdel(struct fz *f, struct pkt *p)
{
	if (below(f, 2) && p->len < PKT_MAX) {
		size_t k = 1 + below(f, PKT_MAX - p->len < 64 ? PKT_MAX - p->len : 64);
		size_t at = below(f, p->len + 1);

		memmove(p->data + at + k, p->data + at, p->len - at);
		for (size_t i = 0; i < k; i++)
			p->data[at + i] = byte_any(f);
		p->len += k;
	} else if (p->len) {
		size_t k = 1 + below(f, p->len < 64 ? p->len : 64);
		size_t at = below(f, p->len - k + 1);

		memmove(p->data + at, p->data + at + k, p->len - at - k);
		p->len -= k;
	}
	return P_NONE;
}

/* The head of this frame, the tail of another (half the time at the same offset) */
static int mut_splice(struct fz *f, struct pkt *p)
{
	const struct pkt *o = &f->items[below(f, f->n_items)].p;
	size_t i = below(f, p->len + 1);
	size_t j = below(f, 2) ? (i < o->len ? i : o->len) : below(f, o->len + 1);
	size_t tail = o->len - j;

	if (i + tail > PKT_MAX)
		tail = PKT_MAX - i;
	memcpy(p->data + i, o->data + j, tail);
	p->len = i + tail;
	return P_NONE;
}

static int is_vlan(__u16 t)
{
	return t == XHOP_ETH_P_8021Q || t == XHOP_ETH_P_8021AD;
}

/* VLAN tags of a frame, counted past the program's limit of two */
static int vlan_count(const struct pkt *p)
{
	size_t off = 12;
	int n = 0;

	while (off + 2 <= p->len && is_vlan(rd16(p->data + off))) {
		n++;
		off += 4;
	}
	return n;
}

/*
 * 1-3 tags pushed outermost. Of 802.1Q/802.1ad tags the programs walk two:
 * up to two in all, the frame means what it meant; more, it is no IP.
 */
static int mut_vlan(struct fz *f, struct pkt *p)
{
	int tags = vlan_count(p), known = 1, n;
	__u16 tpid = 0;

	if (p->len < ETH_HLEN)
		return P_NONE;
	for (n = 1 + below(f, 3); n && p->len + 4 <= PKT_MAX; n--) {
		int r = below(f, 5);

		tpid = r < 2 ? XHOP_ETH_P_8021Q : r < 4 ? XHOP_ETH_P_8021AD : (__u16)rnd(f);
		known &= is_vlan(tpid);
		tags++;
		pkt_vlan_push(p, tpid, below(f, 4096));
	}
	if (known)
		return tags <= 2 ? P_SAME : P_PASS;
	if (!is_vlan(tpid) && tpid != XHOP_ETH_P_IP && tpid != XHOP_ETH_P_IPV6)
		return P_PASS; /* outermost: an EtherType of nothing we read */
	return P_NONE;
}

/*
 * Break the outer checksums (IPv4 header, ICMP/ICMPv6/TCP), which neither
 * program reads: the outcome must not change. UDP's is left alone, as a
 * probe carries its MAC there; so are quoted checksums, which belong to the
 * probe encoding.
 */
static int mut_csum(struct fz *f, struct pkt *p)
{
	int fam = pkt_family(p), which = 1 + below(f, 3);
	size_t l3 = pkt_l3_off(p), l4, at;
	__u8 proto;

	if (!fam || l3 + (fam == 6 ? 40 : 20) > p->len)
		return P_SAME;
	if (fam == 4 && (which & 1))
		wr16(p->data + l3 + 10, rd16(p->data + l3 + 10) ^ (1 + below(f, 0xffff)));
	l4 = pkt_l4_off(p, &proto);
	if (!(which & 2))
		return P_SAME;
	if (proto == XHOP_IPPROTO_ICMP || proto == XHOP_IPPROTO_ICMPV6)
		at = l4 + 2;
	else if (proto == XHOP_IPPROTO_TCP)
		at = l4 + 16;
	else
		return P_SAME;
	if (at + 2 <= p->len)
		wr16(p->data + at, rd16(p->data + at) ^ (1 + below(f, 0xffff)));
	return P_SAME;
}

static int is_ext6(__u8 t)
{
	return t == XHOP_IPPROTO_HOPOPTS || t == XHOP_IPPROTO_ROUTING || t == XHOP_IPPROTO_DSTOPTS;
}

/*
 * 1-6 extension headers of random types pushed after the IPv6 header. The
 * receiver walks up to four hop-by-hop/routing/destination headers and
 * gives up on fragments; the sender walks none (a probe has none).
 */
static int mut_ext6(struct fz *f, struct pkt *p, int target)
{
	static const __u8 types[] = { XHOP_IPPROTO_HOPOPTS, XHOP_IPPROTO_ROUTING,
				      XHOP_IPPROTO_DSTOPTS, XHOP_IPPROTO_HOPOPTS,
				      XHOP_IPPROTO_ROUTING, XHOP_IPPROTO_DSTOPTS,
				      XHOP_IPPROTO_FRAGMENT, 51 /* AH */, 50 /* ESP */,
				      59 /* no next */, 135 /* mobility */, 139 /* HIP */ };
	size_t l3 = pkt_l3_off(p);
	__u8 walk[6]; /* outermost first */
	int n = 0, bare, pos, i;

	if (pkt_family(p) != 6 || l3 + 40 > p->len)
		return P_NONE;
	bare = pkt_l4_off(p, NULL) == l3 + 40;
	for (int want = 1 + below(f, 6); n < want; n++) {
		__u8 t = below(f, 4) ? types[below(f, sizeof(types))] : (__u8)rnd(f);
		size_t len = t == XHOP_IPPROTO_FRAGMENT ? 8 : 8 * (1 + below(f, 8));

		if (p->len + len > PKT_MAX)
			break;
		pkt_ip6_ext_push(p, t, len);
		memmove(walk + 1, walk, n);
		walk[0] = t;
	}
	if (!n || !bare)
		return P_NONE;
	if (target == T_TX) /* reads the next header of the IPv6 header itself */
		return walk[0] == XHOP_IPPROTO_ICMPV6 || walk[0] == XHOP_IPPROTO_TCP ||
			       walk[0] == XHOP_IPPROTO_UDP || walk[0] == XHOP_IPPROTO_ICMP
		       ? P_NONE
		       : P_PASS;
	/* the receiver's walk, as bpf/parse.h pull_ipv6() does it */
	for (pos = 0, i = 0; i < 4 && pos < n && is_ext6(walk[pos]); i++)
		pos++;
	if (pos == n)
		return P_SAME; /* through all of them to the reply's own header */
	if (is_ext6(walk[pos]) || walk[pos] == XHOP_IPPROTO_FRAGMENT)
		return P_PASS;
	if (walk[pos] == XHOP_IPPROTO_ICMPV6 || walk[pos] == XHOP_IPPROTO_TCP)
		return P_NONE; /* padding read as a transport header */
	return P_PASS;
}

/*
 * Forged length fields: IPv4 ihl and total length, IPv6 payload length,
 * the quoted header's, the RFC 4884 length, an extension header's or TCP's.
 */
static int mut_len(struct fz *f, struct pkt *p)
{
	int fam = pkt_family(p);
	size_t l3 = pkt_l3_off(p), l4, q;
	__u8 proto;

	if (!fam || l3 + (fam == 6 ? 40 : 20) > p->len)
		return mut_bitflip(f, p);
	l4 = pkt_l4_off(p, &proto);
	q = l4 + 8;
	switch (below(f, 6)) {
	case 0:
		if (fam == 4) {
			__u8 ihl = below(f, 16);

			p->data[l3] = 0x40 | ihl;
			return ihl < 5 ? P_PASS : P_NONE; /* forged: rejected, not guessed */
		}
		/* fall through */
	case 1:
		if (fam == 4) {
			__u16 v = len16(f, p->len - l3);

			wr16(p->data + l3 + 2, v);
			/* shorter than its own header: inconsistent, passed by
			 * the receiver; the sender reads no IP length
			 */
			return f->target != T_TX && v < (p->data[l3] & 0xf) * 4 ? P_PASS : P_NONE;
		}
		wr16(p->data + l3 + 4, len16(f, p->len - l3 - 40));
		return P_NONE;
	case 2: /* the quoted header */
	case 3:
		if ((proto != XHOP_IPPROTO_ICMP && proto != XHOP_IPPROTO_ICMPV6) || q + 40 > p->len)
			break;
		if ((p->data[q] >> 4) == 4 && below(f, 2))
			p->data[q] = 0x40 | below(f, 16);
		else if ((p->data[q] >> 4) == 4)
			wr16(p->data + q + 2, len16(f, p->len - q));
		else
			wr16(p->data + q + 4, len16(f, p->len - q - 40));
		return P_NONE;
	case 4:
		if (l4 > l3 + 40 && fam == 6 && l3 + 42 <= p->len) {
			p->data[l3 + 41] = byte_any(f); /* the first extension's length */
			return P_NONE;
		}
		if (proto == XHOP_IPPROTO_TCP && l4 + 13 <= p->len) {
			p->data[l4 + 12] = byte_any(f); /* data offset */
			return P_NONE;
		}
		break;
	default:
		break;
	}
	/* the RFC 4884 length of the original datagram */
	if (l4 + 8 <= p->len)
		p->data[l4 + (fam == 6 ? 4 : 5)] = byte_any(f);
	return P_NONE;
}

static int mut_random(struct fz *f, struct pkt *p, int ip)
{
	p->len = below(f, RANDOM_MAX + 1);
	for (size_t i = 0; i < p->len; i += 8) {
		__u64 r = rnd(f);

		memcpy(p->data + i, &r, p->len - i < 8 ? p->len - i : 8);
	}
	/* half of "random-ip": an IP header that survives the first checks */
	if (ip && p->len >= ETH_HLEN + 40) {
		__u8 *h = p->data + ETH_HLEN;
		static const __u8 protos[] = { XHOP_IPPROTO_ICMP, XHOP_IPPROTO_ICMPV6,
					       XHOP_IPPROTO_TCP, XHOP_IPPROTO_UDP };

		if (below(f, 2)) {
			wr16(p->data + 12, XHOP_ETH_P_IP);
			h[0] = below(f, 2) ? 0x45 : 0x40 | below(f, 16);
			h[6] &= 0x40; /* no fragment */
			h[7] = 0;
			h[9] = protos[below(f, 4)];
			if (below(f, 2))
				wr16(h + 2, p->len - ETH_HLEN);
		} else {
			wr16(p->data + 12, XHOP_ETH_P_IPV6);
			h[0] = 0x60 | (h[0] & 0xf);
			h[6] = protos[below(f, 4)];
			if (below(f, 2))
				wr16(h + 4, p->len - ETH_HLEN - 40);
		}
	}
	return P_NONE;
}

static int mutate_one(struct fz *f, int mut, struct pkt *p)
{
	switch (mut) {
	case M_CLEAN:
		return P_SAME;
	case M_TRUNC:
		return mut_trunc(f, p);
	case M_LEN:
		return mut_len(f, p);
	case M_BITFLIP:
		return mut_bitflip(f, p);
	case M_BYTES:
		return mut_bytes(f, p);
	case M_INSDEL:
		return mut_insdel(f, p);
	case M_SPLICE:
		return mut_splice(f, p);
	case M_VLAN:
		return mut_vlan(f, p);
	case M_CSUM:
		return mut_csum(f, p);
	case M_EXT6:
		return mut_ext6(f, p, f->target);
	case M_RANDOM:
		return mut_random(f, p, 0);
	case M_RANDOM_IP:
		return mut_random(f, p, 1);
	default: /* M_HAVOC: a few of the others in a row */
		for (int n = 2 + below(f, 3); n; n--)
			mutate_one(f, M_TRUNC + below(f, M_EXT6 - M_TRUNC + 1), p);
		return P_NONE;
	}
}

/* ---- checking ------------------------------------------------------------ */

static void hexdump(const __u8 *d, size_t len)
{
	for (size_t i = 0; i < len; i += 32) {
		fprintf(stderr, "      %04zx ", i);
		for (size_t j = i; j < len && j < i + 32; j++)
			fprintf(stderr, "%02x", d[j]);
		fputc('\n', stderr);
	}
}

static void describe(const struct fz *f)
{
	fprintf(stderr, "      packet %llu: %s, %s of '%s', %zu bytes; replay: "
		"XHOP_FUZZ_SEED=%#llx XHOP_FUZZ_START=%llu XHOP_FUZZ_COUNT=1\n",
		(unsigned long long)f->idx, target_name[f->target], mut_name[f->mut],
		f->items[f->base].name, f->cur.len, (unsigned long long)f->seed,
		(unsigned long long)f->idx);
	hexdump(f->cur.data, f->cur.len);
}

static __attribute__((format(printf, 3, 4))) void fail(struct fz *f, int oracle,
							const char *fmt, ...)
{
	struct mstat *ms = &f->ms[f->mut];
	va_list ap;

	ms->bad[oracle]++;
	if (f->dumps >= DUMPS_MAX || ms->dumped[oracle] >= DUMPS_PER)
		return;
	f->dumps++;
	ms->dumped[oracle]++;
	fprintf(stderr, "fuzz: %s: ", oracle_name[oracle]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	describe(f);
}

static void addr_str(const __u8 *a, char *buf, size_t len)
{
	if (IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)a))
		inet_ntop(AF_INET, a + 12, buf, len);
	else
		inet_ntop(AF_INET6, a, buf, len);
}

/*
 * An event names a probe of ours, or is a chance MAC collision: then a
 * third key, with which nothing was built, does not take the frame.
 */
static void check_event(struct fz *f, const struct xhop_event *ev)
{
	int rx = f->target != T_TX;
	char dst[INET6_ADDRSTRLEN];
	struct run r3;

	if ((rx ? ev->kind < XHOP_EV_TTL || ev->kind > XHOP_EV_TCP : ev->kind != XHOP_EV_TX) ||
	    (ev->family != 4 && ev->family != 6) || ev->mpls_count > XHOP_MPLS_MAX || ev->_pad[0])
		fail(f, O_EVENT, "malformed event: kind %u family %u mpls %u pad %u", ev->kind,
		     ev->family, ev->mpls_count, ev->_pad[0]);
	if (pset_has(&f->run, ev->dst, ev->proto, ev->probe_id))
		return;
	addr_str(ev->dst, dst, sizeof(dst));
	r3 = prog_run(&f->ld_third, f->target, &f->cur, NULL);
	if (!r3.err && r3.n == 0) {
		f->ms[f->mut].collisions++;
		f->coll_by_proto[ev->proto]++;
		if (f->coll_dumps++ < COLL_DUMPS) {
			fprintf(stderr, "fuzz: info: MAC collision: event for %s probe %u "
				"proto %u to %s, not taken under a third key\n",
				pset_has(&f->other, ev->dst, ev->proto, ev->probe_id)
					? "another run's"
					: "no",
				ev->probe_id, ev->proto, dst);
			describe(f);
		}
		return;
	}
	fail(f, O_EVENT, "event for %s probe %u proto %u to %s, and a third key takes it too "
	     "(err %d, %d events)",
	     pset_has(&f->other, ev->dst, ev->proto, ev->probe_id) ? "another run's" : "no",
	     ev->probe_id, ev->proto, dst, r3.err, r3.n);
}

/* The kernel refuses a test frame shorter than Ethernet; an skb also one
 * shorter than the IP header its EtherType announces.
 */
static int may_refuse(int target, const struct pkt *p)
{
	__u16 type;

	if (p->len < ETH_HLEN)
		return 1;
	if (target == T_RX)
		return 0;
	type = rd16(p->data + 12);
	return (type == XHOP_ETH_P_IP && p->len < ETH_HLEN + 20) ||
	       (type == XHOP_ETH_P_IPV6 && p->len < ETH_HLEN + 40);
}

static void check(struct fz *f, int pred)
{
	const struct item *base = &f->items[f->base];
	struct mstat *ms = &f->ms[f->mut];
	int t = f->target, exp = EXP_UNKNOWN;
	struct xhop_event ev[GOT_MAX];
	struct run r;

	r = prog_run(&f->ld, t, &f->cur, &f->ns_call[t]);
	memcpy(ev, got, sizeof(ev));
	ms->runs[t]++;
	if (r.err) {
		if (r.err == -EINVAL && may_refuse(t, &f->cur))
			ms->einval[t]++;
		else
			fail(f, O_RUN, "test run: %s", strerror(-r.err));
		if (r.n)
			fail(f, O_EVENT, "%d events from a refused run", r.n);
		return;
	}
	f->ok_runs[t]++;
	f->ns_prog[t] += r.ns;
	if (t != T_TX) {
		int take = r.retval == verdict_take(t);

		if (take)
			ms->taken[t]++;
		else if (r.retval != verdict_pass(t))
			fail(f, O_VERDICT, "%s verdict %d", target_name[t], (int)r.retval);
		f->drops += r.n == 1; /* recorded: what the stats call ours */
		if (r.retval == verdict_pass(t) && !r.same)
			fail(f, O_SAME, "a passed frame changed");
		if (r.n > 1 || r.retval != (r.n == 1 ? verdict_ours(t, &ev[0]) : verdict_pass(t)))
			fail(f, O_DROP, "verdict %d with %d events", (int)r.retval, r.n);
	} else {
		ms->taken[t] += r.n != 0;
		f->stamps += r.n;
		if ((int)r.retval != TC_ACT_UNSPEC)
			fail(f, O_VERDICT, "tc action %d", (int)r.retval);
		if (!r.same)
			fail(f, O_SAME, "tc changed the frame");
		if (r.n > 1)
			fail(f, O_DROP, "%d stamps for one frame", r.n);
	}
	for (int i = 0; i < r.n && i < GOT_MAX; i++)
		check_event(f, &ev[i]);

	if (pred == P_PASS)
		exp = EXP_PASS;
	else if (pred == P_SAME)
		exp = base->exp[side(t)];
	if (exp != EXP_UNKNOWN) {
		ms->predicted++;
		if (!meets(t, &r, &ev[0], exp, &base->want))
			fail(f, O_PREDICT, "want %s, got verdict %d with %d events%s",
			     exp == EXP_PASS ? "no event" : "the base's event", (int)r.retval, r.n,
			     r.n && exp == EXP_OURS ? " (another probe)" : "");
	}
}

/* One packet: target, mutator and base from a stream of its own */
static void fuzz_one(struct fz *f, __u64 i)
{
	int pred, pct;

	f->idx = i;
	f->rng = mix64(f->seed ^ mix64(i + 1));
	pct = below(f, 100);
	f->target = pct < TX_SHARE_PCT			  ? T_TX
		    : pct < TX_SHARE_PCT + RXTC_SHARE_PCT ? T_RXTC
							  : T_RX;
	f->mut = below(f, M_MAX);
	if (f->mut == M_EXT6)
		f->base = f->v6[below(f, f->n_v6)];
	else if (f->target == T_TX && below(f, 10) < 6)
		f->base = f->probes[below(f, f->n_probes)];
	else
		f->base = below(f, f->n_items);
	f->cur.len = f->items[f->base].p.len;
	memcpy(f->cur.data, f->items[f->base].p.data, f->cur.len);
	pred = mutate_one(f, f->mut, &f->cur);
	check(f, pred);
}

/* ---- report -------------------------------------------------------------- */

static void report(struct fz *f, __u64 count, __u64 wall_ns)
{
	__u64 sum_coll, budget, cand = 0;
	struct mstat tot = { 0 };

	printf("\n%-13s %8s %8s %8s %6s | %7s %7s %6s | %7s %7s %6s | %8s %4s %6s\n", "mutator",
	       "xdp", "consumed", "passed", "einval", "tcx-in", "shot", "einval", "tc-out",
	       "stamped", "einval", "predict", "coll", "failed");
	for (int m = 0; m <= M_MAX; m++) {
		const struct mstat *s = m < M_MAX ? &f->ms[m] : &tot;
		__u64 bad = 0;

		for (int o = 0; o < O_MAX; o++)
			bad += s->bad[o];
		printf("%-13s %8llu %8llu %8llu %6llu | %7llu %7llu %6llu | %7llu %7llu %6llu | "
		       "%8llu %4llu %6llu\n",
		       m < M_MAX ? mut_name[m] : "total", (unsigned long long)s->runs[T_RX],
		       (unsigned long long)s->taken[T_RX],
		       (unsigned long long)(s->runs[T_RX] - s->taken[T_RX] - s->einval[T_RX]),
		       (unsigned long long)s->einval[T_RX], (unsigned long long)s->runs[T_RXTC],
		       (unsigned long long)s->taken[T_RXTC], (unsigned long long)s->einval[T_RXTC],
		       (unsigned long long)s->runs[T_TX], (unsigned long long)s->taken[T_TX],
		       (unsigned long long)s->einval[T_TX], (unsigned long long)s->predicted,
		       (unsigned long long)s->collisions, (unsigned long long)bad);
		if (m == M_MAX)
			break;
		for (int t = 0; t < T_MAX; t++) {
			tot.runs[t] += s->runs[t];
			tot.taken[t] += s->taken[t];
			tot.einval[t] += s->einval[t];
		}
		for (int o = 0; o < O_MAX; o++)
			tot.bad[o] += s->bad[o];
		tot.predicted += s->predicted;
		tot.collisions += s->collisions;
	}
	sum_coll = tot.collisions;

	printf("\nthroughput: %llu packets in %.2f s, %.0f packets/s\n", (unsigned long long)count,
	       wall_ns / 1e9, count ? count / (wall_ns / 1e9) : 0);
	for (int t = 0; t < T_MAX; t++) {
		__u64 n = tot.runs[t];

		printf("  %-11s %8llu runs, %5.0f ns per test-run syscall (%.0f runs/s), "
		       "%4.0f ns in the program\n",
		       target_name[t], (unsigned long long)n, n ? (double)f->ns_call[t] / n : 0,
		       f->ns_call[t] ? n / (f->ns_call[t] / 1e9) : 0,
		       n > tot.einval[t] ? (double)f->ns_prog[t] / (n - tot.einval[t]) : 0);
		cand += n - tot.taken[t];
	}
	if (sum_coll)
		printf("MAC collisions by probe protocol: icmp %llu, icmpv6 %llu, udp %llu, tcp %llu "
		       "(a 16-bit MAC: once in 65536 forged tries)\n",
		       (unsigned long long)f->coll_by_proto[XHOP_IPPROTO_ICMP],
		       (unsigned long long)f->coll_by_proto[XHOP_IPPROTO_ICMPV6],
		       (unsigned long long)f->coll_by_proto[XHOP_IPPROTO_UDP],
		       (unsigned long long)f->coll_by_proto[XHOP_IPPROTO_TCP]);

	for (int m = 0; m < M_MAX; m++)
		for (int o = 0; o < O_MAX; o++)
			EXPECT(f->ms[m].bad[o] == 0, "%s: %s: %llu of %llu packets", mut_name[m],
			       oracle_name[o], (unsigned long long)f->ms[m].bad[o],
			       (unsigned long long)(f->ms[m].runs[T_RX] + f->ms[m].runs[T_TX] +
						    f->ms[m].runs[T_RXTC]));
	/*
	 * Every frame that reached the MAC check and failed it is a forgery
	 * try; there are fewer of them than frames not taken. Four times the
	 * odds of a 16-bit MAC over those, plus slack for small runs.
	 */
	budget = 8 + 4 * cand / 65536;
	EXPECT(sum_coll <= budget, "%llu MAC collisions, more than %llu expected at most",
	       (unsigned long long)sum_coll, (unsigned long long)budget);
	if (count >= 100000)
		EXPECT(tot.taken[T_RX] > count / 50 && tot.taken[T_RXTC] > count / 500 &&
			       tot.taken[T_TX] > count / 500,
		       "so few mutated frames taken (%llu, %llu, %llu): is the corpus ours?",
		       (unsigned long long)tot.taken[T_RX], (unsigned long long)tot.taken[T_RXTC],
		       (unsigned long long)tot.taken[T_TX]);
}

/* Every accepted run of ld counted once, in exactly one outcome */
static void check_stats(struct fz *f, const __u64 *a, const __u64 *b)
{
	__u64 rx_runs = f->ok_runs[T_RX] + f->ok_runs[T_RXTC];

#define D(i) (b[i] - a[i])
	EXPECT(D(XHOP_STAT_RX_SEEN) == rx_runs, "stats: seen %llu, receiver runs %llu",
	       (unsigned long long)D(XHOP_STAT_RX_SEEN), (unsigned long long)rx_runs);
	EXPECT(D(XHOP_STAT_RX_OURS) == f->drops && D(XHOP_STAT_RX_RB_FULL) == 0,
	       "stats: ours %llu, drops %llu, ring full %llu", (unsigned long long)D(XHOP_STAT_RX_OURS),
	       (unsigned long long)f->drops, (unsigned long long)D(XHOP_STAT_RX_RB_FULL));
	EXPECT(D(XHOP_STAT_RX_SEEN) == D(XHOP_STAT_RX_OURS) + D(XHOP_STAT_RX_FOREIGN) +
					       D(XHOP_STAT_RX_MALFORMED) + D(XHOP_STAT_RX_RB_FULL),
	       "stats: outcomes do not add up to runs");
	EXPECT(D(XHOP_STAT_TX_PROBES) == f->stamps && D(XHOP_STAT_TX_RB_FULL) == 0,
	       "stats: tx probes %llu, stamps %llu, ring full %llu",
	       (unsigned long long)D(XHOP_STAT_TX_PROBES), (unsigned long long)f->stamps,
	       (unsigned long long)D(XHOP_STAT_TX_RB_FULL));
	printf("receiver outcomes (stats map): %llu consumed, %llu foreign, %llu malformed\n",
	       (unsigned long long)D(XHOP_STAT_RX_OURS), (unsigned long long)D(XHOP_STAT_RX_FOREIGN),
	       (unsigned long long)D(XHOP_STAT_RX_MALFORMED));
#undef D
}

static int env_u64(const char *name, __u64 def, __u64 *out)
{
	const char *s = getenv(name);
	char *end;

	*out = def;
	if (!s || !*s)
		return 0;
	errno = 0;
	*out = strtoull(s, &end, 0);
	if (errno || *end || *s == '-') {
		fprintf(stderr, "test_fuzz: %s: '%s' is not a number\n", name, s);
		return -1;
	}
	return 0;
}

int main(void)
{
	struct fz *f = &fuzz;
	__u64 count, start, a[XHOP_STAT_MAX], b[XHOP_STAT_MAX], t0, wall;

	if (env_u64("XHOP_FUZZ_COUNT", FUZZ_COUNT_DEFAULT, &count) ||
	    env_u64("XHOP_FUZZ_SEED", FUZZ_SEED_DEFAULT, &f->seed) ||
	    env_u64("XHOP_FUZZ_START", 0, &start)) {
		EXPECT(0, "bad environment");
		return TEST_SUMMARY();
	}
	if (geteuid() != 0) {
		printf("test_fuzz: skipped: bpf_prog_test_run needs root\n");
		return TEST_SUMMARY();
	}
	if (loader_open(&f->ld, &key, on_event, NULL) ||
	    loader_open(&f->ld_other, &key_other, on_event, NULL) ||
	    loader_open(&f->ld_third, &key_third, on_event, NULL)) {
		EXPECT(0, "cannot load the BPF programs");
		return TEST_SUMMARY();
	}
	printf("fuzz: seed %#llx (XHOP_FUZZ_SEED), packets %llu..%llu (XHOP_FUZZ_START, "
	       "XHOP_FUZZ_COUNT); %d%% through tc egress, %d%% tcx ingress, the rest XDP\n",
	       (unsigned long long)f->seed, (unsigned long long)start,
	       (unsigned long long)(start + count), TX_SHARE_PCT, RXTC_SHARE_PCT);
	fflush(stdout);
	loader_stats(&f->ld, a);

	f->rng = mix64(f->seed);
	corpus_build(f);
	corpus_check(f);

	t0 = now_ns();
	for (__u64 i = start; i < start + count; i++)
		fuzz_one(f, i);
	wall = now_ns() - t0;

	loader_stats(&f->ld, b);
	report(f, count, wall);
	check_stats(f, a, b);

	loader_stop(&f->ld_third);
	loader_stop(&f->ld_other);
	loader_stop(&f->ld);
	return TEST_SUMMARY();
}
