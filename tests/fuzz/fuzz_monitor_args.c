// SPDX-License-Identifier: GPL-2.0
/*
 * xhop monitor's two parsers of outside text. The first byte picks one:
 * 'm' (else): --metrics ADDR:PORT through metrics_addr_parse(); a parsed
 * address prints back as ADDR:PORT text that parses to the same socket
 * address. 't': a --targets file through mon_targets_read(); a file past
 * a bound of the line reader (a line over LINE_LEN_MAX, a NUL byte:
 * judged byte by byte here) is refused, naming that line or an earlier
 * bad one in one message; at most MON_TARGETS_MAX targets are kept, each
 * 1-253 printable bytes without blanks, '#' or a line break, and a file
 * that reads cleanly reads the same again from its targets, one per line.
 */
#include <errno.h>
#include <arpa/inet.h>
#include "net/lines.h"
#include "sink/metrics.h"
#include "cli/monitor_cmd.h"
#include "fuzz.h"

/* monitor_opts.c's: the most one monitor takes; its file's bounds follow */
#define MON_TARGETS_MAX 16384

static void check_addr(const char *s)
{
	struct sockaddr_storage ss, again;
	char text[INET6_ADDRSTRLEN + 16], a[INET6_ADDRSTRLEN];
	socklen_t len, len2;
	int err = metrics_addr_parse(s, &ss, &len);

	FUZZ_CHECK(err == 0 || err == -EINVAL, "err %d", err);
	if (err)
		return;
	if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&ss;

		FUZZ_CHECK(len == sizeof(*s6), "len %u", len);
		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		snprintf(text, sizeof(text), "[%s]:%u", a, ntohs(s6->sin6_port));
		FUZZ_CHECK(ntohs(s6->sin6_port) >= 1, "port 0 from '%s'", s);
	} else {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)&ss;

		FUZZ_CHECK(ss.ss_family == AF_INET && len == sizeof(*s4), "family %d", ss.ss_family);
		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		snprintf(text, sizeof(text), "%s:%u", a, ntohs(s4->sin_port));
		FUZZ_CHECK(ntohs(s4->sin_port) >= 1, "port 0 from '%s'", s);
	}
	FUZZ_CHECK(metrics_addr_parse(text, &again, &len2) == 0, "'%s' (from '%s') refused", text, s);
	FUZZ_CHECK(len2 == len && !memcmp(&again, &ss, len), "'%s' and '%s' differ", text, s);
}

static void check_target(const char *t)
{
	size_t n = strlen(t);

	FUZZ_CHECK(n >= 1 && n <= 253, "length %zu", n);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)t[i];

		FUZZ_CHECK(c > ' ' && c < 0x7f && c != '#', "byte %#x in a target", c);
	}
}

static void check_targets(const uint8_t *data, size_t size)
{
	struct line_bounds b = line_bounds_for(MON_TARGETS_MAX, "");
	struct mon_opts o, o2;
	unsigned long long bad;
	char *text = NULL, *msg = NULL;
	size_t len = 0, msg_len;
	const char *why = NULL;
	FILE *f, *saved;
	int err;

	memset(&o, 0, sizeof(o));
	memset(&o2, 0, sizeof(o2));
	f = fmemopen((void *)data, size, "r");
	if (!f)
		return;
	saved = stderr; /* a bad line is reported there: keep it to judge */
	stderr = open_memstream(&msg, &msg_len);
	FUZZ_CHECK(stderr, "memstream");
	err = mon_targets_read(&o, f, "fuzz");
	fclose(stderr);
	stderr = saved;
	fclose(f);
	FUZZ_CHECK(err == 0 || err == -EINVAL, "err %d", err);
	FUZZ_CHECK(o.n_targets <= MON_TARGETS_MAX, "%zu targets", o.n_targets);
	bad = fuzz_first_bad_line(data, size, LINE_LEN_MAX, b.lines, b.bytes);
	FUZZ_CHECK(!bad || err == -EINVAL, "line %llu breaks a bound, read %d", bad, err);
	if (err) {
		unsigned long long line = fuzz_msg_line(msg, "fuzz", &why);

		FUZZ_CHECK(line >= 1, "not one 'xhop: fuzz:LINE: ...' line: '%s'", msg);
		FUZZ_CHECK(!bad || line <= bad, "line %llu reported, %llu is the first bad", line,
			   bad);
		if (!strncmp(why, "longer than", 11) || !strncmp(why, "binary data", 11))
			FUZZ_CHECK(line == bad, "'%s' at line %llu, the first bad is %llu", why, line,
				   bad);
	} else {
		FUZZ_CHECK(!msg[0], "a message without an error: %s", msg);
	}
	free(msg);
	for (size_t i = 0; i < o.n_targets; i++)
		check_target(o.targets[i]);
	if (!err && o.n_targets) {
		f = open_memstream(&text, &len);
		FUZZ_CHECK(f, "memstream");
		for (size_t i = 0; i < o.n_targets; i++)
			fprintf(f, "%s\n", o.targets[i]);
		fclose(f);
		f = fmemopen(text, len, "r");
		FUZZ_CHECK(f && mon_targets_read(&o2, f, "again") == 0, "targets do not read back");
		fclose(f);
		FUZZ_CHECK(o2.n_targets == o.n_targets, "%zu then %zu targets", o.n_targets,
			   o2.n_targets);
		for (size_t i = 0; i < o.n_targets; i++)
			FUZZ_CHECK(!strcmp(o.targets[i], o2.targets[i]), "target %zu changed", i);
		free(text);
	}
	mon_opts_free(&o);
	mon_opts_free(&o2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size < 1)
		return 0;
	if (data[0] == 't') {
		check_targets(data + 1, size - 1);
		return 0;
	}
	s = fuzz_strndup(data + 1, size - 1);
	check_addr(s);
	free(s);
	return 0;
}
