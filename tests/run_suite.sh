#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run one layer of tests. Each test prints "N passed, N failed, N skipped"
# as its last counting line (the older "N passed, N failed" reads as 0
# skipped) and exits non-zero on failure; a test that crashes or prints no
# count counts as one failure, so nothing fails silently. A skip is never a
# pass: a test that only skipped shows as "skip", and every skip's reason
# is printed, so a suite cannot look green for checks that did not run.
# Usage: run_suite.sh NAME TEST... ;
# writes "NAME: N passed, N failed, N skipped" last.
set -u
name=$1; shift
total_pass=0; total_fail=0; total_skip=0
count_re='([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?'
for t in "$@"; do
	out=$(mktemp)
	start=$(date +%s)
	if [[ $t == *.sh ]]; then bash "$t" >"$out" 2>&1; rc=$?
	else "$t" >"$out" 2>&1; rc=$?; fi
	line=$(grep -E "^([A-Za-z_-]+: )?$count_re" "$out" | tail -n 1)
	if [[ $line =~ $count_re ]]; then
		p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]} s=${BASH_REMATCH[4]:-0}
	else
		p=0 f=1 s=0
	fi
	if [[ $rc -ne 0 && $f -eq 0 ]]; then f=1; fi
	total_pass=$((total_pass + p)); total_fail=$((total_fail + f)); total_skip=$((total_skip + s))
	status=ok
	if [[ $f -ne 0 ]]; then status=FAIL; elif [[ $p -eq 0 && $s -ne 0 ]]; then status=skip; fi
	printf '%-5s %-40s %4d passed %3d failed %3d skipped  (%ss)\n' "$status" "$(basename "$t")" \
		"$p" "$f" "$s" "$(( $(date +%s) - start ))"
	# why each check was skipped: C tests print "SKIP func: why", the
	# e2e scripts "skip name: why"; older tests "name: skipped: why"
	if [[ $s -ne 0 ]]; then
		grep -E '^(skip|SKIP) |: skipped: ' "$out" | head -n 40 | sed 's/^/      - /'
	fi
	if [[ $f -ne 0 || -n ${VERBOSE:-} ]]; then
		# every failed check with its explanation first: a long test's
		# tail alone can miss the one line that failed
		if [[ $f -ne 0 ]] && grep -q '^FAIL' "$out"; then
			grep -A 12 '^FAIL' "$out" | head -n 120 | sed 's/^/      ! /'
		fi
		sed 's/^/      | /' "$out" | tail -n 40
	fi
	rm -f "$out"
done
echo "$name: $total_pass passed, $total_fail failed, $total_skip skipped"
[[ $total_fail -eq 0 ]]
