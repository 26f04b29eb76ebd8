#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2016 # awk and Python programs in single quotes
#
# End to end: build/xhop traces through the namespace lab of
# scripts/lab.sh (Linux routers, ECMP, a silent router, unreachable
# prefixes, dnsmasq) and must print exactly the lab's ground truth, as
# text and as scamper JSON; exit with the documented codes; and leave no
# XDP or tcx program behind, whether it ends normally, by SIGINT or by
# SIGKILL. The last line is "N passed, N failed, N skipped".
#
# XHOP=/path/to/binary overrides build/xhop. Needs root (namespaces).
set -u

# shellcheck source=tests/e2e/lab_test.sh
source "$(dirname "$0")/lab_test.sh"
RUN_LIMIT=30 # seconds any one xhop run may take before it counts as hung

e2e_require ip nft /usr/sbin/dnsmasq python3 bpftool timeout flock

PREFIX=xt$$-
TMP=$(mktemp -d /tmp/xhop-e2e.XXXXXX)
BG_PID=

lab_test_traps

start=$(date +%s)
e2e_lab_up
NS=$(lab_ns src)

T='[0-9]+\.[0-9]{3}' # an RTT as printed: milliseconds, 3 decimals
re() { echo "${1//./\\.}"; }

# --- running xhop (xrun: tests/e2e/lab_test.sh) ------------------------------

# expect_header NAME DEST_NAME ADDR MAXHOPS METHOD: on stderr
expect_header()
{
	expect_match "$1" "$ERR" "^xhop to $(re "$2") \($(re "$3")\), $4 hops max, $5\$"
}

# Every printed RTT is above 0 and below LIMIT ms
rtts_between()
{
	local bad
	bad=$(grep -Eo "$T ms" <<<"$OUT" | awk -v lim="$1" '$1 <= 0 || $1 >= lim')
	[[ -z $bad ]] && grep -Eq "$T ms" <<<"$OUT"
}



# --- 1. exact hops, each method and family ------------------------------------

declare -A METHOD_OPT=([icmp]=-I [udp]=-U [tcp]=-T)
declare -A METHOD_NAME=([icmp]=icmp-echo-paris [udp]=udp-paris [tcp]=tcp)

for fam in 4 6; do
	for m in icmp udp tcp; do
		dst=LAB_DST$fam
		exp=LAB_EXPECT_${m^^}$fam
		args=(-n "-$fam" "${METHOD_OPT[$m]}" -q 3 -w 1)
		[[ $m == tcp ]] && args+=(-p "$LAB_TCP_CLOSED")
		xrun "${args[@]}" "${!dst}"
		expect_rc "$m$fam: exit 0" 0
		expect_header "$m$fam: header" "${!dst}" "${!dst}" 30 "${METHOD_NAME[$m]}"
		expect_hops "$m$fam: hops" "$exp" 3
	done
done

# The text format, on the ICMP IPv4 trace
xrun -n -q 3 -w 1 "$LAB_DST4"
expect_match "icmp4 default method is ICMP" "$ERR" ", icmp-echo-paris$"
expect_hops "icmp4 (default method): hops" LAB_EXPECT_ICMP4 3
expect_match "text: hop line format" "$OUT" "^ 1  198\.18\.1\.2  $T ms  $T ms  $T ms\$"
expect_match "text: ECMP hop printed once" "$OUT" "^ 3  198\.18\.[34]\.2  $T ms  $T ms  $T ms\$"
expect_match "text: last line is the destination" "$(tail -n 1 <<<"$OUT")" \
	"^ 5  198\.19\.0\.77  $T ms  $T ms  $T ms\$"
check "text: RTTs in (0, 1000) ms" rtts_between 1000
expect_no_match "text: stdout has hop lines only" "$OUT" '^[^ ]'

# --- 2. Paris: UDP and TCP keep one ECMP branch per run ------------------------
# xhop picks a random source port per run; every run must still show one
# branch at TTL 3 (and r4 after it).

