#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""xhop scan --mda's links against the simulator's truth (xhop-sim).

Usage: sim_mda_check.py SIM TOPO FILE [TRUTH]

FILE: the scan's output, one tracelb object per prefix (a /24 or /64).
SIM is the xhop-sim binary, TOPO its topology options as one word
("--seed 7 --lb 60"). TRUTH: a file to keep the truth in (read when it
exists, else written): several scans of the same prefixes ask for it once.

The truth of a prefix: `xhop-sim truth --links --over-silent PREFIX`, the
links between the answers of one flow (silent routers stepped over) for
16,384 flows spread over the prefix's first 256 addresses, as the scan
maps its flows. The simulator picks a path by the /24 (IPv4) or /64
(IPv6), so every address of a prefix shares the routers; the destination
answers from the address probed (some addresses are dead): it is one
node, named by the prefix, on both sides. Links compare as address pairs
(FROM, TO), whatever their TTLs: a link is false when no flow meets its
two ends one after the other.

Per prefix: false links (the scan's, not truth's), missing ones (truth's,
not the scan's), and the balancers crossed (truth's interfaces with two
next hops or more). A prefix is complete with every link and none false;
at a confidence c per interface (the objects' "confidence") it should be
complete at least c^B of the time, B its balancers: the count of complete
prefixes is tested one-sided at 0.1% against that sum (normal
approximation of the Poisson binomial).

Prints the prefixes that differ (40 at most, those with a false link
first), then one JSON line: prefixes,
truth_links, found, false, complete, promised (the expected complete
count), z (how many standard deviations the count is above it, negative:
below), bound_ok, stop reasons, probes. Exit 1 when a link is false, the
bound fails or nothing was read; 2 on bad usage.
"""
import ipaddress
import json
import math
import os
import subprocess
import sys


def norm_net(s):
    return str(ipaddress.ip_network(s, strict=False))


def truth_of(sim, topo, prefixes, keep):
    """{prefix: set of (from, to)}, the destination as the prefix"""
    if keep and os.path.exists(keep):
        text = open(keep).read()
    else:
        out = subprocess.run([sim, "truth"] + topo.split() + ["--links", "--over-silent", "-"],
                             input="".join(p + "\n" for p in prefixes), capture_output=True,
                             text=True)
        if out.returncode != 0:
            raise RuntimeError("xhop-sim truth --over-silent: %s" % out.stderr.strip())
        text = out.stdout
        if keep:
            open(keep, "w").write(text)
    truth, cur = {}, None
    for line in text.splitlines():
        if line.startswith("# "):
            cur = norm_net(line[2:])
            truth[cur] = set()
            continue
        _, a, _, b = line.split()
        truth[cur].add((name(a), name(b)))
    return truth


def name(a):
    """An address as ipaddress prints it, a prefix as its network"""
    return norm_net(a) if "/" in a else str(ipaddress.ip_address(a))


def main():
    if len(sys.argv) not in (4, 5):
        print(__doc__, file=sys.stderr)
        return 2
    sim, topo, path = sys.argv[1:4]
    keep = sys.argv[4] if len(sys.argv) == 5 else None
    objs = [json.loads(l) for l in open(path) if l.startswith("{")]
    objs = [o for o in objs if o.get("type") == "tracelb"]
    if not objs:
        print("no tracelb object in %s" % path)
        print(json.dumps({"prefixes": 0}))
        return 1
    truth = truth_of(sim, topo, [o["dst"] for o in objs], keep)
    missing_truth = [o["dst"] for o in objs if norm_net(o["dst"]) not in truth]
    if missing_truth:
        raise RuntimeError("no truth for %s" % ", ".join(missing_truth[:5]))
    tot = {"prefixes": 0, "truth_links": 0, "found": 0, "false": 0, "complete": 0,
           "probes": 0, "balancers": 0}
    stops, promised, var, shown = {}, 0.0, 0.0, []
    for o in objs:
        pfx = norm_net(o["dst"])
        net = ipaddress.ip_network(pfx)
        got = set()
        for l in o["links"]:
            to = l["to"]
            if ipaddress.ip_address(to) in net:
                to = pfx
            got.add((name(l["from"]), name(to)))
        want = truth[pfx]
        false, missing = got - want, want - got
        nexts = {}
        for a, b in want:
            nexts.setdefault(a, set()).add(b)
        balancers = sum(1 for v in nexts.values() if len(v) > 1)
        p = (o.get("confidence", 95) / 100.0) ** balancers
        promised += p
        var += p * (1 - p)
        tot["prefixes"] += 1
        tot["truth_links"] += len(want)
        tot["found"] += len(got & want)
        tot["false"] += len(false)
        tot["complete"] += not false and not missing
        tot["probes"] += o.get("probec", 0)
        tot["balancers"] += balancers
        stops[o["stop_reason"]] = stops.get(o["stop_reason"], 0) + 1
        if false or missing:
            shown.append((not false, "%s (%d balancers, %s): false %s missing %s" %
                          (pfx, balancers, o["stop_reason"],
                           " ".join("%s>%s" % x for x in sorted(false)) or "-",
                           " ".join("%s>%s" % x for x in sorted(missing)) or "-")))
    # those with a false link first
    for _, line in sorted(shown, key=lambda x: x[0])[:40]:
        print(line)
    sd = math.sqrt(var) if var > 0 else 1.0
    tot["promised"] = round(promised, 2)
    tot["z"] = round((tot["complete"] - promised) / sd, 2)
    # one-sided at 0.1%: z above -3.09
    tot["bound_ok"] = tot["complete"] >= promised or tot["z"] >= -3.09
    tot["stops"] = stops
    print(json.dumps(tot))
    return 0 if tot["false"] == 0 and tot["bound_ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
