#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2016 # single-quoted programs
#
# The Debian package, built from this tree and installed on this machine:
#   1. dpkg-buildpackage -b builds it; its version is xhop --version's;
#      it declares libcap2-bin and its libraries; lintian finds nothing;
#   2. dpkg -i: /usr/bin/xhop is root:xhop 0750 with the file capabilities
#      (setcap in postinst), xhop a system group, no statoverride
#      registered; man page, completion, unit (systemd-analyze verify),
#      rules and dashboard in place;
#   3. in the lab: root traces as before; a process in group xhop (uid
#      nobody, runuser -G xhop) traces the lab's exact path with the installed
#      binary, while the same process cannot trace with the uninstalled
#      build/xhop (the capabilities come from the file); a process outside
#      the group cannot execute it (Permission denied) and attaches nothing;
#   4. xhop monitor run as xhop-monitor.service runs it (its ExecStart and
#      credentials: a user in group xhop, ambient capabilities, no new
#      privileges) serves /metrics, and every metric the installed rules
#      and dashboard name is in that scrape;
#   5. dpkg --purge leaves nothing: no file of the package, no group, no
#      capabilities, no statoverride;
#   6. with an administrator's dpkg-statoverride (root:root 0755) the
#      package sets neither owner, mode nor capabilities, and purge keeps
#      the override.
# The package is purged (and any override of this test removed) on exit.
# Needs root; refuses to run where a package named xhop is installed.
set -u

# shellcheck source=tests/e2e/lab_test.sh
source "$(dirname "$0")/lab_test.sh"
RUN_LIMIT=30
BIN=/usr/bin/xhop
CAPS=(cap_net_raw cap_net_admin cap_bpf cap_perfmon cap_ipc_lock)

e2e_require ip dpkg dpkg-buildpackage dpkg-statoverride lintian runuser setpriv getcap capsh \
	curl systemd-analyze man flock timeout /usr/bin/python3

PREFIX=xp$$-
TMP=$(mktemp -d /tmp/xhop-pkg-e2e.XXXXXX)
MON_PID=
INSTALLED=
OVERRIDE=

# dpkg_run ARGS...: dpkg, waiting (bounded) while another dpkg or apt
# holds the lock; its output in $TMP/dpkg.out
dpkg_run()
{
	local deadline=$(($(date +%s) + 300))
	while :; do
		dpkg "$@" >"$TMP/dpkg.out" 2>&1 && return 0
		grep -q 'lock' "$TMP/dpkg.out" && (($(date +%s) < deadline)) || return 1
		sleep 2
	done
}

