#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# End to end: the in-kernel probe generator (bpf/xhop_gen.bpf.c through
# user/send/gen_send.c) on a veth pair of two namespaces of its own. For each
# family x method, build/tests/e2e/gen_e2e sends COUNT live frames in
# batches of every size 1..256; the peer's XDP program counts them (and
# passes them on) while tcpdump captures them. Sent, generated and
# arrived must be equal, nothing dropped, the one-probe batch's stamp
# earlier than its arrival, and the capture byte-identical to what
# probe_build() makes for the same items. Then a veth whose peer has no
# XDP program and no GRO: gen_open must refuse it (the sender ladder goes
# down a rung) instead of sending into the void. Kernels that refuse live
# frames to every process (EPERM) skip the sending checks, with the
# reason; that refusal itself is tested on every kernel, forced with
# seccomp (seccomp_run --no-test-run).
#
# Addresses: 198.18.0.0/15 and 2001:2::/48 only, no route out of the
# namespaces. Needs root. The last line is "N passed, N failed".
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=tests/e2e/lib.sh
source "$HERE/lib.sh"

GEN=${GEN_E2E:-$ROOT/build/tests/e2e/gen_e2e}
SECCOMP=${SECCOMP_RUN:-$ROOT/build/tests/e2e/seccomp_run}
COUNT=2000

[[ $(id -u) -eq 0 ]] || skip_all "needs root to build namespaces"
missing=0
for tool in ip tcpdump python3; do
	command -v "$tool" >/dev/null && continue
	fail "$tool is installed" "scripts/install-deps.sh installs it"
	missing=1
done
for bin in "$GEN" "$SECCOMP"; do
	[[ -x $bin ]] && continue
	fail "$(basename "$bin") is built" "$bin is missing: run make"
	missing=1
done
if ((missing)); then
	summary
	exit 1
fi

P=xg$$
A=$P-a
B=$P-b
TMP=$(mktemp -d /tmp/xhop-gen.XXXXXX)
TCPDUMP_PID=

