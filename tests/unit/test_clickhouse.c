// SPDX-License-Identifier: GPL-2.0
/*
 * xhop scan --clickhouse without a server: the rows (addresses as text,
 * escaping, units), the DDL and the column check, and the delivery
 * thread against a fake transport that loses answers, goes down and
 * refuses: every batch arrives exactly once, the spool keeps what did
 * not and a replay of it delivers it all, twice without a duplicate.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "core/probe_build.h"
#include "core/units.h"
#include "net/addr.h"
#include "sink/ch_deliver.h"
#include "sink/ch_rows.h"
#include "sink/ch_schema.h"
#include "xhop_test.h"

/* ---- rows ---- */

static void mapped4(struct in6_addr *a, const char *s)
{
	memset(a, 0, sizeof(*a));
	a->s6_addr[10] = a->s6_addr[11] = 0xff;
	inet_pton(AF_INET, s, &a->s6_addr[12]);
}

static char *rows_of(const struct trace_rec *t, const struct ch_ident *id, int target, int *n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	*n = 1;
	if (target)
		ch_row_target(f, id, "00112233445566778899aabbccddeeff", t);
	else
		*n = ch_rows_replies(f, id, "00112233445566778899aabbccddeeff", t);
	fclose(f);
	return buf;
}

/* Columns in the first line of TSV s */
static size_t columns_of(const char *s)
{
	size_t n = 1;

	for (; *s && *s != '\n'; s++)
		n += *s == '\t';
	return n;
}

static size_t columns_of_table(int table)
{
	size_t n;

	ch_columns(table, &n);
	return n;
}

static void test_rows(void)
{
	struct ch_ident id = { .measurement = "m\"1\\x\ttab", .vantage = "vp-1" };
	struct probe_rec hops[2] = { 0 };
	struct trace_rec t = { 0 };
	char *s;
	int n;

	t.h.family = 4;
	t.h.method = METHOD_ICMP;
	t.h.icmp_sum = 4242;
	t.h.real_offset_ns = 1000 * (__s64)NS_PER_S;
	t.h.stop_reason = STOP_COMPLETED;
	t.h.hop_count = 5;
	t.h.probe_count = 9;
	t.h.start.tv_sec = 1700000000;
	t.h.start.tv_nsec = 5;
	mapped4(&t.h.src, "198.18.1.1");
	mapped4(&t.h.dst, "198.19.0.77");
	hops[0].ttl = 1;
	hops[0].answered = 1;
	hops[0].tx_ns = 2 * NS_PER_S;
	mapped4(&hops[0].reply.from, "198.18.1.2");
	hops[0].reply.rx_ns = 2 * NS_PER_S + 123456; /* 0.123456 ms: rounds to 0.123 */
	hops[0].reply.icmp_type = 11;
	hops[0].reply.reply_ttl = 64;
	hops[0].reply.ip_len = 56;
	hops[0].reply.mpls_count = 2;
	hops[0].reply.mpls[0] = (16u << 12) | 0x1ff;
	hops[0].reply.mpls[1] = (17u << 12) | 0x101;
	hops[1].ttl = 5;
	hops[1].attempt = 2;
	hops[1].answered = 1;
	hops[1].tx_ns = 0; /* its send stamp lost: rtt -1, tx 0 */
	mapped4(&hops[1].reply.from, "198.19.0.77");
	hops[1].reply.rx_ns = 3 * NS_PER_S;
	hops[1].reply.kind = XHOP_EV_ECHO;
	t.hops = hops;
	t.nhops = 2;

	s = rows_of(&t, &id, 0, &n);
	EXPECT(n == 2, "rows %d", n);
	/* every column of ch_schema.c in order, TSV-escaped text */
	EXPECT(!strncmp(s, "m\"1\\\\x\\ttab\tvp-1\t00112233445566778899aabbccddeeff\t198.18.1.1\t"
			   "198.19.0.77\ticmp-echo-paris\t4242\t0\t1\t0\t0\t1002000000000\t198.18.1.2\t"
			   "1002000123456\t11\t0\t0\t64\t0\t56\t[16,17]\t0.123\n", strchr(s, '\n') - s + 1),
	       "first row: %s", s);
	EXPECT(strstr(s, "\t1002000000000\t198.18.1.2\t"), "times: %s", s);
	EXPECT(strstr(s, "\t5\t2\t0\t0\t198.19.0.77\t1003000000000\t"), "no tx: %s", s);
	EXPECT(strstr(s, "\t[]\t-1\n"), "no rtt: %s", s);
	EXPECT(strchr(s, '\n') && strchr(strchr(s, '\n') + 1, '\n') &&
	       !strchr(strchr(strchr(s, '\n') + 1, '\n') + 1, '\n'), "two lines: %s", s);
	EXPECT(columns_of(s) == columns_of_table(CH_REPLIES), "%zu columns in %s", columns_of(s), s);
	free(s);

	s = rows_of(&t, &id, 1, &n);
	EXPECT(strstr(s, "\t1700000000000000005\tCOMPLETED\t0\t5\t2\t9\n"), "target: %s", s);
	EXPECT(columns_of(s) == columns_of_table(CH_TARGETS), "%zu columns in %s", columns_of(s), s);
	free(s);

	/* IPv6 as RFC 5952: lower case, the longest zero run as "::" */
	t.h.family = 6;
	t.h.method = METHOD_UDP;
	t.h.sport = 40000;
	t.h.dport = 33434;
	inet_pton(AF_INET6, "2001:2:0:100::77", &t.h.dst);
	inet_pton(AF_INET6, "2001:2:0:0:1:0:0:2", &hops[0].reply.from);
	t.nhops = 1;
	s = rows_of(&t, &id, 0, &n);
	EXPECT(strstr(s, "\t2001:2:0:100::77\tudp-paris\t40000\t33434\t"), "dst6, udp flow: %s", s);
	EXPECT(strstr(s, "\t2001:2::1:0:0:2\t"), "RFC 5952: %s", s);
	free(s);
}

