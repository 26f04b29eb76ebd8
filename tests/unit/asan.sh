#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run tests built with -fsanitize=address,undefined (build-asan/) through
# run_suite.sh, so that any sanitizer report fails the test: ASan stops at
# the first error, LeakSanitizer reports at exit, UBSan halts at its first
# report (gcc's UBSan recovers and carries on by default, which would let a
# test print "0 failed" after one). Every report exits non-zero, and
# run_suite.sh counts a non-zero exit as a failure.
# Usage: asan.sh NAME TEST...   (as run_suite.sh; its last line is
# "NAME: N passed, N failed, N skipped")
set -u
cd "$(dirname "$0")/../.." || exit 1
export ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export LSAN_OPTIONS=suppressions=$PWD/tests/unit/lsan.supp:print_suppressions=0
exec tests/run_suite.sh "$@"
