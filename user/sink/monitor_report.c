// SPDX-License-Identifier: GPL-2.0
/*
 * mtr's report layout (mtr -r), one block per target:
 *   xhop monitor to d77.example (198.19.0.77), 10 cycles, icmp-echo-paris
 *   HOST: 198.18.1.1              Loss%   Snt    Last     Avg    Best    Wrst   StDev    Javg
 *     1.|-- r1.example (198.18.1.2) 0.0%   10   0.021   0.019   0.013   0.030   0.005   0.004
 *     2.|-- ???                   100.0%   10   ...
 * RTTs in milliseconds with three decimals: kernel stamps resolve far
 * below mtr's one decimal. A TTL where several responders answered shows
 * the others on `-- lines below it, most recent first. With -z or
 * --asn-db the host column starts with the origin AS, as mtr -z shows it:
 *     1.|-- AS64501 r1.example (198.18.1.2) ...
 */
#include <stdio.h>
#include <string.h>
#include "net/addr.h"
#include "net/asn.h"
#include "sink/json.h"
#include "plan/monitor.h"
#include "sink/monitor_report.h"
#include "net/resolve.h"

#define HOST_COL_MIN 24
#define HOST_COL_MAX 60

int mon_report_last_ttl(const struct monitor *m, const struct mon_target *t)
{
	int last = t->shown_ttl ? t->shown_ttl : t->limit;

	if (last > m->cfg.max_ttl)
		last = m->cfg.max_ttl;
	return last;
}

const char *mon_report_name(const struct mon_report_ctx *c, const struct in6_addr *addr)
{
	const char *name = NULL;

	if (!c->res || !resolver_ptr_get(c->res, addr, &name))
		return NULL;
	return name;
}

const char *mon_report_asn(const struct mon_report_ctx *c, const struct in6_addr *addr, char *buf,
			   size_t cap)
{
	struct asn_ann a;

	if (!asn_on(c->asn))
		return NULL;
	asn_start(c->asn, addr); /* no-op once cached or under way */
	asn_get(c->asn, addr, &a);
	return asn_text(&a, buf, cap);
}

void mon_report_host(const struct mon_report_ctx *c, const struct in6_addr *a, char *buf,
		     size_t len)
{
	const char *name = mon_report_name(c, a);
	char s[ADDR_STRLEN], as[ASN_TEXT_MAX + 1];
	const char *asn = mon_report_asn(c, a, as, sizeof(as) - 1);

	/* "AS64500 " before the host, as mtr's AS column */
	if (asn)
		strcat(as, " ");
	if (name)
		snprintf(buf, len, "%s%s (%s)", asn ? as : "", name, addr_str(a, s));
	else
		snprintf(buf, len, "%s%s", asn ? as : "", addr_str(a, s));
}

/* ,"asn":64500 and, multi-origin, ,"asns":[...]: when known */
static void json_asn(FILE *out, const struct mon_report_ctx *c, const struct in6_addr *addr)
{
	struct asn_ann a;

	if (!asn_on(c->asn) || !asn_get(c->asn, addr, &a) || !a.n)
		return;
	json_key_uint(out, ",\"asn\":", a.asn[0]);
	if (a.n < 2)
		return;
	fputs(",\"asns\":[", out);
	for (int i = 0; i < a.n; i++)
		json_key_uint(out, i ? "," : "", a.asn[i]);
	fputc(']', out);
}

static const struct in6_addr *src_of(const struct mon_report_ctx *c, const struct mon_target *t)
{
	return t->family == 6 ? &c->src6 : &c->src4;
}

static void text_target(FILE *out, const struct monitor *m, const struct mon_report_ctx *c,
			const struct mon_target *t, size_t ti)
{
	int last = mon_report_last_ttl(m, t), width = HOST_COL_MIN;
	char host[HOST_COL_MAX + 64], a[ADDR_STRLEN];

	/* the host column fits the longest row */
	for (int ttl = m->cfg.first_ttl; ttl <= last; ttl++) {
		const struct mon_hop *h = monitor_hop_c(m, ti, ttl);
		const struct mon_resp *r[MON_RESP_MAX];
		int n = monitor_hop_responders(h, r, MON_RESP_MAX);

		for (int k = 0; k < n; k++) {
			int w;

			mon_report_host(c, &r[k]->addr, host, sizeof(host));
			w = (int)strlen(host) + 2;
			if (w > width)
				width = w > HOST_COL_MAX ? HOST_COL_MAX : w;
		}
	}
	fprintf(out, "xhop monitor to %s (%s), %u cycles, %s\n", t->name, addr_str(&t->dst, a),
		t->cycles_done, c->method);
	fprintf(out, "HOST: %-*s %6s %5s %7s %7s %7s %7s %7s %7s\n", width, addr_str(src_of(c, t), a),
		"Loss%", "Snt", "Last", "Avg", "Best", "Wrst", "StDev", "Javg");
	for (int ttl = m->cfg.first_ttl; ttl <= last; ttl++) {
		const struct mon_hop *h = monitor_hop_c(m, ti, ttl);
		const struct mon_stats *st = &h->st;
		const struct mon_resp *r[MON_RESP_MAX];
		int n = monitor_hop_responders(h, r, MON_RESP_MAX);

		if (n)
			mon_report_host(c, &r[0]->addr, host, sizeof(host));
		else
			snprintf(host, sizeof(host), "???");
		fprintf(out, "%3d.|-- %-*.*s %5.1f%% %5llu", ttl, width, width, host,
			mon_stats_loss_pct(st), (unsigned long long)st->sent);
		if (st->n)
			fprintf(out, " %7.3f %7.3f %7.3f %7.3f %7.3f %7.3f\n", st->last / 1e6,
				st->mean / 1e6, st->best / 1e6, st->worst / 1e6,
				mon_stats_stdev(st) / 1e6, st->jitter_mean / 1e6);
		else
			fprintf(out, " %7.3f %7.3f %7.3f %7.3f %7.3f %7.3f\n", 0.0, 0.0, 0.0, 0.0, 0.0,
				0.0);
		for (int k = 1; k < n; k++) {
			mon_report_host(c, &r[k]->addr, host, sizeof(host));
			fprintf(out, "    |  `-- %s\n", host);
		}
	}
}

