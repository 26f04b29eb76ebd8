// SPDX-License-Identifier: GPL-2.0
/*
 * xhop monitor's path-change events: one JSON line each, to --events or
 * to stdout when no live view holds it.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "net/addr.h"
#include "sink/events.h"
#include "sink/json.h"

static void put_addrs(FILE *out, const struct in6_addr *v, int n)
{
	char a[ADDR_STRLEN];

	fputc('[', out);
	for (int i = 0; i < n; i++)
		fprintf(out, "%s\"%s\"", i ? "," : "", addr_str(&v[i], a));
	fputc(']', out);
}

void pc_event_json(FILE *out, const struct pc_event *ev, const char *target,
		   const struct in6_addr *dst, const struct timespec *when)
{
	char a[ADDR_STRLEN], date[32];
	struct tm tm;

	gmtime_r(&when->tv_sec, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(out, "{\"time\":\"%s.%03ldZ\",\"target\":", date, when->tv_nsec / 1000000);
	json_str(out, target);
	fprintf(out, ",\"dst\":\"%s\",\"ttl\":%d,\"kind\":\"%s\"", addr_str(dst, a), ev->ttl,
		pc_kind_name(ev->kind));
	switch (ev->kind) {
	case PC_HOP:
		fputs(",\"before\":", out);
		put_addrs(out, ev->before, ev->n_before);
		fputs(",\"after\":", out);
		put_addrs(out, ev->after, ev->n_after);
		break;
	case PC_HOP_COUNT:
		fprintf(out, ",\"before\":%d,\"after\":%d", ev->before_val, ev->after_val);
		break;
	default:
		fprintf(out, ",\"before\":\"%s\",\"after\":\"%s\"",
			ev->before_val ? "reachable" : "unreachable",
			ev->after_val ? "reachable" : "unreachable");
		break;
	}
	fprintf(out, ",\"cycle\":%u}\n", ev->cycle);
}

static void events_record(void *st, const struct record *rec)
{
	struct events_sink *e = st;

	if (rec->kind != REC_CHANGE || !e->out)
		return;
	pc_event_json(e->out, &rec->change.ev, rec->change.target, &rec->change.dst,
		      &rec->change.when);
	fflush(e->out);
}

static int events_close(void *st)
{
	struct events_sink *e = st;

	if (e->owned && e->out)
		fclose(e->out);
	e->out = NULL;
	return 0;
}

static const struct sink_ops events_ops = {
	.name = "events",
	.record = events_record,
	.close = events_close,
};

struct sink events_sink(struct events_sink *e, FILE *out, int owned)
{
	e->out = out;
	e->owned = owned;
	return (struct sink){ .ops = &events_ops, .st = e };
}
