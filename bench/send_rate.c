// SPDX-License-Identifier: GPL-2.0
/*
 * Send rate of one thread, in ONE run, into a veth whose peer drops with
 * XDP and counts what arrived (bench/xdp_count.bpf.c): each mechanism's
 * bare sender (bench/bare_send.h: prebuilt frames, the least a sender of
 * it can do) against xhop's rung of the same mechanism through the sender
 * layer (user/send/sender.h), which builds every probe of every call
 * (distinct destinations, ids and TTLs; SipHash MAC, checksums) as xhop
 * scan's sending thread does, with xhop's receiver and stamper attached
 * as in a scan. The bare frames are what xhop builds for its first
 * NFRAMES probes: identical frames. A rate counts the frames that
 * arrived at the peer, so a sender that overruns the peer's ring earns
 * nothing by it; AF_XDP is measured bare with and without the kernel's
 * per-frame TX stamps, which xhop's rung asks for.
 *
 * This VM's speed drifts by tens of percent within minutes, so every
 * sender runs once per round, several rounds, and a ratio is taken
 * between senders of the same round (then the median over rounds).
 * Numbers are printed, never asserted. Run by scripts/bench_send.sh
 * inside its namespaces:
 *   send_rate IF PEER_NS PEER_IF [SECONDS [ROUNDS [ONLY]]]
 * ONLY: run just the senders whose name contains it (for a profile).
 * The peer's receive work runs on the sender's core (veth NAPI), as it
 * would for any sender here.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bare_send.h"
#include "rounds.h"
#include "recv/loader.h"
#include "net/neigh.h"
#include "peer_count.h"
#include "core/probe_build.h"
#include "net/route.h"
#include "send/frame.h"
#include "send/gen_send.h"
#include "send/sender.h"

#define NFRAMES 1024	  /* distinct frames (destinations), as many in each bare sender */
#define FRAME_STRIDE 128
#define ROUNDS_MAX 15
#define WARM_S 0.1	  /* each sender's first calls, before its clock starts */
#define SETTLE_NS 5000000 /* for the peer's NAPI to count the last frames */
#define WHY_MAX 256
#define BUSY_TRIES 100
#define BUSY_WAIT_NS 10000000

static const struct xhop_key key = { 0x0123456789abcdefULL, 0xfedcba9876543210ULL };

struct env {
	int ifindex;
	const char *ifname;
	double secs;
	int rounds;
	const char *only;
	struct peer_count pc;
	struct frame_tmpl tmpl;		   /* what xhop's frame senders build from */
	struct in6_addr dst[NFRAMES];
	__u8 frames[NFRAMES][FRAME_STRIDE] __attribute__((aligned(8)));
	size_t len;			   /* one frame, Ethernet header included */
};

enum who { BARE, XHOP, XHOP_GEN_MANY };

struct scase {
	const char *name;
	int who;		 /* enum who */
	int kind;		 /* enum bare_kind or enum sender_kind */
	int batch;		 /* frames per call */
	__u32 budget;		 /* bare AF_XDP: descriptors per kick (0: the kernel's 32) */
	int stamp;		 /* bare AF_XDP: with the kernel's TX stamps */
	/* results */
	int refused;		 /* could not open: why */
	char why[WHY_MAX];
	int failed;		 /* rounds whose run stopped on a send error: fail_why */
	char fail_why[WHY_MAX];
	double mpps[ROUNDS_MAX]; /* per round: frames that arrived per second; 0 no run */
	__u64 sent, arrived;
};

/* designated initializers: the results start zeroed, and -Wextra stays quiet */
#define C(n, w, k, b, bud, st) \
	{ .name = n, .who = w, .kind = k, .batch = b, .budget = bud, .stamp = st }
