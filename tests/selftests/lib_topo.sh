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
peer="python3 -S $nfvs_dir/lbpeer.py"

# topo_down: the namespaces and their programs gone.
topo_down() {
	ns_del $c $d $sw rs1-$nfvs_sfx rs2-$nfvs_sfx
}

cleanup() {
	topo_down
}
trap cleanup EXIT

# topo_setup SERVE-ARGS...: the namespaces; each real server runs
# "lbpeer.py serve rsN SERVE-ARGS...". One "ip -batch" per namespace (a
# program costs a twentieth of a second to start under emulation).
topo_setup() {
	local i ns pids=()
	for ns in $c $d $sw rs1-$nfvs_sfx rs2-$nfvs_sfx; do
		ip netns add "$ns" || return 1
	done
	modprobe ipip
	# The LAN: a bridge in $sw with a port for each of c, d, rs1 and rs2.
	ip -n "$sw" -batch - <<-EOF || return 1
		link set lo up
		link add br0 type bridge
		link set br0 up
		link add pc type veth peer name eth0 netns $c
		link add pd type veth peer name lan netns $d
		link add p1 type veth peer name eth0 netns rs1-$nfvs_sfx
		link add p2 type veth peer name eth0 netns rs2-$nfvs_sfx
		link set pc master br0 up
		link set pd master br0 up
		link set p1 master br0 up
		link set p2 master br0 up
	EOF
	ip -n "$d" link add dc type veth peer name eth1 netns "$c" || return 1
	ip -n "$c" -batch - <<-EOF || return 1
		link set lo up
		addr add 10.0.0.2/24 dev eth0
		link set eth0 up
		addr add 10.0.1.2/24 dev eth1
		addr add 10.0.1.3/24 dev eth1
		addr add 10.0.1.4/24 dev eth1
		link set eth1 up
		route add $vip via 10.0.0.1
		route add $nvip via 10.0.1.1
	EOF
	ip -n "$d" -batch - <<-EOF || return 1
		link set lo up
		addr add 10.0.0.1/24 dev lan
		link set lan up
		addr add 10.0.1.1/24 dev dc
		link set dc up
		addr add $vip/32 dev lo
		addr add $nvip/32 dev lo
	EOF
	nx "$d" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.send_redirects=0 \
		net.ipv4.conf.lan.send_redirects=0 || return 1
	for i in 1 2; do
		ns=rs$i-$nfvs_sfx
		ip -n "$ns" -batch - <<-EOF || return 1
			link set lo up
			addr add 10.0.0.1$i/24 dev eth0
			link set eth0 up
			addr add $vip/32 dev lo
			link set tunl0 up
			route add 10.0.1.0/24 via 10.0.0.1
		EOF
		nx "$ns" sysctl -qw net.ipv4.conf.all.arp_ignore=1 \
			net.ipv4.conf.all.arp_announce=2 net.ipv4.conf.all.rp_filter=0 \
			net.ipv4.conf.default.rp_filter=0 net.ipv4.conf.eth0.rp_filter=0 \
			net.ipv4.conf.tunl0.rp_filter=0 || return 1
		# Both start at once; each returns once it listens.
		peer_start "$ns" serve "rs$i" "$@" &
		pids+=($!)
	done
	wait "${pids[0]}" && wait "${pids[1]}" ||
		{ echo "a real server did not start listening" >&2; return 1; }
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

