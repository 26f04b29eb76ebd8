#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# End to end: which routes make xhop multipath take its first hop as
# known (user/net/route.c, route_one_gateway: the kernel's FIB entry for
# the target, RTM_F_FIB_MATCH). Only a route with one next hop that is a
# gateway does; a multipath route (two or three next hops), a nexthop
# object, an on-link target and a target with no route do not, IPv4 and
# IPv6. The truth is the routes this script makes with ip(8) in a
# namespace of its own (a veth pair: nothing is sent). Then xhop
# multipath itself over the multipath lab (one gateway: one probe at TTL
# 1) is covered by tests/e2e/test_multipath.sh.
#
# Addresses: 198.18.0.0/15 and 2001:2::/48 only. Needs root. The last
# line is "N passed, N failed".
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=tests/e2e/lib.sh
source "$HERE/lib.sh"

CHECK=${ROUTE_CHECK:-$ROOT/build/tests/e2e/route_check}
NS=xrt$$
[[ -x $CHECK ]] || { fail "route_check built" "$CHECK missing: make test-build"; summary; exit 1; }
trap 'ip netns del "$NS" 2>/dev/null' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

in_ns() { ip netns exec "$NS" "$@"; }
if ip netns add "$NS" && in_ns ip link add d0 type veth peer name d1 && in_ns ip link set d0 up &&
	in_ns ip link set d1 up &&
	in_ns ip link set lo up && in_ns ip addr add 198.18.0.1/24 dev d0 &&
	in_ns ip addr add 2001:2::1/64 dev d0 nodad; then
	ok "namespace $NS with d0 up"
else
	fail "namespace $NS with d0 up"
	summary
	exit 1
fi

# the routes, and route_one_gateway's answer each target must get
routes=(
	"198.18.1.0/24 via 198.18.0.2"
	"198.18.2.0/24 nexthop via 198.18.0.2 nexthop via 198.18.0.3"
	"198.18.4.0/24 nexthop via 198.18.0.2 nexthop via 198.18.0.3 nexthop via 198.18.0.4"
	"2001:2:0:1::/64 via 2001:2::2"
	"2001:2:0:2::/64 nexthop via 2001:2::2 nexthop via 2001:2::3"
)
for r in "${routes[@]}"; do
	# shellcheck disable=SC2086 # the route's words
	check "ip route add $r" in_ns ip route add $r dev d0
done
# a nexthop object: a route through it may be a group; route.c does not read it
check "ip nexthop add id 7 via 198.18.0.2" in_ns ip nexthop add id 7 via 198.18.0.2 dev d0
check "ip route add 198.18.3.0/24 nhid 7" in_ns ip route add 198.18.3.0/24 nhid 7

want=(
	"198.18.1.9 1 one gateway"
	"198.18.2.9 0 two next hops"
	"198.18.4.9 0 three next hops"
	"198.18.3.9 0 a nexthop object"
	"198.18.0.9 0 on-link"
	"198.19.5.9 0 no route"
	"2001:2:0:1::9 1 one gateway"
	"2001:2:0:2::9 0 two next hops"
	"2001:2::9 0 on-link"
	"2001:2:0:5::9 0 no route"
)
for w in "${want[@]}"; do
	read -r addr n why <<<"$w"
	got=$(in_ns "$CHECK" d0 "$addr" 2>&1)
	expect_eq "route_one_gateway $addr ($why)" "$got" "$addr one_gateway=$n"
done
# bad input: a clear error, exit 2
in_ns "$CHECK" d0 198.18.300.1 >/dev/null 2>&1
expect_eq "route_check: not an address, exit 2" "$?" 2
summary
