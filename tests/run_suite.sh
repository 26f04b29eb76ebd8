#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run one layer of tests. Each test prints "N passed, N failed" as its last
# counting line and exits non-zero on failure; a test that crashes or prints
# no count counts as one failure, so nothing fails silently.
# Usage: run_suite.sh NAME TEST... ; writes "NAME: N passed, N failed" last.
set -u
name=$1; shift
total_pass=0; total_fail=0
for t in "$@"; do
	out=$(mktemp)
	start=$(date +%s)
	if [[ $t == *.sh ]]; then bash "$t" >"$out" 2>&1; rc=$?
	else "$t" >"$out" 2>&1; rc=$?; fi
	line=$(grep -E '^([A-Za-z_-]+: )?[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
	p=$(sed -nE 's/.*\b([0-9]+) passed, ([0-9]+) failed.*/\1/p' <<<"$line")
	f=$(sed -nE 's/.*\b([0-9]+) passed, ([0-9]+) failed.*/\2/p' <<<"$line")
	if [[ -z $p ]]; then p=0; f=1; fi
	if [[ $rc -ne 0 && $f -eq 0 ]]; then f=1; fi
	total_pass=$((total_pass + p)); total_fail=$((total_fail + f))
	status=ok; [[ $f -ne 0 ]] && status=FAIL
	printf '%-5s %-40s %4d passed %3d failed  (%ss)\n' "$status" "$(basename "$t")" "$p" "$f" \
		"$(( $(date +%s) - start ))"
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
echo "$name: $total_pass passed, $total_fail failed"
[[ $total_fail -eq 0 ]]
