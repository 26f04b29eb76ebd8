// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include "core/log.h"

/* The one global besides the stop flag: how much is said */
static int log_level = LOG_NOTICE;

void log_set_verbose(int verbose)
{
	log_level = verbose <= 0 ? LOG_NOTICE : verbose == 1 ? LOG_INFO : LOG_DEBUG;
}

int log_enabled(int level)
{
	return level <= log_level;
}

void log_vmsg(int level, const char *fmt, va_list ap)
{
	if (log_enabled(level))
		vfprintf(stderr, fmt, ap);
}

void log_msg(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}
