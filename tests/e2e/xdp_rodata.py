#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Print the answer filter a running xhop set in its XDP program.

Usage: xdp_rodata.py PROG_ID

PROG_ID is xhop's XDP program (as "ip -d link show" names it). Its
read-only data (the skeleton's .rodata map) is read with bpftool and every
field but the key is printed, one "NAME VALUE" per line (run_sport,
run_proto, l3_only, ...): the run's secret stays unprinted. Exits 1 if the
program or the map is gone.
"""
import json
import subprocess
import sys


def bpftool(*args):
    out = subprocess.run(["bpftool", "-j", *args], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(1)
    return json.loads(out.stdout)


def main():
    prog = bpftool("prog", "show", "id", sys.argv[1])
    for mid in prog.get("map_ids", []):
        if not bpftool("map", "show", "id", str(mid)).get("name", "").endswith(".rodata"):
            continue
        for entry in bpftool("map", "dump", "id", str(mid)):
            for field in entry.get("formatted", entry).get("value", {}).get(".rodata", []):
                for name, value in field.items():
                    if not name.startswith("key"):
                        print(name, value)
        return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
