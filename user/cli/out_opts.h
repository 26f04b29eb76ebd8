/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What xhop HOST and xhop scan write their traces as (--format, --json
 * as its alias) and where (--output; --warts for a second, warts copy of
 * the same run): the names and the checks both commands share.
 */
#ifndef XHOP_CLI_OUT_OPTS_H
#define XHOP_CLI_OUT_OPTS_H

enum out_format {
	OUT_UNSET = -1,
	OUT_TEXT = 0,
	OUT_JSON,
	OUT_WARTS,
};

/* "text", "json", "warts"; NULL past the last (CLI_CHOICE's name_of) */
const char *out_format_name(int format);

/*
 * After parsing: --json and --format agree (json: the format, else what
 * --format said, else dflt), and binary output goes to a file or a pipe,
 * never to a terminal. The format, or -1 once a usage error is reported.
 */
int out_format_resolve(const char *who, int format, int json, int dflt, const char *output);

#endif
