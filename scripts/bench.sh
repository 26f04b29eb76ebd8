#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make bench: every measurement, peers in the same run, ratios printed.
# Numbers live here, never in timed tests.
set -u
cd "$(dirname "$0")/.." || exit 1
# "title|command": each runs even when one before failed; any failure fails make bench
benches=(
	"XDP cost per packet (bpf_prog_test_run_opts)|build/bench/xdp_cost"
	"Send rates: sockets, bare live frames, xhop's generator (scripts/bench_send.sh)|scripts/bench_send.sh"
	"RTT accuracy against a far-side capture: xhop, traceroute, mtr, scamper|scripts/bench_rtt.sh"
	"xhop scan against scamper: 50,176 targets, the lab's ceiling, 1M targets' memory|scripts/bench_scan.sh"
	"xhop scan with and without --clickhouse to a local clickhouse-server (rate ratio, rows/s)|scripts/bench_clickhouse.sh 1"
	"xhop multipath against scamper tracelb: the multipath lab's diamonds|scripts/bench_mp.sh"
	"xhop multipath against scamper tracelb like for like: xhop-sim's diamonds, probes where both find the same links|scripts/bench_mp_sim.sh"
	"xhop scan's traces as warts against scamper JSON: bytes and time per trace|scripts/bench_warts.sh"
	"Origin AS per hop: xhop -z against mtr -z (scripts/bench_asn.sh)|scripts/bench_asn.sh"
	"xhop monitor: one process, 1,000 targets, 1 s interval (CPU, RSS, /metrics)|scripts/bench_monitor.sh"
	"xhop scan against the simulated Internet (xhop-sim): the bare sender's ceiling, scamper|scripts/bench_sim.sh"
	"xhop scan's sending CPU against the simulated Internet: floods held on one CPU, the scan's profile|scripts/bench_sim_cpu.sh"
	"xhop scan --mda against the simulated Internet's diamonds (xhop-sim): links against truth|scripts/bench_sim_mda.sh"
)
rc=0 sep=
for b in "${benches[@]}"; do
	printf '%s' "$sep"
	sep=$'\n'
	echo "== ${b%%|*}"
	# shellcheck disable=SC2086 # the command is words
	${b#*|} || rc=1
done
exit $rc
