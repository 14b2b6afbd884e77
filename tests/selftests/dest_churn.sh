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
# counter below zero. Then keepalived (unmodified, health checker only) in
# the director with a NAT virtual server per scheduler (VIP:81...), all at
# once, while its configuration goes round three (rs2 out, rs3 out, all
# in, with other weights) with a reload every half second for
# NFVS_KEEPALIVED_CHURN_SECONDS (default 10) and both clients connect to
# the services in turn: keepalived keeps running and logs no IPVS error,
# takes real servers out at the reloads, ends at the last configuration's
# table and removes it all when it stops. At the end nfvs unloads (no
# destination or service left referenced) and the kernel log has no
# warning.
#
# In the debug profile (debug_profile, lib.sh) every scheduler still
# churns, since the defects this looks for were each scheduler's state on
# a deleted server, but for 3 s instead of 6. Not less: a connection
# scheduled to a server that the batch then deletes goes unanswered for
# the 2 s a client gives it, and with 3 s each client has time for
# another.
#
# Programs are dear there (a start costs about 0.3 s): the churn runs in one
# shell in the director (an ipvsadm per batch, no ip netns exec), which
# also lists the service's servers once at the end for the last two checks
# and deletes it; each service is set up by one ipvsadm -R; the rest is
# bash.
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
plan $((15 + 4 * mine))

client=$nfvs_dir/sched_client.py
secs=${NFVS_CHURN_SECONDS:-$(volume 6 3)}
ksecs=${NFVS_KEEPALIVED_CHURN_SECONDS:-10}
mark=dest-churn-$nfvs_sfx
tmp=$(mktemp -d)

cleanup() {
	nat_cleanup
	rm -rf "$tmp"
}

rs_serve() {
	nat_greet "$1" "rs$2" --tcp 80
}

# rip[I]: real server I's address and port.
rip=([1]=10.0.2.2:80 [2]=10.0.3.2:80 [3]=10.0.4.2:80)

# The batch, and the weights it leaves (i = 20): rs1 3, rs2 1, rs3 1.
for ((i = 1; i <= 20; i++)); do
	echo "-d -t $vip:80 -r ${rip[2]}"
	echo "-d -t $vip:80 -r ${rip[3]}"
	echo "-a -t $vip:80 -r ${rip[2]} -m -w $((i % 5 + 1))"
	echo "-a -t $vip:80 -r ${rip[3]} -m -w $((i % 4 + 1))"
	echo "-e -t $vip:80 -r ${rip[1]} -m -w $((i % 3 + 1))"
done >"$tmp/batch"
final="${rip[1]} 3|${rip[2]} 1|${rip[3]} 1"

# churn STOP: in one shell in the director, applies the batch until the
# file STOP exists, then prints "BATCHES FAILED", lists the service (ipvsadm
# -Ln) and deletes it.
churn() {
	# shellcheck disable=SC2016 # expanded by that shell
	dx bash -c '
		n=0 failed=0
		while [ ! -e "$1" ]; do
			ipvsadm -R <"$2" 2>>"$3" || failed=$((failed + 1))
			n=$((n + 1))
		done
		echo "$n $failed"
		ipvsadm -Ln -t "$4"
		ipvsadm -D -t "$4"' churn "$1" "$tmp/batch" "$tmp/churn.err" "$vip:80"
}

# kconf W1 W2 W3: keepalived.conf, a NAT virtual server VIP:81... for each
# scheduler over rs1..rs3 with these weights ("-": not there), no health
# check (so each is up).
kconf() {
	local p=81 s w i
	printf 'global_defs {\n\trouter_id nfvs_churn\n}\n'
	for s in $scheds; do
		printf 'virtual_server %s %d {\n\tlvs_sched %s\n\tlvs_method NAT\n\tprotocol TCP\n' $vip $p "$s"
		i=0
		for w in "$@"; do
			i=$((i + 1))
			[ "$w" = - ] && continue
			printf '\treal_server %s 80 {\n\t\tweight %d\n\t}\n' "${rip[i]%:*}" "$w"
		done
		printf '}\n'
		p=$((p + 1))
	done
}

