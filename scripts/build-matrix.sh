#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Builds nfvs.ko with warnings as errors for every kernel of the matrix, each
# in its own copy of the sources under build/<kernel release>/. 7.3 needs
# trixie's gcc-14, so it is built inside the trixie chroot. The series
# "debug" is make check's debug kernel (scripts/debug-kernel.sh builds it);
# for it, nfvs_kunit.ko is built too (build/<kernel release>/kunit/).
# Prints one TAP line per kernel on stdout; the build logs go to
# build/<kernel release>/build.log.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

# kbuild KDIR DIR LOG [VAR=VALUE...]: builds the external module staged in
# DIR (a path on the host; for a "chroot:" KDIR, a path inside the chroot).
kbuild() {
	local kdir=$1 dir=$2 log=$3
	shift 3
	case "$kdir" in
	chroot:*)
		nfvs_in_root "$NFVS_CHROOT" make -C "${kdir#chroot:}" M="$dir" \
			NFVS_WERROR=y CC=x86_64-linux-gnu-gcc-14 -j"$(nproc)" "$@" modules >>"$log" 2>&1
		;;
	*)
		make -C "$kdir" M="$dir" NFVS_WERROR=y -j"$(nproc)" "$@" modules >>"$log" 2>&1
		;;
	esac
}

build_one() {
	local series=$1 kver kdir out log root="" inner canary kunit
	kver=$(nfvs_kver "$series")
	if [ -z "$kver" ] || ! kdir=$(nfvs_kdir "$kver"); then
		echo "not ok - build $series: kernel or headers not installed (make deps)"
		return 1
	fi
	out=$NFVS_BUILD/$kver
	log=$out/build.log
	[ "${kdir#chroot:}" != "$kdir" ] && root=$NFVS_CHROOT
	# One staging directory per build directory: worktrees build in parallel.
	inner=/build/nfvs-$kver-$(printf %s "$NFVS_BUILD" | md5sum | cut -c1-8)
	[ -z "$root" ] && inner=$out

	nfvs_stage_sources "$root$inner"
	rm -rf "$root$inner/hookdump"
	cp -r "$NFVS_TOP/tests/selftests/modules/hookdump" "$root$inner/hookdump"
	# For the debug kernel only: the detectors' canary
	# (tests/harness/canary.sh) and nfvs_kunit.ko (scripts/kunit.sh), the
	# latter from a copy of its own (the same objects, built with the
	# suites' flags).
	canary='' kunit=''
	if [ "$series" = debug ]; then
		canary=$inner/debug_canary
		cp -r "$NFVS_TOP/tests/harness/modules/debug_canary" "$canary"
		kunit=$inner/kunit
		nfvs_stage_sources "$kunit"
	fi
	mkdir -p "$out"
	: >"$log"
	if kbuild "$kdir" "$inner" "$log" && kbuild "$kdir" "$inner/hookdump" "$log" &&
	   { [ -z "$canary" ] || kbuild "$kdir" "$canary" "$log"; } &&
	   { [ -z "$kunit" ] || kbuild "$kdir" "$kunit" "$log" NFVS_KUNIT=1; }; then
		if [ -n "$root" ]; then
			mkdir -p "$out/hookdump"
			cp "$root$inner/nfvs.ko" "$out/nfvs.ko"
			cp "$root$inner/hookdump/nfvs_hookdump.ko" "$out/hookdump/"
		fi
		echo "ok - build $kver"
		return 0
	fi
	echo "not ok - build $kver (see ${log#"$NFVS_TOP"/})"
	grep -E 'error|warning' "$log" | head -n 20 | sed 's/^/# /'
	return 1
}

rc=0
for series in $NFVS_SERIES; do
	build_one "$series" || rc=1
done
exit $rc
