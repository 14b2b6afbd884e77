#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-only checks of the code that decides pass or fail: the TAP reader of
# the VM runner, the console scanner, the KUnit console parser (on real
# consoles saved in fixtures/) and the closing summary. Prints
# "ok - harness: ..." result lines.
set -uo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"

fx=$(dirname "$0")/fixtures
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rc=0

result() {
	if [ "$2" = "$3" ]; then
		echo "ok - harness: $1"
	else
		echo "not ok - harness: $1"
		echo "# expected: $2"
		echo "# got:      $3"
		rc=1
	fi
}

# script_verdict TAP RC: what nfvs_tap_from_script decides for a script
# that printed TAP and exited RC: "pass" or "fail", then its result lines.
script_verdict() {
	printf '%b' "$1" >"$tmp/t.tap"
	: >"$tmp/t.err"
	if nfvs_tap_from_script x "$tmp/t.tap" "$2" "$tmp/t.err" >"$tmp/out"; then
		echo "pass $(grep -c '^not ok' "$tmp/out")"
	else
		echo "fail $(grep -c '^not ok' "$tmp/out")"
	fi
}

result "script: all ok, exit 0 passes" "pass 0" \
	"$(script_verdict 'ok 1 - a\nok 2 - b\n1..2\n' 0)"
result "script: one not ok fails" "fail 1" \
	"$(script_verdict 'ok 1 - a\nnot ok 2 - b\n1..2\n' 1)"
result "script: not ok fails even with exit 0" "fail 1" \
	"$(script_verdict 'not ok 1 - a\n1..1\n' 0)"
result "script: all ok but exit 1 fails" "fail 1" \
	"$(script_verdict 'ok 1 - a\n1..1\n' 1)"
result "script: no output, exit 0 fails" "fail 1" "$(script_verdict '' 0)"
result "script: plan 1..3 with one result fails" "fail 1" \
	"$(script_verdict '1..3\nok 1 - a\n' 0)"
result "script: timeout (124) fails" "fail 1" "$(script_verdict 'ok 1 - a\n' 124)"
result "script: no exit status recorded (crash) fails" "fail 1" \
	"$(script_verdict 'ok 1 - a\n' 255)"
result "script: exit 4 with no results is a skip" "pass 0" "$(script_verdict '' 4)"
result "script: a SKIP directive passes" "pass 0" \
	"$(script_verdict 'ok 1 - a # SKIP no nfnetlink_hook\n1..1\n' 0)"
result "script: 'ok' inside a description is not a result" "fail 1" \
	"$(script_verdict '# all ok so far\n' 0)"

console_verdict() {
	printf '%b' "$1" >"$tmp/console"
	if nfvs_console_problems "$tmp/console" >/dev/null; then echo dirty; else echo clean; fi
}
result "console: a clean boot is clean" clean \
	"$(console_verdict '[ 1.0] nfvs: version 0.1.0 loaded\n[ 1.1] nfvs: unloaded\n')"
for bad in "WARNING: CPU: 0 PID: 1 at net/core/dev.c:1 x" \
	"BUG: kernel NULL pointer dereference, address: 0" \
	"Oops: 0002 [#1] PREEMPT SMP" \
	"BUG: KASAN: slab-use-after-free in nfvs_in" \
	"WARNING: possible circular locking dependency detected" \
	"general protection fault, probably for non-canonical address" \
	"Kernel panic - not synchronized: Fatal exception" \
	"UBSAN: shift-out-of-bounds in src/x.c:1:2" \
	"WARNING: suspicious RCU usage" \
	"BUG: KFENCE: out-of-bounds read in nfvs_in+0x1/0x2" \
	"BUG nfvs_conn (Tainted: G           O      ): Poison overwritten" \
	"BUG kmalloc-64 (Not tainted): Right Redzone overwritten"; do
	result "console: '${bad%% in *}' fails the run" dirty "$(console_verdict "[ 2.0] $bad\n")"
done

for f in pass fail crash empty noload truncated; do
	want=1
	[ $f = pass ] && want=0
	"$NFVS_TOP/scripts/kunit.sh" --parse "$fx/ktap-$f.txt" >"$tmp/k" 2>&1
	result "kunit parser: ktap-$f.txt exits $want" "$want" "$?"
done
"$NFVS_TOP/scripts/kunit.sh" --parse "$fx/ktap-fail.txt" >"$tmp/k" 2>&1
result "kunit parser: the failing case is named" 1 \
	"$(grep -c '^not ok - kunit: nfvs_hooks.ops_table$' "$tmp/k")"
