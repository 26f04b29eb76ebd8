// SPDX-License-Identifier: GPL-2.0
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "rounds.h"

double bench_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void bench_pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

void bench_sleep_ns(long ns)
{
	struct timespec ts = { ns / 1000000000L, ns % 1000000000L };

	nanosleep(&ts, NULL);
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double rounds_median(const double *v, int n)
{
	double *s = malloc(sizeof(*s) * (size_t)(n > 0 ? n : 1));
	double m = 0;
	int k = 0;

	if (!s)
		return 0;
	for (int r = 0; r < n; r++)
		if (v[r] > 0)
			s[k++] = v[r];
	if (k) {
		qsort(s, (size_t)k, sizeof(*s), cmp_d);
		m = k % 2 ? s[k / 2] : (s[k / 2 - 1] + s[k / 2]) / 2;
	}
	free(s);
	return m;
}

double rounds_best(const double *v, int n)
{
	double m = 0;

	for (int r = 0; r < n; r++)
		m = v[r] > m ? v[r] : m;
	return m;
}

void rounds_list(const double *v, int n, double scale, const char *fmt, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = 0;
	for (int r = 0; r < n && off < len; r++) {
		off += (size_t)snprintf(buf + off, len - off, "%s", r ? " " : "");
		if (off < len && v[r] > 0)
			off += (size_t)snprintf(buf + off, len - off, fmt, scale * v[r]);
		else if (off < len)
			off += (size_t)snprintf(buf + off, len - off, "-");
	}
}

void rounds_interleave(int rounds, int n, void (*run_one)(void *ctx, int i, int round),
		       void *ctx, const char *who)
{
	for (int r = 0; r < rounds; r++) {
		for (int i = 0; i < n; i++)
			run_one(ctx, r % 2 ? n - 1 - i : i, r);
		fprintf(stderr, "%s: round %d of %d done\n", who, r + 1, rounds);
	}
}
