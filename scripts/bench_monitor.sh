#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# xhop monitor at scale: one process, 1,000 targets, a 1 s interval, for
# BENCH_SECS (60) seconds in the namespace lab of scripts/lab.sh. Prints
# RSS at the start and the end (flat?), CPU% of the process, probes and
# answers per second, Loss% (what the lab can answer, below), and the
# cost of one /metrics scrape. Numbers for the README; nothing asserted.
#
# The targets: the lab's AnyIP prefixes answer every address in them.
#   256 x 198.19.0.0/24      dst, 5 hops, every TTL answers
#   256 x 198.19.1.0/24      dst2, 6 hops, TTL 5 (r5) never answers
#   488 x 2001:2:0:100::/64  dst, 5 hops, every TTL answers
# So about 5.5k probes a second, and every one of them has an answer
# except the 256 a second at r5's TTL: expected Loss% is 0 everywhere else.
#
# Sourced (scripts/bench_compare.sh does), it defines the functions below
# and stops before measuring anything; the caller builds the lab (lab_up)
# and owns the cleanup traps (MON_PID is the monitor while one runs):
#   mon_targets FILE        the 1,000 targets
#   mon_run XHOP DIR SECS   one measurement of the binary XHOP over SECS s
#                           (DIR/targets from mon_targets); its numbers in
#                           DIR/result, KEY=VALUE lines
#   mon_print DIR           the report above, from DIR
set -u
# shellcheck source=scripts/lab.sh
source "$(dirname "${BASH_SOURCE[0]}")/lab.sh"

WARM=10 # seconds before the first sample: discovery, names, page faults
MON_PID=

mon_targets()
{
	local i
	for i in $(seq 0 255); do echo "198.19.0.$i"; done >"$1"
	for i in $(seq 0 255); do echo "198.19.1.$i"; done >>"$1"
	for i in $(seq 1 488); do printf '2001:2:0:100::%x\n' $((0x1000 + i)); done >>"$1"
}

mon_times() { awk '{ print $14, $15 }' "/proc/$MON_PID/stat"; } # utime stime, ticks
mon_rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$MON_PID/status"; }
# mon_metric NAME FILE: one sample of a /metrics scrape
mon_metric() { awk -v m="$1" '$1 == m { print $2 }' "$2"; }
mon_up()
{
	[[ -n $(ip netns exec "$(lab_ns src)" curl -s http://127.0.0.1:9464/metrics |
		mon_metric xhop_cycles_total -) ]]
}

