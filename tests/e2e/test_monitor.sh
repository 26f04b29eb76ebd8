#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2016 # Python programs in single quotes
#
# End to end: xhop monitor in the namespace lab of scripts/lab.sh.
#   1. reports (text, JSON; ICMP, UDP, TCP; IPv4 and IPv6 in one run, names)
#      match the lab's ground truth;
#   2. a lossy hop (nftables in r4 drops ~30% of its Time Exceeded) shows
#      the Loss% that r4's own nftables counters say it had;
#   3. moving r2 from ECMP to one next hop gives exactly one path-change
#      event per affected target (the targets `ip route get` in r2 put on
#      r3b), with TTL 3, before and after, within --confirm + 1 cycles,
#      and none for the others;
#   4. promtool accepts /metrics, and a real Prometheus server, started in
#      the lab, scrapes it and answers a PromQL query with every target's
#      hop count;
#   5. the live view, run in tmux, shows the table and obeys its keys;
#   6. SIGINT and SIGTERM write the final report and leave nothing attached;
#      exit codes for bad targets, two interfaces, a taken metrics port.
# The last line is "N passed, N failed, N skipped". Needs root (namespaces).
set -u

# shellcheck source=tests/e2e/lab_test.sh
source "$(dirname "$0")/lab_test.sh"
RUN_LIMIT=30

e2e_require ip nft /usr/sbin/dnsmasq python3 timeout flock curl

PREFIX=xm$$-
TMUX_SOCK=xm$$
TMP=$(mktemp -d /tmp/xhop-mon-e2e.XXXXXX)
BG_PID=
PROM_PID=
CAP_PID=

