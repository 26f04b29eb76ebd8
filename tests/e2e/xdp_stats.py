#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Print the per-CPU counters of a running xhop's "stats" map.

Usage: xdp_stats.py PROG_ID XHOP_EVENT_H

PROG_ID is xhop's XDP program (as "ip -d link show" names it); the map is
found among its maps by name, read with bpftool, summed over the CPUs and
printed one "NAME VALUE" per line, NAME from enum xhop_stat in
XHOP_EVENT_H without its XHOP_STAT_ prefix (RX_SEEN, RX_OURS, ...), so the
test follows the header instead of hard-coding the order. Exits 1 if the
program or its map is gone.
"""
import json
import re
import subprocess
import sys


def bpftool(*args):
    out = subprocess.run(["bpftool", "-j", *args], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(1)
    return json.loads(out.stdout)


def stat_names(header):
    with open(header) as f:
        text = f.read()
    body = re.search(r"enum xhop_stat\s*\{(.*?)\}", text, re.S).group(1)
    body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
    return [n for n in re.findall(r"XHOP_STAT_(\w+)", body) if n != "MAX"]


def main():
    names = stat_names(sys.argv[2])
    prog = bpftool("prog", "show", "id", sys.argv[1])
    for mid in prog.get("map_ids", []):
        m = bpftool("map", "show", "id", str(mid))
        if m.get("name") != "stats":
            continue
        sums = {}
        for e in bpftool("map", "dump", "id", str(mid)):
            key = e["key"]
            if isinstance(key, list):  # no BTF: bytes as hex strings
                key = int.from_bytes(bytes(int(b, 16) for b in key), "little")
            vals = e.get("values", [])
            sums[key] = sum(v["value"] if isinstance(v["value"], int) else
                            int.from_bytes(bytes(int(b, 16) for b in v["value"]), "little")
                            for v in vals)
        for i, n in enumerate(names):
            print(n, sums.get(i, 0))
        return
    sys.exit(1)


main()
