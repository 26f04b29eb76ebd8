/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xhop monitor as a planner: a cycle per interval, every target probed at
 * every TTL it is known to need, the probes of a cycle spread over most
 * of the interval; the bookkeeping (plan/monitor.h) takes each outcome,
 * and every path change it confirms is handed over as a record.
 */
#ifndef XHOP_MONITOR_PLAN_H
#define XHOP_MONITOR_PLAN_H

#include <linux/types.h>
#include "core/fifo.h"
#include "core/planner.h"
#include "core/record.h"
#include "plan/monitor.h"

struct monitor_plan {
	struct monitor m;	 /* the per-hop table the sinks read */
	long cycles;		 /* 0: until stopped */
	__u64 next_cycle_ns;
	int paused;
	int stopped;
	struct fifo changes;	 /* struct change_rec, not yet taken */
	struct change_rec out;
};

/*
 * The table is set up by the caller (monitor_init, targets, ready);
 * this adds the schedule. 0 or -ENOMEM
 */
int monitor_plan_init(struct monitor_plan *p, long cycles);
void monitor_plan_free(struct monitor_plan *p);
struct planner monitor_planner(struct monitor_plan *p);

#endif
