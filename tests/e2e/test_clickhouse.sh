#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# End to end: xhop scan --clickhouse into Debian's clickhouse-server 18.16,
# two servers started here (as user clickhouse, their own configs, data in
# a temporary folder, on 127.0.0.1 inside the lab's prober namespace), a
# cluster of two shards with Distributed tables over MergeTree ones, and
# the namespace lab of scripts/lab.sh to measure. Checks:
#   - xhop clickhouse-schema: its DDL, run as printed on both nodes;
#   - two vantage points (--shard 0/2 and 1/2, their own names) inserting
#     through different nodes at once, one node stopped and restarted in
#     the middle: every answer of the JSON outputs is in the Distributed
#     table exactly once, nothing more; one target row per trace; every
#     batch on one shard; every path the lab's truth; the links view
#     gives the lab's links, the nodes view the addresses that answered;
#   - a single node without tables: xhop creates them;
#   - ClickHouse down longer than --clickhouse-wait: exit 1, the spool
#     named, and clickhouse-replay delivers it completely (twice: no row
#     doubled);
#   - bad input: a URL that is not ClickHouse, a table with other columns,
#     a spool on a full disk (/dev/full), bad option values, a file that is
#     no spool: a clear error, and what was measured is in the traces.
# The last line is "N passed, N failed, N skipped". Needs root.
set -u

# shellcheck source=tests/e2e/lab_test.sh
source "$(dirname "$0")/lab_test.sh"
# shellcheck source=scripts/clickhouse/server.sh
source "$ROOT/scripts/clickhouse/server.sh"
RUN_LIMIT=120

e2e_require ip python3 timeout curl setpriv "$CH_BIN"

PREFIX=xc$$-
TMP=$(mktemp -d /tmp/xhop-ch.XXXXXX)
# the servers run as clickhouse: their folder is theirs, the rest root's
chmod 755 "$TMP"
mkdir "$TMP/ch"
BG_PIDS=()
BG_PID=
HTTP_PID=

cleanup()
{
	[[ $BASHPID == "$$" ]] || return 0
	local p
	for p in "${BG_PIDS[@]}" "${BG_PID:-}"; do alive "$p" && kill -9 "$p" 2>/dev/null; done
	[[ -n $HTTP_PID ]] && kill "$HTTP_PID" 2>/dev/null
	ch_stop ch1
	ch_stop ch2
	LAB_QUIET=1 lab_down "$PREFIX"
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

e2e_lab_up
NS=$(lab_ns src)
printf '# nothing blocked\n' >"$TMP/noblock"

# Both servers in the prober's namespace, on its loopback; the cluster
# xhop_two has one shard on each
H1=18123 T1=19001 H2=18124 T2=19002
if ch_start ch1 "$TMP/ch" "$NS" $H1 $T1 $T1 $T2 && ch_start ch2 "$TMP/ch" "$NS" $H2 $T2 $T1 $T2; then
	ok "two clickhouse-server $(ch_q ch1 'SELECT version()') up, as user clickhouse"
else
	fail "two clickhouse-servers start" "$(tail -n 20 "$TMP"/ch/*/server.err.log 2>/dev/null)"
	e2e_stop
fi
URL1=$(ch_url ch1)
URL2=$(ch_url ch2)

# scan NAME ARGS...: xhop scan in src; traces NAME.out, summary NAME.sum,
# stderr NAME.err; RC
scan()
{
	local name=$1
	shift
	lab_exec src timeout -k 2 "$RUN_LIMIT" "$XHOP" scan --blocklist "$TMP/noblock" \
		--summary "$TMP/$name.sum" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
	RC=$?
}
ch_checks() { py_checks ch_check.py "$@"; }
sum_of() { python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readlines()[-1])[sys.argv[2]])' "$1" "$2"; }
hops_in() { python3 -c 'import json,sys; print(sum(len(json.loads(l)["hops"]) for f in sys.argv[1:] for l in open(f) if l.strip()))' "$@"; }
# the rows of measurement M through node N (its Distributed or plain table T)
# (TSVRaw: a vantage name as given, unescaped)
rows_tsv() { ch_q "$1" "SELECT vantage, probe_dst, probe_ttl, probe_attempt, reply_src, rtt FROM $2 WHERE measurement = '$3' FORMAT TSVRaw"; }

