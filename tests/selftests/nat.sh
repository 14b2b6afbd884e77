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
# With net.nfvs.conntrack=0 nothing of it reaches conntrack. The largest
# UDP timeout makes a long-lived conntrack entry, not one born expired. A
# fwmark service with the FTP helper leaves the UDP it takes alone. A
# packet conntrack finds INVALID does not change nfvs's connection. An
# entry whose helper ctnetlink took away leaves nothing behind.
#
# In the debug profile (lib.sh) round robin is shown with 2 TCP
# connections and 2 UDP flows, one to each real server, instead of 6 and
# 4: every scenario is nfvs's alone and runs once either way.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib_nat.sh
. "$(dirname "$0")/lib_nat.sh"
plan 28

# rs_serve NS I: greets over TCP :80 and UDP :53; answers GET lines on
# TCP :8080.
rs_serve() {
	nat_greet "$1" "rs$2" --peer --tcp 80 --udp 53 &&
		nat_serve "$1" "rs$2" --tcp 8080
}

# conn_state CPORT: the state ipvsadm -Lnc shows for client port CPORT of
# the service on :8080.
conn_state() {
	dx ipvsadm -Lnc | awk -v c="10.0.1.2:$1" '$4 == c && $5 ~ /:8080$/ { print $3 }'
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

tmp_udp=$(mktemp)
# The TCP connections and UDP flows of the round robin (even numbers).
nt=$(volume 6 2)
nu=$(volume 4 2)
check "nfvs loads" nfvs_load
check "topology comes up" setup
check "TCP service with two NAT real servers" nat_service -t 80 -s rr
check "UDP service with the same real servers" nat_service -u 53 -s rr

answers=$(fetch "$nt" tcp)
echo "$answers" | sed 's/^/# tcp: /'
check_eq "$nt TCP connections: $((nt / 2)) to each real server (rr)" "$((nt / 2)) $((nt / 2))" \
	"$(grep -c '^rs1 ' <<<"$answers") $(grep -c '^rs2 ' <<<"$answers")"
check_eq "real servers see the client's address, not the director's" "$nt" \
	"$(grep -c ' 10.0.1.2$' <<<"$answers")"

answers=$(fetch "$nu" udp)
echo "$answers" | sed 's/^/# udp: /'
check_eq "$nu UDP flows: $((nu / 2)) to each real server" "$((nu / 2)) $((nu / 2))" \
	"$(grep -c '^rs1 ' <<<"$answers") $(grep -c '^rs2 ' <<<"$answers")"

stats=$(dx ipvsadm -Ln --stats)
echo "$stats" | sed 's/^/# /'
check_eq "ipvsadm --stats: $nt TCP connections on the service" "$nt" \
	"$(awk -v v="$vip:80" '$1 == "TCP" && $2 == v { print $3 }' <<<"$stats")"
check_eq "ipvsadm --stats: $((nt / 2)) connections on each TCP real server" "$((nt / 2)) $((nt / 2))" \
	"$(awk '/-> 10.0.[23].2:80/ { printf "%s ", $3 }' <<<"$stats" | sed 's/ $//')"
check "incoming and outgoing packets counted" bash -c \
	"awk -v v='$vip:80' '\$1 == \"TCP\" && \$2 == v && \$4 > 0 && \$5 > 0 { f = 1 } END { exit !f }' <<<'$stats'"
check_eq "closed TCP connections are inactive on their real servers" "0 0" \
	"$(dx ipvsadm -Ln | awk '/-> 10.0.[23].2:80/ { printf "%s ", $5 }' | sed 's/ $//')"
check_eq "conntrack=0: no conntrack entry for the virtual service" "0" \
	"$(dx conntrack -L -d $vip 2>/dev/null | grep -c .)"
check "a port without a service is left to the local stack" bash -c \
	"! ip netns exec $c socat -T 2 - TCP:$vip:81 </dev/null"

# The largest UDP timeout nfvs takes (INT_MAX / HZ seconds; ipvsadm stops
# at 31 days), with the conntrack bridge on: the connection's conntrack
# entry follows it, and must not wrap (conntrack compares 32-bit jiffies as
# signed) into an entry born expired.
for hz in 100 250 300 1000; do
	max=$((2147483647 / hz))
	dx python3 -S "$(dirname "$0")/nfvs_genl.py" set-config --udp "$max" 2>/dev/null && break
done
echo "# largest UDP timeout: $max s"
dx sysctl -qw net.nfvs.conntrack=1
echo q | ip netns exec $c socat -T 5 - UDP:$vip:53,sourceport=30053 >/dev/null
ct=$(dx conntrack -L -p udp -d $vip --dport 53 2>/dev/null | grep 'sport=30053 ')
echo "# ${ct:-no entry}"
check "UDP timeout $max s, conntrack=1: the entry lives more than a day" \
	test "$(awk '{ print $3 }' <<<"$ct")" -gt 86400 2>/dev/null
dx ipvsadm --set 0 0 300
dx sysctl -qw net.nfvs.conntrack=0

# A fwmark service takes whatever the mark takes, UDP too; its FTP helper
# must leave UDP alone: a real server's datagram that reads like a 227
# reply (its own address, which NAT rewrites in a TCP control connection)
# comes back to the client unchanged.
line="227 Entering Passive Mode (10,0,2,2,4,1)."
ip netns exec "$rs1" python3 -S -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("", 5353))
print("ready", flush=True)
data, peer = s.recvfrom(512)
s.sendto(data, peer)' >"$tmp_udp" &
poll 10 grep -q ready "$tmp_udp"
check "fwmark 7 (UDP 5353) with the FTP helper, NAT to rs1" bash -c "
	ip netns exec $d iptables -t mangle -A PREROUTING -d $vip -p udp --dport 5353 -j MARK --set-mark 7 &&
	ip netns exec $d python3 -S '$(dirname "$0")/nfvs_genl.py' add-service fwmark 7 --sched rr --helper ftp &&
	ip netns exec $d ipvsadm -a -f 7 -r 10.0.2.2 -m"
