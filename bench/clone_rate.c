// SPDX-License-Identifier: GPL-2.0
/*
 * Can a tc egress generator that multiplies one trigger packet with
 * bpf_clone_redirect() (bench/clone_send.bpf.c) beat AF_XDP copy mode,
 * xhop's rung where live frames are refused? One thread on CPU 0, in ONE
 * run, into a veth whose far end drops with XDP and counts what arrived
 * (testkit/peer_count.c); senders interleaved over rounds, per-round
 * ratios, medians. The AF_XDP and AF_PACKET senders are bench/bare_send.c's
 * (xhop's first 1024 probes, prebuilt); the generator writes xhop's first
 * 4096 probes (COPY: whole 60-byte packets from a map) or rewrites
 * daddr, IP ID, TTL and ICMP sequence with the checksum helpers
 * (REWRITE) into its trigger before each copy.
 *
 * It makes its own namespaces, xcl<pid>-a and xcl<pid>-b, one two-queue
 * veth between them (ca0, cb0), 198.18.0.1/24 and .2/24, targets in
 * 198.19.0.0/16 routed to the peer, no route out; a parent process
 * removes them when the measuring child ends, however it ends.
 *
 * Before the rounds it checks, untimed: that the copies arrive as the
 * distinct, valid probes they should be (the far end keeps what came; a
 * short tcpdump there), that each copy passes the egress hook once more
 * (and so xhop's tc stamper, in either order on the hook), and how deep
 * copies of copies may nest.
 *
 *   clone_rate [SECONDS [ROUNDS [ONLY]]]     (root; defaults 1 s, 5 rounds)
 * ONLY: run just the senders whose name contains it (for a profile).
 * CL_QDISC=pfifo_fast (a qdisc the kernel has): that qdisc on the sending
 * veth instead of veth's noqueue, as a NIC has one; the copies go through
 * it, AF_XDP copy mode does not.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bare_send.h"
#include "rounds.h"
#include "clone_send.h"
#include "clone_send.skel.h"
#include "peer_count.h"
#include "core/probe_build.h"
#include "net/neigh.h"
#include "net/route.h"
#include "recv/loader.h"
#include "send/frame.h"

#ifndef BPF_TCX_EGRESS
#define CL_TCX_EGRESS 47 /* Debian 12's UAPI headers predate tcx (as user/recv/loader.c) */
#else
#define CL_TCX_EGRESS BPF_TCX_EGRESS
#endif

#define XSK_FRAMES 1024	  /* bare_send's rings hold this many distinct frames */
#define ROUNDS_MAX 15
#define WARM_S 0.1
#define SETTLE_NS 5000000
#define WHY_MAX 256
#define BUSY_TRIES 100
#define BUSY_WAIT_NS 10000000
#define IFA "ca0"
#define IFB "cb0"

static const struct xhop_key key = { 0x0123456789abcdefULL, 0xfedcba9876543210ULL };

struct env {
	char ns_a[32], ns_b[32];
	int ifindex;
	double secs;
	int rounds;
	const char *only;
	struct peer_count pc;
	int pc_up;
	struct clone_send_bpf *skel;
	int link_fd;	/* tcx egress: the generator */
	int trig_fd;	/* AF_PACKET, through the qdisc layer (and so tc egress) */
	struct sockaddr_ll sll;
	__u8 trig[CL_FRAME_LEN];
	struct frame_tmpl tmpl;
	__u8 frames[CL_PROBES][128] __attribute__((aligned(8)));
	struct cl_rw rw[CL_PROBES];
	size_t len;
};

enum kind { K_BARE, K_CLONE };

struct ccase {
	const char *name;
	int kind;
	int bare;	/* enum bare_kind */
	int batch;	/* frames per call (clone: per trigger) */
	__u32 budget;	/* bare AF_XDP: per kick */
	__u32 flags;	/* clone: CL_REWRITE, CL_STOP_FULL, CL_HASH */
	int stamp;	/* bare AF_XDP: the kernel's TX stamps; clone: xhop's tc stamper behind it */
	/* results */
	int refused;
	char why[WHY_MAX];
	double mpps[ROUNDS_MAX];
	__u64 sent, arrived, full, calls, calls_timed;
};

#define B(n, bk, b, bud, st) \
	{ .name = n, .kind = K_BARE, .bare = bk, .batch = b, .budget = bud, .stamp = st }
