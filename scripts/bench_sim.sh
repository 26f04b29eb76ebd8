#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# xhop scan against the simulated Internet (xhop-sim, scripts/sim_lab.sh),
# in one run:
#   - the ceiling: the fastest bare sender (bench/flood.c: live frames,
#     else AF_XDP, else AF_PACKET) flooding probes that expire at TTL 1
#     and at TTL 12, answers counted by an XDP program, nothing else;
#   - xhop scan of N4 IPv4 addresses (default: all 131,072 of
#     198.18.0.0/15) and N6 IPv6 ones under 2001:2:0::/48, with and
#     without Doubletree: wall time, probe and answer rates (the rate it
#     drove the simulator at, as a share of the ceiling), probes per
#     target and per interface, resident memory, ring and send drops, and
#     the answers the simulator dropped on purpose (none unless --rate);
#   - exactness: a random sample of the traces against `xhop-sim truth`
#     of each one's flow (tests/e2e/sim_check.py);
#   - scamper (icmp-paris, -p 10000) over the same sample: time and probes,
#     against xhop's on the sample's share.
# The responder, the receiver and the sender share this machine's CPUs.
#
# Usage: scripts/bench_sim.sh [-q] [N4 [N6 [SAMPLE]]]   (as root)
#   -q: a smoke run (2,000 + 1,000 targets, sample 300)
# Safety: only 198.18.0.0/15 and 2001:2::/48, namespaces xbsim<pid>-*,
# removed on exit; nothing probes from the root namespace.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
# shellcheck source=scripts/sim_lab.sh
source "$HERE/sim_lab.sh"
XHOP=${XHOP:-$ROOT/build/xhop}
FLOOD=$ROOT/build/bench/flood

N4=131072 N6=200000 SAMPLE=2000 RATE=200000
if [[ ${1:-} == -q ]]; then
	N4=2000 N6=1000 SAMPLE=300 RATE=50000
	shift
fi
N4=${1:-$N4}
N6=${2:-$N6}
SAMPLE=${3:-$SAMPLE}
TOPO=(--seed 1)

