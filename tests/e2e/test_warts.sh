#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# End to end: xhop's warts files read by scamper's own tools (Debian's
# scamper package), on the namespace lab of scripts/lab.sh:
#   - xhop HOST --json --warts FILE, each family and method, the silent
#     hop and both unreachables: sc_warts2json of the warts file gives the
#     JSON xhop printed in the same run, field by field where warts has the
#     field (tests/e2e/warts_check.py); sc_analysis_dump gives the lab's
#     path; sc_wartsdump parses every record;
#   - sc_tracediff pairs two runs and shows the lab's path;
#   - --format warts to --output FILE and to a pipe; refused on a terminal
#     (exit 2), and the usage errors of --format;
#   - xhop scan --warts (ICMP v4 and v6, UDP v6, TCP v4): the same traces
#     as its JSON, between a list, a cycle start and a cycle stop; a scan
#     written with --format warts: sc_analysis_dump gives every target's
#     path of the lab;
#   - what the lab cannot make (MPLS label stacks, a TCP answer without
#     a send stamp): test_warts --write's made-up traces, through
#     sc_warts2json, against xhop's JSON of the same records.
# The last line is "N passed, N failed, N skipped". XHOP=/path/to/binary
# overrides build/xhop. Needs root (namespaces).
set -u

# shellcheck source=tests/e2e/lab_test.sh
source "$(dirname "$0")/lab_test.sh"
RUN_LIMIT=60
TEST_WARTS=${TEST_WARTS:-$ROOT/build/tests/unit/test_warts}

e2e_require ip python3 timeout sc_warts2json sc_analysis_dump sc_tracediff sc_wartsdump

PREFIX=xw$$-
TMP=$(mktemp -d /tmp/xhop-warts.XXXXXX)
lab_test_traps

# --- 0. made-up traces (no lab): MPLS, TCP, IPv6 --------------------------------

mkdir -p "$TMP/synth"
if "$TEST_WARTS" --write "$TMP/synth"; then
	ok "synth: test_warts wrote the made-up traces"
	sc_warts2json "$TMP/synth/synth.warts" >"$TMP/synth/w2j" 2>"$TMP/synth/err"
	expect_eq "synth: sc_warts2json exit 0" "$?" 0
	warts_checks same synth "$TMP/synth/synth.json" "$TMP/synth/w2j" synth
	check "synth: sc_warts2json shows the MPLS labels" \
		grep -q '"mpls_labels":\[{"mpls_ttl":1,"mpls_s":0,"mpls_exp":1,"mpls_label":16000}' \
		"$TMP/synth/w2j"
else
	fail "synth: test_warts wrote the made-up traces" "$TEST_WARTS --write failed: run make test-build"
fi

start=$(date +%s)
e2e_lab_up

# xrun NAME ARGS...: xhop in src, bounded; stdout in $TMP/NAME.out, stderr
# in $TMP/NAME.err; sets RC
xrun()
{
	local name=$1
	shift
	lab_exec src timeout -k 2 "$RUN_LIMIT" "$XHOP" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
	RC=$?
}

# readers NAME WARTS JSON LIST: sc_warts2json equals the JSON; sc_wartsdump
# parses every record; sc_analysis_dump's output in $TMP/NAME.ad
readers()
{
	local name=$1 w=$2 j=$3 list=$4
	sc_warts2json "$w" >"$TMP/$name.w2j" 2>"$TMP/$name.w2j.err"
	expect_eq "$name: sc_warts2json exit 0" "$?" 0
	warts_checks same "$name" "$j" "$TMP/$name.w2j" "$list"
	sc_wartsdump "$w" >"$TMP/$name.wd" 2>"$TMP/$name.wd.err"
	expect_eq "$name: sc_wartsdump exit 0" "$?" 0
	warts_checks wdump "$name" "$TMP/$name.wd" "$j"
	sc_analysis_dump "$w" >"$TMP/$name.ad" 2>"$TMP/$name.ad.err"
	expect_eq "$name: sc_analysis_dump exit 0, nothing on stderr" \
		"$?:$(cat "$TMP/$name.ad.err")" "0:"
}

# --- 1. xhop HOST: JSON and warts of the same run -----------------------------

declare -A METHOD_OPT=([icmp]=-I [udp]=-U [tcp]=-T)

