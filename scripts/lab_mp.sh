#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2034 # the LAB_MP_* ground truth is for those who source this
#
# The multipath lab: per-flow load balancers of several shapes between a
# prober and one destination, every router a Linux namespace. Source
# this file (it sources scripts/lab.sh for the building blocks), then:
#
#   lab_mp_up [PREFIX]    build it (PREFIX defaults to "xm$$-")
#   lab_exec NODE CMD..   run CMD inside NODE
#   lab_mp_down [PREFIX]  remove it; idempotent, safe from a trap
#
# Topology (link N: 198.18.N.0/24 and 2001:2:0:N::/64, first-named end
# .1/::1, second .2/::2):
#
#            /-21- a1 -25-\
#   src -20- m1 -22- a2 -26- m2 -29- b1 -31- c1 -33- m3 -36- s1 -38- m4 -40- dst
#            \-23- a3 -27-/   \        \-32- c2 -34-/  \-37- s2 -39-/
#             \-24- a4 -28-/   \-30- b2 -----35------/
#
#   - m1 spreads over a1..a4 (a 4-way diamond); m2 over b1 and b2, and b1
#     again over c1 and c2: a nested diamond of unequal branches (flows
#     through b2 reach m3 one TTL earlier); m3 over s1 and s2, and s1
#     never sends Time Exceeded: a diamond with a silent router.
#   - Balancers hash with fib_multipath_hash_policy=1, IPv4 and IPv6:
#     addresses, protocol and UDP/TCP ports, each with a seed of its own
#     (fib_multipath_hash_seed, Linux 6.11). ICMP echo flows to one
#     destination all take one path.
#   - Each router answers from its address on the link back towards src
#     (its first upstream link; "src" on the route back, both families),
#     so a router is one interface whichever branch a flow came by.
#   - dst answers all of 198.19.8.0/22 and 2001:2:0:108::/62 (AnyIP): the
#     /24s and /64s of LAB_MP_PREFIXES4/6 for xhop scan --mda, all routed
#     through the same diamonds.
#   - No node has a default route; only 198.18.0.0/15 and 2001:2::/48.

# shellcheck source=scripts/lab.sh
source "$(dirname "${BASH_SOURCE[0]}")/lab.sh"

LAB_MP_NODES=(src m1 a1 a2 a3 a4 m2 b1 b2 c1 c2 m3 s1 s2 m4 dst)
LAB_MP_ROUTERS=(m1 a1 a2 a3 a4 m2 b1 b2 c1 c2 m3 s1 s2 m4)
LAB_MP_LINKS_L=("20 src m1" "21 m1 a1" "22 m1 a2" "23 m1 a3" "24 m1 a4"
	"25 a1 m2" "26 a2 m2" "27 a3 m2" "28 a4 m2" "29 m2 b1" "30 m2 b2"
	"31 b1 c1" "32 b1 c2" "33 c1 m3" "34 c2 m3" "35 b2 m3"
	"36 m3 s1" "37 m3 s2" "38 s1 m4" "39 s2 m4" "40 m4 dst")
# Each router's link back towards src (it answers from its end of it)
declare -A LAB_MP_UP=([m1]=20 [a1]=21 [a2]=22 [a3]=23 [a4]=24 [m2]=25 [b1]=29 [b2]=30
	[c1]=31 [c2]=32 [m3]=33 [s1]=36 [s2]=37 [m4]=39 [dst]=40)
# Each node's next hops towards dst, by link
declare -A LAB_MP_DOWN=([src]=20 [m1]="21 22 23 24" [a1]=25 [a2]=26 [a3]=27 [a4]=28
	[m2]="29 30" [b1]="31 32" [b2]=35 [c1]=33 [c2]=34 [m3]="36 37" [s1]=38 [s2]=39
	[m4]=40)
LAB_MP_SILENT=(s1)

LAB_MP_SRC4=198.18.20.1
LAB_MP_SRC6=2001:2:0:20::1
LAB_MP_DST4=198.19.8.77
LAB_MP_DST6=2001:2:0:108::77
LAB_MP_NET4=198.19.8.0/22
LAB_MP_NET6=2001:2:0:108::/62
LAB_MP_PREFIXES4=(198.19.8.0/24 198.19.9.0/24 198.19.10.0/24 198.19.11.0/24)
LAB_MP_PREFIXES6=(2001:2:0:108::/64 2001:2:0:109::/64 2001:2:0:10a::/64 2001:2:0:10b::/64)

# The router's answering address per family
lab_mp_addr4() { lab_addr4 "${LAB_MP_UP[$1]}" 2; }
lab_mp_addr6() { lab_addr6 "${LAB_MP_UP[$1]}" 2; }

# The ground truth: every link a multipath trace must find, "FROM>TO" by
# address, one per line, silent routers stepped over. dst answers UDP to
# its IPv6 AnyIP prefix from its link address (Linux picks the source of
# an ICMPv6 error by the route back), everything else from the address
# probed: DST if given (xhop scan --mda probes many addresses of a prefix:
# its test names them all by the prefix), else LAB_MP_DST4/6.
# lab_mp_links FAMILY METHOD [DST]
lab_mp_links()
{
	local fam=$1 method=$2 node l peer to dstaddr n a b
	if [[ $fam == 6 && $method == udp ]]; then
		dstaddr=$(lab_addr6 40 2)
	elif [[ -n ${3:-} ]]; then
		dstaddr=$3
	elif [[ $fam == 6 ]]; then
		dstaddr=$LAB_MP_DST6
	else
		dstaddr=$LAB_MP_DST4
	fi
	for node in "${LAB_MP_ROUTERS[@]}"; do
		[[ " ${LAB_MP_SILENT[*]} " == *" $node "* ]] && continue
		for l in ${LAB_MP_DOWN[$node]}; do
			peer=$(lab_mp_peer "$l" "$node")
			# across a silent router: to the one it leads to
			while [[ " ${LAB_MP_SILENT[*]} " == *" $peer "* ]]; do
				l=${LAB_MP_DOWN[$peer]}
				peer=$(lab_mp_peer "$l" "$peer")
			done
			if [[ $peer == dst ]]; then to=$dstaddr; else to=$("lab_mp_addr$fam" "$peer"); fi
			echo "$("lab_mp_addr$fam" "$node")>$to"
		done
	done | sort -u
}

