#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel's own IPVS selftest (tools/testing/selftests/netfilter/ipvs.sh
# of linux-source-6.1: DR, NAT and TUN, each a client, a director and a real
# server in namespaces, configured with ipvsadm), run unchanged against
# nfvs. It is taken from the installed package at run time
# (NFVS_KSELFTEST_IPVS, set by scripts/vm/run.sh).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
plan 7

src=${NFVS_KSELFTEST_IPVS:-}
# No path: linux-source-6.1 is not installed (make deps installs it). A
# path the guest cannot read is a broken setup, not a skip.
[ -n "$src" ] || skip_all "no ipvs.sh: linux-source-6.1 is not installed"
if [ ! -f "$src" ]; then
	check "ipvs.sh is readable in the guest ($src)" false
	tap_done
fi

check "nfvs loads" nfvs_load
out=$(sh "$src" 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
check_eq "ipvs.sh: exit status" "0" "$rc"
check_eq "ipvs.sh: DR, NAT and tunnel modes ran" "3" \
	"$(grep -c -E '^Testing (DR|NAT|Tunnel) mode' <<<"$out")"
check "ipvs.sh: PASS" grep -q 'ipvs.sh: .*PASS' <<<"$out"
check "in-tree IPVS was not loaded: nfvs did the work" test -z "$(ipvs_modules)"
check_eq "no module reference held" "0" "$(nfvs_refcnt)"
check "nfvs unloads" nfvs_unload
tap_done
