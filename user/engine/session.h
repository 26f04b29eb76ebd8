/* SPDX-License-Identifier: GPL-2.0 */
/* The engine's own parts, shared by its files (engine/engine.h is the interface) */
#ifndef XHOP_ENGINE_SESSION_H
#define XHOP_ENGINE_SESSION_H

#include "engine/engine.h"

/* session.c: privileges, interface, sources, key, receiver, sender. Exit code or 0 */
int engine_session_open(struct engine *e, void *ctx, loader_event_fn on_event);

/* dispatch.c: one ring-buffer event to the probe it names */
int engine_on_event(void *ctx, const struct xhop_event *ev);
/* Answers parked until their probe's send is reported, tried again */
void engine_replay_parked(struct engine *e);

/* sending.c: what the planner wants sent now; what the sending thread sent */
int engine_send_due(struct engine *e, __u64 now);
void engine_resolve_sent(struct engine *e);
/* A probe's send is over (inline or from the queue): the planner, deadline, counts */
int engine_sent(struct engine *e, const struct plan_probe *pp, const struct send_result *r,
		__u64 left_ns);
int engine_queue_start(struct engine *e);

#endif
