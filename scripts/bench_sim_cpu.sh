#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Where the sending CPU's time goes when xhop scan runs against xhop-sim,
# and what that leaves of the goal "80% of the best bare sender" (issue
# 15), in one run:
#   - the bare flood (bench/flood.c) pinned to CPU 0, at TTL 1 and as the
#     scan-like mix (TTLs 1-20), ROUNDS rounds each. A round is "held"
#     when the other CPU stayed idle (below 3% busy, /proc/stat): the
#     simulator's and the receiver's XDP ran on the sending CPU, as the
#     issue describes the comparison. It "escaped" when the veth's NAPI
#     ran on the other CPU (it stays where it was scheduled while it never
#     runs dry), which gives the flood a second CPU for the simulator;
#   - xhop scan of N4 IPv4 targets, then of N6 IPv6 ones (full rate), each
#     against its own family's floods (IPv6 probes and answers cost the
#     kernel and the simulator more): the probes per second leaving the
#     prober's interface, second by second, and a perf profile of the
#     sustained part: the sending thread's time by what it is (the
#     kernel's AF_XDP copy-mode and veth path, the simulator's XDP,
#     xhop's receiver, clock reads and TX metadata for the stamps, xhop's
#     own userspace; scripts/sim_cpu_share.py);
#   - the bound: the scan's rate if xhop's own share of the sending CPU
#     were zero, as a share of each ceiling.
# Numbers are printed, never asserted.
#
# Usage: scripts/bench_sim_cpu.sh [N4 [N6 [ROUNDS]]]   (as root)
# Safety: only 198.18.0.0/15 and 2001:2::/48, namespaces xbcpu<pid>-*,
# removed on exit; nothing probes from the root namespace.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
# shellcheck source=scripts/sim_lab.sh
source "$HERE/sim_lab.sh"
XHOP=${XHOP:-$ROOT/build/xhop}
FLOOD=$ROOT/build/bench/flood
N4=${1:-131072}
N6=${2:-300000}
ROUNDS=${3:-3}

die() { echo "bench_sim_cpu: $*" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || die "needs root (network namespaces)"
for f in "$XHOP" "$SIM" "$SIM_PASS_OBJ" "$FLOOD"; do
	[[ -e $f ]] || die "$f missing: run make bench"
done
(($(nproc) >= 2)) || die "needs two CPUs (the flood pinned to one, the other watched)"

WORK=$(mktemp -d /tmp/bench_sim_cpu.XXXXXX)
sim_lab_traps "$WORK"
sim_lab_up "xbcpu$$" || die "the simulator's namespaces"
SIM_OUT=$WORK/sim.out SIM_ERR=$WORK/sim.err sim_lab_start --seed 1 ||
	die "xhop-sim attach: $(cat "$WORK/sim.err")"
sim_lab_pass off # the flood and xhop bring their own XDP programs
nsp() { ip netns exec "$SIM_PNS" "$@"; }
# busy and total jiffies of CPU $1
cpu_ticks() { awk -v c="cpu$1" '$1 == c { t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6, t }' /proc/stat; }
tx_packets() { nsp cat /sys/class/net/p0/statistics/tx_packets; }

echo "xhop scan's sending CPU against xhop-sim --seed 1, $(uname -r), $(nproc) CPUs"
sim_lab_targets "$WORK/targets" "$N4" "$N6"

# floods DST: ROUNDS rounds at TTL 1 and the mix, pinned to CPU 0; the
# best held and escaped answer rates of each into held[] and escaped[]
floods()
{
	local dst=$1 r ttl b0 t0 b1 t1 offered secs answered busy po pa kind
	held=() escaped=()
	for ((r = 1; r <= ROUNDS; r++)); do
		for ttl in 1 1-20; do
			read -r b0 t0 < <(cpu_ticks 1)
			read -r _ offered secs _ answered _ < <(nsp taskset -c 0 "$FLOOD" "$dst" 2 "$ttl" \
				2>"$WORK/flood.err") || die "flood: $(cat "$WORK/flood.err")"
			read -r b1 t1 < <(cpu_ticks 1)
			busy=$(python3 -c "print(round(100 * ($b1 - $b0) / max($t1 - $t0, 1)))")
			po=$(python3 -c "print(round($offered / $secs))")
			pa=$(python3 -c "print(round($answered / $secs))")
			if ((busy < 3)); then
				kind=held
				((pa > ${held[$ttl]:-0})) && held[$ttl]=$pa
			else
				kind=escaped
				((pa > ${escaped[$ttl]:-0})) && escaped[$ttl]=$pa
			fi
			echo "flood $dst TTL $ttl, round $r: $po probes/s offered, $pa answers/s;" \
				"other CPU ${busy}% busy: $kind"
		done
	done
}

# scan FAMILY PERF_AT PERF_S: the scan of that family's targets, its rate
# second by second, a profile of PERF_S seconds from PERF_AT on
scan()
{
	local fam=$1 at=$2 len=$3 prev cur t0 xp perf_ok=0
	# the first $at seconds: set-up, the warm-up and the first probes
	nsp "$XHOP" scan --blocklist /dev/null --targets "$WORK/targets.v$fam" --rate 10000000 \
		--wait 1 --format json --output /dev/null --summary "$WORK/sum$fam" \
		2>"$WORK/scan.err" &
	xp=$!
	: >"$WORK/rates"
	sleep "$at"
	prev=$(tx_packets)
	if command -v perf >/dev/null; then
		t0=$(date +%s%N)
		perf record -a -g -F 999 -o "$WORK/perf.data" -- sleep "$len" >/dev/null 2>&1 &&
			perf_ok=1
		cur=$(tx_packets)
		# perf's start and end make its window longer than asked
		echo "$(((cur - prev) * 1000000000 / ($(date +%s%N) - t0)))(from ${at} s, perf)" \
			>>"$WORK/rates"
		prev=$cur
	fi
	while kill -0 "$xp" 2>/dev/null; do
		sleep 1
		cur=$(tx_packets)
		echo $((cur - prev)) >>"$WORK/rates"
		prev=$cur
	done
	wait "$xp" || die "xhop scan: $(tail -n 3 "$WORK/scan.err")"
	echo "xhop scan, IPv$fam, probes/s leaving p0: $(paste -sd ' ' "$WORK/rates")"
	if ((perf_ok)); then
		perf report -i "$WORK/perf.data" --no-children --sort comm,dso,sym --stdio -g none \
			2>/dev/null >"$WORK/perf.txt"
	else
		echo "perf is not installed or refused: no profile" >"$WORK/perf.txt"
	fi
	python3 "$HERE/sim_cpu_share.py" "$WORK/sum$fam" "$WORK/perf.txt" "${held[1]:-0}" \
		"${held[1-20]:-0}" "${escaped[1]:-0}" "${escaped[1-20]:-0}"
}

declare -A held escaped
if ((N4)); then
	floods 198.18.0.1
	scan 4 0.8 1.5 # about 3 s of probes at full rate
fi
if ((N6)); then
	floods 2001:2:0:1::1
	scan 6 3 3
fi
sim_lab_stop >/dev/null
