#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Static checks of the userspace C (user/, tests/, bench/sim/) with
# cppcheck. One check: "1 passed, 0 failed, 0 skipped" when cppcheck finds
# nothing, "0 passed, 1 failed, 0 skipped" with its findings otherwise, or
# without cppcheck
# (scripts/install-deps.sh installs it: a missing tool is not a skip).
# False positives are suppressed inline, at the line, with a comment
# saying why (cppcheck-suppress), never here.
# The BPF programs (*.bpf.c, wherever they are) are left out: cppcheck
# does not know clang's BPF target or libbpf's SEC() conventions.
set -u
cd "$(dirname "$0")/../.." || exit 1
if ! command -v cppcheck >/dev/null; then
	echo "FAIL cppcheck is installed: scripts/install-deps.sh installs it"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi
# -D_GNU_SOURCE: the one configuration we build (with -D, cppcheck checks
# only that one instead of guessing every #ifdef combination). No system
# -I: cppcheck's own library models stand in for libc. No -Ibuild either:
# the generated skeleton embeds the BPF object as a string literal that
# cppcheck 2.10 cannot tokenise, and it is bpftool's code, not ours.
# libbpf_common.h is the one libbpf header it reads, for LIBBPF_OPTS().
mapfile -t srcs < <(find user tests testkit bench/sim -name '*.c' ! -name '*.bpf.c' | sort)
# -D__<arch>__: the compiler's architecture macro, which cppcheck does
# not define; seccomp_run.c picks its AUDIT_ARCH by it
arch=$(uname -m)
out=$(cppcheck --enable=warning,performance,portability --error-exitcode=1 -q \
	--inline-suppr --std=c11 -D_GNU_SOURCE -D"__${arch}__" -j "$(nproc)" \
	-Iinclude -Iuser -Itests -Itests/bpf -Itests/bpf/rx -Itestkit -Ibench/sim \
	--include=/usr/include/bpf/libbpf_common.h \
	"${srcs[@]}" 2>&1)
rc=$?
if [[ $rc -eq 0 && -z $out ]]; then
	echo "1 passed, 0 failed, 0 skipped"
	exit 0
fi
printf '%s\n' "$out"
echo "0 passed, 1 failed, 0 skipped"
exit 1
