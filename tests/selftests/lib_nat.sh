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
	for ((i = 1; i <= nat_servers; i++)); do
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
# second for the servers to start listening. One "ip -batch" per namespace
# (a program costs the debug kernel a good part of a second to start).
nat_setup() {
	local n=$1 serve=$2 i ns a
	shift 2
	nat_servers=$n
	# shellcheck disable=SC2046
	printf 'netns add %s\n' $(nat_namespaces) | ip -batch - || return 1
	{
		echo "link set lo up"
		echo "link add dc type veth peer name cd netns $c"
		echo "addr add 10.0.1.1/24 dev dc"
		echo "addr add $vip/32 dev dc"
		echo "link set dc up"
		for ((i = 1; i <= n; i++)); do
			echo "link add drs$i type veth peer name eth0 netns rs$i-$nfvs_sfx"
			echo "addr add 10.0.$((i + 1)).1/24 dev drs$i"
			echo "link set drs$i up"
		done
	} | ip -n "$d" -batch - || return 1
	{
		echo "link set lo up"
		echo "addr add 10.0.1.2/24 dev cd"
		for a in "$@"; do
			echo "addr add $a/24 dev cd"
		done
		echo "link set cd up"
		echo "route add default via 10.0.1.1"
	} | ip -n "$c" -batch - || return 1
	for ((i = 1; i <= n; i++)); do
		ns=rs$i-$nfvs_sfx
		ip -n "$ns" -batch - <<-EOF || return 1
			link set lo up
			addr add 10.0.$((i + 1)).2/24 dev eth0
			link set eth0 up
			route add default via 10.0.$((i + 1)).1
		EOF
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
	for ((i = 1; i <= nat_servers; i++)); do
		dx ipvsadm -a "$proto" "$vip:$port" -r "10.0.$((i + 1)).2:$port" -m ||
			return 1
	done
}
