#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2016 # Python expressions in single quotes
#
# End to end: xhop scan over the namespace lab of scripts/lab.sh, whose
# destination prefixes each end differently (198.19.0.0/24 reached at
# TTL 5; 198.19.1.0/24 behind the silent r5, reached at TTL 6;
# 198.19.2.0/24 unreachable at r4, !H; the same in IPv6). Checks:
#   - every target of the list traced once, each path exactly the lab's
#     truth (measured hops and Doubletree's inferred ones together), for
#     ICMP over IPv4 and IPv6, UDP and TCP;
#   - Doubletree: the same hops per target as a run without it, with
#     fewer probes;
#   - blocklisted targets: never a packet to them on the wire (a capture
#     in r1), counted in the summary;
#   - shards: two and three shards of one seed cover the list exactly once;
#   - SIGINT mid-scan: exit 130, a trace for every target in flight
#     (partial ones marked), the summary, nothing left attached;
#   - bad target lists: one clear line naming the line, exit 2.
# The last line is "N passed, N failed". XHOP=/path/to/binary overrides
# build/xhop. Needs root (namespaces).
set -u

# shellcheck source=tests/e2e/lab_test.sh
source "$(dirname "$0")/lab_test.sh"
RUN_LIMIT=60

e2e_require ip tcpdump python3 bpftool timeout

PREFIX=xs$$-
TMP=$(mktemp -d /tmp/xhop-scan.XXXXXX)
BG_PID=
CAP_PID=

cleanup()
{
	[[ $BASHPID == "$$" ]] || return 0
	if [[ -n $BG_PID ]] && alive "$BG_PID"; then kill -9 "$BG_PID" 2>/dev/null; fi
	if [[ -n $CAP_PID ]] && alive "$CAP_PID"; then kill "$CAP_PID" 2>/dev/null; fi
	LAB_QUIET=1 lab_down "$PREFIX"
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start=$(date +%s)
e2e_lab_up
IF=$LAB_SRC_IF
PROGS_AT_START=$(xhop_prog_ids)
RUN_IDS=

# The lab is special-use space, which the built-in blocklist covers: the
# tests pass their own (empty, or the blocked half below)
printf '# nothing blocked\n' >"$TMP/noblock"

# scan_run NAME ARGS...: xhop scan in src, bounded; traces in $TMP/NAME.out,
# the summary in $TMP/NAME.sum, stderr in $TMP/NAME.err; sets RC
scan_run()
{
	local name=$1
	shift
	lab_exec src timeout -k 2 "$RUN_LIMIT" "$XHOP" scan --summary "$TMP/$name.sum" \
		"$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
	RC=$?
}

# The lab's truth per prefix (scripts/lab.sh)
RULES4=("${LAB_SCAN_RULES4[@]}")
RULES6=("${LAB_SCAN_RULES6[@]}")
RULES6_UDP=("${LAB_SCAN_RULES6_UDP[@]}")

# --- 1. IPv4 ICMP, a blocklist, a capture on the wire ---------------------------

# tcpdump in r1 on the prober's link: what xhop really sent
ip netns exec "$(lab_ns r1)" tcpdump -i v1 -n -U -w "$TMP/wire.pcap" \
	'icmp[icmptype] == icmp-echo' 2>"$TMP/tcpdump.err" &
CAP_PID=$!
cap_ready() { grep -q "listening on" "$TMP/tcpdump.err"; }
wait_for 5 cap_ready || fail "tcpdump in r1 starts" "$(cat "$TMP/tcpdump.err")"

printf '198.19.0.128/25\n' >"$TMP/block"
prefix_addrs "$TMP/t4" 198.19.0.0/25 198.19.1.0/24 198.19.2.0/24
scan_run icmp4 --blocklist "$TMP/block" --every-address --rate 20000 --wait 1 --sender raw \
	198.19.0.0/24 198.19.1.0/24 198.19.2.0/24
expect_rc "icmp4: exit 0" 0
scan_checks paths icmp4 "$TMP/icmp4.out" "$TMP/t4" "${RULES4[@]}"
scan_checks summary icmp4 "$TMP/icmp4.sum" 's["sender"] == "raw"' 's["targets"] == 640' 's["blocked"] == 128' \
	's["targets_done"] == 640' 's["targets_reached"] == 384' 's["interrupted"] is False' \
	's["ring_drops"] == 0' 's["replies_ignored"] == 0' 's["bytes_per_target"] <= 64' \
	's["doubletree_stops"] > 0' 's["interfaces"] == 384 + 5'

# Everything sent is in the capture once the marker behind it is: a ping
# from src (not xhop) to r1 after the scan
lab_exec src python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
s.sendto(bytes([8, 0, 0xf7, 0xfe, 0, 1, 0, 0]), ("198.18.1.2", 0))' 2>/dev/null
marker_seen() { tcpdump -r "$TMP/wire.pcap" -n 2>/dev/null | grep -q "> 198.18.1.2: ICMP echo request"; }
wait_for 5 marker_seen || fail "capture: marker arrived" "$(tcpdump -r "$TMP/wire.pcap" -n 2>&1 | tail -3)"
kill "$CAP_PID" 2>/dev/null
wait "$CAP_PID" 2>/dev/null
CAP_PID=
wire_to() { tcpdump -r "$TMP/wire.pcap" -n "$1" 2>/dev/null | wc -l; }
n_sent=$(wire_to 'dst net 198.19.0.0/16')
n_blocked=$(wire_to 'dst net 198.19.0.128/25')
check "capture: the scan's probes are on the wire ($n_sent)" test "$n_sent" -gt 1000
expect_eq "capture: no packet to a blocklisted target" "$n_blocked" 0
# --rate: steady, no bursts, and the rate asked (not less: a late wake-up
# once cost a sixth of it)
tcpdump -r "$TMP/wire.pcap" -n -tt 'dst net 198.19.0.0/16' 2>/dev/null >"$TMP/wire.times"
scan_checks pacing "raw sender, --rate 20000" "$TMP/wire.times" 20000

# --- 2. Doubletree against the full run -----------------------------------------

scan_run full4 --blocklist "$TMP/block" --every-address --rate 20000 --wait 1 --no-doubletree \
	198.19.0.0/24 198.19.1.0/24 198.19.2.0/24
expect_rc "no-doubletree: exit 0" 0
scan_checks paths no-doubletree "$TMP/full4.out" "$TMP/t4" "${RULES4[@]}"
scan_checks same "doubletree vs every hop probed" "$TMP/icmp4.out" "$TMP/full4.out"
p_dt=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["probes_sent"])' "$TMP/icmp4.sum")
p_full=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["probes_sent"])' "$TMP/full4.sum")
check "doubletree: fewer probes ($p_dt) than probing every hop ($p_full)" test "${p_dt:-0}" -lt "${p_full:-0}"
scan_checks summary no-doubletree "$TMP/full4.sum" 's["doubletree_stops"] == 0' \
	's["inferred_hops"] == 0'

