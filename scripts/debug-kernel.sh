#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# debug-kernel.sh: builds make check's debug kernel once and prints where it
# is (nfvs_debug_dir in scripts/lib.sh: the cache, keyed by the
# configuration and linux-source-6.1's version). linux-source-6.1 with
# x86_64_defconfig, kvm_guest.config and tests/debug-kernel/*.config:
# without the drivers a guest never uses, with Debian's networking options,
# and KASAN, lockdep, kmemleak, debug objects and KFENCE. The build stops when an option of debug.config did not make
# it into the final configuration (a dependency the fragments miss).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

frag=$NFVS_TOP/tests/debug-kernel
dir=$(nfvs_debug_dir)
log=$dir.log

# missing CONFIG FRAGMENT: the options FRAGMENT sets that CONFIG lacks.
missing() {
	grep -E '^(CONFIG_[A-Z0-9_]+=|# CONFIG_[A-Z0-9_]+ is not set)' "$2" |
		while IFS= read -r line; do
			grep -qxF "$line" "$1" || echo "$line"
		done
}

# rcu_tasks_self_test_off SRC: PROVE_RCU's boot-time test of Tasks RCU
# (kernel/rcu/tasks.h) never returned in about half of the boots under
# QEMU's TCG, at "Running RCU-tasks wait API self tests" (the guest idle,
# with 1 vCPU or 2, either CPU model, with or without the local APIC
# timer). Tasks RCU itself is there only for tracing and kprobes, which the
# guests do not use: the test is compiled out (its #ifdef made #if 0), in
# the extracted source, once. Nothing else of the source changes.
rcu_tasks_self_test_off() {
	local f=$1/kernel/rcu/tasks.h
	grep -q '^#if 0 /\* nfvs: Tasks RCU self-test off' "$f" && return 0
	grep -q 'Running RCU-tasks wait API self tests' "$f" &&
		sed -i '0,/^#ifdef CONFIG_PROVE_RCU$/s||#if 0 /* nfvs: Tasks RCU self-test off (scripts/debug-kernel.sh) */|' "$f" &&
		grep -q '^#if 0 /\* nfvs: Tasks RCU self-test off' "$f"
}

build() {
	local src obj=$dir/obj kver
	src=$(nfvs_linux_source) || return 1
	rcu_tasks_self_test_off "$src" || { echo "cannot turn the Tasks RCU self-test off"; return 1; }
	rm -rf "$dir" && mkdir -p "$obj" || return 1
	make -C "$src" O="$obj" x86_64_defconfig &&
		(cd "$obj" && "$src/scripts/kconfig/merge_config.sh" -m -O . .config \
			"$src/kernel/configs/kvm_guest.config" \
			"$frag/trim.config" "$frag/debian-net.config" "$frag/debug.config") &&
		make -C "$src" O="$obj" olddefconfig || return 1
	echo "debian-net.config and trim.config options not as asked (dependencies):"
	missing "$obj/.config" "$frag/debian-net.config"
	missing "$obj/.config" "$frag/trim.config"
	if [ -n "$(missing "$obj/.config" "$frag/debug.config")" ]; then
		echo "debug.config options not set:"
		missing "$obj/.config" "$frag/debug.config"
		return 1
	fi
	make -C "$src" O="$obj" -j"$(nfvs_cpus)" bzImage modules &&
		kver=$(make -s -C "$src" O="$obj" kernelrelease) &&
		make -C "$src" O="$obj" INSTALL_MOD_PATH="$dir/root/usr" modules_install &&
		install -D -m 644 "$obj/arch/x86/boot/bzImage" "$dir/root/boot/vmlinuz-$kver" &&
		echo "$kver" >"$dir/kernelrelease"
}

mkdir -p "$NFVS_CACHE"
exec 9>"$NFVS_CACHE/debug.lock"
flock 9
if [ ! -f "$dir/kernelrelease" ]; then
	nfvs_log "nfvs: building the debug kernel in $dir (log: $log)"
	if ! build >"$log" 2>&1; then
		nfvs_log "nfvs: the debug kernel did not build (see $log):"
		tail -n 20 "$log" >&2
		exit 1
	fi
fi
echo "$dir"
