#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2034 # the LAB_* ground truth is for those who source this
#
# xhop's namespace lab: a small network of Linux routers, each in its own
# network namespace, that nothing outside can reach and that reaches
# nothing outside. Source this file, then:
#
#   lab_up [PREFIX]     build it (PREFIX defaults to "xl$$-"; namespaces
#                       are PREFIX + node name, e.g. xl4242-r3a)
#   lab_exec NODE CMD.. run CMD inside NODE (ip netns exec)
#   lab_ns NODE         the namespace name of NODE
#   lab_down [PREFIX]   remove everything lab_up made; idempotent, safe to
#                       call from a trap and from another shell
#
# Topology (link N: 198.18.N.0/24 and 2001:2:0:N::/64; the node named first
# in LAB_LINKS is .1 / ::1, the second .2 / ::2; both ends are "vN"):
#
#   src -1- r1 -2- r2 =3= r3a =5= r4 -7- dst      (198.19.0.0/24, 2001:2:0:100::/64)
#                   \=4= r3b =6=/  \
#                                   -8- r5 -9- dst2  (198.19.1.0/24, 2001:2:0:101::/64)
#
#   - r2 spreads the far prefixes over r3a and r3b (ECMP, hash policy 1:
#     UDP/TCP flows spread by ports; an ICMP echo flow stays on one branch).
#   - r3a and r3b route back through r2; r4 routes back only through r3a,
#     so r4 always answers from its r3a-link address 198.18.5.2 and
#     2001:2:0:5::2 (IPv6 needs "src" on the route for that, see
#     lab_routes_up: Linux answers ICMPv6 errors from the address of the
#     interface the probe came in on, IPv4 ones from the route back).
#   - r5 never sends Time Exceeded (nftables drops it): "* * *" at TTL 5.
#   - r4: "unreachable" route for 198.19.2.0/24 (ICMP host unreachable,
#     !H); no route at all for 2001:2:0:102::/64 (ICMPv6 no route, !N).
#   - dst and dst2 answer their whole /24 and /64 (AnyIP local routes).
#     dst: TCP 80 closed (RST), a listener on TCP 8080 (SYN-ACK).
#   - dnsmasq in r1 on 198.18.1.2 serves the lab names (A, AAAA, PTR);
#     src's resolv.conf (/etc/netns/<src ns>/resolv.conf) points at it.
#   - No node has a default route; only 198.18.0.0/15 and 2001:2::/48.
#
# The ground truth (what a correct traceroute shows) is in the LAB_*
# variables below; tests/e2e/test_trace.sh asserts against them.

# The system's python3 first, for every script that sources this: a
# version manager's shim (pyenv) costs about a second per call here
# (0.17 s without), and the tests sample a running xhop with python3
# often enough for that to decide whether they see it. Only the standard
# library is used.
[[ -x /usr/bin/python3 ]] && PATH=/usr/bin:$PATH

# --- ground truth ------------------------------------------------------------

LAB_NODES=(src r1 r2 r3a r3b r4 r5 dst dst2)
LAB_ROUTERS=(r1 r2 r3a r3b r4 r5)
# "N first second": link N, first end .1/::1, second end .2/::2
LAB_LINKS=("1 src r1" "2 r1 r2" "3 r2 r3a" "4 r2 r3b" "5 r3a r4" "6 r3b r4"
	"7 r4 dst" "8 r4 r5" "9 r5 dst2")

LAB_SRC_IF=v1			# the prober's only interface
LAB_SRC4=198.18.1.1
LAB_SRC6=2001:2:0:1::1
LAB_DNS4=198.18.1.2		# dnsmasq, in r1

# Targets
LAB_DST4=198.19.0.77		# d77.example, behind dst
LAB_DST6=2001:2:0:100::77	# d77.example
LAB_DST_NAME=d77.example
LAB_FAR4=198.19.1.9		# far.example, behind the silent r5, on dst2
LAB_FAR6=2001:2:0:101::9
LAB_FAR_NAME=far.example
LAB_UNR4=198.19.2.1		# unr.example: r4 answers !H
LAB_UNR6=2001:2:0:102::1	# unr.example: r4 answers !N
LAB_UNR_NAME=unr.example
LAB_BAD_NAME=nosuch.example	# NXDOMAIN
LAB_TCP_CLOSED=80		# dst answers RST
LAB_TCP_OPEN=8080		# dst answers SYN-ACK