cleanup()
{
	[[ $BASHPID == "$$" ]] || return 0
	if [[ -n $MON_PID ]] && alive "$MON_PID"; then kill -9 "$MON_PID" 2>/dev/null; fi
	LAB_QUIET=1 lab_down "$PREFIX"
	[[ -n $INSTALLED ]] && dpkg_run --purge xhop
	[[ -n $OVERRIDE ]] && dpkg-statoverride --remove "$BIN" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# One run at a time: the package and the group are the machine's
exec 9>/run/lock/xhop-test-package.lock
if ! flock -w 900 9; then
	fail "lock /run/lock/xhop-test-package.lock" "another run holds it"
	e2e_stop
fi
if dpkg-query -W -f='${Status}' xhop 2>/dev/null | grep -q 'installed'; then
	fail "no package xhop installed before the test" \
		"$(dpkg-query -W -f='${Package} ${Version} ${Status}' xhop)" "the test would replace it"
	e2e_stop
fi
ok "no package xhop installed before the test"
expect_eq "no group xhop before the test" "$(getent group xhop)" ""
expect_eq "no statoverride for $BIN before the test" "$(dpkg-statoverride --list "$BIN")" ""

# --- 1. build ------------------------------------------------------------------
version=$("$XHOP" --version | awk '{ print $2 }')
SRC=$TMP/src/xhop-$version
mkdir -p "$SRC"
# the tree as it is (tracked and new files, nothing git ignores)
git -C "$ROOT" ls-files -co --exclude-standard -z | (cd "$ROOT" && tar --null -T - -cf -) |
	tar -xf - -C "$SRC"
start=$(date +%s)
if (cd "$SRC" && DEB_BUILD_OPTIONS="parallel=2 nocheck" dpkg-buildpackage -b -us -uc) \
	>"$TMP/build.log" 2>&1; then
	ok "dpkg-buildpackage -b builds it ($(($(date +%s) - start)) s)"
else
	fail "dpkg-buildpackage -b builds it" "$(tail -n 30 "$TMP/build.log")"
	e2e_stop
fi
DEB=$(ls "$TMP"/src/xhop_*.deb)
expect_eq "package version is xhop --version's" "$(dpkg-deb -f "$DEB" Version)" "$version"
expect_match "declares libcap2-bin (setcap)" "$(dpkg-deb -f "$DEB" Depends)" '(^|, )libcap2-bin(,|$)'
expect_match "declares its libraries (shlibs)" "$(dpkg-deb -f "$DEB" Depends)" 'libbpf1.*libc6'
# Debian's own checks of the package: no error, no warning
if lintian --fail-on error,warning "$TMP"/src/xhop_*.changes >"$TMP/lintian" 2>&1; then
	ok "lintian: no errors or warnings"
else
	fail "lintian: no errors or warnings" "$(grep -v 'root privileges' "$TMP/lintian")"
fi

e2e_lab_up
NS=$(lab_ns src)
IF=$LAB_SRC_IF

# --- 2. install ------------------------------------------------------------------
# caps_of FILE: its file capabilities, sorted, comma-separated ("" if none)
caps_of() { getcap "$1" | sed -nE 's/^[^ ]+ (.*)=ep$/\1/p' | tr ',' '\n' | sort | paste -sd,; }
want_caps=$(printf '%s\n' "${CAPS[@]}" | sort | paste -sd,)

if dpkg_run -i "$DEB"; then ok "dpkg -i"; INSTALLED=1; else
	fail "dpkg -i" "$(cat "$TMP/dpkg.out")"
	e2e_stop
fi
expect_eq "$BIN: root:xhop, mode 0750" "$(stat -c '%U:%G %a' "$BIN")" "root:xhop 750"
expect_eq "$BIN: file capabilities ${CAPS[*]} (+ep)" "$(caps_of "$BIN")" "$want_caps"
GID=$(getent group xhop | cut -d: -f3)
if [[ -n $GID ]] && ((GID < 1000)); then ok "xhop is a system group (gid $GID)"; else
	fail "xhop is a system group" "getent: '$(getent group xhop)'"; fi
expect_eq "no statoverride registered by the package" "$(dpkg-statoverride --list "$BIN")" ""
FILES=$(dpkg -L xhop | while read -r f; do [[ -f $f ]] && echo "$f"; done | sort)
for f in /usr/share/man/man8/xhop.8.gz /usr/share/bash-completion/completions/xhop \
	/lib/systemd/system/xhop-monitor.service /etc/xhop/monitor.conf /etc/xhop/targets \
	/usr/share/xhop/prometheus/xhop.rules.yml /usr/share/xhop/grafana/xhop-dashboard.json; do
	expect_match "installs $f" "$FILES" "^$f$"
done
expect_eq "man finds xhop(8)" "$(man -w 8 xhop 2>&1)" /usr/share/man/man8/xhop.8.gz
MANWIDTH=80 man --warnings -E UTF-8 8 xhop 2>"$TMP/man.err" >/dev/null
expect_eq "man --warnings 8 xhop: none" "$(cat "$TMP/man.err")" ""
expect_eq "conffiles: the monitor's configuration" "$(dpkg-query -W -f='${Conffiles}' xhop | awk '{ print $1 }' | xargs)" \
	"/etc/xhop/monitor.conf /etc/xhop/targets"
if systemd-analyze verify --man=no /lib/systemd/system/xhop-monitor.service >"$TMP/verify" 2>&1 &&
	! grep -q . "$TMP/verify"; then
	ok "systemd-analyze verify xhop-monitor.service"
else
	fail "systemd-analyze verify xhop-monitor.service" "$(cat "$TMP/verify")"
fi

# --- 3. root, a member, a non-member ------------------------------------------------
ARGS=(-n -q 1 -w 3 "$LAB_DST4")
xrun()
{
	lab_exec src timeout -k 2 "$RUN_LIMIT" "$@" >"$TMP/out" 2>"$TMP/err"
	RC=$?
	OUT=$(<"$TMP/out")
	ERR=$(<"$TMP/err")
}
# runuser, not setpriv: setpriv keeps root's capabilities up to the
# execve (CAP_DAC_OVERRIDE would let anyone execute a 0750 file)
MEMBER=(runuser -u nobody -g nogroup -G xhop --)
OUTSIDER=(runuser -u nobody -g nogroup --)

xrun "$BIN" "${ARGS[@]}"
expect_rc "root: exit 0" 0
expect_hops "root: exact hops" LAB_EXPECT_ICMP4 1

# file capabilities outside the bounding set make execve fail (EPERM):
# a refusal of this machine, not of the package
bnd=$(capsh --decode="$(awk '/^CapBnd:/ { print $2 }' /proc/self/status)")
missing_bnd=()
for c in "${CAPS[@]}"; do [[ $bnd == *"$c"* ]] || missing_bnd+=("$c"); done
if ((${#missing_bnd[@]})); then
	skip "member traces" "the bounding set lacks ${missing_bnd[*]}: execve of a file with them fails"
else
	xrun "${MEMBER[@]}" id -u
	expect_eq "member: runs as nobody" "$OUT" "$(id -u nobody)"
	xrun "${MEMBER[@]}" id -G
	expect_match "member: in group xhop" "$OUT" "(^| )$GID( |$)"
	xrun "${MEMBER[@]}" grep CapEff /proc/self/status
	expect_match "member: no capabilities of its own" "$OUT" '0{16}$'
	xrun "${MEMBER[@]}" "$BIN" "${ARGS[@]}"
	expect_rc "member of xhop: exit 0" 0
	expect_hops "member of xhop: exact hops" LAB_EXPECT_ICMP4 1
	xrun "${MEMBER[@]}" "$BIN" -n -q 1 -w 3 -6 -U "$LAB_DST6"
	expect_rc "member of xhop, udp6: exit 0" 0
	expect_hops "member of xhop, udp6: exact hops" LAB_EXPECT_UDP6 1
	check "member: nothing left attached" eval 'wait_for 5 no_xdp && wait_for 5 no_tcx'
	# the same process with a binary without file capabilities cannot
	xrun "${MEMBER[@]}" "$XHOP" "${ARGS[@]}"
	expect_rc "member with build/xhop (no file capabilities): exit 1" 1
	expect_match "member with build/xhop: names CAP_NET_RAW" "$ERR" '\bCAP_NET_RAW\b'
fi

xrun "${OUTSIDER[@]}" id -G
expect_no_match "non-member: not in group xhop" "$OUT" "(^| )$GID( |$)"
xrun "${OUTSIDER[@]}" "$BIN" "${ARGS[@]}"
if ((RC != 0)); then ok "non-member: cannot execute (exit $RC)"; else
	fail "non-member: cannot execute" "exit $RC" "$ERR"; fi
expect_match "non-member: execve refused: Permission denied" "$ERR" "failed to execute $BIN: Permission denied"
expect_eq "non-member: nothing on stdout" "$OUT" ""
check "non-member: nothing attached" eval 'no_xdp && no_tcx'

# --- 4. the monitor as its unit runs it -------------------------------------------
UNIT=/lib/systemd/system/xhop-monitor.service
MPORT=9464
printf '%s\n' "$LAB_DST4" "$LAB_FAR4" "$LAB_DST6" >"$TMP/targets"
chmod 0644 "$TMP/targets"
chmod 0755 "$TMP"
# the unit's ExecStart with its EnvironmentFile's variables, as systemd
# expands them: ${VAR} one word, $VAR split at spaces
exec_start=$(sed -n 's/^ExecStart=//p' "$UNIT")
XHOP_TARGETS=$TMP/targets
XHOP_METRICS=127.0.0.1:$MPORT
XHOP_OPTIONS="--interval 0.2 -n"
cmd=()
for w in $exec_start; do
	case $w in
	'${XHOP_TARGETS}') cmd+=("$XHOP_TARGETS") ;;
	'${XHOP_METRICS}') cmd+=("$XHOP_METRICS") ;;
	'$XHOP_OPTIONS') read -ra opts <<<"$XHOP_OPTIONS" && cmd+=("${opts[@]}") ;;
	*) cmd+=("$w") ;;
	esac
