#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench-compare: this checkout's xhop against a base revision's, in
# one run, so that both meet the same machine. What a refactor's "speed
# is unchanged or better" is checked with:
#   scan     bench_scan.sh's lab and its 50,176 targets, --sender raw and
#            the default sender, every run checked against the lab's
#            truth; scamper once on the same list for the speed-up
#   monitor  bench_monitor.sh's measurement: one process, 1,000 targets,
#            1 s interval, CPU and RSS over MON_SECS after its warm-up
#   trace    bench_rtt.sh: xhop's RTT error against a far-side capture,
#            idle and with every core busy (xhop only, no peers)
# then one table: metric, base, after, after/base, the spread of the
# rounds, and a verdict (the rule is printed with it).
#
# Base and after take turns in every phase, in ABBA order (every second
# round runs in the reverse order), so a machine whose load changes
# during the run (the 2-core VMs here are shared with test runs) slows
# both alike rather than whichever ran in the busy stretch.
#
# Usage: scripts/bench_compare.sh [BASE_REV]   (as root; make bench-compare)
#   BASE_REV   default: git merge-base HEAD main
#   QUICK=1    one round instead of three (monitor: 20 s; no spread, so
#              no verdicts)
#   ROUNDS=N, MON_SECS=S (60, as make bench), RTT_RUNS=N (2 x ROUNDS: a
#   trace is cheap, and p99 wants probes), SCAN_RATE=PPS (400000)
#
# "base" is BASE_REV built in a temporary git worktree (make -j2
# build/xhop), removed as soon as its binary is copied and again on exit;
# "after" is this checkout's build/xhop (make build/xhop), uncommitted
# edits included. Both binaries are copied away first: a make elsewhere
# in this checkout during the run cannot swap one under the benchmark.
#
# Safety: every probe is sent inside network namespaces this run creates,
# through lab.sh (xbc<pid>s-*, xbc<pid>m-*) or bench_rtt.sh (xb<pid>-*),
# to 198.18.0.0/15 and 2001:2::/48 only; all of them, the worktree and
# the temporary files are removed on exit. The one root-namespace sysctl
# touched is lab.sh's net.ipv4.route.error_cost, which lab_down restores.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Sourced, they define their lab and per-run functions and measure
# nothing: the same code make bench runs, for a binary of our choice
# shellcheck source=scripts/bench_scan.sh
source "$HERE/bench_scan.sh"
# shellcheck source=scripts/bench_monitor.sh
source "$HERE/bench_monitor.sh"
ROOT=$(cd "$HERE/.." && pwd)

QUICK=${QUICK:-0}
ROUNDS=${ROUNDS:-3}
MON_SECS=${MON_SECS:-60}
if [[ $QUICK == 1 ]]; then
	ROUNDS=1
	MON_SECS=20
fi
RTT_RUNS=${RTT_RUNS:-$((2 * ROUNDS))}
SCAN_RATE=${SCAN_RATE:-400000}

