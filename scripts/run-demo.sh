#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo [DEMO_SERIES=6.1]: builds nfvs.ko for one kernel of the matrix,
# boots that kernel under QEMU (scripts/vm/run.sh) and runs scripts/demo.sh
# in it, printing the demo as it goes. Fails when the demo fails or the
# guest's kernel log shows a warning.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

series=${1:-6.1}
# A fresh machine gets what the project needs first (idempotent, silent
# when everything is there).
echo "==> Checking the Debian packages and kernels the project needs"
"$NFVS_TOP/scripts/deps.sh" ||
	nfvs_die "installing the dependencies failed (run as root, on Debian 12)"
kver=$(nfvs_kver "$series")
[ -n "$kver" ] || nfvs_die "kernel $series is not installed"

echo "==> Building nfvs.ko for $kver"
NFVS_SERIES=$series "$NFVS_TOP/scripts/build-matrix.sh" || exit 1
if pkg-config --exists libmnl libnetfilter_conntrack 2>/dev/null; then
	echo "==> Building nfvsctl"
	make -s -C "$NFVS_TOP/tools/nfvsctl" >/dev/null || exit 1
fi

echo "==> Booting $kver under QEMU (software emulation: about a minute)"
out=$NFVS_BUILD/demo-$kver
log=$NFVS_BUILD/demo-$kver.log
rm -rf "$out"
NFVS_VM_NAME=demo NFVS_VM_TIMEOUT=${NFVS_VM_TIMEOUT:-300} NFVS_TEST_TIMEOUT=240 \
	"$NFVS_TOP/scripts/vm/run.sh" "$series" scripts/demo.sh >"$log" 2>&1 &
vm=$!
# The guest writes the demo's output to the results share as it runs.
tail -n +1 -F -s 0.2 --pid=$vm "$out/results/01-demo.tap" 2>/dev/null
wait $vm

rc=0
if [ "$(cat "$out/results/01-demo.rc" 2>/dev/null)" != 0 ]; then
	echo "==> The demo failed:"
	sed 's/^/    /' "$out/results/01-demo.err" 2>/dev/null | tail -n 20
	rc=1
fi
# run.sh's verdicts on the guest itself (a demo prints no test results).
if grep '^not ok' "$log" | grep -v ': demo: no test results'; then
	echo "==> Guest console: $out/console.log"
	rc=1
fi
exit $rc
