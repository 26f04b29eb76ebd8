# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
#
# The simulator's lab: two fresh namespaces joined by a veth, xhop-sim's
# responder on one end (s0), the prober on the other (p0). Source this
# file, then:
#
#   sim_lab_up PREFIX        namespaces PREFIX-p and PREFIX-s, the veth,
#                            addresses and routes; SIM_PNS, SIM_SNS
#   sim_lab_start ARGS...    xhop-sim attach s0 ARGS in the background
#                            (SIM_PID: xhop-sim itself), until it says so
#   sim_lab_stop             SIGTERM to it; its exit status
#   sim_lab_pass on|off      build/sim_pass.bpf.o on p0, for probers
#                            without an XDP program of their own
#   sim_lab_down             kills the responder, removes the namespaces;
#                            idempotent, for traps
#   sim_lab_traps DIR        on exit (also SIGINT/SIGTERM) sim_lab_down and
#                            DIR removed, by the script's own shell only
#   sim_lab_targets OUT N4 N6
#                            targets for a scan, the same for a seed-1 run
#                            each time: N4 addresses of 198.18.0.0/15 (all
#                            when N4 is 131072) in OUT.v4, N6 random ones
#                            under 2001:2:0::/48 in OUT.v6
#
# The prober is 198.19.255.1 and 2001:2:0:ffff::1, with routes to
# 198.18.0.0/15 and 2001:2::/48 through 198.19.255.254 and fe80::2: the
# simulator's end holds those two for ARP and ND (the responder passes
# them to the stack), and answers everything else in the ranges itself.
# No other route exists in either namespace.
#
# p0 needs an XDP program: the responder's XDP_TX frames go into the
# peer's XDP ring, whose NAPI runs only for a peer with a program (GRO
# alone leaves them there). And no TX checksum offload: the veth would
# hand XDP UDP/TCP probes with partial checksums, quoted as such.
# SIM (the xhop-sim binary) and SIM_PASS_OBJ default to build/.

SIM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SIM=${SIM:-$SIM_ROOT/build/xhop-sim}
SIM_PASS_OBJ=${SIM_PASS_OBJ:-$SIM_ROOT/build/sim_pass.bpf.o}
SIM_SRC4=198.19.255.1
SIM_SRC6=2001:2:0:ffff::1
SIM_PNS=
SIM_SNS=
SIM_PID=

sim_lab_up()
{
	local smac
	SIM_PNS=$1-p
	SIM_SNS=$1-s
	ip netns add "$SIM_PNS" && ip netns add "$SIM_SNS" &&
		ip link add p0 netns "$SIM_PNS" type veth peer name s0 netns "$SIM_SNS" || return 1
	smac=$(ip -n "$SIM_SNS" -br link show s0 | awk '{print $3}')
	ip -n "$SIM_PNS" link set lo up && ip -n "$SIM_SNS" link set lo up &&
		ip -n "$SIM_PNS" link set p0 up && ip -n "$SIM_SNS" link set s0 up &&
		ip netns exec "$SIM_PNS" ethtool -K p0 tx off >/dev/null &&
		sim_lab_pass on &&
		ip -n "$SIM_PNS" addr add $SIM_SRC4/32 dev p0 &&
		ip -n "$SIM_PNS" addr add $SIM_SRC6/128 dev p0 nodad &&
		ip -n "$SIM_PNS" route add 198.19.255.254/32 dev p0 &&
		ip -n "$SIM_PNS" neigh replace 198.19.255.254 lladdr "$smac" dev p0 nud permanent &&
		ip -n "$SIM_PNS" route add 198.18.0.0/15 via 198.19.255.254 dev p0 src $SIM_SRC4 &&
		ip -n "$SIM_PNS" neigh replace fe80::2 lladdr "$smac" dev p0 nud permanent &&
		ip -n "$SIM_PNS" -6 route add 2001:2::/48 via fe80::2 dev p0 src $SIM_SRC6 &&
		ip -n "$SIM_SNS" addr add 198.19.255.254/32 dev s0 &&
		ip -n "$SIM_SNS" route add $SIM_SRC4/32 dev s0 &&
		ip -n "$SIM_SNS" addr add fe80::2/64 dev s0 nodad
}

sim_lab_pass()
{
	if [[ $1 == on ]]; then
		ip -n "$SIM_PNS" link set dev p0 xdp obj "$SIM_PASS_OBJ" sec xdp
	else
		ip -n "$SIM_PNS" link set dev p0 xdp off
	fi
}

# sim_lab_start ARGS...: stdout (the counters on exit) in $SIM_OUT,
# stderr in $SIM_ERR when set, else /dev/null; 1 when it never attached
sim_lab_start()
{
	local out=${SIM_OUT:-/dev/null} err=${SIM_ERR:-/dev/null} i
	# ip netns exec execs the command: $! is xhop-sim itself
	ip netns exec "$SIM_SNS" "$SIM" attach s0 "$@" >"$out" 2>"$err" &
	SIM_PID=$!
	for ((i = 0; i < 200; i++)); do
		ip -n "$SIM_SNS" link show s0 | grep -q "prog/xdp" && return 0
		kill -0 "$SIM_PID" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

sim_lab_stop()
{
	local rc
	[[ -n $SIM_PID ]] || return 1
	kill -TERM "$SIM_PID"
	wait "$SIM_PID"
	rc=$?
	SIM_PID=
	return $rc
}

sim_lab_down()
{
	if [[ -n $SIM_PID ]] && kill -0 "$SIM_PID" 2>/dev/null; then
		kill -9 "$SIM_PID" 2>/dev/null
		wait "$SIM_PID" 2>/dev/null
	fi
	SIM_PID=
	[[ -n $SIM_PNS ]] && ip netns del "$SIM_PNS" 2>/dev/null
	[[ -n $SIM_SNS ]] && ip netns del "$SIM_SNS" 2>/dev/null
	return 0
}

# sim_lab_traps DIR: the lab down and DIR removed when the script ends;
# subshells inherit the EXIT trap, so only the script's own shell acts
sim_lab_traps()
{
	SIM_TRAP_DIR=$1
	trap '[[ $BASHPID != "$$" ]] || { sim_lab_down; rm -rf "$SIM_TRAP_DIR"; }' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

sim_lab_targets()
{
	python3 - "$@" <<'PY'
import random, sys
r = random.Random(1)
out, n4, n6 = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(out + ".v4", "w") as f:
    hosts = r.sample(range(131072), n4) if n4 < 131072 else range(131072)
    for h in hosts:
        f.write("198.%d.%d.%d\n" % (18 + (h >> 16), (h >> 8) & 255, h & 255))
with open(out + ".v6", "w") as f:
    for i in range(n6):
        f.write("2001:2:0:%x::%x\n" % (r.randrange(65536), r.randrange(1, 1 << 16)))
PY
}
