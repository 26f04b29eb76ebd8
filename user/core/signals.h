/* SPDX-License-Identifier: GPL-2.0 */
#ifndef XHOP_SIGNALS_H
#define XHOP_SIGNALS_H

#include <signal.h>

/* The signal that asked us to stop (SIGINT, SIGTERM, SIGHUP), else 0 */
extern volatile sig_atomic_t xhop_stop;

/*
 * SIGINT, SIGTERM and SIGHUP set xhop_stop; installed without SA_RESTART
 * so a blocking poll() returns EINTR at once. SIGPIPE is ignored: a closed
 * output pipe is an error return, not a silent death with XDP attached
 * (the bpf_link would detach anyway, but the summary would be lost).
 */
int signals_install(void);
/* 128 + signal, the shell convention for "ended by a signal" */
int signals_exit_code(void);

#endif
