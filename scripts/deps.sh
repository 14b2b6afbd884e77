#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Installs what nfvs needs from Debian's archive: the kernel matrix (6.1 from
# bookworm, 6.12 from bookworm-backports, 7.3 from trixie-backports built in a
# trixie chroot), linux-source-6.1 for the debug kernel, QEMU (from
# bookworm-backports) and the tools the tests drive. Idempotent; silent when
# everything is present. deps.sh --host: only the host's packages and QEMU
# (make check builds its kernels from linux-source-6.1 meanwhile, while
# deps.sh fetches the rest).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

HOST_PACKAGES="make gcc libc6-dev bc flex bison libelf-dev libssl-dev pkg-config
	kmod cpio xz-utils zstd debootstrap linux-source-6.1
	busybox-static libmnl-dev libnetfilter-conntrack-dev iproute2 iptables
	nftables conntrack ipvsadm keepalived vsftpd lftp curl socat netcat-openbsd python3
	iputils-ping procps ethtool shellcheck linux-perf python3-sphinx"
# The slow tier (NFVS_SLOW=1): Debian packaging and DKMS.
[ "${NFVS_SLOW:-0}" = 1 ] && HOST_PACKAGES="$HOST_PACKAGES debhelper dh-dkms dkms lintian"
CHROOT_PACKAGES="make binutils gcc-14 libc6-dev linux-headers-amd64"
# ... and DKMS in the trixie chroot, where 7.3's headers are.
[ "${NFVS_SLOW:-0}" = 1 ] && CHROOT_PACKAGES="$CHROOT_PACKAGES dkms gcc"
APT_LOG=$NFVS_CACHE/apt.log
export DEBIAN_FRONTEND=noninteractive

mkdir -p "$NFVS_CACHE"
updated=

apt_update() {
	[ -n "$updated" ] && return 0
	nfvs_log "deps: apt-get update"
	apt-get update -q >>"$APT_LOG" 2>&1 || nfvs_die "apt-get update failed (see $APT_LOG)"
	updated=1
}

apt_install() {
	nfvs_log "deps: installing $*"
	apt-get install -y -q --no-install-recommends "$@" >>"$APT_LOG" 2>&1 ||
		nfvs_die "apt-get install $* failed (see $APT_LOG)"
}

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed'
}

ensure_backports_source() {
	local f=/etc/apt/sources.list.d/nfvs-bookworm-backports.sources
	grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/ && return 0
	nfvs_log "deps: adding bookworm-backports to apt sources"
	cat >"$f" <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	updated=
}

# QEMU from bookworm-backports (10.0 as of December 2026), not bookworm's
# 7.2: its software emulation runs the selftests in about half the time
# (Documentation/testing.rst, "Time and slow machines"). A 7.2 already
# installed is upgraded.
QEMU_MIN=1:8
ensure_qemu() {
	local v
	v=$(dpkg-query -W -f='${Version}' qemu-system-x86 2>/dev/null || true)
	if [ -n "$v" ] && installed qemu-system-x86 &&
	   dpkg --compare-versions "$v" ge "$QEMU_MIN"; then
		return 0
	fi
	ensure_backports_source
	apt_update
	apt_install -t bookworm-backports qemu-system-x86
}

# The versioned image and headers packages behind the metapackages of a
# release, so that several series can be installed side by side.
versioned_kernel_packages() {
	apt-cache ${1:+-t "$1"} depends linux-image-amd64 linux-headers-amd64 |
		sed -n 's/^ *Depends: \(linux-\(image\|headers\)-[0-9][^ ]*\)$/\1/p'
}

ensure_host_packages() {
	local p missing=()
	for p in $HOST_PACKAGES; do
		installed "$p" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	apt_update
	apt_install "${missing[@]}"
}

ensure_bookworm_kernel() {
	local series=$1 release=$2 kver
	kver=$(nfvs_kver "$series")
	if [ -n "$kver" ] && [ -d "/usr/src/linux-headers-$kver" ] &&
	   nfvs_vmlinuz "$kver" >/dev/null; then
		return 0
	fi
	ensure_backports_source
	apt_update
	# shellcheck disable=SC2046
	apt_install $(versioned_kernel_packages "$release")
}

in_chroot() { nfvs_in_root "$NFVS_CHROOT" "$@"; }

