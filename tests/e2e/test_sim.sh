#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# End to end: xhop-sim's responder on one end of a veth pair between two
# fresh namespaces, probers on the other, and what they see compared with
# `xhop-sim truth` for the same topology (tests/e2e/sim_check.py):
#   - Debian traceroute -n (ICMP -I, UDP, TCP -T; IPv4 and IPv6), whose
#     probes are each another flow: every address at the TTL truth gives
#     for some flow, exactly truth where no load balancer is on the way;
#   - scamper (icmp-paris, udp-paris, tcp), xhop HOST --json and xhop scan,
#     one flow per trace: exactly the truth of that flow (--src and its
#     ports or ICMP checksum), MPLS labels included;
#   - xhop multipath (UDP, TCP): no link truth --links lacks, and at least
#     90% of truth's links found;
#   - the counters (xhop-sim stats), the rate limit's dropped answers,
#     detaching on SIGTERM, SIGINT and SIGKILL, a second responder refused,
#     bad arguments (exit 2).
# The prober's end has an XDP program (build/sim_pass.bpf.o, or xhop's
# own): the responder's XDP_TX frames need the peer's NAPI, which GRO alone
# does not schedule for them. Its checksum offload is off: XDP would see
# the veth's partial UDP/TCP checksums and quote them, which no router on
# a wire ever does.
#
# Addresses: targets and routers 198.18.0.0/15 and 2001:2:0::/48, the
# prober 198.19.255.1 and 2001:2:0:ffff::1, its gateway 198.19.255.254
# and fe80::2 (on the simulator's end, for ARP and ND only). No route
# leaves the namespaces. Needs root. The last line is "N passed, N
# failed, N skipped".
set -u

# shellcheck source=tests/e2e/lab_test.sh
source "$(dirname "$0")/lab_test.sh"
SIM=${XHOP_SIM:-$ROOT/build/xhop-sim}
# shellcheck source=scripts/sim_lab.sh
source "$ROOT/scripts/sim_lab.sh"
RUN_LIMIT=60

e2e_require ip ethtool traceroute scamper python3 timeout
for f in "$SIM" "$SIM_PASS_OBJ"; do
	[[ -e $f ]] || { fail "$(basename "$f") is built" "run make"; summary; exit 1; }
done

TMP=$(mktemp -d /tmp/xhop-sim-e2e.XXXXXX)
TOPO="--seed 7 --unreach 10 --dead 10"
SIM_OUT=$TMP/sim.out
SIM_ERR=$TMP/sim.err

sim_lab_traps "$TMP"

inp() { ip netns exec "$SIM_PNS" "$@"; }
ins() { ip netns exec "$SIM_SNS" "$@"; }

# --- bad arguments: no namespace needed -----------------------------------------

for args in "truth" "truth 10.0.0.1" "truth 2001:db8::1" "truth --width 9 198.18.0.1" \
	"truth --silent 101 198.18.0.1" "truth --seed x 198.18.0.1" "truth 198.18.0.1 198.18.0.2" \
	"truth --sport 1 --dport 2 198.18.0.1" "truth -I --src 198.19.255.1 --sport 1 --dport 2 198.18.0.1" \
	"truth --src 2001:2::1 --sport 1 --dport 2 198.18.0.1" "bogus" "attach" "truth --nope 198.18.0.1"; do
	# shellcheck disable=SC2086 # the words of args are the arguments
	expect_usage_error "xhop-sim $args: exit 2 with a message" "$TMP" "$SIM" $args
done

# --- the namespaces (scripts/sim_lab.sh) -------------------------------------------

# sim_start ARGS...: the responder on s0 with the test's topology
sim_start()
{
	# shellcheck disable=SC2086 # TOPO is words
	sim_lab_start $TOPO "$@"
}

# sim_stop: SIGTERM, its exit status, and nothing left on s0
sim_stop()
{
	sim_lab_stop
	expect_eq "xhop-sim attach: exit 0 on SIGTERM" "$?" 0
	expect_no_match "xhop-sim attach: XDP detached from s0" "$(ip -n "$SIM_SNS" link show s0)" "xdp"
}

