// SPDX-License-Identifier: GPL-2.0
/*
 * One RTM_GETROUTE request over rtnetlink: the kernel's own answer to
 * "which interface, which source", so the XDP program lands on the
 * interface the replies come back to (the route out; with asymmetric
 * routing the user picks it with -i).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include "core/units.h"
#include "net/addr.h"
#include "net/route.h"

struct route_req {
	struct nlmsghdr nh;
	struct rtmsg rt;
	char attrs[64];
};

static void add_attr(struct route_req *req, int type, const void *data, int len)
{
	size_t off = NLMSG_ALIGN(req->nh.nlmsg_len) - NLMSG_LENGTH(sizeof(struct rtmsg));
	struct rtattr rta = { .rta_type = type, .rta_len = RTA_LENGTH(len) };

	if (off + RTA_SPACE(len) > sizeof(req->attrs))
		return; /* cannot happen with the two attributes we add */
	memcpy(req->attrs + off, &rta, sizeof(rta));
	memcpy(req->attrs + off + RTA_LENGTH(0), data, len);
	req->nh.nlmsg_len = NLMSG_ALIGN(req->nh.nlmsg_len) + RTA_SPACE(len);
}

static void store_addr(struct in6_addr *out, int family, const void *data)
{
	memset(out, 0, sizeof(*out));
	if (family == 6) {
		memcpy(out, data, 16);
	} else {
		out->s6_addr[10] = out->s6_addr[11] = 0xff;
		memcpy(&out->s6_addr[12], data, 4);
	}
}

int route_lookup(const struct in6_addr *dst, int family, int oif, struct route_info *out)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct route_req req = { 0 };
	char buf[4096];
	struct nlmsghdr *nh;
	int fd, err = -ENETUNREACH;
	ssize_t n;

	memset(out, 0, sizeof(*out));
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	req.nh.nlmsg_type = RTM_GETROUTE;
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	req.nh.nlmsg_seq = 1;
	req.rt.rtm_family = family == 6 ? AF_INET6 : AF_INET;
	req.rt.rtm_dst_len = family == 6 ? 128 : 32;
	add_attr(&req, RTA_DST, family == 6 ? (const void *)dst : &dst->s6_addr[12],
		 family == 6 ? 16 : 4);
	if (oif)
		add_attr(&req, RTA_OIF, &oif, sizeof(oif));
	if (sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = -errno;
		goto out_close;
	}
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < 0) {
		err = -errno;
		goto out_close;
	}
	for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)n); nh = NLMSG_NEXT(nh, n)) {
		struct rtmsg *rt;
		struct rtattr *rta;
		int len;

		if (nh->nlmsg_type == NLMSG_ERROR) {
			struct nlmsgerr *e = NLMSG_DATA(nh);

			err = e->error ? e->error : -ENETUNREACH;
			break;
		}
		if (nh->nlmsg_type != RTM_NEWROUTE)
			continue;
		rt = NLMSG_DATA(nh);
		/* unreachable/prohibit/blackhole routes have no way out */
		if (rt->rtm_type != RTN_UNICAST && rt->rtm_type != RTN_LOCAL)
			break;
		len = RTM_PAYLOAD(nh);
		for (rta = RTM_RTA(rt); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
			if (rta->rta_type == RTA_OIF)
				memcpy(&out->ifindex, RTA_DATA(rta), sizeof(int));
			else if (rta->rta_type == RTA_PREFSRC)
				store_addr(&out->src, family, RTA_DATA(rta));
			else if (rta->rta_type == RTA_GATEWAY &&
				 RTA_PAYLOAD(rta) == (family == 6 ? 16u : 4u)) {
				store_addr(&out->gw, family, RTA_DATA(rta));
				out->has_gw = 1;
			}
		}
		err = out->ifindex ? 0 : -ENETUNREACH;
		break;
	}
out_close:
	close(fd);
	return err;
}

/* A UDP socket of the family, bound to ifname if given: -errno or the fd */
static int udp_socket(int family, const char *ifname)
{
	int fd, err;

	fd = socket(family == 6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (ifname && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, strlen(ifname) + 1)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int route_source(const struct in6_addr *dst, int family, const char *ifname, struct in6_addr *src)
{
	struct sockaddr_storage ss, local = { 0 };
	socklen_t slen, llen = sizeof(local);
	int fd, err = 0;

	fd = udp_socket(family, ifname);
	if (fd < 0)
		return fd;
	/* any port: connect() sends nothing. A UDP connect() only asks the
	 * routing table: the kernel's choice of source address, with its
	 * rules for IPv6 (RFC 6724)
	 */
	slen = addr_sockaddr(dst, family, DEFAULT_UDP_PORT, &ss);
	if (connect(fd, (struct sockaddr *)&ss, slen) ||
	    getsockname(fd, (struct sockaddr *)&local, &llen)) {
		err = -errno;
		goto out_close;
	}
	if (family == 6)
		store_addr(src, 6, &((struct sockaddr_in6 *)&local)->sin6_addr);
	else
		store_addr(src, 4, &((struct sockaddr_in *)&local)->sin_addr);
out_close:
	close(fd);
	return err;
}

int route_source_is_local(const struct in6_addr *src, int family, const char *ifname)
{
	struct sockaddr_storage ss;
	socklen_t slen;
	int fd, err = 0;

	fd = udp_socket(family, ifname);
	if (fd < 0)
		return fd;
	/* port 0: bind() only asks whether the address is ours */
	slen = addr_sockaddr(src, family, 0, &ss);
	if (bind(fd, (struct sockaddr *)&ss, slen))
		err = -errno;
	close(fd);
	return err;
}
