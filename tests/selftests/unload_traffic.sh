#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# nfvs unloads while traffic flows through it, and serves again once
# reloaded:
#
#   client c-SFX           director d-SFX                    rs1-SFX
#   10.0.1.2/24 --veth-- 10.0.1.1/24, VIP 10.0.1.100  10.0.2.1/24 --veth-- 10.0.2.2/24
#   unload_traffic.py    unload_traffic.py poll      10.0.3.1/24 --veth-- 10.0.3.2/24
#     clients                                                              rs2-SFX
#
#   TCP VIP:80   rr -> rs1:80, rs2:80 (NAT)     a line, then the server closes
#   UDP VIP:53   rr -> rs1:53, rs2:53 (NAT)     a line back
#   TCP VIP:8000 rr -> rs1:8000, rs2:8000 (NAT) echo, for long-lived connections
#
# The real servers are "unload_traffic.py server" (one process each). The
# client keeps 3 loops of TCP connections, 2 of UDP requests and 4
# long-lived echo connections going all the time; a monitor in the director
# dumps the table over generic netlink and reads /proc/net/ip_vs* all the
# time. Twice: the services are flushed (ipvsadm -C) and nfvs is unloaded
# under that traffic; it is loaded again and serves; then it is unloaded
# with its services and live connections in place, and loaded again.
#
# A generic netlink dump holds a reference to nfvs while it runs (the
# netlink core takes one for every dump: netlink_dump_start() with the
# family's module), and nothing else does, so rmmod may find the module
# busy while the monitor dumps: "Module nfvs is in use" or EAGAIN. It is
# retried for up to 20 s and must succeed within 10 s (each attempt takes
# about a second under emulation, and the monitor dumps several times a
# second).
# After each rmmod: no nfvs module, no /proc/net/ip_vs, no in-tree ip_vs
# loaded in its place, no kernel warning. The last cycle's last unload
# runs with the conntrack bridge on (entries with nfvs's helper live),
# and none of those entries may be left after it. Last, with the bridge
# on, the director's namespace is deleted while the clients send: its
# veth goes, and nfvs unloads at once, with no warning.
#
# In the debug profile (debug_profile, lib.sh) there is one cycle, the
# second's (bridged, its last unload with entries of nfvs's helper live):
# the first cycle's unloads are the second's with no conntrack entries to
# delete, the same code of nfvs with less to do. The client keeps 1 loop
# of TCP connections, 1 of UDP requests and 2 long-lived connections going
# instead of 3, 2 and 4; the monitor pauses 0.2 s between its rounds
# instead of 0.05 (still several dumps during an rmmod, which takes about
# a second); and the times allowed are three times as long (rmmod retried
# for 60 s and to succeed within 30 s, traffic served again within 90 s),
# for a kernel that is that much slower.
#
# Under emulation each program started is dear (NFVS_EXECS counts them,
# scripts/vm/guest.sh): what bash can do, it does itself (the status files,
# /proc/modules, the table's columns), and the services are made by one
# ipvsadm -R.
# This script's directory, without dirname.
here=${0%/*}
[ "$here" != "$0" ] || here=.
# shellcheck source=lib.sh
. "$here/lib.sh"
# shellcheck source=lib_nat.sh
. "$here/lib_nat.sh"
# NFVS_UNLOAD_CYCLES: the cycles (2; 1 in the debug profile), the last
# one bridged. 21 results a cycle, 3 more for the reload that starts each
# but the first, 4 for the bridge, and 19 outside the cycles.
cycles=${NFVS_UNLOAD_CYCLES:-$(volume 2 1)}
plan $((20 + 24 * cycles))

here=$(cd "$here" && pwd)
# The client's loops and the times allowed (the debug profile's are in the
# header).
tcp_loops=$(volume 3 1)
udp_loops=$(volume 2 1)
long_conns=$(volume 4 2)
poll_pause=0.05
served_s=30 rmmod_retry_s=20 rmmod_s=10 helped_s=10
if debug_profile; then
	poll_pause=0.2
	served_s=90 rmmod_retry_s=60 rmmod_s=30 helped_s=30
fi
mark=unload-traffic-$nfvs_sfx
tmp=$(mktemp -d)

command -v python3 >/dev/null || skip_all "no python3"
command -v ipvsadm >/dev/null || skip_all "no ipvsadm"

# cleanup: once (the end calls it before the exit would). ": >FILE" makes
# the stop files, as touch would.
cleanup() {
	trap - EXIT
	[ -d "$tmp" ] && : >"$tmp/stop" && : >"$tmp/stop.poll"
	nat_cleanup
	rm -rf "$tmp"
}

# loaded MODULE: MODULE is in /proc/modules (nfvs_loaded, read by bash);
# unloaded MODULE: it is not.
loaded() {
	local name rest
	while read -r name rest; do
		[ "$name" = "$1" ] && return 0
	done </proc/modules
	return 1
}
unloaded() {
	! loaded "$1"
}

# rs_serve NS I: one unload_traffic.py server.
rs_serve() {
	ip netns exec "$1" python3 -S "$here/unload_traffic.py" server --name "rs$2" &
}

# services: the three NAT services, each with every real server (as
# nat_service makes them), by one ipvsadm -R: its status is only its last
# command's, so any error message fails it too. Only with nfvs loaded:
# while it is not, ipvsadm (and any user of the genl family IPVS) would
# load in-tree ip_vs.
services() {
	local svc i err
	loaded nfvs || return 1
	err=$(for svc in "-t $vip:80" "-t $vip:8000" "-u $vip:53"; do
		echo "-A $svc -s rr"
		for ((i = 1; i <= nat_servers; i++)); do
			echo "-a $svc -r 10.0.$((i + 1)).2:${svc##*:} -m"
		done
	done | dx ipvsadm -R 2>&1) && [ -z "$err" ]
}

# counter FILE NAME: one counter of a status file of unload_traffic.py
# ("NAME=VALUE" words on one line), read by bash.
counter() {
	local line kv v=
	{ read -r line <"$tmp/$1"; } 2>/dev/null
	for kv in $line; do
		[ "${kv%%=*}" = "$2" ] && v=${kv#*=}
	done
	echo "${v:-0}"
}

# served DESC: TCP connections, UDP requests and long-lived echoes all get
# answers again (three more of each) within 30 s (served_s).
served() {
	local t u l i
	t=$(counter clients tcp_ok) u=$(counter clients udp_ok) l=$(counter clients long_echo)
	for ((i = 1; i <= served_s * 5; i++)); do
		if [ "$(counter clients tcp_ok)" -ge $((t + 3)) ] &&
		   [ "$(counter clients udp_ok)" -ge $((u + 3)) ] &&
		   [ "$(counter clients long_echo)" -ge $((l + 3)) ]; then
			ok "$1 (after $((i / 5)) s)"
			return
		fi
		sleep 0.2
	done
	not_ok "$1"
	echo "#   clients: $(<"$tmp/clients")"
}

# unload DESC: rmmod, retried while the module is only busy for a moment.
unload() {
	local desc=$1 t0 ms n=0 err errs="" left
	t0=${EPOCHREALTIME/./}
	while :; do
		n=$((n + 1))
		if err=$(rmmod nfvs 2>&1); then
			break
		fi
		errs+=$err$'\n'
		if [ $(((${EPOCHREALTIME/./} - t0) / 1000)) -gt $((rmmod_retry_s * 1000)) ]; then
			break
		fi
		sleep 0.1
	done
	ms=$(((${EPOCHREALTIME/./} - t0) / 1000))
	echo "# $desc: $n rmmod attempt(s), ${ms} ms"
	[ -n "$errs" ] && sort <<<"${errs%$'\n'}" | uniq -c | sed 's/^ */#   refused, times: /'
	# The refusals other than "busy" (grep -v, by bash).
	check_eq "$desc: refused only while in use (a dump running)" "" \
		"$(while IFS= read -r err; do
			[[ $err == *'is in use'* ||
				$err == *'Resource temporarily unavailable'* ]] ||
				echo "$err"
		done <<<"${errs%$'\n'}")"
	if loaded nfvs; then
		not_ok "$desc: rmmod succeeds"
		echo "#   refcnt $(nfvs_refcnt)"
	else
		ok "$desc: rmmod succeeds"
	fi
	check "$desc: within $rmmod_s s" test "$ms" -le $((rmmod_s * 1000))
	check "$desc: no nfvs module left" test ! -e /sys/module/nfvs
	# One shell in the director's namespace looks for both: "1 1" when
	# neither is there ([ -e ]'s status for each).
	left=$(dx sh -c '[ -e /proc/net/ip_vs ]; a=$?; [ -e /proc/sys/net/nfvs ]; echo "$a $?"')
	check "$desc: /proc/net/ip_vs gone" test "${left% *}" = 1
	check "$desc: net.nfvs sysctls gone" test "${left#* }" = 1
	check "$desc: in-tree ip_vs not loaded in its place" unloaded ip_vs
	check_eq "$desc: no kernel warning" "" "$(nfvs_klog_problems "$mark")"
}

