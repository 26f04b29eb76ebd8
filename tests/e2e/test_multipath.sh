#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# End to end: xhop multipath on the multipath lab (scripts/lab_mp.sh): a
# 4-way diamond, a nested diamond of unequal branches, a diamond with a
# silent router, IPv4 and IPv6, whose links the lab's routes define.
#   1. UDP and TCP, IPv4 and IPv6, RUNS runs each (JSON): no false link
#      in any run (a link the lab does not have); every run that finds
#      all of the lab's links counts, and the share that does must not be
#      below what the confidence promises for four balancers at 95%
#      (0.95^4), tested one-sided at 0.1%; every run COMPLETED; the
#      median run within the probes the unit model of this lab spends
#      (tests/unit/test_mda.c: 161 a run on average, 99% under 192; the
#      planner that owed the rule per TTL spent 270);
#   2. the text output: per TTL the interfaces, "<-" their predecessors,
#      the same links as the lab's;
#   3. ICMP: Linux hashes no ICMP field, so one path: a chain of the
#      lab's links from the first hop to dst;
#   4. stop reasons: --max-probes (PROBELIMIT and the unsettled node
#      named), a destination that never answers (GAPLIMIT), no route
#      (UNREACH), SIGINT (NONE, exit 130); bad options exit 2, the
#      in-kernel generator (one flow per run) exits 1 naming why; nothing
#      stays attached.
# Namespaces xq$$-*, removed on exit. Needs root.
set -u

# shellcheck source=tests/e2e/lab_mp_test.sh
source "$(dirname "$0")/lab_mp_test.sh" xq
RUNS=${MP_RUNS:-10}
RUN_LIMIT=60

# mp_run NAME ARGS...: xhop multipath in src, bounded; $TMP/NAME.{out,err}, RC
XRUN_MODE=(multipath)
mp_run() { xrun_as "$@"; }

# JSON links ("FROM>TO" by address, one per line) of a run
json_links()
{
	python3 -c '
import json, sys
o = json.loads(open(sys.argv[1]).read())
for l in o["links"]:
    print(l["from"] + ">" + l["to"])
' "$1" | sort -u
}

# 1. link sets against the lab's, over many runs
declare -A M_OPT=([udp]=-U [tcp]=-T)
exact=0 total=0 false_links=0 not_completed=0
for fam in 4 6; do
	for m in udp tcp; do
		lab_mp_links "$fam" "$m" >"$TMP/truth.$fam.$m"
		dst=LAB_MP_DST$fam
		for ((r = 0; r < RUNS; r++)); do
			mp_run "j.$fam.$m.$r" -n --json "-$fam" "${M_OPT[$m]}" "${!dst}"
			total=$((total + 1))
			if ((RC != 0)); then
				fail "$m$fam run $r: exit 0" "exit $RC: $(head -3 "$TMP/j.$fam.$m.$r.err")"
				continue
			fi
			json_links "$TMP/j.$fam.$m.$r.out" >"$TMP/got"
			extra=$(comm -13 "$TMP/truth.$fam.$m" "$TMP/got")
			missing=$(comm -23 "$TMP/truth.$fam.$m" "$TMP/got")
			if [[ -n $extra ]]; then
				false_links=$((false_links + $(wc -l <<<"$extra")))
				echo "     ($m$fam run $r: false links: $(xargs <<<"$extra"))"
			fi
			if [[ -z $extra && -z $missing ]]; then
				exact=$((exact + 1))
			else
				echo "     ($m$fam run $r: missing: $(xargs <<<"$missing"))"
			fi
			grep -q '"stop_reason":"COMPLETED"' "$TMP/j.$fam.$m.$r.out" ||
				not_completed=$((not_completed + 1))
			python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["probec"])' \
				"$TMP/j.$fam.$m.$r.out" >>"$TMP/probec"
		done
	done
done
echo "     ($exact of $total runs found every link of the lab;" \
	"$(wc -l <"$TMP/truth.4.udp") links over 4 balancers per run)"
expect_eq "no false link in $total runs" "$false_links" 0
expect_eq "every run COMPLETED" "$not_completed" 0
median=$(sort -n "$TMP/probec" | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
echo "     (probes per run: median $median, $(sort -n "$TMP/probec" | sed -n '1p;$p' | xargs |
	sed 's/ / to /'))"
check "the median run ($median probes) within the unit model's 99% (192)" \
	test "${median:-999}" -le 192
check "the share of complete runs ($exact/$total) is not below 0.95^4 (one-sided, 0.1%)" \
	complete_share_ok "$exact" "$total"