# ktable W1 W2 W3: the table kconf's configuration makes, as ktable_now
# prints it.
ktable() {
	local p=81 s w i
	for s in $scheds; do
		echo "TCP $vip:$p $s"
		i=0
		for w in "$@"; do
			i=$((i + 1))
			[ "$w" = - ] || echo "-> ${rip[i]} Masq $w"
		done
		p=$((p + 1))
	done
}

# listing: ipvsadm -Ln (on stdin) as services ("TCP VIP:PORT SCHED") and
# their servers ("-> SERVER FWD WEIGHT"); the servers' lines whose
# connection counters are above 2^31 - 1 (below zero) go to $tmp/below.
listing() {
	local line arrow addr fwd w act inact
	: >"$tmp/below"
	while IFS= read -r line; do
		read -r arrow addr fwd w act inact _ <<<"$line"
		case $arrow in
		TCP) echo "TCP $addr $fwd" ;;
		-\>)
			[[ $addr == 10* ]] || continue
			echo "-> $addr $fwd $w"
			[ "$act" -gt 2147483647 ] || [ "$inact" -gt 2147483647 ] &&
				echo "$line" >>"$tmp/below"
			;;
		esac
	done
}

# ktable_now: the director's table, as listing prints it.
ktable_now() {
	dx ipvsadm -Ln 2>&1 | listing
}

# flood_sum FILE...: "ANSWERED UNANSWERED", the clients' (sched_client.py
# flood's) counts summed.
flood_sum() {
	local f a u n=0 m=0
	for f in "$@"; do
		read -r _ a _ u _ <"$f" && n=$((n + ${a:-0})) m=$((m + ${u:-0}))
	done
	echo "$n $m"
}

# ktable_is EXPECTED: the table is EXPECTED, tried for up to 60 s.
ktable_is() {
	local i
	for ((i = 0; i < 60; i++)); do
		[ "$(ktable_now)" = "$1" ] && return 0
		sleep 1
	done
	return 1
}

keepalived_churn() {
	local bad kpid n=0 end k answered u fpids line lines removed ports='' f0=$nfvs_failed s
	kconf 2 2 2 >"$tmp/conf.A"
	kconf 3 - 1 >"$tmp/conf.B"
	kconf 1 4 - >"$tmp/conf.C"
	k=81
	for s in $scheds; do
		ports+=${ports:+,}$k
		k=$((k + 1))
	done
	bad=ok
	for k in A B C; do
		keepalived -t -f "$tmp/conf.$k" >"$tmp/kt.$k" 2>&1 || bad="conf.$k: $(<"$tmp/kt.$k")"
	done
	check_eq "keepalived churn: keepalived -t accepts the three configurations" ok "$bad"
	ln -s conf.A "$tmp/keepalived.conf"
	# Not dx (a function: $! would be a subshell's): ip execs keepalived.
	ip netns exec "$d" keepalived --dont-fork --check --log-console \
		--log-detail --no-syslog --use-file="$tmp/keepalived.conf" \
		--pid="$tmp/k.pid" --checkers_pid="$tmp/kc.pid" \
		--vrrp_pid="$tmp/kv.pid" --bfd_pid="$tmp/kb.pid" \
		>"$tmp/klog" 2>&1 </dev/null &
	kpid=$!
	check "keepalived churn: keepalived brings up a service per scheduler" ktable_is "$(ktable 2 2 2)"
	fpids=()
	for k in 1 2; do
		ip netns exec $c python3 -S "$client" flood $vip \
			"$ports" "$ksecs" \
			>"$tmp/kflood$k" 2>/dev/null &
		fpids+=($!)
	done
	end=$((SECONDS + ksecs))
	while [ $SECONDS -lt $end ]; do
		for k in B C A; do
			ln -sfn "conf.$k" "$tmp/keepalived.conf"
			kill -HUP "$kpid" 2>/dev/null
			n=$((n + 1))
			sleep 0.5
		done
	done
	wait "${fpids[@]}"
	check "keepalived churn: keepalived still running after $n reloads" kill -0 "$kpid"
	read -r answered u <<<"$(flood_sum "$tmp/kflood1" "$tmp/kflood2")"
	# Each round takes rs2 out of every service (B), puts it back and takes
	# rs3 out (C), and puts rs3 back (A): keepalived logs the 22 removals
	# (not the additions; the last configuration's table shows those).
	removed=0
	while IFS= read -r line; do
		case $line in *"Removing service "*) removed=$((removed + 1)) ;; esac
	done <"$tmp/klog"
	echo "# keepalived churn: $n reloads, $removed real servers taken out; connections answered $answered, unanswered $u"
	check "keepalived churn: the reloads took real servers out (at least a round: 22)" \
		test "$removed" -ge 22
	check "keepalived churn: connections answered during the churn" test "$answered" -gt 0
	check "keepalived churn: the table is the last configuration's" ktable_is "$(ktable 2 2 2)"
	check_eq "keepalived churn: no connection counter below zero" "" "$(<"$tmp/below")"
	term_wait "$kpid" 20
	check_eq "keepalived churn: keepalived stops within 20 s of SIGTERM, exit status 0" 0 $?
	check_eq "keepalived churn: keepalived removed the services" "" "$(ktable_now)"
	check_eq "keepalived churn: keepalived logged no IPVS or netlink error" "" \
		"$(keepalived_errors "$tmp/klog")"
	if [ "$nfvs_failed" != "$f0" ]; then
		echo "# keepalived's log (its last 20 lines):"
		mapfile -t lines <"$tmp/klog"
		printf '# %s\n' "${lines[@]: -20}"
	fi
}

