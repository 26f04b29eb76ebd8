// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "core/fifo.h"

int fifo_init(struct fifo *f, size_t elem)
{
	memset(f, 0, sizeof(*f));
	f->elem = elem;
	f->cap = 1024;
	f->v = calloc(f->cap, elem);
	return f->v ? 0 : -ENOMEM;
}

int fifo_push(struct fifo *f, const void *e)
{
	if (f->n == f->cap) {
		/* double, and unwrap: the oldest record goes to index 0 */
		size_t cap = 2 * f->cap, tail = f->cap - f->head;
		char *v = malloc(cap * f->elem);

		if (!v)
			return -ENOMEM;
		memcpy(v, (char *)f->v + f->head * f->elem, tail * f->elem);
		memcpy(v + tail * f->elem, f->v, f->head * f->elem);
		free(f->v);
		f->v = v;
		f->cap = cap;
		f->head = 0;
	}
	memcpy((char *)f->v + ((f->head + f->n) & (f->cap - 1)) * f->elem, e, f->elem);
	f->n++;
	return 0;
}

void *fifo_peek(struct fifo *f)
{
	return f->n ? (char *)f->v + f->head * f->elem : NULL;
}

void fifo_pop(struct fifo *f)
{
	if (!f->n)
		return;
	f->head = (f->head + 1) & (f->cap - 1);
	f->n--;
}

void fifo_free(struct fifo *f)
{
	free(f->v);
	memset(f, 0, sizeof(*f));
}
