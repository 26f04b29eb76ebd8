// SPDX-License-Identifier: GPL-2.0
/* The ground truth of the simulated Internet: see sim_truth.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "sim_truth.h"

int sim_path_of(const struct sim_params *p, __u32 family, const __u32 dst[4], __u32 flow,
		struct sim_path *out)
{
	__u32 route[SIM_TTL_MAX + 1], label[SIM_TTL_MAX + 1], t;
	struct sim_walk st;
	struct sim_dst d;
	struct sim_hop h;

	out->len = 0;
	if (!sim_dst_of(family, dst, p->seed, &d))
		return -EINVAL;
	/* one walk for the routers, then each TTL classified as the XDP
	 * program classifies it after its own walk
	 */
	sim_walk_init(&st, p, &d, flow, 0);
	while (!sim_step(&st)) {
		route[st.n] = st.cur;
		label[st.n] = st.label;
	}
	for (t = 1; t <= st.n + 1; t++) {
		sim_classify(p, &d, t <= st.n ? route[t] : route[st.n], t <= st.n ? label[t] : 0, t,
			     st.n, &h);
		if (h.kind == SIM_DEAD)
			break;
		out->at[t].kind = h.kind;
		/* the destination is one, whichever router led to it */
		out->at[t].iface = h.kind == SIM_DEST ? 0 : h.iface;
		out->at[t].label = h.label;
		out->len = t;
		if (h.kind == SIM_UNREACH || h.kind == SIM_DEST)
			break;
	}
	return 0;
}

static int ans_eq(const struct sim_ans *a, const struct sim_ans *b)
{
	/* every silent router prints as "*", whichever it is */
	if (a->kind == SIM_SILENT || b->kind == SIM_SILENT)
		return a->kind == b->kind;
	return a->kind == b->kind && a->iface == b->iface && a->label == b->label;
}

static int add_ans(struct sim_truth *t, __u32 ttl, const struct sim_ans *a)
{
	__u32 i;

	for (i = 0; i < t->n[ttl]; i++)
		if (ans_eq(&t->ans[ttl][i], a))
			return 0;
	if (t->n[ttl] == SIM_TRUTH_WIDE)
		return -E2BIG;
	t->ans[ttl][t->n[ttl]++] = *a;
	return 0;
}

static int add_span(struct sim_truth *t, __u32 ttl, const struct sim_ans *from, __u32 to_ttl,
		    const struct sim_ans *to)
{
	__u32 i;

	for (i = 0; i < t->nlinks; i++)
		if (t->links[i].ttl == ttl && t->links[i].to_ttl == to_ttl &&
		    ans_eq(&t->links[i].from, from) && ans_eq(&t->links[i].to, to))
			return 0;
	if (t->nlinks == SIM_TRUTH_LINKS)
		return -E2BIG;
	t->links[t->nlinks].ttl = ttl;
	t->links[t->nlinks].to_ttl = to_ttl;
	t->links[t->nlinks].from = *from;
	t->links[t->nlinks].to = *to;
	t->nlinks++;
	return 0;
}

static int add_link(struct sim_truth *t, __u32 ttl, const struct sim_ans *from,
		    const struct sim_ans *to)
{
	return add_span(t, ttl, from, ttl + 1, to);
}

/* Order within a TTL: routers by address, the destination, "*" last */
static __u64 ans_rank(const struct sim_ans *a)
{
	if (a->kind == SIM_SILENT)
		return ~0ull;
	if (a->kind == SIM_DEST)
		return ~0ull - 1;
	return a->iface;
}

static int cmp_ans(const void *x, const void *y)
{
	__u64 a = ans_rank(x), b = ans_rank(y);

	return a < b ? -1 : a > b;
}

