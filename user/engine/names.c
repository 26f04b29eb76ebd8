// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include "core/log.h"
#include "engine/names.h"
#include "core/signals.h"
#include "net/addr.h"
#include "net/resolve.h"

#define RESOLVE_HOST_TIMEOUT_MS 5000

static const char *why(int err, int family)
{
	switch (err) {
	case -ETIMEDOUT:
		return "name lookup timed out";
	case -ENOENT:
		return family ? "no address of that family" : "Name or service not known";
	case -EINVAL:
		return "not a valid host name";
	default:
		return "name lookup failed (DNS server error)";
	}
}

int engine_resolve_host(struct resolver *res, const char *host, int family, struct in6_addr *out,
			int *out_family, char *canon, size_t cap)
{
	struct resolver *r = res;
	int err;

	if (addr_parse(host, family, out, out_family) == 0) {
		if (canon)
			snprintf(canon, cap, "%s", host);
		return 0;
	}
	if (!r && !(r = resolver_new()))
		return 1;
	err = resolver_lookup_host(r, host, family, out, out_family, canon, cap,
				   RESOLVE_HOST_TIMEOUT_MS);
	if (r != res)
		resolver_free(r);
	if (err == -EINTR || xhop_stop)
		return signals_exit_code();
	if (err) {
		log_err("xhop: %s: %s\n", host, why(err, family));
		return 2;
	}
	return 0;
}
