#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run unit tests under valgrind's memcheck through run_suite.sh, so each
# test keeps its own line and counts. memcheck sees what ASan cannot: reads
# of uninitialised memory, and leaks in the plain -O2 build (no sanitizer
# runtime in the way). Any memcheck error or definite/possible leak exits 1,
# which run_suite.sh counts as a failure even when the test's own checks
# all passed.
# Usage: valgrind.sh TEST...
# (writes "valgrind: N passed, N failed, N skipped" last)
set -u
shopt -s nullglob
cd "$(dirname "$0")/../.." || exit 1
# A missing tool is a failure, not a skip: scripts/install-deps.sh
# installs it, and a skipped layer would read as a clean one
if ! command -v valgrind >/dev/null; then
	echo "FAIL valgrind is installed: scripts/install-deps.sh installs it"
	echo "valgrind: 0 passed, 1 failed, 0 skipped"
	exit 1
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# run_suite.sh runs its arguments as they are: give it one wrapper per test,
# named as the test, that runs the test under memcheck. Children (test_resolve
# forks dnsmasq) are not traced: they are not ours.
for t in "$@"; do
	[[ $t == /* ]] || t=$PWD/$t
	cat >"$dir/$(basename "$t")" <<-WRAP
	#!/bin/sh
	exec valgrind -q --error-exitcode=1 --leak-check=full \\
		--errors-for-leak-kinds=definite,possible --show-leak-kinds=definite,possible \\
		--track-origins=yes "$t"
	WRAP
	chmod +x "$dir/$(basename "$t")"
done
tests/run_suite.sh valgrind "$dir"/*
