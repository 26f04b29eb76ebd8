#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# xhop multipath against scamper's tracelb, like for like: the probes each
# spends on the targets where both find the same links. The multipath lab
# (scripts/bench_mp.sh) cannot say it: there scamper clumps the diamond
# behind its branching first hop and the one with a silent router, and
# finds 9 of 19 links to xhop's 19. Here the simulated Internet's diamonds
# (xhop-sim --seed 7 --lb 60: a load balancer in 60% of the segments, up
# to 4 wide, nested, meshed, of unequal length; silent routers, dead
# addresses; scripts/sim_lab.sh), one first hop for every target.
#
# Targets: the .1 of the /24s of 198.18.0.0/16 and the ::1 of /64s of
# 2001:2:0::/48, classed by truth (`xhop-sim truth --links --over-silent
# ADDR`: the links between one flow's answers, silent routers stepped
# over, for 16,384 flows to the address): simple (no balancer), single
# (one balancer), several (balancers one after the other, none inside
# another's diamond), nested (a balancer inside another's diamond); N of
# them, as even over the classes as the candidates allow.
#
# Both at 95% confidence, UDP flows by source port, 2 tries per flow and
# TTL, 2 s for a reply. scamper at its fastest pacing (-W 15: 150 ms
# between one target's probes, the least tracelb takes), every target at
# once in one process (-p 2000: the targets' probes together stay below
# it), warts read with sc_wartsdump ("link A -> B hopc N": A and B the
# ends, silent hops between). xhop multipath -w 2,10, one target after
# the other (its own XDP program on the prober's end; scamper's run has
# build/sim_pass.bpf.o there).
#
# Per target: probes (each tool's probec), links of each (address pairs),
# truth's, false links. Then xhop/scamper probes summed over (a) the
# targets where both found exactly the same link set, (b) those where both
# found every one of truth's links and no false one, per class too.
#
# Usage: scripts/bench_mp_sim.sh [-v] [N]   (as root; N targets, default
# 80; -v: the per-target table)
# Safety: only 198.18.0.0/15 and 2001:2::/48, namespaces xbmps<pid>-*,
# removed on exit; nothing probes from the root namespace.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
# shellcheck source=scripts/sim_lab.sh
source "$HERE/sim_lab.sh"
XHOP=${XHOP:-$ROOT/build/xhop}
TOPO="--seed 7 --lb 60"
N=80 VERBOSE=0
if [[ ${1:-} == -v ]]; then
	VERBOSE=1
	shift
fi
N=${1:-$N}

