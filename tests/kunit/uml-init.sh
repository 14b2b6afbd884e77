#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# init of the User-Mode Linux kernel that scripts/kunit.sh boots on the host's
# root (hostfs, read-only): loads and unloads nfvs_kunit.ko LOADS times (KUnit
# runs the suites on every load), then powers off. Its "nfvs-kunit:" lines on
# the console are read by the parser of scripts/kunit.sh.
#
# Usage (kernel command line): init=.../uml-init.sh -- KO LOADS
# (the kernel appends its own arguments after ours).

PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH

ko=$1
loads=$2

mount -t proc proc /proc
mount -t sysfs sysfs /sys

echo "nfvs-kunit: start $ko loads=$loads"
i=1
while [ "$i" -le "$loads" ]; do
	insmod "$ko"
	echo "nfvs-kunit: insmod $i rc=$?"
	rmmod nfvs_kunit
	rc=$?
	[ -e /sys/module/nfvs_kunit ] && rc="$rc, still loaded"
	echo "nfvs-kunit: rmmod $i rc=$rc"
	i=$((i + 1))
done
echo "nfvs-kunit: $(grep -o 'debug_locks:.*' /proc/lockdep_stats | tr -d ' ')"
echo "nfvs-kunit: done"

poweroff -f || busybox poweroff -f
echo "nfvs-kunit: cannot power off"
