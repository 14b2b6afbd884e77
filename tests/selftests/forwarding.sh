#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# NAT, direct routing and IPIP tunnelling, TCP and UDP, over two real
# servers; fragmented requests and replies, GRO and checksum offload off;
# ICMP errors both ways; path MTU through a tunnel; timeouts; transit
# traffic left alone.
# The topology is lib_topo.sh's.
#
# In the debug profile (debug_profile, lib.sh) every method and every
# check still runs, with a tenth of the requests (20 TCP and 20 UDP per
# method), 4 fragmented requests instead of 10, uploads of 60 KB and 40 KB
# instead of 300 and 200 (still many segments to merge, and more than a
# path MTU's worth), and 4 requests instead of 10 past a blackhole route.
# What depends on time is made slower to match a kernel that is: a request
# past the blackhole waits 2 s for its answer instead of 0.5, and the
# timeouts that connections must expire by are 15, 12 and 12 s instead of
# 5, 4 and 4, so that the checks before them see the connections alive.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib_topo.sh
. "$(dirname "$0")/lib_topo.sh"
plan 51

# Service ports: TCP and UDP for each method.
declare -A tport=([nat]=80 [dr]=81 [tun]=82) uport=([nat]=53 [dr]=54 [tun]=55)
declare -A flag=([nat]=-m [dr]=-g [tun]=-i) sport=([nat]=30000 [dr]=31000 [tun]=32000)

# service METHOD: a TCP and a UDP service of that method over both real
# servers, round robin.
service() {
	local m=$1 a=$vip i
	[ "$m" = nat ] && a=$nvip
	nx $d ipvsadm -A -t "$a:${tport[$m]}" -s rr &&
	nx $d ipvsadm -A -u "$a:${uport[$m]}" -s rr || return 1
	for i in 1 2; do
		nx $d ipvsadm -a -t "$a:${tport[$m]}" -r "10.0.0.1$i:${tport[$m]}" "${flag[$m]}" &&
		nx $d ipvsadm -a -u "$a:${uport[$m]}" -r "10.0.0.1$i:${uport[$m]}" "${flag[$m]}" ||
			return 1
	done
}

# The volumes and times (the debug profile's are in the header).
reqs=$(volume 200 20)
frags=$(volume 10 4)
gro_put=$(volume 300000 60000)
pmtu_put=$(volume 200000 40000)
bh_reqs=$(volume 10 4)
bh_wait=0.5
# ipvsadm --set TCP TCPFIN UDP for the timeouts part.
timeouts=(5 4 4)
if debug_profile; then
	bh_wait=2
	timeouts=(15 12 12)
fi

# spread FILE: "rs1 rs2" counts of the answers in FILE.
spread() {
	echo "$(grep -c '^rs1 ' "$1") $(grep -c '^rs2 ' "$1")"
}

check "nfvs loads" nfvs_load
topo_up --tcp 80 81 82 83 84 --udp 53 $vip:54 $vip:55 57
tmp=$(mktemp -d)

for m in nat dr tun; do
	a=$vip
	client=10.0.0.2
	if [ "$m" = nat ]; then
		a=$nvip
		client=10.0.1.2
	fi
	check "$m: TCP and UDP services over two real servers" service $m
	nx $c $peer tcp $a "${tport[$m]}" "$reqs" >"$tmp/$m.tcp"
	check_eq "$m: $reqs TCP requests answered, $((reqs / 2)) by each real server" \
		"$((reqs / 2)) $((reqs / 2))" "$(spread "$tmp/$m.tcp")"
	check_eq "$m: every TCP answer names the service port and the client" \
		"$reqs" "$(grep -c -E "^rs[12] ${tport[$m]} $client\$" "$tmp/$m.tcp")"
	nx $c $peer udp $a "${uport[$m]}" "$reqs" --sport "${sport[$m]}" >"$tmp/$m.udp"
	check_eq "$m: $reqs UDP request/replies answered, $((reqs / 2)) by each real server" \
		"$((reqs / 2)) $((reqs / 2))" "$(spread "$tmp/$m.udp")"
	check_eq "$m: every UDP answer carries its request" "$reqs" \
		"$(grep -c -E "^rs[12] ${uport[$m]} $client q[0-9]+\$" "$tmp/$m.udp")"
	grep -v -E '^rs[12] ' "$tmp/$m.tcp" "$tmp/$m.udp" | head -n 5 | sed 's/^/# /'
	stats=$(nx $d ipvsadm -Ln --stats -t "$a:${tport[$m]}")
	check_eq "$m: ipvsadm --stats counts $reqs TCP connections" "$reqs" \
		"$(awk '$1 == "TCP" { print $3 }' <<<"$stats")"
done
nx $d ipvsadm -Ln | sed 's/^/# /'