# --- 1. the schema ---------------------------------------------------------------

"$XHOP" clickhouse-schema --cluster xhop_two >"$TMP/schema.sql"
expect_rc() { expect_eq "$1" "$RC" "$2"; }
RC=$?
expect_eq "clickhouse-schema: begins with CREATE DATABASE IF NOT EXISTS" \
	"$(head -c 29 "$TMP/schema.sql")" "CREATE DATABASE IF NOT EXISTS"
expect_eq "clickhouse-schema: no ON CLUSTER" "$(grep -c 'ON CLUSTER' "$TMP/schema.sql")" 0
expect_eq "clickhouse-schema: 5 statements, each ending in ;" \
	"$(python3 -c 'import sys; t=open(sys.argv[1]).read(); print(len([s for s in t.split(";") if s.strip()]), t.rstrip().endswith(";"))' "$TMP/schema.sql")" "5 True"
if ch_sql ch1 <"$TMP/schema.sql" && ch_sql ch2 <"$TMP/schema.sql" &&
	ch_sql ch1 <"$ROOT/scripts/clickhouse/views.sql" && ch_sql ch2 <"$ROOT/scripts/clickhouse/views.sql"; then
	ok "the cluster DDL and the views run on both 18.16 nodes"
else
	fail "the cluster DDL and the views run on both 18.16 nodes" "$(cat "$TMP/schema.sql")"
fi
expect_eq "xhop.replies is Distributed over xhop.replies_local" \
	"$(ch_q ch2 "SELECT engine FROM system.tables WHERE database = 'xhop' ORDER BY name FORMAT TSV" | tr '\n' ' ')" \
	"View View Distributed MergeTree Distributed MergeTree "

# --- 2. two vantage points, two nodes, one stopped and restarted ------------------

TARGETS=(198.19.0.0/24 198.19.1.0/24 198.19.2.0/24)
prefix_addrs "$TMP/targets" "${TARGETS[@]}"
# slow enough (about 10 s) that a node goes down mid-scan
for i in 0 1; do
	url=$URL1
	((i)) && url=$URL2
	lab_exec src timeout -k 2 "$RUN_LIMIT" "$XHOP" scan --blocklist "$TMP/noblock" \
		--every-address --seed 7 --shard "$i/2" --rate 120 --wait 1 --clickhouse "$url" \
		--vantage "vp$i" --measurement m1 --summary "$TMP/vp$i.sum" "${TARGETS[@]}" \
		>"$TMP/vp$i.out" 2>"$TMP/vp$i.err" &
	BG_PIDS+=($!)
done
ch2_has_rows() { [[ $(ch_q ch2 "SELECT count() FROM xhop.replies_local WHERE measurement = 'm1'") -gt 0 ]]; }
if wait_for 60 ch2_has_rows; then ok "vp1's first rows reach ch2 while it scans"; else
	fail "vp1's first rows reach ch2 while it scans" "$(cat "$TMP/vp1.err")"; fi
# killed: a crash, whatever insert is under way (a graceful stop of 18.16
# keeps serving open connections for seconds)
ch_stop ch2 KILL
check "ch2 killed while vp1 scans" alive "${BG_PIDS[1]}"
vp1_noticed() { grep -q "rows are kept and retried" "$TMP/vp1.err"; }
if wait_for 30 vp1_noticed; then ok "vp1 notices ch2 is down and keeps its rows"; else
	fail "vp1 notices ch2 is down" "$(cat "$TMP/vp1.err")"; fi
if ch_run ch2; then ok "ch2 restarted"; else fail "ch2 restarted"; fi
for i in 0 1; do
	wait "${BG_PIDS[$i]}"
	RC=$?
	expect_rc "vp$i: exit 0" 0
done
BG_PIDS=()
expect_match "vp1: says when ClickHouse takes rows again" "$(cat "$TMP/vp1.err")" "delivering again"
scan_checks shards "two vantage points cover the list once" "$TMP/targets" "$TMP/vp0.out" "$TMP/vp1.out"
cat "$TMP/vp0.out" "$TMP/vp1.out" >"$TMP/both.out"
scan_checks paths "two vantage points: every path is the lab's" "$TMP/both.out" "$TMP/targets" \
	"${LAB_SCAN_RULES4[@]}"