check "nfvs loads" nfvs_load
nfvs_kmsg_mark "$mark"
check "topology comes up" nat_setup 3 rs_serve
echo "# churning for $secs s per scheduler"

i=-1
for sched in $scheds; do
	i=$((i + 1))
	spread_has $i || continue
	ipvsadm_rules "$d" <<-EOF || { check "$sched: service set up" false; continue; }
		-A -t $vip:80 -s $sched
		-a -t $vip:80 -r ${rip[1]} -m -w 2
		-a -t $vip:80 -r ${rip[2]} -m -w 2
		-a -t $vip:80 -r ${rip[3]} -m -w 2
	EOF
	churn "$tmp/stop-$sched" >"$tmp/churn" &
	cpid=$!
	fpids=()
	for k in 1 2; do
		ip netns exec $c python3 -S "$client" flood $vip 80 "$secs" >"$tmp/flood$k" 2>/dev/null &
		fpids+=($!)
	done
	wait "${fpids[@]}"
	: >"$tmp/stop-$sched"
	wait "$cpid"
	answered=$(flood_sum "$tmp/flood1" "$tmp/flood2")
	# The churn's count, then the listing: of the servers (which ipvsadm
	# sorts by address) "ADDRESS:PORT WEIGHT" joined with "|".
	read -r batches failed <"$tmp/churn"
	weights=''
	while read -r arrow addr _ w; do
		[ "$arrow" = "->" ] && weights+="${weights:+|}$addr $w"
	done < <(listing <"$tmp/churn")
	below=$(<"$tmp/below")
	echo "# $sched: $batches batches of 100 commands; connections answered, unanswered: $answered"
	check_eq "$sched: every batch applied (of $batches)" 0 "$failed"
	check "$sched: connections answered during the churn" test "${answered% *}" -gt 0
	check_eq "$sched: the servers at the batch's last weights" "$final" "$weights"
	check_eq "$sched: no connection counter below zero" "" "$below"
done
if [ -s "$tmp/churn.err" ]; then
	mapfile -t -n 5 errs <"$tmp/churn.err"
	printf '# %s\n' "${errs[@]}"
fi

# keepalived: one virtual server per scheduler (ports 81...), all at once,
# while its configuration goes round A, B, C with a reload (SIGHUP) every
# half second and both clients connect to the services in turn.
if command -v keepalived >/dev/null; then
	keepalived_churn
else
	for ((k = 0; k < 10; k++)); do
		not_ok "keepalived churn: keepalived is not installed"
	done
fi

check_eq "no kernel warning" "" "$(nfvs_klog_problems "$mark")"
cleanup
check_eq "no module reference held" "0" "$(nfvs_refcnt)"
check "nfvs unloads" nfvs_unload
tap_done
