// SPDX-License-Identifier: GPL-2.0
/* Sinks: traceroute's line format, annotations, scamper JSON fields. */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "xhop_test.h"
#include "core/probe_build.h"
#include "sink/text.h"
#include "sink/trace_json.h"
#include "plan/path_table.h"
#include "xhop_proto.h"

static struct in6_addr v4(const char *s)
{
	struct in6_addr a = { 0 };

	a.s6_addr[10] = a.s6_addr[11] = 0xff;
	inet_pton(AF_INET, s, &a.s6_addr[12]);
	return a;
}

static void answer(struct path *p, int ttl, int q, const char *from, __u64 tx, __u64 rx, int kind,
		   int code)
{
	struct hop_probe *pr = path_probe(p, ttl, q);

	pr->state = PROBE_ANSWERED;
	pr->tx_ns = tx;
	pr->reply.rx_ns = rx;
	pr->reply.from = v4(from);
	pr->reply.kind = kind;
	pr->reply.icmp_type = kind == XHOP_EV_TTL ? 11 : kind == XHOP_EV_ECHO ? 0 : 3;
	pr->reply.icmp_code = code;
	pr->reply.reply_ttl = 63;
	pr->reply.ip_len = 88;
	pr->reply.q_ttl = 1;
	pr->reply.q_ipl = 60;
}

static char *render_hop(struct path *p, int ttl, int no_resolve)
{
	struct ttl_rec r;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	path_ttl_rec(p, ttl, &r);
	text_ttl_line(f, &r, NULL, no_resolve, 0);
	fclose(f);
	return buf;
}

