#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Traces against the simulator's truth (xhop-sim truth, same topology).

Usage:
  sim_check.py text SIM TOPO FILE
      FILE: the output of one `traceroute -n` (Debian's or xhop's text),
      whose probes may each be another flow. Every address shown at a TTL
      is one truth lists for some flow at that TTL; a TTL where truth has
      one answer shows exactly it ("* * *" where that is "*"); the trace
      ends where truth ends: at the destination when it answers, else at
      the last router (unreachable) or with only "*" past it (dead).
  sim_check.py json SIM TOPO FILE [--inferred-any] [--missed-ok]
      FILE: scamper trace JSON objects (scamper, xhop --json, xhop scan),
      each one flow (Paris). Each is compared with the truth of its own
      flow (--src and the flow's ports or ICMP checksum): at every TTL of
      truth, exactly its answer (a silent router: no hop); past the end
      only the last answer again (the destination or the unreachable
      router answers any larger TTL); a tunnel's router with its MPLS
      label (RFC 4950), no other with any. --inferred-any: Doubletree's
      inferred hops need only be in the truth of some flow at their TTL.
      --missed-ok: for a simulator that rate-limits, a TTL where truth
      has an answer and the trace none is missed, not a difference; the
      last line counts them ("missed M of A hops probed, U never probed"):
      A, truth's answers up to each trace's highest TTL probed (its
      hop_count), U truth's answers past it. Anything shown is still
      checked.

  sim_check.py links SIM TOPO FILE
      FILE: one tracelb-style JSON object (xhop multipath --json). Every
      link it found is a link of truth (--links, every flow; across a
      silent router, a path through "*" of truth); prints how many of
      truth's links between answering interfaces it found. Differs when
      one link is false.

SIM is the xhop-sim binary, TOPO its topology options as one word
("--seed 7 --lb 40"). Prints one line per trace that differs and
"checked N traces, K differ (M differences)"; exits 1 when one differs or none was read.
"""
import ipaddress
import json
import re
import subprocess
import sys

METHODS = {"icmp": "-I", "udp": "-U", "tcp": "-T"}


def method_flag(method):
    for k, v in METHODS.items():
        if method.startswith(k):
            return v
    raise ValueError("unknown method %r" % method)


def norm(a):
    """An address as traceroute -n prints it (RFC 5952), or '*'"""
    return a if a == "*" else str(ipaddress.ip_address(a))


def truth(sim, topo, args, labels=None):
    """{ttl: set of answers}, in the order of TTLs; labels, a dict, gets
    each tunnel router's MPLS label"""
    out = subprocess.run([sim, "truth", "--labels"] + topo.split() + args, capture_output=True,
                         text=True)
    if out.returncode != 0:
        raise RuntimeError("xhop-sim truth %s: %s" % (" ".join(args), out.stderr.strip()))
    t = {}
    for line in out.stdout.splitlines():
        w = line.split()
        t[int(w[0])] = set()
        for a in w[1:]:
            m = re.match(r"^(.*)\[L(\d+)\]$", a)
            if m:
                a = m.group(1)
                if labels is not None:
                    labels[norm(a)] = int(m.group(2))
            t[int(w[0])].add(norm(a))
    return t


def hop_label(h):
    """The first MPLS label of a hop's ICMP extensions, or None"""
    for ext in h.get("icmpext") or []:
        for lab in ext.get("mpls_labels") or []:
            return lab.get("mpls_label")
    return None


ADDR = re.compile(r"^[0-9a-fA-F:.]+$")


def parse_text(path):
    dst, hops = None, {}
    for line in open(path):
        m = re.match(r"^\S+ to \S+ \(([^)]+)\)", line)
        if m:
            dst = norm(m.group(1))
            continue
        m = re.match(r"^\s*(\d+)\s+(.*)$", line)
        if not m:
            continue
        toks = []
        for w in m.group(2).split():
            if w == "*":
                toks.append("*")
            elif ADDR.match(w) and (":" in w or w.count(".") == 3):
                toks.append(norm(w))
        hops[int(m.group(1))] = toks
    return dst, hops


def check_text(sim, topo, path):
    dst, hops = parse_text(path)
    if dst is None or not hops:
        return ["%s: no trace" % path]
    proto = "-U"
    head = open(path).readline()
    if "icmp" in head:
        proto = "-I"
    # Debian's traceroute says nothing of its method in the header: the
    # caller names the file after it (NAME.icmp, NAME.tcp)
    for k, v in METHODS.items():
        if path.endswith("." + k):
            proto = v
    t = truth(sim, topo, [proto, dst])
    last = max(t)
    errs = []
    for ttl, toks in sorted(hops.items()):
        shown = set(toks)
        want = t.get(ttl)
        if want is None:
            if ttl > last and shown == {"*"} and dst not in t[last]:
                continue
            errs.append("%s TTL %d: %s past truth's end (%d)" % (dst, ttl, sorted(shown), last))
            continue
        extra = shown - want
        if extra:
            errs.append("%s TTL %d: %s not in truth %s" % (dst, ttl, sorted(extra), sorted(want)))
        if len(want) == 1 and shown != want:
            errs.append("%s TTL %d: %s, truth %s" % (dst, ttl, sorted(shown), sorted(want)))
    end = max(hops)
    for ttl in range(1, end + 1):
        if ttl not in hops:
            errs.append("%s: no line for TTL %d" % (dst, ttl))
    if dst in t[last]:
        # a shorter branch may bring some flows there first: the trace
        # ends where one of its probes got the destination's answer
        if dst not in hops[end] or dst not in t.get(end, set()):
            errs.append("%s: ends at TTL %d with %s, truth reaches it at %d" %
                        (dst, end, hops[end], last))
    elif end < last:
        errs.append("%s: ends at TTL %d, truth goes on to %d" % (dst, end, last))
    return errs


def flow_args(tr):
    """xhop-sim truth arguments for one trace's flow"""
    flag = method_flag(tr["method"])
    args = [flag, "--src", tr["src"]]
    if flag == "-I":
        args += ["--icmp-sum", str(tr["icmp_sum"])]
    else:
        args += ["--sport", str(tr["sport"]), "--dport", str(tr["dport"])]
    return args + [tr["dst"]]


def check_json(sim, topo, tr, inferred_any, missed=None):
    """missed: None, or a list [missed, answers, unprobed] to count truth's
    answers the trace lacks instead of calling them differences"""
    dst = norm(tr["dst"])
    labels = {}
    t = truth(sim, topo, flow_args(tr), labels)
    last = max(t)
    seen = {}
    errs = []
    for h in tr.get("hops", []):
        seen.setdefault(h["probe_ttl"], set()).add(norm(h["addr"]))
        # a tunnel's router quotes its label, no other router any
        want = labels.get(norm(h["addr"]))
        if hop_label(h) != want:
            errs.append("%s TTL %d: %s with MPLS label %s, truth %s" %
                        (dst, h["probe_ttl"], h["addr"], hop_label(h), want))
    inferred = {}
    for h in tr.get("inferred_hops", []):
        inferred.setdefault(h["probe_ttl"], set()).add(norm(h["addr"]))
    full = None
    end_answer = t[last]
    for ttl in sorted(set(seen) | set(inferred) | set(t)):
        want = t.get(ttl, {"*"})
        got = seen.get(ttl, set())
        inf = inferred.get(ttl, set())
        if ttl > last:
            if got - end_answer or inf:
                errs.append("%s TTL %d: %s past truth's end %s" %
                            (dst, ttl, sorted(got | inf), sorted(end_answer)))
            continue
        if inferred_any and inf:
            if full is None:
                full = truth(sim, topo, [method_flag(tr["method"]), tr["dst"]])
            if inf - full.get(ttl, set()):
                errs.append("%s TTL %d: inferred %s not in truth %s" %
                            (dst, ttl, sorted(inf), sorted(full.get(ttl, set()))))
            inf = set()
        have = got | inf
        probed = ttl <= tr.get("hop_count", last)
        if missed is not None and want != {"*"} and probed:
            missed[1] += 1
        if want == {"*"}:
            if have:
                errs.append("%s TTL %d: %s where truth is silent" % (dst, ttl, sorted(have)))
        elif inferred_any and not have:
            continue  # Doubletree may leave a hop out where it infers others
        elif missed is not None and not have:
            # a probe sent and not answered: the limit dropped it. Past
            # the highest TTL probed (hop_count: the gap limit stopped
            # the trace after drops) nothing was asked, nothing missed
            missed[0] += probed
            missed[2] += not probed
        elif have != want:
            errs.append("%s TTL %d: %s, truth %s" % (dst, ttl, sorted(have) or "nothing",
                                                       sorted(want)))
    return errs


def check_links(sim, topo, path):
    o = json.load(open(path))
    flag = method_flag(o["method"])
    out = subprocess.run([sim, "truth", "--links"] + topo.split() + [flag, o["dst"]],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError("xhop-sim truth --links: %s" % out.stderr.strip())
    truth_links = set()
    for line in out.stdout.splitlines():
        ttl, a, b = line.split()
        truth_links.add((int(ttl), norm(a), norm(b)))

    def through_silence(ttl, a, b, hops):
        """a at ttl leads to b at ttl + hops over silent routers only"""
        if hops == 1:
            return (ttl, a, b) in truth_links
        return (ttl, a, "*") in truth_links and through_silence_star(ttl + 1, b, hops - 1)

    def through_silence_star(ttl, b, hops):
        if hops == 1:
            return (ttl, "*", b) in truth_links
        return (ttl, "*", "*") in truth_links and through_silence_star(ttl + 1, b, hops - 1)

    errs, got = [], set()
    for l in o["links"]:
        a, b, t0, t1 = norm(l["from"]), norm(l["to"]), l["from_ttl"], l["to_ttl"]
        got.add((t0, a, b))
        if t1 <= t0 or not through_silence(t0, a, b, t1 - t0):
            errs.append("false link TTL %d %s -> TTL %d %s" % (t0, a, t1, b))
    plain = set(x for x in truth_links if "*" not in x[1:])
    print("links: %d of truth's %d between answering interfaces found, %d false" %
          (len(plain & got), len(plain), len(errs)))
    return errs


def main():
    if len(sys.argv) < 5 or sys.argv[1] not in ("text", "json", "links"):
        print(__doc__, file=sys.stderr)
        return 2
    mode, sim, topo, path = sys.argv[1:5]
    errs, n, differ = [], 0, 0
    missed = [0, 0, 0] if "--missed-ok" in sys.argv[5:] else None
    if mode == "text" or mode == "links":
        n = 1
        errs = (check_text if mode == "text" else check_links)(sim, topo, path)
        differ = 1 if errs else 0
    else:
        for line in open(path):
            line = line.strip()
            if not line.startswith("{"):
                continue
            tr = json.loads(line)
            if tr.get("type") != "trace":
                continue
            n += 1
            e = check_json(sim, topo, tr, "--inferred-any" in sys.argv[5:], missed)
            differ += 1 if e else 0
            errs += e
    for e in errs[:40]:
        print(e)
    print("checked %d traces, %d differ (%d differences)%s" %
          (n, differ, len(errs), "" if missed is None else
           "; missed %d of %d hops probed, %d never probed" % tuple(missed)))
    return 1 if errs or n == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
