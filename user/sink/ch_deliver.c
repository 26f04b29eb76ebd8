// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include "core/log.h"
#include "core/units.h"
#include "net/addr.h"
#include "sink/ch_deliver.h"
#include "sink/ch_schema.h"

/* A spool record: this line, then <bytes> of TabSeparated rows */
#define SPOOL_MAGIC "xhop-clickhouse-batch 1"
#define SPOOL_HEADER_MAX 512
/* finish looks at the clock and at signals this often */
#define FINISH_STEP_NS (NS_PER_S / 10)
/* the delivery thread's nice value (Linux: per thread) */
#define CH_DELIVERY_NICE 10

struct ch_batch *ch_batch_new(int table)
{
	static const char hex[] = "0123456789abcdef";
	struct ch_batch *b = calloc(1, sizeof(*b));
	unsigned char rnd[CH_BATCH_ID_LEN / 2];

	if (!b)
		return NULL;
	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd)) {
		free(b);
		return NULL;
	}
	for (size_t i = 0; i < sizeof(rnd); i++) {
		b->id[2 * i] = hex[rnd[i] >> 4];
		b->id[2 * i + 1] = hex[rnd[i] & 15];
	}
	b->table = table;
	return b;
}

void ch_batch_free(struct ch_batch *b)
{
	if (!b)
		return;
	free(b->body);
	free(b);
}

static void deadline_ts(struct timespec *ts, __u64 at_ns)
{
	ts->tv_sec = (time_t)(at_ns / NS_PER_S);
	ts->tv_nsec = (long)(at_ns % NS_PER_S);
}

int ch_delivery_init(struct ch_delivery *d, const struct ch_delivery_cfg *cfg,
		     struct ch_transport tr)
{
	pthread_condattr_t ca;
	int err;

	memset(d, 0, sizeof(*d));
	d->cfg = *cfg;
	d->tr = tr;
	d->spool_fd = -1;
	err = pthread_mutex_init(&d->lock, NULL);
	if (err)
		goto err_report;
	/* backoff and the exit wait count on CLOCK_MONOTONIC: a clock step
	 * must not cut them short or stretch them
	 */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	err = pthread_cond_init(&d->cond, &ca);
	pthread_condattr_destroy(&ca);
	if (err) {
		pthread_mutex_destroy(&d->lock);
		goto err_report;
	}
	return 0;
err_report:
	log_err("%s: ClickHouse delivery: %s\n", cfg->who, strerror(err));
	return -err;
}

/* ---- the spool ---- */

