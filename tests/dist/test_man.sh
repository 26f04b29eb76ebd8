#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# man/xhop.8: renders without a warning (man --warnings, groff -ww), names
# the version xhop reports, and documents, in each mode's section, every
# option of that mode's --help (the CLI tables of user/cli/*_opts.c).
set -u
# shellcheck source=tests/dist/lib.sh
source "$(dirname "$0")/lib.sh"
require man groff
MAN=$ROOT/man/xhop.8
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

MANWIDTH=80 man --warnings -E UTF-8 -l "$MAN" >"$TMP/out" 2>"$TMP/err"
expect_eq "man --warnings renders it (exit 0)" "$?" 0
expect_eq "man --warnings: no warnings" "$(<"$TMP/err")" ""
expect_match "man: NAME section rendered" "$(<"$TMP/out")" '^NAME'
groff -ww -z -man -Tutf8 "$MAN" 2>"$TMP/gerr"
expect_eq "groff -ww -man: no warnings" "$(<"$TMP/gerr")" ""

version=$("$XHOP" --version | awk '{ print $2 }')
expect_match "man: .TH names xhop $version" "$(grep '^\.TH' "$MAN")" "\"xhop $version\""

# section MODE: the man page's text of MODE's options, roff's \- as -
section()
{
	awk -v want=".SS \"$(mode_name "${1:-HOST}")\"" '
		$0 == want { on = 1; next }
		/^\.S[HS]/ { on = 0 }
		on' "$MAN" | sed 's/\\-/-/g'
}

for mode in "${MODES[@]}"; do
	name=$(mode_name "$mode")
	text=$(section "$mode")
	if [[ -z $text ]]; then
		fail "man: a section for $name" "none in $MAN"
		continue
	fi
	expect_match "man: SYNOPSIS shows $name" "$(sed 's/\\-/-/g' "$MAN")" "^\.SY \"?$name\"?$"
	opts=$(help_options "$mode")
	n=$(grep -c . <<<"$opts")
	if ((n < 10)); then
		fail "$name --help lists its options" "only $n parsed from --help"
		continue
	fi
	missing=()
	while read -r opt; do
		grep -Eq -- "(^|[^[:alnum:]-])$opt([^[:alnum:]-]|$)" <<<"$text" || missing+=("$opt")
	done <<<"$opts"
	if ((${#missing[@]} == 0)); then
		ok "man: $name documents all $n options of its --help"
	else
		fail "man: $name documents every option of its --help" "missing: ${missing[*]}"
	fi
done
summary