#define CL(n, b, f, st) { .name = n, .kind = K_CLONE, .batch = b, .flags = f, .stamp = st }
static struct ccase cases[] = {
	B("bare AF_XDP copy (kick: 32)", BARE_XSK, 256, 0, 0),
	B("bare AF_XDP copy (kick: 256)", BARE_XSK, 256, 256, 0),
	B("bare AF_XDP copy, TX stamps (kick: 32)", BARE_XSK, 256, 0, 1),
	B("bare AF_PACKET bypass sendmmsg (256)", BARE_PACKET, 256, 0, 0),
	CL("clone copy 64", 64, 0, 0),
	CL("clone copy 256", 256, 0, 0),
	CL("clone copy 1024", 1024, 0, 0),
	CL("clone copy 1024 stop-at-full", 1024, CL_STOP_FULL, 0),
	CL("clone copy 64 +hash", 64, CL_HASH, 0),
	CL("clone copy 256 +hash", 256, CL_HASH, 0),
	CL("clone copy 1024 stop-at-full +hash", 1024, CL_STOP_FULL | CL_HASH, 0),
	CL("clone copy 256 +hash, xhop stamper", 256, CL_HASH, 1),
	CL("clone rewrite 64", 64, CL_REWRITE, 0),
	CL("clone rewrite 256", 256, CL_REWRITE, 0),
	CL("clone rewrite 1024 stop-at-full", 1024, CL_REWRITE | CL_STOP_FULL, 0),
	CL("clone rewrite 256 +hash", 256, CL_REWRITE | CL_HASH, 0),
};
#define NCASES ((int)(sizeof(cases) / sizeof(cases[0])))

/* ---- namespaces: made by the parent, removed by it ------------------------------ */

static int run(char *const argv[], int quiet)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -errno;
	if (!pid) {
		if (quiet) {
			int fd = open("/dev/null", O_WRONLY);

			dup2(fd, 1);
			dup2(fd, 2);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0)
		return -errno;
	return WIFEXITED(st) && !WEXITSTATUS(st) ? 0 : -EIO;
}

#define IP(...) run((char *const[]){ "ip", __VA_ARGS__, NULL }, 0)

static void ns_remove(const struct env *e)
{
	run((char *const[]){ "ip", "netns", "del", (char *)e->ns_a, NULL }, 1);
	run((char *const[]){ "ip", "netns", "del", (char *)e->ns_b, NULL }, 1);
}

static int ns_make(struct env *e)
{
	char *a = e->ns_a, *b = e->ns_b;

	if (IP("netns", "add", a) || IP("netns", "add", b) ||
	    IP("-n", a, "link", "add", IFA, "numtxqueues", "2", "numrxqueues", "2", "type", "veth",
	       "peer", "name", IFB, "numtxqueues", "2", "numrxqueues", "2", "netns", b) ||
	    IP("-n", a, "link", "set", "lo", "up") || IP("-n", b, "link", "set", "lo", "up") ||
	    IP("-n", a, "link", "set", IFA, "up") || IP("-n", b, "link", "set", IFB, "up") ||
	    IP("-n", a, "addr", "add", "198.18.0.1/24", "dev", IFA) ||
	    IP("-n", b, "addr", "add", "198.18.0.2/24", "dev", IFB) ||
	    IP("-n", a, "route", "add", "198.19.0.0/16", "via", "198.18.0.2", "dev", IFA))
		return -EIO;
	/*
	 * CL_QDISC="fq_codel" (say): a qdisc on the sending veth, as a NIC
	 * has one, instead of veth's noqueue: the copies go through it
	 * (AF_XDP copy mode does not)
	 */
	if (getenv("CL_QDISC")) {
		char cmd[256];

		snprintf(cmd, sizeof(cmd), "ip -n %s link set %s txqueuelen 1000 && "
			 "tc -n %s qdisc replace dev %s root %s", a, IFA, a, IFA, getenv("CL_QDISC"));
		if (system(cmd))
			return -EIO;
	}
	return 0;
}

static int enter_ns(const char *name)
{
	char path[64];
	int fd, err = 0;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET))
		err = -errno;
	if (fd >= 0)
		close(fd);
	return err;
}

/* ---- the generator ------------------------------------------------------------- */

static __u64 sum(const __u64 *v)
{
	__u64 s = 0;

	for (int i = 0; i < CL_CPUS; i++)
		s += v[i];
	return s;
}

/*
 * One trigger: probes [start, start + count) with flags; copies the device
 * took, or -errno. The generator runs inside this sendto(), on this CPU
 */
static int trigger(struct env *e, __u32 start, __u32 count, __u32 flags)
{
	struct cl_trigger t = { htonl(CL_MAGIC), start, count, flags };
	int cpu = sched_getcpu();

	memcpy(e->trig + ETH_HLEN + 20, &t, sizeof(t));
	/* the generator drops the trigger: ENOBUFS (NET_XMIT_DROP) is its success */
	if (sendto(e->trig_fd, e->trig, CL_FRAME_LEN, 0, (struct sockaddr *)&e->sll,
		   sizeof(e->sll)) < 0 && errno != ENOBUFS && errno != EINTR)
		return -errno;
	return (int)e->skel->bss->last_done[cpu & (CL_CPUS - 1)];
}

