#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Demo: build the namespace lab of scripts/lab.sh, trace through it with
# build/xhop (names; IPv6 numeric; scamper JSON), tear it all down.
# Run from anywhere after `make`, as root. Nothing leaves the lab.
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lab.sh
source "$ROOT/scripts/lab.sh"
XHOP=${XHOP:-$ROOT/build/xhop}

if [[ $(id -u) -ne 0 ]]; then
	echo "demo: needs root (network namespaces)" >&2
	exit 1
fi
if [[ ! -x $XHOP ]]; then
	echo "demo: $XHOP is missing: run make first" >&2
	exit 1
fi

PREFIX=xd$$-
# Only the script itself tears down, never a subshell it forked
trap '[[ $BASHPID != "$$" ]] || lab_down "$PREFIX"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

lab_up "$PREFIX" || exit 1

# run TITLE ARGS...: show the command, then xhop's stderr and stdout
run()
{
	echo
	echo "== $1"
	shift
	echo "\$ xhop $*"
	lab_exec src timeout 60 "$XHOP" "$@"
}

cat <<EOF

Lab: src -- r1 -- r2 ==ECMP== {r3a, r3b} -- r4 -- dst ($LAB_DST_NAME = $LAB_DST4, $LAB_DST6)
                                            r4 -- r5 (silent) -- dst2 ($LAB_FAR_NAME)
EOF

run "ICMP (Paris) to a name; hop names from the lab's dnsmasq" -w 1 "$LAB_DST_NAME"
run "IPv6, numeric" -6 -n -w 1 "$LAB_DST6"
run "UDP behind a router that never answers" -n -U -w 1 "$LAB_FAR_NAME"
run "IPv4 unreachable prefix" -n -w 1 "$LAB_UNR4"

echo
echo "== scamper trace JSON (pretty-printed here; xhop prints one line)"
echo "\$ xhop --json -n -q 1 -w 1 $LAB_DST4"
lab_exec src timeout 60 "$XHOP" --json -n -q 1 -w 1 "$LAB_DST4" | python3 -m json.tool
echo
echo "== xhop scan: three whole /28s (reached, behind the silent r5, unreachable);"
echo "   it prints a scamper trace object per target, shortened here to one line"
printf '# the lab is special-use space, which the built-in blocklist covers\n' \
	>"$LAB_DIR/noblock"
lab_gen_ready # r1's end of the link takes live XDP frames: the in-kernel sender
echo "\$ xhop scan --blocklist none.txt --every-address --rate 2000 --summary s.json \\"
echo "      198.19.0.0/28 198.19.1.0/28 198.19.2.0/28 >traces.json"
lab_exec src timeout 60 "$XHOP" scan --blocklist "$LAB_DIR/noblock" --every-address --rate 2000 \
	--summary "$LAB_DIR/scan.sum" 198.19.0.0/28 198.19.1.0/28 198.19.2.0/28 >"$LAB_DIR/scan.out"
python3 "$ROOT/scripts/scan_show.py" "$LAB_DIR/scan.out" "$LAB_DIR/scan.sum" 6
echo
echo "demo: tearing down the lab"
