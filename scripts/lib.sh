# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Shared definitions for nfvs's scripts: caches, the kernel matrix, logging.

NFVS_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NFVS_CACHE=${NFVS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nfvs}
NFVS_BUILD=${NFVS_BUILD:-$NFVS_TOP/build}
NFVS_CHROOT=${NFVS_CHROOT:-$NFVS_CACHE/trixie-chroot}
# The slow tier's fresh Debian 12 (debootstrap and its kernel, nothing else).
NFVS_FRESH=${NFVS_FRESH:-$NFVS_CACHE/bookworm-fresh}

# The kernel matrix: series name -> where Debian ships it.
NFVS_SERIES=${NFVS_SERIES:-"6.1 6.12 7.3"}

# nfvs_cpus: how many CPU-bound jobs (a TCG guest) this
# host can run at once without starving one: the CPUs we may use, lowered
# by the CPU quota of our cgroup and of its parents (cgroup v2 cpu.max or
# v1 cpu.cfs_quota_us), rounded to the nearest whole CPU, at least 1.
# NFVS_JOBS overrides it.
nfvs_cpus() {
	local n cg q p best
	if [ -n "${NFVS_JOBS:-}" ]; then
		echo "$NFVS_JOBS"
		return
	fi
	n=$(nproc)
	best=$((n * 100))
	# cgroup v2 ("0::/path") and v1's cpu controller ("N:cpu,...:/path").
	cg=$(sed -n 's/^0:://p' /proc/self/cgroup)
	if [ -f "/sys/fs/cgroup/cpu.max" ] || [ -f "/sys/fs/cgroup$cg/cpu.max" ]; then
		while :; do
			if read -r q p 2>/dev/null <"/sys/fs/cgroup$cg/cpu.max" &&
			   [ "$q" != max ] && [ $((q * 100 / p)) -lt $best ]; then
				best=$((q * 100 / p))
			fi
			[ -z "$cg" ] || [ "$cg" = / ] && break
			cg=${cg%/*}
		done
	else
		cg=$(sed -n 's/^[0-9]*:\([^:]*,\)\{0,1\}cpu\(,[^:]*\)\{0,1\}:\(.*\)/\3/p' /proc/self/cgroup)
		while [ -d "/sys/fs/cgroup/cpu$cg" ]; do
			q=$(cat "/sys/fs/cgroup/cpu$cg/cpu.cfs_quota_us" 2>/dev/null || echo -1)
			p=$(cat "/sys/fs/cgroup/cpu$cg/cpu.cfs_period_us" 2>/dev/null || echo 100000)
			if [ "$q" -gt 0 ] && [ $((q * 100 / p)) -lt $best ]; then
				best=$((q * 100 / p))
			fi
			[ -z "$cg" ] || [ "$cg" = / ] && break
			cg=${cg%/*}
		done
	fi
	n=$(((best + 50) / 100))
	[ $n -lt 1 ] && n=1
	echo $n
}

# nfvs_cpu_quota_stat: the cpu.stat of the nearest cgroup (ours or a
# parent) with a CPU quota, or nothing.
nfvs_cpu_quota_stat() {
	local cg q
	cg=$(sed -n 's/^0:://p' /proc/self/cgroup)
	if [ -f "/sys/fs/cgroup/cpu.max" ] || [ -f "/sys/fs/cgroup$cg/cpu.max" ]; then
		while :; do
			read -r q _ 2>/dev/null <"/sys/fs/cgroup$cg/cpu.max" &&
				[ "$q" != max ] && { echo "/sys/fs/cgroup$cg/cpu.stat"; return; }
			[ -z "$cg" ] || [ "$cg" = / ] && return
			cg=${cg%/*}
		done
	fi
	cg=$(sed -n 's/^[0-9]*:\([^:]*,\)\{0,1\}cpu\(,[^:]*\)\{0,1\}:\(.*\)/\3/p' /proc/self/cgroup)
	while [ -d "/sys/fs/cgroup/cpu$cg" ]; do
		q=$(cat "/sys/fs/cgroup/cpu$cg/cpu.cfs_quota_us" 2>/dev/null || echo -1)
		[ "$q" -gt 0 ] && { echo "/sys/fs/cgroup/cpu$cg/cpu.stat"; return; }
		[ -z "$cg" ] || [ "$cg" = / ] && return
		cg=${cg%/*}
	done
}

# nfvs_cpu_usage_us QUOTA_STAT: the CPU time (microseconds) used by the
# cgroup with the quota (cgroup v2: its cpu.stat; v1: our cpuacct cgroup,
# unless that is the root), or nothing.
nfvs_cpu_usage_us() {
	local cg
	if [ "${1##*/}" = cpu.stat ] && [ -f "${1%/*}/cpu.max" ]; then
		awk '$1 == "usage_usec" { print $2 }' "$1"
		return
	fi
	cg=$(sed -n 's/^[0-9]*:\([^:]*,\)\{0,1\}cpuacct\(,[^:]*\)\{0,1\}:\(.*\)/\3/p' /proc/self/cgroup)
	for d in /sys/fs/cgroup/cpuacct /sys/fs/cgroup/cpu,cpuacct; do
		if [ -n "$cg" ] && [ "$cg" != / ] && [ -f "$d$cg/cpuacct.usage" ]; then
			echo $(($(cat "$d$cg/cpuacct.usage") / 1000))
			return
		fi
	done
}

# nfvs_cpu_quota QUOTA_STAT: that cgroup's quota, in hundredths of a CPU.
nfvs_cpu_quota() {
	local d=${1%/*} q p
	if [ -f "$d/cpu.max" ]; then
		read -r q p <"$d/cpu.max"
	else
		q=$(cat "$d/cpu.cfs_quota_us") p=$(cat "$d/cpu.cfs_period_us")
	fi
	echo $((q * 100 / p))
}

# nfvs_cpu_free SECONDS: the CPU left unused over the next SECONDS, in
# hundredths of a CPU. Under a CPU quota (ours or a parent's): 0 when it
# held us back (throttled) in more than a tenth of its periods, else the
# quota less what its cgroup used, so that other work on the host does not
# count (cgroup v1 needs our own cpuacct cgroup for that, which
# scripts/cpulimit.sh makes). Otherwise the host's idle time.
nfvs_cpu_free() {
	local st a b p0 t0 u0 p1 t1 u1 ns0 ns1 _c user nice sys idle iow rest
	st=$(nfvs_cpu_quota_stat)
	read -r _c user nice sys idle iow rest </proc/stat
	a=$((user + nice + sys + idle + iow)); b=$((idle + iow))
	for rest in $rest; do a=$((a + rest)); done
	if [ -n "$st" ]; then
		read -r p0 t0 < <(nfvs_cpu_throttled "$st")
		u0=$(nfvs_cpu_usage_us "$st") ns0=$(date +%s%N)
	fi
	sleep "$1"
	read -r _c user nice sys idle iow rest </proc/stat
	local a1=$((user + nice + sys + idle + iow)) b1=$((idle + iow))
	for rest in $rest; do a1=$((a1 + rest)); done
	if [ -n "$st" ]; then
		read -r p1 t1 < <(nfvs_cpu_throttled "$st")
		u1=$(nfvs_cpu_usage_us "$st") ns1=$(date +%s%N)
		if [ $((p1 - p0)) -gt 0 ] && [ $(((t1 - t0) * 10)) -gt $((p1 - p0)) ]; then
			echo 0
			return
		fi
		if [ -n "$u0" ] && [ -n "$u1" ]; then
			a=$(($(nfvs_cpu_quota "$st") - (u1 - u0) * 100 / ((ns1 - ns0) / 1000 + 1)))
			echo $((a > 0 ? a : 0))
			return
		fi
	fi
	[ $((a1 - a)) -gt 0 ] || { echo 0; return; }
	echo $(((b1 - b) * 100 * $(nproc) / (a1 - a)))
}

# nfvs_cpu_throttled FILE: "PERIODS THROTTLED" of a cgroup's cpu.stat.
nfvs_cpu_throttled() {
	awk '$1 == "nr_periods" { p = $2 } $1 == "nr_throttled" { t = $2 }
		END { print p + 0, t + 0 }' "$1"
}

nfvs_log() { printf '%s\n' "$*" >&2; }
nfvs_die() { printf 'nfvs: %s\n' "$*" >&2; exit 1; }

# nfvs_debug_dir: where the debug kernel of the current configuration
# (tests/debug-kernel/*.config, linux-source-6.1's version) is, built or
# not (scripts/debug-kernel.sh builds it): obj/ (kbuild's output, the KDIR
# of external modules), root/boot/vmlinuz-KVER, root/usr/lib/modules/KVER,
# and the file kernelrelease.
nfvs_debug_dir() {
	local key
	# The options only: a comment changes nothing.
	key=$({ grep -hE '^(CONFIG_|# CONFIG_)' "$NFVS_TOP"/tests/debug-kernel/*.config
		dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null; } |
		sha256sum | cut -c1-12)
	echo "$NFVS_CACHE/debug-$key"
}

# nfvs_kver SERIES [ROOT]: the newest installed Debian amd64 kernel release
# of a series (e.g. 6.1 -> 6.1.0-56-amd64) on the host or in ROOT, or
# nothing. The series "debug" is the debug kernel, once built.
nfvs_kver() {
	local d
	if [ "$1" = debug ]; then
		d=$(nfvs_debug_dir)
		if [ -f "$d/kernelrelease" ]; then
			cat "$d/kernelrelease"
		fi
		return 0
	fi
	# if, not &&: a series not installed (a fresh machine) must print
	# nothing and succeed, also under set -e and pipefail (deps.sh).
	for d in "${2:-}"/usr/lib/modules/"$1".[0-9]*-amd64; do
		if [ -f "$d/modules.dep" ]; then
			echo "${d##*/}"
		fi
	done | sort -V | tail -n 1
}

