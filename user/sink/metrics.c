// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdint.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <microhttpd.h>
#include "core/log.h"
#include "net/addr.h"
#include "net/asn.h"
#include "sink/metrics.h"
#include "plan/monitor.h"

#define METRICS_CONN_LIMIT 16
#define METRICS_CONN_TIMEOUT_S 10
#define METRICS_BLOCK (64 * 1024)	  /* a streamed scrape's blocks */
#define METRICS_CONN_MEMORY (256 * 1024) /* per connection, room for a block */
/* {target="<253 bytes, escaped at most twice>",ttl="255",responder="<IPv6>" */
#define METRICS_LABELS_MAX 640

int metrics_addr_parse(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon, *port_s;
	size_t hlen;
	char *end;
	long port;

	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':')
			return -EINVAL;
		hlen = (size_t)(close - s - 1);
		if (hlen >= sizeof(host))
			return -EINVAL;
		memcpy(host, s + 1, hlen);
		host[hlen] = 0;
		port_s = close + 2;
	} else {
		colon = strrchr(s, ':');
		if (!colon || strchr(s, ':') != colon) /* bare IPv6 needs brackets */
			return -EINVAL;
		hlen = (size_t)(colon - s);
		if (hlen >= sizeof(host))
			return -EINVAL;
		memcpy(host, s, hlen);
		host[hlen] = 0;
		port_s = colon + 1;
	}
	if (*port_s < '0' || *port_s > '9')
		return -EINVAL;
	errno = 0;
	port = strtol(port_s, &end, 10);
	if (errno || *end || port < 1 || port > 65535)
		return -EINVAL;
	if (s[0] == '[') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1)
			return -EINVAL;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		*len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		if (host[0] && inet_pton(AF_INET, host, &s4->sin_addr) != 1)
			return -EINVAL;
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		*len = sizeof(*s4);
	}
	return 0;
}

void metrics_label_value(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(out, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", out);
		else
			fputc(*s, out);
	}
	fputc('"', out);
}

