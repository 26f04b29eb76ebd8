// SPDX-License-Identifier: GPL-2.0
/*
 * What xhop monitor writes: the Prometheus text exposition (names, label
 * escaping, cumulative histogram buckets, stale series left out), the
 * mtr-style report and its JSON (valid, mtr's keys).
 */
#include <stdlib.h>
#include <string.h>
#include "xhop_test.h"
#include "unit/monitor_sim.h"
#include "fuzz/fuzz.h"
#include "sink/metrics.h"
#include "sink/monitor_report.h"

static struct monitor m;
static struct world w[2];

static char *render(__u64 now)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	metrics_render(f, &m, now);
	fclose(f);
	return buf;
}

static int has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; (p = strstr(p, line)); p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return 1;
	return 0;
}

static void setup(void)
{
	struct in6_addr d1 = v4("198.19.0.1"), d2 = v4("198.19.0.2");
	struct mon_cfg c;

	cfg_init(&c);
	monitor_init(&m, &c);
	monitor_add_target(&m, "d1", &d1, 4);
	/* a name that needs escaping in a label value and in JSON */
	monitor_add_target(&m, "we\"ird\\", &d2, 4);
	monitor_ready(&m);
	memset(w, 0, sizeof(w));
	for (int i = 0; i < 2; i++) {
		w[i].dist = 3;
		w[i].hop[1] = v4("198.18.1.2");
		w[i].hop[2] = v4("198.18.2.2");
	}
	w[1].drop_ttl = 2;
	w[1].drop_every = 2; /* every other cycle: 50% loss at TTL 2 */
	for (int i = 0; i < 10; i++)
		run_cycle(&m, w, i * SEC);
}

static void test_metrics(void)
{
	char *t = render(10 * SEC);
	int n_help = 0;

	/* TTL 1 answers in 20 us: the 25 us... bucket bounds in seconds */
	EXPECT(has_line(t, "xhop_hop_rtt_seconds_bucket{target=\"d1\",ttl=\"1\",responder="
			   "\"198.18.1.2\",le=\"0.0001\"} 10"), "bucket le 100us");
	EXPECT(has_line(t, "xhop_hop_rtt_seconds_bucket{target=\"d1\",ttl=\"1\",responder="
			   "\"198.18.1.2\",le=\"+Inf\"} 10"), "+Inf bucket");
	EXPECT(has_line(t, "xhop_hop_rtt_seconds_count{target=\"d1\",ttl=\"1\",responder="
			   "\"198.18.1.2\"} 10"), "count");
	EXPECT(has_line(t, "xhop_hop_rtt_seconds_sum{target=\"d1\",ttl=\"1\",responder="
			   "\"198.18.1.2\"} 0.0002"), "sum = 10 x 20 us");
	EXPECT(has_line(t, "xhop_hop_probes_sent_total{target=\"d1\",ttl=\"2\"} 10"), "sent");
	EXPECT(has_line(t, "xhop_hop_probes_sent_total{target=\"we\\\"ird\\\\\",ttl=\"2\"} 10"),
	       "label value escaped");
	EXPECT(has_line(t, "xhop_hop_replies_total{target=\"we\\\"ird\\\\\",ttl=\"2\",responder="
			   "\"198.18.2.2\"} 5"), "replies with loss:\n%s", t);
	EXPECT(has_line(t, "xhop_path_hops{target=\"d1\"} 3"), "hops");
	EXPECT(has_line(t, "xhop_target_reachable{target=\"d1\"} 1"), "reachable");
	EXPECT(has_line(t, "xhop_path_changes_total{target=\"d1\",kind=\"hop\"} 0"), "changes");
	EXPECT(has_line(t, "xhop_path_changes_total{target=\"d1\",kind=\"reach\"} 0"), "changes reach");
	EXPECT(has_line(t, "# TYPE xhop_hop_rtt_seconds histogram"), "histogram type");
	EXPECT(has_line(t, "# TYPE xhop_hop_replies_total counter"), "counter type");
	EXPECT(has_line(t, "# TYPE xhop_path_hops gauge"), "gauge type");
	EXPECT(has_line(t, "xhop_cycles_total 10"), "cycles");
	/* every family once, every sample after its TYPE */
	for (const char *p = t; (p = strstr(p, "# HELP ")); p++)
		n_help++;
	EXPECT(n_help == 14, "14 metric families: %d", n_help);
	/* histograms: buckets never decrease */
	{
		const char *p = t;
		unsigned long long prev = 0, v;
		int ok = 1;

		while ((p = strstr(p, "xhop_hop_rtt_seconds_bucket{"))) {
			const char *le = strstr(p, "le=\"");
			const char *sp = strchr(p, '}');

			v = strtoull(sp + 2, NULL, 10);
			if (!strncmp(le, "le=\"0.0001\"", 11))
				prev = 0;
			ok &= v >= prev;
			prev = v;
			p = sp;
		}
		EXPECT(ok, "cumulative buckets");
	}
	free(t);
}