mon_run()
{
	local xhop=$1 dir=$2 secs=$3 hz t0 t1 ut0 st0 ut1 st1 rss0 rss1 rss_max rss_min r i
	local series scrape rc
	ip netns exec "$(lab_ns src)" "$xhop" monitor -n --json --interval 1 --targets "$dir/targets" \
		--metrics 127.0.0.1:9464 --events "$dir/events" >"$dir/report" 2>"$dir/err" &
	MON_PID=$!
	lab_wait 10 mon_up || { echo "bench_monitor: xhop did not come up: $(cat "$dir/err")"; return 1; }

	# Timed by the clock, not by polling /metrics: a scrape of 1,000 targets
	# costs xhop a quarter of a second of CPU, which would be measured too
	sleep "$WARM"
	hz=$(getconf CLK_TCK)
	t0=$(date +%s%N); read -r ut0 st0 < <(mon_times); rss0=$(mon_rss); rss_max=$rss0; rss_min=$rss0
	series="$rss0"
	for ((i = 1; i <= secs; i++)); do
		sleep 1
		r=$(mon_rss)
		((r > rss_max)) && rss_max=$r
		((r < rss_min)) && rss_min=$r
		((i % 10 == 0)) && series+=" $r"
	done
	t1=$(date +%s%N); read -r ut1 st1 < <(mon_times); rss1=$(mon_rss)
	scrape=$(ip netns exec "$(lab_ns src)" curl -s -o "$dir/m" -w '%{time_total}' \
		http://127.0.0.1:9464/metrics)
	kill -INT "$MON_PID"
	wait "$MON_PID"
	rc=$?
	MON_PID=
	# what mon_print and bench_compare.sh read back (source it)
	{
		echo "n=$(wc -l <"$dir/targets")"
		echo "secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')"
		echo "utime=$((ut1 - ut0)) stime=$((st1 - st0)) hz=$hz"
		echo "rss0=$rss0 rss1=$rss1 rss_min=$rss_min rss_max=$rss_max series='$series'"
		echo "cycles=$(mon_metric xhop_cycles_total "$dir/m")"
		echo "sent=$(mon_metric xhop_probes_sent_total "$dir/m")"
		echo "late=$(mon_metric xhop_replies_late_total "$dir/m")"
		echo "behind=$(mon_metric xhop_cycles_behind_total "$dir/m")"
		echo "scrape=$scrape rc=$rc"
	} >"$dir/result"
}

mon_print()
{
	local dir=$1 n secs utime stime hz rss0 rss1 rss_min rss_max series cycles sent late behind
	local scrape rc
	# shellcheck source=/dev/null
	source "$dir/result"
	echo "targets: $n (256 x 198.19.0.0/24, 256 x 198.19.1.0/24, 488 x 2001:2:0:100::/64), interval 1 s"
	echo "measured over $secs s after ${WARM} s of warm-up; $cycles cycles in all; exit $rc"
	awk -v u="$utime" -v s="$stime" -v hz="$hz" -v t="$secs" 'BEGIN {
		printf "CPU: %.1f%% of one core: user %.1f%%, system %.1f%% (system includes the lab'"'"'s\n", \
			100 * (u + s) / hz / t, 100 * u / hz / t, 100 * s / hz / t
		printf "     forwarding: a raw send runs the routers'"'"' softirq work in xhop'"'"'s context)\n" }'
	echo "RSS: ${rss0} kB at start, ${rss1} kB at end (min ${rss_min}, max ${rss_max} kB, sampled each second)"
	echo "RSS every 10 s (kB): $series"
	awk -v b="$sent" -v c="$cycles" 'BEGIN { printf "probes: %.0f per cycle\n", b / c }'
	echo "late answers: $late, cycles started late: $behind"
	echo "/metrics: $(wc -c <"$dir/m") bytes, $(grep -vc '^#' "$dir/m") samples, one scrape ${scrape} s"
	python3 - "$dir/report" <<'EOF'
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
snt = rcv = 0
silent = 0
for o in objs:
    for h in o['hubs']:
        if o['dst'].startswith('198.19.1.') and h['count'] == 5:
            silent += h['Snt']
            continue
        snt += h['Snt'] - 0
        rcv += h['Rcv']
reached = sum(1 for o in objs if o['reachable'])
print(f"final report: {len(objs)} targets, {reached} reachable; Loss% where the lab answers: "
      f"{100.0 * (snt - rcv) / max(snt, 1):.3f}% ({snt - rcv} of {snt}; probes still in flight at "
      f"SIGINT count as unanswered); r5's silent TTL: {silent} probes")
EOF
	echo "path-change events: $(wc -l <"$dir/events")"
}

# Sourced: the functions are all the caller wants
[[ ${BASH_SOURCE[0]} == "$0" ]] || return 0

cd "$(dirname "$0")/.." || exit 1
XHOP=${XHOP:-build/xhop}
SECS=${BENCH_SECS:-60}
PREFIX=xb$$-
TMP=$(mktemp -d /tmp/xhop-bench-mon.XXXXXX)

cleanup()
{
	[[ $BASHPID == "$$" ]] || return 0
	if [[ -n $MON_PID ]] && kill -0 "$MON_PID" 2>/dev/null; then kill -9 "$MON_PID" 2>/dev/null; fi
	LAB_QUIET=1 lab_down "$PREFIX"
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[[ $(id -u) -eq 0 ]] || { echo "bench_monitor: needs root (namespaces)"; exit 1; }
[[ -x $XHOP ]] || { echo "bench_monitor: $XHOP missing: run make"; exit 1; }
LAB_QUIET=1 lab_up "$PREFIX" || { echo "bench_monitor: lab_up failed"; exit 1; }

mon_targets "$TMP/targets"
mon_run "$XHOP" "$TMP" "$SECS" || exit 1
mon_print "$TMP"
