#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# NAT through the director, TCP and UDP, round robin over two real servers:
#
#   client c-SFX           director d-SFX                    rs1-SFX
#   10.0.1.2/24 --veth-- 10.0.1.1/24, VIP 10.0.1.100  10.0.2.1/24 --veth-- 10.0.2.2/24
#                                                    10.0.3.1/24 --veth-- 10.0.3.2/24
#                                                                          rs2-SFX
#
# The real servers answer with their name and the client address they
# see; their default route is the director. A MASQUERADE rule on the
# director must not touch balanced traffic (nfvs passes it on before SNAT).
# With net.nfvs.conntrack=0 nothing of it reaches conntrack.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib_nat.sh
. "$(dirname "$0")/lib_nat.sh"

# rs_serve NS I: greets over TCP :80 and UDP :53.
rs_serve() {
	nat_greet "$1" "rs$2" --peer --tcp 80 --udp 53
}

setup() {
	nat_setup 2 rs_serve || return 1
	dx iptables -t nat -A POSTROUTING -j MASQUERADE
}

# fetch N PROTO: N answers through the virtual service, one per line.
fetch() {
	local i
	for i in $(seq "$1"); do
		if [ "$2" = tcp ]; then
			ip netns exec $c socat -T 5 - TCP:$vip:80 </dev/null
		else
			echo q | ip netns exec $c socat -T 5 - UDP:$vip:53,sourceport=$((20000 + i))
		fi
	done
}

check "nfvs loads" nfvs_load
check "topology comes up" setup
check "TCP service with two NAT real servers" nat_service -t 80 -s rr
check "UDP service with the same real servers" nat_service -u 53 -s rr

answers=$(fetch 6 tcp)
echo "$answers" | sed 's/^/# tcp: /'
check_eq "6 TCP connections: 3 to each real server (rr)" "3 3" \
	"$(grep -c '^rs1 ' <<<"$answers") $(grep -c '^rs2 ' <<<"$answers")"
check_eq "real servers see the client's address, not the director's" "6" \
	"$(grep -c ' 10.0.1.2$' <<<"$answers")"

answers=$(fetch 4 udp)
echo "$answers" | sed 's/^/# udp: /'
check_eq "4 UDP flows: 2 to each real server" "2 2" \
	"$(grep -c '^rs1 ' <<<"$answers") $(grep -c '^rs2 ' <<<"$answers")"

stats=$(dx ipvsadm -Ln --stats)
echo "$stats" | sed 's/^/# /'
check_eq "ipvsadm --stats: 6 TCP connections on the service" "6" \
	"$(awk -v v="$vip:80" '$1 == "TCP" && $2 == v { print $3 }' <<<"$stats")"
check_eq "ipvsadm --stats: 3 connections on each TCP real server" "3 3" \
	"$(awk '/-> 10.0.[23].2:80/ { printf "%s ", $3 }' <<<"$stats" | sed 's/ $//')"
check "incoming and outgoing packets counted" bash -c \
	"awk -v v='$vip:80' '\$1 == \"TCP\" && \$2 == v && \$4 > 0 && \$5 > 0 { f = 1 } END { exit !f }' <<<'$stats'"
check_eq "closed TCP connections are inactive on their real servers" "0 0" \
	"$(dx ipvsadm -Ln | awk '/-> 10.0.[23].2:80/ { printf "%s ", $5 }' | sed 's/ $//')"
check_eq "conntrack=0: no conntrack entry for the virtual service" "0" \
	"$(dx conntrack -L -d $vip 2>/dev/null | grep -c .)"
check "a port without a service is left to the local stack" bash -c \
	"! ip netns exec $c socat -T 2 - TCP:$vip:81 </dev/null"

cleanup
check_eq "no module reference held" "0" "$(nfvs_refcnt)"
check "nfvs unloads" nfvs_unload
tap_done
