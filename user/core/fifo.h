/* SPDX-License-Identifier: GPL-2.0 */
/* A FIFO of fixed-size records that grows by doubling */
#ifndef XHOP_FIFO_H
#define XHOP_FIFO_H

#include <stddef.h>

struct fifo {
	void *v;
	size_t elem, cap, head, n; /* cap: a power of two */
};

int fifo_init(struct fifo *f, size_t elem);
/* 0, or -ENOMEM (nothing changes) */
int fifo_push(struct fifo *f, const void *e);
/* The oldest record, NULL when empty */
void *fifo_peek(struct fifo *f);
void fifo_pop(struct fifo *f);
void fifo_free(struct fifo *f);

#endif
