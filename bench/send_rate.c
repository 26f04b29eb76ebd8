// SPDX-License-Identifier: GPL-2.0
/*
 * Send rate of one thread (and of two), in ONE run, into a veth whose
 * peer drops with XDP and counts what arrived (bench/xdp_count.bpf.c):
 * IPPROTO_RAW sendto and sendmmsg, AF_PACKET + PACKET_QDISC_BYPASS +
 * sendmmsg, the bare live-frames sender (bench/send_bare.bpf.c: TTL, ID,
 * seq and checksums from a counter) and xhop's generator through
 * gen_send(), userspace work included (work items, MACs). 60-byte IPv4
 * ICMP echo probes. Run by scripts/bench_send.sh inside its namespaces:
 *   send_rate IF PEER_NS PEER_IF [SECONDS]
 * The peer's receive work runs on the sender's core (veth NAPI), as it
 * would for any sender here; numbers are printed, never asserted.
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
#include <sys/socket.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "net/neigh.h"
#include "send/gen_send.h"
#include "engine/loader.h"
#include "peer_count.h"
#include "core/probe_build.h"
#include "net/route.h"
#include "send_bare.skel.h"

#define NPROBES 256
#define MMSG 64

static const struct xhop_key key = { 0x0123456789abcdefULL, 0xfedcba9876543210ULL };

struct env {
	int ifindex;
	const char *ifname;
	struct in6_addr src, base;
	__u8 src_mac[6], dst_mac[6];
	double secs;
	struct peer_count pc;
	/* prebuilt probes for the socket senders */
	__u8 pkt[NPROBES][ETH_HLEN + 64];
	size_t len;
	struct gen_probe gp[NPROBES];
	struct loader ld; /* xhop_rx on IF: the generator of gen_send() */
};

/*
 * A test run of an XDP program that is attached nowhere patches the
 * kernel's XDP dispatcher in and out (1.4 ms per call here); attached, it
 * stays there. xhop_rx is attached to IF; the bare sender and a second
 * generator get the same by a generic-mode attach to the bench
 * namespace's lo, where nothing else runs.
 */
static int pin_dispatcher(int prog_fd)
{
	return bpf_xdp_attach(1, prog_fd, XDP_FLAGS_SKB_MODE, NULL);
}

static void unpin_dispatcher(void)
{
	bpf_xdp_detach(1, XDP_FLAGS_SKB_MODE, NULL);
}

struct result {
	__u64 sent;
	double secs;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void dst_of(struct env *e, int i, struct sockaddr_in *sin)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	memcpy(&sin->sin_addr, &e->gp[i].dst.s6_addr[12], 4);
}

static struct result run_raw(struct env *e, int mmsg)
{
	struct result r = { 0 };
	struct sockaddr_in sin[MMSG];
	struct mmsghdr msg[MMSG];
	struct iovec iov[MMSG];
	double t0, end;
	int fd, k = 0;

	fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, e->ifname, strlen(e->ifname) + 1)) {
		perror("send_rate: raw socket");
		return r;
	}
	t0 = now_s();
	end = t0 + e->secs;
	while (now_s() < end) {
		for (int j = 0; j < 1024 / (mmsg ? MMSG : 1); j++) {
			if (!mmsg) {
				dst_of(e, k, &sin[0]);
				if (sendto(fd, e->pkt[k] + ETH_HLEN, e->len, 0, (struct sockaddr *)&sin[0],
					   sizeof(sin[0])) > 0)
					r.sent++;
				k = (k + 1) % NPROBES;
				continue;
			}
			for (int m = 0; m < MMSG; m++, k = (k + 1) % NPROBES) {
				dst_of(e, k, &sin[m]);
				iov[m].iov_base = e->pkt[k] + ETH_HLEN;
				iov[m].iov_len = e->len;
				memset(&msg[m], 0, sizeof(msg[m]));
				msg[m].msg_hdr.msg_name = &sin[m];
				msg[m].msg_hdr.msg_namelen = sizeof(sin[m]);
				msg[m].msg_hdr.msg_iov = &iov[m];
				msg[m].msg_hdr.msg_iovlen = 1;
			}
			int n = sendmmsg(fd, msg, MMSG, 0);

			if (n > 0)
				r.sent += n;
		}
	}
	r.secs = now_s() - t0;
	close(fd);
	return r;
}

