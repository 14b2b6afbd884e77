# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034
# TAP helpers for nfvs selftests (sourced). Scripts run as root inside a
# guest (scripts/vm/run.sh) with NFVS_KO and NFVS_HOOKDUMP_KO set; they
# print "ok N - ..." lines, a plan at the end, and exit 0 when all passed,
# 1 when any failed, 4 when the whole script does not apply (skip).

ksft_skip=4
nfvs_n=0
nfvs_failed=0
# A suffix that makes namespace names unique to this run.
nfvs_sfx=$(mktemp -u XXXXXX)

ok() {
	nfvs_n=$((nfvs_n + 1))
	echo "ok $nfvs_n - $*"
}

not_ok() {
	nfvs_n=$((nfvs_n + 1))
	nfvs_failed=$((nfvs_failed + 1))
	echo "not ok $nfvs_n - $*"
}

skip() {
	nfvs_n=$((nfvs_n + 1))
	echo "ok $nfvs_n - $1 # SKIP $2"
}

# check DESC CMD...: one test that passes when CMD succeeds.
check() {
	local desc=$1
	shift
	if "$@" >/dev/null 2>&1; then
		ok "$desc"
	else
		not_ok "$desc"
	fi
}

# check_eq DESC EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		echo "#   expected: $2"
		echo "#   got:      $3"
	fi
}

# skip_all REASON: the script does not apply here.
skip_all() {
	echo "$1" >&2
	exit $ksft_skip
}

tap_done() {
	echo "1..$nfvs_n"
	[ "$nfvs_failed" -eq 0 ]
	exit $?
}

nfvs_loaded() {
	grep -q '^nfvs ' /proc/modules
}

# nfvs_load: loads nfvs.ko and what it depends on.
nfvs_load() {
	[ -f "$NFVS_KO" ] || { echo "# no module at $NFVS_KO" >&2; return 1; }
	modprobe -q nf_conntrack 2>/dev/null
	insmod "$NFVS_KO"
}

nfvs_unload() {
	rmmod nfvs
}

# ipvs_modules: in-tree IPVS modules loaded, schedulers first (they hold
# ip_vs).
ipvs_modules() {
	awk '$1 ~ /^ip_vs_/ { print $1 }' /proc/modules
	awk '$1 == "ip_vs" { print $1 }' /proc/modules
}

ipvs_loaded() {
	grep -q '^ip_vs ' /proc/modules
}

# ipvs_unload: unloads in-tree IPVS, schedulers included.
ipvs_unload() {
	local m
	for m in $(ipvs_modules); do
		rmmod "$m" || return 1
	done
	[ -z "$(ipvs_modules)" ]
}

# lb_load, lb_unload: the balancer under test, nfvs or, with lb=ipvs
# (NFVS_LB=ipvs in scripts that offer it), in-tree IPVS.
lb_load() {
	if [ "${lb:-nfvs}" = nfvs ]; then
		nfvs_load
	else
		modprobe ip_vs
	fi
}

lb_unload() {
	if [ "${lb:-nfvs}" = nfvs ]; then
		nfvs_unload
	else
		ipvs_unload
	fi
}

# nfvs_refcnt: the module's use count.
nfvs_refcnt() {
	cat /sys/module/nfvs/refcnt 2>/dev/null
}

# nfvs_hooks [NETNS]: the IPv4 hooks of a namespace as "<hook> <priority>
# <function>" lines, from the nfvs_hookdump test helper module.
nfvs_hooks() {
	grep -q '^nfvs_hookdump ' /proc/modules || insmod "$NFVS_HOOKDUMP_KO" || return 1
	if [ -n "${1:-}" ]; then
		ip netns exec "$1" cat /proc/net/nfvs_hookdump
	else
		cat /proc/net/nfvs_hookdump
	fi | sed 's/ \[.*\]$//'
}

# The hooks nfvs registers, as nfvs_hooks prints them (ARCHITECTURE.md).
NFVS_EXPECTED_HOOKS="input 100 nfvs_in
forward 99 nfvs_forward_icmp
forward 100 nfvs_out
postrouting 99 nfvs_post_routing"
