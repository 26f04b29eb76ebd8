/* SPDX-License-Identifier: GPL-2.0 */
/* The tiny assertion kit of every C test: counts, says why, exits non-zero. */
#ifndef XHOP_TEST_H
#define XHOP_TEST_H

#include <stdio.h>

static int passed, failed;

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

#define TEST_SUMMARY() (printf("%d passed, %d failed\n", passed, failed), failed != 0)

#endif
