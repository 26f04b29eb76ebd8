#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# xhop scan --mda (Diamond-Miner) against the simulated Internet's
# diamonds (xhop-sim --seed 7 --lb 60: a load balancer in 60% of the
# segments, up to 4 wide, nested, meshed, of unequal length; silent
# routers, unreachable prefixes, dead addresses; scripts/sim_lab.sh), in
# one run:
#   - the scan of every /24 of 198.18.0.0/16 (256; 198.19.0.0/16 holds
#     the simulator's routers, whose addresses would pass for a prefix's
#     destination) and N6 /64s of 2001:2:0::/48, UDP, at each --rate of
#     RATES: wall time, CPU, resident memory, probes, the rate while probes
#     were due, drops, rounds, retries;
#   - its links per prefix against `xhop-sim truth --links --over-silent`
#     (tests/e2e/sim_mda_check.py: the links between one flow's answers,
#     silent routers stepped over, for flows over the prefix's first 256
#     addresses, the destination one node named by the prefix): truth's
#     links found, false links (must be 0), probes per truth link, the
#     share of complete prefixes against the share 95% per interface
#     promises (mean of 0.95^B, B the balancers truth shows), z its
#     distance in standard deviations;
#   - xhop multipath over SAMPLE of the prefixes (address .1 or ::1), one
#     after the other, against the scan's objects for the same prefixes:
#     probes, links found, probes per truth link;
#   - the same scan with the simulator's ICMP rate limit on (2,000 answers
#     per second per interface, bursts of 20), the first rate: what
#     answers dropped on purpose do to the links (a rate-limited router
#     looks silent to a flow: a link across it would not be one of
#     truth's; the scan makes none where its loss estimate, shared by
#     every prefix, can explain the silence).
# The responder, the receiver and the sender share this machine's CPUs.
#
# Usage: scripts/bench_sim_mda.sh [-q] [N6 [RATES [SAMPLE]]]   (as root)
#   defaults: 4000 /64s, RATES "200000 400000", SAMPLE 40
#   -q: a smoke run (64 /24s, 500 /64s, rate 100000, sample 10)
# Safety: only 198.18.0.0/15 and 2001:2::/48, namespaces xbmda<pid>-*,
# removed on exit; nothing probes from the root namespace.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
# shellcheck source=scripts/sim_lab.sh
source "$HERE/sim_lab.sh"
XHOP=${XHOP:-$ROOT/build/xhop}
CHECK=$ROOT/tests/e2e/sim_mda_check.py

N4=256 N6=4000 RATES="200000 400000" SAMPLE=40
if [[ ${1:-} == -q ]]; then
	N4=64 N6=500 RATES=100000 SAMPLE=10
	shift
fi
N6=${1:-$N6}
RATES=${2:-$RATES}
SAMPLE=${3:-$SAMPLE}
TOPO="--seed 7 --lb 60"
LIMIT="--rate 2000 --burst 20"

