#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# xhop scan against the simulated Internet (xhop-sim, scripts/sim_lab.sh),
# in one run:
#   - the ceiling: the fastest bare sender (bench/flood.c: live frames,
#     else AF_XDP, else AF_PACKET) flooding probes that expire at TTL 1,
#     at TTL 12, and a scan-like mix (TTLs 1-20 over 256 prefixes, IPv4
#     and IPv6), answers counted by an XDP program, nothing else; best of
#     two rounds each;
#   - xhop scan at the sender's full rate (--rate 10000000: as fast as the
#     sending thread goes) of N4 IPv4 addresses (default: all 131,072 of
#     198.18.0.0/15) and N6 IPv6 ones under 2001:2:0::/48 (default one
#     million), with and without Doubletree: wall time, probe and answer
#     rates (sustained: while probes were ready to leave; and over the
#     whole run), as shares of the ceilings, probes per target and per
#     interface, resident memory (and per million targets), ring and send
#     drops, and the answers the simulator dropped on purpose;
#   - exactness: a random sample (default 10,000) of the traces against
#     `xhop-sim truth` of each one's flow (tests/e2e/sim_check.py);
#   - scamper (icmp-paris, -p 10000, its highest rate) over the same
#     sample: time and probes, against xhop's on the sample's share;
#   - routers that rate-limit as Linux does by default (1,000 ICMP
#     answers a second, bursts of 50): the scan again (no Doubletree), a
#     sample against truth, the hops it missed counted against the
#     answers the simulator dropped (never a hop invented).
# -x: the twelve-million run instead: 12,000,000 IPv6 targets (the routed
# IPv4 /24s' number), Doubletree, full rate, traces as warts to a file
# (JSON would be 3.2 kB a trace here, 38 GB); wall time against
# FlashRoute's 7 minutes for the IPv4 /24s at 200 kpps, rates, RSS.
# The responder, the receiver and the sender share this machine's CPUs.
#
# Usage: scripts/bench_sim.sh [-q | -x] [N4 [N6 [SAMPLE]]]   (as root)
#   -q: a smoke run (2,000 + 1,000 targets at 50,000/s, sample 300)
# Safety: only 198.18.0.0/15 and 2001:2::/48, namespaces xbsim<pid>-*,
# removed on exit; nothing probes from the root namespace.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
# shellcheck source=scripts/sim_lab.sh
source "$HERE/sim_lab.sh"
XHOP=${XHOP:-$ROOT/build/xhop}
FLOOD=$ROOT/build/bench/flood

N4=131072 N6=1000000 SAMPLE=10000 RATE=10000000 BIG=0
if [[ ${1:-} == -q ]]; then
	N4=2000 N6=1000 SAMPLE=300 RATE=50000
	shift
elif [[ ${1:-} == -x ]]; then
	N4=0 N6=12000000 SAMPLE=0 BIG=1
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
sim_lab_traps "$WORK"

sim_lab_up "xbsim$$" || die "the simulator's namespaces"
SIM_OUT=$WORK/sim.out SIM_ERR=$WORK/sim.err sim_lab_start "${TOPO[@]}" ||
	die "xhop-sim attach: $(cat "$WORK/sim.err")"
nsp() { ip netns exec "$SIM_PNS" "$@"; }
kv() { python3 -c 'import json,sys; s=json.loads(open(sys.argv[1]).read().splitlines()[-1]); print(s[sys.argv[2]])' "$@"; }
py() { python3 -c "print($1)"; }

echo "xhop scan against xhop-sim ${TOPO[*]}: $N4 IPv4 + $N6 IPv6 targets, $(uname -r), $(nproc) cores"

# --- the ceiling ----------------------------------------------------------------
sim_lab_pass off # the flood brings its own counting program
CEIL=0 CEIL_MIX=0
declare -A best
floods=("198.18.0.1 1" "198.18.0.1 12" "198.18.0.1 1-20" "2001:2:0:1::1 1-20")
for round in 1 2; do
	for f in "${floods[@]}"; do
		read -r dst ttl <<<"$f"
		read -r _ offered secs _ answered _ sender < <(nsp "$FLOOD" "$dst" 2 "$ttl" \
			2>"$WORK/flood.err") || die "flood: $(cat "$WORK/flood.err")"
		got=$(py "round($answered / $secs)")
		((got > ${best[$f]:-0})) && best[$f]=$got
		((round == 2)) || continue
		echo "bare sender ($sender), $dst TTL $ttl: ${best[$f]} answers/s back" \
			"(best of 2; this round offered $(py "round($offered / $secs)")/s)"
	done