if sim_lab_up "xs$$"; then ok "namespaces and veth are up"; else
	fail "namespaces and veth are up"
	summary
	exit 1
fi
if sim_start; then ok "xhop-sim attach s0"; else
	fail "xhop-sim attach s0" "$(cat "$SIM_ERR")"
	summary
	exit 1
fi
expect_match "xhop-sim attach: XDP on s0" "$(ip -n "$SIM_SNS" link show s0)" "prog/xdp"
# a second responder on the same interface: refused, the first untouched
ins "$SIM" attach s0 >/dev/null 2>"$TMP/busy.err"
rc=$?
expect_eq "xhop-sim attach s0 twice: exit 1" "$rc" 1
expect_match "xhop-sim attach s0 twice: says why" "$(cat "$TMP/busy.err")" "another XDP program"
for args in "attach nosuch0" "stats nosuch0" "stats lo"; do
	# shellcheck disable=SC2086 # the words of args are the arguments
	ins "$SIM" $args >/dev/null 2>"$TMP/err"
	rc=$?
	if [[ $rc -ne 0 && -s $TMP/err ]]; then ok "xhop-sim $args: refused with a message"; else
		fail "xhop-sim $args: refused with a message" "rc $rc" "$(cat "$TMP/err")"
	fi
done

# --- targets: diamonds, a silent hop, an unreachable or dead end ----------------