# the JSON's shape: scamper tracelb's fields, counts that agree
check "json: tracelb fields, counts agree with nodes and links" python3 -c '
import json, sys
o = json.loads(open(sys.argv[1]).read())
assert o["type"] == "tracelb" and o["method"] == "udp-sport", o["method"]
assert o["confidence"] == 95
assert o["nodec"] == len(o["nodes"]) and o["linkc"] == len(o["links"])
assert all("addr" in n and "links" in n for n in o["nodes"])
assert sum(n["linkc"] for n in o["nodes"]) == o["linkc"]
assert all(l["to_ttl"] > l["from_ttl"] for l in o["links"])
# the silent router: a link across it spans two TTLs
assert any(l["to_ttl"] - l["from_ttl"] == 2 for l in o["links"]), "no link across s1"
assert o["probec"] > 0 and o["flowc"] > 0
' "$TMP/j.4.udp.0.out"

# 2. text: the same links, read from the "<-" lists
mp_run text -n -U "$LAB_MP_DST4"
expect_eq "text: exit 0" "$RC" 0
python3 -c '
import re, sys
links = set()
for line in open(sys.argv[1]):
    if line.startswith("#"):
        continue
    m = re.match(r"\s*(?:\d+\s+)?(\S+)\s.*<- (.*)$", line)
    if not m:
        continue
    to = m.group(1)
    for f in re.sub(r" \(TTL \d+\)", "", m.group(2)).split():
        links.add(f + ">" + to)
print("\n".join(sorted(links)))
' "$TMP/text.out" >"$TMP/text.links"
missing=$(comm -23 "$TMP/truth.4.udp" "$TMP/text.links")
extra=$(comm -13 "$TMP/truth.4.udp" "$TMP/text.links")
expect_eq "text: no false link" "$extra" ""
if [[ -n $missing ]]; then
	echo "     (text run missed: $(xargs <<<"$missing"); within the confidence)"
fi
expect_match "text: header names the method and confidence" "$(cat "$TMP/text.err")" \
	"xhop multipath to $LAB_MP_DST4 .*udp-sport, 95% confidence"
expect_match "text: the silent router shows as '*'" "$(cat "$TMP/text.out")" \
	'^ +\*  \([0-9]+ flows? silent\)'
expect_match "text: a predecessor across the silence carries its TTL" "$(cat "$TMP/text.out")" \
	'<- .*\(TTL [0-9]+\)'
expect_match "text: a summary line" "$(tail -1 "$TMP/text.out")" \
	'^# [0-9]+ probes, [0-9]+ flows, [0-9]+ interfaces, [0-9]+ links, COMPLETED$'

# names: a lab DNS server in m1 (dnsmasq, the lab's names only) for src;
# each interface is named as in xhop HOST, "name (address)"
mkdir -p "$TMP/dns" "/etc/netns/${PREFIX}src"
for node in "${LAB_MP_ROUTERS[@]}"; do
	echo "$(lab_mp_addr4 "$node") $node.mp.example"
done >"$TMP/dns/hosts"
chmod 755 "$TMP" "$TMP/dns"
chmod 644 "$TMP/dns/hosts"
lab_exec m1 /usr/sbin/dnsmasq --conf-file=/dev/null --no-resolv --no-hosts \
	--addn-hosts="$TMP/dns/hosts" --listen-address="$(lab_mp_addr4 m1)" --bind-interfaces \
	--except-interface=lo --pid-file="$TMP/dns/pid" --user=nobody --local=/example/ \
	--local=/18.198.in-addr.arpa/ --local=/19.198.in-addr.arpa/ >/dev/null 2>&1
printf 'nameserver %s\noptions timeout:1 attempts:2\n' "$(lab_mp_addr4 m1)" \
	>"/etc/netns/${PREFIX}src/resolv.conf"
mp_run names -U "$LAB_MP_DST4"
expect_eq "names: exit 0" "$RC" 0
expect_match "names: the 4-way branches by name" "$(cat "$TMP/names.out")" \
	'^ 2  a[1-4]\.mp\.example \(198\.18\.2[1-4]\.2\)  [0-9.]+ ms  <- '
expect_match "names: m2 named, its predecessors by address" "$(cat "$TMP/names.out")" \
	"^ 3  m2\.mp\.example \($(lab_mp_addr4 m2 | sed 's/\./\\./g')\)  [0-9.]+ ms  <- "
expect_match "names: dst without a name keeps its address" "$(cat "$TMP/names.out")" \
	"^ *[0-9]*  *${LAB_MP_DST4//./\\.}  "

