# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# What the tests of the installed artefacts (man page, completion, make
# install, alert rules, dashboard) source first: the e2e check helpers
# (ok/fail/skip/summary), ROOT (the checkout), XHOP (the binary whose
# --help is the truth) and MODES.
DIST_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$DIST_HERE/../.." && pwd)
# shellcheck source=tests/e2e/lib.sh
source "$ROOT/tests/e2e/lib.sh"
XHOP=${XHOP:-$ROOT/build/xhop}
# each mode as the command line names it; "" is xhop HOST
# shellcheck disable=SC2034 # for the tests that source this
# (from the usage lines of xhop --help: a new mode must be documented and
# completed before these tests pass)
mapfile -t MODES < <("$XHOP" --help | sed -nE 's/^( +|Usage: )xhop ([a-z]+) \[options\].*/\2/p')
MODES=("" "${MODES[@]}")

# mode_name MODE: "xhop", "xhop scan", ...
mode_name() { echo "xhop${1:+ $1}"; }

# help_options MODE: every option of MODE's --help (the parser's table),
# one per line, short forms (-q) and long forms (--queries) alike
help_options()
{
	# shellcheck disable=SC2086 # MODE "" is no word at all
	"$XHOP" $1 --help | sed -nE 's/^ +(-[[:alnum:]], )?(--[a-z0-9-]+).*/\1\2/p' |
		tr ', ' '\n' | grep .
}

# require TOOL...: the tools and a built xhop, or the test ends here
# failed (a missing tool is a failure: install-deps installs it)
require()
{
	require_tools "$@" && return
	summary
	exit 1
}
