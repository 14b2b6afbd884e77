#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A fresh Debian 12 booted on its own kernel after apt installed nfvs-dkms
# and nfvsctl into it (tests/slow/packages.sh): DKMS built the module for
# this kernel, modprobe nfvs finds it, nfvsctl configures a service and
# reads it back, and removing the packages takes the module and the tool
# away again.
# shellcheck source=../selftests/lib.sh
. "$NFVS_TOP/tests/selftests/lib.sh"

kver=$(uname -r)
export DEBIAN_FRONTEND=noninteractive
trap 'grep -q "^nfvs " /proc/modules && rmmod nfvs' EXIT

check_eq "Debian 12 with nfvs-dkms and nfvsctl installed" \
	"12 install ok installed|install ok installed" \
	"$(cut -d. -f1 /etc/debian_version) $(dpkg-query -W -f='${Status}|' nfvs-dkms 2>&1)$(dpkg-query -W -f='${Status}' nfvsctl 2>&1)"
check "dkms status: nfvs installed for the running kernel ($kver)" bash -c \
	"dkms status -m nfvs -k $kver | grep -q installed"
check "not loaded at boot" bash -c "! grep -q '^nfvs ' /proc/modules"
check "modprobe nfvs (nf_conntrack comes with it)" modprobe nfvs
check_eq "the loaded module is DKMS's build" \
	"$(modinfo -F filename nfvs 2>&1) $(modinfo -F srcversion nfvs 2>&1)" \
	"/lib/modules/$kver/updates/dkms/nfvs.ko $(cat /sys/module/nfvs/srcversion 2>&1)"
check "nfvsctl: a service and a real server" bash -c \
	"nfvsctl service add tcp 192.0.2.1:80 sched wlc &&
	 nfvsctl dest add tcp 192.0.2.1:80 10.0.0.2 fwd nat weight 3"
out=$(nfvsctl -n service show 2>&1)
check "nfvsctl service show reads them back" bash -c \
	"grep -q '192.0.2.1:80.*wlc' <<<'$out' && grep -q '10.0.0.2:80.*3' <<<'$out'"
echo "$out" | sed 's/^/# /'
check "nfvsctl sysctl conntrack 1 sets the module's sysctl" bash -c \
	"nfvsctl sysctl conntrack 1 && grep -qx 1 /proc/sys/net/nfvs/conntrack"
check "man nfvsctl is installed" test -f /usr/share/man/man8/nfvsctl.8.gz
check "nfvsctl service flush" nfvsctl service flush
check "rmmod nfvs" rmmod nfvs
apt-get remove -y nfvsctl nfvs-dkms >/tmp/apt.log 2>&1
check_eq "apt-get remove nfvsctl nfvs-dkms" 0 "$?" ||
	tail -n 20 /tmp/apt.log | sed 's/^/# /'
check "the module is gone: modprobe nfvs fails" bash -c "! modprobe -n nfvs 2>/dev/null"
check "nfvsctl is gone" test ! -e /usr/sbin/nfvsctl
sync
tap_done
