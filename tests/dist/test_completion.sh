#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# dist/bash-completion/xhop: offers the modes, each mode exactly the
# options of its --help, interfaces for -i (as /sys/class/net lists
# them), the senders and methods --help names, files for --output etc.
set -u
# shellcheck source=tests/dist/lib.sh
source "$(dirname "$0")/lib.sh"
require bash
COMP=$ROOT/dist/bash-completion/xhop
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# complete WORD...: what completing the last WORD of "xhop WORD..." offers,
# sorted, one per line, in a fresh bash with only the completion loaded
complete_words()
{
	bash --norc --noprofile -c '
		source "$1" || exit 1
		shift
		COMP_WORDS=(xhop "$@")
		COMP_CWORD=$#
		COMP_LINE="${COMP_WORDS[*]}"
		COMP_POINT=${#COMP_LINE}
		_xhop
		printf "%s\n" "${COMPREPLY[@]}"' _ "$COMP" "$@" | grep . | sort
}

got=$(complete_words "")
for mode in "${MODES[@]:1}"; do
	expect_match "modes: '$mode' offered first" "$got" "^$mode$"
done
check "modes: xhop --help names more than one (${MODES[*]:1})" test "${#MODES[@]}" -ge 4
expect_eq "modes: 's' completes to scan" "$(complete_words s)" scan

for mode in "${MODES[@]}"; do
	name=$(mode_name "$mode")
	want=$(help_options "$mode" | sort -u)
	# shellcheck disable=SC2086 # MODE "" is no word at all
	offered=$(complete_words $mode -)
	expect_eq "$name: '-' offers exactly the options of its --help" "$offered" "$want"
	# shellcheck disable=SC2086
	expect_eq "$name: '--no-' completes" "$(complete_words $mode --no- | tr '\n' ' ')" \
		"$(grep -- '^--no-' <<<"$want" | tr '\n' ' ')"
done

ifaces=$(find /sys/class/net -mindepth 1 -maxdepth 1 -printf '%f\n' | sort)
expect_eq "-i offers the interfaces" "$(complete_words -i '')" "$ifaces"
expect_eq "scan --interface offers the interfaces" "$(complete_words scan --interface '')" "$ifaces"
expect_eq "monitor -i l offers lo" "$(complete_words monitor -i l | grep -x lo)" lo

# the senders and methods as --help names them
senders=$("$XHOP" scan --help | sed -nE 's/^ +--sender S +auto \(default\), (.*) \(.*/\1/p' |
	sed 's/,\| or / /g' | tr -s ' ' '\n' | grep . | sort -u)
expect_eq "--sender offers the senders --help names" "$(complete_words scan --sender '')" "$senders"
expect_eq "--method offers icmp, udp, tcp" "$(complete_words scan --method '' | tr '\n' ' ')" \
	"icmp tcp udp "

mkdir -p "$TMP/d" && touch "$TMP/d/targets.txt" "$TMP/d/tail.json"
for opt in "scan --targets" "scan --blocklist" "scan --output" "scan --summary" \
	"monitor --targets" "monitor --events"; do
	# shellcheck disable=SC2086 # two words
	expect_eq "$opt offers files" "$(complete_words $opt "$TMP/d/t" | tr '\n' ' ')" \
		"$TMP/d/tail.json $TMP/d/targets.txt "
done
expect_eq "a value that is a number offers nothing" "$(complete_words -q '')" ""
summary