done
for f in "${floods[@]}"; do
	((best[$f] > CEIL)) && CEIL=${best[$f]}
	[[ $f == *-20 ]] && ((best[$f] > CEIL_MIX)) && CEIL_MIX=${best[$f]}
done
echo "ceiling: $CEIL answers/s (the best flood); scan-like mix: $CEIL_MIX answers/s"

# --- xhop scan --------------------------------------------------------------------
sim_lab_targets "$WORK/targets" "$N4" "$N6"
cat "$WORK/targets.v4" "$WORK/targets.v6" >"$WORK/targets" && rm "$WORK/targets.v4" "$WORK/targets.v6"
printf '%-13s %7s %10s %10s %8s %8s %6s %6s %7s %6s %6s %7s %5s\n' run wall_s probes replies \
	kpps_sus kans_sus %ceil %mix kpps_all per_tgt per_if rss_MB drops
# sample FILE N OUT: a random N of FILE's traces into OUT.json, their targets into OUT
sample()
{
	python3 - "$1" "$2" "$3" <<'EOF'
import json, random, sys
# a reservoir: the traces are gigabytes, never all in memory
r, k, pick, n = random.Random(2), int(sys.argv[2]), [], 0
for l in open(sys.argv[1]):
    if '"type":"trace"' not in l:
        continue
    n += 1
    if len(pick) < k:
        pick.append(l)
    elif r.randrange(n) < k:
        pick[r.randrange(k)] = l
with open(sys.argv[3] + ".json", "w") as f, open(sys.argv[3], "w") as g:
    for l in pick:
        f.write(l)
        g.write(json.loads(l)["dst"] + "\n")
EOF
}
# scan NAME [OPTION...]: one xhop scan of the targets, its line of the table
scan()
{
	local n=$1 wall rss s out=$WORK/$1.json fmt=json
	shift
	((BIG)) && out=$WORK/$n.warts fmt=warts
	/usr/bin/time -f "%e %M" -o "$WORK/$n.time" ip netns exec "$SIM_PNS" "$XHOP" scan \
		--blocklist /dev/null --targets "$WORK/targets" --rate $RATE --wait 1 "$@" \
		--format $fmt --output "$out" --summary "$WORK/$n.sum" 2>"$WORK/$n.err" ||
		die "xhop scan $*: $(tail -n 3 "$WORK/$n.err")"
	read -r wall rss <"$WORK/$n.time"
	s=$WORK/$n.sum
	echo "$wall $rss $(stat -c %s "$out")" >"$WORK/$n.size"
	python3 - "$s" "$n" "$wall" "$rss" "$CEIL" "$CEIL_MIX" "$((N4 + N6))" <<'PY'
import json, sys
s = json.loads(open(sys.argv[1]).read().splitlines()[-1])
name, wall, rss, ceil, mix, n = sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), \
    int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
sus = s["backlog_pps"]
ans = sus * s["replies"] / max(s["probes_sent"], 1)
print("%-13s %7.1f %10d %10d %8.1f %8.1f %5.0f%% %5.0f%% %7.1f %6.1f %6.2f %7d %5d" % (
    name, wall, s["probes_sent"], s["replies"], sus / 1e3, ans / 1e3, 100 * ans / max(ceil, 1),
    100 * ans / max(mix, 1), s["probes_sent"] / wall / 1e3, s["probes_sent"] / n,
    s["probes_per_interface"], rss // 1024,
    s["ring_drops"] + s["send_errors"] + s["driver_drops"]))
PY
}
scan doubletree
if ((BIG)); then
	read -r wall rss bytes <"$WORK/doubletree.size"
	echo "$N6 IPv6 targets in $wall s ($(py "round($wall / 60, 2)") min; FlashRoute's IPv4 /24s" \
		"at 200 kpps: 7 min), $((rss / 1024)) MB resident" \
		"($(py "round($rss / 1024 / ($N6 / 1e6))") MB per million targets), warts" \
		"$(py "round($bytes / 1e6)") MB"
