/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The engine's one deadline queue: every probe sent waits out the run's
 * one wait, so deadlines come in send order and a FIFO keeps them sorted.
 * A deadline may outlive its probe (answered since): the planner checks.
 */
#ifndef XHOP_DEADLINE_H
#define XHOP_DEADLINE_H

#include <linux/types.h>
#include "core/fifo.h"
#include "core/planner.h"

struct deadline {
	__u64 at_ns;
	struct plan_probe pp;
};

struct deadlines {
	struct fifo q;
	__u64 wait_ns;
};

int deadlines_init(struct deadlines *d, __u64 wait_ns);
void deadlines_free(struct deadlines *d);
/* The probe left at left_ns: it is lost at left_ns + wait. 0 or -ENOMEM */
int deadlines_push(struct deadlines *d, const struct plan_probe *pp, __u64 left_ns);
/* The oldest deadline that is over by now, popped into *pp: 1, else 0 */
int deadlines_due(struct deadlines *d, __u64 now_ns, struct plan_probe *pp);
/* When the oldest falls due; 0: none */
__u64 deadlines_next(struct deadlines *d);
/* Any deadline still to come */
static inline int deadlines_pending(const struct deadlines *d)
{
	return d->q.n != 0;
}

#endif