void monitor_report_text(FILE *out, const struct monitor *m, const struct mon_report_ctx *c)
{
	char date[64];
	struct tm tm;

	localtime_r(&c->start.tv_sec, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S%z", &tm);
	fprintf(out, "Start: %s\n", date);
	for (size_t i = 0; i < m->n; i++)
		text_target(out, m, c, &m->t[i], i);
	fflush(out);
}

static void json_ms(FILE *out, const char *key, double ns)
{
	fprintf(out, ",\"%s\":%.3f", key, ns / 1e6);
}

static void json_hub(FILE *out, const struct monitor *m, const struct mon_report_ctx *c,
		     size_t ti, int ttl)
{
	const struct mon_hop *h = monitor_hop_c(m, ti, ttl);
	const struct mon_stats *st = &h->st;
	const struct mon_resp *r[MON_RESP_MAX];
	int n = monitor_hop_responders(h, r, MON_RESP_MAX);
	char a[ADDR_STRLEN];
	const char *name;

	fprintf(out, "{\"count\":%d,\"host\":\"%s\"", ttl, n ? addr_str(&r[0]->addr, a) : "???");
	name = n ? mon_report_name(c, &r[0]->addr) : NULL;
	if (name) {
		fputs(",\"name\":", out);
		json_str(out, name);
	}
	if (n)
		json_asn(out, c, &r[0]->addr);
	fprintf(out, ",\"Loss%%\":%.1f,\"Snt\":%llu,\"Rcv\":%llu,\"Lost\":%llu",
		mon_stats_loss_pct(st), (unsigned long long)st->sent,
		(unsigned long long)st->replies, (unsigned long long)st->lost);
	json_ms(out, "Last", st->n ? st->last : 0);
	json_ms(out, "Avg", st->n ? st->mean : 0);
	json_ms(out, "Best", st->n ? st->best : 0);
	json_ms(out, "Wrst", st->n ? st->worst : 0);
	json_ms(out, "StDev", mon_stats_stdev(st));
	json_ms(out, "Jttr", st->jitter);
	json_ms(out, "Javg", st->jitter_mean);
	json_ms(out, "Jmax", st->jitter_worst);
	json_ms(out, "Jint", st->jitter_ia);
	fputs(",\"responders\":[", out);
	for (int k = 0; k < n; k++) {
		fprintf(out, "%s{\"addr\":\"%s\"", k ? "," : "", addr_str(&r[k]->addr, a));
		name = mon_report_name(c, &r[k]->addr);
		if (name) {
			fputs(",\"name\":", out);
			json_str(out, name);
		}
		json_asn(out, c, &r[k]->addr);
		fprintf(out, ",\"replies\":%llu}", (unsigned long long)r[k]->replies);
	}
	fputs("]}", out);
}

void monitor_report_json_target(FILE *out, const struct monitor *m, const struct mon_report_ctx *c,
				size_t ti)
{
	const struct mon_target *t = &m->t[ti];
	int last = mon_report_last_ttl(m, t);
	char a[ADDR_STRLEN];

	fputs("{\"type\":\"monitor\",\"target\":", out);
	json_str(out, t->name);
	fprintf(out, ",\"dst\":\"%s\"", addr_str(&t->dst, a));
	fprintf(out, ",\"src\":\"%s\"", addr_str(src_of(c, t), a));
	fprintf(out, ",\"method\":\"%s\",\"start\":{\"sec\":%lld,\"usec\":%ld}", c->method,
		(long long)c->start.tv_sec, c->start.tv_nsec / 1000);
	fprintf(out, ",\"cycles\":%u,\"interval\":%g,\"probe_size\":%d", t->cycles_done,
		c->interval_s, t->family == 6 ? c->probe_size6 : c->probe_size4);
	fprintf(out, ",\"reachable\":%s,\"hop_count\":%d",
		monitor_target_reachable(t) ? "true" : "false", monitor_target_hops(t));
	fprintf(out, ",\"changes\":{\"hop\":%llu,\"hop_count\":%llu,\"reach\":%llu}",
		(unsigned long long)t->changes[PC_HOP], (unsigned long long)t->changes[PC_HOP_COUNT],
		(unsigned long long)t->changes[PC_REACH]);
	fputs(",\"hubs\":[", out);
	for (int ttl = m->cfg.first_ttl; ttl <= last; ttl++) {
		if (ttl > m->cfg.first_ttl)
			fputc(',', out);
		json_hub(out, m, c, ti, ttl);
	}
	fputs("]}", out);
}

void monitor_report_json(FILE *out, const struct monitor *m, const struct mon_report_ctx *c)
{
	for (size_t i = 0; i < m->n; i++) {
		monitor_report_json_target(out, m, c, i);
		fputc('\n', out);
	}
	fflush(out);
}