# nfvs_vmlinuz KVER [ROOT]: the bootable image of an installed kernel.
nfvs_vmlinuz() {
	local f root=${2:-}
	case $1 in *-nfvs-debug) root=$(nfvs_debug_dir)/root ;; esac
	for f in "$root"/boot/vmlinuz-"$1" "$root"/usr/lib/modules/"$1"/vmlinuz; do
		[ -f "$f" ] && { echo "$f"; return 0; }
	done
	return 1
}

# nfvs_kdir KVER: the kbuild directory for a kernel: the debug kernel's obj/,
# or Debian's headers on the host or in the trixie chroot (printed as a
# path inside the chroot, prefixed "chroot:").
nfvs_kdir() {
	local debug
	debug=$(nfvs_debug_dir)
	if [ "$1" = "$(cat "$debug/kernelrelease" 2>/dev/null)" ]; then
		echo "$debug/obj"
	elif [ -d "/usr/src/linux-headers-$1" ]; then
		echo "/usr/src/linux-headers-$1"
	elif [ -d "$NFVS_CHROOT/usr/src/linux-headers-$1" ]; then
		echo "chroot:/usr/src/linux-headers-$1"
	else
		return 1
	fi
}

# nfvs_build_nbench: the benchmark's TCP ends, bench/nbench.c, into
# $NFVS_BUILD/bench/nbench (make bench, and make check for bench_smoke.sh).
nfvs_build_nbench() {
	mkdir -p "$NFVS_BUILD/bench" &&
		gcc -O2 -Wall -Wextra -Werror -o "$NFVS_BUILD/bench/nbench" \
			"$NFVS_TOP/bench/nbench.c"
}

