// SPDX-License-Identifier: GPL-2.0
/*
 * The one reader of line lists. getline() took a line whole however long
 * it was: `--targets /dev/zero` grew by a gigabyte a second. Here input
 * comes in blocks of LINE_CHUNK and a line is copied into a buffer of
 * LINE_LEN_MAX, so memory is fixed whatever the input, and the first
 * block holding a byte past a bound ends the read (never the rest of an
 * endless file).
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include "core/log.h"
#include "net/lines.h"

#define LINES_PER_ENTRY 4
#define BYTES_PER_ENTRY 256
#define LINES_MIN (1ULL << 20)
#define BYTES_MIN (64ULL << 20)
/* More than 2^32 targets is refused after expansion ("use --shard"):
 * bounds need not scale past that, so they cannot overflow either
 */
#define ENTRIES_SCALE_MAX (1ULL << 32)

struct line_bounds line_bounds_for(size_t entries, const char *limit)
{
	unsigned long long n = entries < ENTRIES_SCALE_MAX ? entries : ENTRIES_SCALE_MAX;
	struct line_bounds b = {
		.lines = n * LINES_PER_ENTRY,
		.bytes = n * BYTES_PER_ENTRY,
		.entries = entries,
		.limit = limit,
	};

	if (b.lines < LINES_MIN)
		b.lines = LINES_MIN;
	if (b.bytes < BYTES_MIN)
		b.bytes = BYTES_MIN;
	return b;
}

FILE *line_open(const char *path, const char *what)
{
	FILE *f;

	if (!strcmp(path, "-"))
		return stdin;
	f = fopen(path, "r");
	if (!f) {
		int err = errno;

		log_err("xhop: %s %s: %s\n", what, path, strerror(err));
		errno = err;
	}
	return f;
}

void line_close(FILE *f)
{
	if (f && f != stdin)
		fclose(f);
}

const char *line_name(const char *path)
{
	return strcmp(path, "-") ? path : "stdin";
}

void line_reader_init(struct line_reader *r, FILE *f, const char *name,
		      const struct line_bounds *b)
{
	memset(r, 0, sizeof(*r));
	r->f = f;
	r->name = name;
	r->b = *b;
}

void line_error(const struct line_reader *r, const char *fmt, ...)
{
	va_list ap;

	log_err("xhop: %s:%llu: ", r->name, r->lineno);
	va_start(ap, fmt);
	log_vmsg(LOG_ERR, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int line_too_many(const struct line_reader *r, const char *noun)
{
	line_error(r, "more than %zu %s (%s)", r->b.entries, noun, r->b.limit);
	return -EINVAL;
}

/* fread() came back short with ferror() set (a directory, EIO) */
static int read_error(const struct line_reader *r, int err)
{
	if (!err)
		err = EIO;
	line_error(r, "read: %s", strerror(err));
	return -err;
}

/* Not isspace(): the same bytes in every locale */
static int blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* The line in buf[0, n): comment cut, blanks trimmed; NULL if nothing is left */
static char *line_text(struct line_reader *r, size_t n)
{
	char *s, *e = memchr(r->buf, '#', n);

	if (!e)
		e = r->buf + n;
	*e = 0;
	for (s = r->buf; blank(*s); s++)
		;
	while (e > s && blank(e[-1]))
		*--e = 0;
	return *s ? s : NULL;
}

int line_next(struct line_reader *r, char **text)
{
	size_t n = 0; /* bytes of the line in buf */
	int in_line = 0;

	for (;;) {
		size_t avail, k;
		char *p, *nl;

		if (r->pos == r->len) {
			errno = 0;
			r->len = fread(r->chunk, 1, sizeof(r->chunk), r->f);
			r->pos = 0;
			if (!r->len) {
				if (ferror(r->f)) {
					int err = errno;

					r->lineno += !in_line; /* the line it failed in */
					return read_error(r, err);
				}
				if (!in_line)
					return 0;
				/* a last line without its newline is a line */
				if ((*text = line_text(r, n)))
					return 1;
				return 0;
			}
		}
		if (!in_line) {
			in_line = 1;
			n = 0;
			if (++r->lineno > r->b.lines) {
				line_error(r, "more than %llu lines", r->b.lines);
				return -EINVAL;
			}
		}
		p = r->chunk + r->pos;
		avail = r->len - r->pos;
		nl = memchr(p, '\n', avail);
		k = nl ? (size_t)(nl - p) : avail; /* the line's bytes in this chunk */
		if (r->bytes + k + !!nl > r->b.bytes) {
			line_error(r, "more than %llu bytes", r->b.bytes);
			return -EINVAL;
		}
		if (memchr(p, 0, k)) {
			line_error(r, "binary data (a NUL byte)");
			return -EINVAL;
		}
		if (k > LINE_LEN_MAX - n) {
			line_error(r, "longer than %d bytes", LINE_LEN_MAX);
			return -EINVAL;
		}
		memcpy(r->buf + n, p, k);
		n += k;
		r->pos += k + !!nl;
		r->bytes += k + !!nl;
		if (!nl)
			continue;
		in_line = 0;
		if ((*text = line_text(r, n)))
			return 1;
	}
}