# Fragments and offloads, every method. UDP requests of 3000 bytes (the
# client sends them in fragments; the director balances the reassembled
# datagram and fragments it again, or its tunnel packet) come back whole,
# byte for byte: the real server echoes them, in fragments too, and for NAT
# the director reassembles (into a frag_list skb), translates and
# fragments the reply. Then again with GRO on the director's two veth ends
# (a veth merges what its peer sends without TSO: the client's link and
# the LAN bridge's port towards the director have TSO off), so nfvs gets
# merged TCP segments to forward as GSO packets, and with checksum offload
# and TSO off on the client and the real servers (checksums computed in
# software), with a 300 KB TCP upload that the real server checks (sha256).
# whole M TAG: $frags UDP requests of 3000 bytes to method M's service
# (source ports from its base and TAG); those that came back whole.
whole() {
	local m=$1 a=$vip client=10.0.0.2
	[ "$m" = nat ] && { a=$nvip; client=10.0.1.2; }
	nx $c $peer udp $a "${uport[$m]}" "$frags" --size 3000 \
		--sport $((sport[$m] + $2)) >"$tmp/$m.frag"
	grep -v -E '^rs[12] ' "$tmp/$m.frag" | head -n 3 | sed 's/^/# /'
	grep -c -E "^rs[12] ${uport[$m]} $client q[0-9]+\$" "$tmp/$m.frag"
}
for m in nat dr tun; do
	check_eq "$m: $frags UDP requests of 3000 bytes, fragmented both ways, come back whole" \
		"$frags" "$(whole $m 700)"
done
# offloads: GRO on where the director receives (and TSO off where its
# veths' peers send), TX checksum and TSO off where the client and the
# real servers send.
offloads() {
	local ns i
	nx $d ethtool -K dc gro on &&
		nx $d ethtool -K lan gro on &&
		nx $sw ethtool -K pd tso off &&
		nx $c ethtool -K eth0 tx off tso off &&
		nx $c ethtool -K eth1 tx off tso off || return 1
	for i in 1 2; do
		ns=rs$i-$nfvs_sfx
		nx "$ns" ethtool -K eth0 tx off tso off || return 1
	done
}
check "GRO on at the director, checksum offload and TSO off at the ends" offloads
nx $d ethtool -k dc | grep -E '^(generic-receive-offload|rx-gro-list):' | sed 's/^/# dc: /'
for m in nat dr tun; do
	a=$vip
	[ "$m" = nat ] && a=$nvip
	check_eq "$m, GRO and offloads: $frags UDP requests of 3000 bytes come back whole" \
		"$frags" "$(whole $m 800)"
	check_eq "$m, GRO and offloads: a $((gro_put / 1000)) KB TCP upload arrives intact (sha256)" \
		"ok" "$(nx $c $peer put $a "${tport[$m]}" "$gro_put")"
done

# Transit traffic nfvs does not balance passes as it came: with nfvs
# connections live (and no conntrack in the director), a fragmented ping
# from rs1 to the client through the director is not reassembled there.
# reasm: the director's count of fragments it queued for reassembly.
reasm() {
	nx $d awk '/^Ip:/ { if (!c) { for (i = 1; i <= NF; i++) if ($i == "ReasmReqds") c = i } else print $c }' /proc/net/snmp
}
before=$(reasm)
check "a 3000-byte ping through the director, in fragments, is answered" \
	nx rs1-$nfvs_sfx ping -c 2 -W 3 -s 3000 10.0.1.2
check_eq "the director reassembled none of its fragments (ReasmReqds)" \
	"$before" "$(reasm)"

# A destination keeps its route to the real server (src/dest_route.c): a
# route change must take effect at once. With a blackhole route to rs1,
# rs1's share of new flows is lost; without it, both answer again.
for m in nat dr; do
	a=$vip
	[ "$m" = nat ] && a=$nvip
	ip -n $d route add blackhole 10.0.0.11/32
	nx $c $peer udp $a "${uport[$m]}" "$bh_reqs" --sport $((sport[$m] + 500)) \
		--timeout "$bh_wait" >"$tmp/$m.bh"
	check_eq "$m: with a blackhole route to rs1, only rs2 answers ($((bh_reqs / 2)) of $bh_reqs)" \
		"0 $((bh_reqs / 2))" "$(spread "$tmp/$m.bh")"
	ip -n $d route del blackhole 10.0.0.11/32
	nx $c $peer udp $a "${uport[$m]}" "$bh_reqs" --sport $((sport[$m] + 600)) \
		--timeout "$bh_wait" >"$tmp/$m.bh"
	check_eq "$m: the blackhole route gone, both answer again" \
		"$((bh_reqs / 2)) $((bh_reqs / 2))" "$(spread "$tmp/$m.bh")"
done

# ICMP errors about NAT flows, both ways.
nx $d ipvsadm -A -u $nvip:56 -s rr
nx $d ipvsadm -a -u $nvip:56 -r 10.0.0.11:56 -m
check_eq "nat: a real server's port-unreachable reaches the client translated" \
	"refused" "$(nx $c $peer refused $nvip 56)"
