#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Every test layer: unit (no network), BPF (crafted packets through
# bpf_prog_test_run_opts), end to end (namespace labs of Linux routers);
# then the same unit and BPF tests under ASan + UBSan (build-asan/), the
# threaded code's under TSan (build-tsan/), the unit tests under valgrind, cppcheck over user/ and tests/, and a short
# run of each libFuzzer target (build-fuzz/).
# The last line is the total: "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
run() { tests/run_suite.sh "$@" | tee -a "$log"; }
run unit build/tests/unit/test_*
run bpf build/tests/bpf/test_*
if [[ $(id -u) -ne 0 ]]; then
	echo "e2e: skipped: needs root to build namespace labs"
else
	run e2e tests/e2e/test_*.sh
fi
tests/unit/asan.sh asan build-asan/tests/unit/test_* build-asan/tests/bpf/test_* | tee -a "$log"
TSAN_OPTIONS=halt_on_error=1:exitcode=66 run tsan build-tsan/tests/unit/test_*
tests/unit/valgrind.sh build/tests/unit/test_* | tee -a "$log"
run cppcheck tests/unit/cppcheck.sh
tests/fuzz/run_fuzz.sh -max_total_time=5 | tee -a "$log"
read -r p f < <(awk '/^[a-z0-9]+: [0-9]+ passed, [0-9]+ failed$/ { p += $2; f += $4 }
	END { print p + 0, f + 0 }' "$log")
echo "${p:-0} passed, ${f:-0} failed"
[[ ${f:-0} -eq 0 ]]