/* RFC 1071 over n bytes, checksum field included: valid if 0xffff */
static int sum_ok(const void *p, size_t n)
{
	return csum_fold(csum_add(0, p, n)) == 0xffff;
}

/* the checksum to store at p16 (zeroed first) for n bytes from p */
static void sum_set(__u8 *p, size_t n, __u8 *p16)
{
	__u16 v;

	p16[0] = p16[1] = 0;
	v = (__u16)~csum_fold(csum_add(0, p, n));
	p16[0] = (__u8)(v >> 8);
	p16[1] = (__u8)v;
}

static void trigger_init(struct env *e)
{
	__u8 *f = e->trig, *ip = f + ETH_HLEN;

	memset(f, 0, sizeof(e->trig));
	memcpy(f, e->tmpl.dst_mac, 6);
	memcpy(f + 6, e->tmpl.src_mac, 6);
	f[12] = 0x08;
	ip[0] = 0x45;
	ip[3] = CL_L3_LEN;
	ip[8] = 1; /* TTL 1: were it ever to leave, the next hop ends it */
	ip[9] = CL_TRIGGER_PROTO;
	memcpy(ip + 12, &e->tmpl.base.src.s6_addr[12], 4);
	inet_pton(AF_INET, "198.18.0.2", ip + 16);
	e->sll.sll_family = AF_PACKET;
	e->sll.sll_protocol = htons(ETH_P_IP);
	e->sll.sll_ifindex = e->ifindex;
	e->sll.sll_halen = 6;
	memcpy(e->sll.sll_addr, e->tmpl.dst_mac, 6);
}

static int gen_open(struct env *e)
{
	struct clone_send_bpf *s;
	int err;

	s = e->skel = clone_send_bpf__open();
	if (!s)
		return -errno;
	s->rodata->out_ifindex = (__u32)e->ifindex;
	err = clone_send_bpf__load(s);
	if (err) {
		fprintf(stderr, "clone_rate: load clone_send: %s\n", strerror(-err));
		return err;
	}
	for (int k = 0; k < CL_PROBES; k++)
		memcpy(s->bss->probes[k], e->frames[k] + ETH_HLEN, CL_L3_LEN);
	memcpy(s->bss->rw, e->rw, sizeof(e->rw));
	e->link_fd = bpf_link_create(bpf_program__fd(s->progs.clone_gen), e->ifindex, CL_TCX_EGRESS,
				     NULL);
	if (e->link_fd < 0) {
		err = -errno;
		fprintf(stderr, "clone_rate: tcx egress on %s: %s\n", IFA, strerror(-err));
		return err;
	}
	/* protocol 0: it never receives; no PACKET_QDISC_BYPASS: that would skip tc egress */
	e->trig_fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (e->trig_fd < 0)
		return -errno;
	trigger_init(e);
	return 0;
}

/* ---- the far end: count (peer_count), or keep what came (xdp_keep) ------------ */

static struct bpf_link *keep_attach(struct env *e)
{
	struct bpf_link *l = NULL;
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC), idx;

	if (self < 0 || enter_ns(e->ns_b))
		goto out;
	idx = (int)if_nametoindex(IFB);
	if (idx)
		l = bpf_program__attach_xdp(e->skel->progs.xdp_keep, idx);
	if (setns(self, CLONE_NEWNET)) {
		fprintf(stderr, "clone_rate: back to %s: %s\n", e->ns_a, strerror(errno));
		exit(1);
	}
out:
	if (self >= 0)
		close(self);
	return l;
}

static void keep_reset(struct env *e)
{
	e->skel->bss->nseen[0] = e->skel->bss->nseen[1] = 0;
}

/* frames kept, in arrival order per CPU: CPU 0's, then CPU 1's */
static int keep_frames(struct env *e, const __u8 **out, int max)
{
	int n = 0;

	for (int h = 0; h < 2; h++) {
		__u32 got = e->skel->bss->nseen[h];

		if (got > CL_VERIFY_MAX / 2)
			got = CL_VERIFY_MAX / 2;
		for (__u32 i = 0; i < got && n < max; i++)
			out[n++] = e->skel->bss->seen[h * (CL_VERIFY_MAX / 2) + i];
	}
	return n;
}

/* The frame REWRITE makes of probe k: probe 0's, with k's fields, checksums recomputed */
static void rewrite_expect(const struct env *e, int k, __u8 *f)
{
	__u8 *ip = f + ETH_HLEN, *icmp = ip + 20;

	memcpy(f, e->frames[0], CL_FRAME_LEN);
	memcpy(ip + 16, &e->rw[k].daddr, 4);
	memcpy(ip + 4, &e->rw[k].id, 2);
	ip[8] = e->rw[k].ttl;
	memcpy(icmp + 6, &e->rw[k].seq, 2);
	sum_set(ip, 20, ip + 10);
	sum_set(icmp, CL_L3_LEN - 20, icmp + 2);
}

