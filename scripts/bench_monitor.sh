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
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=scripts/lab.sh
source scripts/lab.sh

XHOP=${XHOP:-build/xhop}
SECS=${BENCH_SECS:-60}
WARM=10 # seconds before the first sample: discovery, names, page faults
PREFIX=xb$$-
TMP=$(mktemp -d /tmp/xhop-bench-mon.XXXXXX)
PID=

cleanup()
{
	[[ $BASHPID == "$$" ]] || return 0
	if [[ -n $PID ]] && kill -0 "$PID" 2>/dev/null; then kill -9 "$PID" 2>/dev/null; fi
	LAB_QUIET=1 lab_down "$PREFIX"
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[[ $(id -u) -eq 0 ]] || { echo "bench_monitor: needs root (namespaces)"; exit 1; }
[[ -x $XHOP ]] || { echo "bench_monitor: $XHOP missing: run make"; exit 1; }
LAB_QUIET=1 lab_up "$PREFIX" || { echo "bench_monitor: lab_up failed"; exit 1; }

for i in $(seq 0 255); do echo "198.19.0.$i"; done >"$TMP/targets"
for i in $(seq 0 255); do echo "198.19.1.$i"; done >>"$TMP/targets"
for i in $(seq 1 488); do printf '2001:2:0:100::%x\n' $((0x1000 + i)); done >>"$TMP/targets"
N=$(wc -l <"$TMP/targets")

ip netns exec "${PREFIX}src" "$XHOP" monitor -n --json --interval 1 --targets "$TMP/targets" \
	--metrics 127.0.0.1:9464 --events "$TMP/events" >"$TMP/report" 2>"$TMP/err" &
PID=$!

times_of() { awk '{ print $14, $15 }' "/proc/$PID/stat"; } # utime stime, ticks
rss_of() { awk '/^VmRSS:/ { print $2 }' "/proc/$PID/status"; }
metric() { ip netns exec "${PREFIX}src" curl -s http://127.0.0.1:9464/metrics | awk -v m="$1" '$1 == m { print $2 }'; }
up() { [[ -n $(metric xhop_cycles_total) ]]; }
lab_wait 10 up || { echo "bench_monitor: xhop did not come up: $(cat "$TMP/err")"; exit 1; }

# Timed by the clock, not by polling /metrics: a scrape of 1,000 targets
# costs xhop a quarter of a second of CPU, which would be measured too
sleep "$WARM"
HZ=$(getconf CLK_TCK)
t0=$(date +%s%N); read -r ut0 st0 < <(times_of); rss0=$(rss_of); rss_max=$rss0; rss_min=$rss0
series="$rss0"
for ((i = 1; i <= SECS; i++)); do
	sleep 1
	r=$(rss_of)
	((r > rss_max)) && rss_max=$r
	((r < rss_min)) && rss_min=$r
	((i % 10 == 0)) && series+=" $r"
done
t1=$(date +%s%N); read -r ut1 st1 < <(times_of); rss1=$(rss_of)
scrape=$(ip netns exec "${PREFIX}src" curl -s -o "$TMP/m" -w '%{time_total}' http://127.0.0.1:9464/metrics)
m() { awk -v m="$1" '$1 == m { print $2 }' "$TMP/m"; }
c1=$(m xhop_cycles_total); sent1=$(m xhop_probes_sent_total)
late=$(m xhop_replies_late_total); behind=$(m xhop_cycles_behind_total)
kill -INT "$PID"
wait "$PID"
rc=$?
PID=

secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
echo "targets: $N (256 x 198.19.0.0/24, 256 x 198.19.1.0/24, 488 x 2001:2:0:100::/64), interval 1 s"
echo "measured over $secs s after ${WARM} s of warm-up; $c1 cycles in all; exit $rc"
awk -v u="$((ut1 - ut0))" -v s="$((st1 - st0))" -v hz="$HZ" -v t="$secs" 'BEGIN {
	printf "CPU: %.1f%% of one core: user %.1f%%, system %.1f%% (system includes the lab'"'"'s\n", \
		100 * (u + s) / hz / t, 100 * u / hz / t, 100 * s / hz / t
	printf "     forwarding: a raw send runs the routers'"'"' softirq work in xhop'"'"'s context)\n" }'
echo "RSS: ${rss0} kB at start, ${rss1} kB at end (min ${rss_min}, max ${rss_max} kB, sampled each second)"
echo "RSS every 10 s (kB): $series"
awk -v b="$sent1" -v c="$c1" 'BEGIN { printf "probes: %.0f per cycle\n", b / c }'
echo "late answers: $late, cycles started late: $behind"
echo "/metrics: $(wc -c <"$TMP/m") bytes, $(grep -vc '^#' "$TMP/m") samples, one scrape ${scrape} s"
python3 - "$TMP/report" <<'EOF'
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
echo "path-change events: $(wc -l <"$TMP/events")"
