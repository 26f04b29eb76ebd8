// SPDX-License-Identifier: GPL-2.0
/*
 * xhop-sim attach and stats: the responder on an interface through a
 * bpf_link (the kernel detaches it when the fd closes, even on SIGKILL),
 * and its counters, found from the interface alone by another process.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "sim_abi.h"
#include "sim_cli.h"
#include "sim.skel.h"

static volatile sig_atomic_t stop;
static volatile sig_atomic_t show;

static const char *const stat_names[SIM_ST_MAX] = {
	[SIM_ST_PROBES] = "probes",
	[SIM_ST_TIMEX] = "time_exceeded",
	[SIM_ST_UNREACH] = "unreachable",
	[SIM_ST_ECHO] = "echo_reply",
	[SIM_ST_PORT] = "port_unreachable",
	[SIM_ST_TCP] = "tcp",
	[SIM_ST_SILENT] = "silent",
	[SIM_ST_DEAD] = "dead",
	[SIM_ST_RATELIMIT] = "rate_limited",
	[SIM_ST_IGNORED] = "ignored",
	[SIM_ST_MALFORMED] = "malformed",
	[SIM_ST_REFUSED] = "refused",
};

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		show = 1;
	else
		stop = 1;
}

/* "name value" lines, each counter summed over the CPUs */
static int print_stats(int map_fd, FILE *f)
{
	int ncpu = libbpf_num_possible_cpus();
	__u64 *v, sum;
	__u32 k;
	int c;

	if (ncpu < 0)
		return ncpu;
	v = calloc(ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (k = 0; k < SIM_ST_MAX; k++) {
		if (bpf_map_lookup_elem(map_fd, &k, v)) {
			free(v);
			return -errno;
		}
		for (sum = 0, c = 0; c < ncpu; c++)
			sum += v[c];
		fprintf(f, "%s %llu\n", stat_names[k], (unsigned long long)sum);
	}
	fflush(f);
	free(v);
	return 0;
}

int sim_attach(const char *ifname, const struct sim_params *p)
{
	struct sigaction sa = { .sa_handler = on_signal }; /* no SA_RESTART */
	unsigned int ifindex = if_nametoindex(ifname);
	struct bpf_link *link;
	struct sim_bpf *skel;
	char msg[128];
	int err;

	if (!ifindex) { /* a bad argument, as xhop's own -i */
		fprintf(stderr, "xhop-sim: interface %s: %s\n", ifname, strerror(errno));
		return 2;
	}
	skel = sim_bpf__open();
	if (!skel) {
		err = -errno;
		libbpf_strerror(err, msg, sizeof(msg));
		fprintf(stderr, "xhop-sim: open the responder: %s\n", msg);
		return 1;
	}
	skel->rodata->params = *p;
	err = sim_bpf__load(skel);
	if (err) {
		libbpf_strerror(err, msg, sizeof(msg));
		fprintf(stderr, "xhop-sim: load the responder: %s\n", msg);
		goto out_destroy;
	}
	/* signals first: a SIGTERM right after "attached" must detach */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	link = bpf_program__attach_xdp(skel->progs.xhop_sim, ifindex);
	if (!link) {
		err = -errno;
		libbpf_strerror(err, msg, sizeof(msg));
		fprintf(stderr, "xhop-sim: attach XDP to %s: %s%s\n", ifname, msg,
			err == -EBUSY ? " (another XDP program is attached; not replacing it)" : "");
		goto out_destroy;
	}
	fprintf(stderr, "xhop-sim: attached to %s (seed %llu)\n", ifname,
		(unsigned long long)p->seed);
	while (!stop) {
		pause();
		if (show) {
			show = 0;
			print_stats(bpf_map__fd(skel->maps.stats), stdout);
		}
	}
	err = print_stats(bpf_map__fd(skel->maps.stats), stdout);
	if (err)
		fprintf(stderr, "xhop-sim: read counters: %s\n", strerror(-err));
	bpf_link__destroy(link); /* = XDP detach */
out_destroy:
	sim_bpf__destroy(skel);
	return err ? 1 : 0;
}

/* The fd of the map called name of program prog_fd, or -errno */
static int prog_map(int prog_fd, const char *name)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), ids[16], i;
	int fd;

	info.nr_map_ids = 16;
	info.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return -errno;
	for (i = 0; i < info.nr_map_ids && i < 16; i++) {
		struct bpf_map_info mi = {};
		__u32 mlen = sizeof(mi);

		fd = bpf_map_get_fd_by_id(ids[i]);
		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &mi, &mlen) && !strcmp(mi.name, name))
			return fd;
		close(fd);
	}
	return -ENOENT;
}

int sim_stats(const char *ifname)
{
	unsigned int ifindex = if_nametoindex(ifname);
	struct bpf_prog_info info = {};
	__u32 id = 0, len = sizeof(info);
	int prog_fd, map_fd, err;

	if (!ifindex) {
		fprintf(stderr, "xhop-sim: interface %s: %s\n", ifname, strerror(errno));
		return 2;
	}
	err = bpf_xdp_query_id(ifindex, 0, &id);
	if (err || !id) {
		fprintf(stderr, "xhop-sim: no XDP program on %s\n", ifname);
		return 1;
	}
	prog_fd = bpf_prog_get_fd_by_id(id);
	if (prog_fd < 0) {
		fprintf(stderr, "xhop-sim: XDP program %u: %s\n", id, strerror(errno));
		return 1;
	}
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len) || strcmp(info.name, "xhop_sim")) {
		fprintf(stderr, "xhop-sim: the XDP program on %s is not xhop-sim's\n", ifname);
		close(prog_fd);
		return 1;
	}
	map_fd = prog_map(prog_fd, "stats");
	close(prog_fd);
	if (map_fd < 0) {
		fprintf(stderr, "xhop-sim: counters of %s: %s\n", ifname, strerror(-map_fd));
		return 1;
	}
	err = print_stats(map_fd, stdout);
	close(map_fd);
	if (err) {
		fprintf(stderr, "xhop-sim: read counters: %s\n", strerror(-err));
		return 1;
	}
	return 0;
}
