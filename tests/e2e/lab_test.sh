# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# What every test on a namespace lab sources first: the check helpers
# (lib.sh), the lab (scripts/lab.sh), the hop checks (trace_checks.sh),
# the nothing-left-attached checks (attach_checks.sh) and on_tty (xhop on
# a pseudo-terminal, below); it sets HERE (this folder), ROOT (the
# checkout) and XHOP (the binary under test).
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

# lab_test_traps: on exit, the xhop a test runs in the background
# ($BG_PID, if any, by its pid only), the lab under $PREFIX and the
# folder $TMP go (only the script itself tears down, never a subshell
# forked as a signal came); SIGINT and SIGTERM exit with 130 and 143.
# LAB_DOWN: the lab's teardown (lab_mp_down for scripts/lab_mp.sh's)
LAB_DOWN=lab_down
lab_test_cleanup()
{
	[[ $BASHPID == "$$" ]] || return 0
	if [[ -n ${BG_PID:-} ]] && alive "$BG_PID"; then kill -9 "$BG_PID" 2>/dev/null; fi
	LAB_QUIET=1 "$LAB_DOWN" "$PREFIX"
	rm -rf "$TMP"
}
lab_test_traps()
{
	trap lab_test_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# xrun ARGS...: xhop in src, bounded by $RUN_LIMIT; sets OUT, ERR, RC (a
# test that runs xhop otherwise defines its own after sourcing this)
xrun()
{
	lab_exec src timeout -k 2 "$RUN_LIMIT" "$XHOP" "$@" >"$TMP/out" 2>"$TMP/err"
	RC=$?
	OUT=$(<"$TMP/out")
	ERR=$(<"$TMP/err")
}

# on_tty ARGS...: xhop in src with stdout and stderr on a pseudo-terminal;
# prints what it wrote, exits with its status
on_tty()
{
	lab_exec src timeout -k 2 "$RUN_LIMIT" python3 -c '
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
out = b""
while True:
    try:
        d = os.read(fd, 4096)
    except OSError:
        break
    if not d:
        break
    out += d
_, st = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(st))' "$XHOP" "$@"
}

# xrun_as NAME ARGS...: xhop (XRUN_MODE, then ARGS) in src, bounded by
# RUN_LIMIT; stdout in $TMP/NAME.out, stderr in $TMP/NAME.err; sets RC
XRUN_MODE=()
xrun_as()
{
	local name=$1
	shift
	lab_exec src timeout -k 2 "$RUN_LIMIT" "$XHOP" "${XRUN_MODE[@]}" "$@" \
		>"$TMP/$name.out" 2>"$TMP/$name.err"
	RC=$?
}

# out_option_checks DST: the usage errors of --format, --json and --output,
# run through xrun_as
out_option_checks()
{
	local dst=$1
	xrun_as badfmt -n --format xml "$dst"
	expect_eq "--format xml: exit 2" "$RC" 2
	expect_match "--format xml: names the choices" "$(cat "$TMP/badfmt.err")" \
		"'xml' is not text, json or warts"
	xrun_as clash -n --json --format warts --output "$TMP/clash.warts" "$dst"
	expect_eq "--json with --format warts: exit 2" "$RC" 2
	expect_match "--json with --format warts: says so" "$(cat "$TMP/clash.err")" "disagree"
	check "--json with --format warts: no file left" test ! -e "$TMP/clash.warts"
	xrun_as nodir -n --format warts --output /nonexistent/x.warts "$dst"
	expect_eq "--output in a missing folder: exit 1" "$RC" 1
	expect_match "--output in a missing folder: names it" "$(cat "$TMP/nodir.err")" \
		"/nonexistent/x.warts: No such file"
}
