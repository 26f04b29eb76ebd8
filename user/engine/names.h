/* SPDX-License-Identifier: GPL-2.0 */
/* A target given by name: its address, before the session is set up */
#ifndef XHOP_ENGINE_NAMES_H
#define XHOP_ENGINE_NAMES_H

#include <stddef.h>
#include <netinet/in.h>

struct resolver;

/*
 * host as an address literal, or looked up through res (NULL: a resolver
 * of its own for the lookup). family: 0 (either), 4, 6. canon (cap
 * bytes, may be NULL): the canonical name, or host as given. Returns the
 * exit code: 0, 2 (no such name, reported as "xhop: HOST: reason"), 1
 * (out of memory), or 128 + signal when a signal cut the lookup short.
 */
int engine_resolve_host(struct resolver *res, const char *host, int family, struct in6_addr *out,
			int *out_family, char *canon, size_t cap);

#endif
