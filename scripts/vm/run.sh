#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh SERIES [TEST...]: boots the newest installed Debian kernel of SERIES
# (6.1, 6.12, 7.3) under QEMU, with the host's root and this repository
# visible read-only, runs the selftest scripts (default: every
# tests/selftests/*.sh) in that one boot, and prints one result line per
# test ("ok - <kernel>: <script>: <test>") and a line "# time: <kernel>:
# <script>: N s, busy M s" per script (M: the seconds the guest's CPU was
# not idle, what the script costs the host). Fails when a test fails, when
# the guest console shows a kernel warning, oops, KASAN or lockdep report,
# or when the guest stops making progress.
# run.sh --prepare SERIES: only makes what a boot needs (the initramfs, the
# in-tree selftest), so that parallel boots of one kernel do not race for it.
#
# Time limits are per script, not per boot, so that a slow or loaded host
# makes a run longer, never red: NFVS_TEST_TIMEOUT (default 1200 s) stops a
# script in the guest, and the host stops a guest that has shown no progress
# (no script started or ended) for NFVS_VM_STALL seconds (default
# NFVS_TEST_TIMEOUT plus 300). NFVS_VM_TIMEOUT, unset by default, caps the
# whole boot as well (make demo, make bench, the harness canaries).
#
# SERIES "debug" is make check's debug kernel (scripts/debug-kernel.sh:
# KASAN, lockdep, kmemleak), with 2 vCPUs and 2048 MiB; after the last
# script the guest scans for leaks, and any unreferenced object fails the
# boot.
#
# NFVS_KVM=1 uses KVM instead of TCG software emulation; NFVS_VM_NAME names
# the output directory (build/<name>-<kernel>, default "vm"); NFVS_VM_SMP
# and NFVS_VM_MEM (MiB) size the guest (default 1 CPU, 1024; make bench
# uses 2 and 4096); NFVS_VM_TCG=single|multi runs a guest's vCPUs on one
# host thread or one each (QEMU's tcg,thread=; QEMU's default is multi);
# NFVS_GUEST_ENV names variables to pass on to the tests (for example
# NFVS_GUEST_ENV=NFVS_FUZZ_SEED NFVS_FUZZ_SEED=123 to replay a fuzz run).
# NFVS_VM_ROOT=DIR boots another system instead of the host's root: DIR's
# own kernel of SERIES, DIR as the guest's root, writable (the slow tier's
# fresh Debian 12). The guest's modprobe never loads an nfvs installed in the
# root (make install, DKMS): the tests insmod the tree's; NFVS_VM_INSTALLED=1
# lets it, for tests of the installed module.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

prepare=0
if [ "${1:-}" = --prepare ]; then
	prepare=1
	shift
fi
series=${1:?usage: run.sh [--prepare] SERIES [TEST...]}
shift
test_timeout=${NFVS_TEST_TIMEOUT:-1200}
root=${NFVS_VM_ROOT:-}
kver=$(nfvs_kver "$series" "$root")
if [ -z "$kver" ]; then
	[ "$series" = debug ] &&
		{ echo "not ok - debug: the debug kernel is not built (scripts/debug-kernel.sh)"; exit 1; }
	echo "not ok - $series: kernel not installed (make deps)"
	exit 1
fi
vmlinuz=$(nfvs_vmlinuz "$kver" "$root") || { echo "not ok - $kver: no vmlinuz"; exit 1; }
# The debug kernel's modules are in the cache, not in the host's root: the
# guest mounts them at /usr/lib/modules/KVER (init-stage1). It has 2 vCPUs
# to run races, and KASAN's shadow and kmemleak's pool need more memory.
modroot=$root
smp=1 mem=1024
if [ "$series" = debug ]; then
	modroot=$(nfvs_debug_dir)/root
	smp=2 mem=2048
fi

if [ $# -gt 0 ]; then
	tests=("$@")
else
	tests=()
	for t in "$NFVS_TOP"/tests/selftests/*.sh; do
		case ${t##*/} in lib*.sh) continue ;; esac
		tests+=("${t#"$NFVS_TOP"/}")
	done
fi

out=$NFVS_BUILD/${NFVS_VM_NAME:-vm}-$kver
initrd=$NFVS_CACHE/initrd-$kver.gz
[ -n "$root" ] && initrd=$out/initrd.gz
[ $prepare = 0 ] && { rm -rf "$out" && mkdir -p "$out/results"; }
if [ ! -f "$initrd" ] || [ "$initrd" -ot "$(dirname "$0")/init-stage1" ] ||
   [ "$initrd" -ot "$(dirname "$0")/mkinitramfs.sh" ]; then
	"$(dirname "$0")/mkinitramfs.sh" "$kver" "$initrd.tmp" "$modroot" &&
		mv "$initrd.tmp" "$initrd" ||
		{ echo "not ok - $kver: cannot build the initramfs"; exit 1; }
fi
kselftest_ipvs=$(nfvs_kselftest netfilter/ipvs.sh)
[ $prepare = 1 ] && exit 0