/*
 * One trigger of count probes from start. Each frame that came must be
 * one of those probes (found by daddr, IP ID and TTL), each once, byte
 * for byte what it should be; checksums are checked on their own too.
 * Prints a line; 0 if all is well
 */
static int verify_one(struct env *e, const char *what, __u32 start, __u32 count, __u32 flags)
{
	static const __u8 *got[CL_VERIFY_MAX];
	static __u8 hit[CL_PROBES];
	__u8 want[CL_FRAME_LEN];
	int done, n, bad_sum = 0, mismatch = 0, foreign = 0, dup = 0, distinct = 0, ok;
	__u64 full0 = sum(e->skel->bss->st_full);

	keep_reset(e);
	done = trigger(e, start, count, flags);
	bench_sleep_ns(20000000);
	n = keep_frames(e, got, CL_VERIFY_MAX);
	memset(hit, 0, sizeof(hit));
	for (int i = 0; i < n; i++) {
		const __u8 *f = got[i], *ip = f + ETH_HLEN;
		__u32 j;

		if (!sum_ok(ip, 20) || !sum_ok(ip + 20, CL_L3_LEN - 20))
			bad_sum++;
		for (j = start; j < start + count && j < CL_PROBES; j++) {
			const __u8 *w = e->frames[j] + ETH_HLEN;

			if (flags & CL_REWRITE ? !memcmp(ip + 16, &e->rw[j].daddr, 4) &&
							 !memcmp(ip + 4, &e->rw[j].id, 2) &&
							 ip[8] == e->rw[j].ttl
					       : !memcmp(ip + 16, w + 16, 4) && !memcmp(ip + 4, w + 4, 2) &&
							 ip[8] == w[8])
				break;
		}
		if (j >= start + count || j >= CL_PROBES) {
			foreign++;
			continue;
		}
		if (hit[j]++) {
			dup++;
			continue;
		}
		distinct++;
		if (flags & CL_REWRITE)
			rewrite_expect(e, (int)j, want);
		else
			memcpy(want, e->frames[j], CL_FRAME_LEN);
		mismatch += !!memcmp(f, want, CL_FRAME_LEN);
	}
	ok = n == done && distinct == n && !bad_sum && !mismatch && !foreign && !dup;
	printf("  %-34s trigger of %4u: veth took %4d (dropped %llu), arrived %4d: distinct %4d, "
	       "duplicates %d, not of the trigger %d, bad checksums %d, other bytes %d  %s\n",
	       what, count, done, (unsigned long long)(sum(e->skel->bss->st_full) - full0), n,
	       distinct, dup, foreign, bad_sum, mismatch, ok ? "ok" : "PROBLEM");
	return !ok;
}

/* tcpdump in the far end's namespace, around two small triggers */
static void tcpdump_sample(struct env *e)
{
	char tmp[] = "/tmp/xcl-tcpdump-XXXXXX", line[512];
	int fd = mkstemp(tmp), st = 0, seen = 0;
	pid_t pid;
	FILE *f;

	if (fd < 0)
		return;
	pid = fork();
	if (!pid) {
		dup2(fd, 1);
		dup2(fd, 2);
		execlp("ip", "ip", "netns", "exec", e->ns_b, "tcpdump", "-nn", "-vv", "-c", "8", "-l",
		       "-i", IFB, "icmp", (char *)NULL);
		_exit(127);
	}
	/* until it listens (at most 3 s) */
	for (int i = 0; i < 300 && !seen; i++) {
		bench_sleep_ns(10000000);
		f = fopen(tmp, "r");
		while (f && fgets(line, sizeof(line), f))
			seen |= !!strstr(line, "listening on");
		if (f)
			fclose(f);
	}
	trigger(e, 100, 4, 0);
	trigger(e, 200, 4, CL_REWRITE);
	for (int i = 0; i < 300; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid) {
			pid = 0;
			break;
		}
		bench_sleep_ns(10000000);
	}
	if (pid) {
		kill(pid, SIGTERM); /* the tcpdump this function started */
		waitpid(pid, &st, 0);
	}
	printf("  tcpdump -vv in %s (COPY probes 100..103, then REWRITE 200..203; "
	       "first 8 frames):\n", e->ns_b);
	f = fopen(tmp, "r");
	while (f && fgets(line, sizeof(line), f))
		printf("    %s", line);
	if (f)
		fclose(f);
	close(fd);
	unlink(tmp);
}

static int tx_events, tx_ids_seen;
static __u8 tx_id_hit[65536];

static int on_event(void *ctx, const struct xhop_event *ev)
{
	(void)ctx;
	if (ev->kind == XHOP_EV_TX) {
		tx_events++;
		if (!tx_id_hit[ev->probe_id]++)
			tx_ids_seen++;
	}
	return 0;
}

