# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034
# TAP helpers for nfvs selftests (sourced). Scripts run as root inside a
# guest (scripts/vm/run.sh) with NFVS_KO and NFVS_HOOKDUMP_KO set; they
# declare their plan first ("plan N"), print "ok N - ..." lines, and exit 0
# when all passed, 1 when any failed, 4 when the whole script does not
# apply (skip). The host fails a script whose results are not as many as
# its plan: a loop that stopped early, a check that vanished, a script cut
# short (a condition that leaves a check out prints a skip instead).

ksft_skip=4
nfvs_n=0
nfvs_failed=0
# A suffix that makes namespace names unique to this run.
nfvs_sfx=$(mktemp -u XXXXXX)
# The selftests' directory (lbpeer.py, nfvs_genl.py, malformed.py).
nfvs_dir=${BASH_SOURCE[0]%/*}

# NFVS_TAP_TIME=1: each passing result is preceded by "# t=N", the seconds
# since the script began (where a script's time goes).
ok() {
	nfvs_n=$((nfvs_n + 1))
	[ -n "${NFVS_TAP_TIME:-}" ] && echo "# t=$SECONDS"
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
		return 1
	fi
}

# term_wait PID SECONDS: SIGTERM to PID (a child of this shell), then waits
# up to SECONDS for it to end; returns its exit status, or 124 (after a
# SIGKILL) when it did not end in time.
term_wait() {
	local i
	kill -TERM "$1" 2>/dev/null
	for ((i = 0; i < $2 * 5; i++)); do
		if ! kill -0 "$1" 2>/dev/null; then
			wait "$1"
			return
		fi
		sleep 0.2
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 124
}

# keepalived_errors LOG: the lines of keepalived's LOG that report an IPVS
# or netlink error.
keepalived_errors() {
	grep -i -E 'ipvs.*(errno|fail|error)|netlink.*error|cannot|can.t ' "$1"
}

# skip_all REASON: the script does not apply here.
skip_all() {
	echo "$1" >&2
	exit $ksft_skip
}

# plan N: the script gives N results, whatever happens (TAP's plan, first).
# NFVS_PLAN, when set, is the plan of a script that another execs (for
# bench_smoke.sh, bench/guest.sh with a fixed configuration).
plan() {
	nfvs_plan=$1
	echo "1..$1"
}
nfvs_plan=
[ -n "${NFVS_PLAN:-}" ] && plan "$NFVS_PLAN"

# tap_done: the end; with no plan declared, the count of results is the plan.
tap_done() {
	[ -n "$nfvs_plan" ] || echo "1..$nfvs_n"
	[ "$nfvs_failed" -eq 0 ]
	exit $?
}

# nx NS CMD...: CMD in network namespace NS.
nx() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

# ns_del NS...: stops what runs in each namespace and deletes it. The
# processes are found as "ip netns pids" finds them (their /proc/PID/ns/net
# is the namespace's file), by the shell, and one ip deletes them all.
ns_del() {
	local ns p del=()
	for ns in "$@"; do
		[ -e "/run/netns/$ns" ] || continue
		for p in /proc/[0-9]*; do
			[[ $p/ns/net -ef /run/netns/$ns ]] && kill "${p#/proc/}" 2>/dev/null
		done
		del+=("netns del $ns")
	done
	[ ${#del[@]} -gt 0 ] && printf '%s\n' "${del[@]}" | ip -force -batch - 2>/dev/null
	return 0
}

# poll SECONDS CMD...: runs CMD every 0.2 s until it succeeds (0) or
# SECONDS have passed (1).
poll() {
	local i
	for ((i = 0; i < $1 * 5; i++)); do
		"${@:2}" && return 0
		sleep 0.2
	done
	return 1
}

# sleep SECONDS: as sleep(1) for a number of seconds, but without starting
# a program: a read that times out on a pipe nobody writes to. On the
# debug kernel under emulation every program started costs a good part of
# a second, and the scripts sleep hundreds of times (poll's every 0.2 s).
# Anything else than a plain number goes to sleep(1).
exec {nfvs_nap_fd}<> <(:)
sleep() {
	if [ $# -eq 1 ] && [[ $1 =~ ^[0-9]+(\.[0-9]+)?$ ]]; then
		read -r -t "$1" -u "$nfvs_nap_fd" _
		return 0
	fi
	command sleep "$@"
}

# ipvsadm_rules NS: the ipvsadm commands on stdin, one a line, by one
# "ipvsadm -R" in network namespace NS (one program, not one a command);
# fails when any of them failed (ipvsadm -R goes on past a failed line and
# exits with the last line's status, but each failure prints an error).
ipvsadm_rules() {
	local err
	err=$(ip netns exec "$1" ipvsadm -R 2>&1 >/dev/null) && [ -z "$err" ] && return 0
	echo "$err" >&2
	return 1
}

# comment [PREFIX]: stdin as TAP comments ("# PREFIX" before each line), by
# the shell.
comment() {
	local line
	while IFS= read -r line; do
		echo "# ${1:-}$line"
	done
}

# Text read by the shell rather than by grep or awk (programs are dear on
# the debug kernel). count REGEX TEXT: how many lines of TEXT match the
# extended regular expression REGEX.
count() {
	local l n=0
	while IFS= read -r l; do
		[[ $l =~ $1 ]] && n=$((n + 1))
	done <<<"$2"
	echo $n
}

# matching REGEX TEXT: the lines of TEXT that match REGEX.
matching() {
	local l
	while IFS= read -r l; do
		[[ $l =~ $1 ]] && printf '%s\n' "$l"
	done <<<"$2"
}

# field N REGEX TEXT: word N (from 1) of each line of TEXT that matches
# REGEX, on one line.
field() {
	local l w out=()
	while IFS= read -r l; do
		read -r -a w <<<"$l"
		[[ $l =~ $2 ]] && out+=("${w[$1 - 1]}")
	done <<<"$3"
	echo "${out[*]}"
}

# peer_start NS MODE NAME ARGS...: "lbpeer.py MODE NAME ARGS..." in network
# namespace NS, in the background; returns once its sockets listen (it
# says "ready"), 1 if they do not within 60 s: until then a request is
# refused, and python takes seconds to start under emulation on a loaded
# machine.
peer_start() {
	local ns=$1 out rc
	shift
	out=${TMPDIR:-/tmp}/nfvs-peer.$nfvs_sfx.$BASHPID.$RANDOM
	ip netns exec "$ns" python3 -S "$nfvs_dir/lbpeer.py" "$@" >"$out" &
	poll 60 peer_ready "$out"
	rc=$?
	rm -f "$out"
	return $rc
}

# peer_ready FILE: FILE has a line "ready" (read by the shell: poll runs
# this every 0.2 s while python starts, seconds on the debug kernel).
peer_ready() {
	local l
	while read -r l; do
		[ "$l" = ready ] && return 0
	done <"$1"
	return 1
}

# The debug kernel (KASAN, lockdep, kmemleak, 2 vCPUs) runs nfvs's code 5
# to 15 times slower under emulation than a Debian kernel. There each
# datapath script runs in the debug profile: every scenario that exercises
# nfvs's code, once, at a smaller volume (volume), without what only
# repeats the same code of nfvs (the in-tree IPVS halves, which the Debian
# kernels compare; a second tool for the same rules). NFVS_DEBUG_PROFILE=1
# gives the profile on a Debian kernel (to check a script's plan quickly).
debug_profile() {
	[ "${NFVS_DEBUG_PROFILE:-}" = 1 ] && return 0
	case ${NFVS_KVER:-} in *-nfvs-debug) return 0 ;; esac
	return 1
}

# volume N [D]: N, or in the debug profile D (default: a tenth of N, at
# least 1).
volume() {
	local d=$(($1 / 10))
	if debug_profile; then
		echo "${2:-$((d > 0 ? d : 1))}"
	else
		echo "$1"
	fi
}

# A corpus (a fuzzer's messages or frames) is spread over the kernels of a
# make check rather than repeated on each: NFVS_SPREAD=K/N says this is
# kernel K (from 0) of N; run alone, a script is kernel 0 of 1 and does it
# all. spread_k prints K; spread_share TOTAL prints this kernel's part of
# TOTAL (the parts of the N kernels add up to TOTAL).
spread_k() {
	local s=${NFVS_SPREAD:-0/1}
	echo "${s%/*}"
}

# spread_has I: whether item I (from 0) of a list is this kernel's.
spread_has() {
	local s=${NFVS_SPREAD:-0/1}
	[ $(($1 % ${s#*/})) -eq "${s%/*}" ]
}