"$NFVS_TOP/scripts/kunit.sh" --parse "$fx/ktap-crash.txt" >"$tmp/k" 2>&1
result "kunit parser: a KASAN report outside any case fails" 1 \
	"$(grep -c '^not ok - kunit: console clean$' "$tmp/k")"

# The benchmark's report (bench/report.py) on made-up samples whose
# medians and ratios are known; broken lines are skipped.
python3 "$NFVS_TOP/bench/report.py" "$fx/bench-sample.tsv" "$tmp/b.json" >"$tmp/b" 2>&1
result "bench report: medians and the ratio against IPVS ct=1" \
	"100 150 140 1.50x 1.40x" \
	"$(awk '/UDP NAT pkt\/s, 64 flows/ { print $6, $8, $10, $12, $13 }' "$tmp/b")"
result "bench report: goals met and missed" "1.40 met|0.93 MISSED|0.85 MISSED|0.75 met" \
	"$(grep -E '^  goal: (UDP NAT|nfvs-ct1 pkt|memory)' "$tmp/b" |
	   awk '{ printf "%s%s %s", (NR > 1 ? "|" : ""), $(NF - 1), $NF }')"
result "bench report: memory per connection in the JSON file" "460.8" \
	"$(python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["6.1.0-test"]["summary"]["nfvs-ct1"]["mem_per_conn"]["median"])' "$tmp/b.json")"
python3 "$NFVS_TOP/bench/report.py" /dev/null >/dev/null 2>&1
result "bench report: no samples at all fails" 1 "$?"

# The docs check (tests/harness/docs.py, run by make check) on copies of
# the documentation with a row taken out and a default changed.
mkdir -p "$tmp/d/Documentation" "$tmp/d/include/uapi/linux" "$tmp/d/src"
cp "$NFVS_TOP/include/uapi/linux/nfvs.h" "$tmp/d/include/uapi/linux/"
cp "$NFVS_TOP/src/sysctl.c" "$NFVS_TOP/src/main.c" "$tmp/d/src/"
sed 's/^Module parameter ``ipvs_compat`` (default 1)/Module parameter ``ipvs_compat`` (default 0)/' \
	"$NFVS_TOP/Documentation/admin-guide.rst" >"$tmp/d/Documentation/admin-guide.rst"
sed '/^HELPER  *13 /d' "$NFVS_TOP/Documentation/netlink.rst" >"$tmp/d/Documentation/netlink.rst"
sed 's/^\(pmtu_disc  *\)1 /\10 /' "$NFVS_TOP/Documentation/sysctl.rst" >"$tmp/d/Documentation/sysctl.rst"
python3 "$NFVS_TOP/tests/harness/docs.py" "$tmp/d" >"$tmp/docs" 2>&1
result "docs check: a missing attribute and wrong defaults fail" \
	"1 NFVS_SVC_ATTR_HELPER = 13|pmtu_disc (default 1)|ipvs_compat (default 1)" \
	"$? $(sed -n 's/^# //p' "$tmp/docs" | paste -sd'|')"

# A kernel series not installed (a fresh machine: deps.sh is about to
# install it) is no version and no failure, under deps.sh's set -e.
result "lib: nfvs_kver of a series not installed prints nothing, under set -euo pipefail" \
	"ok:" "$(bash -c 'set -euo pipefail; . "$1/scripts/lib.sh"; v=$(nfvs_kver 9.99); echo "ok:$v"' sh "$NFVS_TOP" 2>&1)"

summary() {
	local in=$1
	shift
	printf '%b' "$in" | "$NFVS_TOP/scripts/tap-summary.sh" "$@" >"$tmp/s"
	echo "$? $(tail -n 1 "$tmp/s")"
}
result "summary: all passed" "0 2 passed, 0 failed" "$(summary 'ok - a\nok - b\n')"
result "summary: one failure fails" "1 1 passed, 1 failed" "$(summary 'ok - a\nnot ok - b\n')"
result "summary: skips counted apart" "0 1 passed, 0 failed, 1 skipped" \
	"$(summary 'ok - a\nok - b # SKIP why\n')"
printf '# a comment\n*: hooks: * # SKIP no nfnetlink_hook in 6.1*\n' >"$tmp/skips"
result "summary: an expected skip passes" "0 0 passed, 0 failed, 1 skipped" \
	"$(summary 'ok - 6.1.0-1: hooks: x # SKIP no nfnetlink_hook in 6.1.0-1\n' --expected-skips "$tmp/skips")"
result "summary: a skip not in the list fails" "1 0 passed, 1 failed" \
	"$(summary 'ok - 6.1.0-1: kernel_ipvs # SKIP no ipvs.sh\n' --expected-skips "$tmp/skips")"
result "summary: no test at all fails" "1 0 passed, 0 failed" "$(summary '# nothing\n')"
exit $rc
