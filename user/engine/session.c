// SPDX-License-Identifier: GPL-2.0
/*
 * A run's session, set up once for every mode: the interface every
 * target routes through, the source address of each family, the run's
 * secret key and flow identifier, the probe template per family, the
 * receiver (XDP and tcx egress) and the sender.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <net/if.h>
#include <sys/random.h>
#include "core/log.h"
#include "core/units.h"
#include "engine/engine.h"
#include "engine/privs.h"
#include "net/addr.h"
#include "net/route.h"

/* "NAME (ADDR)", or "ADDR" when the name is the address or unknown */
static const char *target_str(const char *name, const struct in6_addr *a, char *buf, size_t len)
{
	char s[ADDR_STRLEN];

	addr_str(a, s);
	if (name && strcmp(name, s))
		snprintf(buf, len, "%s (%s)", name, s);
	else
		snprintf(buf, len, "%s", s);
	return buf;
}

/* A target's route: its interface, or the exit code (reported) */
static int route_of(const struct in6_addr *a, const char *name, int oif, int *ifindex)
{
	struct route_info ri;
	char t[300];
	int err = route_lookup(a, addr_is_v4(a) ? 4 : 6, oif, &ri);

	if (err) {
		log_err("xhop: route to %s: %s\n", target_str(name, a, t, sizeof(t)),
			strerror(-err));
		return 1;
	}
	*ifindex = ri.ifindex;
	return 0;
}

/* Two targets that leave through different interfaces: one run, one interface */
static int two_interfaces(const struct engine *e, const struct in6_addr *a0, const char *n0,
			  int if0, const struct in6_addr *a1, const char *n1, int if1)
{
	char t0[300], t1[300], i0[IF_NAMESIZE] = "?", i1[IF_NAMESIZE] = "?";

	if_indextoname((unsigned int)if0, i0);
	if_indextoname((unsigned int)if1, i1);
	log_err("%s: targets route via different interfaces: %s via %s, %s via %s; one run "
			"watches one interface (run one per interface, or pick one with -i)\n",
		e->cfg.who, target_str(n0, a0, t0, sizeof(t0)), i0, target_str(n1, a1, t1, sizeof(t1)),
		i1);
	return 1;
}

/* The interface every target routes through (the programs attach to it) */
static int pick_interface(struct engine *e)
{
	const struct engine_cfg *c = &e->cfg;
	const struct in6_addr *a0 = NULL;
	const char *n0 = NULL;
	int oif = 0, ifindex;

	if (c->ifname) {
		oif = (int)if_nametoindex(c->ifname);
		if (!oif) {
			log_err("xhop: interface %s: %s\n", c->ifname, strerror(errno));
			return 2;
		}
	}
	for (size_t i = 0; i < (c->ncheck ? c->ncheck : 2); i++) {
		const struct in6_addr *a = c->ncheck ? &c->check[i] : &c->first[i];
		const char *name = c->ncheck ? c->check_names[i] : c->first_name[i];

		if (!c->ncheck && !c->has[i])
			continue;
		if (route_of(a, name, oif, &ifindex))
			return 1;
		if (!a0) {
			a0 = a;
			n0 = name;
			e->s.ifindex = ifindex;
		} else if (ifindex != e->s.ifindex) {
			return two_interfaces(e, a0, n0, e->s.ifindex, a, name, ifindex);
		}
	}
	if (!if_indextoname((unsigned int)e->s.ifindex, e->s.ifname))
		snprintf(e->s.ifname, sizeof(e->s.ifname), "?");
	return 0;
}

/* The source address of family f: -s (which must be ours), or the route's */
static int pick_source(struct engine *e, int f)
{
	const struct engine_cfg *c = &e->cfg;
	int family = f ? 6 : 4, fam, err;
	char t[300];

	if (c->source) {
		if (addr_parse(c->source, family, &e->s.src[f], &fam)) {
			log_err("xhop: -s: '%s' is not an IPv%d address (the targets include "
					"IPv%d)\n", c->source, family, family);
			return 2;
		}
		err = route_source_is_local(&e->s.src[f], family, c->ifname);
		if (err) {
			log_err("xhop: -s %s: %s\n", c->source, strerror(-err));
			return 1;
		}
		return 0;
	}
	err = route_source(&c->first[f], family, c->ifname, &e->s.src[f]);
	if (err) {
		log_err("xhop: source address for %s: %s\n",
			target_str(c->first_name[f], &c->first[f], t, sizeof(t)), strerror(-err));
		return 1;
	}
	return 0;
}