reload() {
	check "$1: nfvs loads again" nfvs_load
	check "$1: services again" services
	served "$1: traffic is served again"
}

# helped: the director's entries with nfvs's helper (counted by bash);
# has_helped: some.
helped() {
	local line n=0
	while IFS= read -r line; do
		[[ $line == *helper=nfvs* ]] && n=$((n + 1))
	done < <(dx conntrack -L 2>/dev/null)
	echo "$n"
}
has_helped() {
	[ "$(helped)" -gt 0 ]
}

# bridged DESC: the conntrack bridge on; new connections get entries with
# nfvs's helper (the long-lived ones, older, keep none).
bridged() {
	check "$1: the conntrack bridge on" dx sysctl -qw net.nfvs.conntrack=1
	served "$1: traffic is served, bridged"
	check "$1: entries with nfvs's helper" poll "$helped_s" has_helped
}

nfvs_kmsg_mark "$mark"
check "nfvs loads" nfvs_load
check "topology comes up" nat_setup 2 rs_serve
check "three NAT services" services

ip netns exec "$c" python3 -S "$here/unload_traffic.py" clients \
	--tcp "$tcp_loops" --udp "$udp_loops" --long "$long_conns" \
	--status "$tmp/clients" --stop "$tmp/stop" &
clients=$!
ip netns exec "$d" python3 -S "$here/unload_traffic.py" poll --pause "$poll_pause" \
	--status "$tmp/poll" --stop "$tmp/stop.poll" &
