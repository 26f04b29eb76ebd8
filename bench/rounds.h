/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the interleaved benches share: a clock, pinning to a CPU, and the
 * summary of one value per round (the median and best of the rounds
 * that have one, and the list as printed). A round without a value holds
 * 0 or less.
 */
#ifndef XHOP_BENCH_ROUNDS_H
#define XHOP_BENCH_ROUNDS_H

#include <stddef.h>

double bench_now_s(void); /* CLOCK_MONOTONIC */
void bench_pin(int cpu);
void bench_sleep_ns(long ns);

double rounds_median(const double *v, int n);
double rounds_best(const double *v, int n);
/* "0.91 0.93 -": v[r] * scale in fmt, "-" where a round has no value */
void rounds_list(const double *v, int n, double scale, const char *fmt, char *buf, size_t len);

/*
 * The rounds of a run: case i of n in round r is run_one(ctx, i, r), in
 * order in even rounds and in reverse in odd ones, so that no case always
 * follows another (a sender leaves the peer's queue and the CPU's caches
 * to the next); "WHO: round r of N done" on stderr after each
 */
void rounds_interleave(int rounds, int n, void (*run_one)(void *ctx, int i, int round),
		       void *ctx, const char *who);

#endif
