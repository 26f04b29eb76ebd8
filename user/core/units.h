/* SPDX-License-Identifier: GPL-2.0 */
/* Time units and the defaults every mode shares: written once. */
#ifndef XHOP_UNITS_H
#define XHOP_UNITS_H

#define NS_PER_S 1000000000ULL
#define NS_PER_MS 1000000ULL
#define NS_PER_US 1000ULL

/* The default destination ports of Debian traceroute (-U) and tcptraceroute */
#define DEFAULT_UDP_PORT 33434
#define DEFAULT_TCP_PORT 80

#endif
