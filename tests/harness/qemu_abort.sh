#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A QEMU that dies of SIGABRT (status 134), as the debug guest's did once in
# CI, for tests/harness/canary.sh (NFVS_QEMU=this): the first NFVS_ABORTS
# calls (default 1, counted in the file NFVS_ABORT_COUNT) abort before
# anything starts; the later ones are QEMU.
n=$(cat "$NFVS_ABORT_COUNT" 2>/dev/null || echo 0)
if [ "$n" -lt "${NFVS_ABORTS:-1}" ]; then
	echo $((n + 1)) >"$NFVS_ABORT_COUNT"
	echo "qemu_abort.sh: abort $((n + 1)) of ${NFVS_ABORTS:-1}, on purpose" >&2
	kill -ABRT $$
fi
exec qemu-system-x86_64 "$@"