else
	# 3.2 kB a trace: only a sample of each run is kept
	sample "$WORK/doubletree.json" "$SAMPLE" "$WORK/sample-dt"
	rm -f "$WORK/doubletree.json"
	scan no-doubletree --no-doubletree
	read -r wall rss bytes <"$WORK/doubletree.size"
	((N4 + N6 < 100000)) || echo "resident: $(py "round($rss / 1024 / (($N4 + $N6) / 1e6))")" \
		"MB per million targets (Doubletree)"
fi
echo "(kpps_sus, kans_sus: probes and answers per second while probes were ready to leave;"
echo " %ceil, %mix: kans_sus as a share of the best flood's and of the scan-like mix's"
echo " answers per second; kpps_all: probes over the whole run, its start and last waits"
echo " included; drops: ring-buffer, send and driver drops)"
sim_lab_stop >/dev/null
grep -E "^(rate_limited|refused) " "$WORK/sim.out" 2>/dev/null | paste -sd ' ' |
	sed 's/^/simulator dropped on purpose or for want of room: /'
((BIG)) && exit 0
SIM_OUT=$WORK/sim.out SIM_ERR=$WORK/sim.err sim_lab_start "${TOPO[@]}" ||
	die "xhop-sim attach: $(cat "$WORK/sim.err")"

# --- exactness on a sample, and scamper over it ----------------------------------
sample "$WORK/no-doubletree.json" "$SAMPLE" "$WORK/sample"
ns=$(wc -l <"$WORK/sample")
python3 "$ROOT/tests/e2e/sim_check.py" json "$SIM" "${TOPO[*]}" "$WORK/sample.json" \
	>"$WORK/exact.out"
echo "exact (no Doubletree), sample of $ns: $(tail -n 1 "$WORK/exact.out")"
python3 "$ROOT/tests/e2e/sim_check.py" json "$SIM" "${TOPO[*]}" "$WORK/sample-dt.json" \
	--inferred-any >"$WORK/exact-dt.out"
echo "exact (Doubletree; its inferred hops in the truth of some flow at their TTL)," \
	"sample of $(wc -l <"$WORK/sample-dt"): $(tail -n 1 "$WORK/exact-dt.out")"
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
xw=$(cut -d' ' -f1 "$WORK/no-doubletree.time")
xprobes=$(python3 -c '
import json, sys
print(sum(json.loads(l).get("probe_count", 0) for l in open(sys.argv[1])))' "$WORK/sample.json")
echo "scamper -p 10000 over the sample: $swall s, $sprobes probes (xhop, no Doubletree:" \
	"$xprobes for the same traces, $(py "round($xprobes / max($sprobes, 1), 2)")x);" \
	"$(tail -n 1 "$WORK/sc-exact.out")"
echo "xhop scan (no Doubletree) per target: $(py "round($xw / $((N4 + N6)) * 1000, 3)") ms," \
	"scamper per target: $(py "round($swall / max($ns, 1) * 1000, 3)") ms" \
	"($(py "round($swall / max($ns, 1) / ($xw / $((N4 + N6))))")x)"

# --- routers that rate-limit: Linux's defaults ---------------------------------------
sim_lab_stop >/dev/null
SIM_OUT=$WORK/sim-rl.out SIM_ERR=$WORK/sim.err sim_lab_start "${TOPO[@]}" --rate 1000 --burst 50 ||
	die "xhop-sim attach --rate 1000 --burst 50: $(cat "$WORK/sim.err")"
sim_lab_pass off
echo "every router limited to 1,000 ICMP answers a second, bursts of 50 (Linux's defaults):"
printf '%-13s %7s %10s %10s %8s %8s %6s %6s %7s %6s %6s %7s %5s\n' run wall_s probes replies \
	kpps_sus kans_sus %ceil %mix kpps_all per_tgt per_if rss_MB drops
scan rate-limited --no-doubletree
sample "$WORK/rate-limited.json" "$SAMPLE" "$WORK/sample-rl"
rm -f "$WORK/rate-limited.json"
sim_lab_stop >/dev/null
python3 "$ROOT/tests/e2e/sim_check.py" json "$SIM" "${TOPO[*]}" "$WORK/sample-rl.json" \
	--missed-ok >"$WORK/exact-rl.out"
echo "exact where answered (rate-limited), sample of $(wc -l <"$WORK/sample-rl"):" \
	"$(tail -n 1 "$WORK/exact-rl.out"); the simulator dropped" \
	"$(sed -n 's/^rate_limited //p' "$WORK/sim-rl.out") answers in the whole run"