{
	echo "NFVS_KVER=$kver"
	echo "NFVS_KO=$NFVS_BUILD/$kver/nfvs.ko"
	echo "NFVS_HOOKDUMP_KO=$NFVS_BUILD/$kver/hookdump/nfvs_hookdump.ko"
	echo "NFVS_TEST_TIMEOUT=$test_timeout"
	echo "NFVS_VM_INSTALLED=${NFVS_VM_INSTALLED:-0}"
	echo "NFVS_KSELFTEST_IPVS=$kselftest_ipvs"
	echo "NFVS_SPREAD=${NFVS_SPREAD:-0/1}"
	# Knobs of the tests themselves, e.g. NFVS_GUEST_ENV=NFVS_FUZZ_SEED.
	echo "NFVS_GUEST_ENV=\"${NFVS_GUEST_ENV:-}\""
	for v in ${NFVS_GUEST_ENV:-}; do
		printf '%s=%q\n' "$v" "${!v:-}"
	done
	printf 'NFVS_TESTS=('; printf '%q ' "${tests[@]}"; echo ')'
} >"$out/results/job"

build=$(cd "$NFVS_BUILD" && pwd)
mkdir -p "$NFVS_CACHE"
cache=$(cd "$NFVS_CACHE" && pwd)
accel=${NFVS_VM_TCG:+tcg,thread=$NFVS_VM_TCG}
accel=${accel:-tcg}
[ "${NFVS_KVM:-0}" = 1 ] && accel=kvm
cap=${NFVS_VM_TIMEOUT:-0}
stall=${NFVS_VM_STALL:-$((test_timeout + 300))}
rootfs="path=/,readonly=on"
append=
if [ -n "$root" ]; then
	rootfs="path=$root"
	append=" nfvs_rootrw=1"
fi
if [ "$series" = debug ]; then
	append="$append nfvs_modules=$modroot/usr/lib/modules/$kver"
else
	# Debian's kernels: KFENCE samples every 100 ms of allocations (6.12
	# and 7.3 have it; 6.1 ignores the word), and SLUB checks the red
	# zones and poison of nfvs's connections (slub_debug on every cache
	# would slow all traffic down).
	append="$append kfence.sample_interval=100 slub_debug=FZP,nfvs_conn"
fi
# boot: one boot of the guest, watched; sets qrc (qemu's exit status) and
# stopped (why the watchdog stopped it, empty if it did not). Its standard
# error goes nowhere: bash would print there the whole command line of a
# qemu that died of a signal (what qemu says is in qemu.log).
boot() {
	start=$(date +%s)
	${NFVS_QEMU:-qemu-system-x86_64} \
		-accel "$accel" -m "${NFVS_VM_MEM:-$mem}" -smp "${NFVS_VM_SMP:-$smp}" \
		-nodefaults -no-user-config -display none -nic none -no-reboot \
		-serial "file:$out/console.log" \
		-kernel "$vmlinuz" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 loglevel=7 nfvs_top=$NFVS_TOP nfvs_build=$build nfvs_cache=$cache$append${NFVS_VM_APPEND:+ $NFVS_VM_APPEND}" \
		-fsdev "local,id=hostroot,$rootfs,security_model=none,multidevs=remap" \
		-device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
		-fsdev local,id=results,path="$out/results",security_model=none,multidevs=remap \
		-device virtio-9p-pci,fsdev=results,mount_tag=results \
		-fsdev local,id=top,path="$NFVS_TOP",security_model=none,readonly=on,multidevs=remap \
		-device virtio-9p-pci,fsdev=top,mount_tag=top \
		-fsdev local,id=build,path="$build",security_model=none,readonly=on,multidevs=remap \
		-device virtio-9p-pci,fsdev=build,mount_tag=build \
		-fsdev local,id=cache,path="$cache",security_model=none,readonly=on,multidevs=remap \
		-device virtio-9p-pci,fsdev=cache,mount_tag=cache \
		</dev/null >"$out/qemu.log" 2>&1 &
	qpid=$!
	# The watchdog: the guest creates files in results/ as each script starts
	# and ends, which moves the directory's modification time.
	stopped=
	while kill -0 $qpid 2>/dev/null; do
		sleep 2
		now=$(date +%s)
		last=$(stat -c %Y "$out/results")
		[ "$last" -lt "$start" ] && last=$start
		if [ "$cap" -gt 0 ] && [ $((now - start)) -ge "$cap" ]; then
			stopped="did not finish within ${cap}s"
		elif [ $((now - last)) -ge "$stall" ]; then
			stopped="made no progress for ${stall}s"
		else
			continue
		fi
		kill $qpid 2>/dev/null
		for _ in 1 2 3 4 5; do
			kill -0 $qpid 2>/dev/null || break
			sleep 2
		done
		kill -9 $qpid 2>/dev/null
		break
	done
	wait $qpid
	qrc=$?
}

