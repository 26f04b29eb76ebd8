/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What xhop HOST, xhop multipath and xhop scan write their results as
 * (--format, --json as its alias) and where (--output; --warts for a
 * second, warts copy of the same run): the option rows, written once as
 * probe_opts.h's are, the checks all share, and the files and warts
 * sinks of a run (out_files) that HOST and multipath open alike.
 */
#ifndef XHOP_CLI_OUT_OPTS_H
#define XHOP_CLI_OUT_OPTS_H

#include <stdio.h>
#include "cli/parse.h"
#include "core/sink.h"
#include "sink/warts.h"

enum out_format {
	OUT_UNSET = -1,
	OUT_TEXT = 0,
	OUT_JSON,
	OUT_WARTS,
};

#define OUT_OPTS_FIELDS                                                        \
	int json;	     /* --json: --format json */                       \
	int format;	     /* --format: enum out_format */                   \
	const char *output;  /* --output FILE (default stdout) */              \
	const char *warts;   /* --warts FILE: the same results as warts, too */

struct out_opts {
	OUT_OPTS_FIELDS
};

/* The block in a command's options, as PROBE_OPTS_GROUP (cli/probe_opts.h) */
#define OUT_OPTS_GROUP                                                         \
	union {                                                                \
		struct {                                                       \
			OUT_OPTS_FIELDS                                        \
		};                                                             \
		struct out_opts out;                                           \
	}

enum out_row {
	OUT_ROW_FORMAT,
	OUT_ROW_JSON,
	OUT_ROW_OUTPUT,
	OUT_ROW_WARTS,
	OUT_ROWS
};

extern const struct cli_opt out_rows[OUT_ROWS];

/* In the table of the command whose options are cfg: row r, in its own words (help) */
#define OUT_OPT_HELP(cfg, r, _help) CLI_SHARED_OPT(&out_rows[r], cfg, out, .help = (_help))

/* "text", "json", "warts"; NULL past the last (CLI_CHOICE's name_of) */
const char *out_format_name(int format);

/*
 * After parsing: --json and --format agree (json: the format, else what
 * --format said, else dflt), and binary output goes to a file or a pipe,
 * never to a terminal. The format, or -1 once a usage error is reported.
 */
int out_format_resolve(const char *who, int format, int json, int dflt, const char *output);

/*
 * The files of a run that writes one result object at a time: --output
 * (or stdout) for text and JSON, else the warts sink of --format warts;
 * and the --warts copy's sink
 */
struct out_files {
	FILE *out;		/* text, JSON: where they go */
	FILE *owned;		/* out when --output opened it */
	struct warts_sink warts, warts_copy;
	int nwarts;
	struct sink wsink[2];
};

/*
 * Open what o names (wc: the warts list's name and description). 0, or 1
 * (reported). Nothing is written until the run starts.
 */
int out_files_open(struct out_files *f, const struct out_opts *o, const struct warts_sink_cfg *wc);
/* Append the warts sinks to s[*n] (after the text or JSON sink) */
void out_files_sinks(struct out_files *f, struct sink *s, int *n);
/* After the run: close --output. 0, or -1 (reported) */
int out_files_close(struct out_files *f, const char *who, const char *output);
/* Whatever is still open, closed unwritten (a run that never started) */
void out_files_abandon(struct out_files *f);

#endif
