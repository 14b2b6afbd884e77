#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The slow tier (make check with NFVS_SLOW=1, and CI): what an operator
# installs. On the host: the Debian packages build (dpkg-buildpackage -b)
# and lintian finds nothing, pedantic tags included; make install and make uninstall
# with DESTDIR. apt installs both packages into a fresh Debian 12, DKMS
# builds the module for its kernel, and booted on that kernel modprobe and
# nfvsctl work; removal takes it all away (tests/slow/guest_fresh_boot.sh). For 7.3, whose headers live in the
# trixie chroot: DKMS builds and installs the module there, a 7.3 guest
# loads what it installed (tests/slow/guest_dkms_chroot.sh), and dkms
# remove takes it away. Prints "ok - slow: ..." lines.
set -uo pipefail
# shellcheck source=../../scripts/lib.sh
. "$(dirname "$0")/../../scripts/lib.sh"

dir=$NFVS_BUILD/debs
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rm -rf "$dir" && mkdir -p "$dir" "$tmp/nfvs"
rc=0

result() {
	if [ "$2" = 0 ]; then
		echo "ok - slow: $1"
	else
		echo "not ok - slow: $1"
		[ -n "${3:-}" ] && tail -n 15 "$3" | sed 's/^/# /'
		rc=1
	fi
}

# The tree as it is (what CI checks out), without build products.
tar -C "$NFVS_TOP" --exclude=./build --exclude=./.git \
	--exclude='*.o' --exclude='*.ko' --exclude=tools/nfvsctl/nfvsctl \
	-cf - . | tar -C "$tmp/nfvs" -xf -
(cd "$tmp/nfvs" && dpkg-buildpackage -us -uc -b) >"$dir/build.log" 2>&1
result "dpkg-buildpackage -us -uc -b builds nfvs-dkms and nfvsctl" $? "$dir/build.log"
cp "$tmp"/*.deb "$tmp"/*.changes "$tmp"/*.buildinfo "$dir/" 2>/dev/null
lintian -I --pedantic --fail-on error,warning,info,pedantic "$dir"/*.changes >"$dir/lintian.log" 2>&1
result "lintian (pedantic): no tag at all" $? "$dir/lintian.log"

kdir=$(nfvs_kdir "$(nfvs_kver 6.1)")
# In the copy: make check's guests run the tree's own nfvsctl meanwhile.
make -C "$tmp/nfvs" install KDIR="$kdir" DESTDIR="$tmp/inst" PREFIX=/usr \
	>"$dir/install.log" 2>&1 &&
	test -f "$tmp/inst/lib/modules/$(nfvs_kver 6.1)/extra/nfvs.ko" &&
	test -x "$tmp/inst/usr/sbin/nfvsctl" &&
	test -f "$tmp/inst/usr/share/man/man8/nfvsctl.8"
result "make install (DESTDIR): nfvs.ko in extra/, nfvsctl, nfvsctl.8" $? "$dir/install.log"
make -C "$tmp/nfvs" uninstall KDIR="$kdir" DESTDIR="$tmp/inst" PREFIX=/usr \
	>>"$dir/install.log" 2>&1 &&
	[ -z "$(find "$tmp/inst" -type f)" ]
result "make uninstall (DESTDIR) takes them away" $? "$dir/install.log"

# A fresh Debian 12 (NFVS_FRESH, made by scripts/deps.sh: debootstrap and
# the distribution's kernel) under a writable overlay: apt installs the two
# packages into it from the host, as into a system about to be booted
# (with what they pull in: dkms, the headers of its kernel, the compiler);
# DKMS builds the module for its kernel. Then the guest boots that system
# on its own kernel (tests/slow/guest_fresh_boot.sh). Installing inside the
# guest works too but takes over ten minutes under emulation.
fresh=$tmp/fresh
mkdir -p "$fresh/upper" "$fresh/work" "$fresh/root"
trap 'umount -R "$fresh/root" 2>/dev/null; rm -rf "$tmp"' EXIT
in_fresh() { nfvs_in_root "$fresh/root" "$@"; }
if mount -t overlay overlay -o "lowerdir=$NFVS_FRESH,upperdir=$fresh/upper,workdir=$fresh/work" \
	"$fresh/root" 2>"$dir/fresh.log"; then
	mkdir -p "$fresh/root/root/debs"
	cp "$dir"/nfvs-dkms_*.deb "$dir"/nfvsctl_*.deb "$fresh/root/root/debs/"
	in_fresh sh -c 'apt-get install -y -q /root/debs/*.deb' >>"$dir/fresh.log" 2>&1 &&
		ls "$fresh"/root/lib/modules/*/updates/dkms/nfvs.ko >>"$dir/fresh.log" 2>&1
	result "fresh Debian 12: apt-get install nfvs-dkms nfvsctl (DKMS builds nfvs.ko for its kernel)" \
		$? "$dir/fresh.log"
	NFVS_VM_INSTALLED=1 NFVS_VM_ROOT=$fresh/root NFVS_VM_NAME=fresh \
		"$NFVS_TOP/scripts/vm/run.sh" \
		6.1 tests/slow/guest_fresh_boot.sh |
		sed 's/^\(not \)\{0,1\}ok - /&slow: fresh Debian 12: /' || rc=1
	# From the source tree, on the same system (dkms, the headers and the
	# compiler stay when the packages go): make dkms-install and
	# dkms-remove for its kernel.
	kf=$(nfvs_kver 6.1 "$fresh/root")
	tar -C "$tmp/nfvs" -cf - . | tar -C "$fresh/root/root" --one-top-level=nfvs -xf -
	in_fresh make -C /root/nfvs dkms-install KVER="$kf" \
		KDIR="/usr/src/linux-headers-$kf" >"$dir/fresh-dkms.log" 2>&1 &&
		ls "$fresh/root/lib/modules/$kf/updates/dkms/"nfvs.ko* >>"$dir/fresh-dkms.log" 2>&1
	result "fresh Debian 12: make dkms-install builds and installs nfvs.ko for $kf" \
		$? "$dir/fresh-dkms.log"
	in_fresh make -C /root/nfvs dkms-remove >>"$dir/fresh-dkms.log" 2>&1 &&
		[ -z "$(find "$fresh/root/lib/modules/$kf" -name 'nfvs.ko*')" ] &&
		[ ! -e "$fresh/root/usr/src/nfvs-0.1.0" ]
	result "fresh Debian 12: make dkms-remove takes it away" $? "$dir/fresh-dkms.log"
	umount "$fresh/root"
	# What apt downloaded stays for the next run (it is only apt's cache).
	cp -n "$fresh/upper/var/cache/apt/archives/"*.deb \
		"$NFVS_FRESH/var/cache/apt/archives/" 2>/dev/null
