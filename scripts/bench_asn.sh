#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Origin AS per hop: xhop -z against mtr -z on the lab of scripts/lab.sh
# (its dnsmasq serves Team Cymru's TXT names for every hop), the same
# target, in the same run, rounds interleaved (ABBA):
#   - both must show the same AS at every TTL (tests/e2e/asn_check.py mtr);
#   - xhop must not slow a line down: the time until each hop line is out,
#     with and without -z (-n both times, so only the AS can hold a line),
#     median per TTL, and the whole trace;
#   - mtr -z -r -c 1 against mtr -r -c 1 for the same.
# Usage: scripts/bench_asn.sh [-r ROUNDS]   (as root)
# Safety: the lab's namespaces xz<pid>-* only, removed on any exit.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/.." && pwd)
xhop=${XHOP:-$top/build/xhop}
check=$top/tests/e2e/asn_check.py
rounds=5
while getopts "r:" o; do
	case $o in
	r) rounds=$OPTARG ;;
	*) exit 2 ;;
	esac
done
# shellcheck source=scripts/lab.sh
source "$here/lab.sh"
# shellcheck source=scripts/bench_lab.sh
source "$here/bench_lab.sh"
bench_require bench_asn mtr python3 "$xhop"

bench_lab_traps asn "xz$$-" lab_down

# every lab address in one AS per link, the covering /15 in another
{
	echo "198.18.0.0/15 64999"
	for l in "${LAB_LINKS[@]}"; do
		read -r n _ _ <<<"$l"
		echo "198.18.$n.0/24 $((64500 + n))"
	done
	echo "198.19.0.0/24 64510"
} >"$TMP/truth"
ADDRS=("${LAB_HOP4[@]}" "$LAB_DST4")
mapfile -t LAB_DNS_EXTRA < <(python3 "$check" txt "$TMP/truth" "${ADDRS[@]}")
LAB_DNS_EXTRA+=(--local=/asn.cymru.com/)
LAB_QUIET=1 lab_up "$BENCH_PFX" || exit 1

# line_times ARGS...: xhop in src; prints "TTL MS" per hop line, the time
# since the start when the line was out, then "all MS"
line_times()
{
	lab_exec src python3 -c '
import subprocess, sys, time
t0 = time.monotonic()
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
for line in p.stdout:
    w = line.split()
    if w and w[0].isdigit():
        print(w[0], round((time.monotonic() - t0) * 1000, 3))
p.wait()
print("all", round((time.monotonic() - t0) * 1000, 3))
' "$xhop" "$@"
}
wall_ms() { local t0; t0=$(date +%s%N); "$@" >/dev/null 2>&1; echo $((($(date +%s%N) - t0) / 1000000)); }

agree=0
for ((r = 0; r < rounds; r++)); do
	if ((r % 2)); then order=(z plain); else order=(plain z); fi
	for k in "${order[@]}"; do
		z=()
		[[ $k == z ]] && z=(-z)
		line_times -n "${z[@]}" -q 1 -w 1 "$LAB_DST4" >"$TMP/xhop.$k.$r"
		wall_ms lab_exec src mtr -n "${z[@]}" -r -c 1 "$LAB_DST4" >"$TMP/mtr.$k.$r"
	done
	lab_exec src "$xhop" -n -z -q 1 -w 1 --json "$LAB_DST4" >"$TMP/x.json" 2>/dev/null
	lab_exec src mtr -z -n -r -c 1 "$LAB_DST4" >"$TMP/m.txt" 2>&1
	if python3 "$check" mtr "$TMP/truth" "$TMP/x.json" <"$TMP/m.txt" >/dev/null 2>&1; then
		agree=$((agree + 1))
	fi
done

python3 - "$TMP" "$rounds" "$agree" <<'EOF'
import statistics, sys
tmp, rounds, agree = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def lines(k):
    per = {}
    for r in range(rounds):
        for l in open(f"{tmp}/xhop.{k}.{r}"):
            t, ms = l.split()
            per.setdefault(t, []).append(float(ms))
    return {t: statistics.median(v) for t, v in per.items()}
plain, z = lines("plain"), lines("z")
print(f"xhop -n against xhop -n -z, the lab's {len(plain) - 1} hops, {rounds} rounds, median ms until each line is out:")
for t in [t for t in plain if t != "all"] + ["all"]:
    print(f"  {'TTL ' + t if t != 'all' else 'whole trace':12s} {plain[t]:8.2f} {z.get(t, float('nan')):8.2f}  (+{z.get(t, 0) - plain[t]:.2f})")
mtr = {k: statistics.median(int(open(f"{tmp}/mtr.{k}.{r}").read()) for r in range(rounds)) for k in ("plain", "z")}
print(f"mtr -n -r -c 1 against mtr -n -z -r -c 1, whole run: {mtr['plain']:.0f} ms, {mtr['z']:.0f} ms (+{mtr['z'] - mtr['plain']:.0f})")
print(f"xhop -z and mtr -z agree at every TTL in {agree} of {rounds} rounds")
print(f"the AS adds {z['all'] - plain['all']:.2f} ms to xhop's trace, {mtr['z'] - mtr['plain']:.0f} ms to mtr's report")
sys.exit(0 if agree == rounds else 1)
EOF
