#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# End to end: the origin AS of every hop in the namespace lab of
# scripts/lab.sh, against a truth the test writes (tests/e2e/asn_check.py
# finds each address's longest match with Python's ipaddress module):
#   1. -z: the lab's dnsmasq serves Team Cymru's TXT names for every
#      router and target address; xhop HOST's text and JSON, IPv4 and
#      IPv6, show each hop's AS (a multi-origin prefix: all of them);
#   2. mtr -z -n -r on the same targets shows the same AS at each TTL;
#   3. --asn-db with a CAIDA file (nested prefixes: only a longest match
#      is right) and with a MaxMind DB written by Debian's writer;
#   4. xhop scan's JSON (-z and --asn-db), xhop monitor's report (text and
#      JSON), its live view (in tmux) and its /metrics with --metrics-asn;
#   5. a DNS server that never answers holds a line at most its wait;
#   6. bad files: exit 2, the file and line named.
# The last line is "N passed, N failed, N skipped". Needs root (namespaces).
set -u

# shellcheck source=tests/e2e/lab_test.sh
source "$(dirname "$0")/lab_test.sh"
RUN_LIMIT=40
CHECK=$HERE/asn_check.py

e2e_require ip /usr/sbin/dnsmasq python3 timeout mtr perl curl tmux mmdblookup

PREFIX=xa$$-
TMUX_SOCK=xa$$
TMP=$(mktemp -d /tmp/xhop-asn-e2e.XXXXXX)
BG_PID=

lab_test_traps
trap 'tmux -L "$TMUX_SOCK" kill-server 2>/dev/null; lab_test_cleanup' EXIT

# asn_ok NAME MODE [--first]: OUT checked against the truth
asn_ok()
{
	local name=$1 res
	shift
	if res=$(python3 "$CHECK" "$1" "$TMP/truth" "${@:2}" <<<"$OUT"); then
		ok "$name: ${res##*$'\n'}"
	else
		fail "$name" "$res" "output:" "$OUT" "stderr:" "$ERR"
	fi
}

# The truth: nested on purpose (198.18.2.0/23 holds r3a's 198.18.3.0/24,
# the covering /15 and /48 hold all), r4's link multi-origin
cat >"$TMP/truth" <<'TRUTH'
198.18.0.0/15 64999
198.18.1.0/24 64501
198.18.2.0/23 64502
198.18.3.0/24 64503
198.18.4.0/24 64504
198.18.5.0/24 64505_64506
198.19.0.0/24 64510
2001:2::/48 64999
2001:2:0:1::/64 64501
2001:2:0:2::/63 64502
2001:2:0:3::/64 64503
2001:2:0:4::/64 64504
2001:2:0:5::/64 64505_64506
2001:2:0:100::/64 64510
TRUTH
python3 "$CHECK" caida "$TMP/truth" >"$TMP/lab.pfx2as"
python3 "$CHECK" mmdb-in "$TMP/truth" | perl "$HERE/../mmdb_write.pl" "$TMP/lab.mmdb"
check "the MaxMind DB is written" test -s "$TMP/lab.mmdb"

