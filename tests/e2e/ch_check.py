#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks of xhop scan --clickhouse against the scan's own JSON output.

Usage:
  ch_check.py replies NAME TSV OUT:VANTAGE...
      TSV: "vantage probe_dst probe_ttl probe_attempt reply_src rtt" rows
      of one measurement, as ClickHouse gives them. Every answer (hop) of
      every trace in the OUT files, tagged with its vantage point, is a
      row exactly once with the same rtt, and there is no other row.
  ch_check.py targets NAME TSV OUT:VANTAGE...
      TSV: "vantage probe_dst stop_reason hop_count replies" rows: one per
      trace of the OUT files, with its stop reason, hop count and answers.
  ch_check.py links NAME TSV LINK...
      TSV: "near_addr far_addr" rows of the links view; LINK "A>B", or
      "A>PREFIX" for a link from A to every address of PREFIX. The rows
      are exactly the LINKs.
  ch_check.py nodes NAME TSV OUT...
      TSV: "addr" rows of the nodes view: exactly the addresses that
      answered in the OUT files.

Prints ok/FAIL lines, then "COUNTS <passed> <failed>".
"""
import collections
import ipaddress
import json
import os
import sys

# the ok/fail counting of scan_check.py, one copy
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from scan_check import fail, ok  # noqa: E402
import scan_check  # noqa: E402


def tsv(path):
    with open(path) as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip()]


def traces(spec):
    path, _, vantage = spec.partition(":")
    with open(path) as f:
        for line in f:
            if line.strip():
                yield vantage, json.loads(line)


def compare(name, want, got, what):
    if not want:
        fail(name, [f"no {what} in the JSON output: nothing to compare"])
        return
    missing = want - got
    extra = got - want
    why = [f"{n} x {k} in the JSON, in the table not so" for k, n in missing.items()]
    why += [f"{n} x {k} in the table, not in the JSON" for k, n in extra.items()]
    if why:
        fail(name, why)
    else:
        ok(f"{name} ({sum(want.values())} {what})")


def replies(name, path, outs):
    want, got = collections.Counter(), collections.Counter()
    for vantage, t in (x for o in outs for x in traces(o)):
        for h in t["hops"]:
            rtt = f"{h['rtt']:.3f}" if "rtt" in h else "-1.000"
            want[(vantage, t["dst"], h["probe_ttl"], h["probe_id"] - 1, h["addr"], rtt)] += 1
    for v, dst, ttl, att, src, rtt in tsv(path):
        got[(v, dst, int(ttl), int(att), src, f"{float(rtt):.3f}")] += 1
    compare(name, want, got, "answers")


def targets(name, path, outs):
    want, got = collections.Counter(), collections.Counter()
    for vantage, t in (x for o in outs for x in traces(o)):
        want[(vantage, t["dst"], t["stop_reason"], t["hop_count"], len(t["hops"]))] += 1
    for v, dst, stop, hc, n in tsv(path):
        got[(v, dst, stop, int(hc), int(n))] += 1
    compare(name, want, got, "targets")


def links(name, path, specs):
    want = collections.Counter()
    for s in specs:
        a, _, b = s.partition(">")
        if "/" in b:
            for x in ipaddress.ip_network(b):
                want[(a, str(x))] += 1
        else:
            want[(a, b)] += 1
    got = collections.Counter((a, b) for a, b in tsv(path))
    compare(name, want, got, "links")


def nodes(name, path, outs):
    want = collections.Counter()
    for _, t in (x for o in outs for x in traces(o + ":")):
        for h in t["hops"]:
            want[h["addr"]] = 1
    got = collections.Counter(r[0] for r in tsv(path))
    compare(name, want, got, "nodes")


def main():
    what, name, path, rest = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    {"replies": replies, "targets": targets, "links": links, "nodes": nodes}[what](name, path, rest)
    print(f"COUNTS {scan_check.passed} {scan_check.failed}")


main()