static void test_label_value(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	metrics_label_value(f, "a\"b\\c\nd");
	fclose(f);
	EXPECT(!strcmp(buf, "\"a\\\"b\\\\c\\nd\""), "escaped: %s", buf);
	free(buf);
}

static void test_report(void)
{
	struct mon_report_ctx c = { .method = "icmp-echo-paris", .interval_s = 1, .probe_size4 = 60 };
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *f;
	int lines = 0;

	c.src4 = v4("198.18.1.1");
	f = open_memstream(&buf, &len);
	monitor_report_text(f, &m, &c);
	fclose(f);
	EXPECT(strstr(buf, "xhop monitor to d1 (198.19.0.1), 10 cycles, icmp-echo-paris\n") != NULL,
	       "target header:\n%s", buf);
	EXPECT(strstr(buf, "HOST: 198.18.1.1") != NULL, "HOST line");
	EXPECT(strstr(buf, "  1.|-- 198.18.1.2                 0.0%    10   0.020   0.020   "
			   "0.020   0.020   0.000   0.000\n") != NULL, "hop row:\n%s", buf);
	EXPECT(strstr(buf, "  2.|-- 198.18.2.2                50.0%    10") != NULL, "50%% loss row");
	free(buf);

	buf = NULL;
	f = open_memstream(&buf, &len);
	monitor_report_json(f, &m, &c);
	fclose(f);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		lines++;
		EXPECT(fuzz_json_valid(line, strlen(line)), "valid JSON: %s", line);
	}
	EXPECT(lines == 2, "one object per target: %d", lines);
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	monitor_report_json_target(f, &m, &c, 1);
	fclose(f);
	EXPECT(strstr(buf, "\"target\":\"we\\\"ird\\\\\"") != NULL, "escaped target");
	EXPECT(strstr(buf, "{\"count\":2,\"host\":\"198.18.2.2\",\"Loss%\":50.0,\"Snt\":10,"
			   "\"Rcv\":5,\"Lost\":5,\"Last\":0.040,\"Avg\":0.040") != NULL,
	       "mtr's hub keys: %s", buf);
	EXPECT(strstr(buf, "\"reachable\":true,\"hop_count\":3") != NULL, "reach, hops");
	free(buf);
}

/* A streamed scrape, one unit at a time, is the same text as one piece,
 * with every family's samples together
 */
static void test_render_parts(void)
{
	struct metrics_cursor c = { 0 };
	char *whole = render(10 * SEC), *parts = NULL;
	size_t len = 0;
	int calls = 0, done = 0;
	FILE *f = open_memstream(&parts, &len);

	while (!done && calls < 1000) {
		done = metrics_render_some(f, &m, &c, 10 * SEC, 1);
		calls++;
	}
	fclose(f);
	EXPECT(done, "the end reached");
	/* 6 families x 2 targets + the process unit */
	EXPECT(calls == 13, "one unit per call: %d calls", calls);
	EXPECT(!strcmp(whole, parts), "same exposition in parts");
	free(whole);
	free(parts);
}

/* After the report: dropping stale series changes what it shows */
static void test_stale(void)
{
	char *t;

	/* 61 s on (stale: 60 s) with no probing: every hop series is gone,
	 * the target's gauges stay
	 */
	t = render(71 * SEC);
	EXPECT(!strstr(t, "xhop_hop_rtt_seconds_bucket{"), "stale RTT series dropped");
	EXPECT(!strstr(t, "xhop_hop_probes_sent_total{"), "unprobed TTLs dropped");
	EXPECT(has_line(t, "xhop_path_hops{target=\"d1\"} 3"), "targets stay");
	free(t);
}

int main(void)
{
	setup();
	test_metrics();
	test_label_value();
	test_report();
	test_render_parts();
	test_stale();
	monitor_free(&m);
	return TEST_SUMMARY();
}
