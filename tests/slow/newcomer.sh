#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# newcomer.sh [demo|check]: README.md's path on a fresh Debian 12, by hand
# (not in make check or CI: it downloads the whole kernel matrix, about
# 2 GB, and builds the debug kernel; 20 minutes for demo, more than an hour with
# check). The fresh system is NFVS_FRESH (scripts/deps.sh with NFVS_SLOW=1
# makes it) under a throwaway overlay, entered with chroot; the tree is
# this one as committed (git archive HEAD). There, only what README.md
# says: apt-get install make, make demo, the packages, and with "check"
# make check.
# Prints "ok - newcomer: ..." lines.
set -uo pipefail
# shellcheck source=../../scripts/lib.sh
. "$(dirname "$0")/../../scripts/lib.sh"

what=${1:-demo}
[ -f "$NFVS_FRESH/.nfvs-ready" ] || NFVS_SLOW=1 "$NFVS_TOP/scripts/deps.sh" ||
	nfvs_die "no fresh Debian 12 at $NFVS_FRESH"
# On disk, not in /tmp: the overlay grows by several GB.
w=$(mktemp -d /var/tmp/nfvs-newcomer.XXXXXX)
log=$NFVS_BUILD/newcomer
mkdir -p "$w/upper" "$w/work" "$w/root" "$log"
trap 'umount -R "$w/root" 2>/dev/null; rm -rf "$w"' EXIT
mount -t overlay overlay -o "lowerdir=$NFVS_FRESH,upperdir=$w/upper,workdir=$w/work" \
	"$w/root" || nfvs_die "cannot mount an overlay over $NFVS_FRESH"
mkdir -p "$w/root/root/nfvs"
git -C "$NFVS_TOP" archive HEAD | tar -C "$w/root/root/nfvs" -xf -
cp /etc/resolv.conf "$w/root/etc/resolv.conf"

# newcomer CMD: CMD in the fresh system, as root in the tree's directory.
newcomer() {
	nfvs_in_root "$w/root" sh -c 'cd /root/nfvs && exec "$@"' sh "$@"
}
mount --rbind /dev "$w/root/dev"

rc=0
step() {
	local desc=$1 name=$2 t0 r
	shift 2
	t0=$(date +%s)
	"$@" >"$log/$name.log" 2>&1
	r=$?
	if [ $r = 0 ]; then
		echo "ok - newcomer: $desc ($(($(date +%s) - t0)) s)"
	else
		echo "not ok - newcomer: $desc (exit $r, $(($(date +%s) - t0)) s)"
		tail -n 15 "$log/$name.log" | sed 's/^/# /'
		rc=1
	fi
	return $r
}

step "a fresh Debian 12 has no make" no-make newcomer sh -c '! command -v make'
step "apt-get install make (README.md)" make \
	newcomer env DEBIAN_FRONTEND=noninteractive apt-get install -y make
step "make demo" demo newcomer make demo &&
	step "the demo's answers came from both real servers, its tables printed" demo-out \
		sh -c "grep -Eq '^  rs1 +[1-9]' $log/demo.log &&
		       grep -Eq '^  rs2 +[1-9]' $log/demo.log &&
		       grep -q 'Connection table: ipvsadm -Lnc' $log/demo.log"
step "README.md's packages: build-dep, dpkg-buildpackage, apt-get install" debs \
	newcomer sh -c 'export DEBIAN_FRONTEND=noninteractive &&
		apt-get install -y build-essential && apt-get build-dep -y . &&
		dpkg-buildpackage -us -uc -b &&
		apt-get install -y ../nfvs-dkms_*.deb ../nfvsctl_*.deb &&
		ls /lib/modules/*/updates/dkms/nfvs.ko && nfvsctl help'
if [ "$what" = check ]; then
	step "make check" check newcomer make check &&
		step "make check ends \"N passed, 0 failed\"" check-out \
			grep -Eq '^[0-9]+ passed, 0 failed' "$log/check.log"
fi
exit $rc
