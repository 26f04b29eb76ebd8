# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# What every test on a namespace lab sources first: the check helpers
# (lib.sh), the lab (scripts/lab.sh), the hop checks (trace_checks.sh) and
# the nothing-left-attached checks (attach_checks.sh); it sets HERE (this
# folder), ROOT (the checkout) and XHOP (the binary under test).
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=tests/e2e/lib.sh
source "$HERE/lib.sh"
# shellcheck source=tests/e2e/trace_checks.sh
source "$HERE/trace_checks.sh"
# shellcheck source=scripts/lab.sh
source "$ROOT/scripts/lab.sh"
# shellcheck source=tests/e2e/attach_checks.sh
source "$HERE/attach_checks.sh"
XHOP=${XHOP:-$ROOT/build/xhop}

# lab_test_traps: for a test that starts nothing in the background: on
# exit, the lab under $PREFIX and the folder $TMP go (only the script
# itself tears down, never a subshell forked as a signal came); SIGINT
# and SIGTERM exit with 130 and 143
lab_test_cleanup()
{
	[[ $BASHPID == "$$" ]] || return 0
	LAB_QUIET=1 lab_down "$PREFIX"
	rm -rf "$TMP"
}
lab_test_traps()
{
	trap lab_test_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}