/* The probe size of a family: as asked, else 60 (IPv4) or 80 (IPv6) bytes,
 * never below what the method needs (TCP: exactly that)
 */
static int probe_size_of(const struct engine_cfg *c, int family)
{
	int size = c->size ? c->size : family == 6 ? 80 : 60;

	if (c->method == METHOD_TCP || size < (int)probe_min_size(family, c->method))
		size = (int)probe_min_size(family, c->method);
	return size;
}

/*
 * The run's secret and flow: a random source port and ICMP checksum per
 * run, the Paris flow id of every target, and one more thing a blind
 * forger must guess
 */
static int pick_key_and_flow(struct engine *e)
{
	const struct engine_cfg *c = &e->cfg;
	__u16 rnd[2];

	if (getrandom(&e->s.key, sizeof(e->s.key), 0) != sizeof(e->s.key) ||
	    getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd)) {
		log_err("xhop: getrandom: %s\n", strerror(errno));
		return 1;
	}
	/* ~2^15.98 choices; the run's flows all fit below 65536 */
	e->s.sport = (__u16)(1024 + rnd[0] % (65536 - 1024 - (c->flows > 1 ? c->flows : 1) + 1));
	e->s.icmp_sum = rnd[1] | 1;
	e->s.dport = (__u16)(c->port ? c->port
				     : c->method == METHOD_TCP ? DEFAULT_TCP_PORT : DEFAULT_UDP_PORT);
	for (int f = 0; f < 2; f++) {
		struct probe_spec *b = &e->s.base[f];

		memset(b, 0, sizeof(*b));
		b->src = e->s.src[f];
		b->sport = e->s.sport;
		b->dport = e->s.dport;
		b->icmp_sum = e->s.icmp_sum;
		b->family = (__u8)(f ? 6 : 4);
		b->method = (__u8)c->method;
		b->tos = (__u8)c->tos;
		b->size = (__u16)probe_size_of(c, f ? 6 : 4);
	}
	return 0;
}

/* The receiver: this run's key, flow and protocol */
static int start_receiver(struct engine *e, void *ctx, loader_event_fn on_event)
{
	const struct engine_cfg *c = &e->cfg;
	int f = c->has[0] ? 0 : 1;
	struct loader_cfg lc = {
		.key = &e->s.key,
		/* for ICMP too: with both families the protocol filter is off,
		 * and the run's port is then what shuts out forged UDP and TCP
		 * answers, whose MAC is 16 bits
		 */
		.sport = e->s.sport,
		.sport_span = (__u16)(c->flows > 1 ? c->flows : 1),
		.proto = probe_method_proto(f ? 6 : 4, c->method),
		.rx_no_wakeup = (__u8)c->no_wakeup,
	};

	/* ICMP has a protocol per family: with both, the filter takes either
	 * (the MAC still binds each answer to its probe's protocol)
	 */
	if (c->has[0] && c->has[1] && c->method == METHOD_ICMP)
		lc.proto = 0;
	return loader_start_cfg(&e->ld, e->s.ifindex, &lc, on_event, ctx) ? 1 : 0;
}

/* The sender, once the receiver runs: the generator rides on it */
static int open_sender(struct engine *e)
{
	const struct engine_cfg *c = &e->cfg;
	struct sender_cfg sc = {
		.kind = c->sender,
		.ifindex = e->s.ifindex,
		.ifname = c->ifname,
		.key = &e->s.key,
		.rx = &e->ld,
		.who = c->who,
		.say = c->sender == SENDER_AUTO,
		.verbose = c->verbose,
		.flows = c->flows,
	};

	for (int f = 0; f < 2; f++) {
		sc.has[f] = c->has[f];
		sc.base[f] = e->s.base[f];
		sc.first[f] = c->first[f];
	}
	if (sender_open(&e->tx, &sc))
		return 1;
	e->tx_open = 1;
	return 0;
}

int engine_session_open(struct engine *e, void *ctx, loader_event_fn on_event)
{
	int rc;

	if (privs_check())
		return 1;
	rc = pick_interface(e);
	for (int f = 0; !rc && f < 2; f++)
		if (e->cfg.has[f])
			rc = pick_source(e, f);
	if (!rc)
		rc = pick_key_and_flow(e);
	if (!rc)
		rc = start_receiver(e, ctx, on_event);
	if (!rc)
		rc = open_sender(e);
	return rc;
}