int main(void)
{
	struct trace_rec t = { .h = { .family = 4, .probe_size = 60, .method = METHOD_ICMP,
				      .wait_s = 1, .attempts = 3, .hoplimit = 30, .firsthop = 1 } };
	struct probe_rec hops[30 * 3];
	struct path path;
	int no_resolve = 1;
	char note[16], *s, *json = NULL;
	size_t jlen = 0;
	FILE *f;

	t.h.dst = v4("198.19.0.77");
	t.h.src = v4("198.18.1.1");
	EXPECT(path_init(&path, &t.h.dst, 4, XHOP_IPPROTO_ICMP, 1, 30, 3) == 0, "init");
	answer(&path, 1, 0, "198.18.1.2", 1000, 22000, XHOP_EV_TTL, 0);
	answer(&path, 1, 1, "198.18.1.2", 1000, 15000, XHOP_EV_TTL, 0);
	answer(&path, 1, 2, "198.18.1.2", 1000, 14000, XHOP_EV_TTL, 0);
	s = render_hop(&path, 1, no_resolve);
	EXPECT(!strcmp(s, " 1  198.18.1.2  0.021 ms  0.014 ms  0.013 ms\n"), "got '%s'", s);
	free(s);

	for (int q = 0; q < 3; q++)
		path_probe(&path, 2, q)->state = PROBE_LOST;
	s = render_hop(&path, 2, no_resolve);
	EXPECT(!strcmp(s, " 2  * * *\n"), "got '%s'", s);
	free(s);

	/* two responders in one line, a lost probe between */
	answer(&path, 3, 0, "198.18.3.2", 0, 40000, XHOP_EV_TTL, 0);
	path_probe(&path, 3, 0)->tx_ns = 1000;
	path_probe(&path, 3, 1)->state = PROBE_LOST;
	answer(&path, 3, 2, "198.18.4.2", 1000, 37000, XHOP_EV_TTL, 0);
	s = render_hop(&path, 3, no_resolve);
	EXPECT(!strcmp(s, " 3  198.18.3.2  0.039 ms * 198.18.4.2  0.036 ms\n"), "got '%s'", s);
	free(s);

	/* unreachable annotated after each time */
	for (int q = 0; q < 3; q++)
		answer(&path, 4, q, "198.18.7.1", 1000, 41000, XHOP_EV_UNREACH, XHOP_ICMP_HOST_UNREACH);
	s = render_hop(&path, 4, no_resolve);
	EXPECT(!strcmp(s, " 4  198.18.7.1  0.040 ms !H  0.040 ms !H  0.040 ms !H\n"), "got '%s'", s);
	free(s);

	/* names when not -n: "addr (addr)" without a resolver */
	no_resolve = 0;
	s = render_hop(&path, 1, no_resolve);
	EXPECT(!strcmp(s, " 1  198.18.1.2 (198.18.1.2)  0.021 ms  0.014 ms  0.013 ms\n"), "got '%s'", s);
	free(s);

	EXPECT(!strcmp(text_unreach_note(4, XHOP_EV_UNREACH, 0, note), " !N"), "!N");
	EXPECT(!strcmp(text_unreach_note(4, XHOP_EV_UNREACH, 2, note), " !P"), "!P");
	EXPECT(!strcmp(text_unreach_note(4, XHOP_EV_UNREACH, 3, note), ""), "port: none");
	EXPECT(!strcmp(text_unreach_note(4, XHOP_EV_UNREACH, 9, note), " !A"), "!A");
	EXPECT(!strcmp(text_unreach_note(4, XHOP_EV_UNREACH, 10, note), " !Z"), "!Z");
	EXPECT(!strcmp(text_unreach_note(4, XHOP_EV_UNREACH, 13, note), " !X"), "!X");
	EXPECT(!strcmp(text_unreach_note(4, XHOP_EV_UNREACH, 5, note), " !S"), "!S");
	EXPECT(!strcmp(text_unreach_note(4, XHOP_EV_UNREACH, 8, note), " !<8>"), "!<8>");
	EXPECT(!strcmp(text_unreach_note(6, XHOP_EV_UNREACH, 0, note), " !N"), "v6 !N");
	EXPECT(!strcmp(text_unreach_note(6, XHOP_EV_UNREACH, 1, note), " !X"), "v6 !X");
	EXPECT(!strcmp(text_unreach_note(6, XHOP_EV_UNREACH, 3, note), " !H"), "v6 !H");
	EXPECT(!strcmp(text_unreach_note(6, XHOP_EV_UNREACH, 4, note), ""), "v6 port: none");
	EXPECT(!strcmp(text_unreach_note(4, XHOP_EV_TTL, 1, note), ""), "not unreach: none");

	/* JSON: scamper's field names and units; answered probes only */
	t.h.hop_count = 4;
	t.h.stop_reason = STOP_UNREACH;
	t.h.stop_data = 1;
	t.h.probe_count = 12;
	path_probe(&path, 1, 0)->reply.mpls_count = 1;
	path_probe(&path, 1, 0)->reply.mpls[0] = 16u << 12 | 1u << 8 | 1;
	/* the trace record: every answered probe up to the last TTL */
	t.hops = hops;
	t.nhops = path_answered(&path, 4, hops);
	f = open_memstream(&json, &jlen);
	trace_json_write(f, &t, NULL);
	fclose(f);
	EXPECT(strstr(json, "\"type\":\"trace\"") && strstr(json, "\"method\":\"icmp-echo-paris\""), "%s", json);
	EXPECT(strstr(json, "\"stop_reason\":\"UNREACH\",\"stop_data\":1"), "stop");
	EXPECT(strstr(json, "\"hop_count\":4,\"attempts\":3,\"hoplimit\":30,\"firsthop\":1"), "counts");
	EXPECT(strstr(json, "\"probe_count\":12"), "probe_count");
	EXPECT(strstr(json, "{\"addr\":\"198.18.1.2\",\"probe_ttl\":1,\"probe_id\":1,"), "first hop");
	EXPECT(strstr(json, "\"rtt\":0.021,"), "rtt in ms, 3 decimals");
	EXPECT(strstr(json, "\"icmp_type\":11,\"icmp_code\":0,\"icmp_q_ttl\":1,\"icmp_q_ipl\":60"), "icmp");
	EXPECT(strstr(json, "\"mpls_labels\":[{\"mpls_ttl\":1,\"mpls_s\":1,\"mpls_exp\":0,\"mpls_label\":16}]"), "mpls");
	EXPECT(!strstr(json, "\"probe_ttl\":2"), "lost probes absent");
	{
		int n = 0;

		for (char *p = json; (p = strstr(p, "\"addr\"")); p++)
			n++;
		EXPECT(n == 8, "8 answered probes, got %d", n);
	}
	EXPECT(json[jlen - 1] == '}' && json[0] == '{', "one object");
	EXPECT(!strstr(json, "\"asn"), "no AS fields without an origin");
	free(json);

	/* origin ASes: as the record carries them, first origin as "asn" */
	hops[0].asn = (struct asn_ann){ .asn = { 64501 }, .n = 1 };
	hops[1].asn = (struct asn_ann){ .asn = { 64505, 64506 }, .n = 2 };
	json = NULL;
	f = open_memstream(&json, &jlen);
	trace_json_write(f, &t, NULL);
	fclose(f);
	EXPECT(strstr(json, "\"mpls_label\":16}]}],\"asn\":64501}"), "asn after the hop's fields: %s",
	       json);
	EXPECT(strstr(json, "\"asn\":64505,\"asns\":[64505,64506]}"), "multi-origin: %s", json);
	{
		int n = 0;

		for (char *p = json; (p = strstr(p, "\"asn\":")); p++)
			n++;
		EXPECT(n == 2, "2 hops with an AS, got %d", n);
	}
	free(json);
	{
		struct ttl_rec r;
		char *line = NULL;
		size_t len = 0;

		path_ttl_rec(&path, 3, &r);
		r.q[0].asn = (struct asn_ann){ .asn = { 64503 }, .n = 1 };
		/* the lost probe's AS is never shown; the unknown one is AS??? */
		r.q[1].asn = (struct asn_ann){ .asn = { 1 }, .n = 1 };
		f = open_memstream(&line, &len);
		text_ttl_line(f, &r, NULL, 1, 1);
		fclose(f);
		EXPECT(!strcmp(line, " 3  [AS64503] 198.18.3.2  0.039 ms * [AS???] 198.18.4.2  0.036 ms\n"),
		       "got '%s'", line);
		free(line);
		r.q[2].asn = (struct asn_ann){ .asn = { 64505, 64506 }, .n = 2 };
		line = NULL;
		f = open_memstream(&line, &len);
		text_ttl_line(f, &r, NULL, 0, 1);
		fclose(f);
		EXPECT(!strcmp(line, " 3  [AS64503] 198.18.3.2 (198.18.3.2)  0.039 ms * "
				     "[AS64505/64506] 198.18.4.2 (198.18.4.2)  0.036 ms\n"),
		       "got '%s'", line);
		free(line);
	}
	path_free(&path);
	return TEST_SUMMARY();
}
