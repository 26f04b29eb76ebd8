// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <unistd.h>
#include "cli/out_opts.h"

const char *out_format_name(int format)
{
	static const char *const names[] = { [OUT_TEXT] = "text", [OUT_JSON] = "json",
					     [OUT_WARTS] = "warts" };

	if (format < 0 || format >= (int)(sizeof(names) / sizeof(names[0])))
		return NULL;
	return names[format];
}

int out_format_resolve(const char *who, int format, int json, int dflt, const char *output)
{
	if (json && format != OUT_UNSET && format != OUT_JSON) {
		fprintf(stderr, "%s: --json and --format %s disagree\n", who,
			out_format_name(format));
		return -1;
	}
	if (json)
		format = OUT_JSON;
	if (format == OUT_UNSET)
		format = dflt;
	/* warts is binary: on a terminal it is noise and can upset the terminal */
	if (format == OUT_WARTS && !output && isatty(STDOUT_FILENO)) {
		fprintf(stderr, "%s: --format warts is binary and stdout is a terminal; "
				"give --output FILE or redirect stdout\n", who);
		return -1;
	}
	return format;
}