static void family(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void labels_hop(FILE *out, const struct mon_target *t, int ttl)
{
	fputs("{target=", out);
	metrics_label_value(out, t->name);
	fprintf(out, ",ttl=\"%d\"", ttl);
}

/* s escaped as a label value (no quotes) into buf; truncated, never overrun */
static void label_escape(char *buf, size_t cap, const char *s)
{
	size_t n = 0;

	for (; *s && n + 3 < cap; s++) {
		if (*s == '\\' || *s == '"') {
			buf[n++] = '\\';
			buf[n++] = *s;
		} else if (*s == '\n') {
			buf[n++] = '\\';
			buf[n++] = 'n';
		} else {
			buf[n++] = *s;
		}
	}
	buf[n] = 0;
}

/* The labels of a responder series, once: a histogram repeats them 17 times */
static void labels_resp_str(char *buf, size_t len, const struct mon_target *t, int ttl,
			    const struct mon_resp *r, struct asn_lookup *asn)
{
	char a[ADDR_STRLEN], name[2 * 253 + 4];
	struct asn_ann origin;
	size_t off;

	label_escape(name, sizeof(name), t->name);
	snprintf(buf, len, "{target=\"%s\",ttl=\"%d\",responder=\"%s\"", name, ttl,
		 addr_str(&r->addr, a));
	if (!asn_on(asn))
		return;
	/* bounded: one value per responder series, which are bounded
	 * already; the first origin only, "" until the lookup answers
	 */
	asn_start(asn, &r->addr);
	off = strlen(buf);
	if (asn_get(asn, &r->addr, &origin) && origin.n)
		snprintf(buf + off, len - off, ",asn=\"%u\"", origin.asn[0]);
	else
		snprintf(buf + off, len - off, ",asn=\"\"");
}

/* A TTL belongs in the exposition while it is probed (or was, lately) */
static int hop_live(const struct monitor *m, const struct mon_hop *h, __u64 now_ns)
{
	if (!h->sent_total)
		return 0;
	return !m->cfg.stale_ns || h->last_sent_ns + m->cfg.stale_ns >= now_ns;
}

/* Every series of responders at the live TTLs of t, to fn with its labels */
static void each_resp(FILE *out, struct monitor *m, const struct mon_target *t, __u64 now_ns,
		      struct asn_lookup *asn,
		      void (*fn)(FILE *out, const char *lab, const struct mon_resp *r))
{
	char lab[METRICS_LABELS_MAX];

	for (int ttl = m->cfg.first_ttl; ttl <= t->probed_ttl; ttl++) {
		const struct mon_hop *h = &t->hops[ttl - m->cfg.first_ttl];

		if (!hop_live(m, h, now_ns))
			continue;
		for (int k = 0; k < MON_RESP_MAX; k++) {
			if (!h->resp[k].used)
				continue;
			labels_resp_str(lab, sizeof(lab), t, ttl, &h->resp[k], asn);
			fn(out, lab, &h->resp[k]);
		}
	}
}

static void rtt_series(FILE *out, const char *lab, const struct mon_resp *r)
{
	__u64 cum = 0;

	for (int b = 0; b < MON_BUCKETS; b++) {
		cum += r->bucket[b];
		fprintf(out, "xhop_hop_rtt_seconds_bucket%s,le=\"%g\"} %llu\n", lab, mon_bucket_le[b],
			(unsigned long long)cum);
	}
	fprintf(out, "xhop_hop_rtt_seconds_bucket%s,le=\"+Inf\"} %llu\n", lab,
		(unsigned long long)r->rtt_count);
	fprintf(out, "xhop_hop_rtt_seconds_sum%s} %.9g\n", lab, r->rtt_sum);
	fprintf(out, "xhop_hop_rtt_seconds_count%s} %llu\n", lab, (unsigned long long)r->rtt_count);
}

static void replies_series(FILE *out, const char *lab, const struct mon_resp *r)
{
	fprintf(out, "xhop_hop_replies_total%s} %llu\n", lab, (unsigned long long)r->replies);
}

static void render_rtt(FILE *out, struct monitor *m, const struct mon_target *t, __u64 now_ns,
		       struct asn_lookup *asn)
{
	each_resp(out, m, t, now_ns, asn, rtt_series);
}

static void render_sent(FILE *out, struct monitor *m, const struct mon_target *t, __u64 now_ns)
{
	for (int ttl = m->cfg.first_ttl; ttl <= t->probed_ttl; ttl++) {
		const struct mon_hop *h = &t->hops[ttl - m->cfg.first_ttl];

		if (!hop_live(m, h, now_ns))
			continue;
		fputs("xhop_hop_probes_sent_total", out);
		labels_hop(out, t, ttl);
		fprintf(out, "} %llu\n", (unsigned long long)h->sent_total);
	}
}

static void render_replies(FILE *out, struct monitor *m, const struct mon_target *t,
			   __u64 now_ns, struct asn_lookup *asn)
{
	each_resp(out, m, t, now_ns, asn, replies_series);
}

static void target_labels(FILE *out, const struct mon_target *t)
{
	fputs("{target=", out);
	metrics_label_value(out, t->name);
}

static void counter(FILE *out, const char *name, const char *help, __u64 v)
{
	family(out, name, "counter", help);
	fprintf(out, "%s %llu\n", name, (unsigned long long)v);
}

static void render_process(FILE *out, struct monitor *m)
{
	family(out, "xhop_targets", "gauge", "Targets this process monitors.");
	fprintf(out, "xhop_targets %zu\n", m->n);
	counter(out, "xhop_cycles_total", "Probing cycles started.", m->cycle);
	counter(out, "xhop_probes_sent_total", "Probes sent, all targets.", m->probes_sent);
	counter(out, "xhop_probe_send_errors_total", "Probes that could not be sent.", m->send_errors);
	counter(out, "xhop_replies_late_total",
		"Answers after their probe's wait: counted as lost, in no cycle.", m->late);
	counter(out, "xhop_replies_unmatched_total",
		"Verified answers that fit no outstanding probe.", m->unknown);
	counter(out, "xhop_cycles_behind_total",
		"Cycles that started late because sending fell behind.", m->behind);
	counter(out, "xhop_responder_series_evicted_total",
		"Responder series dropped to keep at most 4 per target and TTL.", m->resp_evicted);
}

/*
 * The exposition in units: one family's lines for one target (after the
 * family's HELP and TYPE, before its first target). A family's samples
 * stay together, as the format wants; a scrape renders a few units at a
 * time, so the poll loop keeps sending probes while it goes out.
 */
enum metrics_family {
	FAM_RTT = 0,
	FAM_SENT,
	FAM_REPLIES,
	FAM_CHANGES,
	FAM_HOPS,
	FAM_REACH,
	FAM_PROCESS, /* one unit */
	FAM_END,
};

static const char *const fam_head[FAM_PROCESS][3] = {
	[FAM_RTT] = { "xhop_hop_rtt_seconds", "histogram",
		      "Round-trip time of answered probes: kernel receive stamp minus kernel send "
		      "stamp." },
	[FAM_SENT] = { "xhop_hop_probes_sent_total", "counter",
		       "Probes sent to this TTL of the target." },
	[FAM_REPLIES] = { "xhop_hop_replies_total", "counter",
			  "Answers within the wait from this responder at this TTL of the target." },
	[FAM_CHANGES] = { "xhop_path_changes_total", "counter",
			  "Confirmed path changes: kind hop (responders at a TTL), hop_count, reach." },
	[FAM_HOPS] = { "xhop_path_hops", "gauge",
		       "Hops to the target: the TTL of its answer, else the highest answering TTL." },
	[FAM_REACH] = { "xhop_target_reachable", "gauge", "1 if the target answers, else 0." },
};

static void render_unit(FILE *out, struct monitor *m, int f, size_t i, __u64 now_ns,
			struct asn_lookup *asn)
{
	const struct mon_target *t = &m->t[i];

	if (f == FAM_PROCESS) {
		render_process(out, m);
		return;
	}
	if (i == 0)
		family(out, fam_head[f][0], fam_head[f][1], fam_head[f][2]);
	switch (f) {
	case FAM_RTT:
		render_rtt(out, m, t, now_ns, asn);
		break;
	case FAM_SENT:
		render_sent(out, m, t, now_ns);
		break;
	case FAM_REPLIES:
		render_replies(out, m, t, now_ns, asn);
		break;
	case FAM_CHANGES:
		for (int k = PC_HOP; k < PC_KIND_MAX; k++) {
			fputs("xhop_path_changes_total", out);
			target_labels(out, t);
			fprintf(out, ",kind=\"%s\"} %llu\n", pc_kind_name(k),
				(unsigned long long)t->changes[k]);
		}
		break;
	case FAM_HOPS:
		fputs("xhop_path_hops", out);
		target_labels(out, t);
		fprintf(out, "} %d\n", monitor_target_hops(t));
		break;
	default:
		fputs("xhop_target_reachable", out);
		target_labels(out, t);
		fprintf(out, "} %d\n", monitor_target_reachable(t));
		break;
	}
}

int metrics_render_some(FILE *out, struct monitor *m, struct metrics_cursor *c, __u64 now_ns,
			size_t units)
{

	if (c->f == FAM_RTT && c->i == 0)
		monitor_drop_stale(m, now_ns); /* a scrape starts */
	while (c->f < FAM_END) {
		if (c->f < FAM_PROCESS && c->i >= m->n) {
			c->f++;
			c->i = 0;
			continue;
		}
		render_unit(out, m, c->f, c->i, now_ns, c->asn);
		if (c->f == FAM_PROCESS)
			c->f++;
		else
			c->i++;
		if (!--units)
			break;
	}
	return c->f >= FAM_END;
}

void metrics_render(FILE *out, struct monitor *m, __u64 now_ns)
{
	struct metrics_cursor c = { 0 };

	/* one writer: no stdio lock per character */
	__fsetlocking(out, FSETLOCKING_BYCALLER);
	while (!metrics_render_some(out, m, &c, now_ns, SIZE_MAX))
		;
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int status, char *body,
			     size_t len, const char *type)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/*
 * A scrape is streamed: MHD asks for the next block when the socket takes
 * more, and each block renders only as many units as fill it. The poll
 * loop runs between blocks, so a 10 MB exposition of 1,000 targets never
 * holds up the probes (rendered at once it took a quarter of a second).
 * Counters rendered later in a scrape may be a few cycles newer than
 * earlier ones; each series is still exact and monotone.
 */
struct membuf {
	char *buf;
	size_t len, cap;
};

struct scrape {
	struct metrics_server *s;
	struct metrics_cursor c;
	struct membuf mb; /* rendered, from off on not yet handed to MHD */
	size_t off;
	FILE *f;	  /* writes into mb */
	int done;
};

static ssize_t membuf_write(void *cookie, const char *data, size_t n)
{
	struct membuf *b = cookie;

	if (b->len + n > b->cap) {
		size_t cap = b->cap * 2 > b->len + n ? b->cap * 2 : b->len + n;
		char *p = realloc(b->buf, cap);

		if (!p)
			return -1;
		b->buf = p;
		b->cap = cap;
	}
	memcpy(b->buf + b->len, data, n);
	b->len += n;
	return (ssize_t)n;
}

static ssize_t scrape_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct scrape *sc = cls;
	size_t n;

	(void)pos;
	if (sc->off == sc->mb.len) {
		sc->off = sc->mb.len = 0;
		/* a unit at a time until the block is full */
		while (!sc->done && sc->mb.len < max) {
			sc->done = metrics_render_some(sc->f, sc->s->m, &sc->c, clock_mono_ns(), 1);
			if (fflush(sc->f))
				return MHD_CONTENT_READER_END_WITH_ERROR;
		}
		if (sc->off == sc->mb.len)
			return MHD_CONTENT_READER_END_OF_STREAM;
	}
	n = sc->mb.len - sc->off < max ? sc->mb.len - sc->off : max;
	memcpy(buf, sc->mb.buf + sc->off, n);
	sc->off += n;
	return (ssize_t)n;
}