/* ---- schema ---- */

static void test_schema(void)
{
	char *ddl[CH_DDL_MAX], why[200], tsv[4096];
	int n = ch_schema_ddl("xhop.replies", NULL, ddl, CH_DDL_MAX), dist = 0, local = 0;
	size_t ncol;
	const struct ch_column *c;

	EXPECT(n == 3, "single node: %d statements", n);
	EXPECT(n > 0 && !strcmp(ddl[0], "CREATE DATABASE IF NOT EXISTS xhop"), "first: %s",
	       n > 0 ? ddl[0] : "");
	for (int i = 0; i < n; i++) {
		EXPECT(!strstr(ddl[i], "ON CLUSTER") && !strstr(ddl[i], "Distributed") &&
		       !strchr(ddl[i], ';'), "%s", ddl[i]);
		free(ddl[i]);
	}
	n = ch_schema_ddl("db1.t", "two", ddl, CH_DDL_MAX);
	EXPECT(n == 5, "cluster: %d statements", n);
	for (int i = 0; i < n; i++) {
		dist += strstr(ddl[i], "ENGINE = Distributed(two, db1, t_local, cityHash64(batch_id))") ||
			strstr(ddl[i], "ENGINE = Distributed(two, db1, t_targets_local, cityHash64(batch_id))");
		local += strstr(ddl[i], "CREATE TABLE IF NOT EXISTS db1.t_local\n") ||
			 strstr(ddl[i], "CREATE TABLE IF NOT EXISTS db1.t_targets_local\n");
		EXPECT(!strstr(ddl[i], "ON CLUSTER") && !strstr(ddl[i], "LowCardinality") &&
		       !strstr(ddl[i], "DateTime64"), "%s", ddl[i]);
		free(ddl[i]);
	}
	EXPECT(dist == 2 && local == 2, "distributed %d, local %d", dist, local);
	EXPECT(ch_schema_ddl("nodot", NULL, ddl, CH_DDL_MAX) < 0, "bad name");
	EXPECT(ch_schema_ddl("a.b;DROP", NULL, ddl, CH_DDL_MAX) < 0, "injection refused");

	c = ch_columns(CH_REPLIES, &ncol);
	tsv[0] = 0;
	for (size_t i = 0; i < ncol; i++)
		sprintf(tsv + strlen(tsv), "%s\t%s\n", c[ncol - 1 - i].name, c[ncol - 1 - i].type);
	EXPECT(!ch_columns_check(CH_REPLIES, tsv, why, sizeof(why)), "same columns: %s", why);
	EXPECT(ch_columns_check(CH_TARGETS, tsv, why, sizeof(why)) && strstr(why, "does not write"),
	       "other table: %s", why);
	strcat(tsv, "extra\tString\n");
	EXPECT(ch_columns_check(CH_REPLIES, tsv, why, sizeof(why)) && strstr(why, "extra"),
	       "extra column: %s", why);
	EXPECT(ch_columns_check(CH_REPLIES, "rtt\tFloat32\n", why, sizeof(why)) &&
	       strstr(why, "Float32"), "type: %s", why);
	EXPECT(ch_columns_check(CH_REPLIES, "rtt\tFloat64\n", why, sizeof(why)) &&
	       strstr(why, "of xhop's"), "missing: %s", why);
}

