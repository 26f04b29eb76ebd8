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
#include "core/log.h"
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

/* The blocklist (--blocklist, or the built-in one). 0 or an exit code */
static int read_blocklist(const struct scan_cfg *o, struct prefix_list *block)
{
	struct line_bounds b = line_bounds_for(BLOCKLIST_MAX, "the most a blocklist holds");
	int err = o->blocklist_file ? read_list_file(block, o->blocklist_file, "--blocklist", &b)
				    : blocklist_default(block);

	return err ? list_rc(err) : 0;
}

/* The operands and --targets into list. 0 or an exit code */
static int read_list(const struct scan_cfg *o, struct prefix_list *list)
{
	for (int i = 0; i < o->nargs; i++) {
		struct prefix p;

		if (prefix_parse(o->args[i], &p)) {
			log_err("xhop scan: '%s' is not an address or prefix\n", o->args[i]);
			return 2;
		}
		if (prefix_list_add(list, &p))
			return 1;
	}
	if (o->targets_file) {
		/* an entry expands to at least one target unless blocked: a
		 * list of more entries than --max-targets ("refuse a longer
		 * list") is refused while it is read, before it costs more
		 */
		size_t max = o->max_targets < SIZE_MAX ? (size_t)o->max_targets : SIZE_MAX;
		struct line_bounds b = line_bounds_for(max, "--max-targets");
		int err = read_list_file(list, o->targets_file, "--targets", &b);

		if (err)
			return list_rc(err);
	}
	return 0;
}

/* Every prefix of list expanded into sc's targets. 0 or an exit code */
static int expand(struct scan *sc, const struct prefix_list *list,
		  const struct prefix_list *block, __u64 seed)
{
	const struct scan_cfg *o = sc->c;

	for (size_t i = 0; i < list->n; i++) {
		int err = targets_expand(&sc->targets, &list->v[i], o->every_address, seed, block,
					 o->max_targets);

		if (err == -E2BIG) {
			log_err("xhop scan: more than %llu targets (--max-targets)\n",
				(unsigned long long)o->max_targets);
			return 2;
		}
		if (err) {
			log_err("xhop scan: target list: %s\n", strerror(-err));
			return 1;
		}
	}
	return 0;
}

/* The order, this shard's share, the families, the window */
static void arrange(struct scan *sc, __u64 seed)
{
	const struct scan_cfg *o = sc->c;
	__u64 n = sc->targets.n;

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
}

int scan_read_lists(const struct scan_cfg *o, struct prefix_list *block,
		    struct prefix_list *list, __u64 *seed)
{
	int rc;

	*seed = o->seed;
	rc = read_blocklist(o, block);
	if (!rc)
		rc = read_list(o, list);
	if (!rc && !o->seed_set && getrandom(seed, sizeof(*seed), 0) != sizeof(*seed)) {
		log_err("xhop: getrandom: %s\n", strerror(errno));
		rc = 1;
	}
	return rc;
}

int scan_load_targets(struct scan *sc)
{
	const struct scan_cfg *o = sc->c;
	struct prefix_list block = { 0 }, list = { 0 };
	__u64 seed;
	int rc;

	rc = scan_read_lists(o, &block, &list, &seed);
	if (!rc)
		rc = expand(sc, &list, &block, seed);
	if (!rc && !sc->targets.n) {
		log_err("xhop scan: no target left (%llu blocked by the %s)\n",
			(unsigned long long)sc->targets.blocked,
			o->blocklist_file ? "blocklist" : "built-in blocklist; see --blocklist");
		rc = 2;
	}
	if (!rc && sc->targets.n > 0xfffffffeULL) {
		log_err("xhop scan: more than 2^32 targets in one run: use --shard\n");
		rc = 2;
	}
	if (!rc)
		arrange(sc, seed);
	prefix_list_free(&block);
	prefix_list_free(&list);
	return rc;
}