ANSWERS=$(hops_in "$TMP/vp0.out" "$TMP/vp1.out")
rows_tsv ch1 xhop.replies m1 >"$TMP/m1.tsv"
ch_checks replies "Distributed table (via ch1): every answer exactly once, nothing more" \
	"$TMP/m1.tsv" "$TMP/vp0.out:vp0" "$TMP/vp1.out:vp1"
rows_tsv ch2 xhop.replies m1 >"$TMP/m1b.tsv"
expect_eq "the same rows through ch2" "$(sort "$TMP/m1b.tsv" | md5sum)" "$(sort "$TMP/m1.tsv" | md5sum)"
ch_q ch1 "SELECT vantage, probe_dst, stop_reason, hop_count, replies FROM xhop.replies_targets WHERE measurement = 'm1' FORMAT TSV" >"$TMP/m1t.tsv"
ch_checks targets "targets table: one row per trace, its stop reason and hop count" \
	"$TMP/m1t.tsv" "$TMP/vp0.out:vp0" "$TMP/vp1.out:vp1"
for i in 0 1; do
	n=$(sum_of "$TMP/vp$i.sum" clickhouse_rows_written)
	h=$(hops_in "$TMP/vp$i.out")
	t=$(wc -l <"$TMP/vp$i.out")
	expect_eq "vp$i summary: rows written = answers + targets" "$n" "$((h + t))"
	expect_eq "vp$i summary: nothing spooled" "$(sum_of "$TMP/vp$i.sum" clickhouse_rows_spooled)" 0
	expect_eq "vp$i summary: its measurement" "$(sum_of "$TMP/vp$i.sum" measurement)" m1
done
check "vp1 summary: rows retried while ch2 was down" test "$(sum_of "$TMP/vp1.sum" clickhouse_rows_retried)" -gt 0
# a batch on one shard: each node holds the rows of the xhop that wrote through it
expect_eq "ch1 holds vp0's rows only, ch2 vp1's" \
	"$(ch_q ch1 "SELECT groupUniqArray(vantage) FROM xhop.replies_local")/$(ch_q ch2 "SELECT groupUniqArray(vantage) FROM xhop.replies_local")" \
	"['vp0']/['vp1']"
expect_eq "no batch_id on both shards" "$(ch_q ch1 "SELECT count() FROM xhop.replies WHERE batch_id IN (SELECT batch_id FROM remote('127.0.0.1:$T2', xhop.replies_local)) AND batch_id IN (SELECT batch_id FROM remote('127.0.0.1:$T1', xhop.replies_local))")" 0
# the lab's links: r1-r2, r2 to r3a and r3b (ECMP), both to r4, r4 to every
# address of dst's /24; r5 is silent and r4's !H ends the third prefix
ch_q ch1 "SELECT near_addr, far_addr FROM xhop.links WHERE measurement = 'm1' FORMAT TSV" | sort -u >"$TMP/links.tsv"
ch_checks links "links view: the lab's links" "$TMP/links.tsv" \
	"198.18.1.2>198.18.2.2" "198.18.2.2>198.18.3.2" "198.18.2.2>198.18.4.2" \
	"198.18.3.2>198.18.5.2" "198.18.4.2>198.18.5.2" "198.18.5.2>198.19.0.0/24"
ch_q ch2 "SELECT DISTINCT addr FROM xhop.nodes WHERE measurement = 'm1' FORMAT TSV" >"$TMP/nodes.tsv"
ch_checks nodes "nodes view: every address that answered" "$TMP/nodes.tsv" "$TMP/vp0.out" "$TMP/vp1.out"
expect_eq "links view per vantage point: both see r2's two branches" \
	"$(ch_q ch1 "SELECT vantage, count() FROM xhop.links WHERE measurement = 'm1' AND near_addr = '198.18.2.2' GROUP BY vantage ORDER BY vantage FORMAT TSV" | tr '\t\n' ': ')" \
	"vp0:2 vp1:2 "

# --- 3. a single node without tables --------------------------------------------

