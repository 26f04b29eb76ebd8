// SPDX-License-Identifier: GPL-2.0
/* xhop monitor's per-hop statistics: Welford against the textbook formulas,
 * mtr's jitter, Loss% over settled probes only.
 */
#include <math.h>
#include "xhop_test.h"
#include "plan/monitor_stats.h"

#define NEAR(a, b, eps) (fabs((a) - (b)) <= (eps))

static void test_known_series(void)
{
	const double v[] = { 20000, 22000, 19000, 31000, 20500 };
	struct mon_stats s;
	double mean = 0, ss = 0, jsum = 0, jmax = 0;
	int n = sizeof(v) / sizeof(v[0]);

	mon_stats_reset(&s);
	for (int i = 0; i < n; i++) {
		mon_stats_sent(&s);
		mon_stats_rtt(&s, v[i]);
		mean += v[i];
	}
	mean /= n;
	for (int i = 0; i < n; i++)
		ss += (v[i] - mean) * (v[i] - mean);
	for (int i = 1; i < n; i++) {
		double j = fabs(v[i] - v[i - 1]);

		jsum += j;
		if (j > jmax)
			jmax = j;
	}
	EXPECT(s.sent == 5 && s.replies == 5 && s.n == 5 && s.lost == 0, "counts");
	EXPECT(NEAR(s.mean, mean, 1e-6), "mean %f vs %f", s.mean, mean);
	EXPECT(NEAR(mon_stats_stdev(&s), sqrt(ss / (n - 1)), 1e-6), "stdev %f vs %f",
	       mon_stats_stdev(&s), sqrt(ss / (n - 1)));
	EXPECT(s.best == 19000 && s.worst == 31000 && s.last == 20500, "best %f worst %f last %f",
	       s.best, s.worst, s.last);
	EXPECT(NEAR(s.jitter, 10500, 1e-9), "jitter (last |delta|) %f", s.jitter);
	EXPECT(NEAR(s.jitter_mean, jsum / (n - 1), 1e-6), "jitter mean %f vs %f", s.jitter_mean,
	       jsum / (n - 1));
	EXPECT(NEAR(s.jitter_worst, jmax, 1e-9), "jitter worst %f", s.jitter_worst);
	EXPECT(NEAR(mon_stats_loss_pct(&s), 0.0, 1e-12), "no loss");
}

static void test_loss(void)
{
	struct mon_stats s;

	mon_stats_reset(&s);
	EXPECT(mon_stats_loss_pct(&s) == 0.0 && mon_stats_stdev(&s) == 0.0, "empty");
	for (int i = 0; i < 10; i++)
		mon_stats_sent(&s);
	/* 7 answered, 2 lost, 1 still in flight: loss is 2 of the 9 settled */
	for (int i = 0; i < 7; i++)
		mon_stats_rtt(&s, 1000);
	mon_stats_lost(&s);
	mon_stats_lost(&s);
	EXPECT(NEAR(mon_stats_loss_pct(&s), 200.0 / 9, 1e-9), "loss %f", mon_stats_loss_pct(&s));
	EXPECT(mon_stats_stdev(&s) == 0.0, "constant RTT: stdev 0");
	/* an answer without a send stamp counts as a reply, not an RTT */
	mon_stats_reply(&s);
	EXPECT(s.replies == 8 && s.n == 7, "reply without RTT");
	mon_stats_reset(&s);
	EXPECT(s.sent == 0 && s.replies == 0 && s.n == 0, "reset");
}

/* A week at 1 s of RTTs around 10 ms: Welford keeps the variance exact
 * where a sum of squares in double would lose it to cancellation
 */
static void test_long_run(void)
{
	struct mon_stats s;
	const int n = 7 * 24 * 3600;

	mon_stats_reset(&s);
	for (int i = 0; i < n; i++)
		mon_stats_rtt(&s, 10e6 + (i % 2 ? 1000 : -1000));
	EXPECT(NEAR(s.mean, 10e6, 1e-3), "mean %f", s.mean);
	EXPECT(NEAR(mon_stats_stdev(&s), 1000.0 * sqrt((double)n / (n - 1)), 1e-3), "stdev %f",
	       mon_stats_stdev(&s));
	EXPECT(NEAR(s.jitter_mean, 2000, 1e-6), "jitter mean %f", s.jitter_mean);
	EXPECT(NEAR(s.jitter_ia, 2000, 1e-6), "RFC 3550 jitter converges %f", s.jitter_ia);
}

int main(void)
{
	test_known_series();
	test_loss();
	test_long_run();
	return TEST_SUMMARY();
}