/* xhop's receiver and tc stamper on IFA; one trigger of 256: stamps? */
static void stamper_check(struct env *e, int stamper_first)
{
	struct loader_cfg lc = { .key = &key, .proto = IPPROTO_ICMP, .rx_no_wakeup = 1 };
	struct loader ld;
	__u64 st0[XHOP_STAT_MAX], st1[XHOP_STAT_MAX];
	int err, done;

	memset(&ld, 0, sizeof(ld));
	if (stamper_first) {
		/* the generator behind xhop's stamper on the hook */
		close(e->link_fd);
		e->link_fd = -1;
	}
	err = loader_start_cfg(&ld, e->ifindex, &lc, on_event, NULL);
	if (err) {
		printf("  xhop's stamper: n/a (%s)\n", strerror(-err));
		goto out;
	}
	if (stamper_first)
		e->link_fd = bpf_link_create(bpf_program__fd(e->skel->progs.clone_gen), e->ifindex,
					     CL_TCX_EGRESS, NULL);
	tx_events = tx_ids_seen = 0;
	memset(tx_id_hit, 0, sizeof(tx_id_hit));
	loader_stats(&ld, st0);
	done = trigger(e, 0, 256, 0);
	bench_sleep_ns(20000000);
	loader_consume(&ld);
	loader_stats(&ld, st1);
	printf("  xhop's tc stamper %s the generator: trigger of 256 -> %d copies, stamper counted "
	       "%llu probes, %d stamps of %d distinct probe ids\n",
	       stamper_first ? "before" : "after", done,
	       (unsigned long long)(st1[XHOP_STAT_TX_PROBES] - st0[XHOP_STAT_TX_PROBES]), tx_events,
	       tx_ids_seen);
out:
	loader_stop(&ld);
	if (e->link_fd < 0)
		e->link_fd = bpf_link_create(bpf_program__fd(e->skel->progs.clone_gen), e->ifindex,
					     CL_TCX_EGRESS, NULL);
}

static void chain_check(struct env *e)
{
	int cpu = sched_getcpu() & (CL_CPUS - 1), depth;
	struct cl_trigger t;
	__s64 *ret = e->skel->bss->chain_ret[cpu];

	e->skel->bss->chain_depth[cpu] = 0;
	memset(ret, 0x7f, sizeof(e->skel->bss->chain_ret[cpu]));
	t = (struct cl_trigger){ htonl(CL_MAGIC), 0, 1, CL_CHAIN };
	memcpy(e->trig + ETH_HLEN + 20, &t, sizeof(t));
	sendto(e->trig_fd, e->trig, CL_FRAME_LEN, 0, (struct sockaddr *)&e->sll, sizeof(e->sll));
	depth = (int)e->skel->bss->chain_depth[cpu];
	printf("  copies of copies (each clone_redirects itself from the hook): deepest copy seen "
	       "at the hook: %d; bpf_clone_redirect() returned, by depth:", depth);
	for (int d = 0; d < 16 && d <= depth; d++)
		printf(" %lld", (long long)ret[d]);
	if (depth < 15 && ret[depth] < 0)
		printf(" (%s at depth %d)", strerror((int)-ret[depth]), depth);
	printf("\n");
}

static int checks(struct env *e)
{
	struct bpf_link *keep;
	__u64 pass0 = sum(e->skel->bss->st_pass),
	      ok0 = sum(e->skel->bss->st_ok) + sum(e->skel->bss->st_full);
	int bad = 0;

	printf("Checks (untimed), the far end keeping what comes:\n");
	peer_close(&e->pc);
	e->pc_up = 0;
	keep = keep_attach(e);
	if (!keep) {
		printf("  the far end's checker did not attach\n");
		bad = 1;
		goto count_again;
	}
	bad += verify_one(e, "COPY (xhop's probes 0..)", 0, 256, 0);
	bad += verify_one(e, "COPY", 1000, 64, 0);
	bad += verify_one(e, "REWRITE (fields + csum helpers)", 300, 256, CL_REWRITE);
	bad += verify_one(e, "COPY, stop at full", 1024, 1024, CL_STOP_FULL);
	bad += verify_one(e, "COPY, on past full", 2048, 1024, 0);
	bad += verify_one(e, "COPY, hash set", 3072, 256, CL_HASH);
	bad += verify_one(e, "REWRITE, hash set", 3500, 256, CL_REWRITE | CL_HASH);
	{
		__u64 full = sum(e->skel->bss->st_full);

		printf("  (copies the veth dropped, its ring being full, in these checks: %llu)\n",
		       (unsigned long long)full);
	}
	tcpdump_sample(e);
	bpf_link__destroy(keep);
	{
		__u64 made = sum(e->skel->bss->st_ok) + sum(e->skel->bss->st_full) - ok0,
		      pass = sum(e->skel->bss->st_pass) - pass0;

		printf("  each copy at the egress hook again: %llu copies made (taken or dropped "
		       "by the veth after the hook), %llu marked copies seen at the hook: %s\n",
		       (unsigned long long)made, (unsigned long long)pass,
		       made == pass ? "once each" : "NOT once each");
	}
count_again:
	if (peer_open(&e->pc, e->ns_b, IFB, XDP_DROP, 1))
		return 1;
	e->pc_up = 1;
	if (!keep)
		return bad;
	stamper_check(e, 0);
	stamper_check(e, 1);
	chain_check(e);
	if (e->link_fd < 0) {
		fprintf(stderr, "clone_rate: generator not re-attached\n");
		return 1;
	}
	printf("  helper errors so far: %llu (last %lld)\n",
	       (unsigned long long)sum(e->skel->bss->st_err), (long long)e->skel->bss->last_err[0]);
	return bad;
}

