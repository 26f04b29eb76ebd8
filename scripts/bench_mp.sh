#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# xhop multipath against scamper's tracelb on the multipath lab
# (scripts/lab_mp.sh: a 4-way diamond, a nested one of unequal branches,
# one with a silent router; 14 interfaces, 19 links), in the same run,
# rounds interleaved (ABBA): wall time per target, probes sent per target
# (each tool's probec: every probe it sent), the interfaces each lists as
# nodes and the lab's links each reports, probes per lab link found, and
# the ratios. scamper's links are read from its warts (sc_wartsdump: "link
# A -> B hopc N"): tracelb does not enumerate a diamond right behind the
# first hop, nor one with a silent branch, link by link; it "clumps" it
# into one link across it (hopc 2), a lab link only where the hop between
# is silent. Links that the lab does not have are listed apart: xhop must
# have none; scamper's are its clumps (m1 -> m2).
#
# Both at 95% confidence, UDP flows by source port, the same wait for a
# reply (2 s); scamper at its fastest pacing (-W 15: 150 ms between
# probes, the least tracelb takes). xhop also cuts a probe's wait at 10
# times the slowest answer at its TTL (-w 2,10), as Debian traceroute's
# -w MAX,HERE does; scamper has no such option.
#
# Then xhop scan --mda (Diamond-Miner) over the lab's eight prefixes (the
# four /24s of 198.19.8.0/22, the four /64s of 2001:2:0:108::/62) in one
# run, against xhop multipath run once per prefix (at its .77 / ::77
# address), one after the other: wall time, probes, the lab's links
# found per prefix, probes per link. Both wait at most 0.5 s for a reply
# (multipath also cuts it at 10 times the slowest answer at its TTL; the
# scan, stateless, has no send times to do so).
#
# Usage: scripts/bench_mp.sh [-r ROUNDS] [-6] [-m]   (as root; -m: the
# scan --mda part only)
# Safety: namespaces xv<pid>-* of the lab only, removed on any exit.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/.." && pwd)
xhop=${XHOP:-$top/build/xhop}
rounds=3
fams=(4 6)
mda_only=0
while getopts "r:6m" o; do
	case $o in
	r) rounds=$OPTARG ;;
	6) fams=(6) ;;
	m) mda_only=1 ;;
	*) exit 2 ;;
	esac
done
# shellcheck source=scripts/lab_mp.sh
source "$here/lab_mp.sh"
# shellcheck source=scripts/bench_lab.sh
source "$here/bench_lab.sh"
bench_require bench_mp scamper sc_wartsdump python3 "$xhop"
bench_lab_traps mp "xv$$-" lab_mp_down
LAB_QUIET=1 lab_mp_up "$BENCH_PFX" || exit 1

now_ns() { date +%s%N; }

# run TOOL FAM ROUND: one trace, its JSON in $TMP/TOOL.FAM.ROUND, the time in .t
run()
{
	local tool=$1 fam=$2 r=$3 dst t0 t1 out=$TMP/$1.$2.$3
	dst=LAB_MP_DST$fam
	t0=$(now_ns)
	if [[ $tool == xhop ]]; then
		lab_exec src "$xhop" multipath -n --json -U -w 2,10 "${!dst}" >"$out" 2>/dev/null
	else
		lab_exec src scamper -O warts -o "$out.warts" \
			-c "tracelb -P udp-sport -c 95 -W 15 -w 2" -i "${!dst}" >/dev/null 2>&1
		sc_wartsdump "$out.warts" >"$out" 2>/dev/null
	fi
	t1=$(now_ns)
	echo $(((t1 - t0) / 1000000)) >"$out.t"
}

