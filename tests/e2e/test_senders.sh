#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2016 # Python expressions in single quotes
#
# End to end: the sender ladder (user/send/sender.h) on the namespace lab
# of scripts/lab.sh, whose truth is known per prefix.
#   1. the ladder walked down on any kernel: seccomp (seccomp_run) refuses
#      BPF test runs, AF_XDP and AF_PACKET sockets one after the other;
#      auto takes the next rung, says why on one stderr line, and the
#      paths stay exact; an explicit --sender that cannot run exits 1
#      with the reason and leaves nothing attached;
#   2. auto as the kernel lets it: kernel where live frames run, else xdp;
#   3. every rung that runs here x ICMP, UDP, TCP x IPv4, IPv6: every
#      target's path is the lab's truth, nothing failed to leave; a rung
#      this kernel refuses is a skip with the reason, never a pass;
#   4. xhop HOST over every rung: the lab's hops, RTTs from stamps;
#   5. probes that cannot leave (the link goes down mid-scan): exit 1 with
#      the reason, the failed targets end in ERROR, no silent hops.
# Addresses: 198.18.0.0/15 and 2001:2::/48 only, in namespaces of its own
# (xn$$-*), removed on exit. Needs root.
set -u

# shellcheck source=tests/e2e/lab_test.sh
source "$(dirname "$0")/lab_test.sh"
SECCOMP=${SECCOMP_RUN:-$ROOT/build/tests/e2e/seccomp_run}
RUN_LIMIT=60

e2e_require ip python3 bpftool timeout
if [[ ! -x $SECCOMP ]]; then
	fail "seccomp_run is built" "$SECCOMP is missing: run make"
	e2e_stop
fi

PREFIX=xn$$-
TMP=$(mktemp -d /tmp/xhop-senders.XXXXXX)
lab_test_traps

e2e_lab_up
# r1's end takes redirected XDP frames: only the kernel's policy decides
# whether the generator runs
lab_gen_ready
IF=$LAB_SRC_IF
PROGS_AT_START=$(xhop_prog_ids)
RUN_IDS=
printf '# nothing blocked\n' >"$TMP/noblock"

# scan_run NAME [--deny WHAT...] -- ARGS...: xhop scan in src (under
# seccomp_run when WHAT is given), bounded; $TMP/NAME.{out,sum,err}; RC
scan_run()
{
	local name=$1 deny=()
	shift
	while [[ $1 != -- ]]; do deny+=("$1"); shift; done
	shift
	lab_exec src timeout -k 2 "$RUN_LIMIT" "$SECCOMP" "${deny[@]}" -- "$XHOP" scan \
		--blocklist "$TMP/noblock" --summary "$TMP/$name.sum" "$@" \
		>"$TMP/$name.out" 2>"$TMP/$name.err"
	RC=$?
}

# rtt_checks NAME FILE: every answered hop of every trace has an RTT from
# its two stamps, positive and far below the 1 s wait on this lab
rtt_checks()
{
	local why
	why=$(python3 - "$2" <<'EOF'
import json, sys
bad, n = [], 0
for line in open(sys.argv[1]):
    t = json.loads(line)
    for h in t.get("hops", []):
        n += 1
        if not 0 < h.get("rtt", -1) < 50:
            bad.append(f"{t['dst']} TTL {h['probe_ttl']}: rtt {h.get('rtt')}")
print(f"{n} hops" if n and not bad else "; ".join(bad[:5]) or "no hops")
EOF
)
	if [[ $why == *" hops" ]]; then ok "$1: RTTs from stamps, 0 < rtt < 50 ms ($why)"; else
		fail "$1: RTTs from stamps, 0 < rtt < 50 ms" "$why"; fi
}

sum_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$@" 2>/dev/null; }

