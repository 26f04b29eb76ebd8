#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""For scripts/bench_sim_cpu.sh: one scan's sustained rate, its sending
thread's time by kind (a `perf report --sort comm,dso,sym` of it), and
the rate it would have with xhop's own share of that CPU at zero, against
the floods' answers per second.

Usage: sim_cpu_share.py SUMMARY PERF_REPORT HELD_TTL1 HELD_MIX ESC_TTL1 ESC_MIX
(a ceiling of 0: no round of that kind)."""
import json
import re
import sys

# kernel symbols that are the stamps' own: the clock reads and the TX metadata
STAMP_SYMS = ("read_tsc", "ktime_get_mono_fast_ns", "ktime_get_tai_fast_ns",
              "xsk_skb_metadata")
OWN = ("xhop's receiver (XDP, ring buffer)", "clock reads and TX metadata (stamps)",
       "xhop's sending thread, userspace")


def kind_of(dso, sym):
    if "walk_cb" in dso or "xhop_sim" in dso:
        return "the simulator's XDP"
    if "xhop_rx" in dso or "ringbuf" in sym:
        return OWN[0]
    if sym in STAMP_SYMS:
        return OWN[1]
    if dso in ("xhop", "libc.so.6", "[vdso]"):
        return OWN[2]
    return "the kernel's AF_XDP copy-mode and veth path"


def profile(path):
    """The sending thread's (comm xhop-tx) share of samples by kind"""
    kinds = {}
    for line in open(path):
        m = re.match(r"\s*([\d.]+)%\s+(\S+)\s+(\S+)\s+\[.\]\s+(\S+)", line)
        if not m or m.group(2) != "xhop-tx":
            continue
        k = kind_of(m.group(3), m.group(4))
        kinds[k] = kinds.get(k, 0.0) + float(m.group(1))
    total = sum(kinds.values())
    return {k: v / total for k, v in kinds.items()} if total else {}


def main():
    summary = json.loads(open(sys.argv[1]).read().splitlines()[-1])
    held1, heldmix, esc1, escmix = (int(x) for x in sys.argv[3:7])
    rate = summary["backlog_pps"]
    answered = summary["replies"] / max(summary["probes_sent"], 1)
    print("  %d probes, %.1f%% answered, %.0f probes/s sustained, %.0f answers/s" % (
        summary["probes_sent"], 100 * answered, rate, rate * answered))
    shares = profile(sys.argv[2])
    own = sum(shares.get(k, 0.0) for k in OWN)
    if shares:
        print("  the sending thread's time (perf):")
        for k, v in sorted(shares.items(), key=lambda x: -x[1]):
            print("    %-45s %5.1f%%" % (k, 100 * v))
        print("  xhop's own share: %.1f%%; with it at zero (the bound): %.0f probes/s,"
              " %.0f answers/s" % (100 * own, rate / (1 - own), rate / (1 - own) * answered))
    bound = rate / (1 - own)
    print("  against the floods' answers per second (best round of each kind):")
    for name, ceil in (("TTL 1, held on one CPU", held1), ("mix, held on one CPU", heldmix),
                       ("TTL 1, escaped to two CPUs", esc1), ("mix, escaped to two CPUs", escmix)):
        if ceil:
            print("    %-28s %7d: the scan %3.0f%%, the bound %3.0f%%" % (
                name, ceil, 100 * rate * answered / ceil, 100 * bound * answered / ceil))


if __name__ == "__main__":
    main()