static int spool_open(struct ch_delivery *d)
{
	struct stat sb;

	if (d->spool_fd >= 0)
		return 0;
	d->spool_fd = open(d->cfg.spool_path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (d->spool_fd < 0)
		return -errno;
	/* an existing file is kept as it was: ours begins at its end */
	if (!fstat(d->spool_fd, &sb) && S_ISREG(sb.st_mode))
		d->spool_start = (__u64)sb.st_size;
	d->spool_read = d->spool_end = d->spool_start;
	return 0;
}

/* Append b as one record; 0, or -errno with the file as it was */
static int spool_append(struct ch_delivery *d, const struct ch_batch *b)
{
	char head[SPOOL_HEADER_MAX];
	struct iovec iov[2];
	ssize_t want, got;
	int n, err;

	err = spool_open(d);
	if (err)
		return err;
	n = snprintf(head, sizeof(head), "%s %s %s %s %" PRIu32 " %zu\n", SPOOL_MAGIC,
		     ch_table_kind_name(b->table), d->cfg.table, b->id, b->rows, b->len);
	iov[0] = (struct iovec){ head, (size_t)n };
	iov[1] = (struct iovec){ b->body, b->len };
	want = n + (ssize_t)b->len;
	got = writev(d->spool_fd, iov, 2);
	if (got == want)
		goto done;
	err = got < 0 ? -errno : -ENOSPC;
	/* a torn record would hide every record behind it from a replay */
	if (ftruncate(d->spool_fd, (off_t)d->spool_end) && got > 0)
		log_err("%s: ClickHouse spool %s: a partial batch at its end: %s\n", d->cfg.who,
			d->cfg.spool_path, strerror(errno));
	return err;
done:
	d->spool_end += (__u64)want;
	d->spool_rows += b->rows;
	return 0;
}

/* Parse a record header at off: the batch (no body yet) and the body's offset */
static int spool_header(int fd, __u64 off, struct ch_batch *b, char *table, size_t tlen,
			__u64 *body_off)
{
	char head[SPOOL_HEADER_MAX + 1], kind[16], tbl[256], id[CH_BATCH_ID_LEN + 2], *nl;
	unsigned long long rows, len;
	ssize_t got = pread(fd, head, SPOOL_HEADER_MAX, (off_t)off);
	int n = 0;

	if (got <= 0)
		return -EIO;
	head[got] = 0;
	nl = memchr(head, '\n', (size_t)got);
	if (!nl || strncmp(head, SPOOL_MAGIC " ", sizeof(SPOOL_MAGIC)))
		return -EINVAL;
	*nl = 0;
	if (sscanf(head + sizeof(SPOOL_MAGIC), "%15s %255s %33s %llu %llu%n", kind, tbl, id, &rows,
		   &len, &n) != 5 || head[sizeof(SPOOL_MAGIC) + n] ||
	    strlen(id) != CH_BATCH_ID_LEN || ch_table_kind_of(kind) < 0 || rows > UINT32_MAX ||
	    len > (1ULL << 32))
		return -EINVAL;
	b->table = ch_table_kind_of(kind);
	memcpy(b->id, id, sizeof(b->id));
	b->rows = (__u32)rows;
	b->len = (size_t)len;
	snprintf(table, tlen, "%s", tbl);
	*body_off = off + (__u64)(nl - head) + 1;
	return 0;
}

/* The record at off as a batch (*next: the offset after it); NULL: unreadable */
static struct ch_batch *spool_read(struct ch_delivery *d, __u64 off, __u64 *next)
{
	struct ch_batch *b = calloc(1, sizeof(*b));
	char table[256];
	__u64 body;

	if (!b)
		return NULL;
	if (spool_header(d->spool_fd, off, b, table, sizeof(table), &body))
		goto err;
	b->body = malloc(b->len ? b->len : 1);
	if (!b->body || pread(d->spool_fd, b->body, b->len, (off_t)body) != (ssize_t)b->len)
		goto err;
	*next = body + b->len;
	return b;
err:
	ch_batch_free(b);
	return NULL;
}

int ch_spool_check(const char *path, char *table, size_t len, __u64 *rows, __u64 *batches)
{
	struct ch_batch b;
	char tbl[256];
	struct stat sb;
	__u64 off = 0, body;
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;

	*rows = *batches = 0;
	table[0] = 0;
	if (fd < 0 || fstat(fd, &sb)) {
		log_err("xhop clickhouse-replay: %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while (off < (__u64)sb.st_size) {
		err = spool_header(fd, off, &b, tbl, sizeof(tbl), &body);
		if (!err && body + b.len > (__u64)sb.st_size)
			err = -ERANGE;
		if (!err && table[0] && strcmp(table, tbl))
			err = -EXDEV;
		if (err)
			break;
		snprintf(table, len, "%s", tbl);
		*rows += b.rows;
		(*batches)++;
		off = body + b.len;
	}
	close(fd);
	if (!err && *batches)
		return 0;
	if (!err)
		log_err("xhop clickhouse-replay: %s: no batch in it\n", path);
	else
		log_err("xhop clickhouse-replay: %s: byte %llu: %s\n", path,
			(unsigned long long)off,
			err == -ERANGE ? "a batch cut short (the file ends inside it)" :
			err == -EXDEV  ? "a batch for another table than the first's" :
					 "not a batch header of an xhop spool");
	return -1;
}

/* ---- the thread ---- */

static void report_down(struct ch_delivery *d, const char *why)
{
	if (d->down)
		return;
	d->down = 1;
	log_warn("%s: ClickHouse: %s; rows are kept and retried\n", d->cfg.who, why);
}

static void report_fatal(struct ch_delivery *d, const char *why)
{
	d->fatal = 1;
	snprintf(d->why, sizeof(d->why), "%s", why);
	log_err("%s: ClickHouse refuses xhop's rows: %s\n", d->cfg.who, why);
}

/* Sleep for the backoff unless aborted; called and returns locked */
static void backoff_wait(struct ch_delivery *d, __u64 *backoff)
{
	__u64 until = clock_mono_ns() + *backoff;
	struct timespec ts;

	deadline_ts(&ts, until);
	while (!__atomic_load_n(&d->abort, __ATOMIC_ACQUIRE) && clock_mono_ns() < until)
		if (pthread_cond_timedwait(&d->cond, &d->lock, &ts) == ETIMEDOUT)
			break;
	*backoff = *backoff * 2 > d->cfg.backoff_max_ns ? d->cfg.backoff_max_ns : *backoff * 2;
}

/* One try at b: ask first when its last outcome is unknown. *present: the
 * node had it already. Unlocked.
 */
static int try_batch(struct ch_delivery *d, const struct ch_batch *b, int ask, int *present,
		     char *why, size_t len)
{
	*present = 0;
	if (ask) {
		long long n = d->tr.ops->count(d->tr.st, b, why, len);

		if (n < 0)
			return CH_UNKNOWN;
		if (n > 0) {
			/* one insert is atomic: all its rows or none */
			if ((__u64)n != b->rows)
				log_warn("%s: ClickHouse: batch %s has %lld of its %u rows there; "
					 "not sent again\n", d->cfg.who, b->id, n, b->rows);
			*present = 1;
			return CH_OK;
		}
	}
	return d->tr.ops->insert(d->tr.st, b, why, len);
}

static void *deliver_thread(void *arg)
{
	struct ch_delivery *d = arg;
	__u64 backoff = d->cfg.backoff_min_ns;
	char why[256];

	/* the probing threads first: delivery takes what CPU they leave
	 * (batches wait in memory meanwhile). Best effort: a refusal
	 * (RLIMIT_NICE) changes nothing else.
	 */
	if (setpriority(PRIO_PROCESS, (id_t)gettid(), CH_DELIVERY_NICE))
		log_debug("%s: ClickHouse delivery thread: nice: %s\n", d->cfg.who, strerror(errno));
	pthread_mutex_lock(&d->lock);
	while (!d->fatal && !__atomic_load_n(&d->abort, __ATOMIC_ACQUIRE)) {
		struct ch_batch *b = d->head;
		__u64 next = 0;
		int r, present, spooled = 0, ask;

		/* nothing to deliver: nothing to ask of the node either */
		if (!b && d->spool_read >= d->spool_end) {
			if (d->finishing)
				break;
			pthread_cond_wait(&d->cond, &d->lock);
			continue;
		}
		if (!d->setup_done) {
			pthread_mutex_unlock(&d->lock);
			r = d->tr.ops->setup(d->tr.st, why, sizeof(why));
			pthread_mutex_lock(&d->lock);
			if (r == CH_REFUSED) {
				report_fatal(d, why);
				break;
			}
			if (r != CH_OK) {
				report_down(d, why);
				backoff_wait(d, &backoff);
				continue;
			}
			d->setup_done = 1;
			continue; /* the queue may have changed meanwhile */
		}
		if (!b && d->spool_read < d->spool_end) {
			__u64 off = d->spool_read;

			pthread_mutex_unlock(&d->lock);
			b = spool_read(d, off, &next);
			pthread_mutex_lock(&d->lock);
			if (!b) {
				snprintf(why, sizeof(why), "spool %s: unreadable batch at byte %llu",
					 d->cfg.spool_path, (unsigned long long)off);
				report_fatal(d, why);
				break;
			}
			spooled = 1;
		}
		ask = spooled ? d->spool_ask || d->replay : b->ask;
		pthread_mutex_unlock(&d->lock);
		r = try_batch(d, b, ask, &present, why, sizeof(why));
		pthread_mutex_lock(&d->lock);
		if (r == CH_OK) {
			if (d->down)
				log_notice("%s: ClickHouse: delivering again\n", d->cfg.who);
			d->down = 0;
			backoff = d->cfg.backoff_min_ns;
			d->st.rows_written += b->rows;
			d->st.batches_present += present;
			if (spooled) {
				d->spool_read = next;
				d->spool_rows -= b->rows;
				d->spool_ask = d->spool_retried = 0;
				ch_batch_free(b);
			} else {
				d->head = b->next;
				if (!d->head)
					d->tail = NULL;
				d->mem_bytes -= b->len;
				ch_batch_free(b);
			}
			pthread_cond_broadcast(&d->cond);
			continue;
		}
		if (r == CH_REFUSED) {
			report_fatal(d, why);
			if (spooled)
				ch_batch_free(b);
			break;
		}
		/* not there, or not known: the same batch again, later */
		if (spooled) {
			d->spool_ask |= r == CH_UNKNOWN;
			if (!d->spool_retried)
				d->st.rows_retried += b->rows;
			d->spool_retried = 1;
			ch_batch_free(b);
		} else {
			b->ask |= r == CH_UNKNOWN;
			if (!b->retried)
				d->st.rows_retried += b->rows;
			b->retried = 1;
		}
		report_down(d, why);
		backoff_wait(d, &backoff);
	}
	d->thread_done = 1;
	pthread_cond_broadcast(&d->cond);
	pthread_mutex_unlock(&d->lock);
	return NULL;
}

int ch_delivery_start(struct ch_delivery *d, int setup_done)
{
	sigset_t all, old;
	int err;

	d->setup_done = setup_done;
	/* signals stay with the main thread: its loop sees SIGINT */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&d->thread, NULL, deliver_thread, d);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		log_err("%s: ClickHouse delivery thread: %s\n", d->cfg.who, strerror(err));
		return -err;
	}
	d->thread_on = 1;
	return 0;
}

