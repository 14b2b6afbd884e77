#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# cpulimit.sh CPUS CMD...: runs CMD in a cgroup of its own whose CPU quota
# is CPUS (e.g. 1.2: 120 ms of CPU time every 100 ms, for all of CMD's
# processes together), to reproduce a slow or shared machine on a fast one:
#
#   scripts/cpulimit.sh 1.2 make check
#
# Works with cgroup v2 (cpu.max) and v1 (the cpu controller's
# cpu.cfs_quota_us). Needs root. The cgroup is removed when CMD ends.
# make check sees the quota (scripts/lib.sh, nfvs_cpus) and runs as many
# guests at once as it allows.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

cpus=${1:?usage: cpulimit.sh CPUS CMD...}
shift
[ $# -gt 0 ] || nfvs_die "usage: cpulimit.sh CPUS CMD..."
period=100000
quota=$(awk -v c="$cpus" -v p=$period 'BEGIN { if (c + 0 > 0) printf "%d", c * p }')
[ -n "$quota" ] || nfvs_die "cpulimit.sh: CPUS must be a number above 0 (got '$cpus')"

name=nfvs-cpulimit-$$
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
	cg=/sys/fs/cgroup/$name
	grep -qw cpu /sys/fs/cgroup/cgroup.subtree_control ||
		echo +cpu >/sys/fs/cgroup/cgroup.subtree_control ||
		nfvs_die "cpulimit.sh: cannot enable the cpu controller"
	mkdir "$cg" && echo "$quota $period" >"$cg/cpu.max"
else
	cg=/sys/fs/cgroup/cpu/$name
	mkdir "$cg" && echo $period >"$cg/cpu.cfs_period_us" &&
		echo "$quota" >"$cg/cpu.cfs_quota_us"
fi || nfvs_die "cpulimit.sh: cannot make a cgroup with a CPU quota (root?)"
# cgroup v1 with cpuacct apart: a cpuacct cgroup too, so that make check
# can tell how much of the quota its jobs use (nfvs_cpu_free).
acct=
if [ ! -f "$cg/cpuacct.usage" ] && [ -d /sys/fs/cgroup/cpuacct ] &&
   mkdir "/sys/fs/cgroup/cpuacct/$name" 2>/dev/null; then
	acct=/sys/fs/cgroup/cpuacct/$name
fi

# CMD runs in a child that joins the cgroup; this shell stays outside it
# to remove the cgroup once every process in it is gone.
(echo "$BASHPID" >"$cg/cgroup.procs" &&
	{ [ -z "$acct" ] || echo "$BASHPID" >"$acct/cgroup.procs"; } && exec "$@")
rc=$?
while [ -n "$(cat "$cg/cgroup.procs" 2>/dev/null)" ]; do
	sleep 1
done
rmdir "$cg" ${acct:+"$acct"}
exit $rc
