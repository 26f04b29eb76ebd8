/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xhop multipath's JSON: one object in the shape of scamper's tracelb
 * (`type` "tracelb", `method`, `src`, `dst`, `confidence`, `probec`,
 * `nodec`, `linkc`, `nodes[]` with `addr` and `links`), plus a flat
 * "links":[{"from","to","from_ttl","to_ttl"}] for analysis code, and
 * "stop_reason" (with "unfinished" after PROBELIMIT).
 */
#ifndef XHOP_SINK_MP_JSON_H
#define XHOP_SINK_MP_JSON_H

#include <stdio.h>
#include "core/record.h"
#include "core/sink.h"

struct mp_json_sink {
	FILE *out;
};

/* scamper tracelb's method names: what each flow varies ("udp-sport") */
const char *mp_method_name(int method);
void mp_json_write(FILE *out, const struct mp_rec *r);
struct sink mp_json_sink(struct mp_json_sink *j, FILE *out);

#endif
