// SPDX-License-Identifier: GPL-2.0
/*
 * The option tables as the user sees them: each command's --help, as the
 * table prints it. A command's rows come from its own table and the
 * shared probe block, so two of them could claim one letter or one long
 * name, and the parser would take the first and silently shadow the
 * other: every letter and long name is one row's. Every row has help,
 * and its left column fits the 28 columns the help aligns to.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xhop_test.h"
#include "cli/cli.h"
#include "cli/monitor_cmd.h"
#include "cli/scan_cmd.h"

#define ARGV(...) ((char *[]){ __VA_ARGS__, NULL })

/* stdout of `CMD --help` */
static char *help_of(const char *cmd)
{
	FILE *real = stdout;
	char *text = NULL;
	size_t len;
	int rc;

	stdout = open_memstream(&text, &len);
	if (!strcmp(cmd, "scan")) {
		struct scan_opts o;

		rc = cli_parse_scan(2, ARGV("scan", "--help"), &o);
	} else if (!strcmp(cmd, "monitor")) {
		struct mon_opts o;

		rc = cli_parse_monitor(2, ARGV("monitor", "--help"), &o);
		mon_opts_free(&o);
	} else {
		struct trace_opts o;

		rc = cli_parse_trace(2, ARGV("xhop", "--help"), &o);
	}
	fclose(stdout);
	stdout = real;
	EXPECT(rc == EXIT_OK, "%s --help: %d", cmd, rc);
	return text;
}

/* One option line: "  -x, --name ARG   help" or "      --name ARG   help" */
static void check_line(const char *cmd, const char *line, char *letters, char *names)
{
	char name[64], key[68];
	const char *p = line + 2;

	if (p[0] == '-' && p[1] != '-') {
		EXPECT(!strchr(letters, p[1]), "%s: -%c twice", cmd, p[1]);
		strncat(letters, p + 1, 1);
	}
	p = strstr(line, "--");
	if (!p || sscanf(p + 2, "%63[a-z0-9-]", name) != 1) {
		EXPECT(0, "%s: no long name in '%s'", cmd, line);
		return;
	}
	snprintf(key, sizeof(key), " %s ", name);
	EXPECT(!strstr(names, key), "%s: --%s twice", cmd, name);
	strcat(names, key + 1);
	/* two columns: the left padded to 28, a space, the help */
	EXPECT(strlen(line) > 31 && line[30] == ' ' && line[31] != ' ', "%s: '%s'", cmd, line);
}

static void test_help(const char *cmd)
{
	char letters[128] = "", names[2048] = " ";
	char *text = help_of(cmd), *line, *save;
	int in_options = 0, rows = 0;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strcmp(line, "Options:")) {
			in_options = 1;
			continue;
		}
		if (!in_options)
			continue;
		if (strncmp(line, "  -", 3) && strncmp(line, "      --", 8))
			break; /* the text after the options */
		check_line(cmd, line, letters, names);
		rows++;
	}
	EXPECT(rows >= 20, "%s: %d option rows", cmd, rows);
	free(text);
}

int main(void)
{
	test_help("xhop");
	test_help("scan");
	test_help("monitor");
	for (int r = 0; r < PROBE_ROWS; r++)
		EXPECT(probe_rows[r].name && probe_rows[r].help, "shared row %d is empty", r);
	return TEST_SUMMARY();
}
