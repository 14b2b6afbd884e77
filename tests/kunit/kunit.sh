#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# KUnit, in a guest of make check's debug kernel (KASAN, lockdep, kmemleak;
# scripts/kunit.sh boots it with scripts/vm/run.sh): loads and unloads
# nfvs_kunit.ko (nfvs.ko plus the suites of tests/kunit/, built for the
# debug kernel by scripts/build-matrix.sh) NFVS_KUNIT_LOADS times (2);
# KUnit runs every suite at each load. The kernel log of the loads, from
# the "nfvs-kunit: start" line that marks their start, is read by the
# parser of scripts/kunit.sh, whose result lines this script prints: one
# per test case, the console of the loads clean, every suite run at every
# load, lockdep still on at the end.
top=$(cd "$(dirname "$0")/../.." && pwd)
ko=${NFVS_KO%/*}/kunit/nfvs_kunit.ko
loads=${NFVS_KUNIT_LOADS:-2}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# mark TEXT: a line of the kernel log, between KUnit's own.
mark() {
	echo "nfvs-kunit: $*" >/dev/kmsg
}

if [ ! -f "$ko" ]; then
	echo "not ok - nfvs_kunit.ko is built ($ko missing: scripts/build-matrix.sh)"
	echo "1..1"
	exit 1
fi
# What the module needs that insmod does not load (nf_conntrack, ...).
for m in $(modinfo -F depends "$ko" | tr , ' '); do
	modprobe -q "$m" || echo "# cannot load $m, which nfvs_kunit.ko depends on"
done

mark "start $ko loads=$loads"
i=1
while [ "$i" -le "$loads" ]; do
	insmod "$ko"
	mark "insmod $i rc=$?"
	rmmod nfvs_kunit
	rc=$?
	[ -e /sys/module/nfvs_kunit ] && rc="$rc, still loaded"
	mark "rmmod $i rc=$rc"
	i=$((i + 1))
done
mark "$(grep -o 'debug_locks:.*' /proc/lockdep_stats | tr -d ' ')"
mark "done"
# The log from the start of the loads on; the results named SUITE.CASE.
dmesg | sed -n '/nfvs-kunit: start /,$p' >"$log"
tap=$(bash "$top/scripts/kunit.sh" --parse-guest "$log")
rc=$?
printf '%s\n' "$tap"
echo "1..$(grep -cE '^(not )?ok ' <<<"$tap")"
exit "$rc"
