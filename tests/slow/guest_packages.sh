#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# In a guest (tests/slow/packages.sh boots it): the nfvs-dkms and nfvsctl
# packages installed on Debian 12 (the host's root with a writable overlay,
# chrooted into), DKMS builds nfvs.ko for the running kernel, modprobe finds
# it and nfvsctl drives it; removing the packages takes the module away
# again. NFVS_DEBS is the directory with the .deb files.
# shellcheck source=../selftests/lib.sh
. "$NFVS_TOP/tests/selftests/lib.sh"

kver=$(uname -r)
ov=/run/ov
root=$ov/root

cleanup() {
	grep -q '^nfvs ' /proc/modules && rmmod nfvs
	umount -R "$root" 2>/dev/null
	umount "$ov" 2>/dev/null
}
trap cleanup EXIT

in_root() {
	chroot "$root" /usr/bin/env -i HOME=/root \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		DEBIAN_FRONTEND=noninteractive "$@"
}

modprobe overlay || skip_all "no overlayfs"
if ! { mkdir -p $ov && mount -t tmpfs tmpfs $ov &&
	mkdir -p $ov/upper $ov/work $root; }; then
	skip_all "no tmpfs"
fi
if ! mount -t overlay overlay \
	-o lowerdir=/,upperdir=$ov/upper,workdir=$ov/work "$root"; then
	not_ok "a writable root: overlay on the host's root"
	tap_done
fi
ok "a writable root: overlay on the host's root"
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount --rbind /dev "$root/dev"
mount -t tmpfs tmpfs "$root/tmp"
mount -t tmpfs tmpfs "$root/run"
cp "$NFVS_DEBS"/nfvs-dkms_*.deb "$root/tmp/nfvs-dkms.deb"
cp "$NFVS_DEBS"/nfvsctl_*.deb "$root/tmp/nfvsctl.deb"
[ -d "$root/usr/src/nfvs-0.1.0" ] && in_root dpkg -r nfvs-dkms >/dev/null 2>&1

in_root dpkg -i /tmp/nfvs-dkms.deb /tmp/nfvsctl.deb >/tmp/dpkg.log 2>&1
check_eq "dpkg -i nfvs-dkms nfvsctl" 0 "$?" || tail -n 20 /tmp/dpkg.log | sed 's/^/# /'
check "dkms status: nfvs installed for $kver" bash -c \
	"chroot $root dkms status -m nfvs -k $kver | grep -q installed"
check "the module is where modprobe looks" bash -c \
	"chroot $root modinfo -k $kver -n nfvs | grep -q updates/dkms/nfvs.ko"
check "modprobe nfvs (nf_conntrack comes with it)" in_root modprobe nfvs
check "nfvsctl: a service and a real server" bash -c \
	"chroot $root nfvsctl service add tcp 192.0.2.1:80 sched rr &&
	 chroot $root nfvsctl dest add tcp 192.0.2.1:80 10.0.0.2 fwd nat"
check_eq "ipvsadm sees them" "-A -t 192.0.2.1:80 -s rr|-a -t 192.0.2.1:80 -r 10.0.0.2:80 -m -w 1" \
	"$(ipvsadm -Sn | paste -sd'|')"
check "man nfvsctl is installed" test -f "$root/usr/share/man/man8/nfvsctl.8.gz"
ipvsadm -C
check "rmmod nfvs" rmmod nfvs
in_root dpkg -r nfvsctl nfvs-dkms >/tmp/dpkg.log 2>&1
check_eq "dpkg -r nfvsctl nfvs-dkms" 0 "$?" || tail -n 20 /tmp/dpkg.log | sed 's/^/# /'
check "the module is gone: modprobe nfvs fails" bash -c "! chroot $root modprobe -n nfvs 2>/dev/null"
check "nfvsctl is gone" test ! -e "$root/usr/sbin/nfvsctl"
tap_done
