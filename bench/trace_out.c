// SPDX-License-Identifier: GPL-2.0
/*
 * What a trace costs to write, JSON against warts, with nothing else in
 * the way: the same finished trace (testkit/trace_synth.h: five answers,
 * one of them with MPLS labels) through trace_json_write() and through
 * warts_trace_put() + fwrite(), N times each into /dev/null through a
 * 1 MiB stdio buffer, as xhop scan writes. Rounds interleave the two;
 * prints the median ns per trace and the bytes per trace of each.
 *
 * Usage: trace_out [TRACES_PER_ROUND] [ROUNDS]   (default 200000, 5)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "sink/trace_json.h"
#include "sink/warts_trace.h"
#include "trace_synth.h"

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

/* The JSON line's length (/dev/null keeps no position to ask) */
static long json_bytes(const struct trace_rec *t)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	if (!m)
		return -1;
	trace_json_write(m, t, NULL);
	fputc('\n', m);
	fclose(m);
	free(text);
	return (long)len;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 200000;
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	struct probe_rec hops[SYNTH_HOPS];
	struct trace_rec t = trace_synth(4, METHOD_ICMP, hops);
	double ns[2][64];
	long bytes[2] = { 0, 0 };
	struct warts_enc e = { 0 };
	struct warts_buf b = { 0 };
	FILE *out = fopen("/dev/null", "w");

	if (!out || n < 1 || rounds < 1 || rounds > 64) {
		fprintf(stderr, "usage: trace_out [TRACES_PER_ROUND] [ROUNDS (1-64)]\n");
		return 2;
	}
	setvbuf(out, NULL, _IOFBF, 1 << 20);
	for (int r = 0; r < rounds; r++) {
		__u64 t0 = now_ns();

		for (long i = 0; i < n; i++) {
			trace_json_write(out, &t, NULL);
			fputc_unlocked('\n', out);
		}
		fflush(out);
		ns[0][r] = (double)(now_ns() - t0) / (double)n;
		t0 = now_ns();
		for (long i = 0; i < n; i++) {
			warts_buf_reset(&b);
			if (warts_trace_put(&e, &b, &t, 1, 1)) {
				fprintf(stderr, "trace_out: warts encoding failed\n");
				return 1;
			}
			fwrite_unlocked(b.p, 1, b.len, out);
		}
		fflush(out);
		ns[1][r] = (double)(now_ns() - t0) / (double)n;
	}
	bytes[0] = json_bytes(&t);
	bytes[1] = (long)b.len;
	qsort(ns[0], (size_t)rounds, sizeof(double), cmp);
	qsort(ns[1], (size_t)rounds, sizeof(double), cmp);
	printf("one trace of %d answers, %ld per round, median of %d rounds:\n", SYNTH_HOPS, n,
	       rounds);
	printf("  json : %7.0f ns per trace, %4ld bytes\n", ns[0][rounds / 2], bytes[0]);
	printf("  warts: %7.0f ns per trace, %4ld bytes (%.2fx the time, %.2fx the bytes)\n",
	       ns[1][rounds / 2], bytes[1], ns[1][rounds / 2] / ns[0][rounds / 2],
	       (double)bytes[1] / (double)bytes[0]);
	warts_enc_free(&e);
	warts_buf_free(&b);
	fclose(out);
	return 0;
}