RULES4=("${LAB_SCAN_RULES4[@]}")
RULES6=("${LAB_SCAN_RULES6[@]}")
RULES6_UDP=("${LAB_SCAN_RULES6_UDP[@]}")
P4=(198.19.0.0/28 198.19.1.0/28 198.19.2.0/28)
P6=(2001:2:0:100::/124 2001:2:0:101::/124 2001:2:0:102::/124)
P6_UDP=(2001:2:0:100::/124 2001:2:0:101::/124)
prefix_addrs "$TMP/t4" "${P4[@]}"
prefix_addrs "$TMP/t6" "${P6[@]}"
prefix_addrs "$TMP/t6u" "${P6_UDP[@]}"

# Does this kernel run live frames? (--sender kernel tries for real)
scan_run kprobe -- --sender kernel --rate 20000 --wait 1 198.19.0.0/30
KERNEL_WHY=
if ((RC == 0)); then
	ok "live frames run here: the kernel rung is in the ladder"
elif grep -q "live frames refused by the kernel" "$TMP/kprobe.err"; then
	KERNEL_WHY=$(sed -n 's/.*--sender kernel: //p' "$TMP/kprobe.err" | head -n 1)
	ok "live frames refused here, said so: $KERNEL_WHY"
	expect_eq "--sender kernel where live frames are refused: exit 1" "$RC" 1
	expect_eq "--sender kernel refused: no trace written" "$(cat "$TMP/kprobe.out")" ""
else
	fail "--sender kernel: runs, or says live frames are refused" "exit $RC" \
		"$(cat "$TMP/kprobe.err")"
fi

# --- 1. the ladder, walked down by refusals -------------------------------------

# deny|expected rung|what its stderr line must say
LADDER=(
	"--no-test-run|xdp|sender xdp \\((copy mode|zero-copy)\\) on $IF \\(kernel: live frames refused by the kernel \\(EPERM\\)\\)$"
	"--no-test-run --no-xdp-socket|packet|sender packet on $IF \\(kernel: live frames refused by the kernel \\(EPERM\\); xdp: AF_XDP socket refused \\(Operation not permitted\\)\\)$"
	"--no-test-run --no-xdp-socket --no-packet-socket|raw|sender raw on $IF \\(kernel: .*; xdp: .*; packet: packet socket refused \\(Operation not permitted\\)\\)$"
)
for row in "${LADDER[@]}"; do
	IFS='|' read -r deny want says <<<"$row"
	name="ladder ${deny// /,}"
	# shellcheck disable=SC2086 # the flags are words
	scan_run ladder $deny -- --rate 20000 --wait 1 --every-address "${P4[@]}"
	expect_rc "$name: exit 0" 0
	expect_eq "$name: one line on stderr" "$(wc -l <"$TMP/ladder.err")" 1
	expect_match "$name: says $want and why not faster" "$(cat "$TMP/ladder.err")" "$says"
	expect_eq "$name: summary sender" "$(sum_of "$TMP/ladder.sum" sender)" "$want"
	scan_checks paths "$name" "$TMP/ladder.out" "$TMP/t4" "${RULES4[@]}"
done

# an explicit rung that cannot run: exit 1, the reason, nothing attached
EXPLICIT=(
	"--no-test-run|kernel|--sender kernel: live frames refused by the kernel \\(EPERM\\)"
	"--no-xdp-socket|xdp|--sender xdp: AF_XDP socket refused \\(Operation not permitted\\)"
	"--no-packet-socket|packet|--sender packet: packet socket refused \\(Operation not permitted\\)"
)
for row in "${EXPLICIT[@]}"; do
	IFS='|' read -r deny kind says <<<"$row"
	scan_run refused "$deny" -- --sender "$kind" --rate 20000 198.19.0.0/30
	expect_rc "--sender $kind refused: exit 1" 1
	expect_match "--sender $kind refused: names the reason" "$(cat "$TMP/refused.err")" "$says"
	expect_eq "--sender $kind refused: no trace written" "$(cat "$TMP/refused.out")" ""
	RUN_IDS=
	expect_clean "--sender $kind refused"
done

# xhop HOST and xhop monitor take the same ladder
OUT=$(lab_exec src "$SECCOMP" --no-test-run --no-xdp-socket -- "$XHOP" -n -q 2 --sender auto \
	"$LAB_DST4" 2>"$TMP/trace.err")
