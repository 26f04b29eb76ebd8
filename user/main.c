// SPDX-License-Identifier: GPL-2.0
/* xhop: an exact, fast traceroute on an XDP receive path. */
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "cli/monitor_cmd.h"
#include "cli/scan_cmd.h"
#include "core/signals.h"

static int run_scan(int argc, char **argv)
{
	struct scan_opts o;
	int rc = cli_parse_scan(argc, argv, &o);

	if (rc >= 0)
		return rc;
	if (signals_install()) {
		perror("xhop: sigaction");
		return EXIT_RUNTIME;
	}
	return scan_main(&o);
}

int main(int argc, char **argv)
{
	struct trace_opts o;
	int rc;

	/* subcommands, as bpftool and ip have them; anything else is HOST */
	if (argc > 1 && !strcmp(argv[1], "scan"))
		return run_scan(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "monitor"))
		return monitor_cli_main(argc - 1, argv + 1);
	rc = cli_parse_trace(argc, argv, &o);
	if (rc >= 0)
		return rc;
	if (signals_install()) {
		perror("xhop: sigaction");
		return EXIT_RUNTIME;
	}
	return trace_run(&o);
}
