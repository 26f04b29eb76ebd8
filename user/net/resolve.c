// SPDX-License-Identifier: GPL-2.0
/*
 * Names through c-ares. Two channels: the blocking forward lookup can
 * cancel everything on its own channel when its deadline passes without
 * touching the PTR lookups that the caller's event loop drives. Origin
 * AS lookups (-z: Team Cymru's TXT names) share the PTR channel and its
 * cache: the same event loop drives both, keyed by (address, kind).
 *
 * PTR and TXT answers live in a ring of RESOLVER_CACHE_MAX slots in insertion
 * order (slot = seq % MAX), indexed by a chained hash on the address. The
 * ring makes "evict the oldest" free, and the insertion number seq is the
 * generation a late answer must match: a slot reused while its query was
 * on the wire must not take the old query's name.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <netdb.h>
#include <arpa/inet.h>
#include <sys/random.h>
#include <ares.h>
#include "core/log.h"
#include "net/asn_txt.h"
#include "net/resolve.h"
#include "xhop_siphash.h"

/* Power of two, twice the entries: chains stay about one long */
#define RESOLVER_BUCKETS (2 * RESOLVER_CACHE_MAX)
/* DNS names: 253 characters of text, 255 bytes on the wire (RFC 1035) */
#define RESOLVER_NAME_MAX 253

_Static_assert((RESOLVER_BUCKETS & (RESOLVER_BUCKETS - 1)) == 0, "buckets: power of two");

enum lookup_kind {
	KIND_PTR = 0,
	KIND_ASN, /* TXT under origin(6).asn.cymru.com */
};

struct ptr_entry {
	struct in6_addr addr;
	char *name;	    /* KIND_PTR: sanitised, or NULL: no name or failed */
	struct asn_ann asn; /* KIND_ASN: n 0: none or failed */
	__u64 seq;	    /* insertion number: the generation an answer must match */
	int next;	    /* hash chain: slot index, -1 ends */
	__u8 kind;	    /* enum lookup_kind */
	__u8 used;
	__u8 done;
};

/* What a PTR callback needs to find its entry, if it is still there */
struct ptr_query {
	struct resolver *r;
	__u64 seq;
};

struct resolver {
	ares_channel fwd; /* resolver_lookup_host() only */
	ares_channel ptr;
	struct ptr_entry *slots; /* RESOLVER_CACHE_MAX */
	int *buckets;		 /* RESOLVER_BUCKETS heads, -1 empty */
	__u64 next_seq;		 /* seq of the next insertion */
	__u64 send_seq;		 /* entries from here to next_seq wait to be sent */
	__u64 hash_k0, hash_k1;
	int inflight;
	int pumping;
};

struct fwd_query {
	struct ares_addrinfo *ai;
	int status;
	int done;
};

/* c-ares keeps process-wide state: initialise it while any resolver lives */
static int ares_users;

const char *resolver_name_sanitise(const char *name)
{
	size_t len, text;

	if (!name)
		return NULL;
	len = strlen(name);
	text = len && name[len - 1] == '.' ? len - 1 : len; /* the root's dot is free */
	if (text == 0 || text > RESOLVER_NAME_MAX)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		/* not isalnum(): the locale must not widen what reaches JSON */
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '.' || c == '-' || c == '_')
			continue;
		return NULL;
	}
	return name;
}