# 3. ICMP: one flow through Linux routers: a chain of true links to dst
mp_run icmp -n --json -I "$LAB_MP_DST4"
expect_eq "icmp: exit 0" "$RC" 0
json_links "$TMP/icmp.out" >"$TMP/icmp.links"
expect_eq "icmp: no false link" "$(comm -13 "$TMP/truth.4.udp" "$TMP/icmp.links")" ""
check "icmp: one path, first hop to dst (Linux hashes no ICMP field)" python3 -c '
import json, sys
o = json.loads(open(sys.argv[1]).read())
succ = {}
for l in o["links"]:
    succ.setdefault(l["from"], set()).add(l["to"])
assert all(len(s) == 1 for s in succ.values()), succ
assert o["stop_reason"] == "COMPLETED" and any(l["to"] == sys.argv[2] for l in o["links"])
' "$TMP/icmp.out" "$LAB_MP_DST4"

# 4. stop reasons
mp_run limit -n --json -U --max-probes 20 "$LAB_MP_DST4"
expect_eq "--max-probes 20: exit 0" "$RC" 0
check "--max-probes 20: PROBELIMIT, at most 20 probes, the unsettled node named" python3 -c '
import json, sys
o = json.loads(open(sys.argv[1]).read())
assert o["stop_reason"] == "PROBELIMIT", o["stop_reason"]
assert o["probec"] <= 20, o["probec"]
assert o["unfinished"] == [sys.argv[2]], o["unfinished"]
' "$TMP/limit.out" "$(lab_mp_addr4 m1)"

# dst drops UDP to one port: the trace runs into silence there
lab_exec dst nft -f - <<-'EOF'
table inet xhoptest {
	chain in {
		type filter hook input priority 0; policy accept;
		udp dport 40000 drop
	}
}
EOF
mp_run gap -n --json -U -p 40000 -w 1,10 "$LAB_MP_DST4"
expect_eq "silent destination: exit 0" "$RC" 0
check "silent destination: GAPLIMIT, no link from dst" python3 -c '
import json, sys
o = json.loads(open(sys.argv[1]).read())
assert o["stop_reason"] == "GAPLIMIT", o["stop_reason"]
assert not any(l["to"] == sys.argv[2] for l in o["links"])
' "$TMP/gap.out" "$LAB_MP_DST4"

mp_run unreach -n --json -U 198.19.12.1
expect_eq "no route: exit 0" "$RC" 0
check "no route: UNREACH from the first hop" python3 -c '
import json, sys
o = json.loads(open(sys.argv[1]).read())
assert o["stop_reason"] == "UNREACH", o["stop_reason"]
assert [n["addr"] for n in o["nodes"]] == [sys.argv[2]], o["nodes"]
' "$TMP/unreach.out" "$(lab_mp_addr4 m1)"

# SIGINT while it waits at the silent destination (no "here" cut): the
# links so far, exit 130, nothing of xhop's left
bg_start src multipath -n --json -U -p 40000 -w 5,0 "$LAB_MP_DST4"
capture_ids "SIGINT run" src "$IF"
sleep 1
kill -INT "$BG_PID" 2>/dev/null
bg_end 10
expect_eq "SIGINT: exit 130" "$BG_RC" 130
check "SIGINT: one object, stop_reason NONE, the links so far" python3 -c '
import json, sys
o = json.loads(open(sys.argv[1]).read())
assert o["stop_reason"] == "NONE", o["stop_reason"]
assert o["linkc"] >= 8, o["linkc"]
' "$TMP/bg.out"
expect_clean "SIGINT run" src "$IF"

# bad input
for bad in "--confidence 100" "--confidence 40" "-m 65" "--max-probes 0" "-w 1,x" "-q 0"; do
	# shellcheck disable=SC2086 # the options are words
	mp_run bad $bad "$LAB_MP_DST4"
	expect_eq "multipath $bad: exit 2" "$RC" 2
	expect_match "multipath $bad: says why" "$(cat "$TMP/bad.err")" "."
done
mp_run nohost -n
expect_eq "no HOST: exit 2" "$RC" 2
mp_run kernel -n -U --sender kernel "$LAB_MP_DST4"
expect_eq "--sender kernel: exit 1" "$RC" 1
expect_match "--sender kernel: names why (one flow per run)" "$(cat "$TMP/kernel.err")" \
	"generator sends the run's one flow"

RUN_IDS=
expect_clean "after every run" src "$IF"

summary