spread_share() {
	local s=${NFVS_SPREAD:-0/1} k n
	k=${s%/*} n=${s#*/}
	echo $((($1 + n - 1 - k) / n))
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

# The kernel log lines that fail a run (NFVS_CONSOLE_BAD of scripts/lib.sh,
# which the host applies to the whole console).
# shellcheck source=../../scripts/lib.sh
NFVS_KLOG_BAD=$(. "$nfvs_dir/../../scripts/lib.sh" &&
	echo "$NFVS_CONSOLE_BAD")

# nfvs_kmsg_mark NAME: writes a mark into the kernel log; nfvs_klog_problems
# looks only after it.
nfvs_kmsg_mark() {
	echo "nfvs-selftest: mark $1" >/dev/kmsg
}

# nfvs_klog_problems NAME: the kernel log lines since the mark NAME (all of
# the log if it is gone) that report a warning, oops, KASAN, lockdep...;
# succeeds, printing them, when there are any.
nfvs_klog_problems() {
	# (The pattern from the environment: awk -v would take its
	# backslashes for escapes.)
	dmesg | bad=${NFVS_KLOG_BAD:-BUG:|WARNING:|Oops} awk -v m="nfvs-selftest: mark $1" '
		index($0, m) { n = 0; next }
		$0 ~ ENVIRON["bad"] { line[n++] = $0 }
		END {
			for (i = 0; i < n && i < 20; i++)
				print line[i]
			exit n == 0
		}'
}
