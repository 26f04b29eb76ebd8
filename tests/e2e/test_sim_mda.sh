#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# End to end: xhop scan --mda against xhop-sim's diamonds (--seed 7 --lb
# 60: a load balancer in 60% of the segments, nested, meshed, of unequal
# length, behind silent routers and in front of dead addresses), its links
# per prefix compared with `xhop-sim truth --links --over-silent PREFIX`
# (tests/e2e/sim_mda_check.py: the links between one flow's answers, for
# flows over the prefix's first 256 addresses, the destination one node):
#   1. UDP, 150 /24s of 198.18.0.0/16 and 150 /64s of 2001:2:0::/48 in one
#      scan at --rate 50000: one object per prefix, COMPLETED or UNREACH
#      (the simulator's unreachable prefixes), no false link in any, the
#      count of complete prefixes not below what 95% per interface
#      promises, sum of 0.95^B over the prefixes (B: the balancers truth
#      shows on the way), one-sided at 0.1%; the summary's counts;
#   2. TCP, 60 of those prefixes: the same checks;
#   3. xhop-sim truth --over-silent's bad arguments exit 2.
# IPv4 prefixes stay out of 198.19.0.0/16, where the simulator numbers its
# routers (a router's address inside a prefix would pass for its
# destination). Namespaces xd<pid>-p and -s (scripts/sim_lab.sh), removed
# on exit. Needs root. The last line is "N passed, N failed, N skipped".
set -u

# shellcheck source=tests/e2e/lab_test.sh
source "$(dirname "$0")/lab_test.sh"
SIM=${XHOP_SIM:-$ROOT/build/xhop-sim}
# shellcheck source=scripts/sim_lab.sh
source "$ROOT/scripts/sim_lab.sh"
RUN_LIMIT=60
TOPO="--seed 7 --lb 60"

e2e_require ip ethtool python3 timeout
for f in "$SIM" "$SIM_PASS_OBJ"; do
	[[ -e $f ]] || { fail "$(basename "$f") is built" "run make"; summary; exit 1; }
done

TMP=$(mktemp -d /tmp/xhop-sim-mda.XXXXXX)
sim_lab_traps "$TMP"

# --- truth's arguments -----------------------------------------------------------
for args in "truth --over-silent 198.18.0.0/24" "truth --links --over-silent 198.18.0.0/23" \
	"truth --links --over-silent 2001:2:0:1::/48" "truth --links --over-silent 198.18.0.0/x" \
	"truth --links --over-silent --labels 198.18.0.0/24" "truth --links --over-silent 10.0.0.0/24"; do
	# shellcheck disable=SC2086 # the words of args are the arguments
	expect_usage_error "xhop-sim $args: exit 2 with a message" "$TMP" "$SIM" $args
done

# --- the simulator's lab ---------------------------------------------------------
if ! sim_lab_up "xd$$"; then
	fail "namespaces and veth are up"
	summary
	exit 1
fi
# shellcheck disable=SC2086 # TOPO is words
if ! SIM_OUT=$TMP/sim.out SIM_ERR=$TMP/sim.err sim_lab_start $TOPO; then
	fail "xhop-sim attach s0" "$(cat "$TMP/sim.err")"
	summary
	exit 1
fi
sim_lab_pass off # xhop attaches its own program

python3 - "$TMP/prefixes" <<'EOF'
import random, sys
r = random.Random(12)
with open(sys.argv[1], "w") as f:
    for i in r.sample(range(256), 150):
        f.write("198.18.%d.0/24\n" % i)
    for g in r.sample(range(0xfffe), 150):
        f.write("2001:2:0:%x::/64\n" % g)
EOF

# mda NAME METHOD TARGETS: a scan, bounded; $TMP/NAME.{json,sum,err}, RC
mda()
{
	ip netns exec "$SIM_PNS" timeout -k 2 "$RUN_LIMIT" "$XHOP" scan --mda "$2" \
		--blocklist /dev/null --targets "$3" --rate 50000 --wait 1 \
		--output "$TMP/$1.json" --summary "$TMP/$1.sum" 2>"$TMP/$1.err"
	RC=$?
}

# judge NAME N: the checks of one scan of N prefixes
judge()
{
	local name=$1 n=$2 res
	expect_eq "$name: exit 0" "$RC" 0
	expect_eq "$name: one object per prefix" "$(grep -c '"type":"tracelb"' "$TMP/$name.json")" "$n"
	res=$(python3 "$HERE/sim_mda_check.py" "$SIM" "$TOPO" "$TMP/$name.json")
	echo "     ($name: $(tail -n 1 <<<"$res"))"
	check "$name: no false link, complete at least as often as promised" python3 -c '
import json, sys
r = json.loads(sys.argv[1].splitlines()[-1])
assert r["prefixes"] == int(sys.argv[2]), r["prefixes"]
assert r["false"] == 0, "%d false links" % r["false"]
assert r["bound_ok"], "%d complete, promised %.1f (z %.2f)" % (r["complete"], r["promised"], r["z"])
assert set(r["stops"]) <= {"COMPLETED", "UNREACH"}, r["stops"]
assert r["found"] >= 0.9 * r["truth_links"], (r["found"], r["truth_links"])
' "$res" "$n" || printf '%s\n' "$res" | head -20 | sed 's/^/     | /'
	check "$name: summary counts prefixes, links, probes per link" python3 -c '
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
s = json.loads(open(sys.argv[2]).read().splitlines()[-1])
assert s["mda"] is True and s["targets_done"] == len(objs) == int(sys.argv[3]), s
links = sum(o["linkc"] for o in objs)
assert s["links"] == links and s["probes_sent"] == sum(o["probec"] for o in objs)
assert abs(s["probes_per_link"] - s["probes_sent"] / links) < 0.01
assert s["ring_drops"] == 0 and s["send_errors"] == 0, s
' "$TMP/$name.json" "$TMP/$name.sum" "$n"
}

# 1. UDP, 300 prefixes
mda udp -U "$TMP/prefixes"
judge udp 300

# 2. TCP, 60 of them
{
	head -n 30 "$TMP/prefixes"
	tail -n 30 "$TMP/prefixes"
} >"$TMP/prefixes.tcp"
mda tcp -T "$TMP/prefixes.tcp"
judge tcp 60

sim_lab_stop
expect_eq "xhop-sim attach: exit 0 on SIGTERM" "$?" 0
expect_match "the simulator dropped nothing on purpose" "$(cat "$TMP/sim.out")" "^rate_limited 0$"

summary