static struct result run_packet(struct env *e)
{
	struct result r = { 0 };
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_ifindex = e->ifindex };
	struct mmsghdr msg[MMSG];
	struct iovec iov[MMSG];
	int fd, one = 1, k = 0;
	double t0, end;

	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		perror("send_rate: packet socket");
		return r;
	}
	t0 = now_s();
	end = t0 + e->secs;
	while (now_s() < end) {
		for (int j = 0; j < 16; j++) {
			for (int m = 0; m < MMSG; m++, k = (k + 1) % NPROBES) {
				iov[m].iov_base = e->pkt[k];
				iov[m].iov_len = ETH_HLEN + e->len;
				memset(&msg[m], 0, sizeof(msg[m]));
				msg[m].msg_hdr.msg_iov = &iov[m];
				msg[m].msg_hdr.msg_iovlen = 1;
			}
			int n = sendmmsg(fd, msg, MMSG, 0);

			if (n > 0)
				r.sent += n;
		}
	}
	r.secs = now_s() - t0;
	close(fd);
	return r;
}

static struct result run_bare(struct env *e, __u32 repeat)
{
	struct result r = { 0 };
	struct send_bare_bpf *skel = send_bare_bpf__open();
	double t0, end;

	if (!skel)
		return r;
	skel->rodata->out_ifindex = e->ifindex;
	if (send_bare_bpf__load(skel) || pin_dispatcher(bpf_program__fd(skel->progs.bare_send))) {
		send_bare_bpf__destroy(skel);
		return r;
	}
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = e->pkt[0], .data_size_in = ETH_HLEN + e->len,
		    .repeat = repeat, .batch_size = GEN_BATCH_MAX,
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES);
	t0 = now_s();
	end = t0 + e->secs;
	while (now_s() < end) {
		if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.bare_send), &opts)) {
			perror("send_rate: bare test run");
			break;
		}
		r.sent += repeat;
	}
	r.secs = now_s() - t0;
	unpin_dispatcher();
	send_bare_bpf__destroy(skel);
	return r;
}

static int gen_cfg_of(struct env *e, struct gen_cfg *cfg, int mac_where)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->rx = &e->ld;
	cfg->ifindex = e->ifindex;
	cfg->family = 4;
	cfg->method = METHOD_ICMP;
	cfg->src = e->src;
	memcpy(cfg->src_mac, e->src_mac, 6);
	memcpy(cfg->dst_mac, e->dst_mac, 6);
	cfg->key = &key;
	cfg->icmp_sum = 0xbeef;
	cfg->size = 60;
	cfg->mac_where = mac_where;
	return 0;
}

/* gen_send() as a scan would call it: new work items every call */
static struct result run_gen(struct env *e, int batch, int mac_where, int cpu_off)
{
	struct result r = { 0 };
	static __thread struct gen_probe gp[GEN_ITEMS_MAX];
	struct gen_sender *g;
	struct gen_cfg cfg;
	__u32 id = 1 + cpu_off * 0x4000;
	double t0, end;
	__u64 tx;

	gen_cfg_of(e, &cfg, mac_where);
	if (cpu_off) /* the receiver generates for one sender: the second has its own */
		cfg.rx = NULL;
	if (gen_open(&g, &cfg))
		return r;
	if (cpu_off && pin_dispatcher(gen_prog_fd(g))) {
		gen_close(g);
		return r;
	}
	for (int i = 0; i < GEN_ITEMS_MAX; i++)
		gp[i] = e->gp[i % NPROBES];
	t0 = now_s();
	end = t0 + e->secs;
	while (now_s() < end) {
		for (int j = 0; j < 16; j++) {
			for (int i = 0; i < batch; i++) {
				gp[i].probe_id = id++;
				gp[i].ttl = 1 + (id & 31);
			}
			int n = batch > GEN_BATCH_MAX ? gen_send_many(g, gp, batch, NULL)
						       : gen_send(g, gp, batch, &tx);

			if (n < 0) {
				fprintf(stderr, "send_rate: gen_send: %s\n", strerror(-n));
				goto out;
			}
			r.sent += n;
		}
	}
out:
	r.secs = now_s() - t0;
	if (cpu_off)
		unpin_dispatcher();
	gen_close(g);
	return r;
}