static int ares_to_errno(int status)
{
	switch (status) {
	case ARES_SUCCESS:
		return 0;
	case ARES_ENOTFOUND:
	case ARES_ENODATA:
	case ARES_ENONAME:
		return -ENOENT;
	case ARES_ETIMEOUT:
	case ARES_ECANCELLED: /* we cancel only when the deadline passed */
		return -ETIMEDOUT;
	case ARES_EBADNAME:
	case ARES_EBADFAMILY:
	case ARES_EBADFLAGS:
	case ARES_EBADHINTS:
	case ARES_EBADSTR:
		return -EINVAL;
	case ARES_ENOMEM:
		return -ENOMEM;
	case ARES_ECONNREFUSED:
		return -ECONNREFUSED;
	default: /* SERVFAIL, REFUSED, malformed answers, unreadable files */
		return -EIO;
	}
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void addr_to_mapped(const struct in_addr *a4, struct in6_addr *out)
{
	memset(out, 0, sizeof(*out));
	out->s6_addr[10] = 0xff;
	out->s6_addr[11] = 0xff;
	memcpy(&out->s6_addr[12], a4, 4);
}

/* ---- the c-ares event loop, shared by both channels ---- */

static int channel_pollfds(ares_channel ch, struct pollfd *fds, int max)
{
	ares_socket_t socks[ARES_GETSOCK_MAXNUM];
	int bits, n = 0;

	bits = ares_getsock(ch, socks, ARES_GETSOCK_MAXNUM);
	for (int i = 0; i < ARES_GETSOCK_MAXNUM && n < max; i++) {
		short events = 0;

		if (ARES_GETSOCK_READABLE(bits, i))
			events |= POLLIN;
		if (ARES_GETSOCK_WRITABLE(bits, i))
			events |= POLLOUT;
		if (!events)
			break; /* ares_getsock() fills from index 0 without gaps */
		fds[n].fd = socks[i];
		fds[n].events = events;
		fds[n].revents = 0;
		n++;
	}
	return n;
}

static void channel_process(ares_channel ch, const struct pollfd *fds, int n)
{
	for (int i = 0; i < n; i++) {
		ares_socket_t rfd = ARES_SOCKET_BAD, wfd = ARES_SOCKET_BAD;

		/* POLLERR, POLLHUP: the read reports the error (ICMP port
		 * unreachable, closed TCP) and c-ares moves to the next server
		 */
		if (fds[i].revents & (POLLIN | POLLERR | POLLHUP))
			rfd = fds[i].fd;
		if (fds[i].revents & POLLOUT)
			wfd = fds[i].fd;
		if (rfd != ARES_SOCKET_BAD || wfd != ARES_SOCKET_BAD)
			ares_process_fd(ch, rfd, wfd);
	}
	/* no fd at all: only retransmissions and timeouts */
	ares_process_fd(ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
}

static int channel_timeout_ms(ares_channel ch, int max_ms)
{
	struct timeval buf, *tv;
	long long ms;

	/* without maxtv, NULL means no query at all */
	tv = ares_timeout(ch, NULL, &buf);
	if (!tv)
		return -1;
	/* round up: waking a millisecond early would spin until it is due */
	ms = (long long)tv->tv_sec * 1000 + (tv->tv_usec + 999) / 1000;
	if (max_ms >= 0 && ms > max_ms)
		ms = max_ms;
	return (int)ms;
}

/* ---- forward lookups ---- */

static void fwd_cb(void *arg, int status, int timeouts, struct ares_addrinfo *res)
{
	struct fwd_query *q = arg;

	(void)timeouts;
	q->status = status;
	q->ai = res;
	q->done = 1;
}

static int fwd_wait(struct resolver *r, struct fwd_query *q, int timeout_ms)
{
	long long deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	struct pollfd fds[ARES_GETSOCK_MAXNUM];

	while (!q->done) {
		long long left = deadline - now_ms();
		int n, wait;

		if (left <= 0)
			return -ETIMEDOUT;
		n = channel_pollfds(r->fwd, fds, ARES_GETSOCK_MAXNUM);
		wait = channel_timeout_ms(r->fwd, (int)left);
		if (wait < 0 && n == 0)
			return -EIO; /* c-ares has nothing to wait for: it never calls back */
		if (wait < 0)
			wait = (int)left;
		if (poll(fds, n, wait) < 0) {
			if (errno == EINTR)
				return -EINTR; /* SIGINT must not wait for DNS */
			return -errno;
		}
		channel_process(r->fwd, fds, n);
	}
	return 0;
}

/* 1 when host is not an address literal */
static int parse_literal(const char *host, int family, struct in6_addr *out, int *out_family)
{
	struct in6_addr a6;
	struct in_addr a4;
	int got;

	if (inet_pton(AF_INET, host, &a4) == 1) {
		addr_to_mapped(&a4, &a6);
		got = 4;
	} else if (inet_pton(AF_INET6, host, &a6) == 1) {
		/* xhop stores IPv4 as mapped: the same bits are the same host */
		got = IN6_IS_ADDR_V4MAPPED(&a6) ? 4 : 6;
	} else {
		return 1;
	}
	if (family && family != got)
		return -ENOENT;
	*out = a6;
	*out_family = got;
	return 0;
}

/* Digits and dots only but no IPv4 address ("1.2.3", "300.1.1.1"): no
 * top-level domain is all digits, so asking DNS would only leak a typo.
 */
static int looks_numeric(const char *host)
{
	for (const char *p = host; *p; p++)
		if ((*p < '0' || *p > '9') && *p != '.')
			return 0;
	return 1;
}

static const char *canon_name(const struct ares_addrinfo *ai)
{
	const struct ares_addrinfo_cname *c;
	const char *name = ai->name;

	/* the CNAME chain is in answer order: its last target owns the address */
	for (c = ai->cnames; c; c = c->next)
		if (c->name)
			name = c->name;
	return resolver_name_sanitise(name);
}

static int pick_addr(const struct ares_addrinfo *ai, int want, struct in6_addr *out,
		     int *out_family)
{
	const struct ares_addrinfo_node *n;

	for (n = ai->nodes; n; n = n->ai_next) {
		if (n->ai_family == AF_INET && want == AF_INET) {
			const struct sockaddr_in *sin = (const void *)n->ai_addr;

			addr_to_mapped(&sin->sin_addr, out);
			*out_family = 4;
			return 0;
		}
		if (n->ai_family == AF_INET6 && want == AF_INET6) {
			const struct sockaddr_in6 *sin6 = (const void *)n->ai_addr;

			/* a mapped AAAA would read as IPv4 everywhere else */
			if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr))
				continue;
			*out = sin6->sin6_addr;
			*out_family = 6;
			return 0;
		}
	}
	return -ENOENT;
}