for fam in 4 6; do
	for m in udp tcp; do
		dst=LAB_DST$fam
		exp=LAB_EXPECT_${m^^}$fam
		seen=()
		for run in 1 2 3 4 5; do
			xrun -n "-$fam" "${METHOD_OPT[$m]}" -q 3 -w 1 "${!dst}"
			expect_hops "$m$fam paris run $run: one branch" "$exp" 3
			seen+=("$(norm_hops <<<"$OUT" | awk '$1 == 3 { print $2 }')")
		done
		echo "     ($m$fam branches at TTL 3 over 5 runs: ${seen[*]})"
	done
done

# --- 3. the silent router: "* * *" at TTL 5, then dst2 -------------------------

xrun -n -q 3 -w 1 "$LAB_FAR4"
expect_rc "far icmp4: exit 0" 0
expect_hops "far icmp4: hops" LAB_EXPECT_FAR_ICMP4 3
expect_match "far icmp4: silent line" "$OUT" '^ 5  \* \* \*$'
xrun -n -6 -q 3 -w 1 "$LAB_FAR6"
expect_hops "far icmp6: hops" LAB_EXPECT_FAR_ICMP6 3
expect_match "far icmp6: silent line" "$OUT" '^ 5  \* \* \*$'
xrun -n -6 -U -q 3 -w 1 "$LAB_FAR6"
expect_hops "far udp6: hops (port unreachable from dst2's link)" LAB_EXPECT_FAR_UDP6 3
xrun -n -T -q 3 -w 1 "$LAB_FAR4"
expect_hops "far tcp4: hops" LAB_EXPECT_FAR_ICMP4 3

# --- 4. unreachable: !H (IPv4 unreachable route), !N (no IPv6 route) -----------

xrun -n -q 3 -w 1 "$LAB_UNR4"
expect_rc "unreach icmp4: exit 0" 0
expect_hops "unreach icmp4: hops end at r4 with !H" LAB_EXPECT_UNR4 3
expect_match "unreach icmp4: annotation after each time" "$OUT" \
	"^ 4  198\.18\.5\.2  $T ms !H  $T ms !H  $T ms !H\$"
xrun -n -U -q 3 -w 1 "$LAB_UNR4"
expect_hops "unreach udp4: hops end at r4 with !H" LAB_EXPECT_UNR4 3
xrun -n -6 -q 3 -w 1 "$LAB_UNR6"
expect_rc "unreach icmp6: exit 0" 0
expect_hops "unreach icmp6: hops end at r4 with !N" LAB_EXPECT_UNR6 3
expect_match "unreach icmp6: annotation after each time" "$OUT" \
	"^ 4  2001:2:0:5::2  $T ms !N  $T ms !N  $T ms !N\$"
xrun -n -6 -T -q 3 -w 1 "$LAB_UNR6"
expect_hops "unreach tcp6: hops end at r4 with !N" LAB_EXPECT_UNR6 3

# --- 5. names (dnsmasq: forward and PTR) --------------------------------------

xrun -q 3 -w 1 "$LAB_DST_NAME"
expect_rc "names4: exit 0" 0
expect_header "names4: header has the name and the address" "$LAB_DST_NAME" "$LAB_DST4" 30 \
	icmp-echo-paris
expect_hops "names4: hops" LAB_EXPECT_ICMP4 3
expect_match "names4: hop line format" "$OUT" \
	"^ 1  r1\.example \(198\.18\.1\.2\)  $T ms  $T ms  $T ms\$"
expect_match "names4: ECMP hop name" "$OUT" \
	"^ 3  (r3a\.example \(198\.18\.3\.2\)|r3b\.example \(198\.18\.4\.2\))  $T ms  $T ms  $T ms\$"
expect_match "names4: r4 name" "$OUT" "^ 4  r4\.example \(198\.18\.5\.2\)  "
expect_match "names4: destination name" "$OUT" \
	"^ 5  d77\.example \(198\.19\.0\.77\)  $T ms  $T ms  $T ms\$"

xrun -6 -q 3 -w 1 "$LAB_DST_NAME"
expect_header "names6: header has the name and the IPv6 address" "$LAB_DST_NAME" "$LAB_DST6" 30 \
	icmp-echo-paris
expect_hops "names6: hops" LAB_EXPECT_ICMP6 3
expect_match "names6: r1 name" "$OUT" "^ 1  r1\.example \(2001:2:0:1::2\)  $T ms  "
expect_match "names6: destination name" "$OUT" "^ 5  d77\.example \(2001:2:0:100::77\)  "

