#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# nfvs.ko loads and unloads cleanly 20 times in a row, while traffic keeps
# crossing the hooks it registers and removes:
#
#   ping -i 0.01 127.0.0.1 (loopback, init namespace):
#       OUTPUT -> POSTROUTING -> INPUT, 100 packets a second
#
# Each time, net.nfvs.conntrack appears with its default (0) while loaded and
# the net/nfvs directory is gone after rmmod. Under make check, SLUB's
# debugging of nfvs's connection cache and KFENCE are on.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
plan 10

cycles=20
loads=0 unloads=0 sysctl_ok=0 gone_ok=0

ping_log=$(mktemp)
ping -q -i 0.01 127.0.0.1 >"$ping_log" 2>&1 &
pinger=$!
trap 'kill $pinger 2>/dev/null; rm -f "$ping_log"' EXIT
before=$(dmesg | grep -c 'nfvs: version .* loaded')

for _ in $(seq $cycles); do
	nfvs_load && loads=$((loads + 1))
	[ "$(cat /proc/sys/net/nfvs/conntrack 2>/dev/null)" = 0 ] && sysctl_ok=$((sysctl_ok + 1))
	nfvs_unload && unloads=$((unloads + 1))
	[ ! -e /proc/sys/net/nfvs ] && gone_ok=$((gone_ok + 1))
done

check_eq "insmod succeeds $cycles times" "$cycles" "$loads"
check_eq "net.nfvs.conntrack present with default 0 while loaded" "$cycles" "$sysctl_ok"
check_eq "rmmod succeeds $cycles times" "$cycles" "$unloads"
check_eq "net/nfvs sysctl directory gone after every rmmod" "$cycles" "$gone_ok"
check "module not loaded at the end" test ! -e /sys/module/nfvs
after=$(dmesg | grep -c 'nfvs: version .* loaded')
check_eq "kernel log shows $cycles loads" "$cycles" "$((after - before))"
kill -INT $pinger
wait $pinger
stats=$(sed -nE 's/^([0-9]+) packets transmitted, ([0-9]+) received.*/\1 \2/p' "$ping_log")
sent=${stats% *}
received=${stats#* }
echo "# ping: ${sent:-?} sent, ${received:-?} received"
check "pings were sent during the cycles" test "${sent:-0}" -ge 20
# The last echo may still be in flight when ping is stopped.
check "no ping lost while hooks came and went" test "${received:-0}" -ge "$((${sent:-0} - 1))"
# The guests' allocator checks (scripts/vm/run.sh) are really on: SLUB's
# red zones and poison on nfvs's connections, and KFENCE where the kernel
# has it.
if grep -q 'slub_debug=[^ ]*nfvs_conn' /proc/cmdline; then
	nfvs_load
	check_eq "slub_debug: red zones and poison on the nfvs_conn cache" "1 1" \
		"$(cat /sys/kernel/slab/nfvs_conn/red_zone /sys/kernel/slab/nfvs_conn/poison 2>&1 | paste -sd' ')"
	nfvs_unload
fi
if [ -e /sys/module/kfence/parameters/sample_interval ] &&
	grep -q 'kfence.sample_interval=' /proc/cmdline; then
	check "KFENCE samples allocations (sample_interval not 0)" \
		test "$(cat /sys/module/kfence/parameters/sample_interval)" -gt 0
else
	skip "KFENCE samples allocations (sample_interval not 0)" \
		"no KFENCE in $(uname -r), or not asked for"
fi
tap_done
