#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# End to end: xhop multipath's warts (tracelb records) read by scamper's
# own tools (Debian's scamper 20211212), on the multipath lab of
# scripts/lab_mp.sh (a 4-way diamond, a nested unequal one, a silent
# router; IPv4 and IPv6):
#   0. made-up traces (test_warts_lb --write: MPLS, TCP, ICMP, a lost
#      attempt, no lab): sc_warts2json gives xhop's JSON of the same
#      records, sc_wartsdump parses them and shows the MPLS label;
#   1. xhop multipath --json --warts FILE, UDP and TCP, IPv4 and IPv6:
#      sc_warts2json of the warts gives the JSON xhop printed in the same
#      run (method, src, dst, confidence, counts, ports, start, the nodes
#      and their links; tests/e2e/warts_lb_check.py); sc_wartsdump parses
#      every record and shows per link the TTLs and probes xhop's JSON
#      says, every reply from the link's far end; the links are the lab's;
#   2. --format warts to --output FILE and to a pipe; refused on a
#      terminal (exit 2); the usage errors.
# The last line is "N passed, N failed, N skipped". XHOP=/path/to/binary
# overrides build/xhop. Needs root (namespaces).
set -u

# shellcheck source=tests/e2e/lab_test.sh
source "$(dirname "$0")/lab_test.sh"
# shellcheck source=scripts/lab_mp.sh
source "$ROOT/scripts/lab_mp.sh"
RUN_LIMIT=60
TEST_WARTS_LB=${TEST_WARTS_LB:-$ROOT/build/tests/unit/test_warts_lb}

e2e_require ip python3 timeout sc_warts2json sc_wartsdump

PREFIX=xv$$-
TMP=$(mktemp -d /tmp/xhop-mpwarts.XXXXXX)
LAB_DOWN=lab_mp_down
lab_test_traps
XRUN_MODE=(multipath) # xrun_as NAME ARGS: xhop multipath ARGS

# lb_checks ARGS...: tests/e2e/warts_lb_check.py, counted
lb_checks() { py_checks warts_lb_check.py "$@"; }

# readers NAME WARTS JSON: sc_warts2json equals xhop's JSON, sc_wartsdump
# parses every record and has xhop's links and probes
readers()
{
	local name=$1 w=$2 j=$3
	sc_warts2json "$w" >"$TMP/$name.w2j" 2>"$TMP/$name.w2j.err"
	expect_eq "$name: sc_warts2json exit 0, nothing on stderr" \
		"$?:$(cat "$TMP/$name.w2j.err")" "0:"
	lb_checks same "$name" "$j" "$TMP/$name.w2j" "xhop multipath"
	sc_wartsdump "$w" >"$TMP/$name.wd" 2>"$TMP/$name.wd.err"
	expect_eq "$name: sc_wartsdump exit 0, nothing on stderr" \
		"$?:$(cat "$TMP/$name.wd.err")" "0:"
	lb_checks wdump "$name" "$TMP/$name.wd" "$j"
}

# --- 0. made-up traces (no lab) ------------------------------------------------

mkdir -p "$TMP/synth"
if "$TEST_WARTS_LB" --write "$TMP/synth"; then
	ok "synth: test_warts_lb wrote the made-up traces"
	sc_warts2json "$TMP/synth/synth.warts" >"$TMP/synth/w2j" 2>"$TMP/synth/err"
	expect_eq "synth: sc_warts2json exit 0" "$?" 0
	lb_checks same synth "$TMP/synth/synth.json" "$TMP/synth/w2j" synth
	sc_wartsdump "$TMP/synth/synth.warts" >"$TMP/synth/wd" 2>&1
	expect_eq "synth: sc_wartsdump exit 0" "$?" 0
	lb_checks wdump synth "$TMP/synth/wd" "$TMP/synth/synth.json"
	expect_match "synth: sc_wartsdump shows the MPLS label" "$(cat "$TMP/synth/wd")" \
		'icmp-ext mpls: label 16000 exp 0 s 1 ttl 1'
	expect_match "synth: sc_wartsdump shows the TCP answer" "$(cat "$TMP/synth/wd")" \
		'tcp flags 0x14'