static struct scase cases[] = {
	C("bare IPPROTO_RAW sendto", BARE, BARE_RAW, 256, 0, 0),
	C("bare IPPROTO_RAW sendmmsg (256)", BARE, BARE_RAW_MMSG, 256, 0, 0),
	C("bare AF_PACKET bypass sendmmsg (256)", BARE, BARE_PACKET, 256, 0, 0),
	C("bare AF_PACKET bypass TX ring (256)", BARE, BARE_TX_RING, 256, 0, 0),
	C("bare AF_XDP copy (kick: 32)", BARE, BARE_XSK, 256, 0, 0),
	C("bare AF_XDP copy (kick: 256)", BARE, BARE_XSK, 256, 256, 0),
	C("bare AF_XDP copy, TX stamps (kick: 32)", BARE, BARE_XSK, 256, 0, 1),
	C("bare live frames (256 per call)", BARE, BARE_LIVE, 256, 0, 0),
	C("bare live frames (16384 per call)", BARE, BARE_LIVE, 16384, 0, 0),
	C("xhop kernel (192 per call)", XHOP, SENDER_KERNEL, 192, 0, 0),
	C("xhop kernel (256 per call)", XHOP, SENDER_KERNEL, 256, 0, 0),
	C("xhop xdp (192 per call)", XHOP, SENDER_XDP, 192, 0, 0),
	C("xhop xdp (256 per call)", XHOP, SENDER_XDP, 256, 0, 0),
	C("xhop packet (192 per call)", XHOP, SENDER_PACKET, 192, 0, 0),
	C("xhop packet (256 per call)", XHOP, SENDER_PACKET, 256, 0, 0),
	C("xhop raw (192 per call)", XHOP, SENDER_RAW, 192, 0, 0),
	C("xhop raw (256 per call)", XHOP, SENDER_RAW, 256, 0, 0),
	C("xhop gen_send_many (4096 per call)", XHOP_GEN_MANY, SENDER_KERNEL, 4096, 0, 0),
};
#define NCASES ((int)(sizeof(cases) / sizeof(cases[0])))

static void settle(void)
{
	struct timespec ts = { 0, SETTLE_NS };

	nanosleep(&ts, NULL);
}

/* Probe k of a run: the bare frames are probes 0..NFRAMES-1 of it */
static void probe_k(const struct env *e, __u64 k, struct send_probe *p)
{
	p->dst = e->dst[k % NFRAMES];
	p->probe_id = (__u16)(1 + k % 60000); /* never PATH_WARMUP_ID */
	p->ttl = (__u8)(1 + k % 30);
}

static int on_event(void *ctx, const struct xhop_event *ev)
{
	(void)ctx;
	(void)ev;
	return 0;
}

/* ---- xhop's senders ------------------------------------------------------------ */

struct xrun {
	struct loader ld;
	struct sender s;
	struct gen_sender *g;
	int ld_up, s_up;
	int batch;
	__u64 k;
	struct send_probe p[SENDER_BATCH_MAX];
	struct send_result res[SENDER_BATCH_MAX];
	struct gen_probe *gp; /* gen_send_many: GEN_ITEMS_MAX */
};

/*
 * sender_open() says a refusal on stderr ("send_rate: --sender kernel:
 * REASON"), once, its own way: keep REASON for the report instead
 */
static int sender_open_why(struct sender *s, const struct sender_cfg *cfg, char *why, size_t len)
{
	char *buf = NULL, *at, pat[64];
	size_t n = 0;
	FILE *saved = stderr, *mem = open_memstream(&buf, &n);
	int err;

	if (mem)
		stderr = mem;
	err = sender_open(s, cfg);
	if (mem) {
		stderr = saved;
		fclose(mem);
	}
	snprintf(pat, sizeof(pat), "--sender %s: ", sender_kind_name(cfg->kind));
	at = buf ? strstr(buf, pat) : NULL;
	if (err)
		snprintf(why, len, "%s", at ? at + strlen(pat) : buf && *buf ? buf : strerror(-err));
	else if (buf && *buf)
		fputs(buf, stderr);
	why[strcspn(why, "\n")] = 0;
	free(buf);
	return err;
}