prefix_addrs "$TMP/t28" 198.19.0.0/28 198.19.2.0/28
# a vantage name with a backslash, quotes and a space: escaped in the rows
SOLO='so lo\\"x'"'"
scan single --every-address --rate 2000 --clickhouse "$URL1" --clickhouse-table single.r \
	--vantage "$SOLO" --measurement m2 198.19.0.0/28 198.19.2.0/28
expect_rc "single node, no tables: exit 0" 0
expect_match "single node: says it created the tables" "$(cat "$TMP/single.err")" "created single.r and single.r_targets"
rows_tsv ch1 single.r m2 >"$TMP/m2.tsv"
ch_checks replies "single node: every answer exactly once, the vantage name intact" "$TMP/m2.tsv" \
	"$TMP/single.out:$SOLO"
expect_eq "single node: the tables are MergeTree" \
	"$(ch_q ch1 "SELECT engine FROM system.tables WHERE database = 'single' FORMAT TSV" | tr '\n' ' ')" "MergeTree MergeTree "

# --- 4. ClickHouse down longer than --clickhouse-wait, then a replay ---------------

ch_stop ch1
scan down --every-address --rate 2000 --clickhouse "$URL1" --clickhouse-wait 2 \
	--clickhouse-spool "$TMP/down.spool" --vantage solo --measurement m3 198.19.0.0/28 198.19.2.0/28
expect_rc "ClickHouse down past --clickhouse-wait: exit 1" 1
expect_match "down: the message names the spool and the replay" "$(cat "$TMP/down.err")" \
	"rows not delivered; kept in $TMP/down.spool: deliver them with 'xhop clickhouse-replay"
scan_checks paths "down: the traces are all written" "$TMP/down.out" "$TMP/t28" "${LAB_SCAN_RULES4[@]}"
n=$(($(hops_in "$TMP/down.out") + $(wc -l <"$TMP/down.out")))
expect_eq "down: summary counts every row spooled" "$(sum_of "$TMP/down.sum" clickhouse_rows_spooled)" "$n"
if ch_run ch1; then ok "ch1 restarted"; else fail "ch1 restarted"; fi
lab_exec src "$XHOP" clickhouse-replay "$TMP/down.spool" --clickhouse "$URL1" >"$TMP/replay.out" 2>"$TMP/replay.err"
RC=$?
expect_rc "clickhouse-replay: exit 0" 0
expect_match "clickhouse-replay: all delivered" "$(cat "$TMP/replay.out")" ": $n rows in [0-9]+ batches for xhop.replies: $n delivered \(0 batches there already\), 0 not"
rows_tsv ch1 xhop.replies m3 >"$TMP/m3.tsv"
ch_checks replies "after the replay: every answer exactly once" "$TMP/m3.tsv" "$TMP/down.out:solo"
lab_exec src "$XHOP" clickhouse-replay "$TMP/down.spool" --clickhouse "$URL1" >"$TMP/replay2.out" 2>&1
RC=$?
expect_rc "clickhouse-replay again: exit 0" 0
expect_match "clickhouse-replay again: every batch found there, none sent" "$(cat "$TMP/replay2.out")" \
	"$n delivered \(([0-9]+) batches there already\), 0 not"
rows_tsv ch1 xhop.replies m3 >"$TMP/m3b.tsv"
ch_checks replies "after a second replay: still exactly once" "$TMP/m3b.tsv" "$TMP/down.out:solo"

# SIGINT while xhop waits for ClickHouse at the end: it stops waiting,
# spools, and exits as interrupted
bg_start src scan --blocklist "$TMP/noblock" --every-address --rate 2000 \
	--clickhouse http://127.0.0.1:18999 --clickhouse-wait 100 --clickhouse-spool "$TMP/int.spool" \
	--summary "$TMP/int.sum" 198.19.0.0/28
traces_out() { [[ $(wc -l <"$TMP/bg.out") -eq 16 ]]; }
if wait_for 60 traces_out; then ok "SIGINT in the wait: the traces are written first"; else
	fail "SIGINT in the wait: the traces are written first" "$(cat "$TMP/bg.err")"; fi
