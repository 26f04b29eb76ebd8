#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks of xhop multipath's warts (tracelb records) through scamper's readers.

Usage:
  warts_lb_check.py same NAME XHOP_JSON WARTS2JSON LIST_NAME
      sc_warts2json's objects: a cycle-start of list LIST_NAME, the
      tracelb objects, a cycle-stop; each tracelb is xhop's JSON object of
      the same run: method, src, dst, confidence, counts, ports, start,
      and the same nodes with the same links (scamper prints a node only
      when it has links: the destination is counted in nodec, not listed).
  warts_lb_check.py wdump NAME DUMP XHOP_JSON
      sc_wartsdump parsed every record; per link the TTLs it spans and its
      probes are xhop's (the JSON's flat links, "probec"), each probe at
      one of those TTLs, answered only at the last, every reply from the
      link's far end; flow ids within the run's flows, attempts within
      -q; no reply faster than xhop's rtt_min of its node.
  warts_lb_check.py truth NAME WARTS2JSON TRUTH
      the links sc_warts2json shows are the lab's (TRUTH: "FROM>TO" lines)

Prints "ok NAME..." or "FAIL NAME..." with why, and last
"COUNTS <passed> <failed>" for tests/e2e/trace_checks.sh.
"""
import collections
import re
import sys

import warts_check as wc

# tracelb header fields warts keeps as xhop's JSON has them
SAME_HEAD = ("method", "src", "dst", "confidence", "probec", "nodec", "linkc", "firsthop",
             "attempts", "tos", "probe_size", "userid", "version")


def w_targets(node):
    """The far ends of a node's links as scamper 20211212 prints them"""
    links = node["links"]
    if node["linkc"] > 1:
        return [e["addr"] for e in links[0]]
    # one link: a list per TTL it spans, silent ones as "*", the far end last
    return [links[-1][0]["addr"]]


def x_node_key(n):
    return (n["addr"], n["linkc"], tuple(sorted(e[0]["addr"] for e in n["links"])))


def w_node_key(n):
    return (n["addr"], n["linkc"], tuple(sorted(w_targets(n))))


def diff_lb(x, w):
    out = []
    for k in SAME_HEAD:
        if x.get(k) != w.get(k):
            out.append(f"{k}: xhop {x.get(k)!r}, sc_warts2json {w.get(k)!r}")
    if x["method"] != "icmp-echo":
        for k in ("sport", "dport"):
            if x.get(k) != w.get(k):
                out.append(f"{k}: xhop {x.get(k)!r}, sc_warts2json {w.get(k)!r}")
    for k in ("sec", "usec"):
        if x["start"][k] != w["start"][k]:
            out.append(f"start.{k}: xhop {x['start'][k]}, sc_warts2json {w['start'][k]}")
    if w.get("wait_timeout") != int(x["wait_timeout"] + 0.5):
        out.append(f"wait_timeout: xhop {x['wait_timeout']}, sc_warts2json {w.get('wait_timeout')}")
    if w.get("probec_max", -1) < w.get("probec", 0):
        out.append(f"probec_max {w.get('probec_max')} below probec {w.get('probec')}")
    xn = collections.Counter(x_node_key(n) for n in x["nodes"] if n["linkc"] > 0)
    wn = collections.Counter(w_node_key(n) for n in w.get("nodes", []))
    if xn != wn:
        out.append(f"nodes only in xhop's JSON: {sorted((xn - wn).elements())}")
        out.append(f"nodes only from sc_warts2json: {sorted((wn - xn).elements())}")
    xl = collections.Counter((lk["from"], lk["to"]) for lk in x["links"])
    wl = collections.Counter((n["addr"], t) for n in w.get("nodes", []) for t in w_targets(n))
    if xl != wl:
        out.append(f"links differ: xhop {sorted(xl.elements())}, warts {sorted(wl.elements())}")
    return out


def same(name, xjson, wjson, list_name):
    xs = wc.load_lines(xjson)
    ws = wc.load_lines(wjson)
    if (len(ws) >= 2 and ws[0].get("type") == "cycle-start" and ws[-1].get("type") == "cycle-stop"
            and ws[0].get("list_name") == list_name):
        wc.ok(f"{name}: cycle start and stop of list '{list_name}' around the tracelb")
    else:
        wc.fail(f"{name}: cycle start and stop of list '{list_name}' around the tracelb",
                f"types: {[o.get('type') for o in ws]}")
    wt = [o for o in ws if o.get("type") == "tracelb"]
    if not xs or len(xs) != len(wt):
        wc.fail(f"{name}: as many tracelb objects", f"xhop {len(xs)}, sc_warts2json {len(wt)}")
        return
    why = []
    for i, (x, w) in enumerate(zip(xs, wt)):
        why += [f"trace {i}: {d}" for d in diff_lb(x, w)]
    if why:
        wc.fail(f"{name}: sc_warts2json gives xhop's tracelb", *why)
    else:
        wc.ok(f"{name}: sc_warts2json gives xhop's tracelb ({len(xs)}: head, "
              f"{sum(len(x['nodes']) for x in xs)} nodes, {sum(len(x['links']) for x in xs)} links)")


LINK_RE = re.compile(r"^ link (\S+) -> (\S+) hopc (\d+)$")
PROBE_RE = re.compile(r"^  probe flowid: (\d+), ttl: (\d+), attempt: (\d+), tx: (\d+)\.(\d+)$")
REPLY_RE = re.compile(r"^   reply from: (\S+), rtt: (\d+)\.(\d+), ttl: (\d+)")