die() { echo "bench_sim: $*" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || die "needs root (network namespaces)"
for f in "$XHOP" "$SIM" "$SIM_PASS_OBJ" "$FLOOD"; do
	[[ -e $f ]] || die "$f missing: run make bench"
done
command -v scamper >/dev/null || die "scamper is not installed (scripts/install-deps.sh)"

WORK=$(mktemp -d /tmp/bench_sim.XXXXXX)
trap '[[ $BASHPID != "$$" ]] || { sim_lab_down; rm -rf "$WORK"; }' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

sim_lab_up "xbsim$$" || die "the simulator's namespaces"
SIM_OUT=$WORK/sim.out SIM_ERR=$WORK/sim.err sim_lab_start "${TOPO[@]}" ||
	die "xhop-sim attach: $(cat "$WORK/sim.err")"
nsp() { ip netns exec "$SIM_PNS" "$@"; }
kv() { python3 -c 'import json,sys; s=json.loads(open(sys.argv[1]).read().splitlines()[-1]); print(s[sys.argv[2]])' "$@"; }
py() { python3 -c "print($1)"; }

echo "xhop scan against xhop-sim ${TOPO[*]}: $N4 IPv4 + $N6 IPv6 targets, $(uname -r), $(nproc) cores"

# --- the ceiling ----------------------------------------------------------------
sim_lab_pass off # the flood brings its own counting program
CEIL=0
for ttl in 1 12; do
	read -r _ offered secs _ answered _ sender < <(nsp "$FLOOD" 198.18.0.1 2 "$ttl" 0 \
		2>"$WORK/flood.err") || die "flood: $(cat "$WORK/flood.err")"
	got=$(py "round($answered / $secs)")
	echo "bare sender ($sender), TTL $ttl: offered $(py "round($offered / $secs)")/s," \
		"$got answers/s back"
	((got > CEIL)) && CEIL=$got
done
echo "ceiling: $CEIL answers/s"

# --- xhop scan --------------------------------------------------------------------
python3 - "$WORK/targets" "$N4" "$N6" <<'EOF'
import random, sys
r = random.Random(1)
n4, n6 = int(sys.argv[2]), int(sys.argv[3])
with open(sys.argv[1], "w") as f:
    hosts = r.sample(range(131072), n4) if n4 < 131072 else range(131072)
    for h in hosts:
        f.write("198.%d.%d.%d\n" % (18 + (h >> 16), (h >> 8) & 255, h & 255))
    for i in range(n6):
        f.write("2001:2:0:%x::%x\n" % (r.randrange(65536), r.randrange(1, 1 << 16)))
EOF
printf '%-16s %8s %9s %9s %9s %8s %9s %7s %7s %6s %6s\n' run wall_s probes replies \
	kpps_run kpps_drv %ceiling per_tgt per_if rss_MB drops
for dt in "" --no-doubletree; do
	n=scan${dt:+-nodt}
	/usr/bin/time -f "%e %M" -o "$WORK/$n.time" ip netns exec "$SIM_PNS" "$XHOP" scan \
		--blocklist /dev/null --targets "$WORK/targets" --rate $RATE --wait 1 $dt \
		--output "$WORK/$n.json" --summary "$WORK/$n.sum" 2>"$WORK/$n.err" ||
		die "xhop scan $dt: $(tail -n 3 "$WORK/$n.err")"
	read -r wall rss <"$WORK/$n.time"
	s=$WORK/$n.sum
	printf '%-16s %8s %9s %9s %9s %8s %8s%% %7s %7s %6s %6s\n' "${dt:-doubletree}" "$wall" \
		"$(kv "$s" probes_sent)" "$(kv "$s" replies)" \
		"$(py "round($(kv "$s" probes_sent) / $wall / 1000, 1)")" \
		"$(py "round($(kv "$s" backlog_pps) / 1000, 1)")" \
		"$(py "round($(kv "$s" backlog_pps) * 100 / max($CEIL, 1))")" \
		"$(py "round($(kv "$s" probes_sent) / $((N4 + N6)), 1)")" \
		"$(kv "$s" probes_per_interface)" "$((rss / 1024))" \
		"$(py "$(kv "$s" ring_drops) + $(kv "$s" send_errors) + $(kv "$s" driver_drops)")"
done
echo "(kpps_run: probes over the whole run, its waits included; kpps_drv: the rate while"
echo " probes were ready beyond the send queue; %ceiling: that as a share of the ceiling;"
echo " drops: ring-buffer, send and driver drops)"
sim_lab_stop >/dev/null
grep -E "^(rate_limited|refused) " "$WORK/sim.out" 2>/dev/null | paste -sd ' ' |
	sed 's/^/simulator dropped on purpose or for want of room: /'
SIM_OUT=$WORK/sim.out SIM_ERR=$WORK/sim.err sim_lab_start "${TOPO[@]}" ||
	die "xhop-sim attach: $(cat "$WORK/sim.err")"

# --- exactness on a sample, and scamper over it ----------------------------------
python3 - "$WORK/scan-nodt.json" "$WORK/sample.json" "$WORK/sample" "$SAMPLE" <<'EOF'
import json, random, sys
traces = [l for l in open(sys.argv[1]) if '"type":"trace"' in l]
pick = random.Random(2).sample(traces, min(int(sys.argv[4]), len(traces)))
with open(sys.argv[2], "w") as f, open(sys.argv[3], "w") as g:
    for l in pick:
        f.write(l)
        g.write(json.loads(l)["dst"] + "\n")
EOF
ns=$(wc -l <"$WORK/sample")
python3 "$ROOT/tests/e2e/sim_check.py" json "$SIM" "${TOPO[*]}" "$WORK/sample.json" \
	>"$WORK/exact.out"
echo "exact (no Doubletree), sample of $ns: $(tail -n 1 "$WORK/exact.out")"
sim_lab_pass on
start=$(date +%s.%N)
(cd "$WORK" && nsp scamper -O json -p 10000 -c "trace -P icmp-paris -w 1" -f "$WORK/sample" \
	>"$WORK/scamper.json" 2>"$WORK/scamper.err") || die "scamper: $(head -c 300 "$WORK/scamper.err")"
swall=$(py "round($(date +%s.%N) - $start, 2)")
sprobes=$(python3 -c '
import json, sys
print(sum(json.loads(l).get("probe_count", 0) for l in open(sys.argv[1]) if "\"trace\"" in l))' \
	"$WORK/scamper.json")
python3 "$ROOT/tests/e2e/sim_check.py" json "$SIM" "${TOPO[*]}" "$WORK/scamper.json" \
	>"$WORK/sc-exact.out"
xw=$(cut -d' ' -f1 "$WORK/scan-nodt.time")
echo "scamper -p 10000 over the sample: $swall s, $sprobes probes;" \
	"$(tail -n 1 "$WORK/sc-exact.out")"
echo "xhop scan (no Doubletree) per target: $(py "round($xw / $((N4 + N6)) * 1000, 3)") ms," \
	"scamper per target: $(py "round($swall / max($ns, 1) * 1000, 3)") ms"
