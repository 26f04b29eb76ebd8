#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks of xhop's warts files through scamper's own readers.

Usage:
  warts_check.py same NAME XHOP_JSON WARTS2JSON LIST_NAME
      sc_warts2json's objects of the warts file: a cycle-start of list
      LIST_NAME, the traces, a cycle-stop; the traces are xhop's JSON
      objects of the same run, in order, equal in every field warts holds.
  warts_check.py adump NAME DUMP DST EXPECT...
      sc_analysis_dump's line for DST: its hops are the lab's EXPECT words
      (scripts/lab.sh LAB_EXPECT_*: one per TTL, "A|B", "*", "!X" suffix).
  warts_check.py adump-scan NAME DUMP RULE...
      every line of a scan's dump follows the rule of its destination's
      prefix (scripts/lab.sh LAB_SCAN_RULES*: PREFIX=WORD,...:STOP_REASON,
      SELF for the target itself).
  warts_check.py tracediff NAME OUT EXPECT...
      sc_tracediff -a's pairs: every hop of both traces is the lab's.
  warts_check.py wdump NAME DUMP XHOP_JSON
      sc_wartsdump parsed every record: the list, the cycle start and stop,
      a trace per JSON object, a hop per JSON hop.

Prints "ok NAME..." or "FAIL NAME..." with why, and last
"COUNTS <passed> <failed>" for tests/e2e/trace_checks.sh.
"""
import ipaddress
import json
import sys

# xhop's JSON fields warts has no place for (names come from DNS, rtt_ns
# is finer than warts' microseconds, Doubletree's inference is xhop's)
NOT_IN_WARTS_TRACE = {"doubletree", "inferred_hops"}
NOT_IN_WARTS_HOP = {"name", "rtt_ns"}

passed = failed = 0


def ok(name):
    global passed
    passed += 1
    print(f"ok   {name}")


def fail(name, *why):
    global failed
    failed += 1
    print(f"FAIL {name}")
    for w in why:
        print(f"     | {w}")


def load_lines(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def is_v6(addr):
    return ipaddress.ip_address(addr).version == 6


def diff_hop(i, x, w):
    """Differences of xhop hop x and scamper's w"""
    out = []
    for k, v in x.items():
        if k in NOT_IN_WARTS_HOP:
            continue
        # scamper 20211212 keeps the quoted TOS of IPv4 answers only
        if k == "icmp_q_tos" and is_v6(x["addr"]):
            continue
        if k not in w:
            out.append(f"hop {i}: {k} missing from sc_warts2json")
        elif w[k] != v:
            out.append(f"hop {i}: {k}: xhop {v!r}, sc_warts2json {w[k]!r}")
    for k, v in w.items():
        if k in x:
            continue
        # what scamper prints always: an rtt of 0 without a send stamp,
        # an IPID of 0 for IPv6, the quoted TOS xhop prints only for v4
        if (k, v) in (("rtt", 0), ("reply_ipid", 0)):
            continue
        out.append(f"hop {i}: sc_warts2json has {k}={v!r}, xhop's JSON does not")
    return out


def diff_trace(x, w):
    out = []
    for k, v in x.items():
        if k in NOT_IN_WARTS_TRACE or k == "hops":
            continue
        if k not in w:
            out.append(f"{k} missing from sc_warts2json")
        elif w[k] != v:
            out.append(f"{k}: xhop {v!r}, sc_warts2json {w[k]!r}")
    xh, wh = x.get("hops", []), w.get("hops", [])
    if len(xh) != len(wh):
        out.append(f"{len(xh)} hops in xhop's JSON, {len(wh)} from sc_warts2json")
    for i, (a, b) in enumerate(zip(xh, wh)):
        out += diff_hop(i, a, b)
    for k in w:
        if k not in x and k != "hops":
            out.append(f"sc_warts2json has {k}, xhop's JSON does not")
    return out


