#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run every libFuzzer target in build-fuzz/ for a bounded time, through
# run_suite.sh: one line per target, "1 passed" when it ran clean, "1
# failed" when it crashed, leaked, tripped a sanitizer or an invariant.
# Usage: run_fuzz.sh [LIBFUZZER_FLAG...]   (default -max_total_time=5)
# Writes "fuzz: N passed, N failed, N skipped" last.
#
# Seeds: tests/fuzz/corpus/TARGET/, committed text (*.hex: commented hex,
# decoded here). What a run finds that covers new code is kept in
# build-fuzz/corpus/TARGET/, so later runs start from there; crashes go to
# build-fuzz/crash/TARGET-*, to replay with build-fuzz/TARGET FILE.
set -u
shopt -s nullglob
cd "$(dirname "$0")/../.." || exit 1
root=$PWD
build=$root/build-fuzz
flags=("$@")
[[ ${#flags[@]} -eq 0 ]] && flags=(-max_total_time=5)
targets=("$build"/fuzz_*)
# No targets is a build that was not made (make test builds them), not a
# facility the system refused: a failure, or the layer would read clean
if [[ ${#targets[@]} -eq 0 ]]; then
	echo "FAIL fuzz targets are built: none in build-fuzz/ (make fuzz-build; needs clang's libFuzzer)"
	echo "fuzz: 0 passed, 1 failed, 0 skipped"
	exit 1
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$build/crash"
for t in "${targets[@]}"; do
	name=$(basename "$t")
	seeds=$build/seeds/$name
	rm -rf "$seeds"
	mkdir -p "$seeds" "$build/corpus/$name"
	for s in tests/fuzz/corpus/"$name"/*; do
		if [[ $s == *.hex ]]; then
			perl -ne 's/#.*//; s/\s+//g; print pack("H*", $_)' "$s" >"$seeds/$(basename "$s" .hex)"
		else
			cp "$s" "$seeds/"
		fi
	done
	# The wrapper run_suite.sh runs: libFuzzer's log, then the count.
	# -timeout: one input running 10 s is a hang, a failure too.
	# UBSan already stops at its first report (-fno-sanitize-recover).
	cat >"$dir/$name" <<-WRAP
	#!/bin/sh
	"$t" ${flags[*]} -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \\
		-artifact_prefix="$build/crash/$name-" "$build/corpus/$name" "$seeds" 2>&1
	rc=\$?
	if [ \$rc -eq 0 ]; then echo "1 passed, 0 failed, 0 skipped"; else echo "0 passed, 1 failed, 0 skipped"; fi
	exit \$rc
	WRAP
	chmod +x "$dir/$name"
done
tests/run_suite.sh fuzz "$dir"/*