cleanup()
{
	[[ $BASHPID == "$$" ]] || return 0
	if [[ -n $TCPDUMP_PID ]]; then kill "$TCPDUMP_PID" 2>/dev/null; wait "$TCPDUMP_PID" 2>/dev/null; fi
	ip netns del "$A" 2>/dev/null
	ip netns del "$B" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

setup()
{
	ip netns add "$A" && ip netns add "$B" || return 1
	ip -n "$A" link add ga0 type veth peer name gb0 netns "$B" || return 1
	ip -n "$A" link add ga1 type veth peer name gb1 netns "$B" || return 1
	for l in ga0 ga1; do ip -n "$A" link set "$l" up || return 1; done
	for l in gb0 gb1; do ip -n "$B" link set "$l" up || return 1; done
	ip -n "$A" link set lo up && ip -n "$B" link set lo up || return 1
	# no DAD: the addresses are usable at once
	ip netns exec "$A" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	ip netns exec "$B" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	ip -n "$A" addr add 198.18.0.1/24 dev ga0 || return 1
	ip -n "$B" addr add 198.18.0.2/24 dev gb0 || return 1
	ip -n "$A" addr add 2001:2:0:1::1/64 dev ga0 nodad || return 1
	ip -n "$B" addr add 2001:2:0:1::2/64 dev gb0 nodad || return 1
	ip -n "$A" addr add 198.18.1.1/24 dev ga1 || return 1
	ip -n "$B" addr add 198.18.1.2/24 dev gb1 || return 1
	# targets behind the peer, inside the test ranges; no default route
	ip -n "$A" route add 198.19.0.0/16 via 198.18.0.2 dev ga0 || return 1
	ip -n "$A" -6 route add 2001:2:0:ff::/64 via 2001:2:0:1::2 dev ga0 || return 1
	ip -n "$A" route add 198.19.128.0/24 via 198.18.1.2 dev ga1 || return 1
	# the unready peer: no XDP program, no GRO, so no NAPI to take frames
	# (veth starts with GRO off)
	return 0
}

if ! setup; then
	fail "namespaces are up" "setup of $A / $B failed"
	summary
	exit 1
fi

kv() { awk -v k="$1" '$1 == k { print $2 }' <<<"$2"; }

# the capture file has grown to the size of the expected one
captured() { [[ -s $2 && $(stat -c %s "$1" 2>/dev/null || echo 0) -ge $(stat -c %s "$2") ]]; }

# Does this kernel run live frames? gen_open tries for real
out=$(ip netns exec "$A" "$GEN" ga0 "$B" gb0 4 icmp 1 198.19.0.0 "$TMP/probe.pcap" 2>&1)
rc=$?
LIVE_WHY=
if ((rc == 3)) && grep -q "live frames refused by the kernel" <<<"$out"; then
	LIVE_WHY=$(sed -n 's/.*generator: //p' <<<"$out" | head -n 1)
	ok "live frames refused here, and gen_open says so: $LIVE_WHY"
else
	expect_eq "one live frame: gen_e2e ran" "$rc" 0
fi

for family in 4 6; do
	for method in icmp udp tcp; do
		name="v$family $method"
		if [[ -n $LIVE_WHY ]]; then
			skip "$name: $COUNT live frames, captured and counted" "$LIVE_WHY"
			continue
		fi
		if [[ $family == 4 ]]; then base=198.19.0.0; else base=2001:2:0:ff::; fi
		case $method in
		icmp) filt="icmp[icmptype] = 8 or (icmp6 and ip6[40] = 128)" ;;
		udp) filt="udp" ;;
		tcp) filt="tcp" ;;
		esac
		cap=$TMP/cap-$family-$method.pcap
		ip netns exec "$B" tcpdump -i gb0 -n -U -B 16384 -s 2048 -w "$cap" "$filt" \
			2>"$TMP/tcpdump.err" &
		TCPDUMP_PID=$!
		wait_for 5 grep -q "listening on" "$TMP/tcpdump.err"
		out=$(ip netns exec "$A" "$GEN" ga0 "$B" gb0 "$family" "$method" "$COUNT" "$base" \
			"$TMP/want-$family-$method.pcap" 2>&1)
		rc=$?
		echo "$name: $(tr '\n' ' ' <<<"$out")"
		expect_eq "$name: gen_e2e ran" "$rc" 0
		expect_eq "$name: sent" "$(kv sent "$out")" "$COUNT"
		expect_eq "$name: generated" "$(kv generated "$out")" "$COUNT"
		expect_eq "$name: arrived at the peer" "$(kv arrived "$out")" "$COUNT"
		expect_eq "$name: dropped" "$(kv dropped "$out")" 0
		expect_eq "$name: stamp before arrival" "$(kv stamp_before_arrival "$out")" 1
		# every frame is in the capture file before tcpdump stops
		wait_for 5 captured "$cap" "$TMP/want-$family-$method.pcap"
		kill -INT "$TCPDUMP_PID" 2>/dev/null
		wait "$TCPDUMP_PID" 2>/dev/null
		TCPDUMP_PID=
		cmp_out=$(python3 "$HERE/pcap_cmp.py" "$TMP/want-$family-$method.pcap" "$cap" 2>&1)
		expect_eq "$name: capture is probe_build()'s bytes" "$cmp_out" "same $COUNT"
	done
done

# The peer of ga1 has no XDP program and no GRO: the driver would drop
# every frame while the test run reports success. gen_open must say no.
out=$(ip netns exec "$A" "$GEN" ga1 "$B" - 4 icmp 10 198.19.128.0 "$TMP/x.pcap" 2>&1)
rc=$?
expect_eq "peer without XDP or GRO: gen_open refuses (exit 3)" "$rc" 3
expect_match "peer without XDP or GRO: says why" "$out" "takes no XDP frames"

# Live frames refused (as a lockdown or a sandbox refuses them), on every
# kernel: gen_open's trial run says so before a frame is made
out=$(ip netns exec "$A" "$SECCOMP" --no-test-run -- "$GEN" ga0 "$B" gb0 4 icmp 10 198.19.0.0 \
	"$TMP/x.pcap" 2>&1)
rc=$?
expect_eq "live frames refused: gen_open refuses (exit 3)" "$rc" 3
expect_match "live frames refused: says why" "$out" \
	"generator: live frames refused by the kernel \\(EPERM\\)"
summary
