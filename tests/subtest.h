/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Named subtests that run alone, as the kernel's test_progs does:
 * "test_rx -l" lists them, "test_rx -t NAME" runs those whose name
 * matches NAME (a glob; -t repeats), no option runs them all.
 */
#ifndef XHOP_SUBTEST_H
#define XHOP_SUBTEST_H

#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include "xhop_test.h"

struct subtest {
	const char *name;
	void (*run)(void);
};

#define SUBTESTS_MAX_SELECT 32

struct subtest_pick {
	const char *pattern[SUBTESTS_MAX_SELECT];
	int n;
	int list;
};

/* 0, or 2 with the reason on stderr: a wrong option is not a test result */
static inline int subtest_args(struct subtest_pick *pick, int argc, char **argv,
			       const struct subtest *t, int n)
{
	memset(pick, 0, sizeof(*pick));
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-l")) {
			pick->list = 1;
		} else if (!strcmp(argv[i], "-t") && i + 1 < argc &&
			   pick->n < SUBTESTS_MAX_SELECT) {
			pick->pattern[pick->n++] = argv[++i];
		} else {
			fprintf(stderr, "usage: %s [-l] [-t NAME]...\n", argv[0]);
			return 2;
		}
	}
	for (int p = 0; p < pick->n; p++) {
		int hit = 0;

		for (int i = 0; i < n; i++)
			hit |= !fnmatch(pick->pattern[p], t[i].name, 0);
		if (!hit) {
			fprintf(stderr, "%s: no subtest matches '%s' (-l lists them)\n", argv[0],
				pick->pattern[p]);
			return 2;
		}
	}
	return 0;
}

static inline int subtest_picked(const struct subtest_pick *pick, const char *name)
{
	if (!pick->n)
		return 1;
	for (int p = 0; p < pick->n; p++)
		if (!fnmatch(pick->pattern[p], name, 0))
			return 1;
	return 0;
}

/* Runs the picked subtests, one "#N name: ok|FAIL" line each */
static inline void subtests_run(const struct subtest_pick *pick, const struct subtest *t, int n)
{
	for (int i = 0; i < n; i++) {
		int failed_before = failed, passed_before = passed;

		if (!subtest_picked(pick, t[i].name))
			continue;
		t[i].run();
		printf("#%-2d %-18s %s (%d checks)\n", i + 1, t[i].name,
		       failed == failed_before ? "ok" : "FAIL",
		       passed - passed_before + failed - failed_before);
	}
}

#endif
