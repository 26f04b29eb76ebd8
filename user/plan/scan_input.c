// SPDX-License-Identifier: GPL-2.0
/*
 * xhop scan's target list: operands and --targets lines, expanded (one
 * address per /24 or /64, or every address), filtered by the blocklist,
 * ordered by a keyed permutation that shards split without coordination.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include "net/addr.h"
#include "net/lines.h"
#include "plan/scan.h"
#include "core/signals.h"

/* Targets in flight when --window is not given: enough for the rate to
 * keep every target waiting out a silent hop, and no more than the list
 */
#define WINDOW_MIN 1024
#define WINDOW_MAX (1u << 20)

/*
 * The most a --blocklist holds: 1M prefixes (a full IPv4 routing table)
 * is 20 MB, and more than a scan can search, linearly, for every target;
 * opt-out lists are thousands
 */
#define BLOCKLIST_MAX (1u << 20)

static int read_list_file(struct prefix_list *l, const char *path, const char *what,
			  const struct line_bounds *b)
{
	FILE *f = line_open(path, what);
	int err;

	if (!f)
		return -errno;
	err = prefix_list_read(l, f, line_name(path), b);
	line_close(f);
	return err;
}

/* A list's exit code: 2 for what the list says, 1 when we failed, 128 +
 * signal when a signal cut a read from a pipe short
 */
static int list_rc(int err)
{
	if (err == -EINTR && xhop_stop)
		return signals_exit_code();
	return err == -ENOMEM ? 1 : 2;
}

int scan_load_targets(struct scan *sc)
{
	const struct scan_cfg *o = sc->c;
	struct prefix_list block = { 0 }, list = { 0 };
	__u64 seed = o->seed, n;
	int rc = 2, err;

	if (o->blocklist_file) {
		struct line_bounds b = line_bounds_for(BLOCKLIST_MAX, "the most a blocklist holds");

		err = read_list_file(&block, o->blocklist_file, "--blocklist", &b);
	} else {
		err = blocklist_default(&block);
	}
	if (err) {
		rc = list_rc(err);
		goto out;
	}
	for (int i = 0; i < o->nargs; i++) {
		struct prefix p;

		if (prefix_parse(o->args[i], &p)) {
			fprintf(stderr, "xhop scan: '%s' is not an address or prefix\n", o->args[i]);
			goto out;
		}
		if (prefix_list_add(&list, &p)) {
			rc = 1;
			goto out;
		}
	}
	if (o->targets_file) {
		/* an entry expands to at least one target unless blocked: a
		 * list of more entries than --max-targets ("refuse a longer
		 * list") is refused while it is read, before it costs more
		 */
		size_t max = o->max_targets < SIZE_MAX ? (size_t)o->max_targets : SIZE_MAX;
		struct line_bounds b = line_bounds_for(max, "--max-targets");

		err = read_list_file(&list, o->targets_file, "--targets", &b);
		if (err) {
			rc = list_rc(err);
			goto out;
		}
	}
	if (!o->seed_set && getrandom(&seed, sizeof(seed), 0) != sizeof(seed)) {
		fprintf(stderr, "xhop: getrandom: %s\n", strerror(errno));
		rc = 1;
		goto out;
	}
	for (size_t i = 0; i < list.n; i++) {
		err = targets_expand(&sc->targets, &list.v[i], o->every_address, seed, &block,
				     o->max_targets);
		if (err == -E2BIG) {
			fprintf(stderr, "xhop scan: more than %llu targets (--max-targets)\n",
				(unsigned long long)o->max_targets);
			goto out;
		}
		if (err) {
			fprintf(stderr, "xhop scan: target list: %s\n", strerror(-err));
			rc = 1;
			goto out;
		}
	}
	n = sc->targets.n;
	if (!n) {
		fprintf(stderr, "xhop scan: no target left (%llu blocked by the %s)\n",
			(unsigned long long)sc->targets.blocked,
			o->blocklist_file ? "blocklist" : "built-in blocklist; see --blocklist");
		goto out;
	}
	if (n > 0xfffffffeULL) {
		fprintf(stderr, "xhop scan: more than 2^32 targets in one run: use --shard\n");
		goto out;
	}
	for (__u64 i = 0; i < n; i++) {
		int f = addr_is_v4(&sc->targets.v[i]) ? 0 : 1;

		if (!sc->has[f]) {
			sc->has[f] = 1;
			sc->first[f] = sc->targets.v[i];
		}
	}
	sc->seed = seed;
	permutation_init(&sc->perm, n, seed);
	/* positions shard, shard + shards, ...: every shard of one seed and
	 * list takes its own, and together they take each target once
	 */
	sc->shard_targets = n / (__u64)o->shards + ((__u64)o->shard < n % (__u64)o->shards);
	if (o->window) {
		sc->window = o->window;
	} else {
		double w = 2 * o->rate * o->wait_s;

		sc->window = w < WINDOW_MIN ? WINDOW_MIN : w > WINDOW_MAX ? WINDOW_MAX : (__u32)w;
	}
	if (sc->window > sc->shard_targets)
		sc->window = (__u32)(sc->shard_targets ? sc->shard_targets : 1);
	rc = 0;
out:
	prefix_list_free(&block);
	prefix_list_free(&list);
	return rc;
}