# --- 3. IPv6, UDP, TCP, from the fastest sender here -----------------------------

# Without NAPI on r1's end of the link the generator cannot send (veth
# drops redirected frames): scan says so and takes the next rung (AF_XDP)
scan_run fallback --blocklist "$TMP/noblock" --every-address --rate 20000 --wait 1 198.19.0.0/30
expect_rc "generator refused by the link: exit 0" 0
expect_match "generator refused: says why, and what it took" "$(cat "$TMP/fallback.err")" \
	"sender xdp .*\\(kernel: the driver of $IF takes no XDP frames"
scan_checks summary fallback "$TMP/fallback.sum" 's["sender"] == "xdp"' 's["targets_done"] == 4'
scan_run nogen --blocklist "$TMP/noblock" --sender kernel 198.19.0.0/30
expect_rc "--sender kernel where it cannot run: exit 1" 1
lab_gen_ready
# With the link ready, the kernel's policy alone decides (EPERM on some)
scan_run kprobe --blocklist "$TMP/noblock" --sender kernel 198.19.0.0/30
KERNEL_WHY=
if ((RC != 0)); then
	KERNEL_WHY=$(sed -n 's/.*--sender kernel: //p' "$TMP/kprobe.err" | head -n 1)
	expect_match "generator refused by this kernel: says why" "$KERNEL_WHY" \
		"live frames refused by the kernel"
fi
# the rung auto takes here: the generator, else AF_XDP
FAST=kernel
[[ -n $KERNEL_WHY ]] && FAST=xdp

