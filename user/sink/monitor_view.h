/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The live view of xhop monitor, as mtr's curses display: one target's
 * hops with Loss%, Snt, Last, Avg, Best, Wrst, StDev and jitter,
 * refreshed in place, and the latest path changes of every target.
 * Keys: q quit, p or space pause/resume, r reset statistics, n / Tab /
 * Right next target, b / Left previous target.
 */
#ifndef XHOP_MONITOR_VIEW_H
#define XHOP_MONITOR_VIEW_H

#include <stddef.h>

struct monitor;
struct mon_report_ctx;

enum mon_view_action {
	VIEW_NONE = 0,
	VIEW_QUIT,
	VIEW_PAUSE, /* toggle */
	VIEW_RESET,
	VIEW_REDRAW,
};

struct mon_view {
	size_t cur; /* the target shown */
	int open;
};

/* 0, or -1 when the terminal cannot be driven (reported) */
int mon_view_open(struct mon_view *v);
void mon_view_draw(struct mon_view *v, const struct monitor *m, const struct mon_report_ctx *c,
		   int paused);
/* Read every pending key; the last action that needs the caller */
int mon_view_keys(struct mon_view *v, const struct monitor *m);
void mon_view_close(struct mon_view *v);

#endif