ensure_trixie_chroot() {
	local p missing=()
	if [ ! -x "$NFVS_CHROOT/usr/bin/apt-get" ]; then
		nfvs_log "deps: debootstrap trixie into $NFVS_CHROOT"
		rm -rf "$NFVS_CHROOT"
		debootstrap --variant=minbase trixie "$NFVS_CHROOT" \
			http://deb.debian.org/debian >>"$APT_LOG" 2>&1 ||
			nfvs_die "debootstrap trixie failed (see $APT_LOG)"
	fi
	if [ ! -f "$NFVS_CHROOT/etc/apt/sources.list.d/trixie-backports.sources" ]; then
		cat >"$NFVS_CHROOT/etc/apt/sources.list.d/trixie-backports.sources" <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
		rm -f "$NFVS_CHROOT/.nfvs-updated"
	fi
	for p in $CHROOT_PACKAGES; do
		in_chroot dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q '^install ok installed' || missing+=("$p")
	done
	if ! ls -d "$NFVS_CHROOT"/usr/src/linux-headers-7.3.*-amd64 >/dev/null 2>&1 &&
	   [[ " ${missing[*]} " != *" linux-headers-amd64 "* ]]; then
		missing+=(linux-headers-amd64)
	fi
	[ ${#missing[@]} -eq 0 ] && return 0
	nfvs_log "deps: installing ${missing[*]} in the trixie chroot"
	in_chroot apt-get update -q >>"$APT_LOG" 2>&1 ||
		nfvs_die "apt-get update in the chroot failed (see $APT_LOG)"
	in_chroot apt-get install -y -q --no-install-recommends -t trixie-backports \
		"${missing[@]}" >>"$APT_LOG" 2>&1 ||
		nfvs_die "installing ${missing[*]} in the chroot failed (see $APT_LOG)"
}

# 7.3's image packages depend only on kmod and their own linux-base, so the
# chroot downloads them and the bookworm host installs them with dpkg.
ensure_trixie_kernel() {
	local hdr kver pkgs dir=$NFVS_CACHE/debs
	hdr=$(ls -d "$NFVS_CHROOT"/usr/src/linux-headers-7.3.*-amd64 | sort -V | tail -n 1)
	kver=${hdr##*/linux-headers-}
	if [ -f "/usr/lib/modules/$kver/modules.dep" ] && nfvs_vmlinuz "$kver" >/dev/null; then
		return 0
	fi
	nfvs_log "deps: installing kernel $kver from trixie-backports"
	pkgs=$(in_chroot apt-cache -t trixie-backports depends --recurse \
		--no-recommends --no-suggests --no-conflicts --no-breaks \
		--no-replaces --no-enhances "linux-image-$kver" |
		grep -E '^linux-(binary|modules|base)-7\.' | sort -u)
	mkdir -p "$NFVS_CHROOT/tmp/debs"
	rm -f "$NFVS_CHROOT"/tmp/debs/*.deb
	# shellcheck disable=SC2086
	in_chroot sh -c "cd /tmp/debs && apt-get download -t trixie-backports $(echo $pkgs)" \
		>>"$APT_LOG" 2>&1 || nfvs_die "downloading $pkgs failed (see $APT_LOG)"
	rm -rf "$dir" && mkdir -p "$dir"
	cp "$NFVS_CHROOT"/tmp/debs/*.deb "$dir/"
	dpkg -i "$dir"/*.deb >>"$APT_LOG" 2>&1 || nfvs_die "dpkg -i of the 7.3 kernel failed (see $APT_LOG)"
}

# The slow tier's fresh Debian 12: what debootstrap installs (the default
# variant, priority important and up) and the distribution's kernel. The
# slow tier installs the packages into a writable layer over it and boots
# it; apt's cache here keeps the packages they pull in (dkms, the headers,
# the compiler) from one run to the next.
ensure_fresh_bookworm() {
	[ -f "$NFVS_FRESH/.nfvs-ready" ] && return 0
	nfvs_log "deps: debootstrap bookworm into $NFVS_FRESH (the slow tier's fresh Debian 12)"
	rm -rf "$NFVS_FRESH"
	debootstrap bookworm "$NFVS_FRESH" http://deb.debian.org/debian \
		>>"$APT_LOG" 2>&1 || nfvs_die "debootstrap bookworm failed (see $APT_LOG)"
	nfvs_in_root "$NFVS_FRESH" apt-get install -y -q --no-install-recommends \
		linux-image-amd64 >>"$APT_LOG" 2>&1 ||
		nfvs_die "installing the kernel in $NFVS_FRESH failed (see $APT_LOG)"
	touch "$NFVS_FRESH/.nfvs-ready"
}

ensure_host_packages
ensure_qemu
[ "${1:-}" = --host ] && exit 0
[ "${NFVS_SLOW:-0}" = 1 ] && ensure_fresh_bookworm
ensure_bookworm_kernel 6.1 ""
ensure_bookworm_kernel 6.12 bookworm-backports
ensure_trixie_chroot
ensure_trixie_kernel
