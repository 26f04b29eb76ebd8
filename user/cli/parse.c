// SPDX-License-Identifier: GPL-2.0
/*
 * The one option parser: getopt_long's arguments built from a command's
 * table, each value checked and stored by its row's type, --help printed
 * from the rows. Errors name the option by its long form whichever form
 * was typed ("xhop: --max-hops: '12x' is not a number").
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/parse.h"

/* getopt_long's value of a long-only row: this plus its index */
#define OPT_LONG_ONLY 256

int cli_parse_long(const char *opt, const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end) {
		fprintf(stderr, "xhop: %s: '%s' is not a number\n", opt, s);
		return -1;
	}
	if (v < min || v > max) {
		fprintf(stderr, "xhop: %s: %s is out of range %ld-%ld\n", opt, s, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

int cli_parse_double(const char *opt, const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || isnan(v)) {
		fprintf(stderr, "xhop: %s: '%s' is not a number\n", opt, s);
		return -1;
	}
	if (v < min || v > max) {
		fprintf(stderr, "xhop: %s: %s is out of range %g-%g\n", opt, s, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

int cli_parse_u64(const char *opt, const char *s, unsigned long long min,
		  unsigned long long *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	/* strtoull takes "-1" as ULLONG_MAX: a sign is refused, not wrapped */
	if (errno || end == s || *end || *s == '-') {
		fprintf(stderr, "xhop: %s: '%s' is not a number\n", opt, s);
		return -1;
	}
	if (v < min) {
		fprintf(stderr, "xhop: %s: %s is below %llu\n", opt, s, min);
		return -1;
	}
	*out = v;
	return 0;
}

const char *cli_opt_flag(const struct cli_opt *row, char *buf, size_t size)
{
	snprintf(buf, size, "--%s", row->name);
	return buf;
}

int cli_set_int(void *opts, const struct cli_opt *row, const char *arg)
{
	char flag[64];
	long v;

	if (cli_parse_long(cli_opt_flag(row, flag, sizeof(flag)), arg, (long)row->min,
			   (long)row->max, &v))
		return -1;
	*(int *)((char *)opts + row->off) = (int)v;
	return 0;
}

/* Row i of cmd as it applies: a shared row at the command's offset, in its wording */
static struct cli_opt row_at(const struct cli_cmd *cmd, size_t i)
{
	struct cli_opt r = cmd->opts[i];

	if (r.type == CLI_SHARED) {
		const char *help = r.help;
		size_t off = r.off + r.shared->off;

		r = *r.shared;
		r.off = off;
		if (help)
			r.help = help;
	}
	return r;
}

/* The row getopt_long returned c for: its index, -1 for none ('?') */
static int row_index(const struct cli_cmd *cmd, int c)
{
	if (c >= OPT_LONG_ONLY)
		return c - OPT_LONG_ONLY < (int)cmd->n_opts ? c - OPT_LONG_ONLY : -1;
	for (size_t i = 0; i < cmd->n_opts; i++)
		if (row_at(cmd, i).short_name == c)
			return (int)i;
	return -1;
}

/* longs: n_opts + 1 entries; shorts: 2 * n_opts + 2 bytes */
static void build_getopt(const struct cli_cmd *cmd, struct option *longs, char *shorts)
{
	char *s = shorts;

	if (!cmd->mixed)
		*s++ = '+'; /* stop at the first operand: HOST */
	for (size_t i = 0; i < cmd->n_opts; i++) {
		struct cli_opt r = row_at(cmd, i);

		longs[i].name = r.name;
		longs[i].has_arg = r.arg ? required_argument : no_argument;
		longs[i].flag = NULL;
		longs[i].val = r.short_name ? r.short_name : OPT_LONG_ONLY + (int)i;
		if (r.short_name) {
			*s++ = (char)r.short_name;
			if (r.arg)
				*s++ = ':';
		}
	}
	*s = 0;
	memset(&longs[cmd->n_opts], 0, sizeof(longs[0]));
}

static void print_help(const struct cli_cmd *cmd, FILE *out)
{
	fputs(cmd->usage, out);
	for (size_t i = 0; i < cmd->n_opts; i++) {
		struct cli_opt r = row_at(cmd, i);
		const char *sp = r.arg ? " " : "", *arg = r.arg ? r.arg : "";
		char lhs[64];

		if (r.short_name)
			snprintf(lhs, sizeof(lhs), "-%c, --%s%s%s", r.short_name, r.name, sp, arg);
		else
			snprintf(lhs, sizeof(lhs), "    --%s%s%s", r.name, sp, arg);
		fprintf(out, "  %-28s %s\n", lhs, r.help);
	}
	fputs(cmd->epilog, out);
}

/* After getopt_long returned '?': name the bad option */
static void report_bad_option(const struct cli_cmd *cmd, char **argv, const char *shorts)
{
	const char *letters = shorts[0] == '+' ? shorts + 1 : shorts;

	/* ':' is never an option, only the mark of one with a value */
	if (optopt > 0 && optopt < 256 && optopt != ':' && strchr(letters, optopt))
		fprintf(stderr, "xhop: option -%c needs a value\n", optopt);
	else if (optopt > 0 && optopt < 256) /* in a cluster, as -nx */
		fprintf(stderr, "xhop: unknown option '-%c'\n", optopt);
	else
		fprintf(stderr, "xhop: unknown option '%s'\n", argv[optind - 1]);
	fprintf(stderr, "Try '%s --help'.\n", cmd->name);
}

/* A CLI_CHOICE value: its name's index, or the list of names */
static int set_choice(const struct cli_opt *r, const char *arg, int *out)
{
	const char *name;
	int v;

	for (v = 0; (name = r->name_of(v)); v++) {
		if (!strcmp(arg, name)) {
			*out = v;
			return 0;
		}
	}
	fprintf(stderr, "xhop: --%s: '%s' is not ", r->name, arg);
	for (v = 0; (name = r->name_of(v)); v++)
		fprintf(stderr, "%s%s", !v ? "" : r->name_of(v + 1) ? ", " : " or ", name);
	fputc('\n', stderr);
	return -1;
}

/* Store one option's value where its row says: 0, or -1 (reported) */
static int apply(const struct cli_opt *r, const char *arg, void *opts)
{
	void *p = (char *)opts + r->off;
	char flag[64];

	switch (r->type) {
	case CLI_FLAG:
		*(int *)p = 1;
		return 0;
	case CLI_SET:
		*(int *)p = r->set;
		return 0;
	case CLI_COUNT:
		(*(int *)p)++;
		return 0;
	case CLI_INT:
		return cli_set_int(opts, r, arg);
	case CLI_DOUBLE:
		return cli_parse_double(cli_opt_flag(r, flag, sizeof(flag)), arg, r->min, r->max,
					p);
	case CLI_STRING:
		*(const char **)p = arg;
		return 0;
	case CLI_CHOICE:
		return set_choice(r, arg, p);
	case CLI_CUSTOM:
		return r->parse(opts, r, arg);
	default: /* CLI_HELP, CLI_VERSION: the parser's; CLI_SHARED: resolved */
		return -1;
	}
}

int cli_parse(const struct cli_cmd *cmd, int argc, char **argv, void *opts)
{
	struct option longs[CLI_OPTS_MAX + 1];
	char shorts[2 * CLI_OPTS_MAX + 2];
	struct cli_opt r;
	int c, i;

	if (cmd->n_opts > CLI_OPTS_MAX) { /* a table's static assert should say it first */
		fprintf(stderr, "xhop: %s: %zu options, more than %d\n", cmd->name, cmd->n_opts,
			CLI_OPTS_MAX);
		return EXIT_RUNTIME;
	}
	build_getopt(cmd, longs, shorts);
	/* 0, not 1: glibc then also drops its pointer into the previous
	 * argv (the rest of an option cluster), which a parse that stopped
	 * mid-cluster ("-hn") leaves behind for the next one to read
	 */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		i = row_index(cmd, c);
		if (i < 0) {
			report_bad_option(cmd, argv, shorts);
			return EXIT_USAGE;
		}
		r = row_at(cmd, (size_t)i);
		if (r.type == CLI_HELP) {
			print_help(cmd, stdout);
			return EXIT_OK;
		}
		if (r.type == CLI_VERSION) {
			printf("xhop %s\n", XHOP_VERSION);
			return EXIT_OK;
		}
		if (apply(&r, optarg, opts))
			return EXIT_USAGE;
	}
	return -1;
}