/* ---- delivery, against a fake node ---- */

#define FAKE_MAX 256

struct fake {
	pthread_mutex_t lock;
	char ids[FAKE_MAX][CH_BATCH_ID_LEN + 1];
	__u32 rows[FAKE_MAX];
	int n;
	int down;		/* every call: not sent */
	int lose_answers;	/* this many inserts land, their answers lost */
	int refuse;		/* inserts refused for good */
	int down_after_loss;	/* a lost answer takes the node down */
	int inserts, counts, setups;
};

static int fake_find(struct fake *f, const char *id)
{
	for (int i = 0; i < f->n; i++)
		if (!strcmp(f->ids[i], id))
			return i;
	return -1;
}

static int fake_setup(void *st, char *why, size_t len)
{
	struct fake *f = st;
	int r;

	pthread_mutex_lock(&f->lock);
	f->setups++;
	r = f->down ? CH_NOT_SENT : CH_OK;
	pthread_mutex_unlock(&f->lock);
	snprintf(why, len, "fake down");
	return r;
}

static int fake_insert(void *st, const struct ch_batch *b, char *why, size_t len)
{
	struct fake *f = st;
	int r = CH_OK;

	pthread_mutex_lock(&f->lock);
	f->inserts++;
	snprintf(why, len, "fake");
	if (f->down) {
		r = CH_NOT_SENT;
	} else if (f->refuse) {
		r = CH_REFUSED;
	} else {
		/* what a node holds: every insert that reached it, duplicates too */
		if (f->n < FAKE_MAX) {
			memcpy(f->ids[f->n], b->id, sizeof(b->id));
			f->rows[f->n++] = b->rows;
		}
		if (f->lose_answers > 0) {
			f->lose_answers--;
			f->down |= f->down_after_loss;
			r = CH_UNKNOWN;
		}
	}
	pthread_mutex_unlock(&f->lock);
	return r;
}

static long long fake_count(void *st, const struct ch_batch *b, char *why, size_t len)
{
	struct fake *f = st;
	long long n = -1;
	int i;

	pthread_mutex_lock(&f->lock);
	f->counts++;
	snprintf(why, len, "fake down");
	if (!f->down) {
		i = fake_find(f, b->id);
		n = i < 0 ? 0 : f->rows[i];
	}
	pthread_mutex_unlock(&f->lock);
	return n;
}

static const struct ch_transport_ops fake_ops = {
	.setup = fake_setup, .insert = fake_insert, .count = fake_count,
};

static void fake_set(struct fake *f, int *field, int v)
{
	pthread_mutex_lock(&f->lock);
	*field = v;
	pthread_mutex_unlock(&f->lock);
}

/* Each batch id at most once at the node; the total of its rows */
static __u64 fake_rows_once(struct fake *f, int *dups)
{
	__u64 rows = 0;

	*dups = 0;
	for (int i = 0; i < f->n; i++) {
		rows += f->rows[i];
		*dups += fake_find(f, f->ids[i]) != i;
	}
	return rows;
}

static struct ch_batch *batch(__u32 rows)
{
	struct ch_batch *b = ch_batch_new(CH_REPLIES);

	b->rows = rows;
	b->len = (size_t)rows * 10;
	b->body = malloc(b->len);
	memset(b->body, 'x', b->len);
	b->body[b->len - 1] = '\n';
	return b;
}

static char spool_path[64];

static void start(struct ch_delivery *d, struct fake *f, size_t mem_limit)
{
	struct ch_delivery_cfg cfg = {
		.who = "test", .table = "xhop.replies", .spool_path = spool_path,
		.mem_limit = mem_limit, .backoff_min_ns = NS_PER_MS, .backoff_max_ns = 4 * NS_PER_MS,
	};

	memset(f, 0, sizeof(*f));
	pthread_mutex_init(&f->lock, NULL);
	ch_delivery_init(d, &cfg, (struct ch_transport){ &fake_ops, f });
}

