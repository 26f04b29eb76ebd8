#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# xhop scan's traces as warts against the same traces as scamper JSON, on
# the lab and target list of scripts/bench_scan.sh (50,176 targets):
#   - bytes per trace: one scan writing its JSON to stdout and, of the
#     very same traces, warts with --warts FILE;
#   - time per trace: the scan written as --format json and as --format
#     warts, ROUNDS runs of each interleaved, the CPU time (user + sys) of
#     xhop per trace (the wall time is the probing's, the same for both);
#   - that scamper reads it: sc_warts2json gives as many traces;
#   - the encoders alone (build/bench/trace_out): one made-up trace written
#     as JSON and as warts into /dev/null, ns and bytes per trace.
#
# Usage: scripts/bench_warts.sh [-q]   (as root; -q: a smoke run, every
# 49th target, one round)
# Safety: only 198.18.0.0/15 and 2001:2::/48, namespaces xbw<pid>-*,
# removed on exit; nothing probes from the root namespace.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/bench_scan.sh
source "$HERE/bench_scan.sh"

QUICK=0
[[ ${1:-} == -q ]] && QUICK=1
ROUNDS=3
RATE=50000
((QUICK)) && ROUNDS=1

bench_start bench_warts "xbw$$-"
TRACE_OUT=$ROOT/build/bench/trace_out
[[ -x $TRACE_OUT ]] || die "$TRACE_OUT missing: run make bench"
command -v sc_warts2json >/dev/null || die "sc_warts2json missing (scripts/install-deps.sh: scamper)"

echo "== the encoders alone (bench/trace_out.c)"
if ((QUICK)); then "$TRACE_OUT" 20000 3; else "$TRACE_OUT" 200000 7; fi || die "trace_out failed"
echo

scan_lab_up "$PREFIX" || die "lab_up failed"
if ((QUICK)); then
	awk 'NR % 49 == 0' "$WORK/targets" >"$WORK/t" && mv "$WORK/t" "$WORK/targets"
fi
N=$(wc -l <"$WORK/targets")
echo "== xhop scan: warts against scamper JSON, $N targets, --rate $RATE, $(uname -r), $(nproc) cores"

# --- bytes: one scan, both outputs of the same traces --------------------------
run_xhop both --rate "$RATE" --warts "$WORK/both.warts" || die "scan failed: $(tail -3 "$WORK/both.err")"
done=$(kv "$WORK/both.sum" targets_done)
jb=$(stat -c %s "$WORK/both.out")
wb=$(stat -c %s "$WORK/both.warts")
nw=$(sc_warts2json "$WORK/both.warts" | grep -c '"type":"trace"')
[[ $nw == "$done" ]] || die "sc_warts2json read $nw traces of $done"
python3 - "$done" "$jb" "$wb" <<'EOF'
import sys
n, j, w = (int(x) for x in sys.argv[1:])
print(f"bytes per trace ({n} traces, one run): JSON {j / n:.0f}, warts {w / n:.0f} "
      f"(warts/JSON {w / j:.2f}); sc_warts2json reads all {n}")
EOF

# --- time: the scan as JSON and as warts, interleaved -----------------------------
for r in $(seq "$ROUNDS"); do
	for f in json warts; do
		run_xhop "$f$r" --rate "$RATE" --format "$f" ||
			die "$f scan failed: $(tail -3 "$WORK/$f$r.err")"
	done
done
python3 - "$WORK" "$ROUNDS" <<'EOF'
import json, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
def run(name):
    wall, rss, user, sys_ = (float(x) for x in open(f"{work}/{name}.time").read().split()[-4:])
    s = json.loads(open(f"{work}/{name}.sum").read().splitlines()[-1])
    return (user + sys_) / s["targets_done"] * 1e6, wall, rss
for f in ("json", "warts"):
    runs = [run(f"{f}{r}") for r in range(1, rounds + 1)]
    cpu = statistics.median(r[0] for r in runs)
    print(f"{f:5}: CPU {cpu:6.1f} us per trace (median of {rounds}; all {[round(r[0], 1) for r in runs]}), "
          f"wall {statistics.median(r[1] for r in runs):.2f} s, max RSS {max(r[2] for r in runs) / 1024:.0f} MiB")
EOF
