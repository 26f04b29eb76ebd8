# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Assertions for the end-to-end tests. One check = one pass or one fail;
# a failure says what was expected and what came; a skip is a third
# count, never a pass. summary prints the "N passed, N failed, N skipped"
# line tests/run_suite.sh counts, as the last line.

T_PASS=0
T_FAIL=0
T_SKIP=0

ok()
{
	T_PASS=$((T_PASS + 1))
	echo "ok   $1"
}

# fail NAME [WHY...]: each WHY line is printed indented under the check
fail()
{
	local name=$1
	shift
	T_FAIL=$((T_FAIL + 1))
	echo "FAIL $name"
	local l
	for l in "$@"; do
		printf '%s\n' "$l" | sed 's/^/     | /'
	done
}

# check NAME CMD...: passes when CMD succeeds
check()
{
	local name=$1
	shift
	if "$@"; then ok "$name"; else fail "$name" "command failed: $*"; fi
}

# expect_usage_error NAME OUT_DIR CMD...: CMD exits 2, says why on
# stderr and writes nothing to stdout (bad input: a clear error)
expect_usage_error()
{
	local name=$1 dir=$2 rc
	shift 2
	"$@" >"$dir/out" 2>"$dir/err"
	rc=$?
	if [[ $rc -eq 2 && -s $dir/err && ! -s $dir/out ]]; then
		ok "$name"
	else
		fail "$name" "rc $rc" "$(cat "$dir/err" "$dir/out")"
	fi
}

expect_eq()
{
	if [[ $2 == "$3" ]]; then ok "$1"; else fail "$1" "expected: $3" "got:      $2"; fi
}

# expect_match NAME TEXT REGEX: some line of TEXT matches the ERE
expect_match()
{
	if grep -Eq -- "$3" <<<"$2"; then ok "$1"; else fail "$1" "no line matches: $3" "in:" "$2"; fi
}

expect_no_match()
{
	if ! grep -Eq -- "$3" <<<"$2"; then ok "$1"; else fail "$1" "unexpected line matching: $3" "in:" "$2"; fi
}

# wait_for SECONDS CMD...: poll CMD until it succeeds or the deadline
# passes (returns 1); a condition with a deadline, never a bare sleep
wait_for()
{
	local secs=$1 deadline
	shift
	deadline=$(($(date +%s%N) + ${secs%.*} * 1000000000))
	until "$@"; do
		(($(date +%s%N) < deadline)) || return 1
		sleep 0.05
	done
}

# require_tools TOOL...: each TOOL on PATH and a built $XHOP, each one
# missing a failed check; 1 if any is missing
require_tools()
{
	local tool missing=0
	for tool in "$@"; do
		if ! command -v "$tool" >/dev/null; then
			fail "$tool is installed" "scripts/install-deps.sh installs it"
			missing=1
		fi
	done
	if [[ ! -x $XHOP ]]; then
		fail "xhop is built" "$XHOP is missing: run make"
		missing=1
	fi
	return $missing
}

# skip NAME REASON...: a check that cannot run here, counted apart. Only
# for a facility the system refuses (no root); a missing tool or device is
# a failure: scripts/install-deps.sh installs what the tests need.
skip()
{
	local name=$1
	shift
	T_SKIP=$((T_SKIP + 1))
	echo "skip $name: $*"
}

# skip_all REASON...: the whole script cannot run here; it counts as one
# skip (with what was counted before it), so the suite shows it skipped
# rather than an empty "0 passed, 0 failed" that reads as ok
skip_all()
{
	skip "$(basename "$0")" "$@"
	summary
	exit
}

summary()
{
	echo "$T_PASS passed, $T_FAIL failed, $T_SKIP skipped"
	[[ $T_FAIL -eq 0 ]]
}