def same(name, xjson, wjson, list_name):
    xs = load_lines(xjson)
    try:
        ws = load_lines(wjson)
    except (OSError, ValueError) as e:
        fail(f"{name}: sc_warts2json output parses", str(e))
        return
    if (len(ws) >= 2 and ws[0].get("type") == "cycle-start" and ws[-1].get("type") == "cycle-stop"
            and ws[0].get("list_name") == list_name):
        ok(f"{name}: cycle start and stop of list '{list_name}' around the traces")
    else:
        fail(f"{name}: cycle start and stop of list '{list_name}' around the traces",
             f"types: {[o.get('type') for o in ws]}", f"first: {ws[:1]}")
    wt = [o for o in ws if o.get("type") == "trace"]
    if not xs or len(xs) != len(wt):
        fail(f"{name}: as many traces", f"xhop {len(xs)}, sc_warts2json {len(wt)}")
        return
    ok(f"{name}: {len(xs)} trace(s) in both")
    bad = []
    for i, (x, w) in enumerate(zip(xs, wt)):
        d = diff_trace(x, w)
        if d:
            bad.append(f"trace {i} to {x.get('dst')}:")
            bad += ["  " + s for s in d[:12]]
    if bad:
        fail(f"{name}: every trace equal in every field warts holds", *bad[:40])
    else:
        ok(f"{name}: every trace equal in every field warts holds "
           f"({sum(len(x.get('hops', [])) for x in xs)} hops)")


def adump_lines(path):
    """sc_analysis_dump's trace lines: dict per line"""
    out = []
    with open(path) as f:
        for line in f:
            if not line.startswith("T\t"):
                continue
            c = line.rstrip("\n").split("\t")
            hops = []
            for field in c[13:]:
                if field == "q":
                    hops.append([])
                else:
                    hops.append([r.split(",")[0] for r in field.split(";")])
            out.append({"dst": c[2], "dest_replied": c[6], "request_ttl": int(c[8]),
                        "halt": c[10], "hops": hops, "line": line.strip()})
    return out


def path_why(d, expect, dst, unreach=False):
    """What is wrong with dump line d against the lab's words expect
    (unreach: the path ends in an ICMP unreachable, a "!X" word)"""
    why = []
    words = [w.replace("SELF", dst) for w in expect]
    last = words[-1].split("!")[0].split("|")
    unreach = unreach or "!" in words[-1]
    if d["dest_replied"] == "R":
        # scamper takes the destination's first reply out of the hops
        if d["request_ttl"] != len(words):
            why.append(f"destination answered at TTL {d['request_ttl']}, not {len(words)}")
    elif not unreach:
        why.append(f"destination did not reply ({d['dest_replied']})")
    if unreach and d["halt"] != "U":
        why.append(f"halt reason {d['halt']}, expected U (unreachable)")
    if len(d["hops"]) > len(words):
        why.append(f"{len(d['hops'])} hop fields for {len(words)} TTLs")
    for i, got in enumerate(d["hops"][:len(words)]):
        w = words[i]
        if w == "*":
            if got:
                why.append(f"TTL {i + 1}: expected no answer, got {got}")
            continue
        alts = w.split("!")[0].split("|")
        if i == len(words) - 1 and d["dest_replied"] == "R":
            alts = last
        if not got and not (i == len(words) - 1 and d["dest_replied"] == "R"):
            why.append(f"TTL {i + 1}: no answer, expected {w}")
        if any(a not in alts for a in got):
            why.append(f"TTL {i + 1}: {got}, expected {w}")
    # the dump ends at the last answered TTL before the destination's
    # first reply: only silent TTLs may be missing at the end
    for i in range(len(d["hops"]), len(words) - 1):
        if words[i] != "*":
            why.append(f"TTL {i + 1}: no hop field, expected {words[i]}")
    return why


def adump(name, path, dst, expect):
    lines = [d for d in adump_lines(path) if d["dst"] == dst]
    if len(lines) != 1:
        fail(f"{name}: sc_analysis_dump has one line to {dst}", f"{len(lines)} lines")
        return
    why = path_why(lines[0], expect, dst)
    if why:
        fail(f"{name}: sc_analysis_dump shows the lab's path", *why, lines[0]["line"])
    else:
        ok(f"{name}: sc_analysis_dump shows the lab's path")


