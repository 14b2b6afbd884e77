#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh SERIES [TEST...]: boots the newest installed Debian kernel of SERIES
# (6.1, 6.12, 7.3) under QEMU, with the host's root and this repository
# visible read-only, runs the selftest scripts (default: every
# tests/selftests/*.sh) in that one boot, and prints one result line per
# test ("ok - <kernel>: <script>: <test>"). Fails when a test fails, when the
# guest console shows a kernel warning, oops, KASAN or lockdep report, or
# when the guest does not finish within NFVS_VM_TIMEOUT seconds.
#
# NFVS_KVM=1 uses KVM instead of TCG software emulation; NFVS_VM_NAME names
# the output directory (build/<name>-<kernel>, default "vm"); NFVS_VM_TIMEOUT
# and NFVS_TEST_TIMEOUT bound the whole boot and each script; NFVS_VM_SMP
# and NFVS_VM_MEM (MiB) size the guest (default 1 CPU, 1024; make bench
# uses 2 and 4096);
# NFVS_GUEST_ENV names variables to pass on to the tests (for example
# NFVS_GUEST_ENV=NFVS_FUZZ_SEED NFVS_FUZZ_SEED=123 to replay a fuzz run).
# NFVS_VM_ROOT=DIR boots another system instead of the host's root: DIR's
# own kernel of SERIES, DIR as the guest's root, writable (the slow tier's
# fresh Debian 12). The guest's modprobe never loads an nfvs installed in the
# root (make install, DKMS): the tests insmod the tree's; NFVS_VM_INSTALLED=1
# lets it, for tests of the installed module.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

series=${1:?usage: run.sh SERIES [TEST...]}
shift
root=${NFVS_VM_ROOT:-}
kver=$(nfvs_kver "$series" "$root")
[ -n "$kver" ] || { echo "not ok - $series: kernel not installed (make deps)"; exit 1; }
vmlinuz=$(nfvs_vmlinuz "$kver" "$root") || { echo "not ok - $kver: no vmlinuz"; exit 1; }

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
rm -rf "$out" && mkdir -p "$out/results"
initrd=$NFVS_CACHE/initrd-$kver.gz
[ -n "$root" ] && initrd=$out/initrd.gz
if [ ! -f "$initrd" ] || [ "$initrd" -ot "$(dirname "$0")/init-stage1" ] ||
   [ "$initrd" -ot "$(dirname "$0")/mkinitramfs.sh" ]; then
	"$(dirname "$0")/mkinitramfs.sh" "$kver" "$initrd" "$root" ||
		{ echo "not ok - $kver: cannot build the initramfs"; exit 1; }
fi

{
	echo "NFVS_KVER=$kver"
	echo "NFVS_KO=$NFVS_BUILD/$kver/nfvs.ko"
	echo "NFVS_HOOKDUMP_KO=$NFVS_BUILD/$kver/hookdump/nfvs_hookdump.ko"
	echo "NFVS_TEST_TIMEOUT=${NFVS_TEST_TIMEOUT:-600}"
	echo "NFVS_VM_INSTALLED=${NFVS_VM_INSTALLED:-0}"
	echo "NFVS_KSELFTEST_IPVS=$(nfvs_kselftest netfilter/ipvs.sh)"
	# Knobs of the tests themselves, e.g. NFVS_GUEST_ENV=NFVS_FUZZ_SEED.
	echo "NFVS_GUEST_ENV=\"${NFVS_GUEST_ENV:-}\""
	for v in ${NFVS_GUEST_ENV:-}; do
		printf '%s=%q\n' "$v" "${!v:-}"
	done
	printf 'NFVS_TESTS=('; printf '%q ' "${tests[@]}"; echo ')'
} >"$out/results/job"

build=$(cd "$NFVS_BUILD" && pwd)
accel=tcg
[ "${NFVS_KVM:-0}" = 1 ] && accel=kvm
timeout_s=${NFVS_VM_TIMEOUT:-1800}
rootfs="path=/,readonly=on"
append=
if [ -n "$root" ]; then
	rootfs="path=$root"
	append=" nfvs_rootrw=1"
fi
start=$(date +%s)
timeout -k 10 "$timeout_s" qemu-system-x86_64 \
	-accel "$accel" -m "${NFVS_VM_MEM:-1024}" -smp "${NFVS_VM_SMP:-1}" \
	-nodefaults -no-user-config -display none -nic none -no-reboot \
	-serial "file:$out/console.log" \
	-kernel "$vmlinuz" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 loglevel=7 nfvs_top=$NFVS_TOP nfvs_build=$build$append" \
	-fsdev "local,id=hostroot,$rootfs,security_model=none,multidevs=remap" \
	-device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
	-fsdev local,id=results,path="$out/results",security_model=none,multidevs=remap \
	-device virtio-9p-pci,fsdev=results,mount_tag=results \
	-fsdev local,id=top,path="$NFVS_TOP",security_model=none,readonly=on,multidevs=remap \
	-device virtio-9p-pci,fsdev=top,mount_tag=top \
	-fsdev local,id=build,path="$build",security_model=none,readonly=on,multidevs=remap \
	-device virtio-9p-pci,fsdev=build,mount_tag=build \
	</dev/null >"$out/qemu.log" 2>&1
qrc=$?
elapsed=$(($(date +%s) - start))

rc=0
for tap in "$out"/results/*.tap; do
	[ -e "$tap" ] || break
	base=${tap%.tap}
	name=${base##*/}
	nfvs_tap_from_script "$kver: ${name#[0-9][0-9]-}" "$tap" \
		"$(cat "$base.rc" 2>/dev/null || echo 255)" "$base.err" || rc=1
done

if [ -f "$out/results/done" ]; then
	echo "ok - $kver: guest finished in ${elapsed}s"
else
	if [ $qrc = 124 ] || [ $qrc = 137 ]; then
		echo "not ok - $kver: guest did not finish within ${timeout_s}s"
	else
		echo "not ok - $kver: guest stopped early (qemu exit status $qrc)"
	fi
	sed 's/^/# /' "$out/qemu.log" | tail -n 5
	tail -n 15 "$out/console.log" | sed 's/^/# /'
	rc=1
fi
n=$(ls "$out"/results/*.tap 2>/dev/null | wc -l)
if [ "$n" != "${#tests[@]}" ]; then
	echo "not ok - $kver: ran $n of ${#tests[@]} test scripts"
	rc=1
fi

if problems=$(nfvs_console_problems "$out/console.log"); then
	echo "not ok - $kver: console clean"
	sed 's/^/# /' <<<"$problems"
	rc=1
else
	echo "ok - $kver: console clean"
fi
exit $rc
