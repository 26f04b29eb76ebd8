# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# What xhop has attached and loaded, and xhop runs in the background:
# shared by the end-to-end tests of every mode. Source after lib.sh,
# trace_checks.sh and scripts/lab.sh; uses $IF (the prober's interface
# by default), $TMP, $XHOP and $HERE, and PROGS_AT_START (set it to
# $(xhop_prog_ids) before the first run) and RUN_IDS.

# xdp_ids [NODE IF], tcx_ids [NODE IF]: program ids on the device
xdp_ids()
{
	ip -d -n "$(lab_ns "${1:-src}")" link show "${2:-$IF}" |
		sed -n 's/.*prog\/xdp[a-z]* id \([0-9]*\).*/\1/p'
}
tcx_ids()
{
	lab_exec "${1:-src}" python3 "$HERE/tcx_query.py" "${2:-$IF}" | tr -cs '0-9' ' ' | xargs
}
tcx_egress_ids() { lab_exec src python3 "$HERE/tcx_query.py" "$IF" | sed 's/.*egress://' | xargs; }
xhop_prog_ids() { bpftool prog show 2>/dev/null | sed -nE 's/^([0-9]+): .* name (xhop_[a-z_]*) .*/\1/p'; }
no_xdp() { ! ip -n "$(lab_ns "${1:-src}")" link show "${2:-$IF}" | grep -q xdp; }
no_tcx() { [[ -z $(tcx_ids "$@") ]]; }
attached() { [[ -n $(xdp_ids "$@") && -n $(tcx_ids "$@") ]]; }
no_tc_filters()
{
	local ns
	ns=$(lab_ns "${1:-src}")
	[[ -z $(tc -n "$ns" filter show dev "${2:-$IF}" ingress 2>&1) &&
		-z $(tc -n "$ns" filter show dev "${2:-$IF}" egress 2>&1) ]]
}
progs_gone()
{
	local id
	for id in $RUN_IDS; do
		! bpftool prog show id "$id" >/dev/null 2>&1 || return 1
	done
}
new_xhop_progs() { comm -13 <(sort <<<"$PROGS_AT_START") <(xhop_prog_ids | sort) | xargs; }
# stray_xhop_progs: the new xhop_* programs no process holds (see prog_held)
stray_xhop_progs()
{
	local ids
	read -ra ids <<<"$(new_xhop_progs)"
	unheld "${ids[@]}" | xargs
}
no_stray_xhop_progs() { [[ -z $(stray_xhop_progs) ]]; }


# bg_start NODE ARGS...: xhop in the background, SIGINT not ignored (a
# non-interactive shell starts background jobs with SIGINT ignored); ip
# netns exec execs, so BG_PID is xhop's own pid
bg_start()
{
	local node=$1
	shift
	env --default-signal=INT ip netns exec "$(lab_ns "$node")" "$XHOP" "$@" \
		>"$TMP/bg.out" 2>"$TMP/bg.err" &
	BG_PID=$!
}
bg_gone() { ! alive "$BG_PID"; }
# bg_end SECONDS: wait (bounded) for the background xhop; sets BG_RC
# shellcheck disable=SC2034 # BG_RC is for the test that sources this
bg_end()
{
	if ! wait_for "$1" bg_gone; then
		kill -9 "$BG_PID" 2>/dev/null
		wait "$BG_PID" 2>/dev/null
		BG_RC=timeout
	else
		wait "$BG_PID" 2>/dev/null
		BG_RC=$?
	fi
	BG_PID=
}

# capture_ids NAME [NODE IF]: while xhop runs, its programs are attached
capture_ids()
{
	local name=$1
	shift
	if wait_for 10 attached "$@"; then ok "$name: XDP and tcx attached while running"; else
		fail "$name: XDP and tcx attached while running" "xdp: '$(xdp_ids "$@")' tcx: '$(tcx_ids "$@")'"
	fi
	RUN_IDS="$(xdp_ids "$@") $(tcx_ids "$@")"
}

# expect_clean NAME [NODE IF]: nothing of xhop's is left, anywhere
# (KEEP_XDP=ID: a neighbour's XDP program that must still be there)
expect_clean()
{
	local name=$1 node=${2:-src} ifn=${3:-$IF}
	shift
	if [[ -n ${KEEP_XDP:-} ]]; then
		expect_eq "$name: XDP on $ifn is only the neighbour's" "$(xdp_ids "$@")" "$KEEP_XDP"
	elif wait_for 5 no_xdp "$@"; then
		ok "$name: no XDP left on $ifn"
	else
		fail "$name: no XDP left on $ifn" "$(ip -d -n "$(lab_ns "$node")" link show "$ifn")"
	fi
	if wait_for 5 no_tcx "$@"; then ok "$name: no tcx left on $ifn"; else
		fail "$name: no tcx left on $ifn" "$(tcx_ids "$@")"
	fi
	check "$name: no tc filter on $ifn (ingress, egress)" no_tc_filters "$@"
	if [[ -n ${RUN_IDS// /} ]]; then
		if wait_for 5 progs_gone; then ok "$name: its programs are unloaded ($RUN_IDS)"; else
			fail "$name: its programs are unloaded ($RUN_IDS)" "$(bpftool prog show)"
		fi
	fi
	# Globally no new xhop_* program, but those a live process holds:
	# other runs on this machine load xhop_* programs too, and asking
	# whether one was running (pgrep xhop) missed benches and BPF tests
	if wait_for 5 no_stray_xhop_progs; then
		ok "$name: bpftool prog show has no new xhop_* program held by no process"
	else
		fail "$name: bpftool prog show has no new xhop_* program held by no process" \
			"left: $(stray_xhop_progs)"
	fi
}

