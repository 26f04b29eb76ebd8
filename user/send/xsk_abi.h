/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel ABI newer than Debian 12's 6.1 UAPI headers: struct
 * xdp_umem_reg with tx_metadata_len (6.8), its flag (6.11), the TX
 * metadata a frame carries in front of it, and the descriptor option
 * that says it does (Documentation/networking/xsk-tx-metadata.rst).
 * The AF_XDP rung and the bench's bare AF_XDP sender use the same copy.
 */
#ifndef XHOP_XSK_ABI_H
#define XHOP_XSK_ABI_H

#include <linux/types.h>

struct xhop_umem_reg {
	__u64 addr;
	__u64 len;
	__u32 chunk_size;
	__u32 headroom;
	__u32 flags;
	__u32 tx_metadata_len;
};

#define XHOP_UMEM_TX_METADATA_LEN (1 << 2)
#define XHOP_XDP_TX_METADATA	  (1 << 1)
#define XHOP_TXMD_FLAGS_TIMESTAMP (1 << 0)

struct xhop_tx_metadata {
	__u64 flags;
	union {
		struct {
			__u16 csum_start;
			__u16 csum_offset;
			__u32 _pad;
			__u64 launch_time; /* 6.14 */
		} request;
		struct {
			__u64 tx_timestamp; /* CLOCK_TAI, written at completion */
		} completion;
	};
};

_Static_assert(sizeof(struct xhop_tx_metadata) == 24, "xsk_tx_metadata ABI changed");

#endif
