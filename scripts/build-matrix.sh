#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Builds nfvs.ko with warnings as errors for every kernel of the matrix, each
# in its own copy of the sources under build/<kernel release>/. 7.3 needs
# trixie's gcc-14, so it is built inside the trixie chroot.
# Prints one TAP line per kernel on stdout; the build logs go to
# build/<kernel release>/build.log.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

SOURCES="Kbuild Makefile src include tests/kunit"

stage_sources() {
	local dst=$1 s
	rm -rf "$dst" && mkdir -p "$dst"
	for s in $SOURCES; do
		mkdir -p "$dst/$(dirname "$s")"
		cp -r "$NFVS_TOP/$s" "$dst/$s"
	done
}

build_one() {
	local series=$1 kver kdir out log inner
	kver=$(nfvs_kver "$series")
	if [ -z "$kver" ] || ! kdir=$(nfvs_kdir "$kver"); then
		echo "not ok - build $series: kernel or headers not installed (make deps)"
		return 1
	fi
	out=$NFVS_BUILD/$kver
	log=$out/build.log
	case "$kdir" in
	chroot:*)
		inner=/build/nfvs-$kver
		stage_sources "$NFVS_CHROOT$inner"
		mkdir -p "$out"
		# objtool needs /proc; a private mount namespace drops it again.
		unshare --mount --propagation private chroot "$NFVS_CHROOT" \
			/bin/sh -c 'mount -t proc proc /proc && exec "$@"' sh \
			/usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			make -C "${kdir#chroot:}" M="$inner" NFVS_WERROR=y \
			CC=x86_64-linux-gnu-gcc-14 -j"$(nproc)" modules >"$log" 2>&1 &&
			cp "$NFVS_CHROOT$inner/nfvs.ko" "$out/nfvs.ko"
		;;
	*)
		stage_sources "$out"
		make -C "$kdir" M="$out" NFVS_WERROR=y -j"$(nproc)" modules >"$log" 2>&1
		;;
	esac
	local rc=$?
	if [ $rc -eq 0 ] && [ -f "$out/nfvs.ko" ]; then
		echo "ok - build $kver"
	else
		echo "not ok - build $kver (see ${log#"$NFVS_TOP"/})"
		sed 's/^/# /' "$log" | grep -E 'error|warning' | head -n 20
		return 1
	fi
}

rc=0
for series in $NFVS_SERIES; do
	build_one "$series" || rc=1
done
exit $rc
