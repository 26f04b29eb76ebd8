// SPDX-License-Identifier: GPL-2.0
/*
 * ncurses, in the caller's loop: stdin is one more fd to poll, getch()
 * never blocks (nodelay), and the screen is redrawn by the loop's timer.
 * SIGINT and SIGTERM stay xhop's (installed before initscr(), so ncurses
 * leaves them alone): the loop ends, endwin() restores the terminal, and
 * the final report goes to the normal screen.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/log.h"
#include "net/addr.h"
#include "plan/monitor.h"
#include "sink/monitor_report.h"
#include "sink/monitor_view.h"
#include "net/resolve.h"

int mon_view_open(struct mon_view *v)
{
	memset(v, 0, sizeof(*v));
	if (!newterm(NULL, stdout, stdin)) {
		log_err("xhop: the terminal (TERM=%s) cannot show the live view; "
				"use --report or redirect stdout\n", getenv("TERM") ? getenv("TERM") : "");
		return -1;
	}
	cbreak();
	noecho();
	nodelay(stdscr, TRUE);
	keypad(stdscr, TRUE);
	curs_set(0);
	v->open = 1;
	return 0;
}

void mon_view_close(struct mon_view *v)
{
	if (!v->open)
		return;
	endwin();
	v->open = 0;
}

int mon_view_keys(struct mon_view *v, const struct monitor *m)
{
	int ch, action = VIEW_NONE;

	while ((ch = getch()) != ERR) {
		switch (ch) {
		case 'q':
		case 'Q':
			return VIEW_QUIT;
		case 'p':
		case ' ':
			action = VIEW_PAUSE;
			break;
		case 'r':
			action = VIEW_RESET;
			break;
		case 'n':
		case '\t':
		case KEY_RIGHT:
		case KEY_DOWN:
			v->cur = (v->cur + 1) % m->n;
			action = action ? action : VIEW_REDRAW;
			break;
		case 'b':
		case KEY_BTAB:
		case KEY_LEFT:
		case KEY_UP:
			v->cur = (v->cur + m->n - 1) % m->n;
			action = action ? action : VIEW_REDRAW;
			break;
		case KEY_RESIZE:
			action = action ? action : VIEW_REDRAW;
			break;
		default:
			break;
		}
	}
	return action;
}

static void host_of(const struct mon_report_ctx *c, const struct in6_addr *a, char *buf, size_t len)
{
	if (c->res)
		resolver_ptr_start(c->res, a); /* no-op once cached or under way */
	mon_report_host(c, a, buf, len);
}

static void draw_hops(const struct monitor *m, const struct mon_report_ctx *c, size_t ti, int *row,
		      int rows, int hostw)
{
	const struct mon_target *t = &m->t[ti];
	int last = mon_report_last_ttl(m, t);
	char host[128];

	for (int ttl = m->cfg.first_ttl; ttl <= last && *row < rows; ttl++) {
		const struct mon_hop *h = monitor_hop_c(m, ti, ttl);
		const struct mon_stats *st = &h->st;
		const struct mon_resp *r[MON_RESP_MAX];
		int n = monitor_hop_responders(h, r, MON_RESP_MAX);

		if (n)
			host_of(c, &r[0]->addr, host, sizeof(host));
		else
			snprintf(host, sizeof(host), "???");
		mvprintw((*row)++, 0, "%3d. %-*.*s %5.1f%% %5llu %7.3f %7.3f %7.3f %7.3f %7.3f %7.3f",
			 ttl, hostw, hostw, host, mon_stats_loss_pct(st), (unsigned long long)st->sent,
			 st->n ? st->last / 1e6 : 0.0, st->n ? st->mean / 1e6 : 0.0,
			 st->n ? st->best / 1e6 : 0.0, st->n ? st->worst / 1e6 : 0.0,
			 mon_stats_stdev(st) / 1e6, st->jitter_mean / 1e6);
		for (int k = 1; k < n && *row < rows; k++) {
			host_of(c, &r[k]->addr, host, sizeof(host));
			mvprintw((*row)++, 0, "     %-*.*s", hostw, hostw, host);
		}
	}
}

static void draw_log(const struct monitor *m, int row, int rows)
{
	__u64 n = m->log_n < MON_LOG_MAX ? m->log_n : MON_LOG_MAX;

	if (row >= rows)
		return;
	attron(A_BOLD);
	mvprintw(row++, 0, "Path changes (%llu, latest first):", (unsigned long long)m->log_n);
	attroff(A_BOLD);
	for (__u64 i = 0; i < n && row < rows; i++) {
		const struct mon_log_entry *l = &m->log[(m->log_n - 1 - i) % MON_LOG_MAX];
		const struct pc_event *ev = &l->ev;
		char when[16], b[ADDR_STRLEN], a[ADDR_STRLEN];
		struct tm tm;

		localtime_r(&l->when.tv_sec, &tm);
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
		if (ev->kind == PC_HOP)
			mvprintw(row++, 0, " %s %-24.24s TTL %-3d hop       %s%s -> %s%s", when,
				 m->t[l->target].name, ev->ttl,
				 ev->n_before ? addr_str(&ev->before[0], b) : "?",
				 ev->n_before > 1 ? ",..." : "",
				 ev->n_after ? addr_str(&ev->after[0], a) : "?",
				 ev->n_after > 1 ? ",..." : "");
		else if (ev->kind == PC_HOP_COUNT)
			mvprintw(row++, 0, " %s %-24.24s         hop_count %d -> %d", when,
				 m->t[l->target].name, ev->before_val, ev->after_val);
		else
			mvprintw(row++, 0, " %s %-24.24s         reach     %s", when,
				 m->t[l->target].name,
				 ev->after_val ? "unreachable -> reachable" : "reachable -> unreachable");
	}
}

void mon_view_draw(struct mon_view *v, const struct monitor *m, const struct mon_report_ctx *c,
		   int paused)
{
	const struct mon_target *t;
	int rows, cols, row = 0, hostw;
	char a[ADDR_STRLEN], date[32];
	time_t now = time(NULL);
	struct tm tm;

	if (!v->open || !m->n)
		return;
	if (v->cur >= m->n)
		v->cur = 0;
	t = &m->t[v->cur];
	getmaxyx(stdscr, rows, cols);
	hostw = cols - 5 - 63;
	if (hostw < 16)
		hostw = 16;
	if (hostw > 60)
		hostw = 60;
	erase();
	localtime_r(&now, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	attron(A_BOLD);
	mvprintw(row++, 0, "xhop monitor: %zu target%s, %s, interval %gs", m->n, m->n == 1 ? "" : "s",
		 c->method, c->interval_s);
	attroff(A_BOLD);
	mvprintw(0, cols > 20 ? cols - 20 : 0, "%s", date);
	mvprintw(row++, 0, "Target %zu/%zu: %s (%s)  cycle %u  %s%s", v->cur + 1, m->n, t->name,
		 addr_str(&t->dst, a), m->cycle,
		 monitor_target_reachable(t) ? "reachable" : "not reached",
		 paused ? "  [paused]" : "");
	mvprintw(row++, 0, "Keys: q quit  p pause  r reset  n/Tab next  b previous target");
	row++;
	attron(A_BOLD);
	mvprintw(row++, 0, "     %-*s %6s %5s %7s %7s %7s %7s %7s %7s", hostw, "Host", "Loss%", "Snt",
		 "Last", "Avg", "Best", "Wrst", "StDev", "Javg");
	attroff(A_BOLD);
	draw_hops(m, c, v->cur, &row, rows - 4, hostw);
	row++;
	draw_log(m, row, rows);
	refresh();
}