void ch_delivery_push(struct ch_delivery *d, struct ch_batch *b)
{
	pthread_mutex_lock(&d->lock);
	/* over the bound (and something ahead of it in memory): to disk */
	if (d->head && d->mem_bytes + b->len > d->cfg.mem_limit) {
		int err = spool_append(d, b);

		if (!err) {
			pthread_cond_broadcast(&d->cond);
			pthread_mutex_unlock(&d->lock);
			ch_batch_free(b);
			return;
		}
		if (d->spool_errno != -err)
			log_err("%s: ClickHouse spool %s: %s; rows stay in memory\n", d->cfg.who,
				d->cfg.spool_path, strerror(-err));
		d->spool_errno = -err;
	}
	b->next = NULL;
	if (d->tail)
		d->tail->next = b;
	else
		d->head = b;
	d->tail = b;
	d->mem_bytes += b->len;
	pthread_cond_broadcast(&d->cond);
	pthread_mutex_unlock(&d->lock);
}

static int work_left(const struct ch_delivery *d)
{
	return d->head || d->spool_read < d->spool_end;
}

/* After the thread: what memory holds goes to the spool */
static void spool_rest(struct ch_delivery *d)
{
	while (d->head) {
		struct ch_batch *b = d->head;
		int err = spool_append(d, b);

		if (err) {
			d->st.rows_lost += b->rows;
			d->spool_errno = -err;
		}
		d->head = b->next;
		ch_batch_free(b);
	}
	d->tail = NULL;
	d->mem_bytes = 0;
}

