/* SPDX-License-Identifier: GPL-2.0 */
/* xhop monitor's path-change events, one JSON line each */
#ifndef XHOP_EVENTS_H
#define XHOP_EVENTS_H

#include <stdio.h>
#include <time.h>
#include <netinet/in.h>
#include "core/record.h"
#include "core/sink.h"

/*
 * One event as one JSON line (newline included):
 * {"time":"2026-01-02T03:04:05.678Z","target":"d77.example","dst":"198.19.0.77",
 *  "ttl":3,"kind":"hop","before":["198.18.4.2"],"after":["198.18.3.2"],"cycle":12}
 * hop_count: before/after are numbers; reach: "reachable"/"unreachable".
 */
void pc_event_json(FILE *out, const struct pc_event *ev, const char *target,
		   const struct in6_addr *dst, const struct timespec *when);

struct events_sink {
	FILE *out;	/* NULL: no events written */
	int owned;	/* closed with the sink (--events FILE) */
};

struct sink events_sink(struct events_sink *e, FILE *out, int owned);

#endif
