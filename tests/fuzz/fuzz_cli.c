// SPDX-License-Identifier: GPL-2.0
/*
 * cli_parse_trace() and, when argv[1] is "scan", cli_parse_scan() on any
 * command line. The input is argv[1..], split at
 * NUL or newline bytes (a final newline ends the last argument, as in a
 * text file: the seeds are one argument per line); each argument is its own heap block, so ASan sees
 * a read past its end, and a parser that kept a pointer into the previous
 * command line (getopt's state) reads freed memory. Parsing must return
 * -1 (run), 0 or 2, and a run must come with options in their ranges.
 */
#include <getopt.h>
#include <string.h>
#include "cli/cli.h"
#include "fuzz.h"
#include "cli/scan_cmd.h"
#include "send/sender.h"

#define ARGS_MAX 64

/* xhop scan's options: a run comes with every value in its range */
static void check_scan(int argc, char **argv)
{
	struct fuzz_stdio io;
	struct scan_opts o;
	int rc;

	fuzz_quiet(&io);
	rc = cli_parse_scan(argc, argv, &o);
	fflush(stdout);
	fuzz_loud(&io);
	FUZZ_CHECK(rc == -1 || rc == EXIT_OK || rc == EXIT_USAGE, "scan rc %d", rc);
	if (rc != -1)
		return;
	FUZZ_CHECK(o.plan.nargs > 0 || o.plan.targets_file, "a run without targets");
	/* getopt moves the operands to the end of argv */
	FUZZ_CHECK(o.plan.nargs < argc && o.plan.args == argv + (argc - o.plan.nargs), "operands %d of %d",
		   o.plan.nargs, argc);
	FUZZ_CHECK(o.plan.rate >= 1 && o.plan.rate <= SCAN_MAX_RATE, "rate %g", o.plan.rate);
	FUZZ_CHECK(o.plan.max_ttl >= 1 && o.plan.max_ttl <= SCAN_MAX_TTL, "max-ttl %d", o.plan.max_ttl);
	FUZZ_CHECK(o.plan.split_ttl >= 1 && o.plan.split_ttl <= o.plan.max_ttl, "split %d", o.plan.split_ttl);
	FUZZ_CHECK(o.plan.gap_limit >= 1 && o.plan.gap_limit <= SCAN_MAX_TTL, "gap %d", o.plan.gap_limit);
	FUZZ_CHECK(o.plan.shards >= 1 && o.plan.shard >= 0 && o.plan.shard < o.plan.shards, "shard %d/%d", o.plan.shard,
		   o.plan.shards);
	FUZZ_CHECK(o.plan.wait_s >= 0.001 && o.plan.wait_s <= 60, "wait %g", o.plan.wait_s);
	FUZZ_CHECK(o.plan.max_targets >= 1, "max-targets 0");
	FUZZ_CHECK(o.plan.method >= METHOD_ICMP && o.plan.method <= METHOD_TCP, "method %d", o.plan.method);
	FUZZ_CHECK(o.sender >= SENDER_AUTO && o.sender <= SENDER_RAW, "sender %d", o.sender);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[ARGS_MAX + 2];
	struct trace_opts o;
	struct fuzz_stdio io;
	int argc = 0, rc;
	size_t start = 0;

	argv[argc++] = fuzz_strndup((const uint8_t *)"xhop", 4);
	if (size && data[size - 1] == '\n')
		size--;
	for (size_t i = 0; i <= size && argc <= ARGS_MAX; i++) {
		if (i < size && data[i] != 0 && data[i] != '\n')
			continue;
		argv[argc++] = fuzz_strndup(data + start, i - start);
		start = i + 1;
	}
	argv[argc] = NULL;

	if (argc > 1 && !strcmp(argv[1], "scan")) {
		check_scan(argc - 1, argv + 1);
		goto out;
	}
	fuzz_quiet(&io);
	rc = cli_parse_trace(argc, argv, &o);
	fflush(stdout);
	fuzz_loud(&io);

	FUZZ_CHECK(rc == -1 || rc == EXIT_OK || rc == EXIT_USAGE, "rc %d", rc);
	if (rc == -1) {
		int host_is_arg = 0;

		for (int i = 1; i < argc; i++)
			host_is_arg |= o.host == argv[i];
		FUZZ_CHECK(host_is_arg, "HOST is not one of the arguments");
		FUZZ_CHECK(o.first_ttl >= 1 && o.first_ttl <= o.max_ttl && o.max_ttl <= 255,
			   "ttl %d-%d", o.first_ttl, o.max_ttl);
		FUZZ_CHECK(o.queries >= 1 && o.queries <= 10, "queries %d", o.queries);
		FUZZ_CHECK(o.sim_queries >= 1 && o.sim_queries <= 255, "sim %d", o.sim_queries);
		FUZZ_CHECK(o.wait_s >= 0.001 && o.wait_s <= 3600, "wait %g", o.wait_s);
		FUZZ_CHECK(o.port >= 0 && o.port <= 65535, "port %d", o.port);
		FUZZ_CHECK(o.packetlen == 0 || (o.packetlen >= 28 && o.packetlen <= 1500),
			   "packetlen %d", o.packetlen);
		FUZZ_CHECK(o.tos >= 0 && o.tos <= 255, "tos %d", o.tos);
		FUZZ_CHECK(o.family == 0 || o.family == 4 || o.family == 6, "family %d", o.family);
		FUZZ_CHECK(o.method >= METHOD_ICMP && o.method <= METHOD_TCP, "method %d", o.method);
	}
out:
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	return 0;
}