/* ---- one sender, one round ----------------------------------------------------- */

static __u64 clone_k; /* the next probe */

static int clone_call(struct env *e, struct ccase *c)
{
	__u32 start = (__u32)(clone_k % CL_PROBES), count = (__u32)c->batch;
	int done;

	if (start + count > CL_PROBES)
		count = CL_PROBES - start;
	done = trigger(e, start, count, c->flags);
	if (done < 0)
		return done;
	/* stop at full: the rest go in the next trigger; else they are lost */
	clone_k += c->flags & CL_STOP_FULL ? (__u32)done : count;
	c->calls++;
	return done;
}

static struct loader stamper; /* xhop's receiver and tc stamper, for a case that has it */
static int stamper_up;

static int clone_call_stamped(struct env *e, struct ccase *c)
{
	int n = clone_call(e, c);

	/* as xhop's sending thread: the stamps are read as they come */
	if (stamper_up)
		loader_consume(&stamper);
	return n;
}

/* One case's sender, as bare_run() calls it */
struct caller {
	struct env *e;
	struct ccase *c;
	struct bare *b;
};

static int call(void *ctx)
{
	struct caller *k = ctx;

	return k->b ? bare_send(k->b) : clone_call_stamped(k->e, k->c);
}

static void run_case(struct env *e, struct ccase *c, int round)
{
	struct bare *b = NULL;
	__u64 sent = 0, before, arrived, full0, calls0;
	struct caller k;
	double secs = 0;
	int n = 0, err = 0;

	if (c->kind == K_CLONE && c->stamp) {
		struct loader_cfg lc = { .key = &key, .proto = IPPROTO_ICMP, .rx_no_wakeup = 1 };

		err = loader_start_cfg(&stamper, e->ifindex, &lc, on_event, NULL);
		if (err) {
			snprintf(c->why, sizeof(c->why), "xhop's stamper: %s", strerror(-err));
			c->refused = 1;
			return;
		}
		stamper_up = 1;
	}
	if (c->kind == K_BARE) {
		struct bare_cfg bc = {
			.kind = c->bare, .ifindex = e->ifindex, .ifname = IFA,
			.frames = &e->frames[0][0], .stride = sizeof(e->frames[0]), .len = e->len,
			.nframes = XSK_FRAMES, .batch = c->batch, .xsk_budget = c->budget,
			.xsk_stamp = c->stamp,
		};

		for (int tries = 0;; tries++) {
			err = bare_open(&b, &bc, c->why, sizeof(c->why));
			if (err != -EBUSY || tries == BUSY_TRIES)
				break;
			bench_sleep_ns(BUSY_WAIT_NS);
		}
		if (err) {
			c->refused = 1;
			return;
		}
	}
	k = (struct caller){ .e = e, .c = c, .b = b };
	n = bare_run(b, WARM_S, call, &k, NULL, NULL);
	bench_sleep_ns(SETTLE_NS);
	before = peer_count(&e->pc);
	full0 = sum(e->skel->bss->st_full);
	calls0 = c->calls;
	if (n >= 0)
		n = bare_run(b, e->secs, call, &k, &sent, &secs);
	bench_sleep_ns(SETTLE_NS);
	bare_close(b);
	if (stamper_up) {
		loader_consume(&stamper);
		loader_stop(&stamper);
		stamper_up = 0;
	}
	c->calls_timed += c->calls - calls0;
	if (n < 0) {
		snprintf(c->why, sizeof(c->why), "a send failed: %s", strerror(-n));
		c->refused = 1;
		return;
	}
	arrived = peer_count(&e->pc) - before;
	c->mpps[round] = (arrived < sent ? arrived : sent) / secs / 1e6;
	c->sent += sent;
	c->arrived += arrived;
	c->full += sum(e->skel->bss->st_full) - full0;
}

/* Case i in round r, unless the kernel refused it or ONLY leaves it out */
static void run_one(void *ctx, int i, int round)
{
	struct env *e = ctx;
	struct ccase *c = &cases[i];

	if (!c->refused && (!e->only || strstr(c->name, e->only)))
		run_case(e, c, round);
}

