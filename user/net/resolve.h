/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Names through c-ares: the target's address (forward) and hop names (PTR),
 * asynchronously, so a hop line waits for its name at most as long as the
 * caller allows. The event loop polls resolver_pollfds() with its own.
 */
#ifndef XHOP_RESOLVE_H
#define XHOP_RESOLVE_H

#include <poll.h>
#include <netinet/in.h>
#include "core/record.h"

struct resolver;

/* PTR answers kept at most (oldest evicted first): a scan asks about
 * thousands of hops, and every answer costs a heap string.
 */
#define RESOLVER_CACHE_MAX 4096
/* PTR queries on the wire at once; more wait in order. A burst of
 * thousands overflows the server's socket buffer, and each lost query
 * then costs a whole c-ares timeout.
 */
#define RESOLVER_PTR_INFLIGHT 64

/* Uses /etc/resolv.conf (ip netns exec maps /etc/netns/NS/resolv.conf
 * over it). NULL with errno set, and a message on stderr, on failure.
 */
struct resolver *resolver_new(void);
/* For tests and a future --dns-server: only these servers (c-ares CSV,
 * "127.0.0.1:5353,[::1]:53"), no search domains, no /etc/hosts.
 */
struct resolver *resolver_new_with_server(const char *servers);
void resolver_free(struct resolver *r);

/*
 * Forward lookup of a name or a numeric address, blocking up to
 * timeout_ms. family: 0 (any: IPv4 preferred, as traceroute), 4 or 6.
 * On success *out holds the address (IPv4 as ::ffff:a.b.c.d), *out_family
 * 4 or 6, and canon (if not NULL, cap bytes) the canonical name or the
 * input. Returns 0, or -ENOENT (no such name / no address of that family),
 * -ETIMEDOUT, -EINVAL (not an address nor a host name; no query is sent),
 * -EINTR (a signal interrupted the wait), -ECONNREFUSED or -EIO (the
 * servers failed), -ENOMEM. ::ffff:a.b.c.d counts as IPv4.
 */
int resolver_lookup_host(struct resolver *r, const char *host, int family, struct in6_addr *out,
			 int *out_family, char *canon, size_t cap, int timeout_ms);

/* Start a PTR lookup of addr unless one is cached or under way. */
void resolver_ptr_start(struct resolver *r, const struct in6_addr *addr);

/*
 * State of the PTR lookup of addr: returns 1 when finished (then *name is
 * the name, or NULL when there is none or it failed), 0 while under way or
 * never started (or evicted). *name stays valid until the next
 * resolver_ptr_start() or resolver_free(): copy it to keep it.
 */
int resolver_ptr_get(struct resolver *r, const struct in6_addr *addr, const char **name);

/*
 * The origin AS of addr from Team Cymru's DNS (mtr -z): a TXT lookup
 * under origin.asn.cymru.com (IPv6: origin6) on the PTR lookups' channel
 * and cache, so the same event loop drives it. _get as resolver_ptr_get:
 * 1 when finished, *out then holds the origins (n 0: none or failed).
 */
void resolver_asn_start(struct resolver *r, const struct in6_addr *addr);
int resolver_asn_get(struct resolver *r, const struct in6_addr *addr, struct asn_ann *out);

/* The fds c-ares wants polled; fills at most max, returns how many. */
int resolver_pollfds(struct resolver *r, struct pollfd *fds, int max);
/* After poll(): let c-ares read/write what is ready and run its timers. */
void resolver_process(struct resolver *r, const struct pollfd *fds, int n);
/* Milliseconds until c-ares needs resolver_process() for its own timers
 * (capped at max_ms); -1 if nothing is pending. */
int resolver_timeout_ms(struct resolver *r, int max_ms);
/* Lookups still under way */
int resolver_pending(struct resolver *r);

/*
 * name if it is safe to print as is into text and JSON: 1 to 253
 * characters of [A-Za-z0-9._-] (one trailing dot allowed); NULL otherwise.
 * PTR and CNAME answers say whatever the owner of the zone wants, so a
 * name with anything else in it is dropped, never escaped or cut.
 */
const char *resolver_name_sanitise(const char *name);

#endif
