// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include "net/netdev.h"

/* netdev generic netlink family (kernel 6.3+); Debian 12's headers predate it */
#define GEN_NETDEV_CMD_DEV_GET	       1
#define GEN_NETDEV_A_DEV_IFINDEX       1
#define GEN_NETDEV_A_DEV_XDP_FEATURES  3

/* One interface ioctl on a throwaway socket: 0 or -errno */
static int netdev_ioctl(const char *ifname, unsigned long req, struct ifreq *ifr)
{
	int fd, err = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", ifname);
	if (ioctl(fd, req, ifr))
		err = -errno;
	close(fd);
	return err;
}

/* ARPHRD_* of the device and IFF_UP */
int netdev_type_up(const char *ifname, int *type, int *up)
{
	struct ifreq ifr = { 0 };
	int err;

	err = netdev_ioctl(ifname, SIOCGIFHWADDR, &ifr);
	if (err)
		return err;
	*type = ifr.ifr_hwaddr.sa_family;
	err = netdev_ioctl(ifname, SIOCGIFFLAGS, &ifr);
	if (err)
		return err;
	*up = !!(ifr.ifr_flags & IFF_UP);
	return 0;
}

/* A generic netlink request; the reply lands in buf. -errno or its length */
static int genl_call(int fd, __u16 type, __u8 cmd, __u16 attr, const void *val, int vlen,
		     char *buf, size_t cap)
{
	struct {
		struct nlmsghdr nh;
		struct genlmsghdr g;
		char attrs[64];
	} req = { 0 };
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct rtattr *rta;
	struct nlmsghdr *nh;
	ssize_t n;

	req.nh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	req.nh.nlmsg_type = type;
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	req.g.cmd = cmd;
	req.g.version = 1;
	rta = (struct rtattr *)((char *)&req + NLMSG_ALIGN(req.nh.nlmsg_len));
	rta->rta_type = attr;
	rta->rta_len = RTA_LENGTH(vlen);
	memcpy(RTA_DATA(rta), val, vlen);
	req.nh.nlmsg_len = NLMSG_ALIGN(req.nh.nlmsg_len) + RTA_SPACE(vlen);
	if (sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	n = recv(fd, buf, cap, 0);
	if (n < 0)
		return -errno;
	nh = (struct nlmsghdr *)buf;
	if (!NLMSG_OK(nh, (size_t)n))
		return -EPROTO;
	if (nh->nlmsg_type == NLMSG_ERROR) {
		struct nlmsgerr *e = NLMSG_DATA(nh);

		return e->error ? e->error : -EPROTO;
	}
	return (int)n;
}

/* The attribute of type t in a generic netlink reply, or NULL */
static struct rtattr *genl_attr(char *buf, int n, __u16 t)
{
	struct nlmsghdr *nh = (struct nlmsghdr *)buf;
	struct rtattr *rta = (struct rtattr *)((char *)NLMSG_DATA(nh) + GENL_HDRLEN);
	int len = (int)nh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);

	if (len > n)
		return NULL;
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		if ((rta->rta_type & NLA_TYPE_MASK) == t)
			return rta;
	return NULL;
}

int netdev_xdp_features(int ifindex, __u64 *features)
{
	char buf[4096];
	struct rtattr *a;
	__u16 fam;
	__u32 idx = ifindex;
	int fd, n, err;

	*features = 0;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		return -errno;
	n = genl_call(fd, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, CTRL_ATTR_FAMILY_NAME, "netdev", 7,
		      buf, sizeof(buf));
	if (n < 0) {
		err = n == -ENOENT ? -EOPNOTSUPP : n; /* no netdev family: before 6.3 */
		goto out;
	}
	a = genl_attr(buf, n, CTRL_ATTR_FAMILY_ID);
	if (!a || RTA_PAYLOAD(a) < 2) {
		err = -EPROTO;
		goto out;
	}
	memcpy(&fam, RTA_DATA(a), 2);
	n = genl_call(fd, fam, GEN_NETDEV_CMD_DEV_GET, GEN_NETDEV_A_DEV_IFINDEX, &idx, 4, buf,
		      sizeof(buf));
	if (n < 0) {
		err = n;
		goto out;
	}
	a = genl_attr(buf, n, GEN_NETDEV_A_DEV_XDP_FEATURES);
	if (!a || RTA_PAYLOAD(a) < 8) {
		err = -EPROTO;
		goto out;
	}
	memcpy(features, RTA_DATA(a), 8);
	err = 0;
out:
	close(fd);
	return err;
}

int netdev_mac(const char *ifname, __u8 mac[6])
{
	struct ifreq ifr = { 0 };
	int err;

	err = netdev_ioctl(ifname, SIOCGIFHWADDR, &ifr);
	if (!err)
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return err;
}