int resolver_lookup_host(struct resolver *r, const char *host, int family, struct in6_addr *out,
			 int *out_family, char *canon, size_t cap, int timeout_ms)
{
	struct ares_addrinfo_hints hints = { .ai_flags = ARES_AI_CANONNAME };
	struct fwd_query q = { 0 };
	const char *name;
	int err;

	if (!r || !host || !out || !out_family || (family != 0 && family != 4 && family != 6))
		return -EINVAL;
	err = parse_literal(host, family, out, out_family);
	if (err <= 0) {
		if (!err && canon && cap)
			snprintf(canon, cap, "%s", host);
		return err;
	}
	if (!resolver_name_sanitise(host) || looks_numeric(host))
		return -EINVAL;

	hints.ai_family = family == 4 ? AF_INET : family == 6 ? AF_INET6 : AF_UNSPEC;
	ares_getaddrinfo(r->fwd, host, NULL, &hints, fwd_cb, &q);
	err = fwd_wait(r, &q, timeout_ms);
	if (err) {
		/* calls fwd_cb (ARES_ECANCELLED) at once: q may then go */
		ares_cancel(r->fwd);
		goto out_free;
	}
	err = ares_to_errno(q.status);
	if (err)
		goto out_free;
	if (!q.ai) {
		err = -EIO;
		goto out_free;
	}
	/* traceroute's default: IPv4 first when the family is open */
	if (family == 6)
		err = pick_addr(q.ai, AF_INET6, out, out_family);
	else if (family == 4)
		err = pick_addr(q.ai, AF_INET, out, out_family);
	else if (pick_addr(q.ai, AF_INET, out, out_family))
		err = pick_addr(q.ai, AF_INET6, out, out_family);
	if (err)
		goto out_free;
	if (canon && cap) {
		name = canon_name(q.ai);
		snprintf(canon, cap, "%s", name ? name : host);
	}

out_free:
	if (q.ai)
		ares_freeaddrinfo(q.ai);
	return err;
}

/* ---- PTR lookups and their cache ---- */

