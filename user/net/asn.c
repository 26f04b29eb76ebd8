// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "net/asn.h"
#include "net/asn_db.h"
#include "net/resolve.h"

int asn_lookup_open(struct asn_lookup *l, int aslookup, const char *db_path,
		    struct resolver *res)
{
	memset(l, 0, sizeof(*l));
	if (db_path) {
		l->db = asn_db_open(db_path);
		/* a file that cannot be used is a bad option: 2, as a bad
		 * target list; only memory is a runtime failure
		 */
		if (!l->db)
			return errno == ENOMEM ? 1 : 2;
		return 0; /* a file given wins over DNS: offline is why it was given */
	}
	if (aslookup)
		l->res = res;
	return 0;
}

void asn_lookup_close(struct asn_lookup *l)
{
	if (!l)
		return;
	asn_db_free(l->db);
	memset(l, 0, sizeof(*l));
}

void asn_start(struct asn_lookup *l, const struct in6_addr *addr)
{
	if (l && l->res && !l->db)
		resolver_asn_start(l->res, addr);
}

int asn_get(struct asn_lookup *l, const struct in6_addr *addr, struct asn_ann *out)
{
	memset(out, 0, sizeof(*out));
	if (!l)
		return 0;
	if (l->db) {
		asn_db_lookup(l->db, addr, out);
		return 1;
	}
	return l->res ? resolver_asn_get(l->res, addr, out) : 0;
}

int asn_annotate(struct asn_lookup *l, struct probe_rec *p, int n)
{
	int ready = 1;

	if (!asn_on(l))
		return 1;
	for (int i = 0; i < n; i++) {
		if (!p[i].answered)
			continue;
		asn_start(l, &p[i].reply.from);
		if (!asn_get(l, &p[i].reply.from, &p[i].asn))
			ready = 0;
	}
	return ready;
}

const char *asn_text(const struct asn_ann *a, char *buf, size_t cap)
{
	size_t off;

	if (!a->n) {
		snprintf(buf, cap, "AS???");
		return buf;
	}
	snprintf(buf, cap, "AS%u", a->asn[0]);
	for (int i = 1; i < a->n; i++) {
		off = strlen(buf);
		snprintf(buf + off, cap - off, "/%u", a->asn[i]);
	}
	return buf;
}