# The address each router answers from (its address on the link of its
# route back to src), per family
declare -gA LAB_HOP4=([r1]=198.18.1.2 [r2]=198.18.2.2 [r3a]=198.18.3.2 [r3b]=198.18.4.2
	[r4]=198.18.5.2 [dst]=198.18.7.2 [dst2]=198.18.9.2)
declare -gA LAB_HOP6=([r1]=2001:2:0:1::2 [r2]=2001:2:0:2::2 [r3a]=2001:2:0:3::2
	[r3b]=2001:2:0:4::2 [r4]=2001:2:0:5::2 [dst]=2001:2:0:7::2 [dst2]=2001:2:0:9::2)

# Expected hops, one word per TTL from TTL 1: an address, "A|B" (either,
# the ECMP hop; a Paris trace shows one of them for all queries of the TTL),
# "*" (no answer), a "!X" suffix for an unreachable annotation.
# Verified with Debian traceroute 2.1.2 (-n; -I, -U, -T, default UDP; -4/-6)
# and scamper (icmp-paris, tcp), then with xhop.
#
#   TTL  IPv4                      IPv6
#    1   198.18.1.2  r1            2001:2:0:1::2  r1
#    2   198.18.2.2  r2            2001:2:0:2::2  r2
#    3   198.18.3.2  r3a  or       2001:2:0:3::2  r3a  or
#        198.18.4.2  r3b           2001:2:0:4::2  r3b  (ECMP at r2)
#    4   198.18.5.2  r4            2001:2:0:5::2  r4
#    5   d77: 198.19.0.77          d77: 2001:2:0:100::77 (ICMP, TCP),
#                                       2001:2:0:7::2 (UDP)
#        far: * * * (r5)           far: * * * (r5)
#        unr: (ends at 4: !H)      unr: (ends at 4: !N)
#    6   far: 198.19.1.9           far: 2001:2:0:101::9 (ICMP, TCP),
#                                       2001:2:0:9::2 (UDP)
#
# To d77 (198.19.0.77 / 2001:2:0:100::77), all methods reach at TTL 5.
# IPv4: echo replies, port unreachables and TCP RST/SYN-ACK come from the
# probed address. IPv6: the echo reply and TCP answers come from the probed
# address, but the port unreachable (UDP) comes from dst's link address
# 2001:2:0:7::2 (AnyIP: the kernel picks the source by route, RFC 4443).
LAB_PATH4=(198.18.1.2 198.18.2.2 "198.18.3.2|198.18.4.2" 198.18.5.2)
LAB_PATH6=(2001:2:0:1::2 2001:2:0:2::2 "2001:2:0:3::2|2001:2:0:4::2" 2001:2:0:5::2)
LAB_EXPECT_ICMP4=("${LAB_PATH4[@]}" 198.19.0.77)
LAB_EXPECT_UDP4=("${LAB_PATH4[@]}" 198.19.0.77)
LAB_EXPECT_TCP4=("${LAB_PATH4[@]}" 198.19.0.77)
LAB_EXPECT_ICMP6=("${LAB_PATH6[@]}" 2001:2:0:100::77)
LAB_EXPECT_UDP6=("${LAB_PATH6[@]}" 2001:2:0:7::2)
LAB_EXPECT_TCP6=("${LAB_PATH6[@]}" 2001:2:0:100::77)
# To far (behind r5): TTL 5 silent, TTL 6 dst2 (same source rules as dst)
LAB_EXPECT_FAR_ICMP4=("${LAB_PATH4[@]}" "*" 198.19.1.9)
LAB_EXPECT_FAR_ICMP6=("${LAB_PATH6[@]}" "*" 2001:2:0:101::9)
LAB_EXPECT_FAR_UDP6=("${LAB_PATH6[@]}" "*" 2001:2:0:9::2)
# To unr: the trace ends at r4 (TTL 4), every method
LAB_EXPECT_UNR4=("${LAB_PATH4[@]:0:3}" "198.18.5.2!H")
LAB_EXPECT_UNR6=("${LAB_PATH6[@]:0:3}" "2001:2:0:5::2!N")