die() { echo "bench_sim_mda: $*" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || die "needs root (network namespaces)"
for f in "$XHOP" "$SIM" "$SIM_PASS_OBJ"; do
	[[ -e $f ]] || die "$f missing: run make"
done
((N6 >= 0 && N6 < 0xfffd)) || die "N6: 0 to 65532 /64s"

WORK=$(mktemp -d /tmp/bench_sim_mda.XXXXXX)
sim_lab_traps "$WORK"

sim_lab_up "xbmda$$" || die "the simulator's namespaces"
# sim_start ARGS...: the responder with the bench's topology (and ARGS)
sim_start()
{
	# shellcheck disable=SC2086 # TOPO is words
	SIM_OUT=$WORK/sim.out SIM_ERR=$WORK/sim.err sim_lab_start $TOPO "$@" ||
		die "xhop-sim attach: $(cat "$WORK/sim.err")"
	sim_lab_pass off # xhop attaches its own program
}
sim_start
nsp() { ip netns exec "$SIM_PNS" "$@"; }
kv() { python3 -c 'import json,sys; s=json.loads(open(sys.argv[1]).read().splitlines()[-1]); print(s[sys.argv[2]])' "$@"; }
jf() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$@"; }
py() { python3 -c "print($1)"; }

python3 - "$WORK/prefixes" "$N4" "$N6" <<'EOF'
import random, sys
r = random.Random(7)
n4, n6 = int(sys.argv[2]), int(sys.argv[3])
with open(sys.argv[1], "w") as f:
    for i in sorted(r.sample(range(256), n4)):
        f.write("198.18.%d.0/24\n" % i)
    for g in sorted(r.sample(range(1, 0xfffe), n6)):
        f.write("2001:2:0:%x::/64\n" % g)
EOF
NP=$(wc -l <"$WORK/prefixes")
echo "xhop scan --mda against xhop-sim $TOPO: $N4 /24s + $N6 /64s, UDP, $(uname -r), $(nproc) cores"

# truth once, for every run (sim_mda_check.py reads it from $WORK/truth)
start=$(date +%s.%N)
# shellcheck disable=SC2086 # TOPO is words
"$SIM" truth $TOPO --links --over-silent - <"$WORK/prefixes" >"$WORK/truth" ||
	die "xhop-sim truth --over-silent failed"
echo "truth: $(grep -vc '^#' "$WORK/truth") links by TTL over $NP prefixes (the table counts" \
	"address pairs), $(py "round($(date +%s.%N) - $start, 1)") s to compute"

# scan NAME RATE: one scan of every prefix; $WORK/NAME.{json,sum,err,time,check}
scan()
{
	/usr/bin/time -f "%e %M %U %S" -o "$WORK/$1.time" ip netns exec "$SIM_PNS" "$XHOP" scan \
		--mda -U --blocklist /dev/null --targets "$WORK/prefixes" --rate "$2" --wait 1 \
		--output "$WORK/$1.json" --summary "$WORK/$1.sum" 2>"$WORK/$1.err" ||
		die "xhop scan --mda: $(tail -n 3 "$WORK/$1.err")"
	python3 "$CHECK" "$SIM" "$TOPO" "$WORK/$1.json" "$WORK/truth" >"$WORK/$1.check"
}

# row NAME LABEL: its line of the table
row()
{
	local s=$WORK/$1.sum c wall rss usr sys
	c=$(tail -n 1 "$WORK/$1.check")
	read -r wall rss usr sys <"$WORK/$1.time"
	printf '%-11s %6s %5s %4s %6s %9s %7s %7s %6s %5s %6s %5s %11s %5s %8s %8s %6s\n' "$2" \
		"$wall" "$(py "round($usr + $sys, 1)")" "$((rss / 1024))" \
		"$(py "round($(kv "$s" backlog_pps) / 1000, 1)")" "$(kv "$s" probes_sent)" \
		"$(kv "$s" retries)" \
		"$(py "round($(kv "$s" probes_sent) / $NP, 1)")" \
		"$(py "round($(kv "$s" probes_sent) / max($(jf "$c" found), 1), 2)")" \
		"$(kv "$s" rounds_per_prefix)" "$(kv "$s" rounds_max)" \
		"$(py "$(kv "$s" ring_drops) + $(kv "$s" send_errors) + $(kv "$s" driver_drops)")" \
		"$(jf "$c" found)/$(jf "$c" truth_links)" "$(jf "$c" false)" \
		"$(py "round(100 * $(jf "$c" complete) / $NP, 1)")%" \
		"$(py "round(100 * $(jf "$c" promised) / $NP, 1)")%" "$(jf "$c" z)"
}

printf '%-11s %6s %5s %4s %6s %9s %7s %7s %6s %5s %6s %5s %11s %5s %8s %8s %6s\n' rate wall_s \
	cpu_s MB kpps probes retries per_pfx p/link rnds r_max drops links false complete \
	promised z
for r in $RATES; do
	scan "scan-$r" "$r"
	row "scan-$r" "$r"
done
echo "(kpps: the rate while probes were due; p/link: probes per truth link found; rnds:"
echo " rounds per prefix; links: truth's found; complete: prefixes with every link and"
echo " none false; promised: the mean of 0.95^B, B the balancers on the way; z: the"
echo " complete count's distance from the promised one in standard deviations)"
sim_lab_stop >/dev/null
grep -E "^(rate_limited|refused) " "$WORK/sim.out" | paste -sd ' ' |
	sed 's/^/simulator dropped on purpose or for want of room: /'

# --- xhop multipath over a sample, against the scan's objects ----------------------
first=${RATES%% *}
sim_start
python3 - "$WORK/prefixes" "$SAMPLE" "$WORK/sample" <<'EOF'
import random, sys
p = [l.strip() for l in open(sys.argv[1])]
with open(sys.argv[3], "w") as f:
    for x in random.Random(3).sample(p, min(int(sys.argv[2]), len(p))):
        f.write(x + "\n")
EOF
: >"$WORK/mp.json"
start=$(date +%s.%N)
while read -r p; do
	if [[ $p == *:* ]]; then a=${p%%::/*}::1; fam=6; else a=${p%.0/*}.1; fam=4; fi
	nsp "$XHOP" multipath -n --json -U -w 0.5,10 "-$fam" "$a" 2>/dev/null |
		python3 -c 'import json,sys; o=json.loads(sys.stdin.read()); o["dst"]=sys.argv[1]; print(json.dumps(o))' "$p" \
		>>"$WORK/mp.json"
done <"$WORK/sample"
mp_wall=$(py "round($(date +%s.%N) - $start, 1)")
grep -F -f <(sed 's/.*/"dst":"&"/' "$WORK/sample") "$WORK/scan-$first.json" >"$WORK/scan-sample.json"
python3 "$CHECK" "$SIM" "$TOPO" "$WORK/mp.json" "$WORK/truth" >"$WORK/mp.check"
python3 "$CHECK" "$SIM" "$TOPO" "$WORK/scan-sample.json" "$WORK/truth" >"$WORK/ss.check"
for n in ss mp; do
	c=$(tail -n 1 "$WORK/$n.check")
	label="scan --mda (its objects for the sample, run above)"
	[[ $n == mp ]] && label="xhop multipath, one after the other, $mp_wall s"
	echo "$(jf "$c" prefixes) sampled prefixes, $label: $(jf "$c" probes) probes," \
		"links $(jf "$c" found)/$(jf "$c" truth_links), false $(jf "$c" false)," \
		"$(py "round($(jf "$c" probes) / max($(jf "$c" found), 1), 2)") probes per link," \
		"$(jf "$c" complete) complete"
done
sim_lab_stop >/dev/null

# --- the simulator's rate limit on -------------------------------------------------
# shellcheck disable=SC2086 # LIMIT is words
sim_start $LIMIT
scan limited "$first"
printf '%-11s %6s %5s %4s %6s %9s %7s %7s %6s %5s %6s %5s %11s %5s %8s %8s %6s\n' "rate-limit" \
	wall_s cpu_s MB kpps probes retries per_pfx p/link rnds r_max drops links false complete \
	promised z
row limited "$first"
sim_lab_stop >/dev/null
grep -E "^(rate_limited|refused) " "$WORK/sim.out" | paste -sd ' ' |
	sed "s/^/simulator ($LIMIT) dropped: /"