/* ---- the report ---------------------------------------------------------------- */

static int rounds;

static struct ccase *find(const char *name)
{
	for (int i = 0; i < NCASES; i++)
		if (!strcmp(cases[i].name, name))
			return &cases[i];
	return NULL;
}

/* x against y, per round, median; nothing if either did not run */
static void print_ratio(const char *xn, const char *yn, const char *label)
{
	struct ccase *x = find(xn), *y = find(yn);
	double v[ROUNDS_MAX];
	char list[160];

	if (!x || !y || rounds_median(x->mpps, rounds) <= 0 || rounds_median(y->mpps, rounds) <= 0)
		return;
	for (int r = 0; r < rounds; r++)
		v[r] = x->mpps[r] > 0 && y->mpps[r] > 0 ? x->mpps[r] / y->mpps[r] : 0;
	rounds_list(v, rounds, 100, "%.0f%%", list, sizeof(list));
	printf("  %-56s %5.0f%%  (rounds: %s)\n", label, 100 * rounds_median(v, rounds), list);
}

static void report(struct env *e)
{
	struct ccase *ref = &cases[0];
	char list[160];

	printf("\nSend rate, one thread on CPU 0, %zu-byte frames into an XDP_DROP veth peer, "
	       "%d interleaved rounds of %.1f s (Mpps that ARRIVED):\n", e->len, rounds, e->secs);
	printf("  %-38s %6s   %-34s %s\n", "sender", "median", "per round", "arrived/sent, veth drops");
	for (int i = 0; i < NCASES; i++) {
		struct ccase *c = &cases[i];

		if (e->only && !strstr(c->name, e->only))
			continue;
		if (rounds_median(c->mpps, rounds) <= 0) {
			printf("  %-38s refused/failed (%s)\n", c->name, c->why);
			continue;
		}
		rounds_list(c->mpps, rounds, 1, "%.3f", list, sizeof(list));
		printf("  %-38s %6.3f   %-34s %llu/%llu", c->name, rounds_median(c->mpps, rounds), list,
		       (unsigned long long)c->arrived, (unsigned long long)c->sent);
		if (c->kind == K_CLONE)
			printf(", %llu dropped by the veth (%.0f per trigger)",
			       (unsigned long long)c->full,
			       c->calls_timed ? (double)c->full / c->calls_timed : 0);
		printf("\n");
	}
	if (e->only && !strstr(ref->name, e->only))
		return;
	printf("\nagainst %s, per-round ratios (median):\n", ref->name);
	for (int i = 1; i < NCASES; i++) {
		struct ccase *c = &cases[i];
		double v[ROUNDS_MAX];

		if ((e->only && !strstr(c->name, e->only)) || rounds_median(c->mpps, rounds) <= 0 ||
		    rounds_median(ref->mpps, rounds) <= 0)
			continue;
		for (int r = 0; r < rounds; r++)
			v[r] = c->mpps[r] > 0 && ref->mpps[r] > 0 ? c->mpps[r] / ref->mpps[r] : 0;
		rounds_list(v, rounds, 100, "%.0f%%", list, sizeof(list));
		printf("  %-38s %5.0f%%  (rounds: %s)\n", c->name, 100 * rounds_median(v, rounds), list);
	}
	print_ratio("clone copy 256 +hash, xhop stamper", "bare AF_XDP copy, TX stamps (kick: 32)",
		    "stamped: clone + xhop's tc stamper / AF_XDP + TX stamps");
	print_ratio("clone copy 256 +hash, xhop stamper", "clone copy 256 +hash",
		    "clone: with xhop's tc stamper / without");
	print_ratio("clone copy 64 +hash", "clone copy 64", "clone copy 64: hash set / not");
}

/* ---- set-up -------------------------------------------------------------------- */

