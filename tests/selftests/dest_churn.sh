#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Real servers deleted, added back and re-weighted in a tight loop while
# clients connect as fast as they can, for every scheduler: a deletion
# must not leave a scheduler's state on a server that is gone (a hang with
# the lock held, or a read of freed memory), nor a reference behind. Run
# on the debug kernel with 2 vCPUs too (KASAN, lockdep).
#
#   client c-SFX              director d-SFX
#   10.0.1.2/24 --veth-- 10.0.1.1/24, VIP 10.0.1.100
#                         drs1..3 10.0.I+1.1/24 --veth-- 10.0.I+1.2 rsI-SFX
#
# For each scheduler (Debian's kernels share them out: NFVS_SPREAD, lib.sh;
# the debug kernel, or the script run alone, does them all: spread 0/1): a
# TCP service VIP:80 over rs1..rs3 (NAT, each server
# greets a connection with its name). Two clients (one per vCPU) connect
# one after the other for NFVS_CHURN_SECONDS (default 6) while the director
# applies, over and over, an ipvsadm -R batch that deletes rs2 and rs3,
# adds them back with other weights and re-weights rs1, 20 times (100
# commands). Checks: every batch applied, connections answered throughout,
# the servers at the batch's last weights in the end, no connection
# counter below zero; at the end nfvs unloads (no destination or service
# left referenced) and the kernel log has no warning.
#
# In the debug profile (debug_profile, lib.sh) every scheduler still
# churns, since the defects this looks for were each scheduler's state on
# a deleted server, but for 3 s instead of 6. Not less: a connection
# scheduled to a server that the batch then deletes goes unanswered for
# the 2 s a client gives it, and with 3 s each client has time for
# another.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib_nat.sh
. "$(dirname "$0")/lib_nat.sh"

# This kernel's schedulers (spread_has): four results each, five more.
scheds="rr wrr lc wlc sed nq fo ovf sh dh mh"
mine=0
i=0
for sched in $scheds; do
	spread_has $i && mine=$((mine + 1))
	i=$((i + 1))
done
plan $((5 + 4 * mine))

client=$(dirname "$0")/sched_client.py
secs=${NFVS_CHURN_SECONDS:-$(volume 6 3)}
mark=dest-churn-$nfvs_sfx
tmp=$(mktemp -d)

cleanup() {
	nat_cleanup
	rm -rf "$tmp"
}

rs_serve() {
	nat_greet "$1" "rs$2" --tcp 80
}

rs() {
	echo "10.0.$(($1 + 1)).2:80"
}

# The batch, and the weights it leaves (i = 20): rs1 3, rs2 1, rs3 1.
for i in $(seq 20); do
	echo "-d -t $vip:80 -r $(rs 2)"
	echo "-d -t $vip:80 -r $(rs 3)"
	echo "-a -t $vip:80 -r $(rs 2) -m -w $((i % 5 + 1))"
	echo "-a -t $vip:80 -r $(rs 3) -m -w $((i % 4 + 1))"
	echo "-e -t $vip:80 -r $(rs 1) -m -w $((i % 3 + 1))"
done >"$tmp/batch"
final="$(rs 1) 3|$(rs 2) 1|$(rs 3) 1"

# churn: applies the batch until $tmp/stop exists; prints "BATCHES FAILED".
churn() {
	local n=0 failed=0
	while [ ! -e "$tmp/stop" ]; do
		dx ipvsadm -R <"$tmp/batch" 2>>"$tmp/churn.err" || failed=$((failed + 1))
		n=$((n + 1))
	done
	echo "$n $failed"
}

check "nfvs loads" nfvs_load
nfvs_kmsg_mark "$mark"
check "topology comes up" nat_setup 3 rs_serve
echo "# churning for $secs s per scheduler"

i=-1
for sched in $scheds; do
	i=$((i + 1))
	spread_has $i || continue
	rm -f "$tmp/stop"
	dx ipvsadm -A -t $vip:80 -s $sched &&
		dx ipvsadm -a -t $vip:80 -r "$(rs 1)" -m -w 2 &&
		dx ipvsadm -a -t $vip:80 -r "$(rs 2)" -m -w 2 &&
		dx ipvsadm -a -t $vip:80 -r "$(rs 3)" -m -w 2 ||
		{ check "$sched: service set up" false; continue; }
	churn >"$tmp/churn" &
	cpid=$!
	fpids=()
	for k in 1 2; do
		ip netns exec $c python3 -S "$client" flood $vip 80 "$secs" >"$tmp/flood$k" 2>/dev/null &
		fpids+=($!)
	done
	wait "${fpids[@]}"
	touch "$tmp/stop"
	wait "$cpid"
	read -r batches failed <"$tmp/churn"
	answered=$(cat "$tmp/flood1" "$tmp/flood2" | awk '{ n += $2; u += $4 } END { print n + 0, u + 0 }')
	echo "# $sched: $batches batches of 100 commands; connections answered, unanswered: $answered"
	check_eq "$sched: every batch applied (of $batches)" 0 "$failed"
	check "$sched: connections answered during the churn" test "${answered% *}" -gt 0
	check_eq "$sched: the servers at the batch's last weights" "$final" \
		"$(dx ipvsadm -Ln -t $vip:80 | awk '$1 == "->" && $2 ~ /^10/ { print $2, $4 }' | sort | paste -sd'|')"
	check_eq "$sched: no connection counter below zero" "" \
		"$(dx ipvsadm -Ln -t $vip:80 | awk '$1 == "->" && $2 ~ /^10/ && ($5 > 2147483647 || $6 > 2147483647)')"
	dx ipvsadm -D -t $vip:80
done
[ -s "$tmp/churn.err" ] && sed 's/^/# /' "$tmp/churn.err" | head -n 5

check_eq "no kernel warning" "" "$(nfvs_klog_problems "$mark")"
cleanup
check_eq "no module reference held" "0" "$(nfvs_refcnt)"
check "nfvs unloads" nfvs_unload
tap_done
