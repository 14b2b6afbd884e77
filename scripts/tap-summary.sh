#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Reads result lines ("ok - ...", "not ok - ...", "# ...") on stdin and
# prints them as numbered TAP, the plan, and the closing line
# "N passed, N failed" (", N skipped" when any). Fails when any test failed
# or when there was no test at all.
# tap-summary.sh --expected-skips FILE: a skip that matches none of FILE's
# glob patterns (one per line, against the text after "ok - "; # comments)
# is a failure: a test that stopped running is a defect, not a skip.
set -uo pipefail

expected=()
if [ "${1:-}" = --expected-skips ]; then
	while IFS= read -r pat; do
		case $pat in "" | "#"*) continue ;; esac
		expected+=("$pat")
	done <"${2:?usage: tap-summary.sh [--expected-skips FILE]}"
	expected+=("")
fi

# skip_expected TEXT: true when TEXT matches a pattern (or there is no list).
skip_expected() {
	local pat
	[ ${#expected[@]} -eq 0 ] && return 0
	for pat in "${expected[@]}"; do
		# shellcheck disable=SC2053 # a glob, on purpose
		[ -n "$pat" ] && [[ $1 == $pat ]] && return 0
	done
	return 1
}

n=0 passed=0 failed=0 skipped=0
while IFS= read -r line; do
	case "$line" in
	"not ok - "*)
		n=$((n + 1)); failed=$((failed + 1))
		echo "not ok $n - ${line#not ok - }" ;;
	"ok - "*" # SKIP"*)
		n=$((n + 1))
		if skip_expected "${line#ok - }"; then
			skipped=$((skipped + 1))
			echo "ok $n - ${line#ok - }"
		else
			failed=$((failed + 1))
			echo "not ok $n - ${line#ok - } (not an expected skip)"
		fi ;;
	"ok - "*)
		n=$((n + 1)); passed=$((passed + 1))
		echo "ok $n - ${line#ok - }" ;;
	*)
		echo "# ${line#\# }" ;;
	esac
done
echo "1..$n"
summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary="$summary, $skipped skipped"
echo "$summary"
[ "$failed" -eq 0 ] && [ "$n" -gt 0 ]
