#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compare an xhop scan with a scamper run over the same target list.

Usage: bench_scan_compare.py XHOP_OUT XHOP_SUMMARY XHOP_WALL_S SCAMPER_JSON SCAMPER_WALL_S

Per target, the set of interface addresses each tool found (xhop: measured
hops and Doubletree's inferred ones; scamper: its hops). Prints one table
row per tool and the comparison; exit status 0 (numbers are for reading,
never asserted here).
"""
import json
import sys


def xhop_sets(path):
    out = {}
    for line in open(path):
        t = json.loads(line)
        out[t["dst"]] = {h["addr"] for h in t["hops"] + t.get("inferred_hops", [])}
    return out


def scamper_sets(path):
    out, probes = {}, 0
    for line in open(path):
        t = json.loads(line)
        if t.get("type") != "trace":
            continue
        out[t["dst"]] = {h["addr"] for h in t.get("hops", [])}
        probes += t.get("probe_count", 0)
    return out, probes


def main():
    xo, xs, xw, so, sw = sys.argv[1:6]
    xw, sw = float(xw), float(sw)
    summ = json.loads(open(xs).read().splitlines()[-1])
    x = xhop_sets(xo)
    s, s_probes = scamper_sets(so)
    both = set(x) & set(s)
    same = sum(1 for d in both if x[d] == s[d])
    diff = [d for d in sorted(both) if x[d] != s[d]]
    ux = set().union(*x.values()) if x else set()
    us = set().union(*s.values()) if s else set()
    x_probes = summ["probes_sent"]
    print(f"{'tool':<9}{'targets':>9}{'wall_s':>9}{'probes':>10}{'probes/target':>15}"
          f"{'interfaces':>12}{'kpps':>8}")
    for name, n, w, p, u in (("xhop", len(x), xw, x_probes, ux), ("scamper", len(s), sw, s_probes, us)):
        print(f"{name:<9}{n:>9}{w:>9.2f}{p:>10}{p / max(n, 1):>15.2f}{len(u):>12}"
              f"{p / w / 1000 if w else 0:>8.1f}")
    print()
    alltargets = set(x) | set(s)
    speed = f"{sw / xw:.1f}x" if xw else "n/a"
    print(f"xhop (sender {summ['sender']}) / scamper speed: {speed} (scamper wall / xhop wall), "
          f"same interfaces for {same} of {len(alltargets)} targets")
    print(f"probes: xhop sends {x_probes / max(s_probes, 1):.2f} of scamper's")
    print(f"targets traced by both: {len(both)} (xhop only {len(set(x) - set(s))}, "
          f"scamper only {len(set(s) - set(x))})")
    for d in diff[:5]:
        print(f"  differs: {d}: xhop {sorted(x[d])} scamper {sorted(s[d])}")
    print(f"union of interfaces: xhop {len(ux)}, scamper {len(us)}, "
          f"{'equal' if ux == us else f'xhop-only {sorted(ux - us)[:5]} scamper-only {sorted(us - ux)[:5]}'}")
    print(f"xhop summary: doubletree_stops {summ['doubletree_stops']}, inferred_hops "
          f"{summ['inferred_hops']}, ring_drops {summ['ring_drops']}, send_errors "
          f"{summ['send_errors']}, sender {summ['sender']}")


main()