RC=$?
expect_rc "trace --sender auto, kernel and xdp refused: exit 0" 0
expect_match "trace: says it took packet" "$(cat "$TMP/trace.err")" "^xhop: sender packet on $IF"
expect_hops "trace over packet (ladder): the lab's hops" LAB_EXPECT_ICMP4 2
OUT=$(lab_exec src timeout 20 "$SECCOMP" --no-test-run -- "$XHOP" monitor -n --report -c 2 \
	--interval 0.2 --sender auto "$LAB_DST4" 2>"$TMP/mon.err")
RC=$?
expect_rc "monitor --sender auto, kernel refused: exit 0" 0
expect_match "monitor: says it took xdp" "$(cat "$TMP/mon.err")" "^xhop monitor: sender xdp"
expect_match "monitor over xdp: the destination at TTL 5" "$OUT" '^ +5\.\|-- 198\.19\.0\.77 '

# --- 2. auto as this kernel lets it -----------------------------------------------

scan_run auto -- --rate 20000 --wait 1 --every-address "${P4[@]}"
expect_rc "auto: exit 0" 0
if [[ -z $KERNEL_WHY ]]; then
	expect_eq "auto takes the generator where live frames run" "$(sum_of "$TMP/auto.sum" sender)" kernel
	expect_match "auto: says so" "$(cat "$TMP/auto.err")" "^xhop scan: sender kernel on $IF$"
else
	expect_eq "auto skips the refused generator for AF_XDP" "$(sum_of "$TMP/auto.sum" sender)" xdp
	expect_match "auto: says why not the generator" "$(cat "$TMP/auto.err")" \
		"^xhop scan: sender xdp .* \\(kernel: live frames refused by the kernel"
fi
scan_checks paths auto "$TMP/auto.out" "$TMP/t4" "${RULES4[@]}"

# --- 3. every rung x method x family against the lab's truth ------------------------

# Every stamp is the kernel's: veth stamps AF_PACKET frames in the driver;
# AF_XDP frames carry TX metadata from kernel 6.8 (before, the clock
# around the kick stands in, and the summary counts it)
read -r KMAJ KMIN < <(uname -r | sed -E 's/^([0-9]+)\.([0-9]+).*/\1 \2/')
for sender in kernel xdp packet raw; do
	STAMPS_USER="== 0"
	if [[ $sender == xdp ]] && ((KMAJ < 6 || (KMAJ == 6 && KMIN < 8))); then
		STAMPS_USER="== s[\"probes_sent\"]"
	fi
	if [[ $sender == kernel && -n $KERNEL_WHY ]]; then
		skip "scans through the kernel rung (6 runs)" "$KERNEL_WHY"
		continue
	fi
	for method in icmp udp tcp; do
		for fam in 4 6; do
			name="$sender $method IPv$fam"
			if [[ $fam == 4 ]]; then
				pre=("${P4[@]}") list=$TMP/t4 rules=("${RULES4[@]}")
			elif [[ $method == udp ]]; then
				pre=("${P6_UDP[@]}") list=$TMP/t6u rules=("${RULES6_UDP[@]}")
			else
				pre=("${P6[@]}") list=$TMP/t6 rules=("${RULES6[@]}")
			fi
			scan_run m -- --sender "$sender" --method "$method" --rate 20000 --wait 1 \
				--every-address "${pre[@]}"
			expect_rc "$name: exit 0" 0
			scan_checks paths "$name" "$TMP/m.out" "$list" "${rules[@]}"
			scan_checks summary "$name" "$TMP/m.sum" "s[\"sender\"] == \"$sender\"" \
				's["send_errors"] == 0' 's["replies_ignored"] == 0' \
				's["targets_done"] == s["targets"]' "s[\"stamps_user\"] $STAMPS_USER"
			rtt_checks "$name" "$TMP/m.out"
		done
	done
done

# --- 4. xhop HOST over every rung ---------------------------------------------------