# Every address a hop may answer from, and the TXT records for them
ADDRS=("${LAB_HOP4[@]}" "${LAB_HOP6[@]}" "$LAB_DST4" "$LAB_DST6" "$LAB_FAR4" "$LAB_FAR6")
mapfile -t LAB_DNS_EXTRA < <(python3 "$CHECK" txt "$TMP/truth" "${ADDRS[@]}")
LAB_DNS_EXTRA+=(--local=/asn.cymru.com/)
check "TXT records for every hop" test "${#LAB_DNS_EXTRA[@]}" -eq $((${#ADDRS[@]} + 1))
# the fixture itself: libmaxminddb's own reader (mmdblookup, not xhop)
# finds each address's first origin in the written database
ERR=
OUT=$(for a in "${ADDRS[@]}"; do
	n=$(mmdblookup --file "$TMP/lab.mmdb" --ip "$a" autonomous_system_number |
		awk '/<uint32>/ { print $1 }')
	printf ' 1  [AS%s] %s\n' "${n:-???}" "$a"
done)
asn_ok "mmdblookup reads the truth from the MaxMind DB" text --first

e2e_lab_up

# -- 1, 2: -z against the lab DNS, and mtr -z ----------------------------------
for fam in 4 6; do
	dst=LAB_DST$fam
	dst=${!dst}
	xrun -z "$dst"
	expect_rc "-z text v$fam: exit 0" 0
	asn_ok "-z text v$fam" text
	# -n: no name holds the line, only its AS does
	xrun -z -n "$dst"
	expect_rc "-z -n text v$fam: exit 0" 0
	asn_ok "-z -n text v$fam" text
	xrun -z -n --json "$dst"
	expect_rc "-z json v$fam: exit 0" 0
	asn_ok "-z json v$fam" json
	cp "$TMP/out" "$TMP/xhop$fam.json"
	# mtr-tiny's ICMP echo: the same ECMP branch as xhop's (hash policy 1
	# hashes an echo's addresses only)
	OUT=$(lab_exec src timeout -k 2 "$RUN_LIMIT" mtr -z -n -r -c 1 "$dst" 2>&1)
	if res=$(python3 "$CHECK" mtr "$TMP/truth" "$TMP/xhop$fam.json" <<<"$OUT"); then
		ok "mtr -z agrees with xhop -z v$fam: ${res##*$'\n'}"
	else
		fail "mtr -z agrees with xhop -z v$fam" "$res" "mtr:" "$OUT"
	fi
done

# -- 3: --asn-db ------------------------------------------------------------------
for db in lab.pfx2as lab.mmdb; do
	first=
	[[ $db == *.mmdb ]] && first=--first
	for fam in 4 6; do
		dst=LAB_DST$fam
		dst=${!dst}
		xrun -n --asn-db "$TMP/$db" "$dst"
		expect_rc "--asn-db $db text v$fam: exit 0" 0
		asn_ok "--asn-db $db text v$fam" text $first
		xrun --asn-db "$TMP/$db" --json "$dst"
		expect_rc "--asn-db $db json v$fam: exit 0" 0
		asn_ok "--asn-db $db json v$fam" json $first
	done
done

# -- 4: scan, monitor, metrics ---------------------------------------------------
# the lab is special-use space, which scan's built-in blocklist covers
printf '# nothing blocked\n' >"$TMP/noblock"
xrun scan --blocklist "$TMP/noblock" -z "$LAB_DST4" "$LAB_FAR4" "$LAB_DST6" "$LAB_FAR6"
expect_rc "scan -z: exit 0" 0
asn_ok "scan -z json" json
expect_eq "scan -z: 4 traces" "$(grep -c '"type":"trace"' <<<"$OUT")" 4
xrun scan --blocklist "$TMP/noblock" --asn-db "$TMP/lab.pfx2as" "$LAB_DST4" "$LAB_DST6"
expect_rc "scan --asn-db: exit 0" 0
asn_ok "scan --asn-db json" json

for src in "-z" "--asn-db $TMP/lab.pfx2as"; do
	# shellcheck disable=SC2086 # two words: the option and its file
	xrun monitor $src -n -r -c 3 --interval 0.2 "$LAB_DST4" "$LAB_DST6"
	expect_rc "monitor $src report: exit 0" 0
	asn_ok "monitor ${src%% *} report" mon-text
	# shellcheck disable=SC2086
	xrun monitor $src --json -c 3 --interval 0.2 "$LAB_DST4" "$LAB_DST6"
	expect_rc "monitor $src json: exit 0" 0
	asn_ok "monitor ${src%% *} json" mon-json
done

# the live view: the host column starts with the AS, as mtr -z's
tmux -L "$TMUX_SOCK" -f /dev/null new-session -d -x 132 -y 30 \
	"ip netns exec $(lab_ns src) $XHOP monitor -z --interval 0.2 $LAB_DST4; echo EXIT=\$? >$TMP/view.rc; sleep 60"
screen() { tmux -L "$TMUX_SOCK" capture-pane -p >"$TMP/screen" 2>/dev/null; }
shows() { screen && grep -Eq -- "$1" "$TMP/screen"; }
if wait_for 10 shows '^ +5\. AS64510 d77\.example \(198\.19\.0\.77\) '; then
	ok "view: the AS before each host"
	OUT=$(grep -E '^ +[0-9]+\. ' "$TMP/screen" | sed -E 's/^ +([0-9]+)\. (AS[^ ]+) [^ ]+ \(([^)]+)\).*/\1.|-- \2 \3 /')
	asn_ok "view: every row's AS" mon-text
else
	fail "view: the AS before each host" "$(cat "$TMP/screen")"
fi
tmux -L "$TMUX_SOCK" send-keys q
view_done() { [[ -s $TMP/view.rc ]]; }
if wait_for 5 view_done; then ok "view: q quits"; else fail "view: q quits" "$(cat "$TMP/screen")"; fi
tmux -L "$TMUX_SOCK" kill-server 2>/dev/null

# /metrics with --metrics-asn: every responder series carries its AS
PORT=$((20000 + $$ % 20000))
lab_exec src timeout -k 2 "$RUN_LIMIT" "$XHOP" monitor -n --asn-db "$TMP/lab.pfx2as" \
	--interval 0.2 --metrics "$LAB_SRC4:$PORT" --metrics-asn "$LAB_DST4" \
	>"$TMP/mon.out" 2>"$TMP/mon.err" &
BG_PID=$!
scrape() { lab_exec src curl -sf "http://$LAB_SRC4:$PORT/metrics" >"$TMP/metrics" &&
	grep -q "xhop_hop_replies_total{.*responder=\"$LAB_DST4\"" "$TMP/metrics"; }
if wait_for 20 scrape; then
	OUT=$(grep '^xhop_hop_' "$TMP/metrics")
	asn_ok "metrics --metrics-asn" metrics
else
	fail "metrics served" "no scrape with $LAB_DST4 in 20 s" "$(cat "$TMP/mon.err")"
fi
kill "$BG_PID" 2>/dev/null
wait "$BG_PID" 2>/dev/null
BG_PID=

# -- 5: a DNS server that never answers holds a line no longer than a name --
# (the line's wait, -w): nftables in r1 drops every query from src
lab_exec r1 nft -f - <<NFT
table inet asn_test {
	chain input {
		type filter hook input priority 0; policy accept;
		udp dport 53 drop
		tcp dport 53 drop
	}
}
NFT
dns_dropped() { lab_exec r1 nft list table inet asn_test >/dev/null; }
check "DNS dropped in r1" dns_dropped
# timed NAME ARGS...: xrun, and its wall time in ms in MS
timed()
{
	local t0
	t0=$(date +%s%N)
	xrun "$@"
	MS=$((($(date +%s%N) - t0) / 1000000))
}
timed -n -w 1 "$LAB_DST4"
base_ms=$MS
timed -n -z -w 1 "$LAB_DST4"
expect_rc "-z, DNS silent: exit 0" 0
expect_eq "-z, DNS silent: every hop AS???" "$(grep -c '\[AS???\]' <<<"$OUT")" 5
# lines wait concurrently, each at most -w 1 s after it settled: the run
# is at most about a second longer (1 s of margin for a shared machine;
# c-ares gives up on a silent server after 3 s: timeout:1 attempts:2)
if ((MS <= base_ms + 2000)); then
	ok "-z, DNS silent: $MS ms against $base_ms ms without -z"
else
	fail "-z, DNS silent: held too long" "$MS ms against $base_ms ms without -z"
fi
lab_exec r1 nft delete table inet asn_test

# -- 6: bad files -----------------------------------------------------------------
printf '198.18.0.0\t15\t64999\n198.18.1.0\t24\tAS64501\n' >"$TMP/bad.pfx2as"
xrun --asn-db "$TMP/bad.pfx2as" "$LAB_DST4"
expect_rc "bad CAIDA line: exit 2" 2
expect_match "bad CAIDA line: file and line named" "$ERR" "bad.pfx2as:2: bad AS number list 'AS64501'"
expect_eq "bad CAIDA line: nothing on stdout" "$OUT" ""
xrun scan --blocklist "$TMP/noblock" --asn-db "$TMP/bad.pfx2as" "$LAB_DST4"
expect_rc "scan, bad CAIDA line: exit 2" 2
xrun monitor -r -c 1 --asn-db "$TMP/bad.pfx2as" "$LAB_DST4"
expect_rc "monitor, bad CAIDA line: exit 2" 2
head -c 600 "$TMP/lab.mmdb" >"$TMP/cut.mmdb"
tail -c 300 "$TMP/lab.mmdb" >>"$TMP/cut.mmdb"
xrun --asn-db "$TMP/cut.mmdb" "$LAB_DST4"
expect_rc "damaged mmdb: exit 2" 2
expect_match "damaged mmdb: named" "$ERR" "cut.mmdb: not a valid MaxMind DB"
xrun --asn-db "$TMP/none.pfx2as" "$LAB_DST4"
expect_rc "missing file: exit 2" 2
expect_match "missing file: named" "$ERR" "open .*none.pfx2as: No such file"
xrun monitor -r -c 1 --metrics-asn "$LAB_DST4"
expect_rc "--metrics-asn alone: exit 2" 2

summary