poller=$!
served "traffic is served"
echo "# set up in $SECONDS s"

for ((cycle = 1; cycle <= cycles; cycle++)); do
	cycle_start=$SECONDS
	[ "$cycle" = 1 ] || reload "cycle $cycle"
	d0=$(counter poll dumps)
	check "cycle $cycle: ipvsadm -C while traffic flows" dx ipvsadm -C
	unload "cycle $cycle: unload after ipvsadm -C"
	reload "cycle $cycle"
	[ "$cycle" = "$cycles" ] && bridged "cycle $cycle"
	# The active connections (5th column) of the real servers of :8000.
	live=0
	while read -r arrow rs _ _ active _; do
		[[ $arrow == "->" && $rs == *:8000 ]] && live=$((live + active))
	done < <(dx ipvsadm -Ln)
	echo "# cycle $cycle: $live long-lived connections active"
	check "cycle $cycle: long-lived connections open through nfvs" test "$live" -ge 1
	unload "cycle $cycle: unload with services and live connections"
	# Unloading deletes the entries that carry nfvs's helper.
	[ "$cycle" = "$cycles" ] &&
		check_eq "cycle $cycle: no entry with nfvs's helper left" 0 "$(helped)"
	echo "# cycle $cycle took $((SECONDS - cycle_start)) s"
	echo "# cycle $cycle: monitor did $(($(counter poll dumps) - d0)) table dumps"
done
if [ "$cycles" = 1 ]; then
	reload "after 1 cycle"
else
	reload "after $cycles cycles"
fi

# The director's namespace deleted under traffic, bridged: the monitor
# stops (a process in it would keep it alive), the clients go on sending
# into the veth until the namespace, its nfvs state, its conntrack entries
# and the veth are gone. Then nfvs must unload at once: nothing of the
# namespace may hold it or be left.
bridged "namespace deletion"
: >"$tmp/stop.poll"
wait "$poller"
echo "# monitor: $(<"$tmp/poll")"
check "the monitor dumped the table while nfvs came and went" \
	test "$(counter poll dumps)" -gt 0
check "the director's namespace is deleted under traffic" ip netns del "$d"
# gone_dc: the client's end of the director's veth is gone with it.
gone_dc() {
	! ip -n "$c" link show cd >/dev/null 2>&1
}
check "its veth goes with it" poll 30 gone_dc
check_eq "no module reference held" "0" "$(nfvs_refcnt)"
check "nfvs unloads after the namespace deletion" nfvs_unload
check_eq "no kernel warning after the namespace deletion" "" "$(nfvs_klog_problems "$mark")"
: >"$tmp/stop"
wait "$clients"
echo "# clients: $(<"$tmp/clients")"
cleanup
check "nfvs loads again" nfvs_load
check "nfvs unloads at the end" nfvs_unload
check_eq "no kernel warning in dmesg" "" "$(nfvs_klog_problems "$mark")"
tap_done
