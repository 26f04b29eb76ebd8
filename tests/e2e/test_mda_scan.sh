#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# End to end: xhop scan --mda (Diamond-Miner) on the multipath lab
# (scripts/lab_mp.sh: a 4-way diamond, a nested diamond of unequal
# branches, a diamond with a silent router), whose dst answers the four
# /24s of 198.19.8.0/22 and the four /64s of 2001:2:0:108::/62, every one
# routed through the same diamonds.
#   1. UDP, TCP and ICMP (Linux hashes ICMP by addresses, and the flows
#      vary the address), IPv4 and IPv6 prefixes in one scan, RUNS scans
#      each, the AF_XDP and the raw sender: one object per prefix, dst the
#      prefix; its links against the lab's (the destination's answers,
#      from many addresses of the prefix, named by the prefix): no false
#      link in any prefix of any run; every prefix COMPLETED; the share
#      of prefixes with every link not below what 95% per interface over
#      four balancers promises (0.95^4), one-sided at 0.1%;
#   2. the JSON's shape and the summary's (links, probes per link, rounds);
#   3. stop reasons: --max-probes (PROBELIMIT, unsettled nodes named, the
#      budget kept), an unrouted prefix (UNREACH at the first hop),
#      SIGINT (every prefix NONE with its links so far, exit 130);
#   4. bad input exits 2: the built-in blocklist refuses the lab's space,
#      bad options; nothing stays attached.
# Namespaces xs$$-*, removed on exit. Needs root.
set -u

# shellcheck source=tests/e2e/lab_mp_test.sh
source "$(dirname "$0")/lab_mp_test.sh" xs
RUNS=${MDS_RUNS:-4}
RUN_LIMIT=60
# the lab is special-use space, which the built-in blocklist covers
: >"$TMP/noblock"

# mds_run NAME ARGS...: xhop scan --mda in src, bounded; $TMP/NAME.{out,err}, RC
mds_run()
{
	local name=$1
	shift
	lab_exec src timeout -k 2 "$RUN_LIMIT" "$XHOP" scan --mda "$@" \
		>"$TMP/$name.out" 2>"$TMP/$name.err"
	RC=$?
}

# The truth of every prefix of the lab for a method, "PREFIX FROM>TO" lines
truth_of()
{
	local m=$1 p
	for p in "${LAB_MP_PREFIXES4[@]}"; do lab_mp_links 4 "$m" "$p" | sed "s|^|$p |"; done
	for p in "${LAB_MP_PREFIXES6[@]}"; do lab_mp_links 6 "$m" "$p" | sed "s|^|$p |"; done
}

# Per prefix of a scan's output: "PREFIX STOP EXACT FALSE MISSING", the
# destination's answers (addresses inside the prefix) named by the prefix
judge()
{
	python3 - "$1" "$2" <<-'PY'
	import ipaddress, json, sys
	truth = {}
	for line in open(sys.argv[2]):
	    p, link = line.split()
	    truth.setdefault(p, set()).add(link)
	seen = set()
	for line in open(sys.argv[1]):
	    o = json.loads(line)
	    net = ipaddress.ip_network(o["dst"])
	    got = set()
	    for l in o["links"]:
	        to = l["to"]
	        if ipaddress.ip_address(to) in net:
	            to = o["dst"]
	        got.add(l["from"] + ">" + to)
	    want = truth.get(o["dst"], set())
	    extra, missing = got - want, want - got
	    seen.add(o["dst"])
	    print(o["dst"], o["stop_reason"], int(not extra and not missing),
	          " ".join(sorted(extra)) or "-", " ".join(sorted(missing)) or "-")
	for p in sorted(set(truth) - seen):
	    print(p, "ABSENT", 0, "-", "all")
	PY
}