# xhop scan over whole prefixes (tests/e2e/scan_check.py rules): PREFIX=
# one word per TTL (SELF: the target itself):STOP_REASON
LAB_SCAN_R4="198.18.1.2,198.18.2.2,198.18.3.2|198.18.4.2,198.18.5.2"
LAB_SCAN_R6="2001:2:0:1::2,2001:2:0:2::2,2001:2:0:3::2|2001:2:0:4::2,2001:2:0:5::2"
LAB_SCAN_RULES4=("198.19.0.0/24=$LAB_SCAN_R4,SELF:COMPLETED"
	"198.19.1.0/24=$LAB_SCAN_R4,*,SELF:COMPLETED"
	"198.19.2.0/24=${LAB_SCAN_R4%,*},198.18.5.2:UNREACH")
LAB_SCAN_RULES6=("2001:2:0:100::/64=$LAB_SCAN_R6,SELF:COMPLETED"
	"2001:2:0:101::/64=$LAB_SCAN_R6,*,SELF:COMPLETED"
	"2001:2:0:102::/64=${LAB_SCAN_R6%,*},2001:2:0:5::2:UNREACH")
# UDP over IPv6: the AnyIP hosts answer port unreachable from their link address
LAB_SCAN_RULES6_UDP=("2001:2:0:100::/64=$LAB_SCAN_R6,2001:2:0:7::2:COMPLETED"
	"2001:2:0:101::/64=$LAB_SCAN_R6,*,2001:2:0:9::2:COMPLETED")

# Lab names served by dnsmasq (forward and PTR): every link address of a
# node is NODE.example, plus these
LAB_EXTRA_HOSTS=("$LAB_DST4 $LAB_DST_NAME" "$LAB_DST6 $LAB_DST_NAME"
	"$LAB_FAR4 $LAB_FAR_NAME" "$LAB_FAR6 $LAB_FAR_NAME"
	"$LAB_UNR4 $LAB_UNR_NAME" "$LAB_UNR6 $LAB_UNR_NAME")

# More dnsmasq options, set by a test before lab_up: the origin AS tests
# serve Team Cymru's TXT names with --txt-record=NAME,TEXT
LAB_DNS_EXTRA=(${LAB_DNS_EXTRA[@]+"${LAB_DNS_EXTRA[@]}"})

LAB_STATE_ROOT=/run/xhop-lab	# per-lab state dirs, error_cost bookkeeping
LAB_PREFIX=${LAB_PREFIX:-}

# --- helpers -------------------------------------------------------------------

lab_log() { [[ -n ${LAB_QUIET:-} ]] || echo "lab: $*" >&2; }
lab_die() { echo "lab: $*" >&2; return 1; }

lab_ns() { echo "${LAB_PREFIX}$1"; }

lab_exec()
{
	local node=$1
	shift
	ip netns exec "${LAB_PREFIX}${node}" "$@"
}

# lab_wait SECONDS CMD...: run CMD until it succeeds or SECONDS pass.
# A poll on a condition with a deadline, never a blind sleep.
lab_wait()
{
	local secs=$1 deadline
	shift
	deadline=$(($(date +%s%N) + ${secs%.*} * 1000000000))
	until "$@"; do
		(($(date +%s%N) < deadline)) || return 1
		sleep 0.05
	done
}

# Link N's address of one end ("1" or "2"), per family
lab_addr4() { echo "198.18.$1.$2"; }
lab_addr6() { echo "2001:2:0:$1::$2"; }

# --- net.ipv4.route.error_cost (global, root namespace) ------------------
# It rate-limits the ICMP errors of "unreachable" routes. Every running lab
# needs it 0; the original value comes back when the last lab goes, so
# parallel labs do not restore it under each other's feet.

# A user file holds the pid of the shell that owns the lab, or "keep" for a
# lab built by "lab.sh up" that lives until "lab.sh down"; the files of
# owners that died without lab_down do not count.
lab_owner_alive()
{
	local owner
	owner=$(cat "$1" 2>/dev/null)
	[[ $owner == keep ]] || { [[ -n $owner ]] && kill -0 "$owner" 2>/dev/null; }
}