check_eq "fwmark service with the FTP helper: a UDP reply that reads like a 227 comes back unchanged" \
	"$line" "$(echo "$line" | ip netns exec $c socat -T 5 - UDP:$vip:5353)"
rm -f "$tmp_udp"

# Conntrack's INVALID verdict is conntrack's own: with the bridge on, a
# reset that conntrack rejects (2^30 before the window: "invalid rst")
# changes nothing in nfvs. Were nfvs to take it, its connection would
# close and, 10 s later, take the valid conntrack entry and the client's
# connection with it.
dx sysctl -qw net.nfvs.conntrack=1
check "TCP service :8080 with two NAT real servers, conntrack=1" nat_service -t 8080 -s rr
dx iptables -A INPUT -d $vip -p tcp --dport 8080 -m conntrack --ctstate INVALID
fifo=$(mktemp -u)
mkfifo "$fifo"
ip netns exec $c python3 -S "$(dirname "$0")/lbpeer.py" session tcp $vip 8080 \
	<"$fifo" >"$tmp_udp" &
exec 7>"$fifo"
echo GET >&7
poll 10 grep -q '^rs' "$tmp_udp"
cport=$(dx conntrack -L -p tcp -d $vip --dport 8080 2>/dev/null | sed -n 's/.* sport=\([0-9]*\) dport=8080 .*/\1/p' | head -n 1)
echo "# client port ${cport:-none}; $(grep '^rs' "$tmp_udp")"
check_eq "a session to :8080: ESTABLISHED in nfvs" "ESTABLISHED" "$(conn_state "$cport")"
echo RST >&7
poll 10 grep -q '^rst sent' "$tmp_udp"
sleep 1
invalid=$(dx iptables -nvxL INPUT | awk '/ctstate INVALID/ { print $1 }')
echo "# INVALID packets to :8080 on INPUT: ${invalid:-none}"
check "conntrack found the stale reset INVALID" test "${invalid:-0}" -ge 1
check_eq "an INVALID reset leaves the nfvs connection ESTABLISHED" "ESTABLISHED" \
	"$(conn_state "$cport")"
sleep 11
check "11 s later, the conntrack entry is still there, ESTABLISHED" bash -c \
	"ip netns exec $d conntrack -L -p tcp -d $vip --dport 8080 --sport $cport 2>/dev/null | grep -q ESTABLISHED"
echo GET >&7
poll 10 test "$(grep -c '^rs' "$tmp_udp")" -ge 2
check_eq "and the session still gets its answers from its real server" \
	"$(grep '^rs' "$tmp_udp" | head -n 1)" "$(grep -v '^rst sent' "$tmp_udp" | grep -v connected | tail -n 1)"

# ctnetlink lets root take an entry's helper away; nfvs's helper is how the
# entry gives its connection back when it dies. Without it, the connection
# takes its reference back itself when it ends: nothing is left behind
# when nfvs unloads (slab objects remaining would warn).
ctl() {
	dx conntrack -L -p tcp -d $vip --dport 8080 --sport "$cport" 2>/dev/null
}
check "the session's conntrack entry has nfvs's helper" grep -q 'helper=nfvs' <<<"$(ctl)"
# 7.3 no longer lets ctnetlink take a helper away (EOPNOTSUPP): there the
# entry keeps nfvs's helper; 6.1 and 6.12 do.
res=$(dx python3 -S "$(dirname "$0")/ct_helper.py" none tcp 10.0.1.2 "$cport" $vip 8080 2>&1)
echo "# ctnetlink, helper none: $res"
case $res in
ok)
	ok "ctnetlink takes the helper away"
	check "the entry has no helper now" bash -c "! grep -q 'helper=' <<<'$(ctl)'"
	;;
"ERR 95 "*)
	ok "ctnetlink refuses to take the helper away on $(uname -r) (EOPNOTSUPP)"
	check "the entry keeps nfvs's helper" grep -q 'helper=nfvs' <<<"$(ctl)"
	;;
*)
	not_ok "ctnetlink takes the helper away, or refuses with EOPNOTSUPP"
	;;
esac
nfvs_kmsg_mark "nat-orphan-$nfvs_sfx"
exec 7>&-
rm -f "$fifo" "$tmp_udp"
dx sysctl -qw net.nfvs.conntrack=0

cleanup
check_eq "no module reference held" "0" "$(nfvs_refcnt)"
check "nfvs unloads" nfvs_unload
check_eq "no kernel warning (nothing of nfvs left behind)" "" \
	"$(nfvs_klog_problems "nat-orphan-$nfvs_sfx")"
tap_done
