/* SPDX-License-Identifier: GPL-2.0 */
/* xhop-sim's commands: attach the responder, print the truth, read counters. */
#ifndef XHOP_SIM_CLI_H
#define XHOP_SIM_CLI_H

#include "sim_topo.h"

/*
 * attach: the responder on ifname until SIGINT/SIGTERM; the exit code
 * (2: no such interface, 1: the kernel refused, 0: detached after a signal)
 */
int sim_attach(const char *ifname, const struct sim_params *p);
/* stats: the counters of the responder attached to ifname; the exit code */
int sim_stats(const char *ifname);

#endif /* XHOP_SIM_CLI_H */
