// SPDX-License-Identifier: GPL-2.0
#include <math.h>
#include <string.h>
#include "plan/monitor_stats.h"

void mon_stats_reset(struct mon_stats *s)
{
	memset(s, 0, sizeof(*s));
}

void mon_stats_sent(struct mon_stats *s)
{
	s->sent++;
}

void mon_stats_reply(struct mon_stats *s)
{
	s->replies++;
}

void mon_stats_rtt(struct mon_stats *s, double rtt_ns)
{
	double delta;

	s->replies++;
	s->n++;
	if (s->n == 1) {
		s->best = s->worst = rtt_ns;
	} else {
		double j = fabs(rtt_ns - s->last);

		s->jitter = j;
		/* n - 1 differences so far */
		s->jitter_mean += (j - s->jitter_mean) / (double)(s->n - 1);
		if (j > s->jitter_worst)
			s->jitter_worst = j;
		s->jitter_ia += (j - s->jitter_ia) / 16.0;
		if (rtt_ns < s->best)
			s->best = rtt_ns;
		if (rtt_ns > s->worst)
			s->worst = rtt_ns;
	}
	s->last = rtt_ns;
	/* Welford: no sum of squares that a long run could make imprecise */
	delta = rtt_ns - s->mean;
	s->mean += delta / (double)s->n;
	s->m2 += delta * (rtt_ns - s->mean);
}

void mon_stats_lost(struct mon_stats *s)
{
	s->lost++;
}

double mon_stats_loss_pct(const struct mon_stats *s)
{
	__u64 settled = s->replies + s->lost;

	return settled ? 100.0 * (double)s->lost / (double)settled : 0.0;
}

double mon_stats_stdev(const struct mon_stats *s)
{
	if (s->n < 2)
		return 0.0;
	return sqrt(s->m2 / (double)(s->n - 1));
}