lab_error_cost_take()
{
	local f=/proc/sys/net/ipv4/route/error_cost
	mkdir -p "$LAB_STATE_ROOT/error_cost.users" || return 1
	(
		flock 9
		local u live=0
		for u in "$LAB_STATE_ROOT"/error_cost.users/*; do
			[[ -e $u ]] || continue
			if lab_owner_alive "$u"; then live=1; else rm -f "$u"; fi
		done
		if [[ $live -eq 0 || ! -s $LAB_STATE_ROOT/error_cost.saved ]]; then
			[[ -s $LAB_STATE_ROOT/error_cost.saved ]] || cat "$f" >"$LAB_STATE_ROOT/error_cost.saved"
		fi
		echo "${LAB_OWNER:-$$}" >"$LAB_STATE_ROOT/error_cost.users/$LAB_PREFIX"
		echo 0 >"$f"
	) 9>"$LAB_STATE_ROOT/lock"
}

lab_error_cost_release()
{
	local f=/proc/sys/net/ipv4/route/error_cost
	[[ -d $LAB_STATE_ROOT/error_cost.users ]] || return 0
	(
		flock 9
		local u live=0
		rm -f "$LAB_STATE_ROOT/error_cost.users/$1"
		for u in "$LAB_STATE_ROOT"/error_cost.users/*; do
			[[ -e $u ]] || continue
			if lab_owner_alive "$u"; then live=1; else rm -f "$u"; fi
		done
		if [[ $live -eq 0 && -s $LAB_STATE_ROOT/error_cost.saved ]]; then
			cat "$LAB_STATE_ROOT/error_cost.saved" >"$f"
			rm -f "$LAB_STATE_ROOT/error_cost.saved"
		fi
	) 9>"$LAB_STATE_ROOT/lock"
}

# --- building ---------------------------------------------------------------

lab_sysctl() { lab_exec "$1" sysctl -qw "${@:2}" >/dev/null; }

lab_node_up()
{
	local node=$1 ns=${LAB_PREFIX}$1
	ip netns add "$ns" || return 1
	lab_exec "$node" ip link set lo up || return 1
	# Before any link exists, so every interface inherits them: no DAD (no
	# tentative addresses), no reverse-path filter (r4 receives on v6 what
	# it routes back over v5), no RAs.
	lab_sysctl "$node" net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_ra=0 net.ipv6.conf.all.accept_ra=0 \
		net.ipv4.conf.default.rp_filter=0 net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.icmp_ratelimit=0 net.ipv4.icmp_msgs_per_sec=100000000 \
		net.ipv4.icmp_msgs_burst=100000000 net.ipv6.icmp.ratelimit=0 || return 1
	case " ${LAB_ROUTERS[*]} " in
	*" $node "*)
		lab_sysctl "$node" net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 || return 1
		;;
	esac
}

lab_link_up()
{
	local n=$1 a=$2 b=$3
	# Created inside the namespaces: nothing ever appears in the root one
	ip link add "v$n" netns "${LAB_PREFIX}$a" type veth peer name "v$n" \
		netns "${LAB_PREFIX}$b" || return 1
	lab_exec "$a" ip addr add "$(lab_addr4 "$n" 1)/24" dev "v$n" || return 1
	lab_exec "$a" ip -6 addr add "$(lab_addr6 "$n" 1)/64" dev "v$n" nodad || return 1
	lab_exec "$b" ip addr add "$(lab_addr4 "$n" 2)/24" dev "v$n" || return 1
	lab_exec "$b" ip -6 addr add "$(lab_addr6 "$n" 2)/64" dev "v$n" nodad || return 1
	lab_exec "$a" ip link set "v$n" up || return 1
	lab_exec "$b" ip link set "v$n" up
}

# lab_route NODE PREFIX4 PREFIX6 GW_LINK GW_END: both families via the
# GW_END (1 or 2) address of link GW_LINK
lab_route()
{
	local node=$1 p4=$2 p6=$3 l=$4 e=$5
	if [[ $p4 != - ]]; then
		lab_exec "$node" ip route add "$p4" via "$(lab_addr4 "$l" "$e")" dev "v$l" || return 1
	fi
	if [[ $p6 != - ]]; then
		lab_exec "$node" ip -6 route add "$p6" via "$(lab_addr6 "$l" "$e")" dev "v$l" || return 1
	fi
}

lab_routes_up()
{
	local p
	# Hosts: everything in the lab through their only neighbour
	lab_route src 198.18.0.0/15 2001:2::/48 1 2 || return 1
	lab_route dst 198.18.0.0/15 2001:2::/48 7 1 || return 1
	lab_route dst2 198.18.0.0/15 2001:2::/48 9 1 || return 1
	# AnyIP: dst and dst2 are every address of their prefixes
	lab_exec dst ip route add local 198.19.0.0/24 dev lo || return 1
	lab_exec dst ip -6 route add local 2001:2:0:100::/64 dev lo || return 1
	lab_exec dst2 ip route add local 198.19.1.0/24 dev lo || return 1
	lab_exec dst2 ip -6 route add local 2001:2:0:101::/64 dev lo || return 1

	# r1: everything beyond through r2
	lab_route r1 198.18.0.0/15 2001:2::/48 2 2 || return 1

	# r2: back to src through r1; the rest spread over r3a and r3b
	lab_route r2 198.18.1.0/24 2001:2:0:1::/64 2 1 || return 1
	lab_sysctl r2 net.ipv4.fib_multipath_hash_policy=1 \
		net.ipv6.fib_multipath_hash_policy=1 || return 1
	lab_exec r2 ip route add 198.18.0.0/15 \
		nexthop via 198.18.3.2 dev v3 nexthop via 198.18.4.2 dev v4 || return 1
	lab_exec r2 ip -6 route add 2001:2::/48 \
		nexthop via 2001:2:0:3::2 dev v3 nexthop via 2001:2:0:4::2 dev v4 || return 1

	# r3a, r3b: back through r2, forward through r4
	for p in 1 2 4; do lab_route r3a "198.18.$p.0/24" "2001:2:0:$p::/64" 3 1 || return 1; done
	lab_route r3a 198.18.0.0/15 2001:2::/48 5 2 || return 1
	for p in 1 2 3; do lab_route r3b "198.18.$p.0/24" "2001:2:0:$p::/64" 4 1 || return 1; done
	lab_route r3b 198.18.0.0/15 2001:2::/48 6 2 || return 1

	# r4: back only through r3a; dst, r5/dst2; 198.19.2.0/24 unreachable
	# (!H); 2001:2:0:102::/64 has no route at all (!N)
	# IPv6 needs "src" for that: without it Linux (6.18) answers an
	# ICMPv6 error from the address of the interface the probe came in on
	# (2001:2:0:6::2 by way of r3b), unlike IPv4, which uses the address
	# on the route back.
	for p in 1 2 3 4; do
		lab_route r4 "198.18.$p.0/24" - 5 1 || return 1
		lab_exec r4 ip -6 route add "2001:2:0:$p::/64" via 2001:2:0:5::1 dev v5 \
			src 2001:2:0:5::2 || return 1
	done
	lab_route r4 198.19.0.0/24 2001:2:0:100::/64 7 2 || return 1
	lab_route r4 198.19.1.0/24 2001:2:0:101::/64 8 2 || return 1
	lab_route r4 198.18.9.0/24 2001:2:0:9::/64 8 2 || return 1
	lab_exec r4 ip route add unreachable 198.19.2.0/24 || return 1

	# r5: dst2's prefix through dst2, everything else back through r4
	lab_route r5 198.19.1.0/24 2001:2:0:101::/64 9 2 || return 1
	lab_route r5 198.18.0.0/15 2001:2::/48 8 1 || return 1
}

# lab_silence NODE...: these routers never send Time Exceeded (nftables)
lab_silence()
{
	local node
	for node in "$@"; do
		lab_exec "$node" nft -f - <<-'EOF' || return 1
		table inet xhoplab {
			chain out {
				type filter hook output priority 0; policy accept;
				icmp type time-exceeded drop
				icmpv6 type time-exceeded drop
			}
		}
		EOF
	done
}

lab_dns_up()
{
	local dir=$1 l n a b hosts=$1/hosts
	: >"$hosts"
	for l in "${LAB_LINKS[@]}"; do
		read -r n a b <<<"$l"
		printf '%s %s.example\n%s %s.example\n%s %s.example\n%s %s.example\n' \
			"$(lab_addr4 "$n" 1)" "$a" "$(lab_addr6 "$n" 1)" "$a" \
			"$(lab_addr4 "$n" 2)" "$b" "$(lab_addr6 "$n" 2)" "$b" >>"$hosts"
	done
	printf '%s\n' "${LAB_EXTRA_HOSTS[@]}" >>"$hosts"
	chmod 755 "$dir"
	chmod 644 "$hosts"
	# --local: names and reverse zones of the lab are ours; anything else
	# unknown is NXDOMAIN at once (there is no upstream).
	lab_exec r1 /usr/sbin/dnsmasq --conf-file=/dev/null --no-resolv --no-hosts \
		--addn-hosts="$hosts" --listen-address="$LAB_DNS4" --bind-interfaces \
		--except-interface=lo --pid-file="$dir/dnsmasq.pid" --user=nobody \
		--local=/example/ --local=/18.198.in-addr.arpa/ --local=/19.198.in-addr.arpa/ \
		--local=/0.0.0.0.2.0.0.0.1.0.0.2.ip6.arpa/ --no-negcache \
		${LAB_DNS_EXTRA[@]+"${LAB_DNS_EXTRA[@]}"} \
		--log-facility=- 2>>"$dir/dnsmasq.log" >>"$dir/dnsmasq.log" || return 1
	# /etc/netns itself goes when the last lab that needed it goes
	[[ -d /etc/netns ]] || { mkdir /etc/netns && : >"$LAB_STATE_ROOT/made_etc_netns"; } ||
		return 1
	mkdir -p "/etc/netns/${LAB_PREFIX}src" || return 1
	printf 'nameserver %s\noptions timeout:1 attempts:2\n' "$LAB_DNS4" \
		>"/etc/netns/${LAB_PREFIX}src/resolv.conf"
}

# TCP 8080 on dst: accept and close, dual stack, so SYNs get SYN-ACKs
lab_listener_up()
{
	local dir=$1
	# ip netns exec itself in the background (not the lab_exec function,
	# which would leave a bash subshell waiting): $! is the listener
	ip netns exec "${LAB_PREFIX}dst" python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", int(sys.argv[1])))
s.listen(128)
while True:
    c, _ = s.accept()
    c.close()
' "$LAB_TCP_OPEN" </dev/null >/dev/null 2>&1 &
	echo $! >"$dir/listener.pid"
}

lab_no_tentative()
{
	local node
	for node in "${LAB_NODES[@]}"; do
		[[ -z $(lab_exec "$node" ip -6 addr show tentative) ]] || return 1
	done
}

lab_listening() { [[ -n $(lab_exec dst ss -Htln "sport = :$LAB_TCP_OPEN") ]]; }
lab_resolves() { lab_exec src getent ahostsv4 "$LAB_DST_NAME" >/dev/null 2>&1; }
# src reaches ADDR: TCP to port 80 is answered (refused, or accepted)
lab_reach()
{
	lab_exec src python3 -c '
import socket, sys
try:
    socket.create_connection((sys.argv[1], 80), timeout=1).close()
except ConnectionRefusedError:
    pass
' "$1" >/dev/null 2>&1
}

# lab_build PREFIX: the namespaces of LAB_NODES and the links of
# LAB_LINKS under PREFIX, its state folder (LAB_DIR) and error_cost at 0
# (a "no route" answers Net Unreachable: through error_cost, five at most)
lab_build()
{
	local prefix=$1 node l n a b
	LAB_PREFIX=$prefix
	if ((${#prefix} > 24)) || [[ ! $prefix =~ ^[A-Za-z0-9_.-]+$ ]]; then
		lab_die "bad prefix '$prefix' (at most 24 of [A-Za-z0-9_.-])"
		return 1
	fi
	LAB_DIR=$LAB_STATE_ROOT/${prefix}
	if [[ -e $LAB_DIR ]] || ip netns list | grep -q "^${prefix}src\b"; then
		lab_die "a lab with prefix '$prefix' exists; take it down first"
		return 1
	fi
	mkdir -p "$LAB_DIR" || return 1
	lab_error_cost_take || return 1
	lab_log "building namespaces ${prefix}{$(
		IFS=,
		echo "${LAB_NODES[*]}"
	)}"
	for node in "${LAB_NODES[@]}"; do
		lab_node_up "$node" || { lab_die "node $node"; return 1; }
	done
	for l in "${LAB_LINKS[@]}"; do
		read -r n a b <<<"$l"
		lab_link_up "$n" "$a" "$b" || { lab_die "link $n ($a-$b)"; return 1; }
	done
}

lab_up()
{
	local prefix=${1:-xl$$-} a dir
	lab_build "$prefix" || return 1
	dir=$LAB_DIR
	lab_routes_up || { lab_die "routes"; return 1; }
	lab_silence r5 || { lab_die "nftables in r5"; return 1; }
	lab_dns_up "$dir" || { lab_die "dnsmasq (log: $dir/dnsmasq.log)"; return 1; }
	lab_listener_up "$dir" || { lab_die "listener on dst"; return 1; }

	# Ready means: no tentative address, the listener listens, names
	# resolve in src, and both families reach both destinations.
	lab_wait 10 lab_no_tentative || { lab_die "IPv6 addresses still tentative"; return 1; }
	lab_wait 10 lab_listening || { lab_die "no listener on dst:$LAB_TCP_OPEN"; return 1; }
	lab_wait 10 lab_resolves || { lab_die "$LAB_DST_NAME does not resolve in src"; return 1; }
	for a in "$LAB_DST4" "$LAB_DST6" "$LAB_FAR4" "$LAB_FAR6"; do
		lab_wait 10 lab_reach "$a" || { lab_die "src cannot reach $a"; return 1; }
	done
	lab_log "up: prefix $prefix, prober ${prefix}src ($LAB_SRC_IF $LAB_SRC4 $LAB_SRC6)"
}

# Processes lab_up started all live in the lab's namespaces: end them by
# pid (ip netns pids), then remove the namespaces and the resolv.conf.
lab_down()
{
	local prefix=${1:-$LAB_PREFIX} node ns pids dir
	[[ -n $prefix ]] || return 0
	dir=$LAB_STATE_ROOT/$prefix
	for node in "${LAB_NODES[@]}"; do
		ns=$prefix$node
		[[ -e /run/netns/$ns ]] || continue
		pids=$(ip netns pids "$ns" 2>/dev/null)
		# shellcheck disable=SC2086
		[[ -z $pids ]] || kill $pids 2>/dev/null
	done
	for node in "${LAB_NODES[@]}"; do
		ns=$prefix$node
		[[ -e /run/netns/$ns ]] || continue
		# Wait (bounded) for them to go; then insist
		if ! lab_wait 5 eval "[[ -z \$(ip netns pids $ns 2>/dev/null) ]]"; then
			pids=$(ip netns pids "$ns" 2>/dev/null)
			# shellcheck disable=SC2086
			[[ -z $pids ]] || kill -9 $pids 2>/dev/null
		fi
		ip netns del "$ns" 2>/dev/null
	done
	if [[ -d /etc/netns/${prefix}src ]]; then
		rm -f "/etc/netns/${prefix}src/resolv.conf"
		rmdir "/etc/netns/${prefix}src" 2>/dev/null
	fi
	if [[ -e $LAB_STATE_ROOT/made_etc_netns ]] && rmdir /etc/netns 2>/dev/null; then
		rm -f "$LAB_STATE_ROOT/made_etc_netns"
	fi
	rm -rf "$dir"
	lab_error_cost_release "$prefix"
	return 0
}

# lab_gen_ready: r1's end of the prober's link takes redirected XDP frames
# (veth needs NAPI on the peer: GRO on, or an XDP program), so xhop scan's
# in-kernel generator can send into the lab; without it scan falls back
# to raw sockets
lab_gen_ready() { lab_exec r1 ethtool -K v1 gro on >/dev/null; }

# lab_spread_rx: every node's receive work on every CPU (RPS on each veth
# queue), as a router's NIC spreads its queues over its cores. A veth has
# one queue, so without this the whole lab forwards in softirq on the CPU
# that sends: the sender and every router share one core, and the lab's
# ceiling is that core's. For benchmarks that measure rates (the scan).
lab_spread_rx()
{
	local mask node q
	mask=$(printf '%x' $(((1 << $(nproc)) - 1)))
	for node in "${LAB_NODES[@]}"; do
		for q in $(lab_exec "$node" sh -c 'ls -d /sys/class/net/*/queues/rx-*' 2>/dev/null); do
			lab_exec "$node" sh -c "echo $mask > $q/rps_cpus" || return 1
		done
	done
}

# Run as a script: build a lab that stays up for poking around, or remove it.
#   bash scripts/lab.sh up PREFIX    then e.g.: ip netns exec PREFIXsrc traceroute -n 198.19.0.77
#   bash scripts/lab.sh down PREFIX
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	case ${1:-} in
	up)
		[[ -n ${2:-} ]] || { echo "usage: $0 up PREFIX" >&2; exit 2; }
		LAB_OWNER=keep lab_up "$2" || { lab_down "$2"; exit 1; }
		;;
	down)
		[[ -n ${2:-} ]] || { echo "usage: $0 down PREFIX" >&2; exit 2; }
		lab_down "$2"
		;;
	*)
		echo "usage: $0 up|down PREFIX (or source it: lab_up, lab_exec, lab_down)" >&2
		exit 2
		;;
	esac
fi
