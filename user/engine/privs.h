/* SPDX-License-Identifier: GPL-2.0 */
#ifndef XHOP_PRIVS_H
#define XHOP_PRIVS_H

/*
 * Check the effective capabilities that probing needs: CAP_NET_RAW (raw
 * socket), CAP_NET_ADMIN (attach XDP and tcx), CAP_BPF and CAP_PERFMON, or
 * CAP_SYS_ADMIN (load programs the verifier accepts). On a miss prints one line naming every missing
 * capability and returns -EPERM.
 */
int privs_check(void);

#endif
