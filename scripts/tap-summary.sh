#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Reads result lines ("ok - ...", "not ok - ...", "# ...") on stdin and
# prints them as numbered TAP, the plan, and the closing line
# "N passed, N failed" (", N skipped" when any). Fails when any test failed
# or when there was no test at all.
set -uo pipefail

n=0 passed=0 failed=0 skipped=0
while IFS= read -r line; do
	case "$line" in
	"not ok - "*)
		n=$((n + 1)); failed=$((failed + 1))
		echo "not ok $n - ${line#not ok - }" ;;
	"ok - "*" # SKIP"*)
		n=$((n + 1)); skipped=$((skipped + 1))
		echo "ok $n - ${line#ok - }" ;;
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
