/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tiny assertion kit of every C test: counts, says why, exits non-zero
 * on a failure. A skip is a third count, never a pass: the last line is
 * "N passed, N failed, N skipped", which tests/run_suite.sh reads.
 */
#ifndef XHOP_TEST_H
#define XHOP_TEST_H

#include <stdio.h>

static int passed, failed, skipped;

#define EXPECT(cond, ...)                                                      \
	do {                                                                   \
		if (cond) {                                                    \
			passed++;                                              \
			break;                                                 \
		}                                                              \
		failed++;                                                      \
		fprintf(stderr, "FAIL %s:%d %s: ", __func__, __LINE__, #cond); \
		fprintf(stderr, __VA_ARGS__);                                  \
		fputc('\n', stderr);                                           \
	} while (0)

/* SKIP(reason...): a check that cannot run here; the reason names the
 * facility the kernel refused (a missing tool is installed, not skipped)
 */
#define SKIP(...)                                                              \
	do {                                                                   \
		skipped++;                                                     \
		fprintf(stderr, "SKIP %s: ", __func__);                        \
		fprintf(stderr, __VA_ARGS__);                                  \
		fputc('\n', stderr);                                           \
	} while (0)

static inline int xhop_test_summary(const char *func)
{
	/*
	 * A test that returns before its first check (the BPF tests without
	 * root print why, then return) verified nothing: that is a skip, not
	 * "0 passed, 0 failed" that a suite would show as ok.
	 */
	if (!passed && !failed && !skipped) {
		skipped++;
		fprintf(stderr, "SKIP %s: no check ran\n", func);
	}
	printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
	return failed != 0;
}

#define TEST_SUMMARY() xhop_test_summary(__func__)

#endif