# a line waits for its names only until they are in (the lab's DNS
# answers in milliseconds), not for the whole wait: with -w 20 the trace
# is done in well under 20 s (it took 20 s once: the sinks were only
# looked at again when a line's wait ran out)
t0=$(date +%s%N)
xrun -q 1 -w 20 "$LAB_DST_NAME"
ms=$((($(date +%s%N) - t0) / 1000000))
expect_rc "names, -w 20: exit 0" 0
expect_match "names, -w 20: named" "$OUT" "^ 5  d77\.example \(198\.19\.0\.77\)  "
check "names, -w 20: lines out once their names are in, not at the wait (${ms} ms)" \
	test "$ms" -lt 10000

xrun -q 3 -w 1 "$LAB_FAR_NAME"
expect_match "names far: silent line" "$OUT" '^ 5  \* \* \*$'
expect_match "names far: destination name" "$OUT" "^ 6  far\.example \(198\.19\.1\.9\)  "

# --- 6. --json: one scamper trace object ----------------------------------------

KEYS="['type','version','method','src','dst','stop_reason','stop_data','start','hop_count',
'attempts','hoplimit','firsthop','wait','probe_size','probe_count','hops']"
HOP_KEYS="['addr','probe_ttl','probe_id','probe_size','tx','rtt','reply_ttl','reply_ipid',
'reply_size','icmp_type','icmp_code','icmp_q_ttl','icmp_q_ipl','icmp_q_tos']"
HOP_KEYS_FINAL="['addr','probe_ttl','probe_id','probe_size','tx','rtt','reply_ttl','reply_ipid',
'reply_size']"
KEYS=${KEYS//$'\n'/}
HOP_KEYS=${HOP_KEYS//$'\n'/}
HOP_KEYS_FINAL=${HOP_KEYS_FINAL//$'\n'/}

xrun --json -q 3 -w 1 "$LAB_DST4"
expect_rc "json icmp4: exit 0" 0
cp "$TMP/out" "$TMP/j"
json_checks "$TMP/j" \
	"json icmp4: top-level keys::all(k in t for k in $KEYS)" \
	"json icmp4: start keys::all(k in t['start'] for k in ['sec','usec','ftime'])" \
	"json icmp4: router hop keys::every(t, lambda h: all(k in h for k in $HOP_KEYS), 1)" \
	"json icmp4: final hop keys::every(t, lambda h: all(k in h for k in $HOP_KEYS_FINAL), 5)" \
	"json icmp4: type::t['type'] == 'trace'" \
	"json icmp4: method::t['method'] == 'icmp-echo-paris'" \
	"json icmp4: src::t['src'] == '$LAB_SRC4'" \
	"json icmp4: dst::t['dst'] == '$LAB_DST4'" \
	"json icmp4: stop_reason::t['stop_reason'] == 'COMPLETED'" \
	"json icmp4: attempts = -q::t['attempts'] == 3" \
	"json icmp4: hoplimit = -m default::t['hoplimit'] == 30" \
	"json icmp4: firsthop::t['firsthop'] == 1" \
	"json icmp4: wait::t['wait'] == 1" \
	"json icmp4: hop_count::t['hop_count'] == 5" \
	"json icmp4: hops (addr per probe_ttl, 3 each, one branch)::path(t, $(pylist LAB_EXPECT_ICMP4), 3)" \
	"json icmp4: rtt in (0, 1000) ms::every(t, lambda h: 0 < h['rtt'] < 1000)" \
	"json icmp4: routers answer Time Exceeded (11/0)::all(every(t, lambda h: (h['icmp_type'], h['icmp_code']) == (11, 0), x) for x in (1, 2, 3, 4))" \
	"json icmp4: destination answers echo reply (0)::every(t, lambda h: h['icmp_type'] == 0 and h['addr'] == '$LAB_DST4', 5)" \
	"json icmp4: quoted TTL is 1::all(every(t, lambda h: h['icmp_q_ttl'] == 1, x) for x in (1, 2, 3, 4))" \
	"json icmp4: reply_ttl = 65 - hop::every(t, lambda h: h['reply_ttl'] == 65 - h['probe_ttl'])" \
	"json icmp4: tx after start, within 60 s::every(t, lambda h: 0 <= (h['tx']['sec'] + h['tx']['usec'] / 1e6) - (t['start']['sec'] + t['start']['usec'] / 1e6) < 60)" \
	"json icmp4: probe_size matches::every(t, lambda h: h['probe_size'] == t['probe_size'])" \
	"json icmp4: hop names (no -n)::hops(t, 1)[0].get('name') == 'r1.example'"

xrun --json -n -6 -q 2 -w 1 "$LAB_DST6"
cp "$TMP/out" "$TMP/j"
json_checks "$TMP/j" \
	"json icmp6: method::t['method'] == 'icmp-echo-paris'" \
	"json icmp6: src::t['src'] == '$LAB_SRC6'" \
	"json icmp6: dst::t['dst'] == '$LAB_DST6'" \
	"json icmp6: stop_reason::t['stop_reason'] == 'COMPLETED'" \
	"json icmp6: attempts::t['attempts'] == 2" \
	"json icmp6: hops::path(t, $(pylist LAB_EXPECT_ICMP6), 2)" \
	"json icmp6: routers answer Time Exceeded (3/0)::all(every(t, lambda h: (h['icmp_type'], h['icmp_code']) == (3, 0), x) for x in (1, 2, 3, 4))" \
	"json icmp6: destination answers echo reply (129)::every(t, lambda h: h['icmp_type'] == 129, 5)" \
	"json icmp6: reply_ttl = 65 - hop::every(t, lambda h: h['reply_ttl'] == 65 - h['probe_ttl'])" \
	"json icmp6: -n leaves names out::every(t, lambda h: not h.get('name'))"

xrun --json -n -U -q 1 -w 1 "$LAB_DST4"
cp "$TMP/out" "$TMP/j"
json_checks "$TMP/j" \
	"json udp4: method::t['method'] == 'udp-paris'" \
	"json udp4: ports::0 < t['sport'] < 65536 and 0 < t['dport'] < 65536" \
	"json udp4: stop_reason::t['stop_reason'] == 'COMPLETED'" \
	"json udp4: hops::path(t, $(pylist LAB_EXPECT_UDP4), 1)" \
	"json udp4: destination answers port unreachable (3/3)::every(t, lambda h: (h['icmp_type'], h['icmp_code']) == (3, 3), 5)"

xrun --json -n -T -p "$LAB_TCP_CLOSED" -q 1 -w 1 "$LAB_DST4"
cp "$TMP/out" "$TMP/j"
json_checks "$TMP/j" \
	"json tcp4 closed port: method::t['method'] == 'tcp'" \
	"json tcp4 closed port: dport::t['dport'] == $LAB_TCP_CLOSED" \
	"json tcp4 closed port: stop_reason::t['stop_reason'] == 'COMPLETED'" \
	"json tcp4 closed port: hops::path(t, $(pylist LAB_EXPECT_TCP4), 1)" \
	"json tcp4 closed port: RST from the destination::every(t, lambda h: h['tcp_flags'] & 0x04 and h['addr'] == '$LAB_DST4', 5)"

xrun --json -n -6 -T -p "$LAB_TCP_OPEN" -q 1 -w 1 "$LAB_DST6"
cp "$TMP/out" "$TMP/j"
json_checks "$TMP/j" \
	"json tcp6 open port: dport::t['dport'] == $LAB_TCP_OPEN" \
	"json tcp6 open port: hops::path(t, $(pylist LAB_EXPECT_TCP6), 1)" \
	"json tcp6 open port: SYN-ACK from the destination::every(t, lambda h: h['tcp_flags'] & 0x12 == 0x12, 5)"

# An open port, many probes on one Paris 4-tuple: each SYN-ACK must be
# reset before the next SYN, or the target answers it with a bare ACK for
# the old half-open connection and the probe is lost.
for fam in 4 6; do
	dst=LAB_DST$fam
	xrun --json -n -"$fam" -T -p "$LAB_TCP_OPEN" -q 10 -f 5 -m 5 -w 1 "${!dst}"
	cp "$TMP/out" "$TMP/j"
	json_checks "$TMP/j" \
		"json tcp$fam open port, 10 probes at the destination's TTL: all answered::len(t['hops']) == 10" \
		"json tcp$fam open port, 10 probes: every answer a SYN-ACK::all(h['tcp_flags'] & 0x12 == 0x12 for h in t['hops'])"
done

xrun --json -n -q 1 -w 1 "$LAB_UNR4"
cp "$TMP/out" "$TMP/j"
json_checks "$TMP/j" \
	"json unreach4: stop_reason::t['stop_reason'] == 'UNREACH'" \
	"json unreach4: stop_data = ICMP code::t['stop_data'] == 1" \
	"json unreach4: hops::path(t, $(pylist LAB_EXPECT_UNR4), 1)" \
	"json unreach4: host unreachable (3/1)::every(t, lambda h: (h['icmp_type'], h['icmp_code']) == (3, 1), 4)"

xrun --json -n -6 -q 1 -w 1 "$LAB_UNR6"
cp "$TMP/out" "$TMP/j"
json_checks "$TMP/j" \
	"json unreach6: stop_reason::t['stop_reason'] == 'UNREACH'" \
	"json unreach6: stop_data = ICMP code::t['stop_data'] == 0" \
	"json unreach6: hops::path(t, $(pylist LAB_EXPECT_UNR6), 1)" \
	"json unreach6: no route (1/0)::every(t, lambda h: (h['icmp_type'], h['icmp_code']) == (1, 0), 4)"

xrun --json -n -q 1 -w 1 "$LAB_FAR4"
cp "$TMP/out" "$TMP/j"
json_checks "$TMP/j" \
	"json far4: stop_reason::t['stop_reason'] == 'COMPLETED'" \
	"json far4: hops, none at the silent TTL 5::path(t, $(pylist LAB_EXPECT_FAR_ICMP4), 1)" \
	"json far4: dst2 answers at TTL 6::every(t, lambda h: h['icmp_type'] == 0 and h['addr'] == '$LAB_FAR4', 6)"

xrun --json -n -q 1 -w 1 -m 3 "$LAB_DST4"
cp "$TMP/out" "$TMP/j"
expect_rc "json hoplimit: exit 0" 0
json_checks "$TMP/j" \
	"json hoplimit: stop_reason::t['stop_reason'] == 'HOPLIMIT'" \
	"json hoplimit: hoplimit = -m::t['hoplimit'] == 3" \
	"json hoplimit: TTLs 1-3 only::ttls(t) == [1, 2, 3]"

# --- 7. options ------------------------------------------------------------------

xrun --no-resolve --first-hop 3 --max-hops 4 --queries 1 --wait 1 "$LAB_DST4"
expect_rc "options long: exit 0" 0
# shellcheck disable=SC2034 # used by name
TO_R4=("${LAB_EXPECT_ICMP4[@]:0:4}")
expect_hops "options long: --first-hop 3 --max-hops 4 --queries 1" TO_R4 1 3
xrun -n -f 2 -q 2 -w 0.5 "$LAB_DST4"
expect_hops "options: -f 2 -q 2 -w 0.5" LAB_EXPECT_ICMP4 2 2
xrun -n -i "$LAB_SRC_IF" -s "$LAB_SRC4" -q 1 -w 1 "$LAB_DST4"
expect_rc "options: -i -s: exit 0" 0
expect_hops "options: -i $LAB_SRC_IF -s $LAB_SRC4" LAB_EXPECT_ICMP4 1
xrun -n -4 -q 1 -w 1 "$LAB_DST_NAME"
expect_match "options: -4 picks the IPv4 address" "$ERR" "^xhop to d77\.example \(198\.19\.0\.77\)"
xrun -n --udp --port 53 -q 1 -w 1 "$LAB_DST4"
expect_hops "options: --udp --port 53" LAB_EXPECT_UDP4 1

# --- 8. exit codes --------------------------------------------------------------

xrun --no-such-option "$LAB_DST4"
expect_rc "exit: unknown option is 2" 2
expect_eq "exit: unknown option prints nothing on stdout" "$OUT" ""
xrun -n
expect_rc "exit: no HOST is 2" 2
xrun -n -q abc "$LAB_DST4"
expect_rc "exit: -q abc is 2" 2
xrun -n -w 1 "$LAB_BAD_NAME"
expect_rc "exit: unresolvable HOST is 2" 2
expect_match "exit: unresolvable HOST is named" "$ERR" "$(re "$LAB_BAD_NAME")"
xrun -n -6 -w 1 "$LAB_DST4"
expect_rc "exit: -6 with an IPv4 address is 2" 2
xrun --help
expect_rc "exit: --help is 0" 0
expect_match "exit: --help prints usage on stdout" "$OUT" '^Usage: xhop '
xrun --version
expect_rc "exit: --version is 0" 0
expect_match "exit: --version prints the version" "$OUT" '^xhop [0-9]'

# --- 9. nothing stays attached: normal exit, SIGINT, SIGKILL ---------------------


# bg_start ARGS...: xhop in src, in the background, SIGINT not ignored
# (a non-interactive shell starts background jobs with SIGINT ignored).
# ip netns exec execs, so BG_PID is xhop's own pid.
bg_start()
{
	env --default-signal=INT ip netns exec "$NS" "$XHOP" "$@" >"$TMP/bg.out" 2>"$TMP/bg.err" &
	BG_PID=$!
}

bg_gone() { ! alive "$BG_PID"; }

# bg_end SECONDS: wait (bounded) for the background xhop; sets BG_RC
bg_end()
{
	if ! wait_for "$1" bg_gone; then
		kill -9 "$BG_PID" 2>/dev/null
		wait "$BG_PID" 2>/dev/null
		BG_RC=timeout
	else
		wait "$BG_PID" 2>/dev/null # no "Killed" job notice
		BG_RC=$?
	fi
	BG_PID=
}

xdp_ids() { ip -d -n "$NS" link show "$LAB_SRC_IF" | sed -n 's/.*prog\/xdp[a-z]* id \([0-9]*\).*/\1/p'; }
tcx_ids() { lab_exec src python3 "$HERE/tcx_query.py" "$LAB_SRC_IF" | tr -cs '0-9' ' '; }
xhop_prog_ids() { bpftool prog show 2>/dev/null | sed -nE 's/^([0-9]+): .* name (xhop_rx|xhop_tx) .*/\1/p'; }
has_line4() { grep -q '^ 4  ' "$TMP/bg.out"; }
attached() { [[ -n $(xdp_ids) && -n $(tcx_ids | tr -d ' ') ]]; }
no_xdp() { ! ip -n "$NS" link show "$LAB_SRC_IF" | grep -q xdp; }
no_tcx() { [[ -z $(tcx_ids | tr -d ' ') ]]; }
progs_gone()
{
	local id
	for id in $RUN_IDS; do
		! bpftool prog show id "$id" >/dev/null 2>&1 || return 1
	done
}

PROGS_AT_START=$(xhop_prog_ids)
# the new xhop_rx/xhop_tx programs no process holds (see prog_held)
stray_progs()
{
	local ids
	read -ra ids <<<"$(comm -13 <(sort <<<"$PROGS_AT_START") <(xhop_prog_ids | sort) | xargs)"
	unheld "${ids[@]}" | xargs
}
no_stray_progs() { [[ -z $(stray_progs) ]]; }

# While xhop runs: its programs are on the interface; remember their ids
capture_ids()
{
	local name=$1
	RUN_IDS=
	if wait_for 10 attached; then
		ok "$name: XDP and tcx attached while running"
	else
		fail "$name: XDP and tcx attached while running" "xdp: '$(xdp_ids)' tcx: '$(tcx_ids)'"
	fi
	RUN_IDS="$(xdp_ids) $(tcx_ids)"
}

expect_clean()
{
	local name=$1
	if wait_for 5 no_xdp; then ok "$name: no XDP left on $LAB_SRC_IF"; else
		fail "$name: no XDP left on $LAB_SRC_IF" "$(ip -d -n "$NS" link show "$LAB_SRC_IF")"
	fi
	if wait_for 5 no_tcx; then ok "$name: no tcx left on $LAB_SRC_IF"; else
		fail "$name: no tcx left on $LAB_SRC_IF" "$(tcx_ids)"
	fi
	expect_no_match "$name: bpftool net show is empty" "$(lab_exec src bpftool net show)" \
		"^$LAB_SRC_IF\(|xhop"
	if wait_for 5 progs_gone; then ok "$name: its programs are unloaded ($RUN_IDS)"; else
		fail "$name: its programs are unloaded ($RUN_IDS)" "$(bpftool prog show)"
	fi
	# Globally: no xhop program that was not there when this test began,
	# but those a live process holds (other runs on this machine load them
	# too: benches, BPF tests). Waited for as the ids above: a program goes
	# when the kernel drops its last reference, which need not be done
	# when our xhop has been reaped.
	if wait_for 5 no_stray_progs; then
		ok "$name: bpftool prog show has no new xhop_rx/xhop_tx held by no process"
	else
		fail "$name: bpftool prog show has no new xhop_rx/xhop_tx held by no process" \
			"left: $(stray_progs)"
	fi
}

# Normal exit: the silent TTL 5 is the last (-m 5): about 2 s of waiting
bg_start -n -q 1 -w 2 -m 5 "$LAB_FAR4"
capture_ids "normal exit"
bg_end "$RUN_LIMIT"
expect_eq "normal exit: exit 0" "$BG_RC" 0
expect_clean "normal exit"

# SIGINT mid-trace: wait until TTL 4 is printed (TTL 5 waits 10 s), then
# interrupt: 130, what was found so far on stdout, nothing attached
bg_start -n -q 3 -w 10 -m 5 "$LAB_FAR4"
capture_ids "SIGINT"
if wait_for 10 has_line4; then ok "SIGINT: TTL 4 printed before TTL 5 ends (stdout flushed per hop)"; else
	fail "SIGINT: TTL 4 printed before TTL 5 ends (stdout flushed per hop)" "$(cat "$TMP/bg.out")"
fi
check "SIGINT: still running when interrupted" alive "$BG_PID"
kill -INT "$BG_PID"
bg_end 5
expect_eq "SIGINT: exit 130 (within 5 s)" "$BG_RC" 130
OUT=$(grep -v '^ 5  [* ]*$' "$TMP/bg.out") # an all-"*" TTL 5 line may follow
expect_hops "SIGINT: hops found so far printed" LAB_PATH4 3
expect_clean "SIGINT"

# SIGKILL: the kernel must detach what the bpf_links held
bg_start -n -q 3 -w 10 -m 5 "$LAB_FAR4"
capture_ids "SIGKILL"
wait_for 10 has_line4
kill -KILL "$BG_PID"
bg_end 5 2>/dev/null # bash's "Killed" job notice is expected here
expect_eq "SIGKILL: killed (137)" "$BG_RC" 137
expect_clean "SIGKILL"

# On failure, the state of the lab, to tell an xhop bug from a lab problem
diagnose()
{
	local a n
	echo "lab state (prefix $PREFIX):"
	for a in "$LAB_DST4" "$LAB_DST6" "$LAB_FAR4" "$LAB_FAR6"; do
		if lab_reach "$a"; then echo "  src reaches $a"; else echo "  src does NOT reach $a"; fi
	done
	if lab_resolves; then echo "  $LAB_DST_NAME resolves in src"; else
		echo "  $LAB_DST_NAME does NOT resolve in src"; fi
	echo "  processes in r1: $(ip netns pids "$(lab_ns r1)" | xargs) (dnsmasq:" \
		"$(cat "$LAB_STATE_ROOT/$PREFIX/dnsmasq.pid" 2>/dev/null))"
	echo "  src v1: $(lab_exec src ip -br addr show dev "$LAB_SRC_IF")"
	echo "  error_cost: $(cat /proc/sys/net/ipv4/route/error_cost)"
	for n in r1 r4; do
		echo "  $n ICMP out: $(lab_exec "$n" awk '/^Icmp:/ {
			if (!h) { for (i = 2; i <= NF; i++) k[i] = $i; h = 1; next }
			for (i = 2; i <= NF; i++) if (k[i] ~ /OutTimeExcds|OutDestUnreachs|OutRateLimit/)
				printf "%s %s ", k[i], $i }' /proc/net/snmp)" \
			"$(lab_exec "$n" awk '/Icmp6OutTimeExcds|Icmp6OutDestUnreachs|Icmp6OutErrors|RateLimit/ \
			{ printf "%s %s ", $1, $2 }' /proc/net/snmp6)"
	done
}
((T_FAIL == 0)) || diagnose | sed 's/^/     /'

echo "(took $(($(date +%s) - start)) s)"
summary
