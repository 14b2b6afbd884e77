#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The VM harness must not be able to report green by accident. Boots the
# canaries of tests/harness/canaries/ (a flipped assertion, a failing exit
# status, silence, a short plan, a hang, a kernel warning, a crash, a guest
# that never finishes) under scripts/vm/run.sh and checks that each one is
# reported as the failure it is. Prints "ok - harness: ..." result lines.
set -uo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"

series=${NFVS_CANARY_SERIES:-6.1}
run=$NFVS_TOP/scripts/vm/run.sh
out=$NFVS_BUILD/canary
mkdir -p "$out"
rc=0

# expect FILE DESC PATTERN: the run's output has a line matching PATTERN.
expect() {
	if grep -qE "$3" "$1"; then
		echo "ok - harness: $2"
	else
		echo "not ok - harness: $2"
		echo "# no line matches: $3"
		sed 's/^/# /' "$1" | tail -n 15
		rc=1
	fi
}

c=tests/harness/canaries
(
	NFVS_VM_NAME=canary-a NFVS_TEST_TIMEOUT=10 "$run" "$series" \
		$c/flipped.sh $c/exit_status.sh $c/silent.sh $c/short_plan.sh \
		$c/hang.sh $c/kernel_warning.sh
	echo "exit $?"
) >"$out/a.txt" 2>&1 &
(
	NFVS_VM_NAME=canary-b "$run" "$series" $c/crash.sh
	echo "exit $?"
) >"$out/b.txt" 2>&1 &
(
	NFVS_VM_NAME=canary-c NFVS_VM_TIMEOUT=30 NFVS_TEST_TIMEOUT=2000 \
		"$run" "$series" $c/stuck.sh
	echo "exit $?"
) >"$out/c.txt" 2>&1 &
wait

expect "$out/a.txt" "a flipped assertion in a guest fails the run" \
	'^not ok - [^:]+: flipped: net.nfvs.conntrack defaults to 1'
expect "$out/a.txt" "a script exiting non-zero with all lines ok fails" \
	'^not ok - [^:]+: exit_status: exit status 3$'
expect "$out/a.txt" "a script reporting nothing fails" \
	'^not ok - [^:]+: silent: no test results'
expect "$out/a.txt" "a script running fewer tests than planned fails" \
	'^not ok - [^:]+: short_plan: planned 3 tests, ran 1$'
expect "$out/a.txt" "a script that hangs is stopped and fails" \
	'^not ok - [^:]+: hang: timed out$'
expect "$out/a.txt" "a kernel warning on the console fails the run" \
	'^not ok - [^:]+: console clean$'
expect "$out/a.txt" "the other scripts still ran and the guest finished" \
	'^ok - [^:]+: guest finished'
expect "$out/a.txt" "the run exits non-zero" '^exit [1-9]'
expect "$out/b.txt" "a guest kernel crash is reported" \
	'^not ok - [^:]+: guest stopped early'
expect "$out/b.txt" "the crash's oops on the console fails the run" \
	'^not ok - [^:]+: console clean$'
expect "$out/b.txt" "the crashed run exits non-zero" '^exit [1-9]'
expect "$out/c.txt" "a guest that does not finish in time fails the run" \
	'^not ok - [^:]+: guest did not finish within'
expect "$out/c.txt" "the stuck run exits non-zero" '^exit [1-9]'
exit $rc
