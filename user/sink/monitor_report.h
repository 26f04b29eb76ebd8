/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xhop monitor's report, as `mtr -r` prints it (one table per target:
 * Loss%, Snt, Last, Avg, Best, Wrst, StDev, Javg) or as JSON (one object
 * per target per line, mtr's hub keys). Also the rows the live view shows.
 */
#ifndef XHOP_MONITOR_REPORT_H
#define XHOP_MONITOR_REPORT_H

#include <stdio.h>
#include <time.h>
#include <netinet/in.h>

struct monitor;
struct mon_target;
struct resolver;
struct asn_lookup;

struct mon_report_ctx {
	const char *method;	   /* icmp-echo-paris, udp-paris, tcp */
	struct in6_addr src4;	   /* source addresses (unset: zero) */
	struct in6_addr src6;
	struct timespec start;	   /* wall clock of the first cycle */
	struct resolver *res;	   /* NULL: addresses only */
	struct asn_lookup *asn;	   /* NULL or off: no AS (-z, --asn-db) */
	double interval_s;
	int probe_size4;
	int probe_size6;
};

/* TTLs of a target worth a row: up to its end, else its last answer */
int mon_report_last_ttl(const struct monitor *m, const struct mon_target *t);
/* Name of addr if resolved, else NULL */
const char *mon_report_name(const struct mon_report_ctx *c, const struct in6_addr *addr);
/*
 * The origin AS of addr as mtr's report shows it ("AS64500", "AS???"
 * while unknown), its lookup started if need be; NULL when lookups are
 * off. The monitor's table is no record stream: like names, ASes are
 * read from the lookup's cache as a row is drawn.
 */
const char *mon_report_asn(const struct mon_report_ctx *c, const struct in6_addr *addr, char *buf,
			   size_t cap);
/* The host column of addr: "[AS64500 ]name (addr)" or "[AS64500 ]addr" */
void mon_report_host(const struct mon_report_ctx *c, const struct in6_addr *a, char *buf,
		     size_t len);

void monitor_report_text(FILE *out, const struct monitor *m, const struct mon_report_ctx *c);
void monitor_report_json(FILE *out, const struct monitor *m, const struct mon_report_ctx *c);
/* One target's JSON object, no newline */
void monitor_report_json_target(FILE *out, const struct monitor *m, const struct mon_report_ctx *c,
				size_t target);

#endif
