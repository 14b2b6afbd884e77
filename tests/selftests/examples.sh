#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The files of examples/ do what Documentation/admin-guide.rst says they
# do, as they are: the modprobe.d options load nfvs with those parameters,
# modules-load.d names the module, the sysctl.d snippet applies in a
# director's namespace, and keepalived.conf, run unmodified in a namespace
# whose eth0 is on 192.0.2.0/24 and whose real servers 10.0.0.11 and
# 10.0.0.12 listen on :80 (not :443), becomes VRRP master (the VIP on
# eth0) and sets up its virtual servers, :80 with both real servers and
# :443 without the ones its health check fails; stopped, it removes them.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
plan 11

ex=$NFVS_TOP/examples
d=exd-$nfvs_sfx
r=exr-$nfvs_sfx
l=exl-$nfvs_sfx
dir=$(mktemp -d)
kpid=
cleanup() {
	[ -n "$kpid" ] && kill "$kpid" 2>/dev/null && wait "$kpid" 2>/dev/null
	ns_del $d $r $l
	nfvs_loaded && nfvs_unload
	rm -rf "$dir"
}
trap cleanup EXIT
command -v keepalived >/dev/null || skip_all "keepalived is not installed"

modprobe nf_conntrack
# shellcheck disable=SC2046
check "modprobe.d: insmod with its options" \
	insmod "$NFVS_KO" $(sed -n 's/^options nfvs //p' "$ex/modprobe.d-nfvs.conf")
check_eq "modprobe.d: ipvs_compat=1 took effect" Y \
	"$(cat /sys/module/nfvs/parameters/ipvs_compat 2>&1)"
check_eq "modules-load.d names the module" "$(modinfo -F name "$NFVS_KO")" \
	"$(grep -v '^#' "$ex/modules-load.d-nfvs.conf" | grep .)"

ip netns add $d && ip netns add $r && ip netns add $l
check "sysctl.d: sysctl -p applies it in a director's namespace" \
	nx $d sysctl -p "$ex/sysctl.d-60-nfvs.conf"
bad=$(grep -v '^#' "$ex/sysctl.d-60-nfvs.conf" | grep '=' |
	while IFS='= ' read -r k v; do
		[ "$(nx $d sysctl -n "$k")" = "$v" ] || echo "$k"
	done)
check_eq "sysctl.d: every value reads back" "" "$bad"

# The director: eth0 on the VRRP LAN (a peer in $l), eth1 to the real
# servers ($r, both addresses on one interface, one listener on :80).
topo() {
	local x
	ip -n $d link add eth0 type veth peer name lan0 netns $l &&
		ip -n $d link add eth1 type veth peer name rs0 netns $r &&
		ip -n $d addr add 192.0.2.1/24 dev eth0 &&
		ip -n $d addr add 10.0.0.1/24 dev eth1 &&
		ip -n $r addr add 10.0.0.11/24 dev rs0 &&
		ip -n $r addr add 10.0.0.12/24 dev rs0 || return 1
	for x in $d:lo $d:eth0 $d:eth1 $r:lo $r:rs0 $l:lan0; do
		ip -n "${x%:*}" link set "${x#*:}" up || return 1
	done
}
check "topology: eth0 on 192.0.2.0/24, real servers 10.0.0.11 and .12" topo
nx $r socat TCP-LISTEN:80,fork,reuseaddr SYSTEM:'echo ok' </dev/null >/dev/null 2>&1 &

check "keepalived -t accepts examples/keepalived.conf" \
	nx $d keepalived -t -f "$ex/keepalived.conf"
# Not nx (a function: $! would be a subshell): ip execs keepalived.
ip netns exec $d keepalived --dont-fork --log-console --no-syslog \
	--use-file="$ex/keepalived.conf" --pid="$dir/k.pid" \
	--checkers_pid="$dir/c.pid" --vrrp_pid="$dir/v.pid" \
	--bfd_pid="$dir/b.pid" >"$dir/log" 2>&1 </dev/null &
kpid=$!

table() {
	nx $d ipvsadm -Ln 2>&1 | awk 'NR <= 3 { next }
		/^  ->/ { print "-> " $2 " " $3 " " $4; next }
		{ $1 = $1; print }' | paste -sd'|'
}
# :80's TCP_CHECK passes; :443's SSL_GET fails (nothing listens there),
# so keepalived takes its real servers out again.
full="TCP 192.0.2.100:80 wlc|-> 10.0.0.11:80 Masq 1|-> 10.0.0.12:80 Masq 1|TCP 192.0.2.100:443 rr persistent 300"
is_full() { [ "$(table)" = "$full" ]; }
vip_up() { ip -n $d -br addr show eth0 | grep -q 192.0.2.100/24; }
check "keepalived.conf: both virtual servers, :80 with both real servers, :443 with none (SSL_GET fails)" \
	poll 30 is_full
check_eq "keepalived.conf: the table" "$full" "$(table)"
check "keepalived.conf: VRRP master, the VIP on eth0" poll 30 vip_up
kill "$kpid" && wait "$kpid"
kpid=
check_eq "keepalived stopped: no virtual server left" "" "$(table)"
grep -q . "$dir/log" && tail -n 5 "$dir/log" | sed 's/^/# keepalived: /'
tap_done
