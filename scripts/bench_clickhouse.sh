#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# xhop scan at its top rate with and without --clickhouse, in one run,
# interleaved (without, with, without, with, ...): the 50,176 targets of
# scripts/bench_scan.sh's lab, a clickhouse-server 18.16 started here on
# 127.0.0.1 inside the prober's namespace (scripts/clickhouse/server.sh,
# data in a temporary folder). Prints per run the probe rate (probes over
# the scan's duration, and backlog_pps: the rate while probes were ready),
# the rows written and rows per second into ClickHouse (rows over the
# whole run, the exit wait included), checks the table holds every row
# once, and the median ratio of the rates with and without.
#
# Usage: scripts/bench_clickhouse.sh [ROUNDS]   (as root; default 2 rounds)
# Safety: only 198.18.0.0/15, namespaces xbc<pid>-*, removed on exit.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/bench_scan.sh
source "$HERE/bench_scan.sh"
# shellcheck source=scripts/clickhouse/server.sh
source "$HERE/clickhouse/server.sh"
ROUNDS=${1:-2}
RATE=800000

die() { echo "bench_clickhouse: $*" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || die "needs root (network namespaces)"
[[ -x $XHOP ]] || die "$XHOP missing: run make first"

PREFIX=xbc$$-
WORK=$(mktemp -d /tmp/bench_ch.XXXXXX)
chmod 755 "$WORK"
trap '[[ $BASHPID != "$$" ]] || { ch_stop ch; LAB_QUIET=1 lab_down "$PREFIX"; rm -rf "$WORK"; }' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

scan_lab_up "$PREFIX" || die "lab_up failed"
ch_start ch "$WORK" "$(lab_ns src)" 18123 19001 || die "clickhouse-server does not start"
URL=$(ch_url ch)
echo "xhop scan --rate $RATE, $(wc -l <"$WORK/targets") targets, with and without --clickhouse" \
	"(clickhouse-server $(ch_q ch 'SELECT version()'), same namespace, $(nproc) cores)"
# the server's CPU seconds (user + system) from /proc
ch_cpu() { awk '{ printf "%.2f", ($14 + $15) / 100 }' "/proc/${CH_PID[ch]}/stat"; }
printf '%-22s %7s %8s %12s %9s %10s %8s %7s %s\n' run wall_s kpps backlog_kpps rows rows/s \
	in_table ch_cpu exact

for ((round = 1; round <= ROUNDS; round++)); do
	for mode in plain ch; do
		n=r$round-$mode
		args=(--rate "$RATE")
		[[ $mode == ch ]] && args+=(--clickhouse "$URL" --measurement "$n" --clickhouse-spool \
			"$WORK/$n.spool")
		cpu0=$(ch_cpu)
		run_xhop "$n" "${args[@]}" || { echo "$n failed: $(head -c 300 "$WORK/$n.err")"; continue; }
		read -r wall _ _ _ <"$WORK/$n.time"
		dur=$(kv "$WORK/$n.sum" duration_s)
		kpps=$(python3 -c "print(round($(kv "$WORK/$n.sum" probes_sent) / $dur / 1000, 1))")
		bl=$(python3 -c "print(round($(kv "$WORK/$n.sum" backlog_pps) / 1000, 1))")
		rows=- rps=- intab=-
		if [[ $mode == ch ]]; then
			rows=$(kv "$WORK/$n.sum" clickhouse_rows_written)
			rps=$(python3 -c "print(round($rows / $wall))")
			intab=$(($(ch_q ch "SELECT count() FROM xhop.replies WHERE measurement = '$n'") +
				$(ch_q ch "SELECT count() FROM xhop.replies_targets WHERE measurement = '$n'")))
		fi
		echo "$mode $kpps $bl" >>"$WORK/rates"
		printf '%-22s %7s %8s %12s %9s %10s %8s %7s %s\n' "$n" "$wall" "$kpps" "$bl" "$rows" \
			"$rps" "$intab" "$(python3 -c "print(round($(ch_cpu) - $cpu0, 2))")" "$(exact "$n")"
	done
done
python3 - "$WORK/rates" <<'PY'
import statistics, sys
r = {"plain": [], "ch": []}
b = {"plain": [], "ch": []}
for line in open(sys.argv[1]):
    m, k, bl = line.split()
    r[m].append(float(k))
    b[m].append(float(bl))
if r["plain"] and r["ch"]:
    print(f"rate with --clickhouse / without: {statistics.median(r['ch']) / statistics.median(r['plain']) * 100:.1f}% "
          f"(probes over duration), {statistics.median(b['ch']) / statistics.median(b['plain']) * 100:.1f}% (backlog rate); "
          "the goal is at least 95%")
PY
