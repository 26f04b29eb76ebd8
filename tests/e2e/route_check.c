// SPDX-License-Identifier: GPL-2.0
/*
 * What user/net/route.c says of each address given, one line each:
 * "ADDR one_gateway=N", N route_one_gateway()'s answer for the route out
 * of IFACE (xhop multipath takes the first hop as known when it is 1).
 * For tests/e2e/test_route.sh, inside a namespace of its own.
 *
 * Usage: route_check IFACE ADDR...   (exit 2 on a bad argument)
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include "net/route.h"

int main(int argc, char **argv)
{
	int oif;

	if (argc < 3) {
		fprintf(stderr, "usage: route_check IFACE ADDR...\n");
		return 2;
	}
	oif = (int)if_nametoindex(argv[1]);
	if (!oif) {
		fprintf(stderr, "route_check: no interface %s\n", argv[1]);
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		struct in6_addr a = { 0 };
		int fam = strchr(argv[i], ':') ? 6 : 4;

		/* IPv4 as ::ffff:a.b.c.d, as the rest of xhop holds it */
		if (fam == 4) {
			a.s6_addr[10] = a.s6_addr[11] = 0xff;
			if (inet_pton(AF_INET, argv[i], &a.s6_addr[12]) != 1)
				goto bad;
		} else if (inet_pton(AF_INET6, argv[i], &a) != 1) {
			goto bad;
		}
		printf("%s one_gateway=%d\n", argv[i], route_one_gateway(&a, fam, oif));
		continue;
bad:
		fprintf(stderr, "route_check: not an address: %s\n", argv[i]);
		return 2;
	}
	return 0;
}