kill -INT "$BG_PID"
bg_end 10
expect_eq "SIGINT in the wait: it stops waiting at once, exit 130" "$BG_RC" 130
expect_eq "SIGINT in the wait: every row spooled" "$(sum_of "$TMP/int.sum" clickhouse_rows_spooled)" \
	"$(($(hops_in "$TMP/bg.out") + 16))"
expect_match "SIGINT in the wait: names the spool" "$(cat "$TMP/bg.err")" "kept in $TMP/int.spool"

# --- 5. bad input -----------------------------------------------------------------

# an HTTP server that is not ClickHouse
lab_exec src python3 -m http.server --bind 127.0.0.1 18200 --directory "$TMP" >/dev/null 2>&1 &
HTTP_PID=$!
http_up() { [[ $(lab_exec src curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:18200/) == 200 ]]; }
wait_for 10 http_up || fail "a plain HTTP server starts in src"

scan notch --every-address --rate 2000 --clickhouse http://127.0.0.1:18200 198.19.0.0/28
expect_rc "a URL that is not ClickHouse: exit 1" 1
expect_match "not ClickHouse: says so" "$(cat "$TMP/notch.err")" \
	"^xhop scan: --clickhouse: http://127.0.0.1:18200 is not a ClickHouse HTTP interface"
expect_eq "not ClickHouse: refused before probing (no trace)" "$(wc -c <"$TMP/notch.out")" 0
kill "$HTTP_PID" 2>/dev/null
wait "$HTTP_PID" 2>/dev/null
HTTP_PID=

ch_q ch1 "CREATE DATABASE IF NOT EXISTS other" >/dev/null
ch_q ch1 "CREATE TABLE other.r (measurement String, note String) ENGINE = MergeTree() ORDER BY measurement" >/dev/null
ch_q ch1 "CREATE TABLE other.r_targets (measurement String) ENGINE = MergeTree() ORDER BY measurement" >/dev/null
scan othercols --every-address --rate 2000 --clickhouse "$URL1" --clickhouse-table other.r 198.19.0.0/28
expect_rc "a table with other columns: exit 1" 1
expect_match "other columns: names the table and the column" "$(cat "$TMP/othercols.err")" \
	"table other.r is not xhop's: it has a column note that xhop does not write"
expect_eq "other columns: nothing written into it" "$(ch_q ch1 'SELECT count() FROM other.r')" 0

# a node that cannot be reached and a spool on a full disk: the traces hold it all
scan full --every-address --rate 2000 --clickhouse http://127.0.0.1:18999 --clickhouse-wait 1 \
	--clickhouse-spool /dev/full 198.19.0.0/28 198.19.2.0/28
expect_rc "spool on a full disk: exit 1" 1
expect_match "full disk: says the rows were neither delivered nor spooled, and where they are" \
	"$(cat "$TMP/full.err")" "rows neither delivered nor spooled \(spool /dev/full: No space left on device\); the trace output holds them"
scan_checks paths "full disk: every trace written" "$TMP/full.out" "$TMP/t28" "${LAB_SCAN_RULES4[@]}"
expect_eq "full disk: summary counts the rows lost" "$(sum_of "$TMP/full.sum" clickhouse_rows_lost)" \
	"$(($(hops_in "$TMP/full.out") + $(wc -l <"$TMP/full.out")))"

"$XHOP" scan --clickhouse ftp://x 198.19.0.1 >/dev/null 2>"$TMP/e1"
RC=$?
expect_rc "--clickhouse ftp://x: exit 2" 2
expect_match "--clickhouse ftp://x: says why" "$(cat "$TMP/e1")" "is not an http:// or https:// URL"
"$XHOP" scan --clickhouse "$URL1" --clickhouse-table 'x;DROP' 198.19.0.1 >/dev/null 2>"$TMP/e2"
RC=$?
expect_rc "--clickhouse-table 'x;DROP': exit 2" 2
printf 'not a spool\n' >"$TMP/junk"
lab_exec src "$XHOP" clickhouse-replay "$TMP/junk" --clickhouse "$URL1" >/dev/null 2>"$TMP/e3"
RC=$?
expect_rc "clickhouse-replay of a file that is no spool: exit 1" 1
expect_match "no spool: says where" "$(cat "$TMP/e3")" "junk: byte 0: not a batch header"

summary
