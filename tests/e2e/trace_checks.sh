# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Checks of xhop's output shared by the end-to-end tests: hop lines
# against the lab's ground truth, JSON fields, exit codes, processes.
# Source after lib.sh; xrun leaves stdout in $OUT and the exit code in $RC.

expect_rc() { expect_eq "$1" "$RC" "$2"; }

# Hop lines to "TTL R1 R2 ...", one word per query: the responder's
# address, "*" for no answer, "!X" glued on for an annotation. Names are
# dropped: "r1.example (198.18.1.2)  0.1 ms" and "198.18.1.2  0.1 ms"
# both give 198.18.1.2; a responder stays current until the next one.
norm_hops()
{
	awk '/^ *[0-9]+  / {
		line = $1; cur = ""
		for (i = 2; i <= NF; i++) {
			t = $i
			if (t == "*") { line = line " *"; continue }
			if ($(i + 1) == "ms") { line = line " " cur; i++; continue }
			if (t ~ /^!/) { line = line t; continue }
			if (t ~ /^\(.*\)$/) { cur = substr(t, 2, length(t) - 2); continue }
			if ($(i + 1) ~ /^\(/) continue
			cur = t
		}
		print line
	}'
}

# expect_hops NAME EXPECT_ARRAY QUERIES [FIRST_TTL]: stdout ($OUT) has
# exactly one line per TTL from FIRST_TTL to the end of the array, each
# with QUERIES answers matching the expected word, all from the same
# address (a Paris trace never mixes ECMP branches within a TTL).
# HOPS_LOST_OK=N lets N answers of the whole trace be "*" where the lab
# answers (a flood that overflows a queue loses real packets); the pass
# line says how many were. It never admits a wrong address.
expect_hops()
{
	local name=$1 q=$3 first=${4:-1}
	local -n want=$2
	local got lines=() i ttl words w e alts a why=() hit lost=0 seen
	got=$(norm_hops <<<"$OUT")
	[[ -n $got ]] && mapfile -t lines <<<"$got"
	if ((${#lines[@]} != ${#want[@]} - first + 1)); then
		why+=("expected TTLs $first..${#want[@]}, got ${#lines[@]} hop lines")
	fi
	for ((i = 0; i < ${#lines[@]}; i++)); do
		read -r ttl words <<<"${lines[i]}"
		read -ra words <<<"$words"
		e=${want[first - 1 + i]:-none}
		if [[ $ttl != $((first + i)) ]]; then
			why+=("line $((i + 1)): TTL $ttl, expected $((first + i))")
			continue
		fi
		if ((${#words[@]} != q)); then
			why+=("TTL $ttl: ${#words[@]} answers (${words[*]}), expected $q")
			continue
		fi
		IFS='|' read -ra alts <<<"$e"
		seen=
		for w in "${words[@]}"; do
			if [[ $w == '*' && $e != '*' ]] && ((lost < ${HOPS_LOST_OK:-0})); then
				((lost++))
				continue
			fi
			hit=0
			for a in "${alts[@]}"; do [[ $w == "$a" ]] && hit=1; done
			if ((!hit)); then
				why+=("TTL $ttl: got '$w', expected $e")
				break
			fi
			if [[ -n $seen && $w != "$seen" ]]; then
				why+=("TTL $ttl: branches mixed: ${words[*]}")
				break
			fi
			seen=$w
		done
	done
	if ((${#why[@]} == 0)); then
		if ((lost)); then ok "$name ($lost answer(s) lost on the way)"; else ok "$name"; fi
	else
		fail "$name" "${why[@]}" "stdout:" "$OUT"
	fi
}

# py_checks SCRIPT ARGS...: a checker of this folder that prints "ok" and
# "FAIL" lines, then "COUNTS <passed> <failed>", counted here (none: one
# failure, the checker died)
py_checks()
{
	local out p f script=$1
	shift
	out=$(python3 "$HERE/$script" "$@")
	grep -v '^COUNTS ' <<<"$out"
	read -r _ p f < <(grep '^COUNTS ' <<<"$out")
	T_PASS=$((T_PASS + ${p:-0}))
	T_FAIL=$((T_FAIL + ${f:-1}))
}

# json_checks FILE 'NAME::EXPR'...: see json_check.py
json_checks() { py_checks json_check.py "$@"; }

# Python list literal of a bash array (for json_check.py expressions)
pylist()
{
	local -n arr=$1
	local s="[" x
	for x in "${arr[@]}"; do s+="'$x',"; done
	echo "$s]"
}

alive()
{
	local s
	[[ -n $1 ]] || return 1
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*) }
	[[ ${s%% *} != Z ]]
}

# scan_checks ARGS...: tests/e2e/scan_check.py, counted
scan_checks() { py_checks scan_check.py "$@"; }

# warts_checks ARGS...: tests/e2e/warts_check.py (scamper's readers), counted
warts_checks() { py_checks warts_check.py "$@"; }

# prog_held ID: a live process holds the BPF program, by an fd of its own
# or of a link to it (either fdinfo names the prog_id). The test's xhop
# has exited by the time this is asked, so a held program is another
# run's on this machine (an xhop, a bench, a BPF test); one no process
# holds, still loaded, is what a finished run left behind.
prog_held() { grep -qsx "prog_id:[[:space:]]*$1" /proc/[0-9]*/fdinfo/*; }

# unheld ID...: those of the programs no process holds
unheld()
{
	local id
	for id in "$@"; do prog_held "$id" || echo "$id"; done
}

# prefix_addrs FILE PREFIX...: every address of the prefixes, one per line
prefix_addrs()
{
	local f=$1
	shift
	python3 -c '
import ipaddress, sys
for p in sys.argv[1:]:
    for a in ipaddress.ip_network(p):
        print(a)' "$@" >"$f"
}

# e2e_stop: the test cannot go on (a check above failed and the rest
# depend on it): the summary now, and a failed exit (the EXIT trap tears
# down what exists)
e2e_stop()
{
	summary
	exit 1
}

# e2e_lab_up: build the lab under $PREFIX as one check; on failure the
# test ends there
e2e_lab_up()
{
	if ! LAB_QUIET=1 lab_up "$PREFIX"; then
		fail "lab is up" "lab_up $PREFIX failed"
		e2e_stop
	fi
	ok "lab is up"
}

# e2e_require TOOL...: root, the tools and a built $XHOP, or the test ends
# here. Without root it is skipped: the namespaces are refused. A missing
# tool is a failed check each, never a skip: scripts/install-deps.sh
# installs them all, so a skip would only hide a broken test machine.
e2e_require()
{
	[[ $(id -u) -eq 0 ]] || skip_all "needs root to build namespace labs"
	require_tools "$@" || e2e_stop
}
