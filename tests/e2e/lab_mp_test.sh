# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# The preamble of the tests on the multipath lab (scripts/lab_mp.sh):
# `source lab_mp_test.sh NAME` sources lab_test.sh and lab_mp.sh, builds
# the lab in namespaces NAME<pid>-* (a failure is reported and ends the
# test), and removes it and TMP (/tmp/xhop-NAME.*) on exit; it sets
# PREFIX, TMP, IF (the prober's interface) and PROGS_AT_START, and
# defines complete_share_ok.
# shellcheck source=tests/e2e/lab_test.sh
source "$(dirname "${BASH_SOURCE[0]}")/lab_test.sh"
# shellcheck source=scripts/lab_mp.sh
source "$ROOT/scripts/lab_mp.sh"

e2e_require ip python3 bpftool timeout nft
PREFIX=$1$$-
TMP=$(mktemp -d "/tmp/xhop-$1.XXXXXX")
LAB_DOWN=lab_mp_down
lab_test_traps

if ! LAB_QUIET=1 lab_mp_up "$PREFIX"; then
	fail "the multipath lab comes up" "lab_mp_up $PREFIX failed"
	summary
	exit 1
fi
# shellcheck disable=SC2034 # for the tests that source this
IF=v20
# shellcheck disable=SC2034
PROGS_AT_START=$(xhop_prog_ids)

# complete_share_ok K N: K complete of N traces is not below what 95% per
# interface promises across the lab's four balancers (0.95^4), tested
# one-sided at 0.1% (binomial); N 0 fails
complete_share_ok()
{
	python3 -c '
import math, sys
k, n, p = int(sys.argv[1]), int(sys.argv[2]), 0.95 ** 4
cdf = sum(math.comb(n, i) * p**i * (1 - p)**(n - i) for i in range(k + 1))
sys.exit(0 if n > 0 and (k >= n * p or cdf >= 0.001) else 1)
' "$1" "$2"
}