static void test_delivery_once(void)
{
	struct ch_delivery d;
	struct fake f;
	int dups = 0, rc;

	/* answers lost: the rows landed; asked, not sent again */
	start(&d, &f, 1 << 20);
	f.lose_answers = 2;
	ch_delivery_start(&d, 1);
	for (int i = 0; i < 5; i++)
		ch_delivery_push(&d, batch(100 + (__u32)i));
	rc = ch_delivery_finish(&d, 10 * NS_PER_S, NULL);
	EXPECT(rc == 0, "finish %d", rc);
	EXPECT(f.n == 5 && fake_rows_once(&f, &dups) == 510 && dups == 0, "at the node: %d, dups %d",
	       f.n, dups);
	EXPECT(d.st.rows_written == 510 && d.st.rows_spooled == 0, "written %llu",
	       (unsigned long long)d.st.rows_written);
	EXPECT(d.st.rows_retried == 201, "retried %llu", (unsigned long long)d.st.rows_retried);
	EXPECT(f.counts >= 2 && f.inserts == 5, "asked %d, inserts %d", f.counts, f.inserts);
	EXPECT(access(spool_path, F_OK) != 0, "no spool left");
	ch_delivery_free(&d);
}

struct later {
	struct fake *f;
	__u64 after_ns;
};

static void *come_back(void *arg)
{
	struct later *l = arg;

	usleep((useconds_t)(l->after_ns / 1000));
	fake_set(l->f, &l->f->down, 0);
	return NULL;
}

static void test_delivery_down_then_back(void)
{
	struct later l;
	struct ch_delivery d;
	struct stat sb;
	struct fake f;
	pthread_t th;
	int dups = 0, rc, spooled_seen;

	/* down from the start, 2 KiB in memory: the rest goes to the spool */
	start(&d, &f, 2048);
	f.down = 1;
	ch_delivery_start(&d, 0);
	for (int i = 0; i < 20; i++)
		ch_delivery_push(&d, batch(50)); /* 500 bytes each */
	spooled_seen = !stat(spool_path, &sb) && sb.st_size > 0;
	EXPECT(spooled_seen, "over the bound: spooled (%s)", strerror(errno));
	pthread_mutex_lock(&d.lock);
	EXPECT(d.mem_bytes <= 2048 + 500, "memory %zu", d.mem_bytes);
	pthread_mutex_unlock(&d.lock);
	l = (struct later){ &f, 50 * NS_PER_MS };
	pthread_create(&th, NULL, come_back, &l);
	rc = ch_delivery_finish(&d, 10 * NS_PER_S, NULL);
	pthread_join(th, NULL);
	EXPECT(rc == 0, "finish %d", rc);
	EXPECT(f.n == 20 && fake_rows_once(&f, &dups) == 1000 && dups == 0, "at the node %d", f.n);
	EXPECT(d.st.rows_written == 1000 && d.st.rows_spooled == 0, "written %llu",
	       (unsigned long long)d.st.rows_written);
	EXPECT(access(spool_path, F_OK) != 0, "the spool delivered and removed");
	ch_delivery_free(&d);
}