# nfvs_linux_source: the path of linux-source-6.1, extracted once into the
# cache (checkpatch, the debug kernel).
nfvs_linux_source() {
	local dir=$NFVS_CACHE/linux-source-6.1 tmp
	if [ ! -f "$dir/.nfvs-extracted" ]; then
		[ -f /usr/src/linux-source-6.1.tar.xz ] ||
			{ nfvs_log "linux-source-6.1 not installed (make deps)"; return 1; }
		mkdir -p "$NFVS_CACHE"
		tmp=$(mktemp -d "$NFVS_CACHE/linux-source.XXXXXX")
		tar -xf /usr/src/linux-source-6.1.tar.xz -C "$tmp" ||
			{ rm -rf "$tmp"; nfvs_log "cannot extract linux-source-6.1"; return 1; }
		touch "$tmp/linux-source-6.1/.nfvs-extracted"
		rm -rf "$dir"
		mv "$tmp/linux-source-6.1" "$dir"
		rmdir "$tmp"
	fi
	echo "$dir"
}

# nfvs_kselftest REL: the path of tools/testing/selftests/REL of the
# installed linux-source-6.1, taken from the package at run time (never
# copied into the repository): from the extracted cache when there is one,
# else extracted alone into the build directory.
nfvs_kselftest() {
	local rel=tools/testing/selftests/$1 dst=$NFVS_BUILD/kselftest/$1
	if [ -f "$NFVS_CACHE/linux-source-6.1/.nfvs-extracted" ]; then
		echo "$NFVS_CACHE/linux-source-6.1/$rel"
		return
	fi
	if [ ! -s "$dst" ]; then
		[ -f /usr/src/linux-source-6.1.tar.xz ] ||
			{ nfvs_log "linux-source-6.1 not installed (make deps)"; return 1; }
		mkdir -p "$(dirname "$dst")"
		tar -xJOf /usr/src/linux-source-6.1.tar.xz "linux-source-6.1/$rel" \
			>"$dst.tmp" && mv "$dst.tmp" "$dst" ||
			{ rm -f "$dst.tmp"; nfvs_log "cannot extract $rel"; return 1; }
	fi
	echo "$dst"
}