static int xrun_open(struct env *e, struct xrun *x, const struct scase *c, char *why, size_t len)
{
	struct loader_cfg lc = { .key = &key, .proto = IPPROTO_ICMP, .rx_no_wakeup = 1 };
	struct sender_cfg cfg = {
		.kind = c->kind,
		.ifindex = e->ifindex,
		.ifname = e->ifname,
		.key = &key,
		.rx = &x->ld,
		.has = { 1, 0 },
		.base = { e->tmpl.base },
		.first = { e->dst[0] },
		.who = "send_rate",
	};
	int err;

	x->batch = c->batch;
	/* xhop's receiver and tc stamper, attached as in a scan */
	err = loader_start_cfg(&x->ld, e->ifindex, &lc, on_event, NULL);
	if (err) {
		snprintf(why, len, "xhop's receiver: %s", strerror(-err));
		return err;
	}
	x->ld_up = 1;
	if (c->who == XHOP_GEN_MANY) {
		char gwhy[GEN_WHY_MAX] = "";
		struct gen_cfg gc = {
			.ifindex = e->ifindex, .family = 4, .method = METHOD_ICMP,
			.src = e->tmpl.base.src, .key = &key, .icmp_sum = e->tmpl.base.icmp_sum,
			.size = e->tmpl.base.size, .rx = &x->ld, .why = gwhy,
		};

		memcpy(gc.src_mac, e->tmpl.src_mac, 6);
		memcpy(gc.dst_mac, e->tmpl.dst_mac, 6);
		x->gp = calloc(GEN_ITEMS_MAX, sizeof(*x->gp));
		if (!x->gp)
			return -ENOMEM;
		err = gen_open(&x->g, &gc);
		if (err)
			snprintf(why, len, "%s", gwhy);
		return err;
	}
	err = sender_open_why(&x->s, &cfg, why, len);
	x->s_up = !err;
	return err;
}

/* One call as xhop scan's sending thread makes it: every probe new */
static int xrun_send(struct env *e, struct xrun *x)
{
	int n, err;

	if (x->g) {
		for (int i = 0; i < x->batch; i++)
			probe_k(e, x->k++, &x->gp[i]);
		return gen_send_many(x->g, x->gp, x->batch, NULL);
	}
	for (int i = 0; i < x->batch; i++)
		probe_k(e, x->k++, &x->p[i]);
	n = sender_send(&x->s, 0, x->p, x->batch, x->res);
	err = sender_failing(&x->s);
	if (err)
		return err;
	/* the raw rung's tc stamps: a scan's planner reads them (elsewhere) */
	loader_consume(&x->ld);
	return n;
}

static void xrun_close(struct xrun *x)
{
	if (x->s_up)
		sender_close(&x->s);
	gen_close(x->g);
	free(x->gp);
	if (x->ld_up)
		loader_stop(&x->ld);
	memset(x, 0, sizeof(*x));
}

/* ---- one sender, one round -------------------------------------------------------- */

static struct bare_cfg bare_cfg_of(struct env *e, const struct scase *c)
{
	struct bare_cfg bc = {
		.kind = c->kind, .ifindex = e->ifindex, .ifname = e->ifname,
		.frames = &e->frames[0][0], .stride = FRAME_STRIDE, .len = e->len,
		.nframes = NFRAMES, .batch = c->batch, .xsk_budget = c->budget, .xsk_stamp = c->stamp,
	};

	return bc;
}

/* Frames that left in one call of c (or -errno) */
/* One case's sender, as bare_run() calls it */
struct caller {
	struct env *e;
	const struct scase *c;
	struct bare *b;
	struct xrun *x;
};

static int call(void *ctx)
{
	struct caller *k = ctx;

	return k->c->who == BARE ? bare_send(k->b) : xrun_send(k->e, k->x);
}

static void run_case(struct env *e, struct scase *c, int round)
{
	static struct xrun x;
	struct bare *b = NULL;
	__u64 sent = 0, before, arrived;
	struct caller k;
	double secs = 0;
	int n = 0, err;

	/*
	 * The kernel frees a closed AF_XDP socket's hold on its queue in a
	 * work item, later: until then a new socket on the queue gets EBUSY
	 */
	for (int tries = 0;; tries++) {
		if (c->who == BARE) {
			struct bare_cfg bc = bare_cfg_of(e, c);

			err = bare_open(&b, &bc, c->why, sizeof(c->why));
		} else {
			err = xrun_open(e, &x, c, c->why, sizeof(c->why));
			if (err)
				xrun_close(&x);
		}
		if (err != -EBUSY || tries == BUSY_TRIES)
			break;
		nanosleep(&(struct timespec){ 0, BUSY_WAIT_NS }, NULL);
	}
	if (err) {
		c->refused = 1;
		goto out;
	}
	k = (struct caller){ .e = e, .c = c, .b = b, .x = &x };
	/* untimed first calls: page faults, caches, the neighbour entry */
	n = bare_run(b, WARM_S, call, &k, NULL, NULL);
	settle();
	before = peer_count(&e->pc);
	if (n >= 0)
		n = bare_run(b, e->secs, call, &k, &sent, &secs);
	settle();
	if (n < 0) {
		/* xhop would have stopped its run here: no rate for this round */
		snprintf(c->fail_why, sizeof(c->fail_why), "a send failed: %s", strerror(-n));
		c->failed++;
		goto out;
	}
	arrived = peer_count(&e->pc) - before;
	/* what arrived: a sender that overruns the peer's ring earns nothing by it */
	c->mpps[round] = (arrived < sent ? arrived : sent) / secs / 1e6;
	c->sent += sent;
	c->arrived += arrived;
out:
	if (b)
		bare_close(b);
	else
		xrun_close(&x);
}

