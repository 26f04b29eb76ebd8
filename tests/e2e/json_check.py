#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks on one scamper-style trace JSON object (xhop --json).

Usage: json_check.py FILE 'NAME::EXPR' ...

FILE must hold exactly one JSON object on one line. Each EXPR is a Python
expression over `t` (the object) and the helpers below; it passes when it
is true. Prints "ok NAME" or "FAIL NAME" plus why, one per check, and last
"COUNTS <passed> <failed>" for tests/e2e/lib.sh. The first check, always
made, is that the file parses.
"""
import json
import sys


class Bad(Exception):
    pass


def hops(t, ttl):
    return [h for h in t.get("hops", []) if h.get("probe_ttl") == ttl]


def ttls(t):
    return sorted({h.get("probe_ttl") for h in t.get("hops", [])})


def path(t, expect, q, lost_ok=0):
    """expect: one word per TTL from TTL 1 (see scripts/lab.sh LAB_EXPECT_*):
    "*" no answer, "A|B" one of them, a "!X" suffix is ignored here. Every
    answered TTL has exactly q answers, all from the same address (Paris),
    and nothing answers beyond the last expected TTL. lost_ok: that many
    answers of the whole trace may be missing (a flood that overflows a
    queue loses real packets); never a wrong address."""
    for i, word in enumerate(expect):
        ttl = i + 1
        got = [h.get("addr") for h in hops(t, ttl)]
        if word == "*":
            if got:
                raise Bad(f"TTL {ttl}: expected no answer, got {got}")
            continue
        alts = word.split("!")[0].split("|")
        missing = q - len(got)
        if missing > 0 and missing <= lost_ok:
            lost_ok -= missing
        elif len(got) != q:
            raise Bad(f"TTL {ttl}: expected {q} answers from {word}, got {got}")
        if len(set(got)) != 1 or got[0] not in alts:
            raise Bad(f"TTL {ttl}: expected all from one of {alts}, got {got}")
    extra = [x for x in ttls(t) if x is None or x > len(expect)]
    if extra:
        raise Bad(f"answers beyond TTL {len(expect)}: TTLs {extra}")
    return True


def every(t, pred, ttl=None):
    """pred(hop) holds for every hop (of one TTL if given); at least one"""
    hs = t.get("hops", []) if ttl is None else hops(t, ttl)
    if not hs:
        raise Bad(f"no hops{'' if ttl is None else f' at TTL {ttl}'}")
    bad = [h for h in hs if not pred(h)]
    if bad:
        raise Bad(f"{len(bad)} of {len(hs)} hops fail, first: {bad[0]}")
    return True


def main():
    path_ = sys.argv[1]
    checks = sys.argv[2:]
    passed = failed = 0
    t = None
    try:
        with open(path_) as f:
            lines = [l for l in f.read().splitlines() if l.strip()]
        if len(lines) != 1:
            raise Bad(f"expected one JSON line on stdout, got {len(lines)}")
        t = json.loads(lines[0])
        if not isinstance(t, dict):
            raise Bad("not a JSON object")
        print("ok   json parses")
        passed += 1
    except (OSError, ValueError, Bad) as e:
        print(f"FAIL json parses\n     | {e}")
        failed += 1
    for c in checks:
        name, _, expr = c.partition("::")
        if t is None:
            print(f"FAIL {name}\n     | no JSON to check")
            failed += 1
            continue
        env = {"t": t, "hops": hops, "ttls": ttls, "path": path, "every": every}
        try:
            r = eval(expr, env)
            if not r:
                raise Bad(f"false: {expr}")
            print(f"ok   {name}")
            passed += 1
        except Exception as e:  # a KeyError is a failed check, not a crash
            print(f"FAIL {name}\n     | {type(e).__name__}: {e}")
            failed += 1
    print(f"COUNTS {passed} {failed}")


main()
