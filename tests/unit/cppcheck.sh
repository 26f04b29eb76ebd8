#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Static checks of the userspace C (user/, tests/) with cppcheck. One check:
# "1 passed, 0 failed" when cppcheck finds nothing, "0 passed, 1 failed"
# with its findings otherwise. False positives are suppressed inline, at
# the line, with a comment saying why (cppcheck-suppress), never here.
# The BPF programs (*.bpf.c, wherever they are) are left out: cppcheck
# does not know clang's BPF target or libbpf's SEC() conventions.
set -u
cd "$(dirname "$0")/../.."
if ! command -v cppcheck >/dev/null; then
	echo "cppcheck: skipped: cppcheck is not installed"
	exit 0
fi
# -D_GNU_SOURCE: the one configuration we build (with -D, cppcheck checks
# only that one instead of guessing every #ifdef combination). No system
# -I: cppcheck's own library models stand in for libc. No -Ibuild either:
# the generated skeleton embeds the BPF object as a string literal that
# cppcheck 2.10 cannot tokenise, and it is bpftool's code, not ours.
# libbpf_common.h is the one libbpf header it reads, for LIBBPF_OPTS().
out=$(cppcheck --enable=warning,performance,portability --error-exitcode=1 -q \
	--inline-suppr --std=c11 -D_GNU_SOURCE -j "$(nproc)" \
	-Iinclude -Iuser -Itests -Itests/bpf -Itestkit \
	--include=/usr/include/bpf/libbpf_common.h \
	$(find user tests -name '*.c' ! -name '*.bpf.c' | sort) 2>&1)
rc=$?
if [[ $rc -eq 0 && -z $out ]]; then
	echo "1 passed, 0 failed"
	exit 0
fi
printf '%s\n' "$out"
echo "0 passed, 1 failed"
exit 1
