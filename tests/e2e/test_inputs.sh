#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# End to end, as a user would type them: list files that never end, or
# hold binary data, for xhop scan --targets and --blocklist and xhop
# monitor --targets (a path or "-" for stdin). Each must exit 2 with one
# line naming the file and the line, soon, and in little memory (GNU
# time's maximum resident set size). No lab and no packets: lists are
# read before the privilege check (scan_main), and monitor reads its
# --targets while parsing its options; every case here fails there. So
# that a broken reader cannot send either, each command also carries an
# error found later, still before any packet: scan an --output it cannot
# open, monitor a first TTL beyond its last.
# Before the bounded reader, `scan --targets /dev/zero` grew to 6.5 GB
# in 7 s. The last line is "N passed, N failed". XHOP=/path/to/binary
# overrides build/xhop.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=tests/e2e/lib.sh
source "$HERE/lib.sh"

XHOP=${XHOP:-$ROOT/build/xhop}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

RSS_MAX_KB=$((50 * 1024))
# A broken bound must fail this test, not take the machine down: a
# deadline and a cap on the address space (xhop maps ~100 MB of libraries)
DEADLINE=20
VM_CAP_KB=$((2 * 1024 * 1024))

if [[ ! -x /usr/bin/time ]]; then
	fail "GNU time at /usr/bin/time (scripts/install-deps.sh installs it)"
	summary
	exit
fi

# xrun NAME FEED scan|monitor ARGS...: xhop with stdin from the shell
# command FEED ("" for /dev/null), timed by GNU time. Sets RC, ERR
# (stderr), RSS_KB and MS (wall clock, milliseconds).
xrun()
{
	local name=$1 feed=$2 t
	shift 2
	case $1 in
	scan) set -- "$@" --output "$TMP/no/such/dir/out" ;;
	monitor) set -- "$@" -f 9 -m 3 ;;
	esac
	t=$TMP/$name.time
	: >"$t"
	(
		ulimit -v "$VM_CAP_KB"
		if [[ -n $feed ]]; then
			bash -c "$feed" 2>/dev/null |
				timeout -s KILL "$DEADLINE" /usr/bin/time -f '%M %e' -o "$t" \
					"$XHOP" "$@" >/dev/null 2>"$TMP/$name.err"
			exit "${PIPESTATUS[1]}"
		fi
		timeout -s KILL "$DEADLINE" /usr/bin/time -f '%M %e' -o "$t" \
			"$XHOP" "$@" </dev/null >/dev/null 2>"$TMP/$name.err"
	)
	RC=$?
	ERR=$(cat "$TMP/$name.err")
	# time writes "Command exited with non-zero status 2" first
	read -r RSS_KB secs < <(tail -n 1 "$t")
	[[ $RSS_KB =~ ^[0-9]+$ ]] || RSS_KB=999999999
	[[ ${secs:-} =~ ^[0-9]+\.[0-9]+$ ]] || secs=999.0
	MS=$((10#${secs%.*} * 1000 + 10#${secs#*.} * 10))
}

# expect_refused NAME MESSAGE MS_MAX: exit 2, exactly that one line on
# stderr, within MS_MAX, under RSS_MAX_KB
expect_refused()
{
	expect_eq "$1: exit 2" "$RC" 2
	expect_eq "$1: the file and the line" "$ERR" "$2"
	check "$1: done in ${MS} ms (at most $3)" test "$MS" -le "$3"
	check "$1: peak RSS ${RSS_KB} kB (under $RSS_MAX_KB)" test "$RSS_KB" -lt "$RSS_MAX_KB"
}

# --- the issue's three commands: /dev/zero is binary data, at byte 1 ------------

xrun zero_targets "" scan --targets /dev/zero 198.18.0.1
expect_refused "scan --targets /dev/zero" "xhop: /dev/zero:1: binary data (a NUL byte)" 1000
xrun zero_block "" scan --blocklist /dev/zero 198.18.0.1
expect_refused "scan --blocklist /dev/zero" "xhop: /dev/zero:1: binary data (a NUL byte)" 1000
xrun zero_mon "" monitor --targets /dev/zero
expect_refused "monitor --targets /dev/zero" "xhop: /dev/zero:1: binary data (a NUL byte)" 1000

# --- one line that never ends, and one just too long ---------------------------

xrun endless_line "tr '\\0' x </dev/zero" scan --targets - 198.18.0.1
expect_refused "scan: an endless line on stdin" "xhop: stdin:1: longer than 1024 bytes" 1000
xrun endless_line_mon "tr '\\0' x </dev/zero" monitor --targets -
expect_refused "monitor: an endless line on stdin" "xhop: stdin:1: longer than 1024 bytes" 1000
{
	echo "198.19.0.1"
	printf '198.19.0.2 #%01013d\n' 0 # 1025 bytes
} >"$TMP/long.list"
xrun long_block "" scan --blocklist "$TMP/long.list" 198.18.0.1
expect_refused "scan --blocklist: a 1025-byte line" \
	"xhop: $TMP/long.list:2: longer than 1024 bytes" 1000

# --- endless valid-but-useless lines: the per-file bounds end them ---------------
# (bounds from the entries a list may keep: 4 lines and 256 bytes each,
# at least 1M lines and 64 MiB; --max-targets 16M gives 64M lines, 4 GiB)

xrun blank_targets "yes ''" scan --targets - 198.18.0.1
expect_refused "scan --targets: endless blank lines" \
	"xhop: stdin:67108865: more than 67108864 lines" 5000
xrun comments_block "yes '# a comment'" scan --blocklist - 198.18.0.1
expect_refused "scan --blocklist: endless comments" \
	"xhop: stdin:4194305: more than 4194304 lines" 5000
xrun blank_mon "yes ''" monitor --targets -
expect_refused "monitor --targets: endless blank lines" \
	"xhop: stdin:1048577: more than 1048576 lines" 5000
printf '#%01023d\n' 0 >"$TMP/comment.line" # 1025 bytes with the newline
xrun longcomments_mon "yes \"\$(cat $TMP/comment.line)\"" monitor --targets -
expect_refused "monitor --targets: endless long comments" \
	"xhop: stdin:65473: more than 67108864 bytes" 5000

# --- endless duplicates: every one is kept, so the entry bounds end them --------

xrun dup_targets "yes 198.19.0.1" scan --max-targets 1000 --targets -
expect_refused "scan --targets: endless duplicates" \
	"xhop: stdin:1001: more than 1000 addresses and prefixes (--max-targets)" 5000
xrun dup_mon "yes 198.19.0.1" monitor --targets -
expect_refused "monitor --targets: endless duplicates" \
	"xhop: stdin:16385: more than 16384 targets (the most one monitor takes)" 5000

summary
