/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Messages on stderr, by level: errors and warnings always, the rest with
 * -v (info) and -vv (debug). stdout carries results only. A message is
 * written whole as given ("xhop: <action> <object>: <reason>\n"): callers
 * name their command ("xhop scan: ...") where it matters.
 */
#ifndef XHOP_LOG_H
#define XHOP_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_ERR = 0,
	LOG_WARN,
	LOG_NOTICE, /* what a run says it does (the sender it took) */
	LOG_INFO,  /* -v */
	LOG_DEBUG, /* -vv */
};

/* -v counted: 0 errors, warnings and notices, 1 info, 2 and more debug */
void log_set_verbose(int verbose);
int log_enabled(int level);
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_vmsg(int level, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

#define log_err(...) log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