die() { echo "bench_compare: $*" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || die "needs root (network namespaces)"
[[ $ROUNDS =~ ^[1-9]$ ]] || die "ROUNDS: '$ROUNDS' is not 1..9"
[[ $RTT_RUNS =~ ^[1-9][0-9]?$ ]] || die "RTT_RUNS: '$RTT_RUNS' is not 1..99"
[[ $MON_SECS =~ ^[1-9][0-9]*$ ]] || die "MON_SECS: '$MON_SECS' is not a number of seconds"
[[ $SCAN_RATE =~ ^[1-9][0-9]*$ ]] || die "SCAN_RATE: '$SCAN_RATE' is not a rate"
command -v scamper >/dev/null || die "scamper is not installed (scripts/install-deps.sh)"
BASE_REV=${1:-$(git -C "$ROOT" merge-base HEAD main)} || die "no merge-base of HEAD and main"
BASE_SHA=$(git -C "$ROOT" rev-parse -q --verify "$BASE_REV^{commit}") ||
	die "no such revision: $BASE_REV"

TOP=$(mktemp -d /tmp/bench_compare.XXXXXX) || die "mktemp"
WORK=$TOP/scan # where bench_scan.sh's functions keep their files
TREE=$TOP/base-tree
SCAN_PREFIX=xbc$$s-
MON_PREFIX=xbc$$m-
RTT_PID=
RESULTS=$TOP/results.tsv
: >"$RESULTS"
fail=0

# shellcheck disable=SC2317 # reached through the EXIT trap
cleanup()
{
	[[ $BASHPID == "$$" ]] || return 0
	if [[ -n $MON_PID ]] && kill -0 "$MON_PID" 2>/dev/null; then kill -9 "$MON_PID" 2>/dev/null; fi
	# bench_rtt.sh removes its own lab on TERM
	if [[ -n $RTT_PID ]] && kill -0 "$RTT_PID" 2>/dev/null; then
		kill "$RTT_PID" 2>/dev/null
		wait "$RTT_PID" 2>/dev/null
	fi
	LAB_QUIET=1 lab_down "$SCAN_PREFIX"
	LAB_QUIET=1 lab_down "$MON_PREFIX"
	[[ ! -e $TREE ]] || git -C "$ROOT" worktree remove --force "$TREE" >/dev/null 2>&1
	git -C "$ROOT" worktree prune
	rm -rf "$TOP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# rec METRIC BINARY ROUND VALUE: one measurement for the summary; ROUND
# "all" is a value over every round (the trace's pooled probes)
rec() { printf '%s\t%s\t%s\t%s\n' "$@" >>"$RESULTS"; }
now() { date +%s; }
T_START=$(now)

# --- the two binaries ------------------------------------------------------------
echo "== building: after = this checkout, base = $BASE_REV ($(git -C "$ROOT" log -1 --format='%h %s' "$BASE_SHA"))"
make -C "$ROOT" build/xhop >"$TOP/after.build" 2>&1 ||
	die "make build/xhop in $ROOT failed: $(tail -n 20 "$TOP/after.build")"
mkdir -p "$TOP/after" "$TOP/base"
cp "$ROOT/build/xhop" "$TOP/after/xhop" || die "copy of build/xhop"
HEAD_AT_BUILD=$(git -C "$ROOT" rev-parse HEAD)
# the sources of the binary that differ from HEAD: "after" is what is on disk
DIRTY=$(git -C "$ROOT" status --porcelain --untracked-files=no -- user bpf include Makefile | wc -l)
AFTER_DESC="$(git -C "$ROOT" rev-parse --short HEAD)$( ((DIRTY)) && echo " + $DIRTY modified source files")"
git -C "$ROOT" worktree add --detach "$TREE" "$BASE_SHA" >"$TOP/base.build" 2>&1 ||
	die "git worktree add: $(tail -n 5 "$TOP/base.build")"
make -C "$TREE" -j2 build/xhop >>"$TOP/base.build" 2>&1 ||
	die "make -j2 build/xhop of $BASE_REV failed: $(tail -n 20 "$TOP/base.build")"
cp "$TREE/build/xhop" "$TOP/base/xhop" || die "copy of the base's build/xhop"
git -C "$ROOT" worktree remove --force "$TREE" && git -C "$ROOT" worktree prune
declare -A BIN=([base]=$TOP/base/xhop [after]=$TOP/after/xhop)
echo "after: $AFTER_DESC; base: $(git -C "$ROOT" rev-parse --short "$BASE_SHA")$(
	cmp -s "${BIN[base]}" "${BIN[after]}" && echo " (the same binary, byte for byte)")"
echo "$(uname -r), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg);" \
	"$ROUNDS round(s), ABBA order"
T_BUILT=$(now)
echo

# order ROUND ITEM..: the items, reversed in every second round (ABBA)
order()
{
	local r=$1 i
	shift
	if ((r % 2)); then
		printf '%s\n' "$@"
	else
		for ((i = $#; i >= 1; i--)); do printf '%s\n' "${!i}"; done
	fi
}

# --- scan ------------------------------------------------------------------------
echo "== scan: bench_scan.sh's lab, --rate $SCAN_RATE, --sender raw and the default sender"
mkdir -p "$WORK"
scan_lab_up "$SCAN_PREFIX" || die "the scan lab failed"
NT=$(wc -l <"$WORK/targets")
echo "$NT targets (${PFX[*]})"
printf '%-6s %-7s %-13s %7s %7s %11s %9s %7s\n' round binary "sender" wall_s cpu_s \
	backlog_kpps probes exact
for ((r = 1; r <= ROUNDS; r++)); do
	while read -r b snd; do
		n=$b-$snd-$r
		args=(--rate "$SCAN_RATE")
		[[ $snd == raw ]] && args+=(--sender raw)
		if ! XHOP=${BIN[$b]} run_xhop "$n" "${args[@]}"; then
			printf '%-6s %-7s %-13s failed: %s\n' "$r" "$b" "$snd" "$(head -c 300 "$WORK/$n.err")"
			fail=1
			continue
		fi
		read -r wall _ ut st <"$WORK/$n.time"
		cpu=$(awk -v u="$ut" -v s="$st" 'BEGIN { printf "%.2f", u + s }')
		ex=$(exact "$n")
		probes=$(kv "$WORK/$n.sum" probes_sent)
		rec "scan_wall_$snd" "$b" "$r" "$wall"
		rec "scan_cpu_$snd" "$b" "$r" "$cpu"
		rec "scan_probes_$snd" "$b" "$r" "$probes"
		rec "scan_exact_$snd" "$b" "$r" "${ex:-0}"
		printf '%-6s %-7s %-13s %7s %7s %11s %9s %7s\n' "$r" "$b" \
			"$snd ($(kv "$WORK/$n.sum" sender))" "$wall" "$cpu" \
			"$(awk -v p="$(kv "$WORK/$n.sum" backlog_pps)" 'BEGIN { printf "%.1f", p / 1000 }')" \
			"$probes" "$ex"
		[[ $ex == "$NT" ]] || inexact "$n"
		# 50k traces of JSON a run: checked, no longer needed
		rm -f "$WORK/$n.out"
	done < <(order "$r" "base raw" "base default" "after raw" "after default")
done
if run_scamper; then
	echo "scamper -p 10000 -c 'trace -P icmp-paris -w 1', once: $SWALL s"
	# the speed-up of each xhop run over that one scamper run
	awk -F'\t' -v s="$SWALL" -v OFS='\t' '$1 ~ /^scan_wall_/ {
		sub(/^scan_wall_/, "scan_speedup_", $1); print $1, $2, $3, s / $4 }' "$RESULTS" \
		>"$TOP/speedup" && cat "$TOP/speedup" >>"$RESULTS"
else
	echo "scamper failed: $(head -c 300 "$WORK/scamper.err")"
	fail=1
fi
rm -f "$WORK/scamper.json"
LAB_QUIET=1 lab_down "$SCAN_PREFIX"
T_SCAN=$(now)
echo

# --- monitor -------------------------------------------------------------------
echo "== monitor: bench_monitor.sh's 1,000 targets, 1 s interval, $MON_SECS s after ${WARM} s of warm-up"
LAB_QUIET=1 lab_up "$MON_PREFIX" || die "the monitor lab failed"
mon_targets "$TOP/targets.mon"
printf '%-6s %-7s %7s %7s %8s %15s %5s %7s %5s\n' round binary cpu_% user_% rss_MB \
	probes/cycle late behind exit
# mon_rec BINARY ROUND DIR: mon_run's numbers into the summary
mon_rec()
{
	local b=$1 r=$2 dir=$3 n secs utime stime hz rss0 rss1 rss_min rss_max series cycles sent
	local late behind scrape rc cpu user rss ppc
	# shellcheck source=/dev/null
	source "$dir/result"
	cpu=$(awk -v u="$utime" -v s="$stime" -v hz="$hz" -v t="$secs" \
		'BEGIN { printf "%.2f", 100 * (u + s) / hz / t }')
	user=$(awk -v u="$utime" -v hz="$hz" -v t="$secs" 'BEGIN { printf "%.2f", 100 * u / hz / t }')
	rss=$(awk -v k="$rss1" 'BEGIN { printf "%.1f", k / 1024 }')
	ppc=$(awk -v p="$sent" -v c="$cycles" 'BEGIN { printf "%.0f", p / c }')
	rec mon_cpu "$b" "$r" "$cpu"
	rec mon_user "$b" "$r" "$user"
	rec mon_rss "$b" "$r" "$rss"
	rec mon_probes "$b" "$r" "$ppc"
	printf '%-6s %-7s %7s %7s %8s %15s %5s %7s %5s\n' "$r" "$b" "$cpu" "$user" "$rss" "$ppc" \
		"$late" "$behind" "$rc"
	# 130: xhop's exit on SIGINT, which is how mon_run ends it
	[[ $rc == 130 || $rc == 0 ]] || fail=1
}
for ((r = 1; r <= ROUNDS; r++)); do
	while read -r b; do
		d=$TOP/mon/$b-$r
		mkdir -p "$d"
		cp "$TOP/targets.mon" "$d/targets"
		if ! mon_run "${BIN[$b]}" "$d" "$MON_SECS" >"$d/log" 2>&1; then
			printf '%-6s %-7s failed: %s\n' "$r" "$b" "$(head -c 300 "$d/log")"
			fail=1
			# it holds the /metrics port the next run needs
			if [[ -n $MON_PID ]]; then
				kill -9 "$MON_PID" 2>/dev/null
				wait "$MON_PID" 2>/dev/null
				MON_PID=
			fi
			continue
		fi
		mon_rec "$b" "$r" "$d"
		# the final report: 1,000 targets' hops, no longer needed
		rm -f "$d/report"
	done < <(order "$r" base after)
done
LAB_QUIET=1 lab_down "$MON_PREFIX"
T_MON=$(now)
echo

# --- trace RTT error ----------------------------------------------------------------
# bench_rtt.sh traces with both binaries itself, alternating run by run
# (-a: ABBA), idle and busy; its own lab, removed by it. In the
# background so that a signal to this script reaches the cleanup at once.
echo "== trace RTT error: bench_rtt.sh, xhop only (base as tool xhop-base), $RTT_RUNS run(s) each"
XHOP=${BIN[after]} "$HERE/bench_rtt.sh" -r "$RTT_RUNS" -a -t xhop-base,xhop \
	-x "xhop-base=${BIN[base]}" -o "$TOP/rtt.pairs" >"$TOP/rtt.log" 2>&1 &
RTT_PID=$!
wait "$RTT_PID"
rtt_rc=$?
RTT_PID=
# its table: the rows and their notes, not the legend
sed -n '/^tool /,/^$/p' "$TOP/rtt.log"
# and any run that failed, and why
grep -E '^bench_rtt: (.*\((idle|busy), run [0-9]+\): |capture )' "$TOP/rtt.log" | head -n 10
if ((rtt_rc)) || [[ ! -s $TOP/rtt.pairs ]]; then
	echo "bench_rtt.sh failed (exit $rtt_rc): $(tail -n 5 "$TOP/rtt.log")"
	fail=1
else
	# Per binary and condition: the median and p99 |error| over all its
	# probes, and per run for the spread; with bench_rtt_analyze.py's own
	# median and nearest-rank percentile
	python3 - "$HERE" "$TOP/rtt.pairs" >>"$RESULTS" <<'EOF'
import sys
sys.path.insert(0, sys.argv[1])
from bench_rtt_analyze import median, pct

pooled, runs = {}, {}
with open(sys.argv[2]) as f:
    next(f)  # header
    for line in f:
        tool, cond, run, *_, err = line.rstrip("\n").split("\t")
        b = "after" if tool == "xhop" else "base"
        pooled.setdefault((b, cond), []).append(abs(float(err)))
        runs.setdefault((b, cond), {}).setdefault(int(run), []).append(abs(float(err)))
for (b, cond), errs in pooled.items():
    for stat, fn in (("med", median), ("p99", lambda xs: pct(xs, 99))):
        print(f"rtt_{stat}_{cond}\t{b}\tall\t{fn(errs):.3f}")
        for i, run in enumerate(sorted(runs[(b, cond)]), 1):
            print(f"rtt_{stat}_{cond}\t{b}\t{i}\t{fn(runs[(b, cond)][run]):.3f}")
EOF
fi
T_RTT=$(now)
echo

# --- summary ---------------------------------------------------------------------
python3 - "$RESULTS" "$ROUNDS" "$NT" "$RTT_RUNS" <<'EOF'
import statistics
import sys

# key, label, better (lower / higher), words for better / worse, decimals
METRICS = [
    ("scan_wall_raw", "scan wall s, --sender raw", "lower", "faster", "slower", 2),
    ("scan_wall_default", "scan wall s, default sender", "lower", "faster", "slower", 2),
    ("scan_cpu_raw", "scan CPU s (user+sys), raw", "lower", "faster", "slower", 2),
    ("scan_cpu_default", "scan CPU s (user+sys), default", "lower", "faster", "slower", 2),
    ("scan_probes_raw", "scan probes, raw", "lower", "fewer", "more", 0),
    ("scan_probes_default", "scan probes, default", "lower", "fewer", "more", 0),
    ("scan_exact_raw", "scan exact targets (worst round), raw", "higher", "more", "fewer", 0),
    ("scan_exact_default", "scan exact targets (worst round), default", "higher", "more", "fewer", 0),
    ("scan_speedup_raw", "xhop/scamper speed-up, raw", "higher", "faster", "slower", 1),
    ("scan_speedup_default", "xhop/scamper speed-up, default", "higher", "faster", "slower", 1),
    ("mon_cpu", "monitor CPU % of one core (user+sys)", "lower", "faster", "slower", 1),
    ("mon_user", "monitor user CPU %", "lower", "faster", "slower", 2),
    ("mon_rss", "monitor RSS at end, MB", "lower", "smaller", "larger", 1),
    ("mon_probes", "monitor probes per cycle", "lower", "fewer", "more", 0),
    ("rtt_med_idle", "trace RTT median |error| us, idle", "lower", "better", "worse", 2),
    ("rtt_med_busy", "trace RTT median |error| us, busy", "lower", "better", "worse", 2),
    ("rtt_p99_idle", "trace RTT p99 |error| us, idle", "lower", "better", "worse", 1),
    ("rtt_p99_busy", "trace RTT p99 |error| us, busy", "lower", "better", "worse", 1),
]
rounds = int(sys.argv[2])
data = {}
for line in open(sys.argv[1]):
    m, b, r, v = line.rstrip("\n").split("\t")
    data.setdefault(m, {}).setdefault(b, {})[r] = float(v)


def headline(key, per):
    if "all" in per:
        return per["all"]
    vals = [v for r, v in per.items() if r != "all"]
    # the exactness that counts is the worst round's
    return min(vals) if key.startswith("scan_exact") else statistics.median(vals)


def spread(per):
    vals = [v for r, v in per.items() if r != "all"]
    if len(vals) < 2:
        return None
    return max(vals) / min(vals) if min(vals) > 0 else float("inf")


rows = [("metric", "base", "after", "after/base", "spread", "verdict")]
for key, label, better, good, bad, dec in METRICS:
    d = data.get(key, {})
    if "base" not in d or "after" not in d:
        rows.append((label, "n/a", "n/a", "", "", "missing: a run failed"))
        continue
    hb, ha = headline(key, d["base"]), headline(key, d["after"])
    ratio = ha / hb if hb else (1.0 if ha == hb else float("inf"))
    spreads = [s for s in (spread(d["base"]), spread(d["after"])) if s is not None]
    sp = max(spreads) if spreads else None
    if ha == hb:
        verdict = "same"
    elif sp is None:
        verdict = "n/a (1 round: no spread)"
    elif max(ratio, 1 / ratio) <= sp:
        verdict = "within noise"
    else:
        verdict = good if (ratio < 1) == (better == "lower") else bad
    # a ratio that rounds to 1 but is not (17 targets of 50,176) shows its digits
    rtxt = f"{ratio:.3f}" if ha == hb or round(ratio, 3) != 1 else f"{ratio:.5f}"
    rows.append((label, f"{hb:,.{dec}f}", f"{ha:,.{dec}f}", rtxt,
                 "" if sp is None else f"{sp:.3f}", verdict))
w = [max(len(r[i]) for r in rows) for i in range(6)]
print("== summary")
for i, r in enumerate(rows):
    print(f"{r[0]:<{w[0]}}  {r[1]:>{w[1]}}  {r[2]:>{w[2]}}  {r[3]:>{w[3]}}  {r[4]:>{w[4]}}  {r[5]}")
    if i == 0:
        print("  ".join("-" * x for x in w))
print()
print(f"{rounds} round(s) per binary, ABBA order. base, after: the median over the rounds;")
print(f"scan exact: the worst round (of {sys.argv[3]} targets); trace: over all probes of the")
print(f"binary, its rounds being bench_rtt.sh's {sys.argv[4]} runs. spread: the largest max/min among one")
print("binary's rounds (base's or after's). Verdict: \"within noise\" when after/base lies")
print("within [1/spread, spread], i.e. the two differ by no more than one binary's rounds")
print("differ among themselves; otherwise faster/slower (better/worse, ...) by the ratio.")
EOF
T_END=$(now)
echo
echo "took $((T_END - T_START)) s: build $((T_BUILT - T_START)) s, scan $((T_SCAN - T_BUILT)) s," \
	"monitor $((T_MON - T_SCAN)) s, trace $((T_RTT - T_MON)) s"
# others commit in this checkout too: say when "after" is no longer HEAD
[[ $(git -C "$ROOT" rev-parse HEAD) == "$HEAD_AT_BUILD" ]] ||
	echo "note: HEAD moved to $(git -C "$ROOT" rev-parse --short HEAD) during the run;" \
		"after is the tree as built at the start ($AFTER_DESC)"
((fail)) && echo "bench_compare: some runs failed (above); their metrics are n/a or from fewer rounds"
exit "$fail"