static void test_delivery_spool_replay(void)
{
	struct ch_delivery d;
	struct fake f, keep;
	char table[256];
	__u64 rows, batches;
	int dups = 0, rc;

	/* down past the wait, one batch's answer lost before: all spooled */
	start(&d, &f, 1 << 20);
	f.lose_answers = 1;
	f.down_after_loss = 1;
	ch_delivery_start(&d, 1);
	ch_delivery_push(&d, batch(7));
	for (int i = 0; i < 4; i++)
		ch_delivery_push(&d, batch(10));
	rc = ch_delivery_finish(&d, 30 * NS_PER_MS, NULL);
	EXPECT(rc == -1, "finish %d", rc);
	EXPECT(d.st.rows_spooled == 47 && d.st.rows_written == 0, "spooled %llu",
	       (unsigned long long)d.st.rows_spooled);
	ch_delivery_free(&d);
	EXPECT(!ch_spool_check(spool_path, table, sizeof(table), &rows, &batches) && rows == 47 &&
	       batches == 5 && !strcmp(table, "xhop.replies"), "spool: %llu rows, %llu batches",
	       (unsigned long long)rows, (unsigned long long)batches);

	/* the replay: the batch that had landed is found, not sent again */
	keep = f;
	fake_set(&f, &f.down, 0);
	{
		struct ch_delivery_cfg cfg = {
			.who = "test", .table = table, .spool_path = spool_path,
			.backoff_min_ns = NS_PER_MS, .backoff_max_ns = 4 * NS_PER_MS,
		};

		for (int round = 0; round < 2; round++) {
			ch_delivery_init(&d, &cfg, (struct ch_transport){ &fake_ops, &f });
			EXPECT(!ch_delivery_replay(&d, spool_path, rows), "replay opens");
			ch_delivery_start(&d, 1);
			rc = ch_delivery_finish(&d, 10 * NS_PER_S, NULL);
			EXPECT(rc == 0, "replay %d: %d", round, rc);
			EXPECT(d.st.rows_written == 47 && d.st.batches_present == (round ? 5u : 1u),
			       "replay %d: written %llu, present %llu", round,
			       (unsigned long long)d.st.rows_written,
			       (unsigned long long)d.st.batches_present);
			ch_delivery_free(&d);
		}
	}
	EXPECT(f.n == 5 && fake_rows_once(&f, &dups) == 47 && dups == 0, "at the node %d, dups %d",
	       f.n, dups);
	(void)keep;
	unlink(spool_path);

	/* a torn spool is refused, naming where */
	{
		FILE *s = fopen(spool_path, "w");

		fputs("xhop-clickhouse-batch 1 replies xhop.replies "
		      "00112233445566778899aabbccddeeff 3 100\n{}\n", s);
		fclose(s);
		EXPECT(ch_spool_check(spool_path, table, sizeof(table), &rows, &batches) == -1,
		       "torn spool refused");
		s = fopen(spool_path, "w");
		fputs("hello\n", s);
		fclose(s);
		EXPECT(ch_spool_check(spool_path, table, sizeof(table), &rows, &batches) == -1,
		       "not a spool refused");
		unlink(spool_path);
	}
}

static void test_delivery_full_disk_and_refusal(void)
{
	struct ch_delivery d;
	struct fake f;
	int rc;

	/* the spool on a full disk: nothing hidden, every row counted lost */
	snprintf(spool_path, sizeof(spool_path), "/dev/full");
	start(&d, &f, 1 << 20);
	f.down = 1;
	ch_delivery_start(&d, 0);
	for (int i = 0; i < 3; i++)
		ch_delivery_push(&d, batch(5));
	rc = ch_delivery_finish(&d, 10 * NS_PER_MS, NULL);
	EXPECT(rc == -1 && d.st.rows_lost == 15 && d.st.rows_spooled == 0, "lost %llu",
	       (unsigned long long)d.st.rows_lost);
	ch_delivery_free(&d);
	snprintf(spool_path, sizeof(spool_path), "/tmp/xhop-test-ch-%d.spool", getpid());

	/* refused for good: no retry loop, the rows go to the spool */
	start(&d, &f, 1 << 20);
	f.refuse = 1;
	ch_delivery_start(&d, 1);
	ch_delivery_push(&d, batch(5));
	rc = ch_delivery_finish(&d, 10 * NS_PER_S, NULL);
	EXPECT(rc == -1 && d.fatal && d.st.rows_spooled == 5 && f.inserts == 1,
	       "refused: rc %d, fatal %d, spooled %llu, inserts %d", rc, d.fatal,
	       (unsigned long long)d.st.rows_spooled, f.inserts);
	ch_delivery_free(&d);
	unlink(spool_path);
}

/* No rows: the node is never asked, the end does not wait for it */
static void test_delivery_nothing(void)
{
	struct ch_delivery d;
	struct fake f;
	__u64 t0 = clock_mono_ns();
	int rc;

	start(&d, &f, 1 << 20);
	f.down = 1;
	ch_delivery_start(&d, 0);
	rc = ch_delivery_finish(&d, 10 * NS_PER_S, NULL);
	EXPECT(rc == 0 && f.setups == 0 && clock_mono_ns() - t0 < NS_PER_S,
	       "rc %d, setups %d, %llu ms", rc, f.setups,
	       (unsigned long long)((clock_mono_ns() - t0) / NS_PER_MS));
	EXPECT(access(spool_path, F_OK) != 0, "no spool");
	ch_delivery_free(&d);
}

int main(void)
{
	snprintf(spool_path, sizeof(spool_path), "/tmp/xhop-test-ch-%d.spool", getpid());
	unlink(spool_path);
	test_rows();
	test_schema();
	test_delivery_nothing();
	test_delivery_once();
	test_delivery_down_then_back();
	test_delivery_spool_replay();
	test_delivery_full_disk_and_refusal();
	return TEST_SUMMARY();
}
