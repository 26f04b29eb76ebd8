#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make install / uninstall into a DESTDIR: every file where PREFIX puts
# it (PREFIX=/usr: /etc and /lib/systemd/system; else below PREFIX), the
# unit and its configuration naming the installed paths (and accepted by
# systemd-analyze verify), an administrator's changed configuration kept
# by both, and nothing else left after uninstall.
set -u
# shellcheck source=tests/dist/lib.sh
source "$(dirname "$0")/lib.sh"
require make systemd-analyze
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

mk() { make -s --no-print-directory -C "$ROOT" "$@" >"$TMP/make.out" 2>&1; }

# files D: what is in D, as "MODE PATH" lines, sorted
files() { (cd "$1" && find . -type f -printf '%m %P\n' | sort); }

# check_prefix PREFIX BIN ETC UNITDIR: install there and judge it
check_prefix()
{
	local prefix=$1 bin=$2 etc=$3 unitdir=$4 d=$TMP/root want
	rm -rf "$d"
	if ! mk install DESTDIR="$d" PREFIX="$prefix"; then
		fail "PREFIX=$prefix: make install" "$(cat "$TMP/make.out")"
		return
	fi
	ok "PREFIX=$prefix: make install"
	want=$(sort <<-EOF2
	755 ${bin#/}/xhop
	644 ${prefix#/}/share/man/man8/xhop.8
	644 ${prefix#/}/share/bash-completion/completions/xhop
	644 ${prefix#/}/share/xhop/prometheus/xhop.rules.yml
	644 ${prefix#/}/share/xhop/grafana/xhop-dashboard.json
	644 ${unitdir#/}/xhop-monitor.service
	644 ${etc#/}/xhop/monitor.conf
	644 ${etc#/}/xhop/targets
	EOF2
	)
	expect_eq "PREFIX=$prefix: the files and modes installed" "$(files "$d")" "$want"
	expect_eq "PREFIX=$prefix: the installed binary runs" "$("$d$bin/xhop" --version)" \
		"$("$XHOP" --version)"
	cmp -s "$d$bin/xhop" "$XHOP"
	expect_eq "PREFIX=$prefix: it is the built binary" "$?" 0
	local unit=$d$unitdir/xhop-monitor.service
	expect_match "PREFIX=$prefix: unit runs $bin/xhop monitor" "$(cat "$unit")" \
		"^ExecStart=$bin/xhop monitor --targets \\$\\{XHOP_TARGETS\\} --metrics \\$\\{XHOP_METRICS\\} \\\$XHOP_OPTIONS$"
	expect_match "PREFIX=$prefix: unit reads $etc/xhop/monitor.conf" "$(cat "$unit")" \
		"^EnvironmentFile=$etc/xhop/monitor.conf$"
	expect_match "PREFIX=$prefix: configuration names $etc/xhop/targets" \
		"$(cat "$d$etc/xhop/monitor.conf")" "^XHOP_TARGETS=$etc/xhop/targets$"
	expect_no_match "PREFIX=$prefix: no @PLACEHOLDER@ left" "$(cat "$unit" "$d$etc/xhop/monitor.conf")" '@[A-Z]+@'
	# systemd reads the unit as installed (every directive known, the
	# binary it runs there): a copy whose binary is the one in DESTDIR,
	# since verify looks for it on this machine
	sed "s|^ExecStart=$bin/xhop |ExecStart=$d$bin/xhop |" "$unit" >"$TMP/xhop-monitor.service"
	if systemd-analyze verify --man=no "$TMP/xhop-monitor.service" >"$TMP/verify" 2>&1 &&
		! grep -q . "$TMP/verify"; then
		ok "PREFIX=$prefix: systemd-analyze verify accepts the unit"
	else
		fail "PREFIX=$prefix: systemd-analyze verify accepts the unit" "$(cat "$TMP/verify")"
	fi

	# an administrator's configuration survives install and uninstall
	echo "198.18.0.1" >>"$d$etc/xhop/targets"
	mk install DESTDIR="$d" PREFIX="$prefix"
	expect_match "PREFIX=$prefix: install keeps a changed targets file" "$(cat "$d$etc/xhop/targets")" '^198\.18\.0\.1$'
	if ! mk uninstall DESTDIR="$d" PREFIX="$prefix"; then
		fail "PREFIX=$prefix: make uninstall" "$(cat "$TMP/make.out")"
		return
	fi
	expect_eq "PREFIX=$prefix: uninstall leaves only the changed configuration" "$(files "$d")" \
		"644 ${etc#/}/xhop/targets"
	rm "$d$etc/xhop/targets"
	mk uninstall DESTDIR="$d" PREFIX="$prefix"
	expect_eq "PREFIX=$prefix: then no directory of xhop's is left" \
		"$(find "$d" -name '*xhop*')" ""
}

check_prefix /usr /usr/bin /etc /lib/systemd/system
check_prefix /usr/local /usr/local/bin /usr/local/etc /usr/local/lib/systemd/system
check_prefix /opt/tool /opt/tool/bin /opt/tool/etc /opt/tool/lib/systemd/system
summary