static unsigned int addr_hash(const struct resolver *r, const struct in6_addr *addr, int kind)
{
	__u64 w0, w1;

	/* keyed: hop addresses are chosen by whoever sends the ICMP, and an
	 * unkeyed hash would let them stack every entry in one chain
	 */
	memcpy(&w0, &addr->s6_addr[0], 8);
	memcpy(&w1, &addr->s6_addr[8], 8);
	return xhop_siphash13_3w(r->hash_k0, r->hash_k1, w0, w1, (__u64)kind) &
	       (RESOLVER_BUCKETS - 1);
}

static int cache_find(const struct resolver *r, const struct in6_addr *addr, int kind)
{
	for (int i = r->buckets[addr_hash(r, addr, kind)]; i >= 0; i = r->slots[i].next)
		if (r->slots[i].kind == kind && !memcmp(&r->slots[i].addr, addr, sizeof(*addr)))
			return i;
	return -1;
}

static void cache_unlink(struct resolver *r, int slot)
{
	int *link = &r->buckets[addr_hash(r, &r->slots[slot].addr, r->slots[slot].kind)];

	while (*link >= 0 && *link != slot)
		link = &r->slots[*link].next;
	if (*link == slot)
		*link = r->slots[slot].next;
}

static void ptr_pump(struct resolver *r);

/* The entry a callback answers, if it is still the one asked about;
 * NULL also when the resolver is being freed. Frees the query.
 */
static struct ptr_entry *answered(struct ptr_query *pq, int status, struct resolver **rp)
{
	struct resolver *r = pq->r;
	__u64 seq = pq->seq;
	struct ptr_entry *e;

	free(pq);
	r->inflight--;
	*rp = r;
	if (status == ARES_EDESTRUCTION)
		return NULL; /* resolver_free(): the table goes next */
	e = &r->slots[seq % RESOLVER_CACHE_MAX];
	if (!e->used || e->seq != seq || e->done)
		return NULL;
	e->done = 1;
	return e;
}

static void ptr_cb(void *arg, int status, int timeouts, struct hostent *h)
{
	struct resolver *r;
	struct ptr_entry *e = answered(arg, status, &r);
	const char *name;

	(void)timeouts;
	if (e) {
		name = status == ARES_SUCCESS && h ? resolver_name_sanitise(h->h_name) : NULL;
		/* no memory: the hop goes without a name, as if it had none */
		e->name = name ? strdup(name) : NULL;
	}
	if (status != ARES_EDESTRUCTION)
		ptr_pump(r);
}

/* The first TXT record's text, its character-strings joined (RFC 1035
 * splits text at 255 bytes; Cymru's lines are shorter, but a server may
 * split anyway), parsed as Cymru's "ASN | prefix | CC | registry | date"
 */
static void txt_answer(struct ptr_entry *e, const unsigned char *abuf, int alen)
{
	struct ares_txt_ext *txt = NULL;
	char text[512];
	size_t len = 0;

	if (ares_parse_txt_reply_ext(abuf, alen, &txt) != ARES_SUCCESS)
		return;
	for (struct ares_txt_ext *t = txt; t; t = t->next) {
		if (t->record_start && t != txt)
			break;
		if (t->length > sizeof(text) - len)
			break;
		memcpy(text + len, t->txt, t->length);
		len += t->length;
	}
	ares_free_data(txt);
	/* a malformed answer counts as none: AS??? as mtr shows it */
	if (asn_txt_parse(text, len, &e->asn))
		e->asn.n = 0;
}

static void txt_cb(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct resolver *r;
	struct ptr_entry *e = answered(arg, status, &r);

	(void)timeouts;
	if (e && status == ARES_SUCCESS && abuf)
		txt_answer(e, abuf, alen);
	if (status != ARES_EDESTRUCTION)
		ptr_pump(r);
}

static void lookup_send(struct resolver *r, struct ptr_entry *e, struct ptr_query *pq)
{
	char qname[ASN_QNAME_MAX];
	struct in_addr a4;

	if (e->kind == KIND_ASN) {
		if (asn_txt_qname(&e->addr, qname, sizeof(qname))) {
			txt_cb(pq, ARES_EBADNAME, 0, NULL, 0);
			return;
		}
		ares_query(r->ptr, qname, 1 /* C_IN */, 16 /* T_TXT */, txt_cb, pq);
		return;
	}
	if (IN6_IS_ADDR_V4MAPPED(&e->addr)) {
		memcpy(&a4, &e->addr.s6_addr[12], 4);
		ares_gethostbyaddr(r->ptr, &a4, sizeof(a4), AF_INET, ptr_cb, pq);
	} else {
		ares_gethostbyaddr(r->ptr, &e->addr, sizeof(e->addr), AF_INET6, ptr_cb, pq);
	}
}