die() { echo "bench_mp_sim: $*" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || die "needs root (network namespaces)"
for f in "$XHOP" "$SIM" "$SIM_PASS_OBJ"; do
	[[ -e $f ]] || die "$f missing: run make"
done
for t in scamper sc_wartsdump python3; do
	command -v "$t" >/dev/null || die "$t is missing (scripts/install-deps.sh)"
done
((N > 0 && N <= 512)) || die "N: 1 to 512 targets"

WORK=$(mktemp -d /tmp/bench_mp_sim.XXXXXX)
sim_lab_traps "$WORK"
# KEEP=DIR: the work files (truth, warts, JSON) copied there on the way out
[[ -n ${KEEP:-} ]] && trap '[[ $BASHPID != "$$" ]] || { sim_lab_down; cp -r "$WORK/." "$KEEP/"; rm -rf "$WORK"; }' EXIT

# --- candidates, their truth, the targets ----------------------------------------
python3 - "$WORK/cand" <<'EOF'
import random, sys
r = random.Random(11)
with open(sys.argv[1], "w") as f:
    for i in range(256):
        f.write("198.18.%d.1\n" % i)
    for g in sorted(r.sample(range(1, 0xfffe), 256)):
        f.write("2001:2:0:%x::1\n" % g)
EOF
# shellcheck disable=SC2086 # TOPO is words
"$SIM" truth $TOPO --links --over-silent - <"$WORK/cand" >"$WORK/truth" ||
	die "xhop-sim truth --over-silent failed"
python3 - "$WORK/truth" "$N" "$WORK/targets" <<'EOF'
import random, sys
truth, cur = {}, None
for line in open(sys.argv[1]):
    if line.startswith("# "):
        cur = line[2:].strip()
        truth[cur] = []
        continue
    t, a, tt, b = line.split()
    truth[cur].append((int(t), a, int(tt), b))

def klass(links):
    nxt, at = {}, {}
    for t, a, tt, b in links:
        nxt.setdefault(a, set()).add(b)
        at.setdefault(t, set()).add(a)
        at.setdefault(tt, set()).add(b)
    bal = [a for a in nxt if len(nxt[a]) > 1]
    if not bal:
        return "simple"
    ttl = {a: t for t, a, _, _ in links}
    if any(len(at[ttl[a]]) > 1 for a in bal):
        return "nested"
    return "single" if len(bal) == 1 else "several"

by = {}
for d, links in truth.items():
    if links:
        by.setdefault(klass(links), []).append(d)
r = random.Random(7)
n, picked = int(sys.argv[2]), []
order = ["simple", "single", "several", "nested"]
for c in order:
    r.shuffle(by.get(c, []))
# round robin over the classes: even where they allow
while len(picked) < n and any(by.get(c) for c in order):
    for c in order:
        if by.get(c) and len(picked) < n:
            picked.append((by[c].pop(), c))
with open(sys.argv[3], "w") as f:
    for d, c in picked:
        f.write("%s %s\n" % (d, c))
EOF
NT=$(wc -l <"$WORK/targets")
cut -d' ' -f1 "$WORK/targets" >"$WORK/addrs"
echo "xhop multipath vs scamper tracelb on xhop-sim $TOPO: $NT targets," \
	"$(cut -d' ' -f2 "$WORK/targets" | sort | uniq -c | awk '{printf "%s%s %s", s, $1, $2; s=", "}')"

sim_lab_up "xbmps$$" || die "the simulator's namespaces"
# shellcheck disable=SC2086 # TOPO is words
SIM_OUT=$WORK/sim.out SIM_ERR=$WORK/sim.err sim_lab_start $TOPO ||
	die "xhop-sim attach: $(cat "$WORK/sim.err")"
nsp() { ip netns exec "$SIM_PNS" "$@"; }

# --- scamper: every target at once (sim_lab_up put the pass program on p0) ------
start=$(date +%s.%N)
(cd "$WORK" && nsp scamper -O warts -o "$WORK/sc.warts" -p 2000 \
	-c "tracelb -P udp-sport -c 95 -q 2 -W 15 -w 2" -f "$WORK/addrs" >"$WORK/sc.err" 2>&1) ||
	die "scamper: $(head -c 300 "$WORK/sc.err")"
sc_wall=$(python3 -c "print(round($(date +%s.%N) - $start, 1))")
sc_wartsdump "$WORK/sc.warts" >"$WORK/sc.txt" 2>/dev/null || die "sc_wartsdump failed"

# --- xhop: one target after the other --------------------------------------------
sim_lab_pass off
: >"$WORK/x.json"
start=$(date +%s.%N)
while read -r a; do
	nsp "$XHOP" multipath -n --json -U -q 2 -w 2,10 "$a" >>"$WORK/x.json" 2>>"$WORK/x.err" ||
		die "xhop multipath $a: $(tail -n 2 "$WORK/x.err")"
done <"$WORK/addrs"
x_wall=$(python3 -c "print(round($(date +%s.%N) - $start, 1))")
sim_lab_stop >/dev/null

python3 - "$WORK" "$VERBOSE" "$sc_wall" "$x_wall" <<'EOF'
import ipaddress, json, re, sys
work, verbose = sys.argv[1], sys.argv[2] == "1"
sc_wall, x_wall = sys.argv[3], sys.argv[4]
A = lambda s: s if s == "*" else str(ipaddress.ip_address(s))

truth, cur = {}, None
for line in open(f"{work}/truth"):
    if line.startswith("# "):
        cur = A(line[2:].strip())
        truth[cur] = set()
        continue
    _, a, _, b = line.split()
    truth[cur].add((A(a), A(b)))
targets = [(A(l.split()[0]), l.split()[1]) for l in open(f"{work}/targets")]

xh = {}
for line in open(f"{work}/x.json"):
    o = json.loads(line)
    links = set()
    for n in o["nodes"]:
        for chain in n.get("links", []):
            if chain and chain[-1]["addr"] != "*":
                links.add((A(n["addr"]), A(chain[-1]["addr"])))
    xh[A(o["dst"])] = (o["probec"], links)

sc, dst = {}, None
for line in open(f"{work}/sc.txt"):
    m = re.match(r"tracelb from \S+ to (\S+)", line)
    if m:
        dst = A(m.group(1))
        sc[dst] = [0, set()]
        continue
    m = re.search(r"probec: (\d+)", line)
    if m and dst:
        sc[dst][0] = int(m.group(1))
    m = re.match(r" link (\S+) -> (\S+) hopc", line)
    if m and dst:
        sc[dst][1].add((A(m.group(1)), A(m.group(2))))

classes = ["simple", "single", "several", "nested"]
rows = []
for d, c in targets:
    t = truth[d]
    xp, xl = xh.get(d, (0, set()))
    sp, sl = sc.get(d, (0, set()))
    rows.append(dict(d=d, c=c, t=len(t), xp=xp, sp=sp, xf=len(xl & t), sf=len(sl & t),
                     xfalse=len(xl - t), sfalse=len(sl - t),
                     # a target one tool never wrote is no like-for-like pair
                     same=d in xh and d in sc and xl == sl,
                     full=d in xh and d in sc and t <= xl and t <= sl and not (xl - t)
                     and not (sl - t)))
if verbose:
    print("%-20s %-8s %5s %7s %7s %6s %6s %6s %6s %4s %4s" % (
        "target", "class", "truth", "x_probe", "s_probe", "x_link", "s_link", "x_fals",
        "s_fals", "same", "full"))
    for r in rows:
        print("%-20s %-8s %5d %7d %7d %6d %6d %6d %6d %4s %4s" % (
            r["d"], r["c"], r["t"], r["xp"], r["sp"], r["xf"], r["sf"], r["xfalse"],
            r["sfalse"], "y" if r["same"] else "-", "y" if r["full"] else "-"))

def line(label, sel):
    n = len(sel)
    if not n:
        print("  %-28s %3d targets" % (label, 0))
        return
    xp = sum(r["xp"] for r in sel)
    sp = sum(r["sp"] for r in sel)
    xf = sum(r["xf"] for r in sel)
    sf = sum(r["sf"] for r in sel)
    t = sum(r["t"] for r in sel)
    print("  %-28s %3d targets  xhop %6d probes (%5.1f/target)  scamper %6d (%5.1f)  "
          "links xhop %4d scamper %4d truth %4d  xhop/scamper probes %.3f" % (
              label, n, xp, xp / n, sp, sp / n, xf, sf, t, xp / max(sp, 1)))

print(f"scamper: every target at once, {sc_wall} s; xhop: one after the other, {x_wall} s")
print(f"false links: xhop {sum(r['xfalse'] for r in rows)}, "
      f"scamper {sum(r['sfalse'] for r in rows)}")
for title, key in (("all targets", None), ("same link set (like for like)", "same"),
                   ("both found all of truth's links", "full")):
    print(title + ":")
    sel = [r for r in rows if key is None or r[key]]
    line("all", sel)
    for c in classes:
        line(c, [r for r in sel if r["c"] == c])
EOF