# trace NAME DST EXPECT_VAR ARGS...
trace()
{
	local name=$1 dst=$2 exp=$3
	# shellcheck disable=SC2178 # a nameref to the LAB_EXPECT_* array named
	local -n words=$exp
	shift 3
	xrun "$name" -n -q 3 -w 1 --json --warts "$TMP/$name.warts" "$@" "$dst"
	expect_eq "$name: exit 0" "$RC" 0
	readers "$name" "$TMP/$name.warts" "$TMP/$name.out" xhop
	warts_checks adump "$name" "$TMP/$name.ad" "$dst" "${words[@]}"
}

for fam in 4 6; do
	for m in icmp udp tcp; do
		dst=LAB_DST$fam
		args=("-$fam" "${METHOD_OPT[$m]}")
		[[ $m == tcp ]] && args+=(-p "$LAB_TCP_CLOSED")
		trace "$m$fam" "${!dst}" "LAB_EXPECT_${m^^}$fam" "${args[@]}"
	done
done
trace far4 "$LAB_FAR4" LAB_EXPECT_FAR_ICMP4
trace far6 "$LAB_FAR6" LAB_EXPECT_FAR_ICMP6 -6
trace unr4 "$LAB_UNR4" LAB_EXPECT_UNR4
trace unr6 "$LAB_UNR6" LAB_EXPECT_UNR6 -6
trace open4 "$LAB_DST4" LAB_EXPECT_TCP4 -T -p "$LAB_TCP_OPEN"

# --- 2. sc_tracediff: two runs to one destination -----------------------------

sc_tracediff -a "$TMP/icmp4.warts" "$TMP/tcp4.warts" >"$TMP/diff4" 2>"$TMP/diff4.err"
expect_eq "tracediff4: exit 0" "$?" 0
warts_checks tracediff tracediff4 "$TMP/diff4" "${LAB_EXPECT_ICMP4[@]}"
sc_tracediff -a "$TMP/icmp6.warts" "$TMP/tcp6.warts" >"$TMP/diff6" 2>"$TMP/diff6.err"
expect_eq "tracediff6: exit 0" "$?" 0
warts_checks tracediff tracediff6 "$TMP/diff6" "${LAB_EXPECT_ICMP6[@]}"

# --- 3. --format warts: to a file, to a pipe; never to a terminal --------------

xrun fmtfile -n -q 3 -w 1 --format warts --output "$TMP/fmtfile.warts" "$LAB_DST4"
expect_eq "--format warts --output: exit 0, stdout empty" "$RC:$(wc -c <"$TMP/fmtfile.out")" "0:0"
sc_analysis_dump "$TMP/fmtfile.warts" >"$TMP/fmtfile.ad"
warts_checks adump "--format warts --output" "$TMP/fmtfile.ad" "$LAB_DST4" "${LAB_EXPECT_ICMP4[@]}"
# stdout is a file here, not a terminal: the warts go there
xrun fmtpipe -n -6 -U -q 3 -w 1 --format warts "$LAB_DST6"
expect_eq "--format warts to stdout (no terminal): exit 0" "$RC" 0
sc_analysis_dump "$TMP/fmtpipe.out" >"$TMP/fmtpipe.ad"
warts_checks adump "--format warts to stdout" "$TMP/fmtpipe.ad" "$LAB_DST6" "${LAB_EXPECT_UDP6[@]}"
# --format json and --output: the JSON in the file
xrun fmtjson -n -q 1 -w 1 --format json --output "$TMP/fmtjson.json" "$LAB_DST4"
check "--format json --output FILE: one trace object in FILE" \
	python3 -c 'import json,sys; t=json.load(open(sys.argv[1])); assert t["type"] == "trace"' \
	"$TMP/fmtjson.json"

# on_tty ARGS...: xhop in src with stdout and stderr on a pseudo-terminal;
# prints what it wrote, exits with its status
on_tty()
{
	lab_exec src timeout -k 2 "$RUN_LIMIT" python3 -c '
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
out = b""
while True:
    try:
        d = os.read(fd, 4096)
    except OSError:
        break
    if not d:
        break
    out += d
_, st = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(st))' "$XHOP" "$@"
}