/* Send waiting entries, oldest first, up to RESOLVER_PTR_INFLIGHT */
static void ptr_pump(struct resolver *r)
{
	/* a lookup answered from /etc/hosts calls back inside
	 * ares_gethostbyaddr(), and the callback pumps: the outer loop
	 * goes on instead of recursing once per queued entry
	 */
	if (r->pumping)
		return;
	r->pumping = 1;
	while (r->inflight < RESOLVER_PTR_INFLIGHT && r->send_seq < r->next_seq) {
		__u64 seq = r->send_seq++;
		struct ptr_entry *e = &r->slots[seq % RESOLVER_CACHE_MAX];
		struct ptr_query *pq = malloc(sizeof(*pq));

		if (!pq) {
			e->done = 1;
			continue;
		}
		pq->r = r;
		pq->seq = seq;
		r->inflight++;
		lookup_send(r, e, pq);
	}
	r->pumping = 0;
}

static void lookup_start(struct resolver *r, const struct in6_addr *addr, int kind)
{
	__u64 seq;
	struct ptr_entry *e;
	unsigned int b;
	int slot;

	if (!r || !addr || cache_find(r, addr, kind) >= 0)
		return;
	seq = r->next_seq++;
	slot = seq % RESOLVER_CACHE_MAX;
	e = &r->slots[slot];
	if (e->used) {
		/* the oldest goes; its query, if on the wire, finds seq changed */
		cache_unlink(r, slot);
		free(e->name);
	}
	b = addr_hash(r, addr, kind);
	*e = (struct ptr_entry){ .addr = *addr, .seq = seq, .next = r->buckets[b],
				 .kind = (__u8)kind, .used = 1 };
	r->buckets[b] = slot;
	/* evicted before its turn: never send it */
	if (r->next_seq - r->send_seq > RESOLVER_CACHE_MAX)
		r->send_seq = r->next_seq - RESOLVER_CACHE_MAX;
	ptr_pump(r);
}

void resolver_ptr_start(struct resolver *r, const struct in6_addr *addr)
{
	lookup_start(r, addr, KIND_PTR);
}

void resolver_asn_start(struct resolver *r, const struct in6_addr *addr)
{
	lookup_start(r, addr, KIND_ASN);
}

/* The finished entry of (addr, kind), or NULL: not asked, under way, evicted */
static const struct ptr_entry *lookup_done(struct resolver *r, const struct in6_addr *addr,
					   int kind)
{
	int slot;

	if (!r || !addr)
		return NULL;
	slot = cache_find(r, addr, kind);
	return slot >= 0 && r->slots[slot].done ? &r->slots[slot] : NULL;
}

int resolver_asn_get(struct resolver *r, const struct in6_addr *addr, struct asn_ann *out)
{
	const struct ptr_entry *e = lookup_done(r, addr, KIND_ASN);

	if (out)
		*out = e ? e->asn : (struct asn_ann){ 0 };
	return e != NULL;
}

int resolver_ptr_get(struct resolver *r, const struct in6_addr *addr, const char **name)
{
	const struct ptr_entry *e = lookup_done(r, addr, KIND_PTR);

	if (name)
		*name = e ? e->name : NULL;
	return e != NULL;
}

int resolver_pollfds(struct resolver *r, struct pollfd *fds, int max)
{
	if (!r || !fds || max <= 0)
		return 0;
	return channel_pollfds(r->ptr, fds, max);
}

void resolver_process(struct resolver *r, const struct pollfd *fds, int n)
{
	if (!r)
		return;
	channel_process(r->ptr, fds, fds ? n : 0);
}

