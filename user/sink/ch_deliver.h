/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Delivery of row batches to ClickHouse, off the probing path: the sink
 * hands over sealed batches (ch_delivery_push never waits on the
 * database), a thread of its own sends them through a transport
 * (ch_http.c, or a fake one in the unit tests), and retries with backoff.
 *
 * Exactly once: a batch is one INSERT, every row carrying its batch_id,
 * into one table of the node the transport talks to (18.16 deduplicates
 * retried inserts only in Replicated tables). When a send's outcome is
 * unknown (the connection broke after the rows left), the batch is sent
 * again only after the node says no row of that batch_id is there.
 *
 * Rows are kept in memory up to a bound, then appended to a spool file,
 * which the thread reads back when it has caught up. At the end it gets
 * a bounded wait; what is still undelivered then goes to the spool file,
 * which `xhop clickhouse-replay` delivers later (asking first for every
 * batch, so a spool can be replayed twice without a duplicate row).
 */
#ifndef XHOP_CH_DELIVER_H
#define XHOP_CH_DELIVER_H

#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <linux/types.h>

#define CH_BATCH_ID_LEN 32 /* 128 random bits in hex */

enum ch_outcome {
	CH_OK = 0,
	CH_NOT_SENT,  /* no connection: the rows never left */
	CH_UNKNOWN,   /* they may have arrived: ask before resending */
	CH_REFUSED,   /* the node will never take them (schema, not ClickHouse) */
};

struct ch_batch {
	struct ch_batch *next;
	int table;			  /* enum ch_table */
	char id[CH_BATCH_ID_LEN + 1];
	char *body;			  /* TabSeparated lines (ch_rows.c) */
	size_t len;
	__u32 rows;
	int ask;			  /* an earlier send's outcome is unknown */
	int retried;			  /* counted in rows_retried already */
};

struct ch_transport_ops {
	/* A ClickHouse, tables there and right: CH_OK; else an outcome, why in err */
	int (*setup)(void *st, char *err, size_t len);
	int (*insert)(void *st, const struct ch_batch *b, char *err, size_t len);
	/* Rows of b's batch_id in its table; -1: not known now (why in err) */
	long long (*count)(void *st, const struct ch_batch *b, char *err, size_t len);
};

struct ch_transport {
	const struct ch_transport_ops *ops;
	void *st;
};

struct ch_delivery_cfg {
	const char *who;	 /* "xhop scan": messages */
	const char *table;	 /* DB.TABLE: spool headers name it */
	const char *spool_path;
	size_t mem_limit;	 /* bytes of rows held in memory before spooling */
	__u64 backoff_min_ns, backoff_max_ns;
};

struct ch_stats {
	__u64 rows_written;	/* delivered (or found there by a replay) */
	__u64 rows_retried;	/* in batches that needed more than one try */
	__u64 rows_spooled;	/* left in the spool file at the end */
	__u64 rows_lost;	/* neither delivered nor spooled (spool unwritable) */
	__u64 batches_present;	/* a replay found these delivered already */
};

struct ch_delivery {
	struct ch_delivery_cfg cfg;
	struct ch_transport tr;
	pthread_t thread;
	int thread_on, thread_done;
	pthread_mutex_t lock;
	pthread_cond_t cond;	     /* work for the thread, progress for finish */
	struct ch_batch *head, *tail; /* in memory, oldest first */
	size_t mem_bytes;
	/* the spool: [spool_read, spool_end) not delivered yet */
	int spool_fd;
	__u64 spool_start, spool_read, spool_end, spool_rows;
	int spool_ask, spool_retried; /* of the batch at spool_read */
	int spool_errno;	      /* the last append failed (reported once) */
	int replay;		      /* ask before every spooled batch, keep the file */
	int setup_done;
	int finishing;
	int abort;		      /* atomic: the transport gives up at once */
	int fatal;
	int down;		      /* reported unreachable, not back yet */
	char why[256];
	struct ch_stats st;
};

/* 0, or -errno (reported) */
int ch_delivery_init(struct ch_delivery *d, const struct ch_delivery_cfg *cfg,
		     struct ch_transport tr);
/* The thread; setup_done: the transport's setup succeeded already */
int ch_delivery_start(struct ch_delivery *d, int setup_done);
/* Hand a sealed batch over (owned from now on); never waits on ClickHouse */
void ch_delivery_push(struct ch_delivery *d, struct ch_batch *b);
/*
 * Deliver what is left within wait_ns (stop: cut short when it turns
 * nonzero, a signal), then spool the rest and stop the thread. 0: all
 * delivered; -1: rows spooled or lost, reported with the spool's name.
 */
int ch_delivery_finish(struct ch_delivery *d, __u64 wait_ns, volatile sig_atomic_t *stop);
void ch_delivery_free(struct ch_delivery *d);

/* A new empty batch for table kind, a fresh random id; NULL: out of memory */
struct ch_batch *ch_batch_new(int table);
void ch_batch_free(struct ch_batch *b);

/*
 * xhop clickhouse-replay: check every batch header of the spool at path
 * (reported, -1, when one is unreadable or names another table than the
 * first), then deliver it all as ch_delivery_finish does. table gets the
 * DB.TABLE the spool names (at least 256 bytes).
 */
int ch_spool_check(const char *path, char *table, size_t len, __u64 *rows, __u64 *batches);
int ch_delivery_replay(struct ch_delivery *d, const char *path, __u64 rows);

#endif
