#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# In a 7.3 guest (tests/slow/packages.sh boots it): the nfvs.ko that DKMS
# installed in the trixie chroot (NFVS_DKMS_ROOT, where 7.3's headers are)
# is where modprobe finds it in that root's module tree, loads, and
# ipvsadm drives it.
# shellcheck source=../selftests/lib.sh
. "$NFVS_TOP/tests/selftests/lib.sh"

kver=$(uname -r)
root=${NFVS_DKMS_ROOT:?}
trap 'grep -q "^nfvs " /proc/modules && rmmod nfvs' EXIT

check "DKMS put nfvs.ko in updates/dkms of $kver" bash -c \
	"ls $root/lib/modules/$kver/updates/dkms/nfvs.ko*"
# The chroot's module tree holds nfvs alone; its dependencies are the
# kernel's own.
modprobe nf_conntrack
check "modprobe -d <chroot> nfvs" modprobe -d "$root" nfvs
# Both empty (no file, nothing loaded) is not a match.
built=$(modinfo -F srcversion "$(ls "$root/lib/modules/$kver/updates/dkms/"nfvs.ko*)" 2>/dev/null)
check_eq "the loaded nfvs is DKMS's build" "${built:-(no nfvs.ko)}" \
	"$(cat /sys/module/nfvs/srcversion 2>/dev/null || echo "(none loaded)")"
check "ipvsadm drives it (nfvs, not an autoloaded ip_vs)" bash -c \
	"grep -q '^nfvs ' /proc/modules && ipvsadm -A -t 192.0.2.1:80 -s rr && ipvsadm -Ln | grep -q 192.0.2.1:80 && ipvsadm -C"
check "rmmod nfvs" rmmod nfvs
tap_done
