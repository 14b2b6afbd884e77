# SPDX-License-Identifier: GPL-2.0
# Shared definitions for nfvs's scripts: caches, the kernel matrix, logging.

NFVS_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NFVS_CACHE=${NFVS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nfvs}
NFVS_BUILD=${NFVS_BUILD:-$NFVS_TOP/build}
NFVS_CHROOT=${NFVS_CHROOT:-$NFVS_CACHE/trixie-chroot}

# The kernel matrix: series name -> where Debian ships it.
NFVS_SERIES=${NFVS_SERIES:-"6.1 6.12 7.3"}

nfvs_log() { printf '%s\n' "$*" >&2; }
nfvs_die() { printf 'nfvs: %s\n' "$*" >&2; exit 1; }

# nfvs_kver SERIES: the newest installed Debian amd64 kernel release of a
# series (e.g. 6.1 -> 6.1.0-56-amd64), or nothing.
nfvs_kver() {
	local v
	ls /usr/lib/modules 2>/dev/null |
		grep -E "^${1//./\\.}\.[0-9][^/]*-amd64$" |
		while read -r v; do
			[ -f "/usr/lib/modules/$v/modules.dep" ] && echo "$v"
		done | sort -V | tail -n 1
}

# nfvs_vmlinuz KVER: the bootable image of an installed kernel.
nfvs_vmlinuz() {
	local f
	for f in /boot/vmlinuz-"$1" /usr/lib/modules/"$1"/vmlinuz; do
		[ -f "$f" ] && { echo "$f"; return 0; }
	done
	return 1
}

# nfvs_kdir KVER: the kbuild directory for a kernel, on the host or in the
# trixie chroot (printed as a path inside the chroot, prefixed "chroot:").
nfvs_kdir() {
	if [ -d "/usr/src/linux-headers-$1" ]; then
		echo "/usr/src/linux-headers-$1"
	elif [ -d "$NFVS_CHROOT/usr/src/linux-headers-$1" ]; then
		echo "chroot:/usr/src/linux-headers-$1"
	else
		return 1
	fi
}
