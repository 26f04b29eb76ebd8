#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Every test layer: unit (no network), BPF (crafted packets through
# bpf_prog_test_run_opts), dist (what make install and the package ship:
# man page, completion, install, alert rules, dashboard), end to end
# (namespace labs of Linux routers, the Debian package among them);
# then the same unit and BPF tests under ASan + UBSan (build-asan/), the
# threaded code's under TSan (build-tsan/), the unit tests under valgrind,
# cppcheck over user/ and tests/, and a short run of each libFuzzer target
# (build-fuzz/).
# The last line is the total: "N passed, N failed, N skipped"; a skip is
# never a pass, and only a failure makes the exit status non-zero.
set -u
cd "$(dirname "$0")/.." || exit 1
log=$(mktemp)
trap 'rm -f "$log"' EXIT
count_re='[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$'

# layer NAME CMD...: one layer, its output also into the log; a layer that
# ends without its "NAME: N passed, ..." line (it crashed, or lost it)
# counts as one failure, so no layer fails silently
layer()
{
	local name=$1
	shift
	"$@" | tee -a "$log"
	if ! grep -Eq "^$name: $count_re" "$log"; then
		echo "$name: printed no count"
		echo "$name: 0 passed, 1 failed, 0 skipped" | tee -a "$log"
	fi
}

layer unit tests/run_suite.sh unit build/tests/unit/test_*
layer bpf tests/run_suite.sh bpf build/tests/bpf/test_*
layer dist tests/run_suite.sh dist tests/dist/test_*.sh
if [[ $(id -u) -ne 0 ]]; then
	# Each script would skip itself for this one reason: say it once per
	# script, counted, so the total shows what did not run
	e2e=(tests/e2e/test_*.sh)
	for t in "${e2e[@]}"; do
		printf '%-5s %-40s %4d passed %3d failed %3d skipped\n' skip "$(basename "$t")" 0 0 1
		echo "      - skip $(basename "$t"): needs root to build namespace labs"
	done
	echo "e2e: 0 passed, 0 failed, ${#e2e[@]} skipped" | tee -a "$log"
else
	layer e2e tests/run_suite.sh e2e tests/e2e/test_*.sh
fi
layer asan tests/unit/asan.sh asan build-asan/tests/unit/test_* build-asan/tests/bpf/test_*
TSAN_OPTIONS=halt_on_error=1:exitcode=66 layer tsan tests/run_suite.sh tsan build-tsan/tests/unit/test_*
layer valgrind tests/unit/valgrind.sh build/tests/unit/test_*
layer cppcheck tests/run_suite.sh cppcheck tests/unit/cppcheck.sh
layer fuzz tests/fuzz/run_fuzz.sh -max_total_time=5
# The layer lines only; one without a skipped count (an older script) adds 0
read -r p f s < <(awk -v re="^[a-z0-9-]+: $count_re" '
	$0 ~ re { p += $2; f += $4; s += $6 }
	END { print p + 0, f + 0, s + 0 }' "$log")
echo "${p:-0} passed, ${f:-0} failed, ${s:-0} skipped"
[[ ${f:-0} -eq 0 ]]
