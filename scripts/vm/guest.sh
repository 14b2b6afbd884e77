#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Second stage in the guest, run as init in the host's (read-only) root:
# runs the selftests named in /run/nfvs/job, one after the other, saving each
# one's TAP, stderr and exit status in the results share, then the kernel log,
# then powers off. The host decides what passed (scripts/vm/run.sh).
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp LANG=C.UTF-8
# Python caches the bytecode of the modules it imports (the tree is
# read-only here): nfvs_genl.py's is not compiled again at every run. For
# every user (ctl_perm.sh runs clients as nobody).
export PYTHONPYCACHEPREFIX=/tmp/nfvs-pycache
res=/run/nfvs
top=${nfvs_top:?}

mkdir -p /dev/pts /dev/shm
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /var/tmp 2>/dev/null
echo 1 >/proc/sys/kernel/sysrq
ip link set lo up
hostname nfvs-guest
cd /tmp || exit 1
mkdir -m 1777 "$PYTHONPYCACHEPREFIX"

# shellcheck source=/dev/null
. "$res/job"
export NFVS_TOP=$top NFVS_KVER NFVS_KO NFVS_HOOKDUMP_KO NFVS_KSELFTEST_IPVS NFVS_SPREAD
export NFVS_RESULTS=$res
# shellcheck disable=SC2086
[ -n "${NFVS_GUEST_ENV:-}" ] && export ${NFVS_GUEST_ENV?}
# The tests load the tree's nfvs.ko with insmod. A copy installed in this
# root (make install, DKMS) must not load behind their back: a netlink
# client asking for the nfvs family makes the kernel run modprobe, e.g.
# right after a test's rmmod. Unless the tests are about that copy.
if [ "${NFVS_VM_INSTALLED:-0}" != 1 ]; then
	mkdir -p /run/modprobe.d
	echo "install nfvs /bin/false" >/run/modprobe.d/nfvs-tree-only.conf
fi
echo "nfvs-guest: kernel $(uname -r), running ${#NFVS_TESTS[@]} test script(s)"

# busy: CPU seconds (all CPUs) not idle since boot, from /proc/stat.
busy() {
	awk '$1 == "cpu" { print int(($2 + $3 + $4 + $7 + $8) / 100); exit }' /proc/stat
}

# NFVS_EXECS=1 (passed with NFVS_GUEST_ENV): results/NN-script.execs counts
# the programs each script started (the sched_process_exec tracepoint), to
# see where a script's CPU goes.
trace=/sys/kernel/tracing
execs_start() {
	mountpoint -q $trace || mount -t tracefs tracefs $trace
	echo 65536 >$trace/buffer_size_kb
	echo >$trace/trace
	echo 1 >$trace/events/sched/sched_process_exec/enable
}

execs_end() {
	echo 0 >$trace/events/sched/sched_process_exec/enable
	grep -o 'filename=[^ ]*' $trace/trace | sort | uniq -c | sort -rn
}

# leaks: on a kernel with kmemleak (the debug kernel), what it finds
# unreferenced once the scripts are over, then forgets it. kmemleak reports
# only objects older than 5 s: the guest waits that long first, then scans
# twice. The host fails the boot on any report (scripts/vm/run.sh). Once a
# boot, not after each script: the two scans of the guest's memory took
# about 25 s of the debug kernel each time, six minutes of a boot of
# thirteen scripts; a report's backtraces name what allocated the object.
kmemleak=/sys/kernel/debug/kmemleak
mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
leaks() {
	sleep 6
	# An object is reported once its contents were the same in two
	# scans (kmemleak's checksum): a leak of the script's needs both.
	echo scan >$kmemleak
	echo scan >$kmemleak
	cat $kmemleak
	echo clear >$kmemleak
}
# What the boot itself left unreferenced is not a script's.
[ -e $kmemleak ] && leaks >"$res/boot.kmemleak-ignored"

i=0
for t in "${NFVS_TESTS[@]}"; do
	i=$((i + 1))
	name=$(printf '%02d-%s' "$i" "$(basename "$t" .sh)")
	t0=$(cut -d" " -f1 /proc/uptime)
	b0=$(busy)
	[ -n "${NFVS_EXECS:-}" ] && execs_start
	echo "nfvs-guest: start $t at ${t0}s"
	timeout -k 5 "${NFVS_TEST_TIMEOUT:-1200}" bash "$top/$t" \
		>"$res/$name.tap" 2>"$res/$name.err" </dev/null
	echo $? >"$res/$name.rc"
	t1=$(cut -d" " -f1 /proc/uptime)
	echo $((${t1%.*} - ${t0%.*})) >"$res/$name.secs"
	echo $(($(busy) - b0)) >"$res/$name.busy"
	[ -n "${NFVS_EXECS:-}" ] && execs_end >"$res/$name.execs"
	echo "nfvs-guest: end $t rc=$(cat "$res/$name.rc") at ${t1}s"
	# Whatever a script left loaded must not leak into the next one.
	for m in nfvs $(awk '$1 ~ /^ip_vs_/ { print $1 }' /proc/modules) ip_vs; do
		grep -q "^$m " /proc/modules && rmmod "$m"
	done
done
[ -e $kmemleak ] && leaks >"$res/end.kmemleak"

# Which detectors are still on at the end (the host checks the debug
# kernel's: a lockdep report switches lockdep off for the rest of the boot).
{
	grep -h 'debug_locks:' /proc/lockdep_stats
	[ -e $kmemleak ] && echo "kmemleak: on"
} >"$res/detectors" 2>/dev/null
dmesg >"$res/dmesg.txt"
echo finished >"$res/done"
sync
echo "nfvs-guest: finished"
echo o >/proc/sysrq-trigger
# Init must never exit (the kernel would panic): a loaded host may take a
# while to power the guest off.
while :; do
	sleep 60
done
