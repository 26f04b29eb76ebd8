/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Options as data, as xdp-tools' lib/util/params.h has them: a command is
 * a table of typed rows, each naming where its value goes in the
 * command's options struct (offsetof); one parser builds getopt_long's
 * arguments from the table, checks and stores the values, and prints
 * --help from the same rows.
 */
#ifndef XHOP_CLI_PARSE_H
#define XHOP_CLI_PARSE_H

#include <stddef.h>
#include <stdio.h>

#define XHOP_VERSION "0.1.0"

/* Exit codes (documented in --help and README) */
#define EXIT_OK 0
#define EXIT_RUNTIME 1
#define EXIT_USAGE 2

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

enum cli_type {
	CLI_FLAG,    /* int = 1 */
	CLI_SET,     /* int = .set, no value: -I -U -T, -4 -6 */
	CLI_COUNT,   /* int += 1: -v, -vv */
	CLI_INT,     /* int, a whole number in [.min, .max] */
	CLI_DOUBLE,  /* double in [.min, .max] */
	CLI_STRING,  /* const char *: the argument itself (argv outlives opts) */
	CLI_CHOICE,  /* int = the value whose .name_of() is the argument */
	CLI_CUSTOM,  /* .parse() */
	CLI_SHARED,  /* the row .shared, its value at .off + .shared->off */
	CLI_HELP,    /* print --help, exit 0 */
	CLI_VERSION, /* print the version, exit 0 */
};

struct cli_opt;

/* A CLI_CUSTOM row's parser: 0, or -1 once it has said what is wrong */
typedef int cli_parse_fn(void *opts, const struct cli_opt *row, const char *arg);

struct cli_opt {
	const char *name;   /* the long form, without "--" */
	int short_name;	    /* its letter; 0: long only */
	enum cli_type type;
	size_t off;	    /* offsetof() the value in the command's options */
	const char *arg;    /* the value's name in --help; NULL: takes none */
	const char *help;   /* CLI_SHARED: NULL keeps the shared row's */
	/* CLI_INT and CLI_DOUBLE, and a custom row's own use; whole bounds
	 * of CLI_INT are exact in a double
	 */
	double min, max;
	int set;				/* CLI_SET */
	const char *(*name_of)(int value);	/* CLI_CHOICE: of 0, 1, ...; NULL ends */
	cli_parse_fn *parse;			/* CLI_CUSTOM */
	const struct cli_opt *shared;		/* CLI_SHARED */
};

/* A row with its value at field of the options struct type cfg */
#define CLI_OPT(_name, _type, cfg, field, ...)                                 \
	{ .name = (_name), .type = (_type), .off = offsetof(cfg, field), __VA_ARGS__ }

/* A row kept elsewhere (probe_opts.c), its value in block of cfg */
#define CLI_SHARED_OPT(row, cfg, block, ...)                                   \
	{ .type = CLI_SHARED, .shared = (row), .off = offsetof(cfg, block), __VA_ARGS__ }

#define CLI_HELP_OPT                                                           \
	{ .name = "help", .short_name = 'h', .type = CLI_HELP,                 \
	  .help = "show this help and exit" }
#define CLI_VERSION_OPT                                                        \
	{ .name = "version", .short_name = 'V', .type = CLI_VERSION,           \
	  .help = "show the version and exit" }

/* The most rows a command has: the parser's getopt arrays are this long */
#define CLI_OPTS_MAX 48

struct cli_cmd {
	const char *name;     /* as the user typed it: "Try 'xhop scan --help'." */
	const char *usage;    /* --help: the text above the options */
	const char *epilog;   /* --help: the text below them */
	const struct cli_opt *opts;
	size_t n_opts;	      /* at most CLI_OPTS_MAX */
	int mixed;	      /* options may follow operands (ZMap's habit) */
};

/*
 * Parse argv[1..] by cmd's table into opts (which holds the defaults).
 * -1: parsed, the operands are argv[optind..argc - 1] (getopt moves them
 * there when cmd->mixed); else the exit code: 0 after --help/--version,
 * 2 on a usage error, already reported on stderr.
 */
int cli_parse(const struct cli_cmd *cmd, int argc, char **argv, void *opts);

/* A number option: whole or decimal within [min, max]; reports and
 * returns -1 on error, naming the option and the bad value.
 */
int cli_parse_long(const char *opt, const char *s, long min, long max, long *out);
int cli_parse_double(const char *opt, const char *s, double min, double max, double *out);
/* An unsigned 64-bit number as strtoull base 0 reads it (10, 0x10, 010), at least min */
int cli_parse_u64(const char *opt, const char *s, unsigned long long min,
		  unsigned long long *out);

/* "--name" of a row, for messages of custom rows */
const char *cli_opt_flag(const struct cli_opt *row, char *buf, size_t size);
/* Apply row as a CLI_INT row: for custom rows that also note the option was given */
int cli_set_int(void *opts, const struct cli_opt *row, const char *arg);

#endif