# The fastest sender, on the wire: the same pacing from the sending thread
ip netns exec "$(lab_ns r1)" tcpdump -i v1 -n -U -w "$TMP/gen.pcap" \
	'icmp[icmptype] == icmp-echo' 2>"$TMP/tcpdump.err" &
CAP_PID=$!
wait_for 5 cap_ready || fail "tcpdump in r1 starts" "$(cat "$TMP/tcpdump.err")"
prefix_addrs "$TMP/t4k" 198.19.0.0/24 198.19.1.0/24 198.19.2.0/24
scan_run kern4 --blocklist "$TMP/noblock" --every-address --rate 20000 --wait 1 --sender "$FAST" \
	198.19.0.0/24 198.19.1.0/24 198.19.2.0/24
expect_rc "$FAST sender, IPv4: exit 0" 0
scan_checks paths "$FAST sender, IPv4" "$TMP/kern4.out" "$TMP/t4k" "${RULES4[@]}"
sleep 0.5 # tcpdump -U writes each packet at once; leave it a moment
kill "$CAP_PID" 2>/dev/null
wait "$CAP_PID" 2>/dev/null
CAP_PID=
tcpdump -r "$TMP/gen.pcap" -n -tt 'dst net 198.19.0.0/16' 2>/dev/null >"$TMP/gen.times"
scan_checks pacing "$FAST sender, --rate 20000" "$TMP/gen.times" 20000

prefix_addrs "$TMP/t6" 2001:2:0:100::/120 2001:2:0:101::/124 2001:2:0:102::/124
scan_run icmp6 --blocklist "$TMP/noblock" --every-address --rate 20000 --wait 1 --sender "$FAST" \
	2001:2:0:100::/120 2001:2:0:101::/124 2001:2:0:102::/124
expect_rc "icmp6: exit 0" 0
scan_checks paths icmp6 "$TMP/icmp6.out" "$TMP/t6" "${RULES6[@]}"
scan_checks summary icmp6 "$TMP/icmp6.sum" "s[\"sender\"] == \"$FAST\"" 's["driver_drops"] == 0' \
	's["send_errors"] == 0' 's["replies_ignored"] == 0'
# an explicit rung that runs says nothing
expect_eq "icmp6 ($FAST): nothing on stderr" "$(cat "$TMP/icmp6.err")" ""

prefix_addrs "$TMP/t4u" 198.19.0.0/26 198.19.1.0/28 198.19.2.0/28
scan_run udp4 --blocklist "$TMP/noblock" --every-address --rate 20000 --wait 1 --method udp \
	198.19.0.0/26 198.19.1.0/28 198.19.2.0/28
expect_rc "udp4: exit 0" 0
scan_checks paths udp4 "$TMP/udp4.out" "$TMP/t4u" "${RULES4[@]}"

prefix_addrs "$TMP/t6u" 2001:2:0:100::/122 2001:2:0:101::/124
scan_run udp6 --blocklist "$TMP/noblock" --every-address --rate 20000 --wait 1 -U \
	2001:2:0:100::/122 2001:2:0:101::/124
expect_rc "udp6: exit 0" 0
scan_checks summary udp6 "$TMP/udp6.sum" "s[\"sender\"] == \"$FAST\""
scan_checks paths udp6 "$TMP/udp6.out" "$TMP/t6u" "${RULES6_UDP[@]}"

prefix_addrs "$TMP/t4t" 198.19.0.0/26
scan_run tcp4 --blocklist "$TMP/noblock" --every-address --rate 20000 --wait 1 -T -p 80 \
	198.19.0.0/26
expect_rc "tcp4: exit 0" 0
scan_checks paths tcp4 "$TMP/tcp4.out" "$TMP/t4t" "${RULES4[0]}"

# Both families in one run, targets from a file (comments, blank lines)
printf '# mixed\n198.19.0.0/28\n\n2001:2:0:100::/124  # v6\n' >"$TMP/mixed.list"
prefix_addrs "$TMP/tmix" 198.19.0.0/28 2001:2:0:100::/124
scan_run mixed --blocklist "$TMP/noblock" --every-address --rate 20000 --wait 1 \
	--targets "$TMP/mixed.list"