else
	result "fresh Debian 12: a writable overlay over $NFVS_FRESH" 1 "$dir/fresh.log"
fi

# 7.3: DKMS in the trixie chroot (objtool needs /proc there).
k73=$(nfvs_kver 7.3)
in_chroot() { nfvs_in_root "$NFVS_CHROOT" "$@"; }
in_chroot dkms remove -m nfvs -v 0.1.0 --all >/dev/null 2>&1
make -C "$tmp/nfvs" dkms-source DESTDIR="$NFVS_CHROOT" >"$dir/dkms73.log" 2>&1 &&
	in_chroot dkms add -m nfvs -v 0.1.0 >>"$dir/dkms73.log" 2>&1 &&
	in_chroot dkms build -m nfvs -v 0.1.0 -k "$k73" >>"$dir/dkms73.log" 2>&1 &&
	in_chroot dkms install -m nfvs -v 0.1.0 -k "$k73" >>"$dir/dkms73.log" 2>&1 &&
	in_chroot depmod -a "$k73" >>"$dir/dkms73.log" 2>&1 &&
	test -s "$NFVS_CHROOT/lib/modules/$k73/modules.dep"
result "dkms add, build, install for $k73 (in the trixie chroot)" $? "$dir/dkms73.log"
NFVS_VM_INSTALLED=1 NFVS_GUEST_ENV=NFVS_DKMS_ROOT NFVS_DKMS_ROOT=$NFVS_CHROOT NFVS_VM_NAME=slow \
	"$NFVS_TOP/scripts/vm/run.sh" 7.3 tests/slow/guest_dkms_chroot.sh |
	sed 's/^\(not \)\{0,1\}ok - /&slow: /' || rc=1
in_chroot dkms remove -m nfvs -v 0.1.0 --all >>"$dir/dkms73.log" 2>&1 &&
	[ -z "$(find "$NFVS_CHROOT/lib/modules/$k73" -name 'nfvs.ko*')" ]
result "dkms remove: no nfvs.ko left for $k73" $? "$dir/dkms73.log"
rm -rf "$NFVS_CHROOT/usr/src/nfvs-0.1.0"
exit $rc