# scan --mda over the eight prefixes, then multipath per prefix
bench_mda()
{
	local p a t0 t1 fam
	: >"$TMP/noblock"
	for p in "${LAB_MP_PREFIXES4[@]}"; do lab_mp_links 4 udp "$p" | sed "s|^|$p |"; done \
		>"$TMP/mda.truth"
	for p in "${LAB_MP_PREFIXES6[@]}"; do lab_mp_links 6 udp "$p" | sed "s|^|$p |"; done \
		>>"$TMP/mda.truth"
	t0=$(now_ns)
	lab_exec src "$xhop" scan --mda -U --blocklist "$TMP/noblock" --rate 20000 --wait 0.5 \
		--summary "$TMP/mda.sum" "$LAB_MP_NET4" "$LAB_MP_NET6" >"$TMP/mda.out" 2>/dev/null
	t1=$(now_ns)
	echo $(((t1 - t0) / 1000000)) >"$TMP/mda.t"
	: >"$TMP/mp.out"
	t0=$(now_ns)
	for p in "${LAB_MP_PREFIXES4[@]}" "${LAB_MP_PREFIXES6[@]}"; do
		if [[ $p == *:* ]]; then a=${p%%::/*}::77; fam=6; else a=${p%.0/*}.77; fam=4; fi
		lab_exec src "$xhop" multipath -n --json -U -w 0.5,10 "-$fam" "$a" 2>/dev/null |
			sed "s|^|$p |" >>"$TMP/mp.out"
	done
	t1=$(now_ns)
	echo $(((t1 - t0) / 1000000)) >"$TMP/mp.t"
	python3 - "$TMP" <<'PY'
import ipaddress, json, sys
tmp = sys.argv[1]
truth = {}
for line in open(f"{tmp}/mda.truth"):
    p, l = line.split()
    truth.setdefault(p, set()).add(l)

def judge(p, o):
    net = ipaddress.ip_network(p)
    got = set()
    for l in o["links"]:
        to = l["to"]
        if ipaddress.ip_address(to) in net or to == str(net[77]):
            to = p
        got.add(l["from"] + ">" + to)
    return len(got & truth[p]), len(got - truth[p])

rows = {}
scan = [json.loads(l) for l in open(f"{tmp}/mda.out")]
mp = []
for line in open(f"{tmp}/mp.out"):
    p, js = line.split(" ", 1)
    o = json.loads(js)
    o["dst"] = p
    mp.append(o)
for name, objs in (("scan --mda", scan), ("multipath", mp)):
    found = false = probes = 0
    for o in objs:
        f, x = judge(o["dst"], o)
        found += f
        false += x
        probes += o["probec"]
    ms = int(open(f"{tmp}/{'mda' if name == 'scan --mda' else 'mp'}.t").read())
    rows[name] = (ms, probes, found, false, len(objs))
want = sum(len(v) for v in truth.values())
s = json.load(open(f"{tmp}/mda.sum"))
print(f"scan --mda vs multipath per prefix, {len(truth)} prefixes ({want} lab links in all):")
for name, (ms, pr, fo, fa, n) in rows.items():
    print(f"  {name:11s} {ms / 1000:6.2f} s  {pr:6d} probes  {n} objects  links {fo}/{want} "
          f"(false {fa})  {pr / max(fo, 1):5.1f} probes per lab link")
print(f"  scan --mda: {s['rounds_per_prefix']:.2f} rounds per prefix (max {s['rounds_max']}), "
      f"{s['probes_per_link']:.1f} probes per JSON link ({s['links']} links, each "
      f"destination address its own), {s['rate_pps']:.0f} pps average")
m, x = rows["multipath"], rows["scan --mda"]
print(f"  scan --mda takes {m[0] / max(x[0], 1):.1f}x less time than multipath per prefix, "
      f"with {x[1] / max(m[1], 1):.2f}x its probes")
PY
}

if ((mda_only)); then
	bench_mda
	exit 0
fi

for fam in "${fams[@]}"; do
	lab_mp_links "$fam" udp >"$TMP/truth.$fam"
	for ((r = 0; r < rounds; r++)); do
		if ((r % 2)); then order=(scamper xhop); else order=(xhop scamper); fi
		for tool in "${order[@]}"; do run "$tool" "$fam" "$r"; done
	done
done

python3 - "$TMP" "$rounds" "${fams[@]}" <<'EOF'
import json, re, statistics, sys
tmp, rounds, fams = sys.argv[1], int(sys.argv[2]), sys.argv[3:]

def xhop(path):
    """probec, node addresses, links "A>B" of xhop's JSON"""
    for line in open(path):
        o = json.loads(line)
        if o.get("type") == "tracelb":
            return (o["probec"], {n["addr"] for n in o["nodes"]},
                    {l["from"] + ">" + l["to"]: 0 for l in o["links"]})
    return None

def scamper(path):
    """probec, node addresses, links "A>B": hopc of sc_wartsdump's text"""
    probec, nodes, links = None, set(), {}
    for line in open(path):
        m = re.search(r"probec: (\d+)", line)
        if m:
            probec = int(m.group(1))
        m = re.match(r"node \d+ (\S+),", line)
        if m:
            nodes.add(m.group(1))
        m = re.match(r" link (\S+) -> (\S+) hopc (\d+)", line)
        if m:
            links[m.group(1) + ">" + m.group(2)] = int(m.group(3))
    return None if probec is None else (probec, nodes, links)

for fam in fams:
    truth = set(open(f"{tmp}/truth.{fam}").read().split())
    ifaces = {a for l in truth for a in l.split(">")}
    rows, other = {}, {}
    for tool in ("xhop", "scamper"):
        ms, probes, found_if, found, per_link, extra = [], [], [], [], [], set()
        for r in range(rounds):
            got = (xhop if tool == "xhop" else scamper)(f"{tmp}/{tool}.{fam}.{r}")
            ms.append(int(open(f"{tmp}/{tool}.{fam}.{r}.t").read()))
            if not got:
                probes.append(0); found_if.append(0); found.append(0)
                continue
            pr, nodes, links = got
            probes.append(pr)
            found_if.append(len(nodes & ifaces))
            found.append(len(set(links) & truth))
            per_link.append(pr / max(found[-1], 1))
            extra |= {l + (f" (hopc {links[l]})" if links[l] else "")
                      for l in set(links) - truth}
        rows[tool] = (statistics.median(ms), statistics.median(probes), min(found_if),
                      min(found), max(found), statistics.median(per_link or [0]))
        other[tool] = extra
    print(f"IPv{fam}, {rounds} rounds each, medians ({len(ifaces)} interfaces, "
          f"{len(truth)} links in the lab):")
    for tool, (ms, pr, fi, lo, hi, pl) in rows.items():
        links = f"{lo}" if lo == hi else f"{lo}-{hi}"
        print(f"  {tool:8s} {ms / 1000:7.2f} s  {pr:4.0f} probes per target  "
              f"interfaces {fi}/{len(ifaces)}  lab links {links}/{len(truth)}  "
              f"{pl:5.1f} probes per lab link")
        if other[tool]:
            print(f"           links the lab does not have: {', '.join(sorted(other[tool]))}")
    x, s = rows["xhop"], rows["scamper"]
    print(f"  xhop is {s[0] / max(x[0], 1):.1f}x faster per target, with "
          f"{x[1] / max(s[1], 1):.2f}x scamper's probes per target and "
          f"{x[5] / max(s[5], 1):.2f}x its probes per lab link found")
EOF

bench_mda
