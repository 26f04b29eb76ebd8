// SPDX-License-Identifier: GPL-2.0
/*
 * Path-change confirmation: a change is declared once it held for
 * `confirm` cycles, never for one lost probe or one odd answer, and the
 * first answers establish the path without an event.
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "xhop_test.h"
#include "sink/events.h"
#include "plan/path_change.h"

static struct in6_addr v4(const char *s)
{
	struct in6_addr a = { 0 };

	a.s6_addr[10] = a.s6_addr[11] = 0xff;
	inet_pton(AF_INET, s, &a.s6_addr[12]);
	return a;
}

static void test_hop(void)
{
	struct in6_addr a = v4("198.18.4.2"), b = v4("198.18.3.2"), c = v4("198.18.9.9");
	struct pc_hop h;
	struct pc_event ev;
	int n = 0;

	pc_hop_forget(&h);
	EXPECT(!pc_hop_observe(&h, 3, &a, 2, &ev), "first answer establishes, no event");
	for (int i = 0; i < 10; i++)
		n += pc_hop_observe(&h, 3, &a, 2, &ev);
	EXPECT(n == 0, "steady path: no event");
	/* one lost probe, many lost probes: no change of address */
	for (int i = 0; i < 5; i++)
		n += pc_hop_observe(&h, 3, NULL, 2, &ev);
	EXPECT(n == 0, "lost probes are not a change");
	/* one odd answer then back: no change */
	n += pc_hop_observe(&h, 3, &b, 2, &ev);
	n += pc_hop_observe(&h, 3, &a, 2, &ev);
	n += pc_hop_observe(&h, 3, &b, 2, &ev);
	n += pc_hop_observe(&h, 3, &a, 2, &ev);
	EXPECT(n == 0, "a single odd answer is not a change");
	/* b twice: the change, with before and after */
	EXPECT(!pc_hop_observe(&h, 3, &b, 2, &ev), "first b: not yet");
	EXPECT(pc_hop_observe(&h, 3, &b, 2, &ev) == 1, "second b: change");
	EXPECT(ev.kind == PC_HOP && ev.ttl == 3, "kind %d ttl %d", ev.kind, ev.ttl);
	EXPECT(ev.n_before == 1 && !memcmp(&ev.before[0], &a, 16), "before is a");
	EXPECT(ev.n_after == 1 && !memcmp(&ev.after[0], &b, 16), "after is b");
	EXPECT(!pc_hop_observe(&h, 3, &b, 2, &ev), "b is the path now");
	/* a lost probe between two new answers neither confirms nor breaks */
	EXPECT(!pc_hop_observe(&h, 3, &c, 3, &ev), "c 1/3");
	EXPECT(!pc_hop_observe(&h, 3, NULL, 3, &ev), "lost");
	EXPECT(!pc_hop_observe(&h, 3, &c, 3, &ev), "c 2/3");
	EXPECT(pc_hop_observe(&h, 3, &c, 3, &ev) == 1, "c 3/3: change (confirm 3)");
	/* confirm 1: every different answer is a change at once */
	EXPECT(pc_hop_observe(&h, 3, &a, 1, &ev) == 1, "confirm 1");
}

static void test_hop_set(void)
{
	struct in6_addr a = v4("198.18.4.2"), b = v4("198.18.3.2"), c = v4("198.18.9.9");
	struct pc_hop h;
	struct pc_event ev;

	pc_hop_forget(&h);
	pc_hop_observe(&h, 3, &a, 2, &ev);
	/* two new addresses in a row: the new set has both */
	EXPECT(!pc_hop_observe(&h, 3, &b, 2, &ev), "b");
	EXPECT(pc_hop_observe(&h, 3, &c, 2, &ev) == 1, "c confirms: both new");
	EXPECT(ev.n_after == 2, "after has %d addresses", ev.n_after);
	/* either member of the set is the established path */
	EXPECT(!pc_hop_observe(&h, 3, &b, 2, &ev) && !pc_hop_observe(&h, 3, &c, 2, &ev) &&
		       !pc_hop_observe(&h, 3, &b, 2, &ev),
	       "alternating within the set: no event");
}