/* Case i in round r, unless the kernel refused it or ONLY leaves it out */
static void run_one(void *ctx, int i, int round)
{
	struct env *e = ctx;
	struct scase *c = &cases[i];

	if (!c->refused && (!e->only || strstr(c->name, e->only)))
		run_case(e, c, round);
}

/* ---- the report -------------------------------------------------------------------- */

static int rounds; /* of the run: results are per round */

static int ran(const struct scase *c)
{
	return rounds_best(c->mpps, rounds) > 0;
}

static void print_case(const struct scase *c)
{
	char list[128];

	if (!ran(c)) {
		printf("  %-38s %s (%s)\n", c->name, c->refused ? "refused" : "failed",
		       c->refused ? c->why : c->fail_why);
		return;
	}
	rounds_list(c->mpps, rounds, 1, "%.2f", list, sizeof(list));
	printf("  %-38s %5.2f %6.2f   %-20s %9llu/%-9llu %s\n", c->name,
	       rounds_best(c->mpps, rounds), rounds_median(c->mpps, rounds), list,
	       (unsigned long long)c->arrived, (unsigned long long)c->sent,
	       c->arrived == c->sent ? "(all)" : "(loss!)");
	if (c->failed)
		printf("  %-38s failed in %d round(s): %s\n", "", c->failed, c->fail_why);
}

/* x against y round by round (same round: same drift), where both ran */
static void print_ratio(const char *label, const struct scase *x, const struct scase *y)
{
	double v[ROUNDS_MAX];
	char list[128];

	if (!ran(x) || !ran(y)) {
		const struct scase *r = ran(x) ? y : x;

		printf("  %-50s n/a: %s %s (%s)\n", label, r->name,
		       r->refused ? "refused" : "failed", r->refused ? r->why : r->fail_why);
		return;
	}
	for (int r = 0; r < rounds; r++)
		v[r] = x->mpps[r] > 0 && y->mpps[r] > 0 ? x->mpps[r] / y->mpps[r] : 0;
	rounds_list(v, rounds, 100, "%.0f%%", list, sizeof(list));
	printf("  %-50s %4.0f%%  (rounds: %s; best/best %.0f%%)\n", label,
	       100 * rounds_median(v, rounds), list,
	       100 * rounds_best(x->mpps, rounds) / rounds_best(y->mpps, rounds));
}

static struct scase *find(const char *name)
{
	for (int i = 0; i < NCASES; i++)
		if (!strcmp(cases[i].name, name))
			return &cases[i];
	return NULL;
}

/* The fastest of who's senders that ran, by median; NULL if none */
static struct scase *fastest(int who)
{
	struct scase *f = NULL;

	for (int i = 0; i < NCASES; i++) {
		struct scase *c = &cases[i];

		if (ran(c) && (c->who == who || (who == XHOP && c->who == XHOP_GEN_MANY)) &&
		    (!f || rounds_median(c->mpps, rounds) > rounds_median(f->mpps, rounds)))
			f = c;
	}
	return f;
}

