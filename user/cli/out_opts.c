// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "cli/out_opts.h"
#include "core/log.h"

#define OPT(name, type, field, ...) CLI_OPT(name, type, struct out_opts, field, __VA_ARGS__)

/* Each command words the help its own way (what its results are) */
const struct cli_opt out_rows[OUT_ROWS] = {
	[OUT_ROW_FORMAT] = OPT("format", CLI_CHOICE, format, .name_of = out_format_name,
			       .arg = "FORMAT", .help = "text, json or warts"),
	[OUT_ROW_JSON] = OPT("json", CLI_FLAG, json, .help = "same as --format json"),
	[OUT_ROW_OUTPUT] = OPT("output", CLI_STRING, output, .arg = "FILE",
			       .help = "write the results here (default stdout)"),
	[OUT_ROW_WARTS] = OPT("warts", CLI_STRING, warts, .arg = "FILE",
			      .help = "also write the same results as warts to FILE"),
};

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

int out_files_open(struct out_files *f, const struct out_opts *o, const struct warts_sink_cfg *wc)
{
	struct warts_sink_cfg c = *wc;

	memset(f, 0, sizeof(*f));
	f->out = stdout;
	if (o->format == OUT_WARTS) {
		c.opt = "--output";
		if (warts_sink_open(&f->warts, o->output, &c, &f->wsink[f->nwarts++]))
			return 1;
	} else if (o->output) {
		f->owned = f->out = fopen(o->output, "w");
		if (!f->out) {
			log_err("xhop: --output %s: %s\n", o->output, strerror(errno));
			return 1;
		}
	}
	c.opt = "--warts";
	if (o->warts && warts_sink_open(&f->warts_copy, o->warts, &c, &f->wsink[f->nwarts++]))
		return 1;
	return 0;
}

void out_files_sinks(struct out_files *f, struct sink *s, int *n)
{
	for (int i = 0; i < f->nwarts; i++)
		s[(*n)++] = f->wsink[i];
}

int out_files_close(struct out_files *f, const char *who, const char *output)
{
	int err = 0;

	if (f->owned && fclose(f->owned)) {
		log_err("%s: --output %s: %s\n", who, output, strerror(errno));
		err = -1;
	}
	f->owned = NULL;
	return err;
}

void out_files_abandon(struct out_files *f)
{
	if (f->owned)
		fclose(f->owned);
	f->owned = NULL;
	warts_sink_abandon(&f->warts);
	warts_sink_abandon(&f->warts_copy);
}
