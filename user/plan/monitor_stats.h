/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-hop statistics of xhop monitor, as mtr shows them: Loss%, Snt,
 * Last, Avg, Best, Wrst, StDev and jitter. RTTs are in nanoseconds, each
 * the difference of two kernel stamps; mean and variance by Welford's
 * method, so a week of samples neither overflows nor loses precision.
 */
#ifndef XHOP_MONITOR_STATS_H
#define XHOP_MONITOR_STATS_H

#include <linux/types.h>

struct mon_stats {
	__u64 sent;	/* probes sent */
	__u64 replies;	/* answered within the wait */
	__u64 lost;	/* not answered within the wait */
	__u64 n;	/* RTT samples: replies whose send stamp was seen */
	double last;	/* ns */
	double best;
	double worst;
	double mean;	/* Welford running mean */
	double m2;	/* Welford sum of squared deviations */
	double jitter;	     /* |last - previous RTT| */
	double jitter_mean;  /* mean of those (mtr's Javg) */
	double jitter_worst; /* mtr's Jmax */
	double jitter_ia;    /* RFC 3550 interarrival jitter, J += (|D| - J) / 16 */
};

void mon_stats_reset(struct mon_stats *s);
void mon_stats_sent(struct mon_stats *s);
/* An answer with an RTT in ns (both kernel stamps) */
void mon_stats_rtt(struct mon_stats *s, double rtt_ns);
/* An answer whose send stamp was lost (stamp ring full): no RTT */
void mon_stats_reply(struct mon_stats *s);
void mon_stats_lost(struct mon_stats *s);
/*
 * Loss in percent of the settled probes (answered or past their wait):
 * a probe still in flight is neither, so a running view never shows
 * mtr's false loss of the probe just sent. 0 when nothing settled.
 */
double mon_stats_loss_pct(const struct mon_stats *s);
/* Sample standard deviation (n - 1, as mtr), ns; 0 below two samples */
double mon_stats_stdev(const struct mon_stats *s);

#endif