# nfvs_in_root ROOT CMD...: CMD as root in the Debian system at ROOT (the
# trixie chroot, the fresh Debian 12), chrooted, in a mount namespace of its
# own with ROOT's own /proc (objtool, DKMS and maintainer scripts need it)
# and /sys, and a clean environment.
nfvs_in_root() {
	local root=$1
	shift
	unshare --mount --propagation private chroot "$root" /bin/sh -c '
		mount -t proc proc /proc && mount -t sysfs sysfs /sys && exec "$@"' sh \
		/usr/bin/env -i HOME=/root TERM=dumb DEBIAN_FRONTEND=noninteractive \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
}

# The files kbuild needs, copied to a build directory of their own for each
# kernel (kbuild writes objects next to the sources).
NFVS_SOURCES="Kbuild Makefile src include tests/kunit"

nfvs_stage_sources() {
	local dst=$1 s
	rm -rf "$dst" && mkdir -p "$dst"
	for s in $NFVS_SOURCES; do
		mkdir -p "$dst/$(dirname "$s")"
		cp -r "$NFVS_TOP/$s" "$dst/$s"
	done
}

# Lines of a kernel console that fail a run wherever they appear.
NFVS_CONSOLE_BAD='BUG:|BUG [^ ]+ \((Not t|T)ainted|WARNING:|Oops|KASAN|UBSAN|kernel BUG|Kernel panic|general protection fault|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|hung_task|soft lockup|unreferenced object'

# nfvs_console_problems FILE: prints the offending lines (at most 20) and
# succeeds when there are any.
nfvs_console_problems() {
	grep -aE "$NFVS_CONSOLE_BAD" "$1" | head -n 20 | grep .
}

# nfvs_tap_from_script PREFIX TAPFILE RC ERRFILE: turns one test script's TAP
# output and exit status into result lines "ok - PREFIX: ..." on stdout.
# A script passes only if it exits 0 (or 4: skipped) and all its TAP lines
# are ok, its plan (if any) matches, and it printed at least one result.
nfvs_tap_from_script() {
	local prefix=$1 tap=$2 rc=$3 err=$4 n=0 bad=0 plan="" line desc
	while IFS= read -r line; do
		case "$line" in
		"not ok"*)
			desc=$(sed -E 's/^not ok( [0-9]+)?( -)? ?//' <<<"$line")
			echo "not ok - $prefix: $desc"
			n=$((n + 1)); bad=$((bad + 1)) ;;
		"ok"*)
			desc=$(sed -E 's/^ok( [0-9]+)?( -)? ?//' <<<"$line")
			echo "ok - $prefix: $desc"
			n=$((n + 1)) ;;
		1..*)
			plan=${line#1..}; plan=${plan%% *} ;;
		"# "*)
			echo "$line" ;;
		esac
	done <"$tap"
	if [ "$rc" = 4 ] && [ "$n" = 0 ]; then
		echo "ok - $prefix # SKIP $(tail -n 1 "$err" 2>/dev/null)"
		return 0
	fi
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		echo "not ok - $prefix: timed out"
		return 1
	fi
	if [ "$n" = 0 ]; then
		echo "not ok - $prefix: no test results (exit status $rc)"
		sed 's/^/# /' "$err" 2>/dev/null | tail -n 10
		return 1
	fi
	if [ -n "$plan" ] && [ "$plan" != "$n" ]; then
		echo "not ok - $prefix: planned $plan tests, ran $n"
		bad=$((bad + 1))
	fi
	if [ "$rc" != 0 ] && [ "$bad" = 0 ]; then
		echo "not ok - $prefix: exit status $rc"
		sed 's/^/# /' "$err" 2>/dev/null | tail -n 10
		bad=1
	fi
	[ "$bad" = 0 ]
}