for sender in kernel xdp packet raw; do
	if [[ $sender == kernel && -n $KERNEL_WHY ]]; then
		skip "xhop HOST through the kernel rung" "$KERNEL_WHY"
		continue
	fi
	for fam in 4 6; do
		if [[ $fam == 4 ]]; then dst=$LAB_DST4 want=LAB_EXPECT_ICMP4; else
			dst=$LAB_DST6 want=LAB_EXPECT_ICMP6; fi
		OUT=$(lab_exec src timeout 20 "$XHOP" -n -q 3 --json --sender "$sender" "$dst" \
			2>"$TMP/t.err")
		RC=$?
		expect_rc "trace --sender $sender IPv$fam: exit 0" 0
		# every answered probe has an RTT from two kernel-side stamps:
		# positive, and well under the 5 s wait on this lab
		json_checks <(printf '%s\n' "$OUT") \
			"trace $sender IPv$fam: reached at TTL 5::t['stop_reason'] == 'COMPLETED' and t['hop_count'] == 5" \
			"trace $sender IPv$fam: 15 answers, each with 0 < rtt < 5 ms::len(t['hops']) == 15 and all(0 < h['rtt'] < 5 for h in t['hops'])"
		OUT=$(lab_exec src timeout 20 "$XHOP" -n -q 2 --sender "$sender" "$dst" 2>/dev/null)
		expect_hops "trace --sender $sender IPv$fam: the lab's hops" "$want" 2
	done
done

# --- 5. probes that cannot leave -------------------------------------------------------

# A slow scan of a /24; once traces come, src's link goes down: every
# send fails from then on. Not one of the targets may come out as a path
# of silent hops.
# IPv6 addresses stay through the link's down and up (routes do not)
lab_exec src sysctl -qw "net.ipv6.conf.$IF.keep_addr_on_down=1"
for sender in xdp raw; do
	name="link down under $sender"
	lab_exec src timeout -k 2 "$RUN_LIMIT" "$XHOP" scan --blocklist "$TMP/noblock" \
		--sender "$sender" --rate 300 --wait 1 --every-address --summary "$TMP/down.sum" \
		198.19.0.0/24 >"$TMP/down.out" 2>"$TMP/down.err" &
	pid=$!
	traces_come() { [[ $(wc -l <"$TMP/down.out") -ge 5 ]]; }
	wait_for 20 traces_come || fail "$name: traces before the link goes down" "$(cat "$TMP/down.err")"
	lab_exec src ip link set "$IF" down
	wait "$pid"
	RC=$?
	lab_exec src ip link set "$IF" up
	lab_route src 198.18.0.0/15 2001:2::/48 1 2
	expect_rc "$name: exit 1" 1
	expect_match "$name: says probes cannot leave, and why" "$(cat "$TMP/down.err")" \
		"^xhop scan: probes cannot leave through sender $sender on $IF: "
	python3 - "$TMP/down.out" "$TMP/down.sum" "$name" >"$TMP/down.check" 2>&1 <<'EOF'
import json, sys
traces = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
s = json.load(open(sys.argv[2]))
name = sys.argv[3]
def chk(what, cond, why=''):
    print(('ok   ' if cond else 'FAIL ') + name + ': ' + what + ('' if cond else ': ' + str(why)))
reasons = {}
for t in traces:
    reasons[t['stop_reason']] = reasons.get(t['stop_reason'], 0) + 1
chk('some targets end in ERROR', reasons.get('ERROR', 0) > 0, reasons)
chk('none ends as a run of silent hops (GAPLIMIT)', reasons.get('GAPLIMIT', 0) == 0, reasons)
chk('failed sends are counted apart', s['send_errors'] > 0, s['send_errors'])
chk('probes_sent counts only what left', s['probes_sent'] < 256 * 6, s['probes_sent'])
EOF
	cat "$TMP/down.check"
	T_PASS=$((T_PASS + $(grep -c '^ok ' "$TMP/down.check")))
	T_FAIL=$((T_FAIL + $(grep -c '^FAIL ' "$TMP/down.check")))
	# the lab's routes are back: the next runs see the same lab
	lab_exec src ip route get "$LAB_DST4" >/dev/null 2>&1 ||
		fail "$name: src's routes are back" "$(lab_exec src ip route)"
done

summary
