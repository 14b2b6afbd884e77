#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh KVER OUT [ROOT]: a tiny initramfs for booting Debian kernel
# KVER under QEMU: busybox-static, the modules that mount the host's root
# over virtio-9p (taken from KVER's modules.dep on the host or in ROOT,
# decompressed), and init-stage1.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

kver=$1
out=$2
moddir=${3:-}/usr/lib/modules/$kver
[ -f "$moddir/modules.dep" ] || nfvs_die "no modules for $kver"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/{bin,dev,proc,sys,newroot,lib/modules}

cp /bin/busybox "$work/bin/busybox"
cp "$(dirname "$0")/init-stage1" "$work/init"
chmod +x "$work/init"

# Every module needed for 9p over virtio, with its dependencies; built-in
# ones (no line in modules.dep) need nothing.
want="9p 9pnet_virtio virtio_pci"
list=()
resolve() {
	local name=$1 line path dep
	line=$(grep -E "(^|/)$name\.ko(\.[a-z]+)?:" "$moddir/modules.dep" || true)
	[ -n "$line" ] || return 0
	path=${line%%:*}
	for dep in ${line#*:}; do
		dep=${dep##*/}
		resolve "${dep%%.ko*}"
	done
	[[ " ${list[*]-} " == *" $path "* ]] || list+=("$path")
}
for m in $want; do
	resolve "$m"
done

: >"$work/lib/modules/load-order"
for path in "${list[@]}"; do
	base=${path##*/}
	dst=$work/lib/modules/${base%%.ko*}.ko
	case "$base" in
	*.ko.xz) xz -dc "$moddir/$path" >"$dst" ;;
	*.ko.zst) zstd -qdc "$moddir/$path" >"$dst" ;;
	*.ko.gz) gzip -dc "$moddir/$path" >"$dst" ;;
	*) cp "$moddir/$path" "$dst" ;;
	esac
	echo "${base%%.ko*}.ko" >>"$work/lib/modules/load-order"
done

(cd "$work" && find . | cpio -o -H newc --quiet | gzip -1) >"$out.$$.tmp"
mv "$out.$$.tmp" "$out"
