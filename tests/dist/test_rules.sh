#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# dist/prometheus/xhop.rules.yml: promtool check rules accepts it,
# promtool test rules passes its unit tests (xhop.rules.test.yml), every
# alert has a test in which it fires, and every query names metrics and
# labels user/sink/metrics.c exports.
set -u
# shellcheck source=tests/dist/lib.sh
source "$(dirname "$0")/lib.sh"
require promtool /usr/bin/python3
RULES=$ROOT/dist/prometheus/xhop.rules.yml
TESTS=$ROOT/dist/prometheus/xhop.rules.test.yml
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
PY=/usr/bin/python3

if promtool check rules "$RULES" >"$TMP/out" 2>&1; then
	ok "promtool check rules: $(grep -o 'SUCCESS.*' "$TMP/out")"
else
	fail "promtool check rules" "$(cat "$TMP/out")"
fi
# promtool test rules reads the rule files relative to the test file
if (cd "$(dirname "$TESTS")" && promtool test rules "$(basename "$TESTS")") >"$TMP/out" 2>&1; then
	ok "promtool test rules: the unit tests pass"
else
	fail "promtool test rules: the unit tests pass" "$(cat "$TMP/out")"
fi

# each alert fires in some test (an alert test with no exp_alerts
# anywhere would pass however the rule is written)
untested=$($PY - "$RULES" "$TESTS" <<'PYEOF'
import sys, yaml
rules = yaml.safe_load(open(sys.argv[1]))
tests = yaml.safe_load(open(sys.argv[2]))
alerts = {r["alert"] for g in rules["groups"] for r in g["rules"] if "alert" in r}
fired = {a["alertname"] for t in tests["tests"] for a in t.get("alert_rule_test", [])
         if a.get("exp_alerts")}
records = {r["record"] for g in rules["groups"] for r in g["rules"] if "record" in r}
checked = {e["expr"].strip() for t in tests["tests"] for e in t.get("promql_expr_test", [])}
print(" ".join(sorted((alerts - fired) | (records - checked))))
PYEOF
)
expect_eq "every alert fires in a test, every recording rule is evaluated in one" "$untested" ""
expect_eq "alerts for unreachable targets, loss and path changes" \
	"$(grep -oE '^ +- alert: Xhop(TargetUnreachable|TargetLoss|PathChanged)$' "$RULES" | wc -l)" 3

$PY "$DIST_HERE/metric_refs.py" exported "$ROOT/user/sink/metrics.c" >"$TMP/names"
if $PY "$DIST_HERE/metric_refs.py" check "$TMP/names" "$RULES" >"$TMP/out" 2>&1; then
	ok "rules: every query names metrics and labels xhop exports ($(tail -n 1 "$TMP/out"))"
else
	fail "rules: every query names metrics and labels xhop exports" "$(cat "$TMP/out")"
fi
summary
