#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Send rates (bench/send_rate.c) in a namespace pair of its own, xs$$-a
# and xs$$-b: one two-queue veth, 198.18.0.0/24 on it, targets in
# 198.19.0.0/16 routed to the peer, no route out. Removed on exit.
# SEND_SECS (1) per sender and round, SEND_ROUNDS (3) interleaved rounds;
# SEND_ONLY=TEXT runs only the senders whose name contains TEXT.
set -u
cd "$(dirname "$0")/.."
BIN=build/bench/send_rate
[[ $(id -u) -eq 0 ]] || { echo "bench_send: skipped: needs root"; exit 0; }
[[ -x $BIN ]] || { echo "bench_send: $BIN is missing: run make bench"; exit 1; }
A=xs$$-a
B=xs$$-b
cleanup()
{
	ip netns del "$A" 2>/dev/null
	ip netns del "$B" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
ip netns add "$A" && ip netns add "$B" &&
	ip -n "$A" link add sa0 numtxqueues 2 numrxqueues 2 type veth \
		peer name sb0 numtxqueues 2 numrxqueues 2 netns "$B" &&
	ip -n "$A" link set lo up && ip -n "$B" link set lo up &&
	ip -n "$A" link set sa0 up && ip -n "$B" link set sb0 up &&
	ip -n "$A" addr add 198.18.0.1/24 dev sa0 &&
	ip -n "$B" addr add 198.18.0.2/24 dev sb0 &&
	ip -n "$A" route add 198.19.0.0/16 via 198.18.0.2 dev sa0 || {
	echo "bench_send: namespace setup failed"
	exit 1
}
ip netns exec "$A" "$BIN" sa0 "$B" sb0 "${SEND_SECS:-1}" "${SEND_ROUNDS:-3}" ${SEND_ONLY:+"$SEND_ONLY"}
