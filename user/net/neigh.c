// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include "core/log.h"
#include "core/units.h"
#include "net/addr.h"
#include "net/neigh.h"
#include "net/netdev.h"
#include "net/route.h"

static int neigh_usable(__u16 state)
{
	return state & (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT |
			NUD_NOARP);
}

/* The neighbour entry of addr on ifindex: 0 (mac set), -ENOENT, -errno */
static int neigh_find(int ifindex, int family, const struct in6_addr *addr, __u8 mac[6])
{
	struct {
		struct nlmsghdr nh;
		struct ndmsg nd;
	} req = { 0 };
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	const void *want = family == 6 ? (const void *)addr : &addr->s6_addr[12];
	size_t alen = family == 6 ? 16 : 4;
	static char buf[32768];
	int fd, err = -ENOENT, done = 0;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ndmsg));
	req.nh.nlmsg_type = RTM_GETNEIGH;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nd.ndm_family = family == 6 ? AF_INET6 : AF_INET;
	if (sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = -errno;
		goto out;
	}
	while (!done) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *nh;

		if (n < 0) {
			err = -errno;
			break;
		}
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)n); nh = NLMSG_NEXT(nh, n)) {
			struct ndmsg *nd;
			struct rtattr *rta;
			const void *dst = NULL, *ll = NULL;
			int len;

			if (nh->nlmsg_type == NLMSG_DONE || nh->nlmsg_type == NLMSG_ERROR) {
				done = 1;
				break;
			}
			if (nh->nlmsg_type != RTM_NEWNEIGH || err == 0)
				continue;
			nd = NLMSG_DATA(nh);
			if (nd->ndm_ifindex != ifindex || !neigh_usable(nd->ndm_state))
				continue;
			len = RTM_PAYLOAD(nh);
			for (rta = (struct rtattr *)((char *)nd + NLMSG_ALIGN(sizeof(*nd)));
			     RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
				if (rta->rta_type == NDA_DST && RTA_PAYLOAD(rta) == alen)
					dst = RTA_DATA(rta);
				else if (rta->rta_type == NDA_LLADDR && RTA_PAYLOAD(rta) == 6)
					ll = RTA_DATA(rta);
			}
			if (dst && ll && !memcmp(dst, want, alen)) {
				memcpy(mac, ll, 6);
				err = 0;
			}
		}
	}
out:
	close(fd);
	return err;
}

/* A one-byte UDP datagram with TTL 1 towards dst: it makes the kernel
 * resolve the next hop, and dies there
 */
static int neigh_trigger(const char *ifname, int family, const struct in6_addr *dst)
{
	struct sockaddr_storage ss;
	socklen_t slen;
	int fd, one = 1, err = 0;

	fd = socket(family == 6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, strlen(ifname) + 1) ||
	    (family == 6 ? setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &one, sizeof(one))
			 : setsockopt(fd, IPPROTO_IP, IP_TTL, &one, sizeof(one)))) {
		err = -errno;
		goto out;
	}
	slen = addr_sockaddr(dst, family, DEFAULT_UDP_PORT, &ss);
	if (sendto(fd, "", 1, 0, (struct sockaddr *)&ss, slen) < 0)
		err = -errno;
out:
	close(fd);
	return err;
}

static __u64 now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int neigh_nexthop_mac(int ifindex, int family, const struct in6_addr *dst, __u8 mac[6],
		      __u8 src_mac[6], int timeout_ms)
{
	char ifname[IF_NAMESIZE] = "?";
	struct route_info ri;
	const struct in6_addr *nh;
	__u64 deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	int err, triggered = 0;

	err = if_indextoname(ifindex, ifname) ? 0 : -errno;
	if (!err)
		err = netdev_mac(ifname, src_mac);
	if (err) {
		log_err("xhop: next hop: interface %d: %s\n", ifindex, strerror(-err));
		return err;
	}
	err = route_lookup(dst, family, ifindex, &ri);
	if (err) {
		log_err("xhop: next hop: no route on %s: %s\n", ifname, strerror(-err));
		return err;
	}
	nh = ri.has_gw ? &ri.gw : dst;
	for (;;) {
		err = neigh_find(ifindex, family, nh, mac);
		if (err != -ENOENT)
			break;
		if (!triggered) {
			err = neigh_trigger(ifname, family, dst);
			if (err)
				break;
			triggered = 1;
		}
		if (now_ms() >= deadline) {
			err = -EHOSTUNREACH;
			break;
		}
		/* The neighbour table has no event to wait on without a
		 * netlink subscription; a 5 ms nap bounds the resolve. */
		nanosleep(&(struct timespec){ .tv_nsec = 5000000 }, NULL);
	}
	if (err) {
		char a[INET6_ADDRSTRLEN] = "?";

		inet_ntop(family == 6 ? AF_INET6 : AF_INET,
			  family == 6 ? (const void *)nh : &nh->s6_addr[12], a, sizeof(a));
		log_err("xhop: next hop %s on %s: %s\n", a, ifname,
			err == -EHOSTUNREACH ? "no neighbour entry (unresolved)" : strerror(-err));
	}
	return err;
}
