/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Line lists from files (xhop scan --targets and --blocklist, xhop
 * monitor --targets): one entry per line, '#' starts a comment, blank
 * lines skipped, "-" is stdin. Whatever the input (/dev/zero, an endless
 * pipe), a reader holds one block of input and one line of LINE_LEN_MAX
 * bytes, and stops at the first line past a bound, naming the file and
 * the line.
 */
#ifndef XHOP_LINES_H
#define XHOP_LINES_H

#include <stddef.h>
#include <stdio.h>

/*
 * The longest line, its newline not counted. A line holds one address,
 * prefix or host name and maybe a comment: the longest prefix text is
 * 49 bytes ("ffff:...:255.255.255.255/128"), a DNS name 253; 1024 leaves
 * over 700 bytes of comment after either.
 */
#define LINE_LEN_MAX 1024

/*
 * What one list file may cost. Derived from the entries its reader may
 * keep (line_bounds_for()) so that the limit a user can raise
 * (--max-targets) raises the file's bounds with it.
 */
struct line_bounds {
	unsigned long long lines; /* lines in the file, blank and comment lines too */
	unsigned long long bytes; /* bytes in the file, newlines included */
	size_t entries;		  /* entries kept; the caller counts them */
	const char *limit;	  /* what sets entries, for the message */
};

/* Read in blocks scanned with memchr(): a byte at a time through getc()
 * took 6 s to reach the 4 GiB bound of a default --targets file from a
 * pipe, blocks 1.3 s
 */
#define LINE_CHUNK (64 * 1024)

/* 66 KiB: fine on the main thread's stack, where the lists are read */
struct line_reader {
	FILE *f;
	const char *name;	   /* in messages: the path, or "stdin" */
	struct line_bounds b;
	unsigned long long lineno; /* of the line last begun */
	unsigned long long bytes;  /* taken from chunk so far */
	size_t pos, len;	   /* chunk[pos, len) not yet taken */
	char buf[LINE_LEN_MAX + 1];
	char chunk[LINE_CHUNK];
};

/*
 * Bounds for a list of at most entries entries: 4 lines and 256 bytes
 * per entry (an address, its comment, a blank line between groups), at
 * least 1M lines and 64 MiB so that a short list may have any preamble.
 */
struct line_bounds line_bounds_for(size_t entries, const char *limit);

/* fopen(path), or stdin for "-"; reported as "xhop: WHAT PATH: reason" */
FILE *line_open(const char *path, const char *what);
void line_close(FILE *f);
/* The name messages give the file: "stdin" for "-" */
const char *line_name(const char *path);

void line_reader_init(struct line_reader *r, FILE *f, const char *name,
		      const struct line_bounds *b);
/*
 * The next entry: its line with the comment cut and the blanks around it
 * trimmed, never empty, NUL-terminated in r->buf. 1 with *text set, 0 at
 * the end of the file, or -EINVAL (a line longer than LINE_LEN_MAX, a NUL
 * byte, the file past its bounds) or -errno (a read error), reported as
 * "xhop: NAME:LINE: reason". Nothing past the block that holds the first
 * byte past a bound is read.
 */
int line_next(struct line_reader *r, char **text);
/* "xhop: NAME:LINE: " and the message, for the caller's own checks */
void line_error(const struct line_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The entries bound: "more than N <noun> (<limit>)" at this line, -EINVAL */
int line_too_many(const struct line_reader *r, const char *noun);

#endif
