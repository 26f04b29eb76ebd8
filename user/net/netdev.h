/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What an interface is and what its driver takes: ioctls (type, flags,
 * hardware address) and the netdev netlink family's xdp-features. One
 * place for them, so no sender carries its own copy.
 */
#ifndef XHOP_NETDEV_H
#define XHOP_NETDEV_H

#include <linux/types.h>

/* ARPHRD_* of the device and whether it is up (IFF_UP). 0 or -errno */
int netdev_type_up(const char *ifname, int *type, int *up);
/* The device's own hardware address. 0 or -errno */
int netdev_mac(const char *ifname, __u8 mac[6]);

/* xdp-features bits (netdev netlink family, enum netdev_xdp_act, 6.3+) */
#define NETDEV_XDP_NDO_XMIT	 (1ULL << 2) /* takes redirected XDP frames */
#define NETDEV_XDP_XSK_ZEROCOPY	 (1ULL << 3) /* AF_XDP zero-copy */

/*
 * The device's xdp-features into *features. -EOPNOTSUPP when the kernel
 * cannot say (before 6.3: no netdev family), else 0 or -errno.
 */
int netdev_xdp_features(int ifindex, __u64 *features);

#endif
