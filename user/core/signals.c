// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "core/signals.h"

volatile sig_atomic_t xhop_stop;

static void on_signal(int sig)
{
	xhop_stop = sig;
}

int signals_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART */
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL) ||
	    sigaction(SIGHUP, &sa, NULL))
		return -1;
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGPIPE, &sa, NULL);
}

int signals_exit_code(void)
{
	return xhop_stop ? 128 + xhop_stop : 0;
}