static void scrape_free(void *cls)
{
	struct scrape *sc = cls;

	if (sc->f)
		fclose(sc->f);
	free(sc->mb.buf);
	free(sc);
}

static enum MHD_Result reply_metrics(struct metrics_server *s, struct MHD_Connection *conn)
{
	cookie_io_functions_t io = { .write = membuf_write };
	struct MHD_Response *resp;
	struct scrape *sc;
	enum MHD_Result ret;

	sc = calloc(1, sizeof(*sc));
	if (!sc)
		return MHD_NO;
	sc->s = s;
	sc->c.asn = s->asn;
	sc->f = fopencookie(&sc->mb, "w", io);
	if (!sc->f) {
		free(sc);
		return MHD_NO;
	}
	__fsetlocking(sc->f, FSETLOCKING_BYCALLER);
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, METRICS_BLOCK, scrape_read, sc,
						 scrape_free);
	if (!resp) {
		scrape_free(sc);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				"text/plain; version=0.0.4; charset=utf-8");
	ret = MHD_queue_response(conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_size, void **con_cls)
{
	struct metrics_server *s = cls;
	char *body = NULL;
	size_t len = 0;
	FILE *f;

	(void)version;
	(void)upload_data;
	(void)upload_size;
	(void)con_cls;
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD)) {
		body = strdup("only GET and HEAD\n");
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, body, body ? strlen(body) : 0,
			     "text/plain");
	}
	if (!strcmp(url, "/metrics")) {
		s->scrapes++;
		return reply_metrics(s, conn);
	}
	f = open_memstream(&body, &len);
	if (!f)
		return MHD_NO;
	if (!strcmp(url, "/")) {
		fputs("<html><head><title>xhop monitor</title></head><body>"
		      "<a href=\"/metrics\">/metrics</a></body></html>\n", f);
		fclose(f);
		return reply(conn, MHD_HTTP_OK, body, len, "text/html");
	}
	fputs("not found: try /metrics\n", f);
	fclose(f);
	return reply(conn, MHD_HTTP_NOT_FOUND, body, len, "text/plain");
}