struct job {
	struct env *e;
	int kind; /* 0 bare, 1 gen */
	int cpu;
	int bare_fd;
	struct result r;
};

static void *job_run(void *arg)
{
	struct job *j = arg;
	double t0, end;

	pin(j->cpu);
	if (j->kind) {
		j->r = run_gen(j->e, GEN_ITEMS_MAX, GEN_MAC_USER, j->cpu);
		return NULL;
	}
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = j->e->pkt[0],
		    .data_size_in = ETH_HLEN + j->e->len, .repeat = 64 * GEN_BATCH_MAX,
		    .batch_size = GEN_BATCH_MAX, .flags = BPF_F_TEST_XDP_LIVE_FRAMES);
	t0 = now_s();
	end = t0 + j->e->secs;
	while (now_s() < end && !bpf_prog_test_run_opts(j->bare_fd, &opts))
		j->r.sent += opts.repeat;
	j->r.secs = now_s() - t0;
	return NULL;
}

static int on_event(void *ctx, const struct xhop_event *ev)
{
	(void)ctx;
	(void)ev;
	return 0;
}

static double report(struct env *e, const char *name, struct result r, __u64 before)
{
	__u64 arrived = peer_count(&e->pc) - before;
	double mpps = r.secs > 0 ? r.sent / r.secs / 1e6 : 0;

	printf("  %-44s %6.2f Mpps  sent %9llu  arrived %9llu  loss %lld\n", name, mpps,
	       (unsigned long long)r.sent, (unsigned long long)arrived,
	       (long long)r.sent - (long long)arrived);
	return mpps;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* Where the stamp lies: the peer's first and last arrival after it */
static void stamp_offsets(struct env *e)
{
	static const int sizes[] = { 1, 16, 64, 256 };
	struct gen_sender *g;
	struct gen_cfg cfg;
	long long df[200], dl[200];

	gen_cfg_of(e, &cfg, GEN_MAC_USER);
	if (gen_open(&g, &cfg))
		return;
	printf("\n  stamp (tx_ns) to the peer's XDP arrival, medians of 200 calls:\n");
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		struct gen_stats st;
		long long span[200];

		for (int i = 0; i < 200; i++) {
			__u64 tx, first, last;

			peer_stamp(&e->pc, 1);
			gen_send(g, e->gp, sizes[s], &tx);
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

int main(int argc, char **argv)
{
	struct env *e = calloc(1, sizeof(*e));
	double bare, bare256, gen, gen_bpf, gen_many, gen_many_bpf;
	struct result r;
	__u64 b;

	if (argc < 4) {
		fprintf(stderr, "usage: send_rate IF PEER_NS PEER_IF [SECONDS]\n");
		return 2;
	}
	e->ifname = argv[1];
	e->ifindex = if_nametoindex(argv[1]);
	e->secs = argc > 4 ? atof(argv[4]) : 1.0;
	inet_pton(AF_INET6, "::ffff:198.19.0.1", &e->base);
	if (!e->ifindex || peer_open(&e->pc, argv[2], argv[3], XDP_DROP, 1))
		return 1;
	if (loader_start(&e->ld, e->ifindex, &key, 0, 0, on_event, NULL))
		return 1;
	if (neigh_nexthop_mac(e->ifindex, 4, &e->base, e->dst_mac, e->src_mac, 3000) ||
	    route_source(&e->base, 4, e->ifname, &e->src))
		return 1;
	for (int i = 0; i < NPROBES; i++) {
		struct probe_spec ps = { .src = e->src, .dst = e->base, .probe_id = 1 + i,
					 .icmp_sum = 0xbeef, .size = 60, .family = 4,
					 .method = METHOD_ICMP, .ttl = 1 + i % 30 };
		struct ethhdr *eth = (struct ethhdr *)e->pkt[i];

		ps.dst.s6_addr[15] = 1 + i % 200;
		e->gp[i].dst = ps.dst;
		e->gp[i].ttl = ps.ttl;
		e->gp[i].probe_id = ps.probe_id;
		e->len = probe_build(&ps, &key, e->pkt[i] + ETH_HLEN, 64);
		memcpy(eth->h_dest, e->dst_mac, 6);
		memcpy(eth->h_source, e->src_mac, 6);
		eth->h_proto = htons(ETH_P_IP);
	}
	pin(0);
	printf("Send rate, one thread, %zu-byte IPv4 ICMP probes into an XDP_DROP veth peer "
	       "(%.1f s each):\n", e->len, e->secs);
#define RUN(name, expr) (b = peer_count(&e->pc), r = (expr), report(e, name, r, b))
	RUN("IPPROTO_RAW sendto", run_raw(e, 0));
	RUN("IPPROTO_RAW sendmmsg (64)", run_raw(e, 1));
	RUN("AF_PACKET qdisc bypass sendmmsg (64)", run_packet(e));
	bare256 = RUN("bare live frames, 256 per call", run_bare(e, GEN_BATCH_MAX));
	bare = RUN("bare live frames, 16384 per call (batch 256)", run_bare(e, 64 * GEN_BATCH_MAX));
	RUN("xhop gen_send, 64 per call", run_gen(e, 64, GEN_MAC_USER, 0));
	gen_bpf = RUN("xhop gen_send, 256 per call, MAC in BPF", run_gen(e, 256, GEN_MAC_BPF, 0));
	gen = RUN("xhop gen_send, 256 per call, MAC in userspace", run_gen(e, 256, GEN_MAC_USER, 0));
	gen_many = RUN("xhop gen_send_many, 4096 per call, MAC user",
		       run_gen(e, GEN_ITEMS_MAX, GEN_MAC_USER, 0));
	gen_many_bpf = RUN("xhop gen_send_many, 4096 per call, MAC BPF",
			   run_gen(e, GEN_ITEMS_MAX, GEN_MAC_BPF, 0));
	if (bare > 0 && bare256 > 0)
		printf("  xhop gen / bare: %.0f%% of the bare sender at 256 per call, %.0f%% of it "
		       "at 16384 per call (MAC in BPF: %.0f%%, %.0f%%)\n", 100 * gen / bare256,
		       100 * gen / bare, 100 * gen_bpf / bare256, 100 * gen_bpf / bare);
	if (bare > 0)
		printf("  xhop gen_send_many (4096) / bare (16384 per call): %.0f%% (MAC in BPF: %.0f%%)\n",
		       100 * gen_many / bare, 100 * gen_many_bpf / bare);

	printf("\nTwo threads (CPUs 0 and 1) on a two-queue veth:\n");
	for (int kind = 0; kind < 2; kind++) {
		struct send_bare_bpf *bs = send_bare_bpf__open();
		struct job j[2] = { { e, kind, 0, -1, { 0, 0 } }, { e, kind, 1, -1, { 0, 0 } } };
		pthread_t t[2];

		if (!bs)
			break;
		bs->rodata->out_ifindex = e->ifindex;
		if (!kind && (send_bare_bpf__load(bs) ||
			      pin_dispatcher(bpf_program__fd(bs->progs.bare_send)))) {
			send_bare_bpf__destroy(bs);
			break;
		}
		if (!kind)
			j[0].bare_fd = j[1].bare_fd = bpf_program__fd(bs->progs.bare_send);

		b = peer_count(&e->pc);
		for (int i = 0; i < 2; i++)
			pthread_create(&t[i], NULL, job_run, &j[i]);
		for (int i = 0; i < 2; i++)
			pthread_join(t[i], NULL);
		r.sent = j[0].r.sent + j[1].r.sent;
		r.secs = j[0].r.secs > j[1].r.secs ? j[0].r.secs : j[1].r.secs;
		report(e, kind ? "xhop gen_send_many x2, 4096 per call" : "bare live frames x2, 16384 per call",
		       r, b);
		if (!kind)
			unpin_dispatcher();
		send_bare_bpf__destroy(bs);
	}
	stamp_offsets(e);
	loader_stop(&e->ld);
	peer_close(&e->pc);
	free(e);
	return 0;
}
