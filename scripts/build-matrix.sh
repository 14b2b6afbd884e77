#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Builds nfvs.ko with warnings as errors for every kernel of the matrix, in
# a copy of the sources kept in the cache for each kernel (build_one), and
# puts the modules under build/<kernel release>/. 7.3 needs
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

# sync_tree SRC DST: makes the sources under DST those under SRC, touching
# only the files whose content differs (and removing those SRC no longer
# has), so that kbuild in DST rebuilds only what changed. DST's build
# products are left alone; .nfvs-sources lists the files the last sync put
# there.
sync_tree() {
	local src=$1 dst=$2 f
	mkdir -p "$dst"
	(cd "$src" && find . -type f | LC_ALL=C sort) >"$src.list"
	if [ -f "$dst/.nfvs-sources" ]; then
		LC_ALL=C comm -23 "$dst/.nfvs-sources" "$src.list" | while read -r f; do
			rm -f "$dst/$f"
		done
	fi
	while read -r f; do
		cmp -s "$src/$f" "$dst/$f" && continue
		mkdir -p "$(dirname "$dst/$f")"
		cp "$src/$f" "$dst/$f"
	done <"$src.list"
	mv "$src.list" "$dst/.nfvs-sources"
}

# build_one SERIES: builds nfvs.ko and its test modules for a kernel. The
# build runs in a tree of the cache kept per kernel build directory
# (NFVS_CACHE/kbuild/RELEASE-KEY; in the chroot's /build for a chroot
# kernel), one build at a time (a lock): from one make check to the next,
# and from one clone to another, kbuild recompiles only the files that
# changed. The modules are then copied to
# build/<kernel release>/, where the guests take them.
build_one() {
	local series=$1 kver kdir out log root="" key inner work stage canary kunit mods m rc=1
	kver=$(nfvs_kver "$series")
	if [ -z "$kver" ] || ! kdir=$(nfvs_kdir "$kver"); then
		echo "not ok - build $series: kernel or headers not installed (make deps)"
		return 1
	fi
	out=$NFVS_BUILD/$kver
	log=$out/build.log
	[ "${kdir#chroot:}" != "$kdir" ] && root=$NFVS_CHROOT
	# The tree is the kernel's build directory's: its path, configuration
	# and exported symbols (a debug kernel of another configuration has
	# the same release).
	key=$({ echo "$kdir"; cat "$root${kdir#chroot:}/include/config/auto.conf" \
		"$root${kdir#chroot:}/Module.symvers"; } 2>/dev/null | md5sum | cut -c1-8)
	inner=$NFVS_CACHE/kbuild/$kver-$key
	[ -n "$root" ] && inner=/build/nfvs-$kver-$key
	work=$root$inner
	mkdir -p "$out" "$NFVS_CACHE/kbuild"
	: >"$log"

	stage=$(mktemp -d)
	nfvs_stage_sources "$stage/t"
	cp -r "$NFVS_TOP/tests/selftests/modules/hookdump" "$stage/t/hookdump"
	canary='' kunit=''
	if [ "$series" = debug ]; then
		canary=debug_canary
		cp -r "$NFVS_TOP/tests/harness/modules/debug_canary" "$stage/t/$canary"
		kunit=kunit
		nfvs_stage_sources "$stage/t/$kunit"
	fi
	mods="nfvs.ko hookdump/nfvs_hookdump.ko ${canary:+$canary/nfvs_debug_canary.ko}
	      ${kunit:+$kunit/nfvs_kunit.ko}"
	# A failed build leaves no module of an earlier one where the guests
	# would take it.
	for m in $mods; do
		rm -f "$out/$m"
	done
	(
		flock 9
		sync_tree "$stage/t" "$work"
		kbuild "$kdir" "$inner" "$log" && kbuild "$kdir" "$inner/hookdump" "$log" &&
		{ [ -z "$canary" ] || kbuild "$kdir" "$inner/$canary" "$log"; } &&
		{ [ -z "$kunit" ] || kbuild "$kdir" "$inner/$kunit" "$log" NFVS_KUNIT=1; } || exit 1
		for m in $mods; do
			mkdir -p "$out/$(dirname "$m")"
			cp "$work/$m" "$out/$m" || exit 1
		done
	) 9>"$NFVS_CACHE/kbuild/$kver-$key.lock" && rc=0
	rm -rf "$stage"
	if [ $rc = 0 ]; then
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
