#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# dist/grafana/xhop-dashboard.json: valid JSON; every query names metrics
# and labels user/sink/metrics.c exports and parses as PromQL (promtool);
# the panels the issue asks for are there: a per-target hop table, an RTT
# heatmap per hop from the histogram, loss and path changes.
set -u
# shellcheck source=tests/dist/lib.sh
source "$(dirname "$0")/lib.sh"
require promtool /usr/bin/python3
DASH=$ROOT/dist/grafana/xhop-dashboard.json
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
PY=/usr/bin/python3

if $PY -m json.tool "$DASH" >/dev/null 2>"$TMP/err"; then
	ok "dashboard: valid JSON"
else
	fail "dashboard: valid JSON" "$(cat "$TMP/err")"
fi
$PY "$DIST_HERE/metric_refs.py" exported "$ROOT/user/sink/metrics.c" >"$TMP/names"
if $PY "$DIST_HERE/metric_refs.py" check "$TMP/names" "$DASH" >"$TMP/out" 2>&1; then
	ok "dashboard: every query names metrics and labels xhop exports ($(tail -n 1 "$TMP/out"))"
else
	fail "dashboard: every query names metrics and labels xhop exports" "$(cat "$TMP/out")"
fi
$PY "$DIST_HERE/metric_refs.py" as-rules "$DASH" >"$TMP/q.rules.yml"
if promtool check rules "$TMP/q.rules.yml" >"$TMP/out" 2>&1; then
	ok "dashboard: every query parses as PromQL ($(grep -o 'SUCCESS.*' "$TMP/out"))"
else
	fail "dashboard: every query parses as PromQL" "$(cat "$TMP/out")"
fi

# panel TYPE REGEX: TYPE panels whose queries match REGEX, as "title|repeat"
panel()
{
	$PY - "$DASH" "$1" "$2" <<'PYEOF'
import json, re, sys
d = json.load(open(sys.argv[1]))
for p in d["panels"]:
    exprs = " ".join(t.get("expr", "") for t in p.get("targets", []))
    if p["type"] == sys.argv[2] and re.search(sys.argv[3], exprs):
        print(f'{p["title"]}|{p.get("repeat", "")}')
PYEOF
}
expect_match "a hop table, one per target" "$(panel table 'xhop_hop_replies_total')" '\|target$'
expect_match "an RTT heatmap from the histogram, one per TTL" \
	"$(panel heatmap 'sum by \(le\) \(increase\(xhop_hop_rtt_seconds_bucket')" '\|ttl$'
expect_match "loss per hop: replies against probes sent" \
	"$(panel timeseries '1 - sum by \(target, ttl\) \(rate\(xhop_hop_replies_total.*/ sum by \(target, ttl\) \(rate\(xhop_hop_probes_sent_total')" .
expect_match "path changes" "$(panel timeseries 'xhop_path_changes_total')" .
# the repeats' variables exist
vars=$($PY -c 'import json,sys; print(" ".join(v["name"] for v in json.load(open(sys.argv[1]))["templating"]["list"]))' "$DASH")
expect_eq "variables" "$vars" "datasource instance target ttl"
ids=$($PY -c 'import json,sys; i=[p["id"] for p in json.load(open(sys.argv[1]))["panels"]]; print(len(i) == len(set(i)))' "$DASH")
expect_eq "panel ids are unique" "$ids" True
summary