int metrics_start(struct metrics_server *s, const char *addr, struct monitor *m,
		  struct asn_lookup *asn)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, err, one = 1;

	memset(s, 0, sizeof(*s));
	s->listen_fd = -1;
	s->m = m;
	s->asn = asn;
	if (metrics_addr_parse(addr, &ss, &len)) {
		log_err("xhop: --metrics: '%s' is not ADDR:PORT (e.g. 127.0.0.1:9464, "
				"[::1]:9464)\n", addr);
		return -EINVAL;
	}
	/* our own listening socket: bind's errno names the problem exactly */
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		err = -errno;
		log_err("xhop: --metrics %s: socket: %s\n", addr, strerror(-err));
		return err;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 64)) {
		err = -errno;
		log_err("xhop: --metrics %s: %s\n", addr, strerror(-err));
		close(fd);
		return err;
	}
	s->listen_fd = fd;
	s->d = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
					(ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
				0, NULL, NULL, on_request, s, MHD_OPTION_LISTEN_SOCKET, fd,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned int)METRICS_CONN_LIMIT,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)METRICS_CONN_TIMEOUT_S,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)METRICS_CONN_MEMORY,
				MHD_OPTION_END);
	if (!s->d) {
		log_err("xhop: --metrics %s: libmicrohttpd did not start\n", addr);
		close(fd);
		s->listen_fd = -1;
		return -EIO;
	}
	s->listen_fd = -1; /* MHD owns it now: MHD_stop_daemon() closes it */
	return 0;
}

int metrics_pollfd(struct metrics_server *s, struct pollfd *pfd)
{
	const union MHD_DaemonInfo *info;

	if (!s->d)
		return -1;
	info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_EPOLL_FD);
	if (!info)
		return -1;
	pfd->fd = info->epoll_fd;
	pfd->events = POLLIN;
	pfd->revents = 0;
	return 0;
}

int metrics_timeout_ms(struct metrics_server *s)
{
	MHD_UNSIGNED_LONG_LONG t;

	if (!s->d || MHD_get_timeout(s->d, &t) != MHD_YES)
		return -1;
	return t > 60000 ? 60000 : (int)t;
}

void metrics_run(struct metrics_server *s)
{
	if (s->d)
		MHD_run(s->d);
}

void metrics_stop(struct metrics_server *s)
{
	if (s->d)
		MHD_stop_daemon(s->d);
	s->d = NULL;
}
