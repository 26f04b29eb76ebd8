#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Shorten xhop scan output for a reader (scripts/demo.sh).

Usage: scan_show.py TRACES SUMMARY [N]
Prints the first N traces (default 6) as one line each: destination,
stop reason, probes, the hops measured as TTL:address, and Doubletree's
inferred ones; then the main numbers of the summary.
"""
import json
import sys


def hops(hs):
    return " ".join(f"{h['probe_ttl']}:{h['addr']}" for h in hs)


def main():
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 6
    with open(sys.argv[1]) as f:
        lines = [l for l in f if l.strip()]
    for line in lines[:n]:
        t = json.loads(line)
        inf = hops(t.get("inferred_hops", []))
        print(f"{t['dst']:<15} {t['stop_reason']:<9} probes {t['probe_count']}  {hops(t['hops'])}"
              + (f"  (inferred {inf})" if inf else ""))
    if len(lines) > n:
        print(f"... {len(lines) - n} more")
    with open(sys.argv[2]) as f:
        s = json.loads(f.read().splitlines()[-1])
    keys = ("targets", "probes_sent", "replies", "interfaces", "probes_per_interface",
            "doubletree_stops", "duration_s", "sender")
    print("summary: " + ", ".join(f"{k} {s[k]}" for k in keys))


main()