# pick FAMILY N: N addresses whose truth has load balancers, a "*", an
# MPLS tunnel, and one or two without a destination line (dead or
# unreachable), from a fixed candidate list
pick()
{
	local fam=$1 n=$2 a i t lb=0 star=0 end=0 mpls=0 out=()
	for i in $(seq 1 400); do
		if [[ $fam == 4 ]]; then
			a=198.$((18 + i % 2)).$(((i * 37) % 256)).$(((i * 11) % 254 + 1))
		else
			a=2001:2:0:$(printf %x $(((i * 2654435761) % 65536)))::$(printf %x "$i")
		fi
		# shellcheck disable=SC2086
		t=$("$SIM" truth --labels $TOPO "$a") || continue
		if [[ $(tail -n 1 <<<"$t") != *" $a" ]]; then
			((end < 2)) || continue
			end=$((end + 1))
		elif grep -q '\[L' <<<"$t"; then
			((mpls < 1)) || continue
			mpls=$((mpls + 1))
		elif grep -q ' .* ' <<<"$t" && ((lb < n - 4)); then
			lb=$((lb + 1))
		elif grep -q '\*' <<<"$t" && ((star < 1)); then
			star=$((star + 1))
		else
			continue
		fi
		out+=("$a")
		((${#out[@]} < n)) || break
	done
	echo "${out[@]}"
}
read -r -a T4 <<<"$(pick 4 6)"
read -r -a T6 <<<"$(pick 6 6)"
expect_eq "6 IPv4 and 6 IPv6 targets: diamonds, a tunnel, dead ends" "${#T4[@]} ${#T6[@]}" "6 6"

# sim_check NAME MODE FILE [ARGS]: sim_check.py as one check
sim_check()
{
	local name=$1 out
	shift
	if out=$(python3 "$HERE/sim_check.py" "$1" "$SIM" "$TOPO" "${@:2}" 2>&1); then
		ok "$name ($(tail -n 1 <<<"$out"))"
	else
		fail "$name" "$out"
	fi
}

# --- Debian traceroute: every flow's answers, per TTL ---------------------------

for fam in 4 6; do
	declare -n targets=T$fam
	for m in icmp udp tcp; do
		flag=
		[[ $m == icmp ]] && flag=-I
		[[ $m == tcp ]] && flag=-T
		for a in "${targets[@]}"; do
			f=$TMP/tr$fam-$a.$m
			# shellcheck disable=SC2086
			inp timeout -k 2 $RUN_LIMIT traceroute -$fam -n $flag -q 3 -w 1 -m 28 "$a" >"$f" 2>&1
			sim_check "traceroute -$fam $m $a: truth" text "$f"
		done
	done
	unset -n targets
done

# --- scamper: one flow per trace, exactly its truth ------------------------------

printf '%s\n' "${T4[@]}" "${T6[@]}" >"$TMP/targets"
for m in icmp-paris udp-paris tcp; do
	(cd "$TMP" && inp timeout -k 2 120 scamper -O json -p 500 \
		-c "trace -P $m -q 1 -w 1" -f "$TMP/targets" >"$TMP/sc-$m.json" 2>"$TMP/sc-$m.err")
	n=$(grep -c '"type":"trace"' "$TMP/sc-$m.json")
	expect_eq "scamper $m: a trace per target" "$n" "$((${#T4[@]} + ${#T6[@]}))"
	sim_check "scamper $m: each trace its flow's truth" json "$TMP/sc-$m.json"
done

# --- the counters: what the probes above got ------------------------------------

st=$(ins "$SIM" stats s0)
expect_match "xhop-sim stats: probes counted" "$st" "^probes [1-9]"
expect_match "xhop-sim stats: Time Exceeded sent" "$st" "^time_exceeded [1-9]"
expect_match "xhop-sim stats: silent routers dropped probes" "$st" "^silent [1-9]"
expect_match "xhop-sim stats: TCP answers" "$st" "^tcp [1-9]"
expect_match "xhop-sim stats: nothing rate-limited (no limit)" "$st" "^rate_limited 0$"
expect_match "xhop-sim stats: every answer had room" "$st" "^refused 0$"

# --- xhop: its own XDP program on p0 instead of sim_pass --------------------------

sim_lab_pass off
for m in I U T; do
	: >"$TMP/xhop-$m.json"
	for a in "${T4[@]}" "${T6[@]}"; do
		inp timeout -k 2 $RUN_LIMIT "$XHOP" -n --json -$m -q 1 -w 1 "$a" >>"$TMP/xhop-$m.json" \
			2>"$TMP/xhop.err"
	done
	sim_check "xhop -$m --json: each trace its flow's truth" json "$TMP/xhop-$m.json"
done
inp timeout -k 2 $RUN_LIMIT "$XHOP" -n -I -w 1 "${T4[0]}" >"$TMP/xhop.icmp" 2>&1
sim_check "xhop -n ${T4[0]} (text): truth" text "$TMP/xhop.icmp"

# xhop scan over some hundreds of targets: without Doubletree every hop
# measured and exact; with it, the measured hops exact
python3 - "$TMP/scan.targets" <<'EOF'
import random, sys
r = random.Random(15)
with open(sys.argv[1], "w") as f:
    for _ in range(250):
        f.write("198.%d.%d.%d\n" % (r.choice((18, 19)), r.randrange(256), r.randrange(256)))
    for _ in range(150):
        f.write("2001:2:0:%x::%x\n" % (r.randrange(65536), r.randrange(1, 65536)))
EOF
for dt in --no-doubletree ""; do
	# shellcheck disable=SC2086
	inp timeout -k 2 120 "$XHOP" scan --blocklist /dev/null --targets "$TMP/scan.targets" \
		--rate 5000 --wait 1 $dt --output "$TMP/scan.json" --summary "$TMP/scan.sum" \
		2>"$TMP/scan.err"
	n=$(grep -c '"type":"trace"' "$TMP/scan.json")
	expect_eq "xhop scan ${dt:-(Doubletree)}: 400 traces" "$n" 400
	if [[ -n $dt ]]; then
		sim_check "xhop scan $dt: each trace its flow's truth" json "$TMP/scan.json"
	else
		sim_check "xhop scan: measured hops exact, inferred in truth" json "$TMP/scan.json" \
			--inferred-any
	fi
done

# xhop multipath (MDA) over the diamonds: never a link truth lacks; of
# truth's links, at 95% confidence per interface, nearly all found
mp_found=0 mp_total=0
for a in "${T4[@]:2:3}" "${T6[@]:2:2}"; do
	for m in U T; do
		inp timeout -k 2 $RUN_LIMIT "$XHOP" multipath -n --json -$m -w 1 "$a" \
			>"$TMP/mp.json" 2>"$TMP/mp.err"
		sim_check "xhop multipath -$m $a: no false link" links "$TMP/mp.json"
		read -r f t < <(python3 "$HERE/sim_check.py" links "$SIM" "$TOPO" "$TMP/mp.json" |
			sed -n 's/^links: \([0-9]*\) of truth.s \([0-9]*\) .*/\1 \2/p')
		mp_found=$((mp_found + ${f:-0})) mp_total=$((mp_total + ${t:-0}))
	done
done
if ((mp_total > 0 && mp_found * 100 >= mp_total * 90)); then
	ok "xhop multipath: $mp_found of truth's $mp_total links found"
else
	fail "xhop multipath: 90% of truth's links found" "$mp_found of $mp_total"
fi
sim_stop

# --- xhop scan against routers that rate-limit: missed, counted, never invented ----

# 50 answers a second per router, bursts of 2: the routers that many
# paths share drop about a tenth of a 5,000 probe/s scan's answers
if sim_start --rate 50 --burst 2; then ok "xhop-sim attach --rate 50 --burst 2"; else
	fail "xhop-sim attach --rate 50 --burst 2" "$(cat "$SIM_ERR")"
fi
inp timeout -k 2 120 "$XHOP" scan --blocklist /dev/null --targets "$TMP/scan.targets" \
	--rate 5000 --wait 1 --no-doubletree --output "$TMP/scan-rl.json" \
	--summary "$TMP/scan-rl.sum" 2>"$TMP/scan.err"
sim_check "xhop scan, rate-limited routers: what it shows is truth" json "$TMP/scan-rl.json" \
	--missed-ok
read -r missed probed < <(python3 "$HERE/sim_check.py" json "$SIM" "$TOPO" \
	"$TMP/scan-rl.json" --missed-ok | sed -n 's/.*; missed \([0-9]*\) of \([0-9]*\) .*/\1 \2/p')
dropped=$(ins "$SIM" stats s0 | sed -n 's/^rate_limited //p')
# each hop missed is a probe sent once whose answer the limit dropped:
# never more of them than drops, and some, or the limit was not met
if ((${missed:-0} > 0 && ${missed:-0} <= ${dropped:-0})); then
	ok "rate limit: $missed of $probed hops missed, within the $dropped answers dropped"
else
	fail "rate limit: 0 < hops missed <= answers dropped" \
		"missed ${missed:-?} of ${probed:-?}, dropped ${dropped:-?}"
fi
sim_stop

# --- the rate limit: answers dropped on purpose, counted -------------------------

sim_lab_pass on
if sim_start --rate 1 --burst 1; then ok "xhop-sim attach --rate 1 --burst 1"; else
	fail "xhop-sim attach --rate 1 --burst 1" "$(cat "$SIM_ERR")"
fi
# three probes per TTL, at once: the first router answers one of them
inp timeout -k 2 $RUN_LIMIT traceroute -n -I -q 3 -w 1 -m 1 "${T4[0]}" >"$TMP/rl" 2>&1
expect_match "rate limit: one answer of three at TTL 1" "$(cat "$TMP/rl")" \
	"^ 1  [0-9.]+ +[0-9.]+ ms +\* \*|^ 1  \* [0-9.]+ +[0-9.]+ ms +\*|^ 1  \* \* [0-9.]+"
st=$(ins "$SIM" stats s0)
expect_match "rate limit: two answers counted as dropped" "$st" "^rate_limited 2$"
sim_stop
expect_match "xhop-sim attach: counters printed on exit" "$(cat "$TMP/sim.out")" "^rate_limited 2$"

# --- every way out detaches: SIGINT, and SIGKILL (the kernel closes the link) --------

for sig in INT KILL; do
	if sim_start; then
		kill -"$sig" "$SIM_PID"
		wait "$SIM_PID" 2>/dev/null
		SIM_PID=
		wait_for 5 eval '! ip -n "$SIM_SNS" link show s0 | grep -q xdp'
		expect_no_match "xhop-sim attach, SIG$sig: XDP detached from s0" \
			"$(ip -n "$SIM_SNS" link show s0)" "xdp"
	else
		fail "xhop-sim attach before SIG$sig" "$(cat "$SIM_ERR")"
	fi
done

summary
