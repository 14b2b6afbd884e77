#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The VM harness must not be able to report green by accident. Boots the
# canaries of tests/harness/canaries/ (a flipped assertion, a failing exit
# status, silence, a short plan, a hang, a kernel warning, a crash, a guest
# that makes no progress, one that outlives its time cap, a QEMU that
# dies of a signal once and one that dies every time; on the debug
# kernel, a bug for each of lockdep, the sleep-in-atomic check, KASAN and
# kmemleak) under scripts/vm/run.sh and checks that each one is reported
# as the failure it is. Prints "ok - harness: ..." result lines.
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

# One boot after the other: make check runs this as one job, on one CPU.
c=tests/harness/canaries
{
	NFVS_VM_NAME=canary-a NFVS_TEST_TIMEOUT=10 "$run" "$series" \
		$c/flipped.sh $c/exit_status.sh $c/silent.sh $c/short_plan.sh \
		$c/hang.sh $c/kernel_warning.sh
	echo "exit $?"
} >"$out/a.txt" 2>&1
{
	NFVS_VM_NAME=canary-b "$run" "$series" $c/crash.sh
	echo "exit $?"
} >"$out/b.txt" 2>&1
# stuck.sh outlives the time the host waits for progress: the host's
# watchdog, not the guest's own timeout, must stop it.
{
	NFVS_VM_NAME=canary-c NFVS_TEST_TIMEOUT=2000 NFVS_VM_STALL=60 \
		"$run" "$series" $c/stuck.sh
	echo "exit $?"
} >"$out/c.txt" 2>&1
{
	NFVS_VM_NAME=canary-d NFVS_VM_TIMEOUT=30 NFVS_TEST_TIMEOUT=2000 \
		"$run" "$series" $c/stuck.sh
	echo "exit $?"
} >"$out/d.txt" 2>&1

# QEMU dies of a signal (tests/harness/qemu_abort.sh): once, and the guest
# boots again and passes; twice, and the run fails with QEMU's last words.
for f in f:1 g:2; do
	rm -f "$out/aborts-${f%:*}"
	{
		NFVS_VM_NAME=canary-${f%:*} NFVS_QEMU=$NFVS_TOP/tests/harness/qemu_abort.sh \
			NFVS_ABORTS=${f#*:} NFVS_ABORT_COUNT=$out/aborts-${f%:*} \
			"$run" "$series" $c/passes.sh
		echo "exit $?"
	} >"$out/${f%:*}.txt" 2>&1
done

# The debug kernel's detectors, each on a bug of the canary module (lockdep
# first: a KASAN report switches lockdep off).
if [[ " $NFVS_SERIES " == *" debug "* ]]; then
	{
		NFVS_VM_NAME=canary-e "$run" debug $c/debug_lockdep.sh \
			$c/debug_atomic_sleep.sh $c/debug_kasan.sh $c/debug_leak.sh
		echo "exit $?"
	} >"$out/e.txt" 2>&1
	expect "$out/e.txt" "debug kernel: a lock-order inversion fails the run (lockdep)" \
		'^# .*possible circular locking dependency detected'
	expect "$out/e.txt" "debug kernel: a sleep with a spinlock held fails the run" \
		'^# .*BUG: sleeping function called from invalid context'
	expect "$out/e.txt" "debug kernel: an out-of-bounds read fails the run (KASAN)" \
		'^# .*BUG: KASAN: slab-out-of-bounds'
	expect "$out/e.txt" "debug kernel: a leak fails the run (kmemleak)" \
		'^not ok - [^:]+: kmemleak: no unreferenced object after the scripts'
	expect "$out/e.txt" "debug kernel: the run exits non-zero" '^exit [1-9]'
fi

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
expect "$out/c.txt" "a guest whose script makes no progress is stopped and fails" \
	'^not ok - [^:]+: guest made no progress for 60s \(in 01-stuck\)$'
expect "$out/c.txt" "the stalled run exits non-zero" '^exit [1-9]'
expect "$out/d.txt" "a guest that does not finish within NFVS_VM_TIMEOUT fails" \
	'^not ok - [^:]+: guest did not finish within 30s'
expect "$out/d.txt" "the capped run exits non-zero" '^exit [1-9]'
expect "$out/f.txt" "a QEMU that died of a signal is booted again, once" \
	'^# [^:]+: qemu stopped with status 134 \(qemu_abort.sh: abort 1 of 1, on purpose\)'
expect "$out/f.txt" "and the guest that then finished passes" '^exit 0$'
expect "$out/g.txt" "a QEMU that dies twice fails the run, with its last words" \
	'^not ok - [^:]+: guest stopped early \(qemu exit status 134: qemu_abort.sh: abort 2 of 2, on purpose\)$'
expect "$out/g.txt" "the twice-aborted run exits non-zero" '^exit [1-9]'
exit $rc
