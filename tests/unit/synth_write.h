/* SPDX-License-Identifier: GPL-2.0 */
/*
 * test_warts --write DIR and test_warts_lb --write DIR: made-up records of
 * each family and method as DIR/synth.warts (between a list "synth" and a
 * cycle, as xhop's files are) and as xhop's JSON DIR/synth.json, for the
 * e2e tests to have scamper's readers compare.
 */
#ifndef XHOP_TEST_SYNTH_WRITE_H
#define XHOP_TEST_SYNTH_WRITE_H

#include <stdio.h>
#include "core/probe_build.h"
#include "sink/warts_trace.h"

/* One record of family and method: its warts into b, its JSON line into json */
typedef int synth_put_fn(struct warts_enc *e, struct warts_buf *b, FILE *json, int family,
			 int method);

static inline int synth_write(const char *dir, synth_put_fn *put)
{
	char path[512];
	struct warts_enc e = { 0 };
	struct warts_buf b = { 0 };
	FILE *w, *j;
	int err = 0;

	snprintf(path, sizeof(path), "%s/synth.warts", dir);
	w = fopen(path, "wb");
	snprintf(path, sizeof(path), "%s/synth.json", dir);
	j = fopen(path, "w");
	if (!w || !j) {
		perror("synth_write: open");
		if (w)
			fclose(w);
		if (j)
			fclose(j);
		return 1;
	}
	err |= warts_list_put(&e, &b, 1, 1, "synth", NULL, NULL);
	err |= warts_cycle_start_put(&e, &b, 1, 1, 1, 1700000000, NULL);
	for (int fam = 4; fam <= 6; fam += 2)
		for (int m = METHOD_ICMP; m <= METHOD_TCP; m++)
			err |= put(&e, &b, j, fam, m);
	err |= warts_cycle_stop_put(&e, &b, 1, 1700000001);
	if (err || fwrite(b.p, 1, b.len, w) != b.len)
		err = 1;
	if (fclose(w) || fclose(j))
		err = 1;
	warts_enc_free(&e);
	warts_buf_free(&b);
	return err != 0;
}

#endif
