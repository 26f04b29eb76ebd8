// SPDX-License-Identifier: GPL-2.0
/* The path table: which events it takes, which it refuses, what it infers. */
#include <string.h>
#include <arpa/inet.h>
#include "xhop_test.h"
#include "plan/path_table.h"
#include "xhop_proto.h"

static struct in6_addr v4(const char *s)
{
	struct in6_addr a = { 0 };

	a.s6_addr[10] = a.s6_addr[11] = 0xff;
	inet_pton(AF_INET, s, &a.s6_addr[12]);
	return a;
}

static struct xhop_event ev_of(int kind, const struct in6_addr *dst, const char *from, __u16 id,
			       __u64 ts)
{
	struct xhop_event ev = { .kind = kind, .proto = XHOP_IPPROTO_ICMP, .probe_id = id,
				 .ts_ns = ts, .family = 4 };
	struct in6_addr f = v4(from);

	memcpy(ev.dst, dst, 16);
	memcpy(ev.from, &f, 16);
	if (kind == XHOP_EV_TTL)
		ev.icmp_type = XHOP_ICMP_TIME_EXCEEDED;
	return ev;
}

static void send_all(struct path *p, int ttl, __u64 deadline)
{
	for (int q = 0; q < p->queries; q++) {
		struct hop_probe *pr = path_probe(p, ttl, q);

		pr->state = PROBE_SENT;
		pr->deadline_ns = deadline;
	}
}

int main(void)
{
	struct in6_addr dst = v4("198.19.0.77"), other = v4("198.19.0.78");
	struct xhop_event ev;
	struct path p;

	EXPECT(path_init(&p, &dst, 4, XHOP_IPPROTO_ICMP, 3, 2, 3) != 0, "first > max refused");
	EXPECT(path_init(&p, &dst, 4, XHOP_IPPROTO_ICMP, 1, 255, 300) != 0, "too many probes refused");
	EXPECT(path_init(&p, &dst, 4, XHOP_IPPROTO_ICMP, 1, 30, 3) == 0, "init");

	/* ids are 1-based, distinct, and map back to (ttl, attempt) */
	EXPECT(path_probe_id(&p, 1, 0) == 1 && path_probe_id(&p, 2, 0) == 4, "ids");
	EXPECT(path_probe(&p, 31, 0) == NULL && path_probe(&p, 1, 3) == NULL, "bounds");

	/* an answer to a probe never sent is refused */
	ev = ev_of(XHOP_EV_TTL, &dst, "198.18.1.2", 1, 2000);
	EXPECT(path_apply(&p, &ev) == 0 && p.ignored == 1, "unsent probe");

	send_all(&p, 1, 1000000);
	ev = ev_of(XHOP_EV_TX, &dst, "198.18.1.1", 1, 1000);
	EXPECT(path_apply(&p, &ev) == 1, "tx stamp taken");
	ev.ts_ns = 1500;
	path_apply(&p, &ev);
	EXPECT(path_probe(&p, 1, 0)->tx_ns == 1000, "first tx stamp kept");

	ev = ev_of(XHOP_EV_TTL, &dst, "198.18.1.2", 1, 22000);
	EXPECT(path_apply(&p, &ev) == 1, "answer applied");
	EXPECT(hop_probe_rtt_ns(path_probe(&p, 1, 0)) == 21000, "rtt = rx - tx, ns");
	ev.ts_ns = 23000;
	EXPECT(path_apply(&p, &ev) == 0, "duplicate refused");
	EXPECT(hop_probe_rtt_ns(path_probe(&p, 1, 0)) == 21000, "duplicate changed nothing");

	/* another target's answer, or another protocol's, is not ours */
	ev = ev_of(XHOP_EV_TTL, &other, "198.18.1.2", 2, 5000);
	EXPECT(path_apply(&p, &ev) == 0, "other dst refused");
	ev = ev_of(XHOP_EV_TTL, &dst, "198.18.1.2", 2, 5000);
	ev.proto = XHOP_IPPROTO_UDP;
	EXPECT(path_apply(&p, &ev) == 0, "other proto refused");
	ev = ev_of(XHOP_EV_TTL, &dst, "198.18.1.2", 0, 5000);
	EXPECT(path_apply(&p, &ev) == 0, "id 0 refused");
	ev = ev_of(XHOP_EV_TTL, &dst, "198.18.1.2", 65535, 5000);
	EXPECT(path_apply(&p, &ev) == 0, "id beyond table refused");

	/* no tx stamp: answered but no RTT, never a made-up one */
	ev = ev_of(XHOP_EV_TTL, &dst, "198.18.1.3", 2, 5000);
	path_apply(&p, &ev);
	EXPECT(hop_probe_rtt_ns(path_probe(&p, 1, 1)) == -1, "no tx, no rtt");

	/* settled only when every probe is answered or lost */
	EXPECT(!path_hop_settled(&p, 1), "one probe still out");
	EXPECT(path_expire(&p, 999999) == 0, "nothing lost before deadline");
	EXPECT(path_expire(&p, 1000000) == 1, "one lost at deadline");
	EXPECT(path_hop_settled(&p, 1), "settled");
	ev = ev_of(XHOP_EV_TTL, &dst, "198.18.1.2", 3, 1000001);
	EXPECT(path_apply(&p, &ev) == 0, "late answer after loss refused");

	/* destination answers end the trace at the lowest TTL */
	send_all(&p, 4, 1000000);
	send_all(&p, 5, 1000000);
	ev = ev_of(XHOP_EV_ECHO, &dst, "198.19.0.77", path_probe_id(&p, 5, 0), 1);
	path_apply(&p, &ev);
	EXPECT(p.final_ttl == 5, "final 5");
	ev = ev_of(XHOP_EV_ECHO, &dst, "198.19.0.77", path_probe_id(&p, 4, 2), 1);
	path_apply(&p, &ev);
	EXPECT(p.final_ttl == 4, "final lowered to 4");
	EXPECT(path_probe(&p, 4, 2)->reply.verdict == VERDICT_REACHED, "echo reply reaches");

	/* verdicts */
	ev = ev_of(XHOP_EV_UNREACH, &dst, "198.19.0.77", 1, 1);
	ev.icmp_code = XHOP_ICMP_PORT_UNREACH;
	EXPECT(reply_verdict_of(&ev, 4) == VERDICT_REACHED, "port unreach v4 reaches");
	ev.icmp_code = XHOP_ICMP6_PORT_UNREACH;
	EXPECT(reply_verdict_of(&ev, 6) == VERDICT_REACHED, "port unreach v6 reaches");
	ev.icmp_code = XHOP_ICMP_HOST_UNREACH;
	EXPECT(reply_verdict_of(&ev, 4) == VERDICT_UNREACH, "host unreach stops short");
	ev.kind = XHOP_EV_TCP;
	EXPECT(reply_verdict_of(&ev, 4) == VERDICT_REACHED, "tcp answer reaches");
	ev.kind = XHOP_EV_TTL;
	EXPECT(reply_verdict_of(&ev, 4) == VERDICT_HOP, "time exceeded is a hop");
	path_free(&p);
	return TEST_SUMMARY();
}