static void report(struct env *e)
{
	static const char *const pairs[][3] = {
		{ "xhop kernel (192 per call)", "bare live frames (256 per call)", "kernel 192" },
		{ "xhop kernel (256 per call)", "bare live frames (256 per call)", "kernel 256" },
		{ "xhop gen_send_many (4096 per call)", "bare live frames (16384 per call)",
		  "kernel, gen_send_many 4096 / bare 16384 per call" },
		{ "xhop xdp (192 per call)", "bare AF_XDP copy, TX stamps (kick: 32)", "xdp 192" },
		{ "xhop xdp (256 per call)", "bare AF_XDP copy, TX stamps (kick: 32)", "xdp 256" },
		{ "xhop xdp (256 per call)", "bare AF_XDP copy (kick: 32)",
		  "xdp 256 / bare AF_XDP without stamps" },
		{ "xhop xdp (256 per call)", "bare AF_XDP copy (kick: 256)",
		  "xdp 256 / bare AF_XDP, no stamps, 256 per kick" },
		{ "bare AF_XDP copy, TX stamps (kick: 32)", "bare AF_XDP copy (kick: 32)",
		  "(bare AF_XDP: with TX stamps / without)" },
		{ "xhop packet (192 per call)", "bare AF_PACKET bypass sendmmsg (256)", "packet 192" },
		{ "xhop packet (256 per call)", "bare AF_PACKET bypass sendmmsg (256)", "packet 256" },
		{ "xhop raw (192 per call)", "bare IPPROTO_RAW sendmmsg (256)", "raw 192" },
		{ "xhop raw (256 per call)", "bare IPPROTO_RAW sendmmsg (256)", "raw 256" },
	};
	struct scase *fx = fastest(XHOP), *fb = fastest(BARE), pseudo_x, pseudo_b;

	printf("\nSend rate, one thread on CPU 0, %zu-byte frames (%zu-byte IPv4 ICMP echo probes), "
	       "into an XDP_DROP veth peer; %d interleaved rounds of %.1f s per sender:\n",
	       e->len, e->len - 14, e->rounds, e->secs);
	printf("  %-38s %5s %6s   %-20s %19s\n", "sender", "best", "median", "Mpps per round",
	       "arrived/sent");
	for (int i = 0; i < NCASES; i++)
		if (!e->only || strstr(cases[i].name, e->only))
			print_case(&cases[i]);
	if (e->only)
		return;

	printf("\nxhop's rungs against the bare sender of the same mechanism "
	       "(median of per-round ratios):\n");
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		print_ratio(pairs[i][2], find(pairs[i][0]), find(pairs[i][1]));

	/*
	 * The goal: xhop's best rung at least 90% of the fastest bare
	 * sender the kernel allows. Per round: the best of xhop's senders
	 * that round against the best bare sender that round.
	 */
	printf("\nxhop's best rung against the fastest bare sender the kernel allows (goal 90%%):\n");
	if (!fx || !fb) {
		printf("  n/a: %s\n", fx ? "no bare sender ran" : "no xhop sender ran");
		return;
	}
	memset(&pseudo_x, 0, sizeof(pseudo_x));
	memset(&pseudo_b, 0, sizeof(pseudo_b));
	pseudo_x.name = "xhop";
	pseudo_b.name = "bare";
	for (int i = 0; i < NCASES; i++) {
		struct scase *c = &cases[i];
		struct scase *p = c->who == BARE ? &pseudo_b : &pseudo_x;

		for (int r = 0; r < rounds; r++)
			if (c->mpps[r] > p->mpps[r])
				p->mpps[r] = c->mpps[r];
	}
	printf("  fastest xhop rung: %s, median %.2f Mpps; fastest bare sender: %s, median %.2f Mpps\n",
	       fx->name, rounds_median(fx->mpps, rounds), fb->name, rounds_median(fb->mpps, rounds));
	print_ratio("xhop's best / the fastest bare sender, per round", &pseudo_x, &pseudo_b);
	print_ratio("the same, medians of those two senders", fx, fb);
	/* the generator's own goal, where live frames run */
	printf("\nthe generator against the bare generator (goal 90%% where live frames run):\n");
	print_ratio("xhop kernel 256 / bare live frames 256 per call", find("xhop kernel (256 per call)"),
		    find("bare live frames (256 per call)"));
}

/* ---- where live frames run: two threads, and where the stamp lies ------------------ */

struct job {
	struct env *e;
	struct bare *b;		/* shared by both threads: a test run has no state of its own */
	struct gen_sender *g;	/* or a generator of each thread's own */
	int cpu;
	__u64 sent;
	double secs;
};

