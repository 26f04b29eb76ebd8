#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The PromQL queries of xhop's alert rules and Grafana dashboard, and
the metrics and labels they name, checked against what xhop exports.

  metric_refs.py exported SOURCE...     metric names a source exports: the
        string literals of user/sink/metrics.c, or the TYPE lines of a
        real /metrics scrape (a histogram family adds _bucket/_sum/_count)
  metric_refs.py check NAMES_FILE FILE...   every query of each rules
        (.yml) or dashboard (.json) FILE names at least one metric, every
        xhop_* name is in NAMES_FILE, every label one xhop sets (or
        Prometheus adds); prints each problem, exits 1 on any
  metric_refs.py as-rules FILE...       the queries as recording rules, with
        Grafana's variables replaced, for promtool check rules to parse
"""
import json
import re
import sys

import yaml

# target, ttl, responder, kind, le: user/sink/metrics.c; job, instance:
# Prometheus adds them to every scraped series
LABELS = {"target", "ttl", "responder", "kind", "le", "job", "instance"}
HISTO = ("_bucket", "_sum", "_count")
NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")


def exported(path):
    text = open(path).read()
    names = set()
    if path.endswith(".c"):
        for lit in re.findall(r'"((?:[^"\\]|\\.)*)"', text):
            names.update(re.findall(r"\bxhop_[a-z_]+", lit))
        # a histogram's family name is no series: only its _bucket/_sum/_count
        names -= {n for n in names if n + "_bucket" in names}
    else:
        for fam, typ in re.findall(r"^# TYPE (\S+) (\S+)$", text, re.M):
            names.add(fam)
            if typ == "histogram":
                names.update(fam + s for s in HISTO)
    return names


def queries(path):
    """(where, expr) of every PromQL query in a rules or dashboard file"""
    if path.endswith(".json"):
        dash = json.load(open(path))
        out = []

        def walk(node, where):
            if isinstance(node, dict):
                if isinstance(node.get("expr"), str):
                    out.append((where, node["expr"]))
                q = node.get("query")
                if node.get("type") == "query" and isinstance(q, dict):
                    out.append((where + "/var " + node.get("name", "?"), q["query"]))
                for k, v in node.items():
                    walk(v, where + "/" + str(node.get("title") or node.get("name") or k))
            elif isinstance(node, list):
                for v in node:
                    walk(v, where)

        walk(dash, "")
        return out
    doc = yaml.safe_load(open(path))
    return [(g["name"] + "/" + (r.get("alert") or r.get("record")), r["expr"])
            for g in doc["groups"] for r in g["rules"]]


def records(files):
    """the recording rules the rules files among files define"""
    return {r["record"] for f in files if not f.endswith(".json")
            for g in yaml.safe_load(open(f))["groups"] for r in g["rules"] if "record" in r}


def strip_strings(expr):
    return re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)


def label_names(expr):
    e = strip_strings(expr)
    names = set()
    # matchers inside {...}: name op "value"
    for body in re.findall(r"\{([^{}]*)\}", e):
        names.update(re.findall(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)", body))
    # by (...), without (...), on (...), ignoring (...), group_left/right (...)
    for body in re.findall(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^()]*)\)", e):
        names.update(n.strip() for n in body.split(",") if n.strip())
    # count_values("label", ...) and label_values(..., label) make a label
    names.update(re.findall(r'count_values[^(]*\(\s*"([^"]+)"', expr))
    names.update(re.findall(r"label_values\([^)]*,\s*([a-zA-Z_]+)\s*\)", expr))
    return names


def metric_names(expr):
    e = strip_strings(expr)
    e = re.sub(r"\{[^{}]*\}", "", e)
    return {n for n in NAME.findall(e) if n.startswith("xhop")}


def grafana_vars(expr):
    for var, val in (("$__rate_interval", "1m"), ("$__range", "1h"), ("$__interval", "1m")):
        expr = expr.replace(var, val)
    return re.sub(r"\$\{?[a-zA-Z_]+\}?", ".*", expr)


def check(names_file, files):
    names = set(open(names_file).read().split())
    problems, n = [], 0
    for path in files:
        for where, expr in queries(path):
            n += 1
            used = metric_names(expr)
            # recording rules of xhop.rules.yml are named xhop:...
            raw = {m for m in used if m.startswith("xhop_")}
            if not used:
                problems.append(f"{path}{where}: names no xhop metric: {expr!r}")
            for m in sorted(raw - names):
                problems.append(f"{path}{where}: {m} is not a metric xhop exports")
            for m in sorted(used - raw - records(files)):
                problems.append(f"{path}{where}: {m} is no recording rule of {files}")
            for lab in sorted(label_names(expr) - LABELS):
                problems.append(f"{path}{where}: label {lab!r} is not one xhop sets")
    for p in problems:
        print(p)
    print(f"{n} queries, {len(problems)} problems")
    return 1 if problems or n == 0 else 0


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "exported":
        names = set()
        for a in args:
            names |= exported(a)
        print("\n".join(sorted(names)))
        return 0
    if cmd == "check":
        return check(args[0], args[1:])
    if cmd == "as-rules":
        rules = [{"record": f"dashboard:query{i}", "expr": grafana_vars(expr)}
                 for a in args for i, (_, expr) in enumerate(queries(a))
                 if not expr.startswith("label_values(")]
        print(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


sys.exit(main())
