/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Prometheus metrics of xhop monitor: the text exposition format (0.0.4),
 * served at /metrics by libmicrohttpd in the monitor's own event loop
 * (MHD_USE_EPOLL: one fd to poll, MHD_run() when it is ready), so a
 * scrape reads the same state the loop writes, with no lock and no thread.
 *
 * Names follow smokeping_prober and mtr-exporter: xhop_hop_rtt_seconds
 * (histogram), xhop_hop_probes_sent_total, xhop_hop_replies_total,
 * xhop_path_changes_total, xhop_path_hops, xhop_target_reachable; labels
 * target (as given), ttl, responder (the answering address), kind, and
 * with --metrics-asn asn (the responder's first origin AS).
 */
#ifndef XHOP_METRICS_H
#define XHOP_METRICS_H

#include <stdio.h>
#include <poll.h>
#include <sys/socket.h>
#include <linux/types.h>

struct monitor;
struct MHD_Daemon;
struct asn_lookup;

/*
 * "198.18.1.1:9464", "[2001:2::1]:9464" or ":9464" (every IPv4 address);
 * literals only, port 1-65535. 0 or -EINVAL.
 */
int metrics_addr_parse(const char *s, struct sockaddr_storage *ss, socklen_t *len);

/* The whole exposition of m at now_ns (CLOCK_MONOTONIC); drops stale series first */
void metrics_render(FILE *out, struct monitor *m, __u64 now_ns);

/* Where a rendering in parts stands: family, then target ({0}: start) */
struct metrics_cursor {
	int f;
	size_t i;
	struct asn_lookup *asn; /* --metrics-asn: an asn label on responder series */
};

/*
 * Render at most `units` units from c on (a unit: one family's lines for
 * one target); 1 at the end. The first call (cursor at 0) drops stale
 * series.
 */
int metrics_render_some(FILE *out, struct monitor *m, struct metrics_cursor *c, __u64 now_ns,
			size_t units);

/* One Prometheus label value, quoted and escaped (\\, \", \n) */
void metrics_label_value(FILE *out, const char *s);

struct metrics_server {
	struct MHD_Daemon *d;
	struct monitor *m;
	struct asn_lookup *asn; /* --metrics-asn, else NULL */
	int listen_fd;
	__u64 scrapes;
};

/* Listen on addr (metrics_addr_parse form); asn: label responders with
 * their origin AS (NULL: no). 0 or -errno, reported
 */
int metrics_start(struct metrics_server *s, const char *addr, struct monitor *m,
		  struct asn_lookup *asn);
/* The fd to poll for POLLIN (-1 if none) and the timeout MHD wants (ms, -1: none) */
int metrics_pollfd(struct metrics_server *s, struct pollfd *pfd);
int metrics_timeout_ms(struct metrics_server *s);
/* Serve what is ready (after poll) */
void metrics_run(struct metrics_server *s);
void metrics_stop(struct metrics_server *s);

#endif
