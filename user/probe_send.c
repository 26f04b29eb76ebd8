// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include "probe_send.h"

int probe_sender_open(struct probe_sender *s, int family, const char *ifname)
{
	int err;

	memset(s, 0, sizeof(*s));
	s->family = family;
	/* IPPROTO_RAW implies IP_HDRINCL (IPv4) and IPV6_HDRINCL (IPv6) */
	s->fd = socket(family == 6 ? AF_INET6 : AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (s->fd < 0) {
		err = -errno;
		if (err == -EPERM || err == -EACCES)
			fprintf(stderr, "xhop: open raw socket: %s (needs CAP_NET_RAW)\n",
				strerror(-err));
		else
			fprintf(stderr, "xhop: open raw socket: %s\n", strerror(-err));
		return err;
	}
	if (ifname && setsockopt(s->fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, strlen(ifname) + 1)) {
		err = -errno;
		fprintf(stderr, "xhop: bind raw socket to %s: %s\n", ifname, strerror(-err));
		close(s->fd);
		s->fd = -1;
		return err;
	}
	return 0;
}

int probe_sender_send(struct probe_sender *s, const __u8 *pkt, size_t len,
		      const struct in6_addr *dst)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t slen;
	ssize_t n;

	if (s->family == 6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = *dst;
		slen = sizeof(*sin6);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, &dst->s6_addr[12], 4);
		slen = sizeof(*sin);
	}
	n = sendto(s->fd, pkt, len, 0, (struct sockaddr *)&ss, slen);
	if (n < 0) {
		s->errors++;
		return -errno;
	}
	s->sent++;
	return 0;
}

void probe_sender_close(struct probe_sender *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}