# The other end of link N from NODE
lab_mp_peer()
{
	local l n a b
	for l in "${LAB_MP_LINKS_L[@]}"; do
		read -r n a b <<<"$l"
		[[ $n == "$1" ]] || continue
		if [[ $a == "$2" ]]; then echo "$b"; else echo "$a"; fi
		return 0
	done
	return 1
}

# A balancer's hash seed: fixed per router, so the lab is the same each time
lab_mp_seed() { cksum <<<"xhop-lab-mp-$1" | cut -d' ' -f1; }

lab_mp_routes_up()
{
	local node l up gw4 gw6 nh4 nh6
	for node in "${LAB_MP_NODES[@]}"; do
		[[ $node == src ]] && continue
		# back towards src through the first upstream, answering from there
		up=${LAB_MP_UP[$node]}
		if [[ $node != m1 ]]; then
			lab_exec "$node" ip route add 198.18.20.0/24 via "$(lab_addr4 "$up" 1)" \
				dev "v$up" src "$(lab_addr4 "$up" 2)" || return 1
			lab_exec "$node" ip -6 route add 2001:2:0:20::/64 via "$(lab_addr6 "$up" 1)" \
				dev "v$up" src "$(lab_addr6 "$up" 2)" || return 1
		fi
	done
	lab_exec src ip route add 198.18.0.0/15 via "$(lab_addr4 20 2)" dev v20 || return 1
	lab_exec src ip -6 route add 2001:2::/48 via "$(lab_addr6 20 2)" dev v20 || return 1
	lab_exec dst ip route add local "$LAB_MP_NET4" dev lo || return 1
	lab_exec dst ip -6 route add local "$LAB_MP_NET6" dev lo || return 1
	for node in "${LAB_MP_ROUTERS[@]}"; do
		nh4=() nh6=()
		for l in ${LAB_MP_DOWN[$node]}; do
			gw4=$(lab_addr4 "$l" 2) gw6=$(lab_addr6 "$l" 2)
			nh4+=(nexthop via "$gw4" dev "v$l")
			nh6+=(nexthop via "$gw6" dev "v$l")
		done
		if ((${#nh4[@]} > 4)); then
			# A seed of its own (IPv4 and IPv6 hash with it): with the
			# kernel's one seed for all, b1 would pick c1 for every flow
			# that m2 gave it (the same hash, the same half) and c2 would
			# never be used; real networks' routers differ too
			lab_sysctl "$node" net.ipv4.fib_multipath_hash_policy=1 \
				net.ipv6.fib_multipath_hash_policy=1 \
				net.ipv4.fib_multipath_hash_seed="$(lab_mp_seed "$node")" || return 1
			lab_exec "$node" ip route add "$LAB_MP_NET4" "${nh4[@]}" || return 1
			lab_exec "$node" ip -6 route add "$LAB_MP_NET6" "${nh6[@]}" || return 1
		else
			lab_exec "$node" ip route add "$LAB_MP_NET4" via "$gw4" dev "v$l" || return 1
			lab_exec "$node" ip -6 route add "$LAB_MP_NET6" via "$gw6" dev "v$l" ||
				return 1
		fi
	done
}

lab_mp_up()
{
	local a
	LAB_NODES=("${LAB_MP_NODES[@]}")
	LAB_ROUTERS=("${LAB_MP_ROUTERS[@]}")
	LAB_LINKS=("${LAB_MP_LINKS_L[@]}")
	lab_build "${1:-xm$$-}" || return 1
	lab_mp_routes_up || { lab_die "routes"; return 1; }
	lab_silence "${LAB_MP_SILENT[@]}" || { lab_die "nftables"; return 1; }
	lab_wait 10 lab_no_tentative || { lab_die "IPv6 addresses still tentative"; return 1; }
	for a in "$LAB_MP_DST4" "$LAB_MP_DST6"; do
		lab_wait 10 lab_reach "$a" || { lab_die "src cannot reach $a"; return 1; }
	done
	lab_log "up: prefix $LAB_PREFIX, prober ${LAB_PREFIX}src (v20 $LAB_MP_SRC4 $LAB_MP_SRC6)"
}

lab_mp_down()
{
	LAB_NODES=("${LAB_MP_NODES[@]}")
	lab_down "${1:-$LAB_PREFIX}"
}

# As a command: lab_mp.sh up|down PREFIX (a lab kept until "down")
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	case ${1:-} in
	up) lab_mp_up "${2:-xm-}" ;;
	down) lab_mp_down "${2:-xm-}" ;;
	links) lab_mp_links "${2:-4}" "${3:-udp}" "${4:-}" ;;
	*)
		echo "usage: $0 up|down PREFIX | links 4|6 udp|tcp|icmp [DST]" >&2
		exit 2
		;;
	esac
fi
