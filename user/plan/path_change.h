/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Path-change detection for xhop monitor: what each cycle saw, against
 * what was established, with a change declared only once it has held for
 * `confirm` cycles. Three kinds:
 *
 *   hop        the responders at one TTL: an answering cycle whose
 *              responder is not in the established set counts towards a
 *              change; confirm such cycles in a row (cycles without an
 *              answer at that TTL are skipped, neither confirming nor
 *              breaking) make the addresses they showed the new set. A
 *              lost probe is never a change of address; loss is Loss%.
 *   hop_count  the TTL at which the destination answers, over the
 *              cycles that reached it.
 *   reach      whether the destination answered in a cycle; a target is
 *              unreachable only after confirm cycles without its answer.
 *
 * The first answers establish the state without an event: starting to
 * watch a path is not a change of it. Pure state, no I/O: unit-tested.
 */
#ifndef XHOP_PATH_CHANGE_H
#define XHOP_PATH_CHANGE_H

#include <stdio.h>
#include <time.h>
#include <netinet/in.h>
#include <linux/types.h>
#include "core/record.h"

/* The responders at one TTL */
struct pc_hop {
	struct in6_addr est[PC_ADDRS];
	struct in6_addr cand[PC_ADDRS];
	__u8 n_est;
	__u8 n_cand;
	__u8 known;
	__u8 cand_cycles;
};

/* A number that must hold for confirm cycles: hop count, reachability */
struct pc_value {
	int est;
	int cand;
	__u8 known;
	__u8 cand_cycles;
};

/*
 * One cycle's answer at a TTL (from: the responder, NULL: no answer).
 * Returns 1 and fills ev (kind, ttl, before, after) when a change is
 * confirmed, else 0.
 */
int pc_hop_observe(struct pc_hop *h, int ttl, const struct in6_addr *from, int confirm,
		   struct pc_event *ev);
/* One cycle's hop count (0: the destination did not answer: skipped) */
int pc_count_observe(struct pc_value *v, int hops, int confirm, struct pc_event *ev);
/*
 * One cycle's reachability. Unknown at first: confirm equal cycles
 * establish it without an event (a path still being discovered is not a
 * target going down).
 */
int pc_reach_observe(struct pc_value *v, int reached, int confirm, struct pc_event *ev);
void pc_hop_forget(struct pc_hop *h);

#endif
