// SPDX-License-Identifier: GPL-2.0
#include "engine/deadline.h"

int deadlines_init(struct deadlines *d, __u64 wait_ns)
{
	d->wait_ns = wait_ns;
	return fifo_init(&d->q, sizeof(struct deadline));
}

void deadlines_free(struct deadlines *d)
{
	fifo_free(&d->q);
}

int deadlines_push(struct deadlines *d, const struct plan_probe *pp, __u64 left_ns)
{
	struct deadline dl = { .at_ns = left_ns + d->wait_ns, .pp = *pp };

	return fifo_push(&d->q, &dl);
}

int deadlines_due(struct deadlines *d, __u64 now_ns, struct plan_probe *pp)
{
	struct deadline *dl = fifo_peek(&d->q);

	if (!dl || dl->at_ns > now_ns)
		return 0;
	*pp = dl->pp;
	fifo_pop(&d->q);
	return 1;
}

__u64 deadlines_next(struct deadlines *d)
{
	struct deadline *dl = fifo_peek(&d->q);

	return dl ? dl->at_ns : 0;
}