int resolver_timeout_ms(struct resolver *r, int max_ms)
{
	if (!r)
		return -1;
	return channel_timeout_ms(r->ptr, max_ms);
}

int resolver_pending(struct resolver *r)
{
	if (!r)
		return 0;
	return r->inflight + (int)(r->next_seq - r->send_seq);
}

/* ---- life cycle ---- */

static int channel_new(ares_channel *ch, const char *servers)
{
	struct ares_options opts = { 0 };
	char lookups[] = "b";
	int status;

	if (!servers)
		return ares_init_options(ch, &opts, 0);
	/* the host's search list and /etc/hosts would leak into tests */
	opts.ndomains = 0;
	opts.domains = NULL;
	opts.lookups = lookups;
	status = ares_init_options(ch, &opts, ARES_OPT_DOMAINS | ARES_OPT_LOOKUPS);
	if (status != ARES_SUCCESS)
		return status;
	status = ares_set_servers_ports_csv(*ch, servers);
	if (status != ARES_SUCCESS) {
		ares_destroy(*ch);
		*ch = NULL;
	}
	return status;
}

static struct resolver *resolver_create(const char *servers)
{
	const char *what = servers ? servers : "/etc/resolv.conf";
	struct resolver *r;
	int status, err;
	__u64 key[2];

	r = calloc(1, sizeof(*r));
	if (!r) {
		err = -ENOMEM;
		log_err("xhop: create resolver: %s\n", strerror(-err));
		goto err_out;
	}
	if (ares_users++ == 0) {
		status = ares_library_init(ARES_LIB_INIT_ALL);
		if (status != ARES_SUCCESS) {
			err = ares_to_errno(status);
			log_err("xhop: init c-ares: %s\n", ares_strerror(status));
			goto err_lib;
		}
	}
	status = channel_new(&r->fwd, servers);
	if (status != ARES_SUCCESS) {
		err = ares_to_errno(status);
		log_err("xhop: configure resolver from %s: %s\n", what, ares_strerror(status));
		goto err_lib;
	}
	status = channel_new(&r->ptr, servers);
	if (status != ARES_SUCCESS) {
		err = ares_to_errno(status);
		log_err("xhop: configure resolver from %s: %s\n", what, ares_strerror(status));
		goto err_fwd;
	}
	r->slots = calloc(RESOLVER_CACHE_MAX, sizeof(*r->slots));
	r->buckets = malloc(RESOLVER_BUCKETS * sizeof(*r->buckets));
	if (!r->slots || !r->buckets) {
		err = -ENOMEM;
		log_err("xhop: create name cache: %s\n", strerror(-err));
		goto err_table;
	}
	memset(r->buckets, 0xff, RESOLVER_BUCKETS * sizeof(*r->buckets)); /* all -1 */
	/* no entropy yet (early boot): a zero key still works, only guessably */
	if (getrandom(key, sizeof(key), GRND_NONBLOCK) == sizeof(key)) {
		r->hash_k0 = key[0];
		r->hash_k1 = key[1];
	}
	return r;

err_table:
	free(r->buckets);
	free(r->slots);
	ares_destroy(r->ptr);
err_fwd:
	ares_destroy(r->fwd);
err_lib:
	if (--ares_users == 0)
		ares_library_cleanup();
	free(r);
err_out:
	errno = -err;
	return NULL;
}

struct resolver *resolver_new(void)
{
	return resolver_create(NULL);
}

struct resolver *resolver_new_with_server(const char *servers)
{
	if (!servers || !*servers) {
		errno = EINVAL;
		log_err("xhop: create resolver: no DNS server given\n");
		return NULL;
	}
	return resolver_create(servers);
}

void resolver_free(struct resolver *r)
{
	if (!r)
		return;
	/* first: the callbacks (ARES_EDESTRUCTION) free their queries and
	 * look at r, which must still be whole
	 */
	ares_destroy(r->ptr);
	ares_destroy(r->fwd);
	for (int i = 0; i < RESOLVER_CACHE_MAX; i++)
		free(r->slots[i].name);
	free(r->slots);
	free(r->buckets);
	free(r);
	if (--ares_users == 0)
		ares_library_cleanup();
}
