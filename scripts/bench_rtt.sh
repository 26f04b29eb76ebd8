#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# RTT accuracy of xhop against Debian traceroute, mtr and scamper.
#
# A linear namespace lab, prober -- r1 -- r2 -- r3 -- dst (4 hops, ICMP
# echo probes to 198.19.0.77). Every tool traces with 10 probes per hop
# while tcpdump captures in r1, on r1's interface facing the prober: the
# far side of the prober's link, where xhop's XDP program does not hide
# the replies. scripts/bench_rtt_analyze.py pairs every probe with its
# reply in the capture (quoted / echoed IP ID, ICMP id and seq), takes the
# wire RTT (reply leaves r1 minus probe reaches r1), pairs each RTT the
# tool printed with the same probe, and prints the error per tool.
# All of it idle, then again with 4 busy loops per core.
#
# Each tool runs with its own default pacing: xhop and traceroute keep up
# to 16 probes in flight, scamper sends one at a time (about 50 ms apart),
# mtr one round of hops per 0.1 s. Paced probes meet colder caches, so the
# wire RTTs differ per tool; errors are per probe, so they stay comparable.
#
# Usage: scripts/bench_rtt.sh [-k] [-a] [-r RUNS] [-t TOOL,..] [-x NAME=XHOP]..
#                             [-o FILE]   (as root, from anywhere)
#   -r RUNS  traces per tool and condition (default 3; 10 probes per hop,
#            so 40 probes per trace; about 15 s per run)
#   -k       keep the pcaps and tool outputs (the directory is printed)
#   -t TOOLS only these tools, in this order (comma-separated names of
#            the tools below, or of -x)
#   -x NAME=XHOP  one more tool: the xhop binary XHOP, traced as xhop is
#            (scripts/bench_compare.sh: the base revision's binary)
#   -a       every second run takes the tools in reverse order (ABBA), so
#            a drift of the machine's speed weighs on all of them alike
#   -o FILE  write the per-probe pairs (tool, cond, run, error..) to FILE
# The xhop traced as "xhop" is $XHOP (default: build/xhop of this tree).
#
# Safety: only 198.18.0.0/15 addresses, IPv6 off in every namespace, no
# default route anywhere, nothing probes from the root namespace; all
# namespaces are named xb<pid>-* and removed on any exit.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/.." && pwd)
xhop=${XHOP:-$top/build/xhop}
analyze=$here/bench_rtt_analyze.py

PFX="xb$$-"
NODES=(p r1 r2 r3 d)
# "N first second": link N is 198.18.N.0/24, first end .1, second .2;
# both ends of link N are called vN
LINKS=("1 p r1" "2 r1 r2" "3 r2 r3" "4 r3 d")
SRC=198.18.1.1
DST=198.19.0.77
CAP_NODE=r1
CAP_IF=v1
QUERIES=10
BUSY_PER_CORE=4

runs=3
keep=0
abba=0
only=
extra=()
pairs_out=
while getopts "kr:t:x:ao:h" o; do
	case $o in
	k) keep=1 ;;
	r) runs=$OPTARG ;;
	t) only=$OPTARG ;;
	x) extra+=("$OPTARG") ;;
	a) abba=1 ;;
	o) pairs_out=$OPTARG ;;
	h)
		sed -n '4,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'
		exit 0
		;;
	*) exit 2 ;;
	esac
done
[[ $runs =~ ^[1-9][0-9]?$ ]] || { echo "bench_rtt: -r: '$runs' is not 1..99" >&2; exit 2; }

die() { echo "bench_rtt: $*" >&2; exit 1; }
log() { echo "bench_rtt: $*" >&2; }

[[ $(id -u) -eq 0 ]] || die "needs root (network namespaces)"
for c in ip tcpdump python3 timeout nproc ethtool; do
	command -v "$c" >/dev/null || die "$c not found"
