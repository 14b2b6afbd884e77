#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Harness canary: a real assertion, deliberately flipped. It must be
# reported as failing (tests/harness/canary.sh checks that).
# shellcheck source=../../selftests/lib.sh
. "$NFVS_TOP/tests/selftests/lib.sh"
check "nfvs loads" nfvs_load
check_eq "net.nfvs.conntrack defaults to 1 (deliberately wrong)" 1 \
	"$(cat /proc/sys/net/nfvs/conntrack)"
nfvs_unload
tap_done
