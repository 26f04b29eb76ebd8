#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2016 # awk and Python programs in single quotes
#
# End to end, in a hostile world: the lab of scripts/lab.sh plus
#
#   atk  an off-path attacker on r1 (link 10, 198.18.10.0/24); r1 routes
#        its spoofed packets to the prober src
#   gen  a second prober on a macvlan (link 11): no native XDP
#   l3   a third prober on a tun device (198.18.12.0/24): no Ethernet
#        header at all, as on WireGuard, ipip, gre or ppp
#
# and checks, one pass or fail each:
#
# 1. Forged answers. While atk floods src with every kind of answer a
#    traceroute accepts (tests/e2e/forge.py: ICMP/ICMPv6 Time Exceeded,
#    Destination Unreachable incl. port unreachable, Echo Replies, TCP
#    SYN-ACK/RST; real router and fake sources; the right targets and
#    TTLs; guessed ids, sequence numbers, IPv4 IDs, ports, TCP sequence
#    numbers), xhop traces ICMP, UDP and TCP, IPv4 and IPv6, text and JSON,
#    and every result must be the lab's ground truth exactly: no extra
#    address, nothing at the silent TTL 5, the same stop_reason. xhop's
#    own XDP counters (read from its "stats" map while it runs) must show
#    the flood seen and passed on, and only the real answers consumed.
#    The odds of a blind forger, per packet: an ICMP answer must carry the
#    probe's 32-bit MAC (the ICMP id, plus the IPv4 ID that an IPv4 error
#    quotes, or the payload that an echo reply echoes and an ICMPv6 error
#    quotes): 2^-32. A UDP or TCP answer must carry the 16-bit MAC and name
#    the random per-run source port (one of 64512): about 2^-32. Then it
#    must also name an outstanding, unanswered probe. So the expected
#    number of accepted forgeries in this run (a few 100k packets) is
#    below 10^-3: a failure here is a bug, not bad luck. An ICMP run must
#    take no UDP or TCP answer at all: a TCP-only flood checks that the
#    16-bit MAC is not the only test there (else about 1 in 65536 would
#    be consumed, several per run).
# 2. Neighbours. Another XDP program on the interface (native, then
#    generic): xhop leaves it in place, warns once naming it, traces
#    exactly from tcx ingress behind it; the neighbour keeps its id and
#    keeps passing traffic. With tcx ingress full too, xhop refuses: exit
#    1, one line naming the neighbour. A second xhop on the interface runs
#    behind the first; both traces exact.
# 3. Every way out leaves nothing behind: normal exit, runtime errors (a
#    source address that is not ours, no route), SIGINT, SIGTERM, SIGHUP
#    and SIGKILL mid-trace, failures half-way through set-up (tcx egress
#    full after XDP, or after tcx ingress behind a neighbour, attached).
#    No XDP, tcx or tc program stays, no xhop program stays loaded,
#    nothing is pinned; exit codes 130, 143, 129, 137, 1.
# 4. Privileges: as nobody, and as root with CAP_NET_RAW, CAP_NET_ADMIN,
#    CAP_BPF (and CAP_SYS_ADMIN), CAP_PERFMON dropped: one line on stderr
#    naming what is missing, exit 1, nothing attached; or, where the
#    kernel accepts what is left, a correct trace.
# 5. Interfaces without native XDP: on the macvlan, generic mode with a
#    warning and exact hops; on the tun, exact hops or a clear refusal.
#
# The last line is "N passed, N failed, N skipped". XHOP=/path/to/binary
# overrides build/xhop. Needs root (namespaces), clang (the neighbour
# program).
set -u

# shellcheck source=tests/e2e/lab_test.sh
source "$(dirname "$0")/lab_test.sh"
RUN_LIMIT=30	    # seconds any one xhop run may take before it counts as hung
FORGE_MIN=120000    # forged packets at least (the flood goes on until then)
FORGE_RATE=25000    # packets/s: a flood, yet leaves the 2-CPU lab room to route

e2e_require ip tc nft /usr/sbin/dnsmasq python3 bpftool timeout flock clang capsh setpriv
# a device, like a tool, is there or the machine is broken: not a skip
if [[ ! -c /dev/net/tun ]]; then
	fail "/dev/net/tun exists" "the tun prober (l3) needs it: modprobe tun"
	e2e_stop
fi

PREFIX=xh$$-
TMP=$(mktemp -d /tmp/xhop-hostile.XXXXXX)
BG_PID=
FORGE_PID=
FSCAN_PID=
FTCP_PIDS=()
FILL_PID=
FILL_FD=
RELAY_PID=


