// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <bpf/libbpf.h>
#include "peer_count.h"
#include "xdp_count.skel.h"

#define XC_CPUS 64

int peer_open(struct peer_count *p, const char *netns, const char *ifname, __u32 verdict,
	      __u8 only_proto)
{
	char path[256];
	int self, ns, ifindex, err = 0;

	memset(p, 0, sizeof(*p));
	snprintf(path, sizeof(path), "/run/netns/%s", netns);
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ns = open(path, O_RDONLY | O_CLOEXEC);
	if (self < 0 || ns < 0) {
		err = -errno;
		fprintf(stderr, "peer: open %s: %s\n", ns < 0 ? path : "own netns", strerror(-err));
		goto out;
	}
	p->skel = xdp_count_bpf__open();
	if (!p->skel) {
		err = -errno;
		goto out;
	}
	p->skel->rodata->verdict = verdict;
	p->skel->rodata->only_proto = only_proto;
	err = xdp_count_bpf__load(p->skel);
	if (err)
		goto out;
	if (setns(ns, CLONE_NEWNET)) {
		err = -errno;
		fprintf(stderr, "peer: enter %s: %s\n", netns, strerror(-err));
		goto out;
	}
	ifindex = if_nametoindex(ifname);
	if (ifindex)
		p->link = bpf_program__attach_xdp(p->skel->progs.xdp_count, ifindex);
	err = !ifindex ? -ENODEV : !p->link ? -errno : 0;
	if (setns(self, CLONE_NEWNET) && !err)
		err = -errno;
	if (err)
		fprintf(stderr, "peer: attach to %s in %s: %s\n", ifname, netns, strerror(-err));
out:
	if (self >= 0)
		close(self);
	if (ns >= 0)
		close(ns);
	if (err)
		peer_close(p);
	return err;
}

__u64 peer_count(struct peer_count *p)
{
	__u64 n = 0;

	for (int c = 0; c < XC_CPUS; c++)
		n += p->skel->bss->cnt[c];
	return n;
}

void peer_stamp(struct peer_count *p, int on)
{
	memset(p->skel->bss->first_ns, 0, sizeof(p->skel->bss->first_ns));
	memset(p->skel->bss->last_ns, 0, sizeof(p->skel->bss->last_ns));
	p->skel->bss->stamp = on;
}

void peer_times(struct peer_count *p, __u64 *first, __u64 *last)
{
	*first = *last = 0;
	for (int c = 0; c < XC_CPUS; c++) {
		__u64 f = p->skel->bss->first_ns[c], l = p->skel->bss->last_ns[c];

		if (f && (!*first || f < *first))
			*first = f;
		if (l > *last)
			*last = l;
	}
}

void peer_close(struct peer_count *p)
{
	bpf_link__destroy(p->link);
	p->link = NULL;
	xdp_count_bpf__destroy(p->skel);
	p->skel = NULL;
}