static int finish_report(struct ch_delivery *d)
{
	struct stat sb;

	d->st.rows_spooled = d->spool_rows;
	if (d->replay)
		return d->spool_rows || d->fatal ? -1 : 0;
	if (d->spool_fd >= 0 && !d->spool_rows && !d->st.rows_lost && !d->spool_start &&
	    !fstat(d->spool_fd, &sb) && S_ISREG(sb.st_mode))
		unlink(d->cfg.spool_path); /* every batch in it was delivered */
	if (d->st.rows_lost)
		log_err("%s: ClickHouse: %llu rows neither delivered nor spooled (spool %s: %s); "
			"the trace output holds them\n", d->cfg.who,
			(unsigned long long)d->st.rows_lost, d->cfg.spool_path,
			strerror(d->spool_errno));
	if (d->spool_rows)
		log_err("%s: ClickHouse: %llu rows not delivered; kept in %s: deliver them with "
			"'xhop clickhouse-replay %s --clickhouse URL'\n", d->cfg.who,
			(unsigned long long)d->spool_rows, d->cfg.spool_path, d->cfg.spool_path);
	return d->spool_rows || d->st.rows_lost || d->fatal ? -1 : 0;
}

int ch_delivery_finish(struct ch_delivery *d, __u64 wait_ns, volatile sig_atomic_t *stop)
{
	__u64 deadline = clock_mono_ns() + wait_ns;
	struct timespec ts;

	pthread_mutex_lock(&d->lock);
	d->finishing = 1;
	pthread_cond_broadcast(&d->cond);
	while (d->thread_on && !d->thread_done && work_left(d) && !(stop && *stop)) {
		__u64 now = clock_mono_ns();

		if (now >= deadline)
			break;
		deadline_ts(&ts, now + FINISH_STEP_NS < deadline ? now + FINISH_STEP_NS : deadline);
		pthread_cond_timedwait(&d->cond, &d->lock, &ts);
	}
	/* time is up: a send under way gives up, its outcome unknown, and
	 * its batch goes to the spool with the rest
	 */
	__atomic_store_n(&d->abort, 1, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&d->cond);
	pthread_mutex_unlock(&d->lock);
	if (d->thread_on)
		pthread_join(d->thread, NULL);
	d->thread_on = 0;
	spool_rest(d);
	return finish_report(d);
}

int ch_delivery_replay(struct ch_delivery *d, const char *path, __u64 rows)
{
	struct stat sb;

	d->spool_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (d->spool_fd < 0 || fstat(d->spool_fd, &sb)) {
		log_err("%s: %s: %s\n", d->cfg.who, path, strerror(errno));
		return -1;
	}
	d->replay = 1;
	d->spool_read = 0;
	d->spool_end = (__u64)sb.st_size;
	d->spool_rows = rows;
	return 0;
}

void ch_delivery_free(struct ch_delivery *d)
{
	while (d->head) {
		struct ch_batch *b = d->head;

		d->head = b->next;
		ch_batch_free(b);
	}
	if (d->spool_fd >= 0)
		close(d->spool_fd);
	d->spool_fd = -1;
	pthread_cond_destroy(&d->cond);
	pthread_mutex_destroy(&d->lock);
}
