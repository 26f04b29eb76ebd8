/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Simulated networks for the MDA planners' unit tests (test_mda.c,
 * test_mda_scan.c): routers that pick a next hop by a hash of the flow
 * and the run's key, silent routers, a destination; the diamonds of
 * scripts/lab_mp.sh, and their links as the truth. Each test walks its
 * own flows through them (what a flow is differs per planner).
 */
#ifndef XHOP_TEST_MDA_SIM_H
#define XHOP_TEST_MDA_SIM_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/types.h>

#define NET_NODES 32
#define NET_NEXT 4

/* A router (or the destination) of a simulated network */
struct net_node {
	const char *addr;	/* NULL: silent */
	int next[NET_NEXT];	/* node indices; a balancer has several */
	int nnext;
	int dst;		/* the destination: answers, ends the path */
};

struct net {
	struct net_node n[NET_NODES];
	int count;
	int first;		/* the first hop's node */
	int first2;		/* a second one for half the flows, index + 1 (0: none) */
	__u64 key;		/* this run's hash key */
};

static inline int add(struct net *net, const char *addr, int dst)
{
	struct net_node *n = &net->n[net->count];

	n->addr = addr;
	n->dst = dst;
	return net->count++;
}

static inline void link_to(struct net *net, int from, int to)
{
	net->n[from].next[net->n[from].nnext++] = to;
}

static inline __u64 mix(__u64 x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* The next hop of node at for a flow hashed to flow_hash */
static inline int net_next(const struct net *net, int at, __u64 flow_hash)
{
	const struct net_node *n = &net->n[at];

	return n->next[n->nnext == 1 ? 0 : mix(net->key ^ flow_hash ^ (__u64)at) % (__u64)n->nnext];
}

static inline struct in6_addr v4(const char *s)
{
	struct in6_addr a = { 0 };

	a.s6_addr[10] = a.s6_addr[11] = 0xff;
	inet_pton(AF_INET, s, &a.s6_addr[12]);
	return a;
}

/*
 * A network from two lists: nodes "NAME=ADDR ..." (ADDR "*": a silent
 * router; a trailing "!": the destination), the first of them the first
 * hop; links "FROM>TO ..." (a link given n times weighs n in its
 * router's hash). Names of up to 7 characters; a name the links do not
 * know aborts the test. One net at a time: the addresses live in a
 * static table that the next call overwrites.
 */
static inline void net_build(struct net *net, const char *nodes, const char *links)
{
	static char names[NET_NODES][8], addrs[NET_NODES][48];
	char name[8], from[8], to[8];
	int n = 0, at = 0, used;

	memset(net, 0, sizeof(*net));
	while (sscanf(nodes + at, " %7[^=]=%47s%n", name, addrs[n], &used) == 2) {
		size_t len = strlen(addrs[n]);
		int dst = len && addrs[n][len - 1] == '!';

		if (dst)
			addrs[n][len - 1] = 0;
		memcpy(names[n], name, sizeof(name));
		add(net, strcmp(addrs[n], "*") ? addrs[n] : NULL, dst);
		n++;
		at += used;
	}
	at = 0;
	while (sscanf(links + at, " %7[^>]>%7s%n", from, to, &used) == 2) {
		int f = -1, t = -1;

		for (int i = 0; i < n; i++) {
			if (!strcmp(names[i], from))
				f = i;
			if (!strcmp(names[i], to))
				t = i;
		}
		if (f < 0 || t < 0)
			abort();
		link_to(net, f, t);
		at += used;
	}
	net->first = 0;
}

/*
 * The diamonds of scripts/lab_mp.sh: a 4-way, a nested unequal one (b1
 * splits again, b2 does not), a 2-way with a silent branch
 */
static inline void lab_net(struct net *net)
{
	static const char *const as[] = { "198.18.21.2", "198.18.22.2", "198.18.23.2",
					   "198.18.24.2" };
	int m1, a[4], m2, b1, b2, c1, c2, m3, s1, s2, m4, d;

	memset(net, 0, sizeof(*net));
	m1 = add(net, "198.18.20.2", 0);
	for (int i = 0; i < 4; i++)
		a[i] = add(net, as[i], 0);
	m2 = add(net, "198.18.25.2", 0);
	b1 = add(net, "198.18.29.2", 0);
	b2 = add(net, "198.18.30.2", 0);
	c1 = add(net, "198.18.31.2", 0);
	c2 = add(net, "198.18.32.2", 0);
	m3 = add(net, "198.18.33.2", 0);
	s1 = add(net, NULL, 0);
	s2 = add(net, "198.18.37.2", 0);
	m4 = add(net, "198.18.39.2", 0);
	d = add(net, "198.19.8.77", 1);
	for (int i = 0; i < 4; i++) {
		link_to(net, m1, a[i]);
		link_to(net, a[i], m2);
	}
	link_to(net, m2, b1);
	link_to(net, m2, b2);
	link_to(net, b1, c1);
	link_to(net, b1, c2);
	link_to(net, c1, m3);
	link_to(net, c2, m3);
	link_to(net, b2, m3);
	link_to(net, m3, s1);
	link_to(net, m3, s2);
	link_to(net, s1, m4);
	link_to(net, s2, m4);
	link_to(net, m4, d);
	net->first = m1;
}

/*
 * The network's links by address ("FROM>TO"), silent nodes stepped over;
 * the destination named dst_name (NULL: its address)
 */
static inline int truth_links(const struct net *net, char (*out)[64], int max,
			      const char *dst_name)
{
	int n = 0;

	for (int i = 0; i < net->count; i++) {
		if (!net->n[i].addr)
			continue;
		for (int j = 0; j < net->n[i].nnext; j++) {
			const struct net_node *to = &net->n[net->n[i].next[j]];

			if (!to->addr) /* across a silent router */
				to = &net->n[to->next[0]];
			if (n < max)
				snprintf(out[n++], 64, "%s>%s", net->n[i].addr,
					 to->dst && dst_name ? dst_name : to->addr);
		}
	}
	return n;
}

#endif