static int env_init(struct env *e)
{
	struct probe_spec *b = &e->tmpl.base;
	struct in6_addr dst0;
	int err;

	e->ifindex = (int)if_nametoindex(IFA);
	if (!e->ifindex)
		return -ENODEV;
	err = peer_open(&e->pc, e->ns_b, IFB, XDP_DROP, 1);
	if (err)
		return err;
	e->pc_up = 1;
	inet_pton(AF_INET6, "::ffff:198.19.0.1", &dst0);
	err = neigh_nexthop_mac(e->ifindex, 4, &dst0, e->tmpl.dst_mac, e->tmpl.src_mac, 3000);
	if (!err)
		err = route_source(&dst0, 4, IFA, &b->src);
	if (err) {
		fprintf(stderr, "clone_rate: next hop or source: %s\n", strerror(-err));
		return err;
	}
	b->icmp_sum = 0xbeef;
	b->size = CL_L3_LEN;
	b->family = 4;
	b->method = METHOD_ICMP;
	e->tmpl.key = &key;
	/* xhop's probes k = 0..4095: distinct destinations, ids and TTLs (as send_rate) */
	for (int k = 0; k < CL_PROBES; k++) {
		struct send_probe p = { .probe_id = (__u16)(1 + k), .ttl = (__u8)(1 + k % 30) };
		ssize_t len;

		inet_pton(AF_INET6, "::ffff:198.19.0.0", &p.dst);
		p.dst.s6_addr[14] = (__u8)((1 + k) >> 8);
		p.dst.s6_addr[15] = (__u8)(1 + k);
		len = frame_build(&e->tmpl, &p, e->frames[k], sizeof(e->frames[k]));
		if (len != CL_FRAME_LEN) {
			fprintf(stderr, "clone_rate: a probe frame of %zd bytes, not %d\n", len,
				CL_FRAME_LEN);
			return -EINVAL;
		}
		e->len = (size_t)len;
		/* REWRITE's fields: probe k's daddr, IP ID and TTL; an ICMP sequence of its own */
		memcpy(&e->rw[k].daddr, e->frames[k] + ETH_HLEN + 16, 4);
		memcpy(&e->rw[k].id, e->frames[k] + ETH_HLEN + 4, 2);
		e->rw[k].ttl = e->frames[k][ETH_HLEN + 8];
		/* probe 0's own sequence, plus k: rw[0] is probe 0 as it is */
		memcpy(&e->rw[k].seq, e->frames[0] + ETH_HLEN + 26, 2);
		e->rw[k].seq = htons((__u16)(ntohs(e->rw[k].seq) + k));
	}
	return gen_open(e);
}

static void env_close(struct env *e)
{
	if (e->trig_fd > 0)
		close(e->trig_fd);
	if (e->link_fd >= 0)
		close(e->link_fd); /* = tcx detach */
	clone_send_bpf__destroy(e->skel);
	if (e->pc_up)
		peer_close(&e->pc);
}

static int bench(struct env *e)
{
	int bad;

	if (enter_ns(e->ns_a)) {
		fprintf(stderr, "clone_rate: enter %s: %s\n", e->ns_a, strerror(errno));
		return 1;
	}
	bench_pin(0);
	e->link_fd = -1;
	if (env_init(e)) {
		env_close(e);
		return 1;
	}
	bad = checks(e);
	if (!e->pc_up) {
		env_close(e);
		return 1;
	}
	rounds = e->rounds;
	rounds_interleave(e->rounds, NCASES, run_one, e, "clone_rate");
	report(e);
	printf("\ngenerator totals: %llu triggers, %llu copies taken, %llu marked copies seen at "
	       "the hook again, %llu dropped by the veth, %llu helper errors\n",
	       (unsigned long long)sum(e->skel->bss->st_trig),
	       (unsigned long long)sum(e->skel->bss->st_ok),
	       (unsigned long long)sum(e->skel->bss->st_pass),
	       (unsigned long long)sum(e->skel->bss->st_full),
	       (unsigned long long)sum(e->skel->bss->st_err));
	env_close(e);
	return bad ? 3 : 0;
}

static pid_t child;

static void forward(int sig)
{
	if (child > 0)
		kill(child, sig); /* the measuring child this process started */
}

int main(int argc, char **argv)
{
	static struct env env;
	struct env *e = &env;
	int st = 0;

	e->secs = argc > 1 ? atof(argv[1]) : 1.0;
	e->rounds = argc > 2 ? atoi(argv[2]) : 5;
	e->only = argc > 3 ? argv[3] : NULL;
	if (argc > 4 || e->secs <= 0 || e->rounds < 1 || e->rounds > ROUNDS_MAX) {
		fprintf(stderr, "usage: clone_rate [SECONDS [ROUNDS (1..%d) [ONLY]]]\n", ROUNDS_MAX);
		return 2;
	}
	if (geteuid()) {
		printf("clone_rate: skipped: needs root\n");
		return 0;
	}
	snprintf(e->ns_a, sizeof(e->ns_a), "xcl%d-a", (int)getpid());
	snprintf(e->ns_b, sizeof(e->ns_b), "xcl%d-b", (int)getpid());
	signal(SIGINT, forward);
	signal(SIGTERM, forward);
	signal(SIGHUP, forward);
	if (ns_make(e)) {
		fprintf(stderr, "clone_rate: namespace setup failed\n");
		ns_remove(e);
		return 1;
	}
	fflush(NULL);
	child = fork();
	if (child < 0) {
		ns_remove(e);
		return 1;
	}
	if (!child) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		st = bench(e);
		fflush(NULL);
		_exit(st);
	}
	while (waitpid(child, &st, 0) < 0 && errno == EINTR)
		;
	ns_remove(e);
	if (WIFSIGNALED(st)) {
		fprintf(stderr, "clone_rate: the measuring process ended on signal %d\n", WTERMSIG(st));
		return 1;
	}
	return WEXITSTATUS(st);
}
