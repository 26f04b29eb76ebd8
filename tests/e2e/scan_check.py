#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks on xhop scan output (one scamper trace object per line).

Usage:
  scan_check.py paths NAME OUT TARGETS RULE...
      OUT has exactly one trace per address in the file TARGETS (one per
      line), nothing else; every trace follows the RULE of the prefix its
      destination is in. A RULE is PREFIX=HOPS:STOP, HOPS one word per TTL
      from 1: an address, "A|B" (one of them, the same one for the
      target), "*" (no answer), "SELF" (the destination itself); STOP the
      expected stop_reason. Hops measured ("hops") and inferred
      ("inferred_hops", Doubletree) together must give exactly HOPS; a
      measured hop needs an rtt in (0, 1000) ms.
  scan_check.py exact NAME OUT TARGETS RULE...
      As paths, for benchmarks: prints "EXACT <targets exact> <targets>".
  scan_check.py same NAME A B
      A and B trace the same targets, and every target has the same hop
      addresses per TTL (measured and inferred together) in both.
  scan_check.py shards NAME TARGETS OUT...
      The OUT files together trace every address of TARGETS exactly once.
  scan_check.py summary NAME FILE 'EXPR'...
      FILE's last line is the summary object s; each EXPR holds.
  scan_check.py pacing NAME TIMES RATE
      TIMES: one send time per line (seconds, a capture's), RATE the
      --rate asked. No burst: no 1 ms holds more than RATE/1000 + 12 (a
      quantum or two of 250 us, and the capture's jitter). The rate kept:
      the busiest 40 ms holds at least 90% and at most 102% (+12) of
      RATE x 40 ms.

Prints "ok NAME..." or "FAIL NAME..." with reasons, then
"COUNTS <passed> <failed>" for tests/e2e/lib.sh.
"""
import ipaddress
import json
import sys

passed = failed = 0


def ok(name):
    global passed
    passed += 1
    print(f"ok   {name}")


def fail(name, why):
    global failed
    failed += 1
    print(f"FAIL {name}")
    for w in why[:12]:
        print(f"     | {w}")
    if len(why) > 12:
        print(f"     | ... {len(why) - 12} more")


def load(path):
    traces, bad = {}, []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                t = json.loads(line)
            except ValueError as e:
                bad.append(f"line {n}: not JSON: {e}")
                continue
            if t.get("type") != "trace":
                bad.append(f"line {n}: type {t.get('type')!r}")
                continue
            d = str(ipaddress.ip_address(t["dst"]))
            if d in traces:
                bad.append(f"{d} traced twice")
            traces[d] = t
    return traces, bad


def hop_map(t):
    """{ttl: set of addresses}, measured and inferred"""
    m = {}
    for h in t.get("hops", []) + t.get("inferred_hops", []):
        m.setdefault(h["probe_ttl"], set()).add(h["addr"])
    return m


def check_rule(t, hops, stop):
    why = []
    dst = t["dst"]
    got = hop_map(t)
    for i, word in enumerate(hops):
        ttl = i + 1
        g = got.get(ttl, set())
        if word == "*":
            if g:
                why.append(f"{dst} TTL {ttl}: expected silence, got {sorted(g)}")
            continue
        alts = {dst if a == "SELF" else a for a in word.split("|")}
        if len(g) != 1 or not g <= alts:
            why.append(f"{dst} TTL {ttl}: expected one of {sorted(alts)}, got {sorted(g)}")
    extra = sorted(x for x in got if x > len(hops))
    if extra:
        why.append(f"{dst}: answers beyond TTL {len(hops)}: {extra}")
    if t.get("stop_reason") != stop:
        why.append(f"{dst}: stop_reason {t.get('stop_reason')}, expected {stop}")
    for h in t.get("hops", []):
        if not (0 < h.get("rtt", -1) < 1000):
            why.append(f"{dst} TTL {h['probe_ttl']}: rtt {h.get('rtt')}")
            break
    return why


def cmd_paths(name, out, targets, rules, count_only=False):
    traces, why = load(out)
    exact = 0
    want = [str(ipaddress.ip_address(l.strip())) for l in open(targets) if l.strip()]
    parsed = []
    for r in rules:
        pfx, _, rest = r.partition("=")
        hops, _, stop = rest.rpartition(":")
        parsed.append((ipaddress.ip_network(pfx), hops.split(","), stop))
    missing = [a for a in want if a not in traces]
    extra = sorted(set(traces) - set(want))
    if missing:
        why.append(f"{len(missing)} targets without a trace, e.g. {missing[:3]}")
    if extra:
        why.append(f"{len(extra)} traces of targets not asked for, e.g. {extra[:3]}")
    checked = 0
    for a in want:
        t = traces.get(a)
        if t is None:
            continue
        rule = [p for p in parsed if ipaddress.ip_address(a) in p[0]]
        if not rule:
            why.append(f"{a}: no rule covers it")
            continue
        problems = check_rule(t, rule[0][1], rule[0][2])
        why += problems
        checked += 1
        exact += not problems
    label = f"{name}: {checked} of {len(want)} targets, exact paths"
    if count_only:
        print(f"EXACT {exact} {len(want)}")
        return
    (fail(label, why) if why or not checked else ok(label))


def cmd_same(name, a, b):
    ta, why = load(a)
    tb, why_b = load(b)
    why += why_b
    if set(ta) != set(tb):
        why.append(f"target sets differ: {len(ta)} vs {len(tb)}")
    for d in sorted(set(ta) & set(tb)):
        ma, mb = hop_map(ta[d]), hop_map(tb[d])
        if ma != mb:
            why.append(f"{d}: {sorted((k, sorted(v)) for k, v in ma.items())} vs "
                       f"{sorted((k, sorted(v)) for k, v in mb.items())}")
    label = f"{name}: {len(ta)} targets, the same hops in both"
    (fail(label, why) if why or not ta else ok(label))


def cmd_shards(name, targets, outs):
    want = {str(ipaddress.ip_address(l.strip())) for l in open(targets) if l.strip()}
    seen, why = {}, []
    for o in outs:
        tr, w = load(o)
        why += w
        for d in tr:
            if d in seen:
                why.append(f"{d} in {seen[d]} and in {o}")
            seen[d] = o
    missing = sorted(want - set(seen))
    extra = sorted(set(seen) - want)
    if missing:
        why.append(f"{len(missing)} targets in no shard, e.g. {missing[:3]}")
    if extra:
        why.append(f"{len(extra)} traces of targets not in the list")
    sizes = [sum(1 for v in seen.values() if v == o) for o in outs]
    label = f"{name}: {len(outs)} shards ({'+'.join(map(str, sizes))}) cover {len(want)} targets once"
    (fail(label, why) if why else ok(label))


def cmd_summary(name, path, exprs):
    try:
        lines = [l for l in open(path).read().splitlines() if l.strip()]
        s = json.loads(lines[-1])
        if s.get("type") != "scan-summary":
            raise ValueError(f"last line is type {s.get('type')!r}")
    except (OSError, ValueError, IndexError) as e:
        fail(f"{name}: summary parses", [str(e)])
        return
    for e in exprs:
        try:
            r = eval(e, {"s": s})
        except Exception as ex:  # a missing key fails the check
            r, e = False, f"{e}: {type(ex).__name__} {ex}"
        (ok(f"{name}: {e}") if r else fail(f"{name}: {e}", [json.dumps(s)]))


def cmd_pacing(name, path, rate):
    times = sorted(float(l.split()[0]) for l in open(path) if l.strip())
    if len(times) < 2:
        fail(f"{name}: probes captured", [f"{len(times)} probes"])
        return

    def densest(width):
        best, j = 0, 0
        for i, t in enumerate(times):
            while times[j] < t - width:
                j += 1
            best = max(best, i - j + 1)
        return best

    burst, limit = densest(0.001), rate / 1000 + 12
    label = f"{name}: at most {limit:.0f} probes in any 1 ms (saw {burst})"
    (ok(label) if burst <= limit else fail(label, [f"{len(times)} probes captured"]))
    busy, want = densest(0.040), rate * 0.040
    label = f"{name}: the busiest 40 ms holds {busy}, {want * 0.9:.0f}..{want * 1.02 + 12:.0f}"
    good = want * 0.9 <= busy <= want * 1.02 + 12
    (ok(label) if good else fail(label, [f"{len(times)} probes over {times[-1] - times[0]:.3f} s"]))


def main():
    cmd, name, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    try:
        if cmd == "paths":
            cmd_paths(name, args[0], args[1], args[2:])
        elif cmd == "exact":
            cmd_paths(name, args[0], args[1], args[2:], count_only=True)
        elif cmd == "same":
            cmd_same(name, args[0], args[1])
        elif cmd == "shards":
            cmd_shards(name, args[0], args[1:])
        elif cmd == "summary":
            cmd_summary(name, args[0], args[1:])
        elif cmd == "pacing":
            cmd_pacing(name, args[0], float(args[1]))
        else:
            fail(name, [f"unknown command {cmd}"])
    except (OSError, ValueError, KeyError) as e:
        fail(name, [f"{type(e).__name__}: {e}"])
    print(f"COUNTS {passed} {failed}")


if __name__ == "__main__":
    main()