out=$(on_tty -n --format warts "$LAB_DST4")
expect_eq "--format warts on a terminal: exit 2" "$?" 2
expect_match "--format warts on a terminal: says why" "$out" "binary and stdout is a terminal"
check "--format warts on a terminal: no warts bytes" test "$(grep -c $'\x12\x05' <<<"$out")" = 0
out=$(on_tty scan --format warts 198.19.0.1)
expect_eq "scan --format warts on a terminal: exit 2" "$?" 2
out=$(on_tty -n --format warts --output "$TMP/tty.warts" -q 1 -w 1 "$LAB_DST4")
expect_eq "--format warts --output FILE from a terminal: exit 0" "$?" 0
check "--format warts --output FILE from a terminal: a trace in FILE" \
	sh -c "sc_analysis_dump '$TMP/tty.warts' | grep -q '^T'"

xrun badfmt -n --format xml "$LAB_DST4"
expect_eq "--format xml: exit 2" "$RC" 2
expect_match "--format xml: names the choices" "$(cat "$TMP/badfmt.err")" \
	"'xml' is not text, json or warts"
xrun clash -n --json --format warts --output "$TMP/clash.warts" "$LAB_DST4"
expect_eq "--json with --format warts: exit 2" "$RC" 2
expect_match "--json with --format warts: says so" "$(cat "$TMP/clash.err")" "disagree"
xrun scantext scan --format text 198.19.0.1
expect_eq "scan --format text: exit 2" "$RC" 2
expect_match "scan --format text: says why" "$(cat "$TMP/scantext.err")" "json or warts"
xrun nodir -n --format warts --output /nonexistent/x.warts "$LAB_DST4"
expect_eq "--output in a missing folder: exit 1" "$RC" 1
expect_match "--output in a missing folder: names it" "$(cat "$TMP/nodir.err")" \
	"/nonexistent/x.warts: No such file"

# --- 4. xhop scan --------------------------------------------------------------

printf '# nothing blocked\n' >"$TMP/noblock"

# scan NAME ARGS...: xhop scan in src, the summary apart
scan()
{
	local name=$1
	shift
	xrun "$name" scan --blocklist "$TMP/noblock" --every-address --rate 5000 --wait 1 \
		--summary "$TMP/$name.sum" "$@"
}

P4=(198.19.0.0/28 198.19.1.0/28 198.19.2.0/28)
P6=(2001:2:0:100::/124 2001:2:0:101::/124 2001:2:0:102::/124)
scan scan4 --warts "$TMP/scan4.warts" "${P4[@]}"
expect_eq "scan4: exit 0" "$RC" 0
readers scan4 "$TMP/scan4.warts" "$TMP/scan4.out" "xhop scan"
scan scan6 --warts "$TMP/scan6.warts" "${P6[@]}"
expect_eq "scan6: exit 0" "$RC" 0
readers scan6 "$TMP/scan6.warts" "$TMP/scan6.out" "xhop scan"
scan scanudp6 -U --warts "$TMP/scanudp6.warts" "${P6[@]:0:2}"
expect_eq "scanudp6: exit 0" "$RC" 0
readers scanudp6 "$TMP/scanudp6.warts" "$TMP/scanudp6.out" "xhop scan"
scan scantcp4 -T --warts "$TMP/scantcp4.warts" "${P4[@]}"
expect_eq "scantcp4: exit 0" "$RC" 0
readers scantcp4 "$TMP/scantcp4.warts" "$TMP/scantcp4.out" "xhop scan"

# Every hop probed (Doubletree's inferred hops are not in warts): each
# target's path as the lab has it, read by sc_analysis_dump
scan full4 --no-doubletree --format warts --output "$TMP/full4.warts" "${P4[@]}"
expect_eq "full4: --format warts: exit 0, stdout empty" "$RC:$(wc -c <"$TMP/full4.out")" "0:0"
sc_analysis_dump "$TMP/full4.warts" >"$TMP/full4.ad"
warts_checks adump-scan full4 "$TMP/full4.ad" "${LAB_SCAN_RULES4[@]}"
scan full6 --no-doubletree --format warts --output "$TMP/full6.warts" "${P6[@]}"
expect_eq "full6: --format warts: exit 0" "$RC" 0
sc_analysis_dump "$TMP/full6.warts" >"$TMP/full6.ad"
warts_checks adump-scan full6 "$TMP/full6.ad" "${LAB_SCAN_RULES6[@]}"
n4=$(grep -c '^T' "$TMP/full4.ad")
expect_eq "full4: a trace per target" "$n4" 48

echo "     (test_warts.sh ran $(($(date +%s) - start)) s on the lab)"
summary