done
expect_eq "unit: ExecStart" "${cmd[*]}" \
	"$BIN monitor --targets $TMP/targets --metrics 127.0.0.1:$MPORT --interval 0.2 -n"
# its credentials: DynamicUser (some uid), SupplementaryGroups=xhop,
# AmbientCapabilities=, CapabilityBoundingSet=, NoNewPrivileges=yes. setpriv
# keeps root's capabilities up to its execve, so it runs a shell first:
# from there on only the ambient ones are left, as in the unit's process
amb=$(sed -n 's/^AmbientCapabilities=//p' "$UNIT" | tr '[:upper:]' '[:lower:]' | sed 's/cap_//g; s/ /,+/g')
AS_UNIT=(setpriv --reuid=65534 --regid=65534 --groups="$GID" --inh-caps="-all,+$amb"
	--ambient-caps="-all,+$amb" --bounding-set="-all,+$amb" --no-new-privs
	/bin/sh -c 'exec "$@"' sh)
xrun "${AS_UNIT[@]}" grep CapEff /proc/self/status
expect_eq "as the unit: exactly its ambient capabilities" \
	"$(capsh --decode="${OUT##*[[:space:]]}" | sed 's/.*=//' | tr ',' '\n' | sort | paste -sd,)" "$want_caps"
env --default-signal=INT ip netns exec "$NS" "${AS_UNIT[@]}" "${cmd[@]}" \
	>"$TMP/mon.out" 2>"$TMP/mon.err" &
MON_PID=$!
metrics() { lab_exec src curl -sf "http://127.0.0.1:$MPORT/metrics"; }
all_reached()
{
	metrics >"$TMP/m" 2>/dev/null || return 1
	[[ $(grep -c '^xhop_target_reachable{.*} 1$' "$TMP/m") == 3 ]]
}
if wait_for 20 all_reached; then ok "monitor as the unit runs it: every target reachable in /metrics"; else
	fail "monitor as the unit runs it: every target reachable in /metrics" \
		"$(grep reachable "$TMP/m" 2>/dev/null)" "$(cat "$TMP/mon.err")"
fi
expect_match "monitor: path changes exported" "$(cat "$TMP/m")" '^xhop_path_changes_total\{target="198\.19\.0\.77",kind="hop"\} 0$'
/usr/bin/python3 "$ROOT/tests/dist/metric_refs.py" exported "$TMP/m" >"$TMP/names"
if /usr/bin/python3 "$ROOT/tests/dist/metric_refs.py" check "$TMP/names" \
	/usr/share/xhop/prometheus/xhop.rules.yml /usr/share/xhop/grafana/xhop-dashboard.json \
	>"$TMP/refs" 2>&1; then
	ok "installed rules and dashboard name only metrics of the scrape ($(tail -n 1 "$TMP/refs"))"
else
	fail "installed rules and dashboard name only metrics of the scrape" "$(cat "$TMP/refs")"
fi
kill -TERM "$MON_PID"
if wait_for 10 eval '! alive "$MON_PID"'; then
	wait "$MON_PID"
	expect_eq "monitor: SIGTERM ends it (143)" "$?" 143
else
	fail "monitor: SIGTERM ends it" "still running"
fi
MON_PID=
check "monitor: nothing left attached" eval 'wait_for 5 no_xdp && wait_for 5 no_tcx'

# --- 5. purge ----------------------------------------------------------------------
if dpkg_run --purge xhop; then ok "dpkg --purge"; INSTALLED=; else
	fail "dpkg --purge" "$(cat "$TMP/dpkg.out")"; fi
left=$(while read -r f; do [[ -e $f ]] && echo "$f"; done <<<"$FILES")
expect_eq "purge: no file of the package left" "$left" ""
expect_eq "purge: /etc/xhop and /usr/share/xhop gone" \
	"$(find /etc/xhop /usr/share/xhop -maxdepth 0 2>/dev/null)" ""
expect_eq "purge: package unknown to dpkg" "$(dpkg-query -W -f='${Status}' xhop 2>/dev/null)" ""
expect_eq "purge: group xhop gone" "$(getent group xhop)" ""
expect_eq "purge: no statoverride" "$(dpkg-statoverride --list "$BIN")" ""

# --- 6. an administrator's statoverride -------------------------------------------------
if dpkg-statoverride --add root root 0755 "$BIN"; then OVERRIDE=1; fi
if dpkg_run -i "$DEB"; then ok "override: dpkg -i"; INSTALLED=1; else
	fail "override: dpkg -i" "$(cat "$TMP/dpkg.out")"; fi
expect_eq "override: $BIN stays root:root 0755" "$(stat -c '%U:%G %a' "$BIN")" "root:root 755"
expect_eq "override: no file capabilities set" "$(caps_of "$BIN")" ""
xrun "${OUTSIDER[@]}" "$BIN" "${ARGS[@]}"
expect_rc "override: anyone executes it, without capabilities: exit 1" 1
expect_match "override: it names CAP_NET_RAW" "$ERR" '\bCAP_NET_RAW\b'
if dpkg_run --purge xhop; then ok "override: dpkg --purge"; INSTALLED=; else
	fail "override: dpkg --purge" "$(cat "$TMP/dpkg.out")"; fi
expect_eq "override: purge keeps the administrator's override" \
	"$(dpkg-statoverride --list "$BIN")" "root root 755 $BIN"
dpkg-statoverride --remove "$BIN" && OVERRIDE=
expect_eq "override: removed again, none left" "$(dpkg-statoverride --list "$BIN")" ""
expect_eq "override: group xhop gone" "$(getent group xhop)" ""
expect_eq "override: $BIN gone" "$(ls "$BIN" 2>/dev/null)" ""

summary