def parse_wdump(path):
    """sc_wartsdump's tracelb records: header numbers, links, their probes"""
    recs, cur, link, probe = [], None, None, None
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("tracelb from "):
                cur = {"links": [], "head": {}}
                recs.append(cur)
                continue
            if cur is None:
                continue
            m = re.match(r"^ nodec: (\d+), linkc: (\d+), probec: (\d+), probec_max: (\d+)", line)
            if m:
                cur["head"] = dict(zip(("nodec", "linkc", "probec", "probec_max"),
                                       map(int, m.groups())))
                continue
            m = LINK_RE.match(line)
            if m:
                link = {"from": m[1], "to": m[2], "hopc": int(m[3]), "probes": []}
                cur["links"].append(link)
                continue
            m = PROBE_RE.match(line)
            if m and link is not None:
                probe = {"flowid": int(m[1]), "ttl": int(m[2]), "attempt": int(m[3]),
                         "replies": []}
                link["probes"].append(probe)
                continue
            m = REPLY_RE.match(line)
            if m and probe is not None:
                probe["replies"].append((m[1], int(m[2]) * 1000 + int(m[3]) / 1000))
    return recs


def wdump(name, path, xjson):
    xs = wc.load_lines(xjson)
    recs = parse_wdump(path)
    why = []
    if len(recs) != len(xs):
        why.append(f"{len(recs)} tracelb records, xhop's JSON has {len(xs)}")
    for i, (x, r) in enumerate(zip(xs, recs)):
        head = r["head"]
        if (head.get("nodec"), head.get("linkc"), head.get("probec")) != (
                x["nodec"], x["linkc"], x["probec"]):
            why.append(f"trace {i}: counts {head}, xhop nodec {x['nodec']} linkc {x['linkc']} "
                       f"probec {x['probec']}")
        xl = collections.Counter((lk["from"], lk["to"], lk["to_ttl"] - lk["from_ttl"],
                                  lk["probec"]) for lk in x["links"])
        wl = collections.Counter((lk["from"], lk["to"], lk["hopc"], len(lk["probes"]))
                                 for lk in r["links"])
        if xl != wl:
            why.append(f"trace {i}: links (from, to, hopc, probes) only in xhop's JSON: "
                       f"{sorted((xl - wl).elements())}; only in the dump: "
                       f"{sorted((wl - xl).elements())}")
        spans = collections.defaultdict(set)
        for lk in x["links"]:
            spans[(lk["from"], lk["to"], lk["to_ttl"] - lk["from_ttl"])].add(
                (lk["from_ttl"], lk["to_ttl"]))
        base = x["icmp_sum"] if x["method"] == "icmp-echo" else x["sport"]
        rtt_min = {(n["addr"], n["probe_ttl"]): n["rtt_min"] for n in x["nodes"] if "rtt_min" in n}
        in_links = 0
        for lk in r["links"]:
            span = spans.get((lk["from"], lk["to"], lk["hopc"]), set())
            for p in lk["probes"]:
                in_links += 1
                # a probe of the TTLs the link spans; answered only at its far end
                if not any(a < p["ttl"] <= b and (p["ttl"] == b or not p["replies"])
                           for a, b in span):
                    why.append(f"trace {i}: link {lk['from']}>{lk['to']} (TTLs {sorted(span)}): "
                               f"a probe at TTL {p['ttl']} with {len(p['replies'])} replies")
                if not 0 <= (p["flowid"] - base) % 65536 < x["flowc"]:
                    why.append(f"trace {i}: flow id {p['flowid']} outside {base}+{x['flowc']}")
                if p["attempt"] >= x["attempts"]:
                    why.append(f"trace {i}: attempt {p['attempt']} of {x['attempts']}")
                for frm, rtt in p["replies"]:
                    if frm != lk["to"]:
                        why.append(f"trace {i}: link {lk['from']}>{lk['to']}: a reply from {frm}")
                    floor = rtt_min.get((frm, p["ttl"]))
                    if floor is not None and rtt < floor - 0.0015:
                        why.append(f"trace {i}: {frm} answered in {rtt} ms, rtt_min {floor}")
        if in_links > x["probec"]:
            why.append(f"trace {i}: {in_links} probes in links, probec {x['probec']}")
    if why:
        wc.fail(f"{name}: sc_wartsdump: xhop's links, probes and replies", *why[:20])
    else:
        wc.ok(f"{name}: sc_wartsdump: xhop's links, probes and replies "
              f"({sum(len(lk['probes']) for r in recs for lk in r['links'])} probes in links)")


def truth(name, wjson, truth_file):
    with open(truth_file) as f:
        want = {line.strip() for line in f if line.strip()}
    got = set()
    for w in wc.load_lines(wjson):
        if w.get("type") == "tracelb":
            got |= {f"{n['addr']}>{t}" for n in w.get("nodes", []) for t in w_targets(n)}
    false = sorted(got - want)
    if got and not false:
        wc.ok(f"{name}: the links in the warts are the lab's ({len(got)} of {len(want)})")
    else:
        wc.fail(f"{name}: the links in the warts are the lab's", f"false: {false}",
                f"got {len(got)}")


def main(argv):
    try:
        cmd, name = argv[1], argv[2]
        if cmd == "same":
            same(name, argv[3], argv[4], argv[5])
        elif cmd == "wdump":
            wdump(name, argv[3], argv[4])
        elif cmd == "truth":
            truth(name, argv[3], argv[4])
        else:
            wc.fail(f"warts_lb_check.py: unknown check {cmd}")
    except (IndexError, OSError, ValueError, KeyError, TypeError) as e:
        wc.fail(f"{argv[2] if len(argv) > 2 else 'warts_lb_check'}: check ran", repr(e))
    print(f"COUNTS {wc.passed} {wc.failed}")


if __name__ == "__main__":
    main(sys.argv)
