# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# What a bench on a namespace lab sources after its lab script:
#   bench_require NAME TOOL...   exit 1 naming the first tool missing
#   bench_lab_traps NAME PFX DOWN  TMP (/tmp/xhop-bench-NAME.*), then on
#                any exit (SIGINT 130, SIGTERM 143) the lab under PFX goes
#                by DOWN and TMP by rm; build the lab after it

bench_require()
{
	local name=$1 t
	shift
	for t in "$@"; do
		command -v "$t" >/dev/null || { echo "$name: $t is missing" >&2; exit 1; }
	done
}

bench_lab_traps()
{
	BENCH_PFX=$2
	BENCH_DOWN=$3
	TMP=$(mktemp -d "/tmp/xhop-bench-$1.XXXXXX")
	trap bench_lab_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# only the script itself tears down, never a subshell forked as a signal came
bench_lab_cleanup()
{
	[[ $BASHPID == "$$" ]] || return 0
	LAB_QUIET=1 "$BENCH_DOWN" "$BENCH_PFX"
	rm -rf "$TMP"
}