def adump_scan(name, path, rules):
    parsed = []
    for r in rules:
        prefix, rest = r.split("=", 1)
        words, stop = rest.rsplit(":", 1)
        parsed.append((ipaddress.ip_network(prefix), words.split(","), stop))
    lines = adump_lines(path)
    if not lines:
        fail(f"{name}: sc_analysis_dump lists the scan's traces", "no trace lines")
        return
    bad = []
    for d in lines:
        a = ipaddress.ip_address(d["dst"])
        rule = [r for r in parsed if a in r[0]]
        if not rule:
            bad.append(f"{d['dst']}: no rule")
            continue
        _, words, stop = rule[0]
        why = path_why(d, words, d["dst"], stop == "UNREACH")
        if stop == "COMPLETED" and d["dest_replied"] != "R":
            why.append("destination did not reply")
        if why:
            bad += [f"{d['dst']}: {w}" for w in why]
    if bad:
        fail(f"{name}: sc_analysis_dump shows the lab's paths", *bad[:30])
    else:
        ok(f"{name}: sc_analysis_dump shows the lab's paths ({len(lines)} traces)")


def tracediff(name, path, expect):
    words = [w.split("!")[0].split("|") for w in expect]
    pairs = hops = 0
    bad = []
    with open(path) as f:
        for line in f:
            if line.startswith("traceroute from"):
                pairs += 1
                continue
            c = line.split()
            if not c or not c[0].isdigit():
                continue
            ttl = int(c[0])
            hops += 1
            if ttl > len(words):
                bad.append(f"TTL {ttl} beyond the lab's {len(words)}")
                continue
            for a in c[1:]:
                if a not in words[ttl - 1] and not (a == "*" and words[ttl - 1] == ["*"]):
                    bad.append(f"TTL {ttl}: {a}, expected {'|'.join(words[ttl - 1])}")
    if not pairs or not hops:
        fail(f"{name}: sc_tracediff -a pairs the traces", f"{pairs} pairs, {hops} hop lines")
    elif bad:
        fail(f"{name}: sc_tracediff shows the lab's path", *bad[:20])
    else:
        ok(f"{name}: sc_tracediff shows the lab's path ({pairs} pair(s))")


def wdump(name, path, xjson):
    xs = load_lines(xjson)
    with open(path) as f:
        text = f.read().splitlines()
    n_trace = sum(1 for l in text if l.startswith("traceroute from"))
    n_hop = sum(1 for l in text if l.startswith("hop "))
    want_hops = sum(len(x.get("hops", [])) for x in xs)
    why = []
    if not any(l.startswith("list id 1") for l in text):
        why.append("no list record")
    if not any(l.startswith("cycle start") for l in text):
        why.append("no cycle start")
    if not text or not text[-1].startswith("cycle stop"):
        why.append("the last record is no cycle stop")
    if n_trace != len(xs):
        why.append(f"{n_trace} traces, xhop's JSON has {len(xs)}")
    if n_hop != want_hops:
        why.append(f"{n_hop} hops, xhop's JSON has {want_hops}")
    if why:
        fail(f"{name}: sc_wartsdump parses every record", *why)
    else:
        ok(f"{name}: sc_wartsdump parses every record ({n_trace} traces, {n_hop} hops)")


def main(argv):
    try:
        cmd, name = argv[1], argv[2]
        if cmd == "same":
            same(name, argv[3], argv[4], argv[5])
        elif cmd == "adump":
            adump(name, argv[3], argv[4], argv[5:])
        elif cmd == "adump-scan":
            adump_scan(name, argv[3], argv[4:])
        elif cmd == "tracediff":
            tracediff(name, argv[3], argv[4:])
        elif cmd == "wdump":
            wdump(name, argv[3], argv[4])
        else:
            fail(f"warts_check.py: unknown check {cmd}")
    except (IndexError, OSError, ValueError, KeyError) as e:
        fail(f"{argv[2] if len(argv) > 2 else 'warts_check'}: check ran", repr(e))
    print(f"COUNTS {passed} {failed}")


if __name__ == "__main__":
    main(sys.argv)