static void test_count(void)
{
	struct pc_value v = { 0 };
	struct pc_event ev;
	int n = 0;

	EXPECT(!pc_count_observe(&v, 5, 2, &ev), "establish 5");
	for (int i = 0; i < 4; i++)
		n += pc_count_observe(&v, 5, 2, &ev);
	n += pc_count_observe(&v, 0, 2, &ev); /* not reached: skipped */
	n += pc_count_observe(&v, 0, 2, &ev);
	EXPECT(n == 0, "steady, and unreached cycles are not a count");
	EXPECT(!pc_count_observe(&v, 6, 2, &ev), "6 once");
	EXPECT(!pc_count_observe(&v, 5, 2, &ev), "back to 5");
	EXPECT(!pc_count_observe(&v, 6, 2, &ev), "6 once more");
	EXPECT(pc_count_observe(&v, 6, 2, &ev) == 1, "6 twice: change");
	EXPECT(ev.kind == PC_HOP_COUNT && ev.before_val == 5 && ev.after_val == 6 && ev.ttl == 6,
	       "5 -> 6: %d -> %d", ev.before_val, ev.after_val);
}

static void test_reach(void)
{
	struct pc_value v = { 0 };
	struct pc_event ev;
	int n = 0;

	/* discovery: not reached at first, then reached: no event */
	n += pc_reach_observe(&v, 0, 2, &ev);
	n += pc_reach_observe(&v, 1, 2, &ev);
	n += pc_reach_observe(&v, 1, 2, &ev);
	EXPECT(n == 0 && v.known && v.est == 1, "established reachable, no event");
	/* one lost destination probe is not a change */
	n += pc_reach_observe(&v, 0, 2, &ev);
	n += pc_reach_observe(&v, 1, 2, &ev);
	n += pc_reach_observe(&v, 0, 2, &ev);
	n += pc_reach_observe(&v, 1, 2, &ev);
	EXPECT(n == 0, "single losses: no event");
	EXPECT(!pc_reach_observe(&v, 0, 2, &ev), "lost once");
	EXPECT(pc_reach_observe(&v, 0, 2, &ev) == 1, "lost twice: unreachable");
	EXPECT(ev.kind == PC_REACH && ev.before_val == 1 && ev.after_val == 0, "reachable -> not");
	EXPECT(!pc_reach_observe(&v, 1, 2, &ev) && pc_reach_observe(&v, 1, 2, &ev) == 1,
	       "back after two cycles");
	/* a target never reached is established unreachable, quietly */
	memset(&v, 0, sizeof(v));
	n = pc_reach_observe(&v, 0, 2, &ev) + pc_reach_observe(&v, 0, 2, &ev);
	EXPECT(n == 0 && v.known && v.est == 0, "never reached: unreachable, no event");
}

static void test_json(void)
{
	struct in6_addr a = v4("198.18.4.2"), b = v4("198.18.3.2"), dst = v4("198.19.0.77");
	struct timespec when = { .tv_sec = 1767322245, .tv_nsec = 678000000 };
	struct pc_event ev = { .kind = PC_HOP, .ttl = 3, .n_before = 1, .n_after = 1, .cycle = 12 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ev.before[0] = a;
	ev.after[0] = b;
	pc_event_json(f, &ev, "d\"77", &dst, &when);
	ev.kind = PC_HOP_COUNT;
	ev.before_val = 5;
	ev.after_val = 6;
	pc_event_json(f, &ev, "d77", &dst, &when);
	ev.kind = PC_REACH;
	ev.before_val = 1;
	ev.after_val = 0;
	ev.ttl = 0;
	pc_event_json(f, &ev, "d77", &dst, &when);
	fclose(f);
	EXPECT(!strcmp(buf, "{\"time\":\"2026-01-02T02:50:45.678Z\",\"target\":\"d\\\"77\","
			    "\"dst\":\"198.19.0.77\",\"ttl\":3,\"kind\":\"hop\",\"before\":"
			    "[\"198.18.4.2\"],\"after\":[\"198.18.3.2\"],\"cycle\":12}\n"
			    "{\"time\":\"2026-01-02T02:50:45.678Z\",\"target\":\"d77\",\"dst\":"
			    "\"198.19.0.77\",\"ttl\":3,\"kind\":\"hop_count\",\"before\":5,\"after\":6,"
			    "\"cycle\":12}\n"
			    "{\"time\":\"2026-01-02T02:50:45.678Z\",\"target\":\"d77\",\"dst\":"
			    "\"198.19.0.77\",\"ttl\":0,\"kind\":\"reach\",\"before\":\"reachable\","
			    "\"after\":\"unreachable\",\"cycle\":12}\n"),
	       "json:\n%s", buf);
	free(buf);
}

int main(void)
{
	test_hop();
	test_hop_set();
	test_count();
	test_reach();
	test_json();
	return TEST_SUMMARY();
}
