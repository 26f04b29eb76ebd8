// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include "core/log.h"
#include "net/addr.h"
#include "send/raw_send.h"

#define SEND_MANY_MAX 256

int raw_sender_open(struct raw_sender *s, int family, const char *ifname, char *why,
		    size_t why_len)
{
	char msg[160];
	int err;

	memset(s, 0, sizeof(*s));
	s->family = family;
	/* IPPROTO_RAW implies IP_HDRINCL (IPv4) and IPV6_HDRINCL (IPv6) */
	s->fd = socket(family == 6 ? AF_INET6 : AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (s->fd < 0) {
		err = -errno;
		snprintf(msg, sizeof(msg), "open raw socket: %s%s", strerror(-err),
			 err == -EPERM || err == -EACCES ? " (needs CAP_NET_RAW)" : "");
		goto err_report;
	}
	if (ifname && setsockopt(s->fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, strlen(ifname) + 1)) {
		err = -errno;
		snprintf(msg, sizeof(msg), "bind raw socket to %s: %s", ifname, strerror(-err));
		close(s->fd);
		s->fd = -1;
		goto err_report;
	}
	return 0;

err_report:
	if (why)
		snprintf(why, why_len, "%s", msg);
	else
		log_err("xhop: %s\n", msg);
	return err;
}

int raw_sender_send(struct raw_sender *s, const __u8 *pkt, size_t len,
		    const struct in6_addr *dst)
{
	struct sockaddr_storage ss;
	socklen_t slen = addr_sockaddr(dst, s->family, 0, &ss);
	ssize_t n;

	n = sendto(s->fd, pkt, len, 0, (struct sockaddr *)&ss, slen);
	if (n < 0) {
		s->errors++;
		return -errno;
	}
	s->sent++;
	return 0;
}

int raw_sender_send_many(struct raw_sender *s, __u8 *const *pkts, const size_t *lens,
			 const struct in6_addr *dsts, int n, int *err)
{
	struct sockaddr_storage ss[SEND_MANY_MAX];
	struct mmsghdr msgs[SEND_MANY_MAX];
	struct iovec iov[SEND_MANY_MAX];
	int done = 0, sent = 0;

	if (n > SEND_MANY_MAX)
		n = SEND_MANY_MAX;
	for (int i = 0; i < n; i++) {
		iov[i].iov_base = pkts[i];
		iov[i].iov_len = lens[i];
		memset(&msgs[i], 0, sizeof(msgs[i]));
		msgs[i].msg_hdr.msg_name = &ss[i];
		msgs[i].msg_hdr.msg_namelen = addr_sockaddr(&dsts[i], s->family, 0, &ss[i]);
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	while (done < n) {
		int r = sendmmsg(s->fd, msgs + done, n - done, 0);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			/* this one failed (e.g. a local unreachable route): its
			 * error is its own, the rest are tried
			 */
			err[done++] = -errno;
			s->errors++;
			continue;
		}
		for (int i = 0; i < r; i++)
			err[done + i] = 0;
		done += r;
		sent += r;
	}
	s->sent += sent;
	return sent;
}

void raw_sender_close(struct raw_sender *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}
