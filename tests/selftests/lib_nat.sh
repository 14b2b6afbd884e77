# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034,SC2154
# The NAT topology of nat.sh, conn_list.sh, sched.sh, malformed.sh and
# unload_traffic.sh (sourced after lib.sh; the VM runner takes every
# tests/selftests/lib*.sh for a library, not a test):
#
#   client c-SFX              director d-SFX
#   cd 10.0.1.2/24 --veth-- dc 10.0.1.1/24, VIP 10.0.1.100
#   (and ADDR...)           drs1 10.0.2.1/24 --veth-- eth0 10.0.2.2/24 rs1-SFX
#                           drs2 10.0.3.1/24 --veth-- eth0 10.0.3.2/24 rs2-SFX
#                           ...  (N real servers: rsI is 10.0.I+1.2)
#
# The client's and the real servers' default route is the director, which
# forwards. What the real servers run is the script's to say (nat_setup).
# cleanup ends every process in the namespaces and deletes them; a script
# with more to clean up defines its own cleanup that calls nat_cleanup.

c=c-$nfvs_sfx
d=d-$nfvs_sfx
rs1=rs1-$nfvs_sfx
rs2=rs2-$nfvs_sfx
vip=10.0.1.100
nat_servers=2

# nat_namespaces: the topology's namespaces, one a line.
nat_namespaces() {
	local i
	echo "$c"
	echo "$d"
	for i in $(seq "$nat_servers"); do
		echo "rs$i-$nfvs_sfx"
	done
}

nat_cleanup() {
	# shellcheck disable=SC2046
	ns_del $(nat_namespaces)
}

cleanup() {
	nat_cleanup
}
trap cleanup EXIT

dx() {
	ip netns exec "$d" "$@"
}

# nat_setup N SERVE [ADDR...]: the namespaces, with N real servers and the
# client's further addresses ADDR... (in 10.0.1.0/24). "SERVE NS I" runs for
# each real server rsI once its link is up: it starts what the server runs
# (in the background) and sets up whatever else that server needs, and
# returns non-zero (so nat_setup too) when something of it failed. Then a
# second for the servers to start listening.
nat_setup() {
	local n=$1 serve=$2 i ns a
	shift 2
	nat_servers=$n
	for ns in $(nat_namespaces); do
		ip netns add "$ns" && ip -n "$ns" link set lo up || return 1
	done
	ip -n "$d" link add dc type veth peer name cd netns "$c" || return 1
	ip -n "$c" addr add 10.0.1.2/24 dev cd
	if [ $# -gt 0 ]; then
		for a in "$@"; do
			echo "addr add $a/24 dev cd"
		done | ip -n "$c" -batch - || return 1
	fi
	ip -n "$c" link set cd up
	ip -n "$c" route add default via 10.0.1.1
	ip -n "$d" addr add 10.0.1.1/24 dev dc
	ip -n "$d" addr add "$vip/32" dev dc
	ip -n "$d" link set dc up
	for i in $(seq "$n"); do
		ns=rs$i-$nfvs_sfx
		ip -n "$d" link add "drs$i" type veth peer name eth0 netns "$ns" || return 1
		ip -n "$d" addr add "10.0.$((i + 1)).1/24" dev "drs$i"
		ip -n "$d" link set "drs$i" up
		ip -n "$ns" addr add "10.0.$((i + 1)).2/24" dev eth0
		ip -n "$ns" link set eth0 up
		ip -n "$ns" route add default via "10.0.$((i + 1)).1"
		"$serve" "$ns" "$i" || { echo "# $serve $ns $i failed"; return 1; }
	done
	dx sysctl -qw net.ipv4.ip_forward=1
	sleep 1
}

# nat_greet NS NAME ARGS...: a greeter in NS (lbpeer.py greet NAME ARGS...,
# e.g. "--peer --tcp 80 --udp 53": each connection or datagram is answered
# with "NAME <client address>"). Returns once it listens.
nat_greet() {
	peer_start "$1" greet "${@:2}"
}

# nat_serve NS NAME ARGS...: lbpeer.py serve NAME ARGS... in NS (each
# request of a connection answered, the connection kept); returns once it
# listens.
nat_serve() {
	peer_start "$1" serve "${@:2}"
}

# nat_service -t|-u PORT ARGS...: the service VIP:PORT (ipvsadm -A with
# ARGS..., such as "-s rr") with every real server of nat_setup, NAT, on the
# same port.
nat_service() {
	local proto=$1 port=$2 i
	shift 2
	dx ipvsadm -A "$proto" "$vip:$port" "$@" || return 1
	for i in $(seq "$nat_servers"); do
		dx ipvsadm -a "$proto" "$vip:$port" -r "10.0.$((i + 1)).2:$port" -m ||
			return 1
	done
}