# 1. link sets against the lab's, over many runs
declare -A M_OPT=([udp]=-U [tcp]=-T [icmp]=-I)
exact=0 total=0 false_links=0 not_completed=0 absent=0 bad_rc=0
for m in udp tcp icmp; do
	truth_of "$m" >"$TMP/truth.$m"
	for ((r = 0; r < RUNS; r++)); do
		sender=xdp
		((r % 2)) && sender=raw
		mds_run "j.$m.$r" "${M_OPT[$m]}" --blocklist "$TMP/noblock" --rate 5000 --wait 1 \
			--sender "$sender" --summary "$TMP/j.$m.$r.sum" "$LAB_MP_NET4" "$LAB_MP_NET6"
		if ((RC != 0)); then
			bad_rc=$((bad_rc + 1))
			echo "     ($m run $r: exit $RC: $(head -3 "$TMP/j.$m.$r.err"))"
			continue
		fi
		judge "$TMP/j.$m.$r.out" "$TMP/truth.$m" >"$TMP/judged"
		while read -r p stop ok extra missing; do
			total=$((total + 1))
			exact=$((exact + ok))
			[[ $stop == ABSENT ]] && absent=$((absent + 1))
			[[ $stop == COMPLETED || $stop == ABSENT ]] ||
				not_completed=$((not_completed + 1))
			if [[ $extra != - ]]; then
				false_links=$((false_links + $(wc -w <<<"$extra")))
				echo "     ($m run $r $p: false links: $extra)"
			fi
			[[ $missing == - ]] || echo "     ($m run $r $p: missing: $missing)"
		done <"$TMP/judged"
	done
done
echo "     ($exact of $total prefixes found every link of the lab;" \
	"$(lab_mp_links 4 udp | wc -l) links over 4 balancers each)"
expect_eq "every scan exits 0" "$bad_rc" 0
expect_eq "every prefix has its object (8 per scan)" "$absent" 0
expect_eq "$((3 * RUNS * 8)) prefix objects" "$total" $((3 * RUNS * 8))
expect_eq "no false link in $total prefixes" "$false_links" 0
expect_eq "every prefix COMPLETED" "$not_completed" 0
check "the share of complete prefixes ($exact/$total) is not below 0.95^4 (one-sided, 0.1%)" \
	complete_share_ok "$exact" "$total"

# 2. the shape: scamper tracelb's fields, dst the prefix, counts that agree
check "json: tracelb fields, dst the prefix, counts agree, rounds" python3 -c '
import ipaddress, json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
assert len(objs) == 8, len(objs)
for o in objs:
    assert o["type"] == "tracelb" and o["method"] == "udp-sport", o["method"]
    net = ipaddress.ip_network(o["dst"])
    assert net.prefixlen == (24 if net.version == 4 else 64), o["dst"]
    assert o["confidence"] == 95 and o["rounds"] >= 2, o["rounds"]
    assert o["nodec"] == len(o["nodes"]) and o["linkc"] == len(o["links"])
    assert sum(n["linkc"] for n in o["nodes"]) == o["linkc"]
    assert all(l["to_ttl"] > l["from_ttl"] for l in o["links"])
    assert any(l["to_ttl"] - l["from_ttl"] == 2 for l in o["links"]), "no link across s1"
    # flows map to addresses first: more than one address of the prefix answered
    dsts = {l["to"] for l in o["links"] if ipaddress.ip_address(l["to"]) in net}
    assert net.version == 6 or len(dsts) > 1, dsts
    assert o["probec"] > 0 and o["flowc"] > 0
' "$TMP/j.udp.0.out"
check "summary: prefixes, links, probes per link, rounds" python3 -c '
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
s = json.loads(open(sys.argv[2]).read())
assert s["type"] == "scan-summary" and s["mda"] is True
assert s["targets"] == 8 and s["targets_done"] == 8 and s["targets_reached"] == 8, s
links = sum(o["linkc"] for o in objs)
assert s["links"] == links, (s["links"], links)
assert s["probes_sent"] == sum(o["probec"] for o in objs), s["probes_sent"]
assert abs(s["probes_per_link"] - s["probes_sent"] / links) < 0.01
assert abs(s["links_per_prefix"] - links / 8) < 0.01
assert s["rounds"] == sum(o["rounds"] for o in objs)
assert s["rounds_max"] == max(o["rounds"] for o in objs)
' "$TMP/j.udp.0.out" "$TMP/j.udp.0.sum"

