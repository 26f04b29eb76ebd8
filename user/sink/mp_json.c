// SPDX-License-Identifier: GPL-2.0
/* xhop multipath's JSON (sink/mp_json.h) */
#include <string.h>
#include <time.h>
#include "core/probe_build.h"
#include "net/addr.h"
#include "sink/json.h"
#include "sink/mp_json.h"

const char *mp_method_name(int method)
{
	switch (method) {
	case METHOD_UDP:
		return "udp-sport";
	case METHOD_TCP:
		return "tcp-sport";
	default:
		return "icmp-echo";
	}
}

static void put_addr(FILE *out, const char *lit, const struct in6_addr *a)
{
	char s[ADDR_STRLEN];

	json_lit(out, lit);
	json_lit(out, addr_str(a, s));
	json_lit(out, "\"");
}

static void put_head(FILE *out, const struct mp_rec *r)
{
	const struct trace_head *h = &r->h;
	int nodes = 0;

	for (int i = 0; i < r->nnodes; i++)
		nodes += !r->nodes[i].silent;
	json_lit(out, "{\"type\":\"tracelb\",\"version\":\"0.1\",\"userid\":0,\"method\":\"");
	json_lit(out, mp_method_name(h->method));
	json_lit(out, "\"");
	put_addr(out, ",\"src\":\"", &h->src);
	if (r->dst_len) { /* xhop scan --mda: the prefix */
		char a[ADDR_STRLEN];

		fprintf(out, ",\"dst\":\"%s/%d\"", addr_str(&h->dst, a), r->dst_len);
	} else {
		put_addr(out, ",\"dst\":\"", &h->dst);
	}
	if (h->method == METHOD_ICMP) {
		json_key_uint(out, ",\"icmp_sum\":", h->icmp_sum);
	} else {
		json_key_uint(out, ",\"sport\":", h->sport);
		json_key_uint(out, ",\"dport\":", h->dport);
	}
	json_lit(out, ",\"start\":{\"sec\":");
	json_int(out, (long long)h->start.tv_sec);
	json_key_uint(out, ",\"usec\":", (unsigned long long)h->start.tv_nsec / 1000);
	json_lit(out, "},\"probe_size\":");
	json_int(out, h->probe_size);
	json_lit(out, ",\"firsthop\":");
	json_int(out, h->firsthop);
	json_lit(out, ",\"hoplimit\":");
	json_int(out, h->hoplimit);
	json_lit(out, ",\"attempts\":");
	json_int(out, h->attempts);
	fprintf(out, ",\"confidence\":%g,\"tos\":%d,\"wait_timeout\":%g", r->confidence, h->tos,
		h->wait_s);
	json_key_uint(out, ",\"flowc\":", r->flows);
	json_key_uint(out, ",\"probec\":", h->probe_count);
	json_key_uint(out, ",\"nodec\":", (unsigned long long)nodes);
	json_key_uint(out, ",\"linkc\":", (unsigned long long)r->nlinks);
	if (r->rounds)
		json_key_uint(out, ",\"rounds\":", r->rounds);
	json_lit(out, ",\"stop_reason\":\"");
	json_lit(out, stop_reason_name(h->stop_reason));
	json_lit(out, "\",\"stop_data\":");
	json_int(out, h->stop_data);
}

/* nodes[]: each answering interface with the next hops its flows met */
static void put_nodes(FILE *out, const struct mp_rec *r)
{
	int first = 1;

	json_lit(out, ",\"nodes\":[");
	for (int i = 0; i < r->nnodes; i++) {
		const struct mp_node *n = &r->nodes[i];
		int linkc = 0, l0 = 1;

		if (n->silent)
			continue;
		for (int l = 0; l < r->nlinks; l++)
			linkc += r->links[l].from == (__u32)i;
		put_addr(out, first ? "{\"addr\":\"" : ",{\"addr\":\"", &n->addr);
		first = 0;
		json_key_uint(out, ",\"probe_ttl\":", n->ttl);
		json_key_uint(out, ",\"replies\":", n->replies);
		json_key_uint(out, ",\"flows\":", n->flows);
		if (n->rtt_min_ns) {
			json_lit(out, ",\"rtt_min\":");
			json_milli(out, (n->rtt_min_ns + 500) / 1000);
		}
		if (n->verdict == VERDICT_UNREACH)
			json_key_uint(out, ",\"icmp_unreach_code\":", n->icmp_code);
		json_key_uint(out, ",\"linkc\":", (unsigned long long)linkc);
		json_lit(out, ",\"links\":[");
		for (int l = 0; l < r->nlinks; l++) {
			const struct mp_node *to = &r->nodes[r->links[l].to];

			if (r->links[l].from != (__u32)i)
				continue;
			put_addr(out, l0 ? "[{\"addr\":\"" : ",[{\"addr\":\"", &to->addr);
			json_key_uint(out, ",\"probe_ttl\":", to->ttl);
			json_lit(out, "}]");
			l0 = 0;
		}
		json_lit(out, "]}");
	}
	json_lit(out, "]");
}

void mp_json_write(FILE *out, const struct mp_rec *r)
{
	put_head(out, r);
	put_nodes(out, r);
	json_lit(out, ",\"links\":[");
	for (int l = 0; l < r->nlinks; l++) {
		const struct mp_node *f = &r->nodes[r->links[l].from], *t = &r->nodes[r->links[l].to];

		put_addr(out, l ? ",{\"from\":\"" : "{\"from\":\"", &f->addr);
		put_addr(out, ",\"to\":\"", &t->addr);
		json_key_uint(out, ",\"from_ttl\":", f->ttl);
		json_key_uint(out, ",\"to_ttl\":", t->ttl);
		/* its probes, as many as its probe sets in warts hold */
		json_key_uint(out, ",\"probec\":", r->links[l].nprobes);
		json_lit(out, "}");
	}
	json_lit(out, "]");
	if (r->h.stop_reason == STOP_PROBELIMIT) {
		json_lit(out, ",\"unfinished\":[");
		for (int i = 0; i < r->nunfinished; i++) {
			const struct mp_node *n = &r->nodes[r->unfinished[i]];

			if (n->silent) /* the flows silent at a TTL: "*" */
				json_lit(out, i ? ",\"*\"" : "\"*\"");
			else
				put_addr(out, i ? ",\"" : "\"", &n->addr);
		}
		json_lit(out, "]");
	}
	json_lit(out, "}\n");
}

static void mp_json_record(void *st, const struct record *rec)
{
	struct mp_json_sink *j = st;

	if (rec->kind != REC_MULTIPATH)
		return;
	mp_json_write(j->out, rec->mp);
	fflush(j->out);
}

static const struct sink_ops mp_json_ops = {
	.name = "multipath json",
	.record = mp_json_record,
};

struct sink mp_json_sink(struct mp_json_sink *j, FILE *out)
{
	j->out = out;
	return (struct sink){ .ops = &mp_json_ops, .st = j };
}