int sim_truth_build(const struct sim_params *p, __u32 family, const __u32 dst[4],
		    const __u32 *flows, __u32 nflows, struct sim_truth *t)
{
	struct sim_path path;
	__u32 f, ttl;
	int err;

	memset(t, 0, sizeof(*t));
	t->family = family;
	memcpy(t->dst, dst, sizeof(t->dst));
	if (!flows)
		nflows = SIM_TRUTH_FLOWS;
	for (f = 0; f < nflows; f++) {
		err = sim_path_of(p, family, dst, flows ? flows[f] : f, &path);
		if (err)
			return err;
		for (ttl = 1; ttl <= path.len; ttl++) {
			err = add_ans(t, ttl, &path.at[ttl]);
			if (!err && ttl > 1)
				err = add_link(t, ttl - 1, &path.at[ttl - 1], &path.at[ttl]);
			if (err)
				return err;
		}
		if (path.len > t->last)
			t->last = path.len;
	}
	/*
	 * Past a flow's end, up to the longest path's: what that flow gets
	 * there too. The destination and an unreachable prefix's last router
	 * answer every larger TTL; a dead destination nothing ("*").
	 */
	for (f = 0; f < nflows; f++) {
		struct sim_ans end;

		sim_path_of(p, family, dst, flows ? flows[f] : f, &path);
		end = path.at[path.len];
		if (end.kind == SIM_ROUTER || end.kind == SIM_SILENT)
			end.kind = SIM_SILENT;
		for (ttl = path.len + 1; ttl <= t->last; ttl++) {
			err = add_ans(t, ttl, &end);
			if (err)
				return err;
		}
	}
	for (ttl = 1; ttl <= t->last; ttl++)
		qsort(t->ans[ttl], t->n[ttl], sizeof(t->ans[ttl][0]), cmp_ans);
	return 0;
}

int sim_truth_spans(const struct sim_params *p, __u32 family, const __u32 dst[4], __u32 dst_len,
		    __u32 naddr, struct sim_truth *t)
{
	struct sim_path path;
	__u32 f, ttl, w[4];
	int err;

	memset(t, 0, sizeof(*t));
	t->family = family;
	t->dst_len = dst_len;
	t->spans = 1;
	memcpy(t->dst, dst, sizeof(t->dst));
	if (!naddr || naddr > 256)
		return -EINVAL;
	for (f = 0; f < SIM_TRUTH_FLOWS; f++) {
		const struct sim_ans *prev = NULL;
		__u32 prev_ttl = 0;

		memcpy(w, dst, sizeof(w));
		w[family == 4 ? 0 : 3] |= f % naddr;
		err = sim_path_of(p, family, w, f, &path);
		if (err)
			return err;
		for (ttl = 1; ttl <= path.len; ttl++) {
			if (path.at[ttl].kind == SIM_SILENT)
				continue;
			if (prev && (err = add_span(t, prev_ttl, prev, ttl, &path.at[ttl])))
				return err;
			prev = &path.at[ttl];
			prev_ttl = ttl;
		}
		if (path.len > t->last)
			t->last = path.len;
	}
	return 0;
}

void sim_ans_str(const struct sim_truth *t, const struct sim_ans *a, int labels, char *buf,
		 size_t len)
{
	size_t n;
	__u32 w[4], i;
	__u8 raw[16];

	if (a->kind == SIM_SILENT) {
		snprintf(buf, len, "*");
		return;
	}
	if (a->kind == SIM_DEST) {
		memcpy(w, t->dst, sizeof(w));
	} else if (t->family == 4) {
		w[0] = sim_iface_addr4(a->iface);
	} else {
		sim_iface_addr6(a->iface, w);
	}
	for (i = 0; i < 4; i++) {
		__u32 be = htonl(w[i]);

		memcpy(raw + 4 * i, &be, 4);
	}
	if (!inet_ntop(t->family == 4 ? AF_INET : AF_INET6, raw, buf, len))
		snprintf(buf, len, "?");
	n = strlen(buf);
	if (a->kind == SIM_DEST && t->dst_len && n < len)
		snprintf(buf + n, len - n, "/%u", t->dst_len);
	else if (labels && a->label && n < len)
		snprintf(buf + n, len - n, "[L%u]", a->label);
}

void sim_truth_print(const struct sim_truth *t, int links, int labels, FILE *f)
{
	char a[INET6_ADDRSTRLEN + 16], b[INET6_ADDRSTRLEN + 16];
	__u32 ttl, i;

	if (links) {
		for (ttl = 1; ttl < t->last; ttl++) {
			for (i = 0; i < t->nlinks; i++) {
				if (t->links[i].ttl != ttl)
					continue;
				sim_ans_str(t, &t->links[i].from, labels, a, sizeof(a));
				sim_ans_str(t, &t->links[i].to, labels, b, sizeof(b));
				if (t->spans)
					fprintf(f, "%u %s %u %s\n", ttl, a, t->links[i].to_ttl, b);
				else
					fprintf(f, "%u %s %s\n", ttl, a, b);
			}
		}
		return;
	}
	for (ttl = 1; ttl <= t->last; ttl++) {
		fprintf(f, "%u", ttl);
		for (i = 0; i < t->n[ttl]; i++) {
			sim_ans_str(t, &t->ans[ttl][i], labels, a, sizeof(a));
			fprintf(f, " %s", a);
		}
		fputc('\n', f);
	}
}