cleanup()
{
	[[ $BASHPID == "$$" ]] || return 0
	if [[ -n $BG_PID ]] && alive "$BG_PID"; then kill -9 "$BG_PID" 2>/dev/null; fi
	if [[ -n $PROM_PID ]] && alive "$PROM_PID"; then kill -9 "$PROM_PID" 2>/dev/null; fi
	if [[ -n $CAP_PID ]] && alive "$CAP_PID"; then kill "$CAP_PID" 2>/dev/null; fi
	tmux -L "$TMUX_SOCK" kill-server 2>/dev/null
	LAB_QUIET=1 lab_down "$PREFIX"
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start=$(date +%s)
e2e_lab_up
NS=$(lab_ns src)
IF=$LAB_SRC_IF
PROGS_AT_START=$(xhop_prog_ids)

# xrun ARGS...: xhop monitor in src, bounded; sets OUT, ERR, RC
xrun()
{
	lab_exec src timeout -k 2 "$RUN_LIMIT" "$XHOP" monitor "$@" >"$TMP/out" 2>"$TMP/err"
	RC=$?
	OUT=$(<"$TMP/out")
	ERR=$(<"$TMP/err")
}

# report_hops TARGET: "TTL ADDR LOSS" per row of the text report's block
# for TARGET (names dropped: "r1.example (198.18.1.2)" gives 198.18.1.2)
report_hops()
{
	awk -v tgt="$1" '
		/^xhop monitor to / { on = ($4 == tgt) ; next }
		on && /^ *[0-9]+\.\|-- / {
			ttl = $1; sub(/\..*/, "", ttl)
			host = $2; loss = $3
			if ($3 ~ /^\(/) { host = substr($3, 2, length($3) - 2); loss = $4 }
			print ttl, host, loss
		}
		on && /^ +\|  `-- / { print "more", $3 }' <<<"$OUT"
}

# expect_report_path NAME TARGET EXPECT_ARRAY: the rows of TARGET's block
# are the expected addresses ("A|B" either, "*" = ???) with 0.0% loss
# (100.0% for "*")
expect_report_path()
{
	local name=$1 tgt=$2 i ttl host loss e why=() rows
	local -n want=$3
	mapfile -t rows < <(report_hops "$tgt" | grep -v '^more ')
	# a second responder at a TTL: the target's probes took two branches
	if report_hops "$tgt" | grep -q '^more '; then
		why+=("more than one responder at a TTL (not Paris): $(report_hops "$tgt" | grep '^more ' | xargs)")
	fi
	((${#rows[@]} == ${#want[@]})) || why+=("expected ${#want[@]} rows, got ${#rows[@]}")
	for ((i = 0; i < ${#rows[@]}; i++)); do
		read -r ttl host loss <<<"${rows[i]}"
		e=${want[i]:-none}
		[[ $e == "*" ]] && e="???"
		if [[ $ttl != $((i + 1)) || ! "|$e|" == *"|$host|"* ]]; then
			why+=("TTL $ttl: got $host, expected $e")
		elif [[ $e == "???" && $loss != 100.0% ]] || [[ $e != "???" && $loss != 0.0% ]]; then
			why+=("TTL $ttl: loss $loss")
		fi
	done
	if ((${#why[@]} == 0)); then ok "$name"; else fail "$name" "${why[@]}" "stdout:" "$OUT"; fi
}

# --- 1. reports ------------------------------------------------------------------

xrun --report -c 3 --interval 0.2 -w 0.5 "$LAB_DST_NAME" "$LAB_DST6" "$LAB_FAR4"
expect_rc "report: exit 0" 0
expect_match "report: header per target" "$OUT" \
	"^xhop monitor to $LAB_DST_NAME \(${LAB_DST4//./\\.}\), 3 cycles, icmp-echo-paris\$"
expect_match "report: mtr's columns" "$OUT" \
	'^HOST: 198\.18\.1\.1 +Loss% +Snt +Last +Avg +Best +Wrst +StDev +Javg$'
expect_report_path "report: icmp4 by name: hops" "$LAB_DST_NAME" LAB_EXPECT_ICMP4
expect_report_path "report: icmp6 in the same run: hops" "$LAB_DST6" LAB_EXPECT_ICMP6
expect_report_path "report: far (silent r5 = ???, 100%)" "$LAB_FAR4" LAB_EXPECT_FAR_ICMP4
expect_match "report: names of hops" "$OUT" '^ +1\.\|-- r1\.example \(198\.18\.1\.2\) +0\.0% +3 '
expect_match "report: Snt = cycles" "$OUT" '^ +4\.\|-- r4\.example \(2001:2:0:5::2\) +0\.0% +3 '

# UDP and TCP flows spread over r3a and r3b by ports at r2: each target
# keeps one branch for the whole run (Paris), whichever it is; 5 cycles
# and 4 targets per family, so a target that mixed branches shows
PARIS4=(198.19.0.21 198.19.0.22 198.19.0.23 "$LAB_DST4")
PARIS6=(2001:2:0:100::21 2001:2:0:100::22 2001:2:0:100::23 "$LAB_DST6")
xrun -n --report -c 5 --interval 0.2 -w 0.5 -U "${PARIS4[@]}" "${PARIS6[@]}"
expect_rc "report udp: exit 0" 0
for t in "${PARIS4[@]}"; do
	# shellcheck disable=SC2034 # used by name
	EXP=("${LAB_PATH4[@]}" "$t")
	expect_report_path "report udp4 $t: hops, one branch" "$t" EXP
done
for t in "${PARIS6[@]}"; do
	expect_report_path "report udp6 $t (port unreachable from dst's link): hops, one branch" \
		"$t" LAB_EXPECT_UDP6
done
xrun -n --report -c 5 --interval 0.2 -w 0.5 -T -p "$LAB_TCP_CLOSED" "${PARIS4[@]}" "${PARIS6[@]}"
for t in "${PARIS4[@]}"; do
	# shellcheck disable=SC2034 # used by name
	EXP=("${LAB_PATH4[@]}" "$t")
	expect_report_path "report tcp4 $t: hops, one branch" "$t" EXP
done
for t in "${PARIS6[@]}"; do
	# shellcheck disable=SC2034 # used by name
	EXP=("${LAB_PATH6[@]}" "$t")
	expect_report_path "report tcp6 $t: hops, one branch" "$t" EXP
done

# Sends are paced over the interval, not one burst: a capture in r1 of
# one run's probes, 20 targets x 5 TTLs per 0.5 s cycle (-m 5: a cycle
# that begins before the last one's answers are in looks further than
# TTL 5 for a target whose end it has not seen yet)
PACE_TARGETS=()
for i in $(seq 40 59); do PACE_TARGETS+=("198.19.0.$i"); done
ip netns exec "$(lab_ns r1)" tcpdump -i v1 -n -U -tt -l \
	'icmp[icmptype] == icmp-echo and dst net 198.19.0.0/24' >"$TMP/pace" 2>"$TMP/pace.err" &
CAP_PID=$!
cap_ready() { grep -q "listening on" "$TMP/pace.err"; }
if wait_for 5 cap_ready; then ok "pacing: the capture in r1 is listening"; else
	fail "pacing: the capture in r1 is listening" "$(cat "$TMP/pace.err")"; fi
xrun -n --report -c 4 --interval 0.5 -w 0.3 -m 5 "${PACE_TARGETS[@]}"
# every probe sent has been captured (4 x 100 and 2 warm-up) before the
# capture ends
all_captured() { (($(wc -l <"$TMP/pace") >= 402)); }
wait_for 5 all_captured
kill "$CAP_PID" 2>/dev/null
wait "$CAP_PID" 2>/dev/null
CAP_PID=
python3 - "$TMP/pace" "${PACE_TARGETS[0]}" >"$TMP/pcheck" 2>&1 <<'EOF'
import collections, re, sys
lines = [l.split() for l in open(sys.argv[1]) if l.strip()]
ts = sorted(float(w[0]) for w in lines)
def chk(name, cond, why=''):
    print(('ok   ' if cond else 'FAIL ') + 'pacing: ' + name + ('' if cond else ': ' + str(why)))
# on a miscount, the probes per destination (20 each; the first target
# also has the warm-ups), and those of an odd one, tell a lost or an
# extra probe from a stray packet
dst = lambda w: w[4].rstrip(':') if len(w) > 4 else '?'
per = collections.Counter(dst(w) for w in lines)
odd = {d: n for d, n in sorted(per.items()) if n != (22 if d == sys.argv[2] else 20)}
chk('every probe captured (4 cycles x 100, + 2 warm-up)', len(ts) == 402,
    f'{len(ts)}; per destination, other than 20 (22 for {sys.argv[2]}): {odd}')
if len(ts) != 402:
    for w in [w for w in lines if dst(w) in odd][:40]:
        print('     | ' + ' '.join(w))
# A probe's ICMP sequence is its id, cycle << 8 | TTL (user/plan/monitor.h;
# 0xffff: a warm-up), so the cycles are told apart by their probes, not
# by the pauses between them: a busy CPU opens gaps inside a cycle too
by = collections.defaultdict(list)
for w in lines:
    m = re.search(r'\bseq (\d+),', ' '.join(w))
    if m and int(m.group(1)) != 0xffff:
        by[int(m.group(1)) >> 8].append(float(w[0]))
cycles = [sorted(by[c]) for c in sorted(by)]
spans = [c[-1] - c[0] for c in cycles]
big = max((b - a for c in cycles for a, b in zip(c, c[1:])), default=0)
print(f'     (cycles of {"/".join(str(len(c)) for c in cycles)} probes spread over '
      f'{", ".join(f"{x * 1000:.0f}" for x in spans)} ms; largest gap inside a cycle {big * 1000:.1f} ms)')
chk('4 cycles of 100 probes', [len(c) for c in cycles] == [100] * 4, {c: len(by[c]) for c in sorted(by)})
chk('each spread over most of 90% of the interval (>= 0.3 s)',
    spans and all(x >= 0.3 for x in spans), spans)
# No burst, judged against the schedule rather than a window count: a
# busy CPU stalls the sender now and then, and its catch-up (on time for
# the code) packs a few probes into a few ms. xhop sends a cycle's k-th
# probe once cycle start + k x 0.45 s / 100 has come (send_due in
# user/plan/monitor_plan.c), never before; cycles start every 0.5 s, from the
# earliest-starting one (a late start only moves its cycle later). A
# burst sends probes before their turn; sending in chunks, even late
# ones, leaves most probes no gap to the one before.
I, P = 0.5, 0.45 / 100
T = min((c[0] - i * I for i, c in enumerate(cycles)), default=0)
early = max((T + i * I + k * P - t for i, c in enumerate(cycles) for k, t in enumerate(c)), default=0)
chk('no burst: no probe before its turn (cycle start + its rank x 4.5 ms)', early <= 0.001,
    f'one {early * 1000:.1f} ms early')
gaps = sorted(b - a for c in cycles for a, b in zip(c, c[1:]))
median = gaps[len(gaps) // 2] if gaps else 0
chk('no burst: the median gap between probes is most of 4.5 ms (>= 3 ms)', median >= 0.003,
    f'{median * 1000:.2f} ms')
EOF
cat "$TMP/pcheck"
T_PASS=$((T_PASS + $(grep -c '^ok ' "$TMP/pcheck")))
T_FAIL=$((T_FAIL + $(grep -c '^FAIL ' "$TMP/pcheck")))

xrun --report --json -c 2 --interval 0.2 -w 0.5 "$LAB_DST4" "$LAB_UNR4"
expect_rc "json: exit 0" 0
cp "$TMP/out" "$TMP/j"
python3 - "$TMP/j" >"$TMP/jcheck" 2>&1 <<'EOF'
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
t = {o['target']: o for o in objs}
d, u = t['198.19.0.77'], t['198.19.2.1']
def chk(name, cond):
    print(('ok   ' if cond else 'FAIL ') + 'json: ' + name)
chk('one object per target', len(objs) == 2)
chk('keys', all(k in d for k in ['type', 'target', 'dst', 'src', 'method', 'cycles', 'reachable',
                                  'hop_count', 'changes', 'hubs']))
chk('hub keys as mtr', all(k in h for h in d['hubs'] for k in
                           ['count', 'host', 'Loss%', 'Snt', 'Last', 'Avg', 'Best', 'Wrst', 'StDev']))
chk('d77 reached at 5', d['reachable'] is True and d['hop_count'] == 5 and len(d['hubs']) == 5)
chk('d77 hosts', [h['host'] for h in d['hubs']][:2] == ['198.18.1.2', '198.18.2.2']
    and d['hubs'][4]['host'] == '198.19.0.77')
chk('names', d['hubs'][0].get('name') == 'r1.example')
chk('RTTs in (0, 100) ms', all(0 < h['Best'] <= h['Avg'] <= h['Wrst'] < 100 for h in d['hubs']))
chk('Snt 2, Rcv 2', all(h['Snt'] == 2 and h['Rcv'] == 2 for h in d['hubs']))
chk('unr: ends at r4 (!H), not reachable', u['reachable'] is False and len(u['hubs']) == 4
    and u['hubs'][3]['host'] == '198.18.5.2')
EOF
cat "$TMP/jcheck"
T_PASS=$((T_PASS + $(grep -c '^ok ' "$TMP/jcheck")))
T_FAIL=$((T_FAIL + $(grep -c -v '^ok ' "$TMP/jcheck")))

# --- 2. a lossy hop: Loss% against r4's own counters ---------------------------

LOSS_PCT=30
lab_exec r4 nft -f - <<EOF
table inet xmloss {
	chain out {
		type filter hook output priority 0; policy accept;
		icmp type time-exceeded numgen random mod 100 < $LOSS_PCT counter drop
		icmp type time-exceeded counter accept
	}
}
EOF
loss_rule() { lab_exec r4 nft list table inet xmloss >/dev/null; }
check "lossy hop: nftables rule in r4" loss_rule
LOSS_TARGETS=()
for i in $(seq 10 19); do LOSS_TARGETS+=("198.19.0.$i"); done
xrun -n --report --json -c 40 --interval 0.1 -w 0.3 "${LOSS_TARGETS[@]}"
expect_rc "lossy hop: exit 0" 0
cp "$TMP/out" "$TMP/loss.json"
read -r NFT_DROP NFT_PASS < <(lab_exec r4 nft list table inet xmloss |
	awk '/counter packets/ { for (i = 1; i <= NF; i++) if ($i == "packets") v[n++] = $(i + 1) }
	     END { print v[0] + 0, v[1] + 0 }')
lab_exec r4 nft delete table inet xmloss
python3 - "$TMP/loss.json" "$NFT_DROP" "$NFT_PASS" "$LOSS_PCT" >"$TMP/lcheck" 2>&1 <<'EOF'
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
drop, passed, pct = int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
def hub(o, ttl):
    return [h for h in o['hubs'] if h['count'] == ttl][0]
lost4 = sum(hub(o, 4)['Lost'] for o in objs)
snt4 = sum(hub(o, 4)['Snt'] for o in objs)
true_pct = 100.0 * drop / max(drop + passed, 1)
agg = 100.0 * lost4 / max(snt4, 1)
def chk(name, cond, why=''):
    print(('ok   ' if cond else 'FAIL ') + 'lossy hop: ' + name + ('' if cond else ': ' + why))
print(f'     (r4 dropped {drop} of {drop + passed} = {true_pct:.1f}%; xhop: {lost4} of {snt4} '
      f'= {agg:.1f}%; per target: ' + ' '.join(f"{hub(o, 4)['Loss%']:.0f}" for o in objs) + ')')
chk('every TTL-4 probe accounted for', snt4 == drop + passed == 400, f'{snt4} vs {drop + passed}')
chk('lost at TTL 4 = dropped by r4', lost4 == drop, f'{lost4} vs {drop}')
chk(f'Loss% of r4 near {pct:.0f}% (all targets)', abs(agg - pct) <= 10, f'{agg:.1f}')
chk('Loss% per target = its Lost/Snt', all(abs(hub(o, 4)['Loss%'] - 100.0 * hub(o, 4)['Lost'] /
                                             hub(o, 4)['Snt']) < 0.06 for o in objs), '')
chk('other hops lose nothing', all(h['Loss%'] == 0.0 for o in objs for h in o['hubs']
                                   if h['count'] != 4), '')
chk('destinations reached', all(o['reachable'] and o['hop_count'] == 5 for o in objs), '')
chk('no path change from loss', all(sum(o['changes'].values()) == 0 for o in objs), '')
EOF
cat "$TMP/lcheck"
T_PASS=$((T_PASS + $(grep -c '^ok ' "$TMP/lcheck")))
T_FAIL=$((T_FAIL + $(grep -c '^FAIL ' "$TMP/lcheck")))

# --- 3 and 4. a route change, events, metrics, Prometheus ----------------------

MPORT=9464
PPORT=9090
INTERVAL=0.3
CONFIRM=2
CH_TARGETS=()
for i in $(seq 100 107); do CH_TARGETS+=("198.19.0.$i"); done
for i in 100 101 102 103; do CH_TARGETS+=("2001:2:0:100::$i"); done
bg_start src monitor -n --interval "$INTERVAL" -w 0.25 --confirm "$CONFIRM" --events "$TMP/events" \
	--metrics "127.0.0.1:$MPORT" "${CH_TARGETS[@]}"
capture_ids "monitor"

metrics() { lab_exec src curl -sf "http://127.0.0.1:$MPORT/metrics"; }
# every target reached at 5 hops and its TTL 3 seen: discovery is over
all_settled()
{
	metrics >"$TMP/m" 2>/dev/null || return 1
	[[ $(grep -c '^xhop_path_hops{.*} 5$' "$TMP/m") -eq ${#CH_TARGETS[@]} &&
		$(grep -c '^xhop_hop_replies_total{.*,ttl="3",' "$TMP/m") -eq ${#CH_TARGETS[@]} ]]
}
if wait_for 15 all_settled; then ok "metrics: every target at 5 hops"; else
	fail "metrics: every target at 5 hops" "$(cat "$TMP/m")" "$(cat "$TMP/bg.err")"; fi
if command -v promtool >/dev/null; then
	if promtool check metrics <"$TMP/m" >"$TMP/promtool" 2>&1; then
		ok "metrics: promtool check metrics accepts /metrics"
	else
		fail "metrics: promtool check metrics accepts /metrics" "$(cat "$TMP/promtool")"
	fi
else
	fail "metrics: promtool is installed" "scripts/install-deps.sh installs prometheus"
fi
expect_match "metrics: histogram" "$(cat "$TMP/m")" \
	'^xhop_hop_rtt_seconds_bucket\{target="198\.19\.0\.100",ttl="1",responder="198\.18\.1\.2",le="\+Inf"\} [0-9]+$'
expect_match "metrics: reachable" "$(cat "$TMP/m")" '^xhop_target_reachable\{target="2001:2:0:100::103"\} 1$'

# A real Prometheus, inside src on its loopback, storage in TMP
if command -v prometheus >/dev/null; then
	mkdir -p "$TMP/prom"
	cat >"$TMP/prom.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: xhop
    static_configs:
      - targets: ['127.0.0.1:$MPORT']
EOF
	ip netns exec "$NS" prometheus --config.file="$TMP/prom.yml" --storage.tsdb.path="$TMP/prom" \
		--web.listen-address="127.0.0.1:$PPORT" --log.level=warn >"$TMP/prom.log" 2>&1 &
	PROM_PID=$!
	promql()
	{
		lab_exec src curl -sf --get "http://127.0.0.1:$PPORT/api/v1/query" \
			--data-urlencode "query=$1"
	}
	prom_hops()
	{
		promql 'xhop_path_hops{job="xhop"}' >"$TMP/pq" 2>/dev/null &&
			python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["data"]["result"]
sys.exit(0 if len(r) == int(sys.argv[2]) else 1)' "$TMP/pq" "${#CH_TARGETS[@]}"
	}
	if wait_for 30 prom_hops; then
		ok "prometheus: scraped, PromQL answers for every target"
	else
		fail "prometheus: scraped, PromQL answers for every target" "$(cat "$TMP/pq" 2>/dev/null)" \
			"$(tail -5 "$TMP/prom.log")"
	fi
	got=$(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["data"]["result"]
print(" ".join(sorted(x["metric"]["target"] + "=" + x["value"][1] for x in r)))' "$TMP/pq" 2>/dev/null)
	want=$(for t in "${CH_TARGETS[@]}"; do echo "$t=5"; done | sort | xargs)
	expect_eq "prometheus: xhop_path_hops is each target's hop count (5)" "$got" "$want"
	kill "$PROM_PID" 2>/dev/null
	wait "$PROM_PID" 2>/dev/null
	PROM_PID=
else
	fail "prometheus: installed" "scripts/install-deps.sh installs prometheus"
fi

# Ground truth of the change: r2's own choice for each target's ICMP flow
declare -A BRANCH
for t in "${CH_TARGETS[@]}"; do
	if [[ $t == *:* ]]; then
		r=$(lab_exec r2 ip -6 route get "$t" from "$LAB_SRC6" iif v2 ipproto ipv6-icmp)
	else
		r=$(lab_exec r2 ip route get "$t" from "$LAB_SRC4" iif v2 ipproto icmp)
	fi
	case $r in
	*" dev v4 "*) BRANCH[$t]=r3b ;;
	*) BRANCH[$t]=r3a ;;
	esac
done
# the monitor's TTL 3 agrees with r2 for every target (Paris: one branch)
agree=1
why=()
for t in "${CH_TARGETS[@]}"; do
	if [[ $t == *:* ]]; then want3=${LAB_HOP6[${BRANCH[$t]}]}; else want3=${LAB_HOP4[${BRANCH[$t]}]}; fi
	got3=$(grep "^xhop_hop_replies_total{target=\"$t\",ttl=\"3\"," "$TMP/m" | sed 's/.*responder="\([^"]*\)".*/\1/' | xargs)
	[[ $got3 == "$want3" ]] || { agree=0; why+=("$t: TTL 3 $got3, r2 says $want3"); }
done
if ((agree)); then ok "before the change: TTL 3 of every target is r2's ECMP choice"; else
	fail "before the change: TTL 3 of every target is r2's ECMP choice" "${why[@]}"; fi
AFFECTED=()
for t in "${CH_TARGETS[@]}"; do [[ ${BRANCH[$t]} == r3b ]] && AFFECTED+=("$t"); done
echo "     (on r3b, affected by the change: ${AFFECTED[*]:-none})"
if ((${#AFFECTED[@]} == 0 || ${#AFFECTED[@]} == ${#CH_TARGETS[@]})); then
	fail "ECMP spread the targets over both branches" "r3b: ${AFFECTED[*]}"
fi
expect_eq "no event before the change" "$(cat "$TMP/events" 2>/dev/null)" ""

cycles_now() { metrics | sed -n 's/^xhop_cycles_total \([0-9]*\)$/\1/p'; }
C0=$(cycles_now)
T0=$(date +%s%N)
lab_exec r2 ip route replace 198.18.0.0/15 via 198.18.3.2 dev v3
lab_exec r2 ip -6 route replace 2001:2::/48 via 2001:2:0:3::2 dev v3
events_in() { [[ $(wc -l <"$TMP/events" 2>/dev/null || echo 0) -ge ${#AFFECTED[@]} ]]; }
# (confirm + 1) cycles, the wait, and a second of slack
if wait_for 4 events_in; then ok "events: one per affected target arrived"; else
	fail "events: one per affected target arrived" "$(cat "$TMP/events" 2>/dev/null)"; fi
# then four more cycles, for any event that should not come
later() { local c; c=$(cycles_now); [[ -n $c ]] && ((c >= C0 + CONFIRM + 5)); }
if wait_for 10 later; then ok "events: $((CONFIRM + 5)) cycles ran since the change"; else
	fail "events: $((CONFIRM + 5)) cycles ran since the change" "cycle $(cycles_now), change during $C0"; fi
python3 - "$TMP/events" "$C0" "$T0" "$CONFIRM" "$INTERVAL" "${AFFECTED[*]}" "${CH_TARGETS[*]}" \
	>"$TMP/echeck" 2>&1 <<'EOF'
import json, sys, datetime
evs = [json.loads(l) for l in open(sys.argv[1])]
c0, t0, confirm, interval = int(sys.argv[2]), int(sys.argv[3]) / 1e9, int(sys.argv[4]), float(sys.argv[5])
affected, targets = set(sys.argv[6].split()), sys.argv[7].split()
def chk(name, cond, why=''):
    print(('ok   ' if cond else 'FAIL ') + 'events: ' + name + ('' if cond else ': ' + str(why)))
by = {}
for e in evs:
    by.setdefault(e['target'], []).append(e)
chk('exactly one per affected target', all(len(by.get(t, [])) == 1 for t in affected), by)
chk('none for unaffected targets', all(t in affected for t in by), sorted(set(by) - affected))
for t in sorted(affected):
    e = by.get(t, [{}])[0]
    v6 = ':' in t
    want_b, want_a = (['2001:2:0:4::2'], ['2001:2:0:3::2']) if v6 else (['198.18.4.2'], ['198.18.3.2'])
    chk(f'{t}: kind hop, TTL 3, {want_b[0]} -> {want_a[0]}',
        e.get('kind') == 'hop' and e.get('ttl') == 3 and e.get('before') == want_b
        and e.get('after') == want_a and e.get('dst') == t, e)
    chk(f'{t}: within --confirm + 1 cycles', c0 < e.get('cycle', 0) <= c0 + confirm + 1,
        f"cycle {e.get('cycle')}, change during cycle {c0}")
    ts = datetime.datetime.strptime(e.get('time', '1970-01-01T00:00:00.000Z'),
                                    '%Y-%m-%dT%H:%M:%S.%fZ').replace(tzinfo=datetime.timezone.utc).timestamp()
    chk(f'{t}: time within (confirm + 1) intervals + wait of the change',
        0 <= ts - t0 <= (confirm + 1) * interval + 0.25 + 0.5, f'{ts - t0:.3f} s')
EOF
cat "$TMP/echeck"
T_PASS=$((T_PASS + $(grep -c '^ok ' "$TMP/echeck")))
T_FAIL=$((T_FAIL + $(grep -c '^FAIL ' "$TMP/echeck")))
metrics >"$TMP/m2"
for t in "${AFFECTED[@]:0:1}"; do
	expect_match "metrics: xhop_path_changes_total counts the change" "$(cat "$TMP/m2")" \
		"^xhop_path_changes_total\{target=\"$t\",kind=\"hop\"\} 1\$"
done

# SIGINT: the final report, 130, nothing attached
kill -INT "$BG_PID"
bg_end 5
expect_eq "SIGINT: exit 130" "$BG_RC" 130
expect_match "SIGINT: final report written" "$(cat "$TMP/bg.out")" \
	'^xhop monitor to 198\.19\.0\.100 \(198\.19\.0\.100\), [0-9]+ cycles'
expect_clean "SIGINT"
# ECMP back, for what follows
lab_exec r2 ip route replace 198.18.0.0/15 nexthop via 198.18.3.2 dev v3 nexthop via 198.18.4.2 dev v4
lab_exec r2 ip -6 route replace 2001:2::/48 nexthop via 2001:2:0:3::2 dev v3 nexthop via 2001:2:0:4::2 dev v4

# SIGTERM during a long report: 143 and the report so far. The signal
# waits until xhop has the first cycle's answer from the destination at
# TTL 5, as its /metrics says: sent as soon as the programs were attached,
# it came before that answer on a busy 2-CPU machine, and the report had
# no TTL 5 row to show.
bg_start src monitor -n --report -c 1000 --interval 0.2 --metrics "127.0.0.1:$MPORT" "$LAB_DST4"
capture_ids "SIGTERM"
ttl5_answered()
{
	local d=${LAB_DST4//./\\.}
	metrics >"$TMP/mt" 2>/dev/null &&
		grep -Eq "^xhop_hop_replies_total\{target=\"$d\",ttl=\"5\",responder=\"$d\"\} [1-9]" "$TMP/mt"
}
if wait_for 10 ttl5_answered; then ok "SIGTERM: the destination's TTL 5 answer is in before the signal"; else
	fail "SIGTERM: the destination's TTL 5 answer is in before the signal" "$(cat "$TMP/mt" 2>/dev/null)" \
		"$(cat "$TMP/bg.err")"
fi
kill -TERM "$BG_PID"
bg_end 5
expect_eq "SIGTERM: exit 143" "$BG_RC" 143
expect_match "SIGTERM: report so far written" "$(cat "$TMP/bg.out")" '^ +5\.\|-- 198\.19\.0\.77 '
expect_clean "SIGTERM"

# --- 5. the live view in tmux --------------------------------------------------

# a target the route change moves (r3b -> r3a at TTL 3), for the view's
# event list; IPv4 if there is one
VIEW_MOVED=
for t in "${AFFECTED[@]}"; do [[ -z $VIEW_MOVED || $VIEW_MOVED == *:* ]] && VIEW_MOVED=$t; done
VIEW_MOVED=${VIEW_MOVED:-$LAB_DST4}
if command -v tmux >/dev/null; then
	tmux -L "$TMUX_SOCK" -f /dev/null new-session -d -x 132 -y 40 \
		"ip netns exec $NS $XHOP monitor --interval 0.2 $LAB_DST_NAME $LAB_FAR_NAME $VIEW_MOVED; echo EXIT=\$? >$TMP/view.rc; sleep 60"
	screen() { tmux -L "$TMUX_SOCK" capture-pane -p >"$TMP/screen" 2>/dev/null; }
	shows() { screen && grep -Eq -- "$1" "$TMP/screen"; }
	key() { tmux -L "$TMUX_SOCK" send-keys "$@"; }
	if wait_for 10 shows '^ +5\. d77\.example \(198\.19\.0\.77\) +0\.0% '; then
		ok "view: the table, with names, in place"
	else
		fail "view: the table, with names, in place" "$(cat "$TMP/screen")"
	fi
	expect_match "view: mtr's columns" "$(cat "$TMP/screen")" 'Host +Loss% +Snt +Last +Avg +Best +Wrst +StDev +Javg'
	expect_match "view: first target" "$(cat "$TMP/screen")" '^Target 1/3: d77\.example'
	key n
	if wait_for 5 shows '^ +6\. far\.example \(198\.19\.1\.9\) '; then ok "view: n switches target"; else
		fail "view: n switches target" "$(cat "$TMP/screen")"; fi
	if wait_for 5 shows '^ +5\. \?\?\? +100\.0% '; then ok "view: silent r5 row"; else
		fail "view: silent r5 row" "$(cat "$TMP/screen")"; fi
	key p
	if wait_for 5 shows '\[paused\]'; then ok "view: p pauses"; else fail "view: p pauses" "$(cat "$TMP/screen")"; fi
	snt() { screen && awk '$1 == "1." { print $(NF - 6) }' "$TMP/screen"; }
	s1=$(snt)
	key p
	grows() { local s; s=$(snt); [[ -n $s && -n $s1 ]] && ((s > s1 + 2)); }
	if wait_for 5 grows; then ok "view: p again resumes (Snt grows past $s1)"; else
		fail "view: p again resumes" "$(cat "$TMP/screen")"; fi
	s1=$(snt)
	key r
	reset_seen() { local s; s=$(snt); [[ -n $s ]] && ((s < s1)); }
	if wait_for 5 reset_seen; then ok "view: r resets statistics (Snt below $s1)"; else
		fail "view: r resets statistics" "$(cat "$TMP/screen")"; fi
	# a path change shows in the view, whichever target it shows
	if [[ $VIEW_MOVED == *:* ]]; then
		moved_re='TTL 3 +hop +2001:2:0:4::2 -> 2001:2:0:3::2'
	else
		moved_re='TTL 3 +hop +198\.18\.4\.2 -> 198\.18\.3\.2'
	fi
	lab_exec r2 ip route replace 198.18.0.0/15 via 198.18.3.2 dev v3
	lab_exec r2 ip -6 route replace 2001:2::/48 via 2001:2:0:3::2 dev v3
	if wait_for 5 shows "$moved_re"; then ok "view: the path change of $VIEW_MOVED is listed"; else
		fail "view: the path change of $VIEW_MOVED is listed" "$(cat "$TMP/screen")"; fi
	expect_match "view: path changes counted" "$(cat "$TMP/screen")" '^Path changes \(1, latest first\):'
	lab_exec r2 ip route replace 198.18.0.0/15 nexthop via 198.18.3.2 dev v3 nexthop via 198.18.4.2 dev v4
	lab_exec r2 ip -6 route replace 2001:2::/48 nexthop via 2001:2:0:3::2 dev v3 nexthop via 2001:2:0:4::2 dev v4
	key q
	view_done() { [[ -s $TMP/view.rc ]]; }
	if wait_for 5 view_done; then ok "view: q quits"; else fail "view: q quits" "$(cat "$TMP/screen")"; fi
	expect_eq "view: q exits 0" "$(cat "$TMP/view.rc" 2>/dev/null)" "EXIT=0"
	screen
	expect_match "view: the final report after the view" "$(cat "$TMP/screen")" \
		'^xhop monitor to far\.example \(198\.19\.1\.9\), [0-9]+ cycles'
	tmux -L "$TMUX_SOCK" kill-server 2>/dev/null
	if wait_for 5 no_xdp; then ok "view: nothing attached after q"; else fail "view: nothing attached after q"; fi
else
	fail "tmux is installed" "scripts/install-deps.sh installs tmux"
fi

# --- 6. exit codes -------------------------------------------------------------

xrun -n --report -c 1 "$LAB_BAD_NAME"
expect_rc "exit: an unresolvable target is 2" 2
expect_match "exit: the target is named" "$ERR" "$LAB_BAD_NAME"
xrun --bogus "$LAB_DST4"
expect_rc "exit: unknown option is 2" 2
xrun
expect_rc "exit: no target is 2" 2
xrun --help
expect_rc "exit: --help is 0" 0
expect_match "exit: --help on stdout" "$OUT" '^Usage: xhop monitor '
# a second interface in src (a veth pair, both ends in the lab's src):
# targets routed over two interfaces are refused before anything is attached
lab_exec src ip link add xmva type veth peer name xmvb
lab_exec src ip addr add 198.18.200.1/24 dev xmva
lab_exec src ip link set xmva up
lab_exec src ip link set xmvb up
xrun -n --report -c 1 "$LAB_DST4" 198.18.200.5
expect_rc "exit: targets via two interfaces is 1" 1
expect_match "exit: two interfaces named" "$ERR" 'different interfaces: .* via v1, 198\.18\.200\.5 via xmva'
lab_exec src ip link del xmva
# the metrics port is taken (another port than above: its closed
# connections may linger in TIME_WAIT)
TAKEN=$((MPORT + 1))
ip netns exec "$NS" python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1); time.sleep(20)' "$TAKEN" &
HOLDER=$!
port_taken() { [[ -n $(lab_exec src ss -Htln "sport = :$TAKEN") ]]; }
if wait_for 5 port_taken; then ok "exit: another process listens on $TAKEN"; else
	fail "exit: another process listens on $TAKEN" "$(lab_exec src ss -Htln)"; fi
xrun -n --report -c 1 --metrics "127.0.0.1:$TAKEN" "$LAB_DST4"
expect_rc "exit: metrics port taken is 1" 1
expect_match "exit: metrics port taken is named" "$ERR" "metrics 127\.0\.0\.1:$TAKEN: Address already in use"
kill "$HOLDER" 2>/dev/null
wait "$HOLDER" 2>/dev/null
check "exit: nothing attached after the failures" no_xdp

echo "(took $(($(date +%s) - start)) s)"
summary
