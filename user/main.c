// SPDX-License-Identifier: GPL-2.0
/* xhop: an exact, fast traceroute on an XDP receive path. */
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "cli/monitor_cmd.h"
#include "cli/mp_cmd.h"
#include "cli/scan_cmd.h"
#include "core/signals.h"

/* Any command's options: main() holds them while the command runs */
union cmd_opts {
	struct trace_opts trace;
	struct scan_opts scan;
	struct mon_opts mon;
	struct mp_opts mp;
};

/*
 * A command: its parser (-1: run, else the exit code), its run (the exit
 * code) and what frees its options (NULL: nothing to free)
 */
struct command {
	const char *name; /* argv[1]; NULL: xhop HOST */
	int (*parse)(int argc, char **argv, union cmd_opts *o);
	int (*run)(const union cmd_opts *o);
	void (*free)(union cmd_opts *o);
};

static int cmd_trace_parse(int argc, char **argv, union cmd_opts *o)
{
	return cli_parse_trace(argc, argv, &o->trace);
}

static int cmd_trace_run(const union cmd_opts *o)
{
	return trace_run(&o->trace);
}

static int cmd_scan_parse(int argc, char **argv, union cmd_opts *o)
{
	return cli_parse_scan(argc, argv, &o->scan);
}

static int cmd_scan_run(const union cmd_opts *o)
{
	return scan_main(&o->scan);
}

static int cmd_monitor_parse(int argc, char **argv, union cmd_opts *o)
{
	return cli_parse_monitor(argc, argv, &o->mon);
}

static int cmd_monitor_run(const union cmd_opts *o)
{
	return monitor_main(&o->mon);
}

static void cmd_monitor_free(union cmd_opts *o)
{
	mon_opts_free(&o->mon);
}

static int cmd_mp_parse(int argc, char **argv, union cmd_opts *o)
{
	return cli_parse_mp(argc, argv, &o->mp);
}

static int cmd_mp_run(const union cmd_opts *o)
{
	return mp_main(&o->mp);
}

/* Subcommands as bpftool and ip have them; the last entry takes the rest */
static const struct command commands[] = {
	{ "scan", cmd_scan_parse, cmd_scan_run, NULL },
	{ "monitor", cmd_monitor_parse, cmd_monitor_run, cmd_monitor_free },
	{ "multipath", cmd_mp_parse, cmd_mp_run, NULL },
	{ NULL, cmd_trace_parse, cmd_trace_run, NULL }, /* xhop HOST */
};

int main(int argc, char **argv)
{
	const struct command *c = commands;
	union cmd_opts o;
	int rc;

	while (c->name && !(argc > 1 && !strcmp(argv[1], c->name)))
		c++;
	if (c->name) { /* the command's argv[0] is its name */
		argc--;
		argv++;
	}
	rc = c->parse(argc, argv, &o);
	if (rc < 0) {
		if (signals_install()) {
			perror("xhop: sigaction");
			rc = EXIT_RUNTIME;
		} else {
			rc = c->run(&o);
		}
	}
	if (c->free)
		c->free(&o);
	return rc;
}