# The watchers listen until killed: each says when its socket is open,
# and is stopped a second after the first error arrived (the one with
# the bad checksum was sent first, so it would have arrived by then).
rm -f "$tmp/ready1" "$tmp/ready2"
nx rs1-$nfvs_sfx $peer watch 120 --ready "$tmp/ready1" >"$tmp/watch1" &
w1=$!
nx rs2-$nfvs_sfx $peer watch 120 --ready "$tmp/ready2" >"$tmp/watch2" &
w2=$!
poll 60 test -e "$tmp/ready1" -a -e "$tmp/ready2"
nx $c $peer udp $nvip 53 1 --bind 10.0.1.2:40000 >"$tmp/flow"
rs=$(awk '{ print $1 }' "$tmp/flow")
nx $c $peer unreach $nvip 53 10.0.1.2 40000 --badsum >/dev/null
nx $c $peer unreach $nvip 53 10.0.1.2 40000 >/dev/null
poll 30 test -s "$tmp/watch1" -o -s "$tmp/watch2"
sleep 1
kill $w1 $w2 2>/dev/null
wait $w1 $w2 2>/dev/null || true
rip=10.0.0.1${rs#rs}
check_eq "nat: the client's port-unreachable about a reply reaches its real server translated" \
	"10.0.1.2 $rip:53 10.0.1.2:40000" \
	"$(cat "$tmp/watch1" "$tmp/watch2" | head -n 1)"
check_eq "nat: one with a bad checksum is dropped, not re-checksummed and passed on" \
	"1" "$(cat "$tmp/watch1" "$tmp/watch2" | wc -l)"

# Idle and closed connections age out with the configured timeouts
# (ipvsadm --set TCP TCPFIN UDP), on services made after the change.
# conns OPTION VIP:PORT: "active inactive" connections of a service.
conns() {
	nx $d ipvsadm -Ln "$1" "$2" | awk '/->/ { a += $5; i += $6 } END { print a + 0, i + 0 }'
}
nx $d ipvsadm --set "${timeouts[@]}"
nx $d ipvsadm -A -t $nvip:84 && nx $d ipvsadm -a -t $nvip:84 -r 10.0.0.11 -m
nx $d ipvsadm -A -t $vip:83 && nx $d ipvsadm -a -t $vip:83 -r 10.0.0.12 -g
nx $d ipvsadm -A -u $nvip:57 && nx $d ipvsadm -a -u $nvip:57 -r 10.0.0.11 -m
coproc HOLD { nx $c $peer tcp $nvip 84 1 --hold; }
read -r -u "${HOLD[0]}" line
echo "# held: $line"
check_eq "nat: an open connection is active" "1 0" "$(conns -t $nvip:84)"
nx $c $peer tcp $vip 83 3 >/dev/null
check_eq "dr: closed connections are inactive" "0 3" "$(conns -t $vip:83)"
nx $c $peer udp $nvip 57 3 >/dev/null
check_eq "udp: flows are inactive" "0 3" "$(conns -u $nvip:57)"
nx $c $peer tcp $nvip 80 2 --rst --bind 10.0.1.3 >/dev/null
check_eq "nat: connections reset by the client are in CLOSE" "2" \
	"$(nx $d ipvsadm -Lnc | grep -c -E '^TCP .* CLOSE +10\.0\.1\.3:')"
sleep $((timeouts[0] + 1))
check_eq "nat: an idle established connection expires after the TCP timeout" \
	"0 0" "$(conns -t $nvip:84)"
check_eq "dr: closed connections are gone after the FIN timeout" "0 0" \
	"$(conns -t $vip:83)"
check_eq "udp: flows expire after the UDP timeout" "0 0" "$(conns -u $nvip:57)"
kill "$HOLD_PID" 2>/dev/null
wait "$HOLD_PID" 2>/dev/null
# CLOSE's 10 s since the reset: 11 s of sleep in all.
sleep $((timeouts[0] < 10 ? 10 - timeouts[0] : 1))
check_eq "nat: reset connections are gone after CLOSE's 10 s" "0" \
	"$(nx $d ipvsadm -Lnc | grep -c -E ' 10\.0\.1\.3:')"

# Path MTU: 1480 on the way to the real servers leaves 1460 for what a
# tunnel carries; a client sending 1500-byte packets with DF is told so
# and its retry goes through.
ip -n $d route add 10.0.0.11/32 dev lan mtu 1480
ip -n $d route add 10.0.0.12/32 dev lan mtu 1480
check_eq "tun: a $((pmtu_put / 1000)) KB upload through a path of MTU 1480 succeeds" "ok" \
	"$(nx $c $peer put $vip 82 "$pmtu_put")"
check "tun: the client learned MTU 1460 from frag-needed" bash -c \
	"ip -n $c route get $vip | grep -q 'mtu 1460'"
nx $c ip route get $vip | sed 's/^/# /'

rm -rf "$tmp"
cleanup
check_eq "no module reference held" "0" "$(nfvs_refcnt)"
check "nfvs unloads" nfvs_unload
tap_done