else
	fail "synth: test_warts_lb wrote the made-up traces" \
		"$TEST_WARTS_LB --write failed: run make test-build"
fi

start=$(date +%s)
if ! LAB_QUIET=1 lab_mp_up "$PREFIX"; then
	fail "the multipath lab comes up" "lab_mp_up $PREFIX failed"
	summary
	exit 1
fi

# --- 1. JSON and warts of the same run -----------------------------------------

declare -A M_OPT=([udp]=-U [tcp]=-T)
for fam in 4 6; do
	dst=LAB_MP_DST$fam
	for m in udp tcp; do
		name=$m$fam
		lab_mp_links "$fam" "$m" >"$TMP/truth.$name"
		xrun_as "$name" -n --json --warts "$TMP/$name.warts" "-$fam" "${M_OPT[$m]}" "${!dst}"
		expect_eq "$name: exit 0" "$RC" 0
		readers "$name" "$TMP/$name.warts" "$TMP/$name.out"
		lb_checks truth "$name" "$TMP/$name.w2j" "$TMP/truth.$name"
	done
done
check "udp4: the link across the silent router spans two TTLs in the warts" \
	grep -Eq '^ link \S+ -> \S+ hopc 2$' "$TMP/udp4.wd"

# --- 2. --format warts: to a file, to a pipe; never to a terminal --------------

xrun_as fmtfile -n -U --format warts --output "$TMP/fmtfile.warts" "$LAB_MP_DST4"
expect_eq "--format warts --output: exit 0, stdout empty" "$RC:$(wc -c <"$TMP/fmtfile.out")" "0:0"
sc_warts2json "$TMP/fmtfile.warts" >"$TMP/fmtfile.w2j"
lb_checks truth "--format warts --output" "$TMP/fmtfile.w2j" "$TMP/truth.udp4"
# stdout is a file here, not a terminal: the warts go there
xrun_as fmtpipe -n -6 -T --format warts "$LAB_MP_DST6"
expect_eq "--format warts to stdout (no terminal): exit 0" "$RC" 0
sc_warts2json "$TMP/fmtpipe.out" >"$TMP/fmtpipe.w2j"
lb_checks truth "--format warts to stdout" "$TMP/fmtpipe.w2j" "$TMP/truth.tcp6"
# --format json --output: the JSON in the file, the same as --json
xrun_as fmtjson -n -U --format json --output "$TMP/fmtjson.json" "$LAB_MP_DST4"
check "--format json --output FILE: one tracelb object in FILE, stdout empty" python3 -c '
import json, os, sys
o = json.load(open(sys.argv[1]))
assert o["type"] == "tracelb" and os.path.getsize(sys.argv[2]) == 0' \
	"$TMP/fmtjson.json" "$TMP/fmtjson.out"
# --format text --output: the text in the file
xrun_as fmttext -n -U --output "$TMP/fmttext.txt" "$LAB_MP_DST4"
expect_match "--output FILE (text): the summary line in FILE" "$(tail -1 "$TMP/fmttext.txt")" \
	'^# [0-9]+ probes, .* COMPLETED$'

out=$(on_tty multipath -n --format warts "$LAB_MP_DST4")
expect_eq "--format warts on a terminal: exit 2" "$?" 2
expect_match "--format warts on a terminal: says why" "$out" "binary and stdout is a terminal"
check "--format warts on a terminal: no warts bytes" test "$(grep -c $'\x12\x05' <<<"$out")" = 0
out=$(on_tty multipath -n -U --format warts --output "$TMP/tty.warts" "$LAB_MP_DST4")
expect_eq "--format warts --output FILE from a terminal: exit 0" "$?" 0
check "--format warts --output FILE from a terminal: a tracelb in FILE" \
	sh -c "sc_warts2json '$TMP/tty.warts' | grep -q '\"type\":\"tracelb\"'"

out_option_checks "$LAB_MP_DST4"
xrun_as nodir2 -n --json --warts /nonexistent/y.warts "$LAB_MP_DST4"
expect_eq "--warts in a missing folder: exit 1, nothing on stdout" \
	"$RC:$(wc -c <"$TMP/nodir2.out")" "1:0"

echo "     (test_mp_warts.sh ran $(($(date +%s) - start)) s on the lab)"
summary