# 3. stop reasons: the probe budget, an unrouted prefix (m1 has no route)
mds_run limit -U --blocklist "$TMP/noblock" --max-probes 100 198.19.8.0/24 198.19.12.0/24
expect_eq "--max-probes 100: exit 0" "$RC" 0
check "--max-probes 100: PROBELIMIT within budget, unsettled nodes named; no route: UNREACH" \
	python3 -c '
import json, sys
objs = {o["dst"]: o for o in map(json.loads, open(sys.argv[1]))}
o = objs["198.19.8.0/24"]
assert o["stop_reason"] == "PROBELIMIT", o["stop_reason"]
assert o["probec"] <= 100, o["probec"]
assert sys.argv[2] in o["unfinished"], o["unfinished"]
u = objs["198.19.12.0/24"]
assert u["stop_reason"] == "UNREACH", u["stop_reason"]
assert [n["addr"] for n in u["nodes"]] == [sys.argv[2]], u["nodes"]
assert u["probec"] <= 100 and u["links"] == []
' "$TMP/limit.out" "$(lab_mp_addr4 m1)"

# SIGINT while every prefix waits out its silent router (--wait 5): each
# prefix written as it stands (NONE), the summary says interrupted
bg_start src scan --mda -U --blocklist "$TMP/noblock" --wait 5 "$LAB_MP_NET4" "$LAB_MP_NET6"
sleep 1.5
kill -INT "$BG_PID" 2>/dev/null
bg_end 15
expect_eq "SIGINT: exit 130" "$BG_RC" 130
check "SIGINT: every prefix's object, stop_reason NONE, links so far; summary interrupted" \
	python3 -c '
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
assert len(objs) == 8, len(objs)
assert all(o["stop_reason"] == "NONE" for o in objs), [o["stop_reason"] for o in objs]
assert all(o["linkc"] >= 8 for o in objs), [o["linkc"] for o in objs]
s = json.loads(open(sys.argv[2]).read().splitlines()[-1])
assert s["interrupted"] is True and s["targets_done"] == 8, s
' "$TMP/bg.out" "$TMP/bg.err"

# 4. bad input
mds_run blocked -U "$LAB_MP_NET4"
expect_eq "the built-in blocklist covers the lab: exit 2" "$RC" 2
expect_match "blocked: says so" "$(cat "$TMP/blocked.err")" "no prefix left"
for bad in "--confidence 100" "--max-probes 0" "--first-hop 9 --max-ttl 8" "-m 40" \
	"--window 70000" "198.19.8.0/33"; do
	# shellcheck disable=SC2086 # the options are words
	mds_run bad -U --blocklist "$TMP/noblock" $bad "$LAB_MP_DST4"
	expect_eq "scan --mda $bad: exit 2" "$RC" 2
	expect_match "scan --mda $bad: says why" "$(cat "$TMP/bad.err")" "."
done
# what --mda does not write yet is refused, never an empty output
for bad in "--format warts --output $TMP/x.warts" "--warts $TMP/x.warts" \
	"--clickhouse http://127.0.0.1:1" "-z"; do
	# shellcheck disable=SC2086 # the options are words
	mds_run bad -U --blocklist "$TMP/noblock" $bad "$LAB_MP_DST4"
	expect_eq "scan --mda $bad: exit 2" "$RC" 2
	expect_match "scan --mda $bad: says JSON only" "$(cat "$TMP/bad.err")" "writes JSON only"
done
RUN_IDS=

expect_clean "after every scan" src "$IF"

summary