static void *job_run(void *arg)
{
	struct job *j = arg;
	static __thread struct gen_probe gp[GEN_ITEMS_MAX];
	__u64 k = (__u64)j->cpu << 32;
	double t0 = bench_now_s(), end = t0 + j->e->secs;
	int n = 0;

	bench_pin(j->cpu);
	while (n >= 0 && bench_now_s() < end) {
		if (j->b) {
			n = bare_send(j->b);
		} else {
			for (int i = 0; i < GEN_ITEMS_MAX; i++)
				probe_k(j->e, k++, &gp[i]);
			n = gen_send_many(j->g, gp, GEN_ITEMS_MAX, NULL);
		}
		if (n > 0)
			j->sent += (__u64)n;
	}
	j->secs = bench_now_s() - t0;
	return NULL;
}

static void two_threads(struct env *e, struct loader *ld)
{
	struct bare_cfg bc = bare_cfg_of(e, find("bare live frames (16384 per call)"));
	char why[WHY_MAX];
	struct gen_cfg gc = {
		.ifindex = e->ifindex, .family = 4, .method = METHOD_ICMP,
		.src = e->tmpl.base.src, .key = &key, .icmp_sum = e->tmpl.base.icmp_sum,
		.size = e->tmpl.base.size, .why = why,
	};

	memcpy(gc.src_mac, e->tmpl.src_mac, 6);
	memcpy(gc.dst_mac, e->tmpl.dst_mac, 6);
	printf("\nTwo threads (CPUs 0 and 1) on a two-queue veth:\n");
	for (int kind = 0; kind < 2; kind++) {
		struct job j[2] = { { .e = e, .cpu = 0 }, { .e = e, .cpu = 1 } };
		pthread_t t[2];
		__u64 before;
		int pinned = 0, err = 0;

		if (!kind) {
			err = bare_open(&j[0].b, &bc, why, sizeof(why));
			j[1].b = j[0].b;
		} else {
			/* the receiver generates for one thread, the other has its own */
			gc.rx = ld;
			err = gen_open(&j[0].g, &gc);
			gc.rx = NULL;
			if (!err)
				err = gen_open(&j[1].g, &gc);
			/* attached, its test runs stay cheap (bare_send.c says why) */
			if (!err)
				err = bpf_xdp_attach(1, gen_prog_fd(j[1].g), XDP_FLAGS_SKB_MODE, NULL);
			pinned = !err;
		}
		if (err) {
			printf("  %-38s refused (%s)\n", kind ? "xhop gen_send_many x2" : "bare x2", why);
		} else {
			before = peer_count(&e->pc);
			for (int i = 0; i < 2; i++)
				pthread_create(&t[i], NULL, job_run, &j[i]);
			for (int i = 0; i < 2; i++)
				pthread_join(t[i], NULL);
			settle();
			printf("  %-38s %5.2f Mpps  arrived %llu of %llu\n",
			       kind ? "xhop gen_send_many x2, 4096 per call"
				    : "bare live frames x2, 16384 per call",
			       (j[0].sent + j[1].sent) / (j[0].secs > j[1].secs ? j[0].secs : j[1].secs) / 1e6,
			       (unsigned long long)(peer_count(&e->pc) - before),
			       (unsigned long long)(j[0].sent + j[1].sent));
		}
		if (pinned)
			bpf_xdp_detach(1, XDP_FLAGS_SKB_MODE, NULL);
		bare_close(j[0].b);
		gen_close(j[0].g);
		gen_close(j[1].g);
	}
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* Where the generator's stamp lies: the peer's first and last arrival after it */
static void stamp_offsets(struct env *e, struct loader *ld)
{
	static const int sizes[] = { 1, 16, 64, 256 };
	struct gen_probe gp[GEN_BATCH_MAX];
	struct gen_sender *g;
	struct gen_cfg gc = {
		.ifindex = e->ifindex, .family = 4, .method = METHOD_ICMP,
		.src = e->tmpl.base.src, .key = &key, .icmp_sum = e->tmpl.base.icmp_sum,
		.size = e->tmpl.base.size, .rx = ld, .mac_where = GEN_MAC_USER,
	};
	long long df[200], dl[200], span[200];

	memcpy(gc.src_mac, e->tmpl.src_mac, 6);
	memcpy(gc.dst_mac, e->tmpl.dst_mac, 6);
	for (int i = 0; i < GEN_BATCH_MAX; i++)
		probe_k(e, (__u64)i, &gp[i]);
	if (gen_open(&g, &gc))
		return;
	printf("\n  stamp (tx_ns) to the peer's XDP arrival, medians of 200 calls:\n");
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		for (int i = 0; i < 200; i++) {
			struct gen_stats st;
			__u64 tx, first, last;

			peer_stamp(&e->pc, 1);
			gen_send(g, gp, sizes[s], &tx);
			peer_times(&e->pc, &first, &last);
			gen_stats(g, &st);
			df[i] = (long long)(first - tx);
			dl[i] = (long long)(last - tx);
			span[i] = (long long)(st.last_ns - st.first_ns);
		}
		qsort(df, 200, sizeof(df[0]), cmp_ll);
		qsort(dl, 200, sizeof(dl[0]), cmp_ll);
		qsort(span, 200, sizeof(span[0]), cmp_ll);
		printf("    batch %3d: first frame made %6lld ns before the stamp; first arrival "
		       "%+6lld ns, last %+6lld ns after it\n", sizes[s], span[100], df[100], dl[100]);
	}
	peer_stamp(&e->pc, 0);
	gen_close(g);
}

