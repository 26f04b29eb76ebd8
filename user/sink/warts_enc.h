/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bytes of scamper's warts format (warts(5)), below any record kind:
 * a growable buffer, the 8-byte object header, numbers in network order,
 * timevals, strings, the flags-and-parameters blocks with their link
 * bits, ICMP extensions, and addresses defined once per object then
 * referenced by id. sink/warts.c builds list, cycle and trace records
 * from these; a tracelb writer would too.
 */
#ifndef XHOP_WARTS_ENC_H
#define XHOP_WARTS_ENC_H

#include <stddef.h>
#include <netinet/in.h>
#include <linux/types.h>

#define WARTS_MAGIC 0x1205

/* Object types (warts(5) "WARTS OBJECT HEADER") */
enum warts_type {
	WARTS_LIST = 0x0001,
	WARTS_CYCLE_START = 0x0002,
	WARTS_CYCLE_DEF = 0x0003,
	WARTS_CYCLE_STOP = 0x0004,
	WARTS_TRACE = 0x0006,
	WARTS_PING = 0x0007,
	WARTS_TRACELB = 0x0008,
};

/* Address types in a defined address */
#define WARTS_ADDR_IPV4 0x01
#define WARTS_ADDR_IPV6 0x02

/* Bytes, growing; err set on the first allocation failure (the rest no-ops) */
struct warts_buf {
	__u8 *p;
	size_t len, cap;
	int err; /* 0 or -ENOMEM */
};

void warts_buf_reset(struct warts_buf *b);
void warts_buf_free(struct warts_buf *b);
void warts_put_bytes(struct warts_buf *b, const void *p, size_t n);
void warts_put_u8(struct warts_buf *b, __u8 v);
void warts_put_u16(struct warts_buf *b, __u16 v);
void warts_put_u32(struct warts_buf *b, __u32 v);
/* seconds and microseconds since the epoch, each a uint32 */
void warts_put_timeval(struct warts_buf *b, __u32 sec, __u32 usec);
/* with its terminating NUL */
void warts_put_str(struct warts_buf *b, const char *s);

/* An object header with length 0; returns where it starts for _end */
size_t warts_obj_begin(struct warts_buf *b, __u16 type);
/* Patch the length of the object begun at off to what follows its header */
void warts_obj_end(struct warts_buf *b, size_t off);

/*
 * The addresses of one object: the first use of an address defines it
 * (length, type, bytes) and gives it the next id from 0; later uses in
 * the same object name the id (a 0 byte, then the uint32 id). Readers
 * keep such a table per object, so each record starts a new one.
 */
struct warts_addrs {
	struct in6_addr *a;
	__u32 n, cap;
};

void warts_addrs_reset(struct warts_addrs *t);
void warts_addrs_free(struct warts_addrs *t);

/*
 * One flags-and-parameters block: set parameters in increasing id order
 * (1-based, as warts(5) numbers them); warts_params_end() then writes the
 * flag bytes (7 flags each, the top bit saying another byte follows), the
 * uint16 length of the parameters if any flag is set, and the parameters.
 */
#define WARTS_FLAGS_MAX 8 /* 56 parameters */

struct warts_params {
	__u8 flags[WARTS_FLAGS_MAX];
	int max_id;
	int err;		/* an id out of order or out of range: -EINVAL */
	struct warts_buf data;	/* the parameters, until _end */
};

void warts_params_begin(struct warts_params *p);
void warts_params_free(struct warts_params *p);
void warts_param_u8(struct warts_params *p, int id, __u8 v);
void warts_param_u16(struct warts_params *p, int id, __u16 v);
void warts_param_u32(struct warts_params *p, int id, __u32 v);
void warts_param_timeval(struct warts_params *p, int id, __u32 sec, __u32 usec);
void warts_param_str(struct warts_params *p, int id, const char *s);
/* a (IPv4 mapped or IPv6), defined or referenced through t */
void warts_param_addr(struct warts_params *p, int id, struct warts_addrs *t,
		      const struct in6_addr *a);
/*
 * One ICMP extension set holding one MPLS label stack object (RFC 4950,
 * class 1 type 1): n entries, each label << 12 | exp << 9 | s << 8 | ttl
 */
void warts_param_mpls(struct warts_params *p, int id, const __u32 *lse, int n);
/* Write the block into out; 0, or the first error of the block */
int warts_params_end(struct warts_params *p, struct warts_buf *out);

/* The number of flag bytes for parameters up to max_id (0: one zero byte) */
int warts_flag_bytes(int max_id);

#endif