expect_rc "mixed families from --targets: exit 0" 0
# one generator per run: with it, the other family takes AF_XDP
if [[ $FAST == kernel ]]; then MIXED=kernel,xdp; else MIXED=xdp; fi
scan_checks summary mixed "$TMP/mixed.sum" "s[\"sender\"] == \"$MIXED\""
scan_checks paths mixed "$TMP/mixed.out" "$TMP/tmix" "${RULES4[0]}" "${RULES6[0]}"

# --- 4. shards --------------------------------------------------------------------

prefix_addrs "$TMP/tsh" 198.19.0.0/24
for i in 0 1; do
	scan_run "sh2-$i" --blocklist "$TMP/noblock" --every-address --rate 20000 --seed 42 \
		--shard "$i/2" 198.19.0.0/24
	expect_rc "shard $i/2: exit 0" 0
done
scan_checks shards "two shards" "$TMP/tsh" "$TMP/sh2-0.out" "$TMP/sh2-1.out"
for i in 0 1 2; do
	scan_run "sh3-$i" --blocklist "$TMP/noblock" --every-address --rate 20000 --seed 7 \
		--shard "$i/3" 198.19.0.0/24
done
scan_checks shards "three shards" "$TMP/tsh" "$TMP/sh3-0.out" "$TMP/sh3-1.out" "$TMP/sh3-2.out"
scan_checks paths "three shards" "$TMP/sh3-1.out" /dev/stdin "${RULES4[0]}" \
	< <(python3 -c 'import json,sys; [print(json.loads(l)["dst"]) for l in open(sys.argv[1])]' "$TMP/sh3-1.out")

# --- 5. SIGINT mid-scan -----------------------------------------------------------

# Behind the silent r5 every target waits out TTL 5 (3 s): interrupt
# while they wait
bg_start src scan --blocklist "$TMP/noblock" --every-address --rate 20000 --wait 3 \
	--progress --summary "$TMP/int.sum" 198.19.1.0/26
capture_ids "SIGINT"
sent_some() { grep -q "sent [1-9]" "$TMP/bg.err"; }
wait_for 10 sent_some || fail "SIGINT: the scan is under way" "$(cat "$TMP/bg.err")"
kill -INT "$BG_PID"
bg_end 10
expect_eq "SIGINT: exit 130 (after the in-flight wait)" "$BG_RC" 130
n_int=$(grep -c '"type":"trace"' "$TMP/bg.out")
expect_eq "SIGINT: a trace for each of the 64 targets in flight" "$n_int" 64
check "SIGINT: partial traces marked (stop_reason NONE)" grep -q '"stop_reason":"NONE"' "$TMP/bg.out"
scan_checks summary SIGINT "$TMP/int.sum" 's["interrupted"] is True' 's["targets_done"] == 64'
expect_clean "SIGINT"

# --- 6. bad input --------------------------------------------------------------------

printf '198.19.0.0/28\nnot-an-address\n' >"$TMP/bad.list"
scan_run bad1 --blocklist "$TMP/noblock" --targets "$TMP/bad.list"
expect_rc "bad --targets line: exit 2" 2
expect_eq "bad --targets line: one line naming file and line" "$(cat "$TMP/bad1.err")" \
	"xhop: $TMP/bad.list:2: 'not-an-address' is not an address or prefix"
scan_run bad2 --blocklist "$TMP/noblock" 198.19.0.1/16
expect_rc "prefix with host bits: exit 2" 2
expect_match "prefix with host bits: named" "$(cat "$TMP/bad2.err")" "'198\.19\.0\.1/16' is not"
scan_run bad3 198.19.0.0/24
expect_rc "only blocked targets (built-in list): exit 2" 2
expect_match "only blocked targets: says so" "$(cat "$TMP/bad3.err")" "no target left \(1 blocked by the built-in"
scan_run bad4 --blocklist "$TMP/noblock" --every-address --max-targets 100 198.19.0.0/24
expect_rc "over --max-targets: exit 2" 2
scan_run bad5 --rate 0 198.19.0.0/24
expect_rc "--rate 0: exit 2" 2
scan_run bad6 --shard 2/2 198.19.0.0/24
expect_rc "--shard 2/2: exit 2" 2
scan_run bad7 --blocklist "$TMP/nosuchfile" 198.19.0.0/24
expect_rc "missing --blocklist file: exit 2" 2
expect_clean "bad input"

echo "(took $(($(date +%s) - start)) s)"
summary
