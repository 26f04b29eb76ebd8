// SPDX-License-Identifier: GPL-2.0
/*
 * Option parsing, what fuzz_cli found: a parse that stops inside an option
 * cluster must not leak into the next parse (getopt keeps a pointer into
 * the old argv unless optind is reset to 0), and an unknown option in a
 * cluster is named as itself, not as whatever argv[optind - 1] holds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xhop_test.h"
#include "cli/cli.h"

#define ARGV(...) ((char *[]){ "xhop", __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ "xhop", __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(o, ...) cli_parse_trace(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), o)

static char *msg;
static size_t msg_len;
static FILE *real_stderr, *real_stdout;

/* stderr into msg, stdout away, until unquiet() */
static void quiet(void)
{
	free(msg);
	msg = NULL;
	real_stderr = stderr;
	real_stdout = stdout;
	stderr = open_memstream(&msg, &msg_len);
	stdout = fopen("/dev/null", "w");
}

static void unquiet(void)
{
	fclose(stderr);
	fclose(stdout);
	stderr = real_stderr;
	stdout = real_stdout;
}

/* The first line on stderr of parsing argv */
#define FIRST_LINE(o, ...)                                                     \
	({                                                                     \
		quiet();                                                       \
		PARSE(o, __VA_ARGS__);                                         \
		unquiet();                                                     \
		msg[strcspn(msg, "\n")] = 0;                                   \
		msg;                                                           \
	})

int main(void)
{
	struct trace_opts o;
	const char *s;

	/* --help returns at 'h' with "n" of "-hn" still pending in getopt */
	quiet();
	EXPECT(PARSE(&o, "-hn") == 0, "help in a cluster");
	unquiet();
	EXPECT(PARSE(&o, "host") == -1, "plain host runs");
	EXPECT(!o.no_resolve, "-n of the previous command line applied");
	quiet();
	EXPECT(PARSE(&o, "-Vq2") == 0, "version in a cluster");
	unquiet();
	EXPECT(PARSE(&o, "host") == -1 && o.queries == 3, "queries %d", o.queries);

	s = FIRST_LINE(&o, "-xn", "host");
	EXPECT(!strcmp(s, "xhop: unknown option '-x'"), "got '%s'", s);
	s = FIRST_LINE(&o, "-n", "-4x", "host");
	EXPECT(!strcmp(s, "xhop: unknown option '-x'"), "got '%s'", s);
	s = FIRST_LINE(&o, "--bogus", "host");
	EXPECT(!strcmp(s, "xhop: unknown option '--bogus'"), "got '%s'", s);
	s = FIRST_LINE(&o, "-:", "host");
	EXPECT(!strcmp(s, "xhop: unknown option '-:'"), "got '%s'", s);
	s = FIRST_LINE(&o, "-n", "-m");
	EXPECT(!strcmp(s, "xhop: option -m needs a value"), "got '%s'", s);
	free(msg);
	return TEST_SUMMARY();
}