cleanup()
{
	# Only the script itself tears down, never a subshell caught by a signal
	[[ $BASHPID == "$$" ]] || return 0
	local p
	# Only what this script started, by pid
	for p in "$BG_PID" "$FORGE_PID" "$FSCAN_PID" "${FTCP_PIDS[@]}" "$FILL_PID" "$RELAY_PID"; do
		if alive "$p"; then kill -9 "$p" 2>/dev/null; fi
		[[ -z $p ]] || wait "$p" 2>/dev/null # no "Killed" job notice
	done
	LAB_QUIET=1 lab_down "$PREFIX"
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start=$(date +%s)

# --- the lab and its hostile additions ---------------------------------------

LAB_NODES+=(atk gen l3)
LAB_LINKS+=("10 r1 atk")

# gen on link 11 and l3 on link 12 (198.18.12.0/24) answer through r1;
# every router needs the way back to them
GEN_IF=mv11
L3_IF=tl0
# shellcheck disable=SC2034 # the expectations are used by name
GEN_EXPECT4=(198.18.11.1 198.18.2.2 "198.18.3.2|198.18.4.2" 198.18.5.2 "$LAB_DST4")
# IPv6 port unreachable comes from dst's link address (see lab.sh)
# shellcheck disable=SC2034
GEN_EXPECT_UDP6=(2001:2:0:11::1 2001:2:0:2::2 "2001:2:0:3::2|2001:2:0:4::2" 2001:2:0:5::2
	2001:2:0:7::2)
# shellcheck disable=SC2034
L3_EXPECT4=(198.18.12.1 198.18.2.2 "198.18.3.2|198.18.4.2" 198.18.5.2 "$LAB_DST4")

hostile_up()
{
	local n p
	# atk: only a way into the lab; it sends, nobody needs to answer it
	lab_route atk 198.18.0.0/15 2001:2::/48 10 1 || return 1

	# gen: the veth carries no address; a macvlan on it does
	ip link add v11 netns "${PREFIX}r1" type veth peer name v11 netns "${PREFIX}gen" || return 1
	lab_exec r1 ip addr add 198.18.11.1/24 dev v11 || return 1
	lab_exec r1 ip -6 addr add 2001:2:0:11::1/64 dev v11 nodad || return 1
	lab_exec r1 ip link set v11 up || return 1
	lab_exec gen ip link set v11 up || return 1
	lab_exec gen ip link add "$GEN_IF" link v11 type macvlan mode private || return 1
	lab_exec gen ip addr add 198.18.11.2/24 dev "$GEN_IF" || return 1
	lab_exec gen ip -6 addr add 2001:2:0:11::2/64 dev "$GEN_IF" nodad || return 1
	lab_exec gen ip link set "$GEN_IF" up || return 1
	lab_exec gen ip route add 198.18.0.0/15 via 198.18.11.1 dev "$GEN_IF" || return 1
	lab_exec gen ip -6 route add 2001:2::/48 via 2001:2:0:11::1 dev "$GEN_IF" || return 1

	# l3: two persistent tuns, joined by tun_relay.py (it moves into r1)
	lab_exec l3 ip tuntap add "$L3_IF" mode tun || return 1
	lab_exec r1 ip tuntap add "$L3_IF" mode tun || return 1
	ip netns exec "${PREFIX}l3" python3 "$HERE/tun_relay.py" "$L3_IF" \
		"/run/netns/${PREFIX}r1" "$L3_IF" </dev/null >"$TMP/relay.out" 2>&1 &
	RELAY_PID=$!
	wait_for 10 grep -q '^ready' "$TMP/relay.out" || return 1
	lab_exec l3 ip addr add 198.18.12.2/24 dev "$L3_IF" || return 1
	lab_exec l3 ip link set "$L3_IF" up || return 1
	lab_exec l3 ip route add 198.18.0.0/15 dev "$L3_IF" || return 1
	lab_exec r1 ip addr add 198.18.12.1/24 dev "$L3_IF" || return 1
	lab_exec r1 ip link set "$L3_IF" up || return 1

	# the way back, as lab_routes_up builds it for src (r4: only via r3a)
	for n in 11 12; do
		p=-
		[[ $n == 11 ]] && p=2001:2:0:11::/64
		lab_route r2 "198.18.$n.0/24" "$p" 2 1 || return 1
		lab_route r3a "198.18.$n.0/24" "$p" 3 1 || return 1
		lab_route r3b "198.18.$n.0/24" "$p" 4 1 || return 1
		lab_route r4 "198.18.$n.0/24" - 5 1 || return 1
	done
	lab_exec r4 ip -6 route add 2001:2:0:11::/64 via 2001:2:0:5::1 dev v5 src 2001:2:0:5::2 ||
		return 1
	# no route at all from src to these (unreachable routes): exit 1
	lab_exec src ip route add unreachable 198.19.3.0/24 || return 1
	lab_exec src ip -6 route add unreachable 2001:2:0:103::/64 || return 1
}

node_reach()
{
	lab_exec "$1" python3 -c '
import socket, sys
try:
    socket.create_connection((sys.argv[1], 80), timeout=1).close()
except ConnectionRefusedError:
    pass
' "$2" >/dev/null 2>&1
}

e2e_lab_up
if ! hostile_up || ! wait_for 10 node_reach gen "$LAB_DST4" || ! wait_for 10 node_reach gen "$LAB_DST6" ||
	! wait_for 10 node_reach l3 "$LAB_DST4"; then
	fail "lab is up" "the hostile additions (atk, gen, l3) failed"
	summary
	exit 1
fi
ok "lab is up, with an attacker, a macvlan prober and a tun prober"
NS=$(lab_ns src)
IF=$LAB_SRC_IF

# --- running xhop, reading results (as in test_trace.sh) ----------------------

# xrun_on NODE ARGS...: xhop in NODE, bounded; sets OUT, ERR, RC
xrun_on()
{
	local node=$1
	shift
	lab_exec "$node" timeout -k 2 "$RUN_LIMIT" "$XHOP" "$@" >"$TMP/out" 2>"$TMP/err"
	RC=$?
	OUT=$(<"$TMP/out")
	ERR=$(<"$TMP/err")
}
xrun() { xrun_on src "$@"; }




# expect_one_line NAME: stderr ($ERR) is exactly one line
expect_one_line()
{
	local n
	n=$(grep -c . <<<"$ERR")
	if [[ $n -eq 1 ]]; then ok "$1"; else fail "$1" "$n lines on stderr:" "$ERR"; fi
}



PROGS_AT_START=$(xhop_prog_ids)
RUN_IDS=
has_line4() { grep -q '^ 4  ' "$TMP/bg.out"; }

# === 1. forged answers ==========================================================

ATK_GW_MAC=$(ip -n "$(lab_ns r1)" -br link show v10 | awk '{ print $3 }')

# Absolute counters of the prober's kernel (nstat -a: never its history)
src_counters()
{
	local rx
	rx=$(ip -n "$NS" -s -j link show "$IF" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["stats64"]["rx"]["packets"])')
	echo "rx $rx"
	lab_exec src env NSTAT_HISTORY="$TMP/nstat.hist" nstat -asz IcmpInMsgs Icmp6InMsgs TcpInSegs |
		awk '/^[A-Z]/ { print $1, $2 }'
}
counter() { awk -v k="$2" '$1 == k { print $2 }' <<<"$1"; }
# forge_sent [STATE]: packets a forger has sent so far
forge_sent() { sed -n 's/^\(sent\|done\) \([0-9]*\)$/\2/p' "${1:-$TMP/forge.state}" 2>/dev/null; }
forge_going()
{
	local n
	n=$(forge_sent)
	((${n:-0} >= 1000))
}
forge_done() { grep -q '^done ' "$TMP/forge.state" 2>/dev/null; }

C0=$(src_counters)
ip netns exec "$(lab_ns atk)" python3 "$HERE/forge.py" v10 "$ATK_GW_MAC" "$LAB_SRC4" "$LAB_SRC6" \
	"$TMP/forge.state" --min "$FORGE_MIN" --rate "$FORGE_RATE" --max-seconds 60 \
	</dev/null >"$TMP/forge.log" 2>&1 &
FORGE_PID=$!
if wait_for 10 forge_going; then ok "flood: the forger is sending"; else
	fail "flood: the forger is sending" "$(cat "$TMP/forge.log")"
fi

# The flood overflows queues of the 2-CPU lab now and then, and a real
# probe or answer is lost (or, for TCP to an open port, the reset of our
# stack, so that d77 answers the next SYN with a bare ACK for the old
# one): one "*" per trace may stand where the lab answers. Any address
# that is not the lab's still fails.
HOPS_LOST_OK=1
declare -A METHOD_OPT=([icmp]=-I [udp]=-U [tcp]=-T)
for fam in 4 6; do
	for m in icmp udp tcp; do
		dst=LAB_DST$fam
		exp=LAB_EXPECT_${m^^}$fam
		args=(-n "-$fam" "${METHOD_OPT[$m]}" -q 3 -w 1)
		[[ $m == tcp && $fam == 4 ]] && args+=(-p "$LAB_TCP_CLOSED")
		[[ $m == tcp && $fam == 6 ]] && args+=(-p "$LAB_TCP_OPEN")
		xrun "${args[@]}" "${!dst}"
		expect_rc "flood $m$fam: exit 0" 0
		expect_hops "flood $m$fam: exactly the lab's hops" "$exp" 3
	done
done

xrun -q 2 -w 1 "$LAB_DST_NAME"
expect_hops "flood names4: exactly the lab's hops" LAB_EXPECT_ICMP4 2
expect_match "flood names4: names still resolve" "$OUT" "^ 1  r1\.example \(198\.18\.1\.2\)  "

xrun --json -n -q 3 -w 1 "$LAB_FAR4"
cp "$TMP/out" "$TMP/j"
json_checks "$TMP/j" \
	"flood json far icmp4: hops, nothing at the silent TTL 5::path(t, $(pylist LAB_EXPECT_FAR_ICMP4), 3, lost_ok=1)" \
	"flood json far icmp4: stop_reason COMPLETED::t['stop_reason'] == 'COMPLETED'" \
	"flood json far icmp4: hop_count 6::t['hop_count'] == 6" \
	"flood json far icmp4: only echo replies from far at TTL 6::every(t, lambda h: h['icmp_type'] == 0 and h['addr'] == '$LAB_FAR4', 6)"

xrun --json -n -6 -U -q 3 -w 1 "$LAB_FAR6"
cp "$TMP/out" "$TMP/j"
json_checks "$TMP/j" \
	"flood json far udp6: hops, nothing at the silent TTL 5::path(t, $(pylist LAB_EXPECT_FAR_UDP6), 3, lost_ok=1)" \
	"flood json far udp6: stop_reason COMPLETED::t['stop_reason'] == 'COMPLETED'" \
	"flood json far udp6: port unreachable (1/4) at TTL 6::every(t, lambda h: (h['icmp_type'], h['icmp_code']) == (1, 4), 6)"

# d77 answers each SYN with a SYN-ACK, which src's stack resets. When the
# flood overflows a backlog queue and that reset is lost, d77 still holds
# the half-open connection when the next SYN (same ports, new sequence)
# comes, and answers it with a RST-ACK of that SYN: genuine, and seen
# once in a loaded CI run. Forged SYN-ACKs and RSTs never verify.
xrun --json -n -T -p "$LAB_TCP_OPEN" -q 3 -w 1 "$LAB_DST4"
cp "$TMP/out" "$TMP/j"
json_checks "$TMP/j" \
	"flood json tcp4 open port: hops::path(t, $(pylist LAB_EXPECT_TCP4), 3, lost_ok=1)" \
	"flood json tcp4 open port: stop_reason COMPLETED::t['stop_reason'] == 'COMPLETED'" \
	"flood json tcp4 open port: SYN-ACKs (or RST-ACKs) from d77 only::every(t, lambda h: h['tcp_flags'] in (0x12, 0x14) and h['addr'] == '$LAB_DST4', 5)" \
	"flood json tcp4 open port: d77's first answer is a SYN-ACK::[h for h in t['hops'] if h['probe_ttl'] == 5][0]['tcp_flags'] == 0x12"

xrun --json -n -q 3 -w 1 "$LAB_UNR4"
cp "$TMP/out" "$TMP/j"
json_checks "$TMP/j" \
	"flood json unreach4: hops::path(t, $(pylist LAB_EXPECT_UNR4), 3, lost_ok=1)" \
	"flood json unreach4: stop_reason UNREACH, code 1::(t['stop_reason'], t['stop_data']) == ('UNREACH', 1)"

xrun --json -n -6 -U -q 3 -w 1 "$LAB_UNR6"
cp "$TMP/out" "$TMP/j"
json_checks "$TMP/j" \
	"flood json unreach udp6: hops::path(t, $(pylist LAB_EXPECT_UNR6), 3, lost_ok=1)" \
	"flood json unreach udp6: stop_reason UNREACH, code 0::(t['stop_reason'], t['stop_data']) == ('UNREACH', 0)"

# xhop's own XDP counters, sampled while it waits at the silent TTL 5: the
# flood reaches XDP and passes on, only the real answers are consumed:
# the answers the trace shows (TTLs 1-4 x 3 queries, less any the flood
# lost) and the warm-up probes (user/engine/engine.c)
WARMUP=$(sed -n 's/^#define WARMUP_PROBES \([0-9]*\).*/\1/p' "$ROOT/user/engine/engine.c")
WARMUP=${WARMUP:-0}
sample_stats()
{
	local id
	id=$(xdp_ids)
	if [[ -n $id ]] && python3 "$HERE/xdp_stats.py" "$id" "$ROOT/include/xhop_event.h" \
		>"$TMP/stats.new" 2>/dev/null; then
		mv "$TMP/stats.new" "$TMP/stats"
	fi
	bg_gone # keep sampling until xhop is gone: the last sample wins
}
stat_of() { awk -v k="$1" '$1 == k { print $2 }' "$TMP/stats" 2>/dev/null; }
# answers_shown: how many answers the hop lines in $OUT show
answers_shown() { norm_hops <<<"$OUT" | awk '{ for (i = 2; i <= NF; i++) n += $i != "*" } END { print n + 0 }'; }

rm -f "$TMP/stats"
bg_start src -n -q 3 -w 4 -m 5 "$LAB_FAR4"
capture_ids "flood stats run"
wait_for 10 has_line4
wait_for "$RUN_LIMIT" sample_stats
bg_end 5
expect_eq "flood stats run: exit 0" "$BG_RC" 0
OUT=$(<"$TMP/bg.out")
# shellcheck disable=SC2034 # used by name
FAR_TO5=("${LAB_PATH4[@]}" "*")
expect_hops "flood stats run: hops, '* * *' at the silent TTL 5" FAR_TO5 3
if [[ -s $TMP/stats ]]; then
	echo "     (xhop XDP stats: $(xargs <"$TMP/stats"))"
	ANSWERS=$(answers_shown)
	expect_eq "flood stats run: XDP consumed only the $ANSWERS answers shown + $WARMUP warm-ups" \
		"$(stat_of RX_OURS)" $((ANSWERS + WARMUP))
	check "flood stats run: XDP saw the flood and passed it (RX_FOREIGN >= 1000)" \
		test "$(stat_of RX_FOREIGN)" -ge 1000
	expect_eq "flood stats run: ring buffer never full" "$(stat_of RX_RB_FULL)" 0
else
	fail "flood stats run: read xhop's XDP stats while it ran" "no sample"
fi
expect_clean "flood stats run"

HOPS_LOST_OK=0
# Stop the flood (the forger goes on to FORGE_MIN first), then count
kill -TERM "$FORGE_PID" 2>/dev/null
if wait_for 30 forge_done; then ok "flood: the forger finished"; else
	fail "flood: the forger finished" "$(cat "$TMP/forge.state" "$TMP/forge.log")"
fi
wait "$FORGE_PID" 2>/dev/null
FORGE_PID=
SENT=$(forge_sent)
SENT=${SENT:-0}
echo "     (forged packets sent: $SENT in $(sed -n 's/^seconds //p' "$TMP/forge.state") s;" \
	"$(sed -n '/^[a-z_]*[46] /p' "$TMP/forge.state" | xargs))"
check "flood: at least 100000 forged packets sent ($SENT)" test "$SENT" -ge 100000
C1=$(src_counters)
RX=$(($(counter "$C1" rx) - $(counter "$C0" rx)))
KERN=0
for k in IcmpInMsgs Icmp6InMsgs TcpInSegs; do
	KERN=$((KERN + $(counter "$C1" $k) - $(counter "$C0" $k)))
done
echo "     (src $IF received $RX packets; its kernel took $KERN ICMP, ICMPv6 and TCP packets)"
check "flood: src's $IF received >= 80% of them ($RX of $SENT)" test $((RX * 10)) -ge $((SENT * 8))
check "flood: src's kernel got >= 80% of them past XDP ($KERN)" test $((KERN * 10)) -ge $((SENT * 8))

# An ICMP run must take no TCP answer at all, whatever its MAC says: two
# unpaced forgers send only TCP SYN-ACKs and RSTs while an ICMP trace
# waits at the silent TTL 5. Were the 16-bit MAC of a TCP answer the only
# test, about one in 65536 would be consumed (printed below as expected
# hits), so the run takes enough of them to make that near certain.
ftcp_going() { local f n; for f in "$TMP"/ftcp?.state; do n=$(forge_sent "$f"); ((${n:-0} >= 1000)) || return 1; done; }
ftcp_done() { local f; for f in "$TMP"/ftcp?.state; do grep -q '^done ' "$f" || return 1; done; }
FTCP_PIDS=()
for i in 1 2; do
	ip netns exec "$(lab_ns atk)" python3 "$HERE/forge.py" v10 "$ATK_GW_MAC" "$LAB_SRC4" \
		"$LAB_SRC6" "$TMP/ftcp$i.state" --kinds tcp4,tcp6 --max-seconds 30 \
		</dev/null >>"$TMP/forge.log" 2>&1 &
	FTCP_PIDS+=($!)
done
if wait_for 10 ftcp_going; then ok "tcp flood: two forgers send TCP answers"; else
	fail "tcp flood: two forgers send TCP answers" "$(cat "$TMP/forge.log")"
fi
rm -f "$TMP/stats"
bg_start src -n -q 1 -w 6 -m 5 "$LAB_FAR4"
capture_ids "tcp flood, icmp run"
wait_for 10 has_line4
wait_for "$RUN_LIMIT" sample_stats
bg_end 5
kill -TERM "${FTCP_PIDS[@]}" 2>/dev/null
wait_for 30 ftcp_done
wait "${FTCP_PIDS[@]}" 2>/dev/null
FTCP_PIDS=()
FTCP_SENT=0
for f in "$TMP"/ftcp?.state; do FTCP_SENT=$((FTCP_SENT + $(forge_sent "$f"))); done
expect_eq "tcp flood, icmp run: exit 0" "$BG_RC" 0
OUT=$(<"$TMP/bg.out")
# shellcheck disable=SC2034 # used by name
FAR_TO5_1=("${LAB_PATH4[@]}" "*")
HOPS_LOST_OK=1 expect_hops "tcp flood, icmp run: exact hops" FAR_TO5_1 1
if [[ -s $TMP/stats ]]; then
	echo "     (tcp flood: $FTCP_SENT forged TCP answers sent; xhop XDP stats: $(xargs <"$TMP/stats");" \
		"a 16-bit test alone would have taken about" \
		"$(($(stat_of RX_FOREIGN) / 65536)) of them)"
	ANSWERS=$(answers_shown)
	expect_eq "tcp flood, icmp run: XDP consumed only the $ANSWERS answers shown + $WARMUP warm-ups" \
		"$(stat_of RX_OURS)" $((ANSWERS + WARMUP))
else
	fail "tcp flood, icmp run: read xhop's XDP stats while it ran" "no sample"
fi
expect_clean "tcp flood, icmp run"

# xhop scan under a flood that quotes the scan's own targets: random
# addresses of its prefixes as the quoted destination (or the source of
# an echo reply), guessed ids, every kind of answer. Every trace must be
# the lab's truth and the flood must show only in the XDP counters.
fscan_going() { n=$(forge_sent "$TMP/fscan.state"); ((${n:-0} >= 1000)); }
fscan_done() { grep -q '^done ' "$TMP/fscan.state" 2>/dev/null; }
ip netns exec "$(lab_ns atk)" python3 "$HERE/forge.py" v10 "$ATK_GW_MAC" "$LAB_SRC4" "$LAB_SRC6" \
	"$TMP/fscan.state" --targets4 198.19.0.0/24,198.19.1.0/24 --targets6 2001:2:0:100::/120 \
	--max-seconds 60 </dev/null >>"$TMP/forge.log" 2>&1 &
FSCAN_PID=$!
if wait_for 10 fscan_going; then ok "scan flood: the forger quotes the scan's targets"; else
	fail "scan flood: the forger quotes the scan's targets" "$(cat "$TMP/forge.log")"
fi
printf '# none\n' >"$TMP/noblock"
prefix_addrs "$TMP/scan.targets" 198.19.0.0/24 198.19.1.0/24 2001:2:0:100::/120
lab_exec src timeout -k 2 "$RUN_LIMIT" "$XHOP" scan --blocklist "$TMP/noblock" --every-address \
	--rate 20000 --wait 1 --summary "$TMP/scan.sum" 198.19.0.0/24 198.19.1.0/24 \
	2001:2:0:100::/120 >"$TMP/scan.out" 2>"$TMP/scan.err"
RC=$?
kill -TERM "$FSCAN_PID" 2>/dev/null
wait_for 30 fscan_done
wait "$FSCAN_PID" 2>/dev/null
expect_rc "scan flood: exit 0" 0
echo "     (scan flood: $(sed -n 's/^done //p' "$TMP/fscan.state") forged packets in" \
	"$(sed -n 's/^seconds //p' "$TMP/fscan.state") s)"
scan_checks paths "scan flood" "$TMP/scan.out" "$TMP/scan.targets" "${LAB_SCAN_RULES4[@]}" \
	"${LAB_SCAN_RULES6[@]}"
# XDP consumes the answers to the senders' trial probes too, which the
# scan counts as warmup_replies: no target's
scan_checks summary "scan flood" "$TMP/scan.sum" 's["xdp_foreign"] >= 1000' 's["replies_ignored"] == 0' \
	's["xdp_ours"] == s["replies"] + s["replies_ignored"] + s["warmup_replies"]' 's["targets_done"] == 768'

# The run's source port is part of every UDP and TCP answer's check. An
# ICMP run over both families has no single protocol to filter on, so the
# port is all that shuts out forged UDP and TCP answers (a 16-bit MAC
# alone): it must be set for ICMP runs too. Read from the running XDP
# program's read-only data, for a scan and a monitor over both families.
# filter_of FIELD: the running xhop's XDP program's value of FIELD
filter_of() { python3 "$HERE/xdp_rodata.py" "$(xdp_ids)" 2>/dev/null | sed -n "s/^$1 //p"; }
filter_up() { [[ -n $(filter_of run_sport) ]]; }
check_filter()
{
	local what=$1 pid=$2 sport proto
	if wait_for 10 filter_up; then
		sport=$(filter_of run_sport)
		proto=$(filter_of run_proto)
		if ((sport >= 1024)); then ok "$what: the run's source port is in the filter ($sport)"; else
			fail "$what: the run's source port is in the filter" "run_sport $sport"
		fi
		expect_eq "$what: no single protocol to filter on" "$proto" 0
	else
		fail "$what: its XDP program's filter can be read" "no xhop XDP program on $IF"
	fi
	kill -INT "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}
ip netns exec "$NS" timeout -k 2 "$RUN_LIMIT" "$XHOP" scan --blocklist "$TMP/noblock" \
	--every-address --rate 100 --wait 1 198.19.0.0/24 2001:2:0:100::/120 >/dev/null 2>&1 &
check_filter "icmp scan over both families" $!
ip netns exec "$NS" timeout -k 2 "$RUN_LIMIT" "$XHOP" monitor -n --interval 1 "$LAB_DST4" \
	"$LAB_DST6" >/dev/null 2>&1 &
check_filter "icmp monitor over both families" $!

# === 2. neighbours ===============================================================
# Another program holds the XDP hook: xhop leaves it in place, says so in
# one warning naming it, and receives at tcx ingress behind it. The
# neighbour keeps its id and keeps passing traffic, xhop's answers
# included. Where tcx is refused as well, xhop gives up cleanly: exit 1,
# one line naming the neighbour, nothing of its own left behind.

NB_OBJ=$TMP/xdp_neighbour.bpf.o
if ! clang -O2 -g -target bpf -I"/usr/include/$(uname -m)-linux-gnu" \
	-c "$HERE/xdp_neighbour.bpf.c" -o "$NB_OBJ" 2>"$TMP/clang.err"; then
	fail "neighbour: xdp_neighbour.bpf.c builds" "$(cat "$TMP/clang.err")"
fi

# nb_count PROG_ID: packets the neighbour has passed
nb_count()
{
	local map
	map=$(bpftool -j prog show id "$1" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["map_ids"][0])')
	bpftool -j map lookup id "$map" key 0 0 0 0 | python3 -c '
import json, sys
v = json.load(sys.stdin)["value"]
print(v if isinstance(v, int) else int.from_bytes(bytes(int(b, 16) for b in v), "little"))'
}
tcx_ingress_ids() { lab_exec src python3 "$HERE/tcx_query.py" "$IF" | sed 's/ egress:.*//; s/ingress://' | xargs; }
tcx_both() { [[ -n $(tcx_ingress_ids) && -n $(tcx_egress_ids) ]]; }
stderr_lines() { grep -c . <<<"$ERR"; }

# fill_start ingress|egress: a neighbour fills that tcx hook of src's
# interface (tcx_fill.py), holding it until fill_stop
fill_ready() { grep -q '^ready' "$TMP/fill.out"; }
fill_start()
{
	rm -f "$TMP/fill.in" "$TMP/fill.out"
	mkfifo "$TMP/fill.in"
	ip netns exec "$NS" python3 "$HERE/tcx_fill.py" "$IF" "$1" <"$TMP/fill.in" \
		>"$TMP/fill.out" 2>&1 &
	FILL_PID=$!
	exec {FILL_FD}>"$TMP/fill.in"
	if wait_for 10 fill_ready; then
		FILL_IDS=$(sed -n 's/^ready [0-9]* //p' "$TMP/fill.out")
		ok "$2: a neighbour filled tcx $1 ($(awk '{ print $2 }' "$TMP/fill.out") programs)"
	else
		FILL_IDS=
		fail "$2: a neighbour filled tcx $1" "$(cat "$TMP/fill.out")"
	fi
}
fill_stop()
{
	exec {FILL_FD}>&- # its stdin closes: it exits, its links go
	wait_for 10 eval '! alive "$FILL_PID"'
	wait "$FILL_PID" 2>/dev/null
	FILL_PID=
}
# xhop_left_nothing NAME: no new xhop_* program but other runs' (see
# prog_held)
xhop_left_nothing()
{
	if wait_for 5 no_stray_xhop_progs; then
		ok "$1: xhop's loaded programs are gone"
	else
		fail "$1: xhop's loaded programs are gone" "left: $(stray_xhop_progs)"
	fi
}

for mode in xdpdrv xdpgeneric; do
	name="neighbour ($mode)"
	if ! ip -n "$NS" link set dev "$IF" "$mode" obj "$NB_OBJ" sec xdp 2>"$TMP/ip.err"; then
		fail "$name: attached" "$(cat "$TMP/ip.err")"
		continue
	fi
	NB_ID=$(xdp_ids)
	NB_N0=$(nb_count "$NB_ID")
	bg_start src -n -q 3 -w 2 -m 5 "$LAB_FAR4"
	if wait_for 10 tcx_both; then ok "$name: xhop at tcx ingress and egress while running"; else
		fail "$name: xhop at tcx ingress and egress while running" "$(tcx_ids)"
	fi
	RUN_IDS=$(tcx_ids)
	expect_eq "$name: XDP still only the neighbour's while xhop runs" "$(xdp_ids)" "$NB_ID"
	bg_end "$RUN_LIMIT"
	OUT=$(<"$TMP/bg.out")
	ERR=$(<"$TMP/bg.err")
	expect_eq "$name: xhop exits 0" "$BG_RC" 0
	expect_eq "$name: one warning naming it (id $NB_ID nb_pass)" \
		"$(grep -cE "^xhop: warning: .*(\bid $NB_ID nb_pass\b|nb_pass.*\b$NB_ID\b)" <<<"$ERR")" 1
	expect_eq "$name: stderr is that warning and the header" "$(stderr_lines)" 2
	expect_hops "$name: exact hops behind it" FAR_TO5 3
	expect_eq "$name: still attached, same id" "$(xdp_ids)" "$NB_ID"
	NB_N1=$(nb_count "$NB_ID")
	check "$name: xhop's 12 answers passed through it (count $NB_N0 -> $NB_N1)" \
		test $((${NB_N1:-0} - ${NB_N0:-0})) -ge 12
	check "$name: traffic still flows (src reaches $LAB_DST4)" lab_reach "$LAB_DST4"
	KEEP_XDP=$NB_ID expect_clean "$name"
	# xhop scan behind the same neighbour: exact paths, the neighbour kept
	prefix_addrs "$TMP/nb.targets" 198.19.0.0/27 198.19.2.0/30
	lab_exec src timeout -k 2 "$RUN_LIMIT" "$XHOP" scan --blocklist "$TMP/noblock" \
		--every-address --rate 20000 --wait 1 --summary "$TMP/nb.sum" 198.19.0.0/27 \
		198.19.2.0/30 >"$TMP/nb.out" 2>"$TMP/nb.err"
	RC=$?
	expect_rc "$name, scan: exit 0" 0
	expect_match "$name, scan: the warning names it" "$(cat "$TMP/nb.err")" \
		"^xhop: warning: .*id $NB_ID nb_pass"
	scan_checks paths "$name, scan" "$TMP/nb.out" "$TMP/nb.targets" "${LAB_SCAN_RULES4[@]}"
	expect_eq "$name, scan: still attached, same id" "$(xdp_ids)" "$NB_ID"
	RUN_IDS=
	KEEP_XDP=$NB_ID expect_clean "$name, scan"
	ip -n "$NS" link set dev "$IF" "$mode" off
done

# Refused: the neighbour holds XDP and tcx ingress is full
ip -n "$NS" link set dev "$IF" xdp obj "$NB_OBJ" sec xdp
NB_ID=$(xdp_ids)
name="neighbour, tcx ingress full"
fill_start ingress "$name"
xrun -n -q 1 -w 1 "$LAB_DST4"
expect_rc "$name: xhop exits 1" 1
expect_one_line "$name: one line on stderr"
expect_match "$name: names the neighbour (id $NB_ID nb_pass)" "$ERR" \
	"\bid $NB_ID nb_pass\b|nb_pass.*\b$NB_ID\b"
expect_match "$name: says it does not replace it" "$ERR" "does not replace"
expect_eq "$name: nothing on stdout" "$OUT" ""
expect_eq "$name: the neighbour keeps XDP (id $NB_ID)" "$(xdp_ids)" "$NB_ID"
expect_eq "$name: tcx ingress holds only the neighbour's" "$(tcx_ingress_ids)" "$FILL_IDS"
expect_eq "$name: nothing at tcx egress" "$(tcx_egress_ids)" ""
xhop_left_nothing "$name"
fill_stop

# Half-way: behind the neighbour at tcx ingress, then tcx egress is full:
# the ingress link must go again
name="neighbour, tcx egress full"
fill_start egress "$name"
xrun -n -q 1 -w 1 "$LAB_DST4"
expect_rc "$name: xhop exits 1" 1
expect_match "$name: says the tcx egress attach failed" "$ERR" "tcx egress"
expect_eq "$name: the neighbour keeps XDP (id $NB_ID)" "$(xdp_ids)" "$NB_ID"
if wait_for 5 eval '[[ -z $(tcx_ingress_ids) ]]'; then ok "$name: its tcx ingress link is gone"; else
	fail "$name: its tcx ingress link is gone" "$(tcx_ids)"
fi
expect_eq "$name: tcx egress holds only the neighbour's" "$(tcx_egress_ids)" "$FILL_IDS"
xhop_left_nothing "$name"
fill_stop
ip -n "$NS" link set dev "$IF" xdp off
RUN_IDS=
expect_clean "neighbours gone"

# Two xhops on one interface, same target and method, each with its own
# key: the second runs behind the first (at tcx ingress); the first's XDP
# passes the second's answers on; both traces exact. The first waits at
# the silent TTL 5 until the second is done and it is told to stop: ended
# by its own wait, it could end before a slow second on a busy machine.
bg_start src -n -q 3 -w "$RUN_LIMIT" -m 5 "$LAB_FAR4"
capture_ids "two xhops: the first"
FIRST_XDP=$(xdp_ids)
FIRST_PID=$BG_PID
xrun -n -q 3 -w 1 -m 5 "$LAB_FAR4"
expect_rc "two xhops: the second exits 0" 0
expect_eq "two xhops: the second warns once, naming the first (id $FIRST_XDP xhop_rx)" \
	"$(grep -cE "^xhop: warning: .*(\bid $FIRST_XDP xhop_rx\b|xhop_rx.*\b$FIRST_XDP\b)" <<<"$ERR")" 1
expect_hops "two xhops: the second's trace is exact" FAR_TO5 3
check "two xhops: the first was running all along" alive "$FIRST_PID"
expect_eq "two xhops: the first keeps its XDP program" "$(xdp_ids)" "$FIRST_XDP"
if wait_for 10 has_line4; then ok "two xhops: the first has TTL 4 printed"; else
	fail "two xhops: the first has TTL 4 printed" "$(cat "$TMP/bg.out")"
fi
kill -INT "$BG_PID"
bg_end 5
expect_eq "two xhops: the first exits 130 on SIGINT" "$BG_RC" 130
OUT=$(grep -v '^ 5  [* ]*$' "$TMP/bg.out") # an all-"*" TTL 5 line may follow
expect_hops "two xhops: the first's trace is exact" LAB_PATH4 3
expect_clean "two xhops"

# === 3. every way out ==============================================================

bg_start src -n -q 1 -w 3 -m 5 "$LAB_FAR4"
capture_ids "normal exit"
bg_end "$RUN_LIMIT"
expect_eq "normal exit: exit 0" "$BG_RC" 0
expect_clean "normal exit"

# -s with an address that is not ours: probes from it would be spoofed,
# answers would go elsewhere (Debian traceroute: bind() fails, exit 1)
xrun -n -q 1 -w 1 -m 3 -s 198.18.1.99 "$LAB_DST4"
expect_rc "-s not local: exit 1" 1
expect_match "-s not local: says which address" "$ERR" "198\.18\.1\.99"
expect_eq "-s not local: nothing on stdout" "$OUT" ""
expect_clean "-s not local"
xrun -n -q 1 -w 1 -s "$LAB_SRC6" "$LAB_DST4"
expect_rc "-s of the other family: usage error, exit 2" 2
xrun -n -q 1 -w 1 198.19.3.1
expect_rc "no route (unreachable route): exit 1" 1
expect_match "no route: says so" "$ERR" "route to 198\.19\.3\.1"
xrun -n -6 -q 1 -w 1 2001:2:0:103::1
expect_rc "no route, IPv6: exit 1" 1
expect_clean "no route"

# Signals mid-trace: TTL 4 printed, TTL 5 (silent) waits 10 s
for sc in INT:130 TERM:143 HUP:129; do
	sig=${sc%:*}
	bg_start src -n -q 3 -w 10 -m 5 "$LAB_FAR4"
	capture_ids "SIG$sig"
	if wait_for 10 has_line4; then ok "SIG$sig: TTL 4 printed before TTL 5 ends"; else
		fail "SIG$sig: TTL 4 printed before TTL 5 ends" "$(cat "$TMP/bg.out")"
	fi
	kill "-$sig" "$BG_PID"
	bg_end 5
	expect_eq "SIG$sig: exit ${sc#*:} (within 5 s)" "$BG_RC" "${sc#*:}"
	OUT=$(grep -v '^ 5  [* ]*$' "$TMP/bg.out")
	expect_hops "SIG$sig: the hops found so far printed" LAB_PATH4 3
	expect_clean "SIG$sig"
done

bg_start src -n -q 3 -w 10 -m 5 "$LAB_FAR4"
capture_ids "SIGKILL"
wait_for 10 has_line4
kill -KILL "$BG_PID"
bg_end 5 2>/dev/null # bash's "Killed" job notice is expected here
expect_eq "SIGKILL: killed (137)" "$BG_RC" 137
expect_clean "SIGKILL"

# xhop scan ended by SIGTERM, SIGHUP and SIGKILL while its targets wait
# out the silent TTL 5: 143, 129 (its traces and summary written), 137;
# nothing left in any case
scan_sent() { grep -q "sent [1-9]" "$TMP/bg.err"; }
for sc in TERM:143 HUP:129 KILL:137; do
	sig=${sc%:*}
	bg_start src scan --blocklist "$TMP/noblock" --every-address --rate 20000 --wait 5 \
		--progress 198.19.1.0/28
	capture_ids "scan SIG$sig"
	wait_for 10 scan_sent
	kill "-$sig" "$BG_PID"
	bg_end 10 2>/dev/null # bash's "Killed" job notice is expected for KILL
	expect_eq "scan SIG$sig: exit ${sc#*:}" "$BG_RC" "${sc#*:}"
	if [[ $sig != KILL ]]; then
		expect_eq "scan SIG$sig: a trace for each of the 16 targets" \
			"$(grep -c '"type":"trace"' "$TMP/bg.out")" 16
		check "scan SIG$sig: the summary says interrupted" grep -q '"interrupted":true' "$TMP/bg.err"
	fi
	expect_clean "scan SIG$sig"
done

# Half-way: the tcx egress hook is full, so the tcx attach fails after
# the XDP attach succeeded; XDP must be undone
name="tcx egress full"
fill_start egress "$name"
xrun -n -q 1 -w 1 "$LAB_DST4"
expect_rc "$name: xhop exits 1" 1
expect_one_line "$name: one line on stderr"
expect_match "$name: says the tcx egress attach failed" "$ERR" "tcx egress"
if wait_for 5 no_xdp; then ok "$name: the XDP program it had attached is gone"; else
	fail "$name: the XDP program it had attached is gone" "$(ip -d -n "$NS" link show "$IF")"
fi
expect_eq "$name: tcx egress holds only the neighbour's" "$(tcx_egress_ids)" "$FILL_IDS"
xhop_left_nothing "$name"
fill_stop
RUN_IDS=
expect_clean "$name, neighbour gone"

# Nothing pinned: not in the root namespace's /sys/fs/bpf, and not in a
# bpffs mounted for the run itself (ip netns exec gives it its own /sys;
# a fresh bpffs holds the kernel's maps.debug and progs.debug)
PINS=$(ip netns exec "$NS" sh -c 'mount -t bpf bpf /sys/fs/bpf || exit 9
	find /sys/fs/bpf -mindepth 1 | sort >"$2"
	"$0" -n -q 1 -w 1 "$1" >/dev/null 2>&1; echo "rc $?"
	find /sys/fs/bpf -mindepth 1 | sort | comm -13 "$2" -' "$XHOP" "$LAB_DST4" "$TMP/pins" 2>&1)
expect_eq "pins: xhop ran with a bpffs mounted (exit 0)" "$(head -n 1 <<<"$PINS")" "rc 0"
expect_eq "pins: it pinned nothing there" "$(tail -n +2 <<<"$PINS")" ""
expect_eq "pins: nothing named xhop under /sys/fs/bpf" \
	"$(find /sys/fs/bpf -name '*xhop*' 2>/dev/null)" ""

# === 4. privileges ==================================================================

# xrun_caps NAME WRAPPER...: xhop in src under a capability wrapper
xrun_caps()
{
	lab_exec src timeout -k 2 "$RUN_LIMIT" "$@" >"$TMP/out" 2>"$TMP/err"
	RC=$?
	OUT=$(<"$TMP/out")
	ERR=$(<"$TMP/err")
}
ARGS=(-n -q 1 -w 3 "$LAB_DST4")
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)

# expect_refused NAME CAP...: one line naming exactly these capabilities
expect_refused()
{
	local name=$1 cap other
	shift
	expect_rc "$name: exit 1" 1
	expect_one_line "$name: one line on stderr"
	for cap in "$@"; do
		expect_match "$name: names $cap" "$ERR" "\b$cap\b"
	done
	for other in CAP_NET_RAW CAP_NET_ADMIN CAP_BPF CAP_PERFMON; do
		[[ " $* " == *" $other "* ]] && continue
		expect_no_match "$name: does not name $other (it is there)" "$ERR" "\b$other\b"
	done
	expect_eq "$name: nothing on stdout" "$OUT" ""
	check "$name: nothing attached" eval 'no_xdp && no_tcx'
}

xrun_caps "${NOBODY[@]}" "$XHOP" "${ARGS[@]}"
expect_rc "nobody: exit 1" 1
expect_one_line "nobody: one line on stderr"
for cap in CAP_NET_RAW CAP_NET_ADMIN CAP_BPF; do
	expect_match "nobody: names $cap" "$ERR" "\b$cap\b"
done
check "nobody: nothing attached" eval 'no_xdp && no_tcx'

for drop in cap_net_raw:CAP_NET_RAW cap_net_admin:CAP_NET_ADMIN cap_bpf,cap_sys_admin:CAP_BPF; do
	xrun_caps capsh --drop="${drop%:*}" -- -c 'exec "$@"' xhop "$XHOP" "${ARGS[@]}"
	expect_refused "without ${drop%:*}" "${drop#*:}"
done

# CAP_SYS_ADMIN stands in for CAP_BPF (and CAP_PERFMON) in the kernel
xrun_caps capsh --drop=cap_bpf -- -c 'exec "$@"' xhop "$XHOP" "${ARGS[@]}"
expect_rc "without cap_bpf, with cap_sys_admin: runs (exit 0)" 0
expect_hops "without cap_bpf, with cap_sys_admin: exact hops" LAB_EXPECT_ICMP4 1

# Without root: with what README and xhop's hint ask for (setcap
# cap_net_raw,cap_net_admin,cap_bpf,cap_perfmon+ep) it traces; with less
# it traces, or names what else it needs in one line (the verifier wants
# CAP_PERFMON for packet-pointer comparisons unless CAP_SYS_ADMIN)
ok_or_named()
{
	local name=$1 cap=$2
	if [[ $RC == 0 ]]; then
		expect_hops "$name: exact hops" LAB_EXPECT_ICMP4 1
	elif [[ $RC == 1 && $(grep -c . <<<"$ERR") == 1 ]] && grep -q "\b$cap\b" <<<"$ERR"; then
		ok "$name: refused in one line naming $cap"
	else
		fail "$name: exact hops, or one line naming $cap and exit 1" "exit $RC" "stderr:" "$ERR"
	fi
	check "$name: nothing left attached" eval 'wait_for 5 no_xdp && wait_for 5 no_tcx'
}
xrun_caps "${NOBODY[@]}" --inh-caps=-all,+net_raw,+net_admin,+bpf \
	--ambient-caps=+net_raw,+net_admin,+bpf "$XHOP" "${ARGS[@]}"
ok_or_named "nobody with cap_net_raw,cap_net_admin,cap_bpf" CAP_PERFMON
xrun_caps "${NOBODY[@]}" --inh-caps=-all,+net_raw,+net_admin,+bpf,+perfmon \
	--ambient-caps=+net_raw,+net_admin,+bpf,+perfmon "$XHOP" "${ARGS[@]}"
expect_rc "nobody with cap_net_raw,cap_net_admin,cap_bpf,cap_perfmon: exit 0" 0
expect_hops "nobody with cap_net_raw,cap_net_admin,cap_bpf,cap_perfmon: exact hops" \
	LAB_EXPECT_ICMP4 1
check "nobody with cap_net_raw,cap_net_admin,cap_bpf,cap_perfmon: nothing left attached" \
	eval 'wait_for 5 no_xdp && wait_for 5 no_tcx'
xrun_caps capsh --drop=cap_perfmon,cap_sys_admin -- -c 'exec "$@"' xhop "$XHOP" "${ARGS[@]}"
ok_or_named "root without cap_perfmon,cap_sys_admin" CAP_PERFMON

# === 5. interfaces without native XDP ============================================

if ip -n "$(lab_ns gen)" link set dev "$GEN_IF" xdpdrv obj "$NB_OBJ" sec xdp 2>/dev/null; then
	ip -n "$(lab_ns gen)" link set dev "$GEN_IF" xdpdrv off
	fail "macvlan: the driver refuses native XDP" "it accepted xdpdrv: pick another device type"
else
	ok "macvlan: the driver refuses native XDP (generic only)"
fi
GEN_WARN="^xhop: warning: $GEN_IF has no native XDP; using generic mode"
xrun_on gen -n -q 3 -w 3 "$LAB_DST4"
expect_rc "generic icmp4 on $GEN_IF: exit 0" 0
expect_match "generic icmp4 on $GEN_IF: warns on stderr" "$ERR" "$GEN_WARN"
expect_hops "generic icmp4 on $GEN_IF: exact hops" GEN_EXPECT4 3
xrun_on gen -n -6 -U -q 3 -w 3 "$LAB_DST6"
expect_rc "generic udp6 on $GEN_IF: exit 0" 0
expect_hops "generic udp6 on $GEN_IF: exact hops" GEN_EXPECT_UDP6 3
expect_match "generic udp6 on $GEN_IF: warns on stderr" "$ERR" "$GEN_WARN"
bg_start gen -n -q 1 -w 2 -m 5 "$LAB_FAR4"
capture_ids "generic" gen "$GEN_IF"
check "generic: attached in generic mode (xdpgeneric)" \
	eval 'ip -n "$(lab_ns gen)" link show "$GEN_IF" | grep -q xdpgeneric'
bg_end "$RUN_LIMIT"
expect_eq "generic: exit 0" "$BG_RC" 0
expect_clean "generic" gen "$GEN_IF"

# A device without an Ethernet header: generic XDP (and tc) see the IP
# header first. xhop must trace it exactly, or refuse clearly (exit 1,
# naming the device): never a trace of stars.
xrun_on l3 -n -q 3 -w 3 -m 5 "$LAB_DST4"
if [[ $RC == 1 ]] && grep -q "$L3_IF" <<<"$ERR"; then
	ok "tun ($L3_IF, no L2 header): refused clearly ($(head -n 1 <<<"$ERR"))"
else
	expect_rc "tun ($L3_IF, no L2 header): exit 0" 0
	expect_hops "tun ($L3_IF, no L2 header): exact hops" L3_EXPECT4 3
fi
RUN_IDS=
expect_clean "tun" l3 "$L3_IF"

echo "(took $(($(date +%s) - start)) s)"
summary
