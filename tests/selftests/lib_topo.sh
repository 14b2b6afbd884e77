# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034,SC2154
# The topology of the datapath selftests (sourced after lib.sh; the VM
# runner takes every tests/selftests/lib*.sh for a library, not a test):
#
#                      LAN 10.0.0.0/24 (bridge in sw-SFX)
#     client c 10.0.0.2   director d 10.0.0.1   rs1 10.0.0.11   rs2 10.0.0.12
#       10.0.1.2-4 ----------- 10.0.1.1
#
# VIP 10.0.9.100 (for DR and TUN: the real servers have it on lo and answer
# the client directly over the LAN) and 10.0.9.101 (for NAT: the client
# reaches it over its own link and the real servers route 10.0.1.0/24
# through the director, which translates their replies back). The real
# servers run tests/selftests/lbpeer.py.

c=c-$nfvs_sfx
d=d-$nfvs_sfx
sw=sw-$nfvs_sfx
vip=10.0.9.100
nvip=10.0.9.101
peer="python3 $(dirname "$0")/lbpeer.py"

cleanup() {
	ns_del $c $d $sw rs1-$nfvs_sfx rs2-$nfvs_sfx
}
trap cleanup EXIT

# lan NS DEV ADDR PORT: DEV in NS on the LAN bridge's port PORT.
lan() {
	ip -n "$sw" link add "$4" type veth peer name "$2" netns "$1" &&
	ip -n "$sw" link set "$4" master br0 up &&
	ip -n "$1" addr add "$3/24" dev "$2" &&
	ip -n "$1" link set "$2" up
}

# topo_setup SERVE-ARGS...: the namespaces; each real server runs
# "lbpeer.py serve rsN SERVE-ARGS...".
topo_setup() {
	local i ns k
	for ns in $c $d $sw rs1-$nfvs_sfx rs2-$nfvs_sfx; do
		ip netns add "$ns" && ip -n "$ns" link set lo up || return 1
	done
	ip -n $sw link add br0 type bridge && ip -n $sw link set br0 up || return 1
	lan "$c" eth0 10.0.0.2 pc && lan "$d" lan 10.0.0.1 pd || return 1
	ip -n $d link add dc type veth peer name eth1 netns $c
	ip -n $d addr add 10.0.1.1/24 dev dc
	ip -n $d link set dc up
	ip -n $c addr add 10.0.1.2/24 dev eth1
	ip -n $c addr add 10.0.1.3/24 dev eth1
	ip -n $c addr add 10.0.1.4/24 dev eth1
	ip -n $c link set eth1 up
	ip -n $c route add $vip via 10.0.0.1
	ip -n $c route add $nvip via 10.0.1.1
	ip -n $d addr add $vip/32 dev lo
	ip -n $d addr add $nvip/32 dev lo
	nx $d sysctl -qw net.ipv4.ip_forward=1
	nx $d sysctl -qw net.ipv4.conf.all.send_redirects=0
	nx $d sysctl -qw net.ipv4.conf.lan.send_redirects=0
	modprobe ipip
	for i in 1 2; do
		ns=rs$i-$nfvs_sfx
		lan "$ns" eth0 "10.0.0.1$i" "p$i" || return 1
		ip -n "$ns" addr add $vip/32 dev lo
		ip -n "$ns" link set tunl0 up
		ip -n "$ns" route add 10.0.1.0/24 via 10.0.0.1
		for k in all.arp_ignore=1 all.arp_announce=2 all.rp_filter=0 \
			 default.rp_filter=0 eth0.rp_filter=0 tunl0.rp_filter=0; do
			nx "$ns" sysctl -qw "net.ipv4.conf.$k"
		done
		nx "$ns" $peer serve "rs$i" "$@" >/dev/null &
	done
	sleep 2
}

# topo_up SERVE-ARGS...: topo_setup as a test, with its errors shown when
# it fails.
topo_up() {
	local log
	log=$(mktemp)
	if topo_setup "$@" 2>"$log"; then
		ok "topology comes up"
	else
		not_ok "topology comes up"
		sed 's/^/# setup: /' "$log"
	fi
	rm -f "$log"
}