# children_cpu: sets ccpu to the CPU seconds (user + system) of this
# shell's waited-for children so far (in this shell: "times" in a command
# substitution would report the subshell's). Across a boot, that is mostly
# qemu's: what the guest cost the host, which a guest's own "busy" does
# not tell (a vCPU the host did not run still counts its time as the
# guest's).
children_cpu() {
	local t
	t=$(mktemp)
	times >"$t"
	ccpu=$(awk 'NR == 2 {
		s = 0
		for (i = 1; i <= 2; i++) {
			split($i, p, "m"); s += p[1] * 60 + p[2]
		}
		printf "%d\n", s
	}' "$t")
	rm -f "$t"
}

# qemu_said: the last line qemu printed (its reason, when it died).
qemu_said() {
	grep -v '^ *$' "$out/qemu.log" | tail -n 1 | cut -c 1-200
}

# A qemu that died of a signal (an abort, status 134 in a CI run, nothing
# else known of it) is not the guest's doing: the boot runs again, once,
# from the start, and the first one's logs are kept (*.1). A guest that
# panicked ends qemu normally (panic=-1, -no-reboot); one the watchdog
# stopped is not run again.
children_cpu
cpu0=$ccpu
first=$(date +%s)
boot 2>/dev/null
if [ ! -f "$out/results/done" ] && [ -z "$stopped" ] && [ "$qrc" -gt 128 ]; then
	echo "# $kver: qemu stopped with status $qrc ($(qemu_said)), the guest not finished: booting again, once"
	for f in qemu.log console.log; do
		[ -f "$out/$f" ] && mv "$out/$f" "$out/$f.1"
	done
	mv "$out/results" "$out/results.1" && mkdir -p "$out/results" &&
		cp "$out/results.1/job" "$out/results/job"
	boot 2>/dev/null
fi
elapsed=$(($(date +%s) - first))
children_cpu
cpu=$((ccpu - cpu0))

rc=0
for tap in "$out"/results/*.tap; do
	[ -e "$tap" ] || break
	base=${tap%.tap}
	name=${base##*/}
	nfvs_tap_from_script "$kver: ${name#[0-9][0-9]-}" "$tap" \
		"$(cat "$base.rc" 2>/dev/null || echo 255)" "$base.err" || rc=1
	echo "# time: $kver: ${name#[0-9][0-9]-}: $(cat "$base.secs" 2>/dev/null || echo '?') s, busy $(cat "$base.busy" 2>/dev/null || echo '?') s"
done

# kmemleak's scan once the scripts are over (the debug kernel).
if [ -s "$out/results/end.kmemleak" ]; then
	echo "not ok - $kver: kmemleak: no unreferenced object after the scripts"
	grep -E '^unreferenced object|^ +\[<' "$out/results/end.kmemleak" | head -n 20 | sed 's/^/# /'
	rc=1
fi

if [ -f "$out/results/done" ]; then
	echo "ok - $kver: guest finished in ${elapsed}s"
	echo "# time: $kver: host CPU of the boot: ${cpu} s"
else
	if [ -n "$stopped" ]; then
		last=$(ls -t "$out"/results/*.tap 2>/dev/null | head -n 1)
		last=${last##*/}
		echo "not ok - $kver: guest $stopped${last:+ (in ${last%.tap})}"
	else
		# What qemu said last, in the line itself: a CI summary that
		# lists only the failing lines still shows why.
		why=$(qemu_said)
		echo "not ok - $kver: guest stopped early (qemu exit status $qrc${why:+: $why})"
	fi
	sed 's/^/# /' "$out/qemu.log" | tail -n 5
	tail -n 15 "$out/console.log" 2>/dev/null | sed 's/^/# /'
	rc=1
fi
n=$(ls "$out"/results/*.tap 2>/dev/null | wc -l)
if [ "$n" != "${#tests[@]}" ]; then
	echo "not ok - $kver: ran $n of ${#tests[@]} test scripts"
	rc=1
fi

# The debug kernel's detectors: KASAN reported ready at boot, and lockdep
# and kmemleak still on at the end (the canaries prove that they report).
if [ "$series" = debug ]; then
	on=$(grep -o 'KernelAddressSanitizer initialized' "$out/console.log" | head -n 1)
	on="${on:+KASAN }$(sed -n 's/^ *debug_locks: *1$/lockdep /p; s/^kmemleak: on$/kmemleak/p' \
		"$out/results/detectors" 2>/dev/null | tr -d '\n')"
	if [ "$on" = "KASAN lockdep kmemleak" ]; then
		echo "ok - $kver: KASAN, lockdep and kmemleak on to the end"
	else
		echo "not ok - $kver: KASAN, lockdep and kmemleak on to the end (on: ${on:-none})"
		rc=1
	fi
fi

# Both boots' consoles, when qemu died in the first (boot, above).
problems=
for f in "$out/console.log.1" "$out/console.log"; do
	[ -f "$f" ] && problems+=$(nfvs_console_problems "$f")
done
if [ -n "$problems" ]; then
	echo "not ok - $kver: console clean"
	sed 's/^/# /' <<<"$problems"
	rc=1
else
	echo "ok - $kver: console clean"
fi
exit $rc