done
[[ -x $xhop ]] || die "$xhop missing: run make first"
for x in "${extra[@]}"; do
	[[ $x =~ ^[A-Za-z0-9_.-]+=.+$ && -x ${x#*=} ]] || die "-x $x: not NAME=an executable xhop"
done

# --- cleanup -------------------------------------------------------------

made_ns=()
busy_pids=()
cap_pid=
netstamp_pid=
work=

# shellcheck disable=SC2317 # reached through the EXIT trap
cleanup()
{
	local rc=$? p ns pids
	trap - EXIT INT TERM
	for p in "${busy_pids[@]}" $cap_pid $netstamp_pid; do
		kill "$p" 2>/dev/null
	done
	for p in "${busy_pids[@]}" $cap_pid $netstamp_pid; do
		wait "$p" 2>/dev/null
	done
	# Anything still running in our namespaces (a tool we timed out)
	for ns in "${made_ns[@]}"; do
		pids=$(ip netns pids "$ns" 2>/dev/null)
		# shellcheck disable=SC2086
		[[ -z $pids ]] || kill -9 $pids 2>/dev/null
	done
	for ns in "${made_ns[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	if [[ -n $work && -d $work ]]; then
		if ((keep)); then
			log "kept $work"
		else
			rm -rf "$work"
		fi
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

work=$(mktemp -d /tmp/bench_rtt.XXXXXX) || die "mktemp"

# --- the lab ---------------------------------------------------------------

nsx() { local n=$1; shift; ip netns exec "$PFX$n" "$@"; }

node_up()
{
	local n=$1
	ip netns add "$PFX$n" || return 1
	made_ns+=("$PFX$n")
	nsx "$n" ip link set lo up || return 1
	# Before any link exists, so every interface inherits: no IPv6 at all
	# (nothing but our IPv4 probes on the wire), no reverse-path filter,
	# no ICMP rate limit (10 probes per hop in a burst must all be answered)
	nsx "$n" sysctl -qw net.ipv6.conf.default.disable_ipv6=1 \
		net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv4.conf.default.rp_filter=0 net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.icmp_ratelimit=0 net.ipv4.icmp_msgs_per_sec=100000 \
		net.ipv4.icmp_msgs_burst=100000 net.ipv6.icmp.ratelimit=0 \
		>/dev/null || return 1
	if [[ $n == r* ]]; then
		nsx "$n" sysctl -qw net.ipv4.ip_forward=1 >/dev/null || return 1
	fi
}

link_up()
{
	local l=$1 a=$2 b=$3 ma mb
	# Created inside the namespaces: nothing appears in the root one
	ip link add "v$l" netns "$PFX$a" type veth peer name "v$l" netns "$PFX$b" || return 1
	nsx "$a" ip addr add "198.18.$l.1/24" dev "v$l" || return 1
	nsx "$b" ip addr add "198.18.$l.2/24" dev "v$l" || return 1
	nsx "$a" ip link set "v$l" up || return 1
	nsx "$b" ip link set "v$l" up || return 1
	# Permanent neighbours: no ARP exchange ever delays a probe or a reply
	# (a userspace tool would count that wait, xhop's tc stamp would not)
	ma=$(nsx "$a" cat "/sys/class/net/v$l/address") || return 1
	mb=$(nsx "$b" cat "/sys/class/net/v$l/address") || return 1
	nsx "$a" ip neigh replace "198.18.$l.2" lladdr "$mb" dev "v$l" nud permanent || return 1
	nsx "$b" ip neigh replace "198.18.$l.1" lladdr "$ma" dev "v$l" nud permanent
}

lab_build()
{
	local n l a b
	for n in "${NODES[@]}"; do
		node_up "$n" || return 1
	done
	for l in "${LINKS[@]}"; do
		read -r n a b <<<"$l"
		link_up "$n" "$a" "$b" || return 1
	done
	# Only 198.18.0.0/15 routes, no default route anywhere
	nsx p ip route add 198.18.0.0/15 via 198.18.1.2 || return 1
	nsx r1 ip route add 198.18.0.0/15 via 198.18.2.2 || return 1
	nsx r2 ip route add 198.18.1.0/24 via 198.18.2.1 || return 1
	nsx r2 ip route add 198.18.0.0/15 via 198.18.3.2 || return 1
	nsx r3 ip route add 198.18.1.0/24 via 198.18.3.1 || return 1
	nsx r3 ip route add 198.18.2.0/24 via 198.18.3.1 || return 1
	nsx r3 ip route add 198.18.0.0/15 via 198.18.4.2 || return 1
	nsx d ip route add 198.18.0.0/15 via 198.18.4.1 || return 1
	nsx d ip addr add "$DST/32" dev lo
}

# Ready: a TCP connect from the prober to the target is answered (RST:
# refused). No ping(8) on this system; retried until a deadline.
lab_ready()
{
	nsx p python3 -c '
import socket, sys, time
end = time.monotonic() + 10
while True:
    try:
        socket.create_connection((sys.argv[1], 80), timeout=0.5).close()
        sys.exit(0)
    except ConnectionRefusedError:
        sys.exit(0)
    except OSError:
        if time.monotonic() > end:
            sys.exit(1)
        time.sleep(0.05)
' "$DST"
}

log "building the lab (namespaces ${PFX}{$(IFS=,; echo "${NODES[*]}")})"
lab_build || die "building the lab failed"
lab_ready || die "the prober cannot reach $DST in the lab"

# --- capture -------------------------------------------------------------------

# tcpdump in r1 on the prober's link. -Z root: it must write into our
# private (0700) work directory after dropping privileges; --immediate-mode
# and -U: every packet reaches the file at once, which cap_stop relies on.
cap_start()
{
	local pcap=$1 i
	# ip netns exec, not nsx: $! must be tcpdump itself (it execs), not
	# a subshell running a function
	ip netns exec "$PFX$CAP_NODE" tcpdump -Z root -i "$CAP_IF" -n -U --immediate-mode \
		--time-stamp-precision=nano -s 256 -w "$pcap" \
		'icmp or (udp and dst port 9)' 2>"$pcap.err" &
	cap_pid=$!
	# Ready when tcpdump says it listens (deadline 5 s)
	for ((i = 0; i < 100; i++)); do
		grep -q "listening on" "$pcap.err" 2>/dev/null && return 0
		kill -0 "$cap_pid" 2>/dev/null || break
		sleep 0.05
	done
	log "tcpdump did not start: $(head -c 300 "$pcap.err")"
	return 1
}

# The tool is done, but are its last replies in the file yet? Send a
# marker datagram out of the same interface after them and wait until the
# marker is in the file: everything captured before it is there too.
cap_stop()
{
	local pcap=$1 i ok=1
	for ((i = 0; i < 100; i++)); do
		nsx "$CAP_NODE" bash -c "printf xhopmark >/dev/udp/$SRC/9" 2>/dev/null
		if python3 "$analyze" marker "$pcap"; then
			ok=0
			break
		fi
		sleep 0.05
	done
	kill "$cap_pid" 2>/dev/null
	wait "$cap_pid" 2>/dev/null
	cap_pid=
	((ok == 0)) || log "capture $pcap: the flush marker never arrived"
	return $ok
}

# The capture's clock. A packet reaching r1 from the prober is stamped at
# netif_rx() (the veth hand-off, in the sender's context) only while some
# socket in the system asks for receive timestamps (SO_TIMESTAMP*: a
# global static key); otherwise only when the packet tap sees it, after
# the backlog. traceroute sets SO_TIMESTAMP itself, the other tools don't,
# so without this the wire would be read with a different clock point
# depending on the tool. Hold the key on for the whole benchmark: a socket
# in r1 that only sleeps. (Measured on the 2-core VM: the difference stays
# below the run-to-run noise of about 1 us; it is kept for a fixed
# reference, not because it moved the numbers.)
netstamp_on()
{
	ip netns exec "${PFX}r1" python3 -c '
import signal, socket
# SO_TIMESTAMP: 29 in asm-generic and x86 (Python 3.11 has no constant)
SO_TIMESTAMP = getattr(socket, "SO_TIMESTAMP", 29)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMP, 1)
assert s.getsockopt(socket.SOL_SOCKET, SO_TIMESTAMP) == 1
print("netstamp-on", flush=True)
signal.pause()
' >"$work/netstamp" 2>&1 &
	netstamp_pid=$!
	local i
	for ((i = 0; i < 100; i++)); do
		grep -qx netstamp-on "$work/netstamp" 2>/dev/null && return 0
		kill -0 "$netstamp_pid" 2>/dev/null || break
		sleep 0.05
	done
	return 1
}

# --- tools -----------------------------------------------------------------------

# xhop once per rung of its sender ladder: each rung stamps a probe's
# departure at a different place (README "Send stamps"); xhop-kernel
# reports its refusal where the kernel runs no live frames
TOOLS=(xhop xhop-packet xhop-xdp xhop-kernel traceroute mtr scamper)
declare -A FMT=([xhop]=xhop-json [xhop-packet]=xhop-json [xhop-xdp]=xhop-json
	[xhop-kernel]=xhop-json [traceroute]=traceroute [mtr]=mtr-raw [scamper]=scamper-json)
declare -A CMD=(
	[xhop]="$xhop -n -q $QUERIES -w 1 ${XHOP_BENCH_ARGS:-} --json $DST"
	[xhop-packet]="$xhop -n -q $QUERIES -w 1 --sender packet --json $DST"
	[xhop-xdp]="$xhop -n -q $QUERIES -w 1 --sender xdp --json $DST"
	[xhop-kernel]="$xhop -n -q $QUERIES -w 1 --sender kernel --json $DST"
	[traceroute]="/usr/sbin/traceroute -n -I -q $QUERIES -w 1 $DST"
	[mtr]="mtr --raw -n -c $QUERIES -i 0.1 -G 1 $DST"
	[scamper]="scamper -O json -c 'trace -P icmp-paris -q $QUERIES -Q -w 1' -i $DST"
)
for x in "${extra[@]}"; do
	t=${x%%=*}
	TOOLS+=("$t")
	FMT[$t]="xhop-json"
	CMD[$t]=${CMD[xhop]/#"$xhop "/"${x#*=} "}
done
if [[ -n $only ]]; then
	IFS=, read -ra TOOLS <<<"$only"
	for t in "${TOOLS[@]}"; do
		[[ -n ${CMD[$t]:-} ]] || die "-t: no tool '$t' (${!CMD[*]})"
	done
fi
for t in traceroute mtr scamper; do
	read -r bin _ <<<"${CMD[$t]}"
	command -v "$bin" >/dev/null || CMD[$t]="missing: $bin not installed"
done

manifest=$work/manifest.tsv
: >"$manifest"

# run_tool TOOL COND N: one trace under capture, one manifest line
run_tool()
{
	local tool=$1 cond=$2 n=$3 base status rc
	base=$work/$tool.$cond.$n
	if [[ ${CMD[$tool]} == missing:* ]]; then
		status=${CMD[$tool]}
	elif ! cap_start "$base.pcap"; then
		status="tcpdump did not start"
	else
		# the generator's frames need NAPI on r1's end (GRO), which only
		# its own runs get: the other tools meet the link as it was
		[[ $tool == xhop-kernel ]] && nsx r1 ethtool -K v1 gro on >/dev/null
		# eval: scamper's -c takes one quoted word
		eval "timeout 60 ip netns exec '${PFX}p' ${CMD[$tool]}" >"$base.out" 2>"$base.err"
		rc=$?
		[[ $tool == xhop-kernel ]] && nsx r1 ethtool -K v1 gro off >/dev/null
		if ! cap_stop "$base.pcap"; then
			status="capture incomplete (no flush marker)"
		elif ((rc == 124)); then
			status="timed out after 60 s"
		elif ((rc != 0)); then
			status="exit $rc: $(head -n 1 "$base.err" | tr '\t' ' ')"
		elif grep -Eq "^[1-9][0-9]* packets? dropped by kernel" "$base.pcap.err"; then
			status="tcpdump: $(grep -E "dropped by kernel" "$base.pcap.err")"
		else
			status=ok
		fi
	fi
	[[ $status == ok ]] || log "$tool ($cond, run $n): $status"
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$cond" "${FMT[$tool]}" \
		"$base.pcap" "$base.out" "$status" >>"$manifest"
}

run_cond()
{
	local cond=$1 n t i
	for ((n = 1; n <= runs; n++)); do
		for ((i = 0; i < ${#TOOLS[@]}; i++)); do
			t=${TOOLS[i]}
			((abba && n % 2 == 0)) && t=${TOOLS[${#TOOLS[@]} - 1 - i]}
			run_tool "$t" "$cond" "$n"
		done
	done
}

busy_start()
{
	local i n
	n=$(($(nproc) * BUSY_PER_CORE))
	# timeout: they end by themselves even if this script is SIGKILLed
	for ((i = 0; i < n; i++)); do
		timeout 600 sh -c 'while :; do :; done' &
		busy_pids+=($!)
	done
	log "busy: $n spinning processes ($BUSY_PER_CORE per core)"
}

busy_stop()
{
	local p
	for p in "${busy_pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${busy_pids[@]}"; do
		wait "$p" 2>/dev/null
	done
	busy_pids=()
}

# --- the benchmark -------------------------------------------------------------

log "$(uname -r), $(nproc) cores; $runs run(s) per tool and condition, $QUERIES probes per hop"
for t in "${TOOLS[@]}"; do
	log "  $t: ${CMD[$t]}"
done
netstamp_on || die "could not hold receive timestamps on: $(head -c 300 "$work/netstamp")"
log "idle"
run_cond idle
busy_start
run_cond busy
busy_stop

echo "RTT error against the wire: capture in $CAP_NODE on $CAP_IF (the prober's link),"
echo "path prober - r1 - r2 - r3 - $DST, ICMP echo probes, $QUERIES per hop, $runs run(s) each"
echo
python3 "$analyze" report --dump "$work/pairs.tsv" "$manifest"
rc=$?
((keep)) && log "per-probe pairs: $work/pairs.tsv"
[[ -z $pairs_out ]] || cp "$work/pairs.tsv" "$pairs_out" || rc=1
exit $rc
