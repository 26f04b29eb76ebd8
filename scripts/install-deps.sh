#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install what xhop needs to build, test and benchmark, from Debian 12's own
# packages (never vendored copies). Installs only what is missing.
set -euo pipefail

pkgs=(
	# build: BPF object and skeleton, userspace
	make gcc clang llvm bpftool libbpf-dev libxdp-dev linux-libc-dev libelf-dev zlib1g-dev
	pkg-config libc-ares-dev libmicrohttpd-dev libncurses-dev
	# labs and tests: namespaces, firewall, DNS, captures, privilege drops
	iproute2 ethtool nftables dnsmasq-base tcpdump libcap2-bin procps python3 xdp-tools
	# GNU time: peak RSS of xhop on endless lists (tests/e2e/test_inputs.sh)
	time
	# xhop monitor's tests: a Prometheus server and promtool (one package),
	# curl for /metrics, tmux to drive the live view
	prometheus curl tmux
	# peers we measure against; scamper (the package) also brings sc_warts2json,
	# sc_analysis_dump, sc_tracediff and sc_wartsdump, the readers of xhop's warts
	traceroute mtr-tiny scamper
	# the Debian package (tests/e2e/test_package.sh builds and installs
	# it) and what make install ships: man page checks, unit checks
	# (systemd-analyze), the rules' and dashboard's checks (python3-yaml)
	debhelper dpkg-dev fakeroot lintian adduser man-db groff-base systemd python3-yaml
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
	echo "install-deps: all ${#pkgs[@]} packages present"
	exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
	echo "install-deps: missing ${missing[*]}; run as root to install them" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
# Debian's prometheus package enables a server on :9090 where systemd runs;
# the tests start their own inside a lab namespace, so a fresh install
# does not leave one running
if [[ " ${missing[*]} " == *" prometheus "* ]] && command -v systemctl >/dev/null &&
	[[ -d /run/systemd/system ]]; then
	systemctl disable --now prometheus.service || true
fi