/* ---- set-up ------------------------------------------------------------------------ */

static int env_init(struct env *e, int argc, char **argv)
{
	struct probe_spec *b = &e->tmpl.base;
	int err;

	e->ifname = argv[1];
	e->ifindex = (int)if_nametoindex(argv[1]);
	e->secs = argc > 4 ? atof(argv[4]) : 1.0;
	e->rounds = argc > 5 ? atoi(argv[5]) : 3;
	e->only = argc > 6 ? argv[6] : NULL;
	if (!e->ifindex || e->secs <= 0 || e->rounds < 1 || e->rounds > ROUNDS_MAX) {
		fprintf(stderr, "send_rate: bad interface, seconds or rounds (1..%d)\n", ROUNDS_MAX);
		return -EINVAL;
	}
	/* targets 198.19.0.1.. behind the peer: one route, no neighbour each */
	for (int i = 0; i < NFRAMES; i++) {
		inet_pton(AF_INET6, "::ffff:198.19.0.0", &e->dst[i]);
		e->dst[i].s6_addr[14] = (__u8)((1 + i) >> 8);
		e->dst[i].s6_addr[15] = (__u8)(1 + i);
	}
	err = peer_open(&e->pc, argv[2], argv[3], XDP_DROP, 1);
	if (err)
		return err;
	err = neigh_nexthop_mac(e->ifindex, 4, &e->dst[0], e->tmpl.dst_mac, e->tmpl.src_mac, 3000);
	if (!err)
		err = route_source(&e->dst[0], 4, e->ifname, &b->src);
	if (err) {
		fprintf(stderr, "send_rate: next hop or source towards 198.19.0.1: %s\n",
			strerror(-err));
		return err;
	}
	b->icmp_sum = 0xbeef;
	b->size = 60;
	b->family = 4;
	b->method = METHOD_ICMP;
	e->tmpl.key = &key;
	/* the bare senders' frames: xhop's first NFRAMES probes, as it builds them */
	for (int i = 0; i < NFRAMES; i++) {
		struct send_probe p;
		ssize_t len;

		probe_k(e, (__u64)i, &p);
		len = frame_build(&e->tmpl, &p, e->frames[i], FRAME_STRIDE);
		if (len < 0)
			return (int)len;
		e->len = (size_t)len;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct env *e = calloc(1, sizeof(*e));
	struct scase *live;
	struct loader ld;
	struct loader_cfg lc = { .key = &key, .proto = IPPROTO_ICMP };

	if (argc < 4 || argc > 7) {
		fprintf(stderr, "usage: send_rate IF PEER_NS PEER_IF [SECONDS [ROUNDS [ONLY]]]\n");
		return 2;
	}
	if (!e || env_init(e, argc, argv))
		return 1;
	bench_pin(0);
	rounds = e->rounds;
	rounds_interleave(e->rounds, NCASES, run_one, e, "send_rate");
	report(e);
	live = find("bare live frames (16384 per call)");
	if (!e->only && ran(live) && !loader_start_cfg(&ld, e->ifindex, &lc, on_event, NULL)) {
		two_threads(e, &ld);
		stamp_offsets(e, &ld);
		loader_stop(&ld);
	} else if (!e->only) {
		printf("\nTwo threads, and the generator's stamp against arrival: n/a (%s)\n",
		       ran(live) ? "xhop's receiver did not start" : live->why);
	}
	peer_close(&e->pc);
	free(e);
	return 0;
}
