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
#
# A program start is dear on the debug kernel: the script reads answers
# and listings with the shell's builtins rather than grep, awk, sed or
# head, and makes services by one ipvsadm -R each time.

# The script's directory, without starting dirname.
here=.
[[ $0 == */* ]] && here=${0%/*}
# shellcheck source=lib.sh
. "$here/lib.sh"
# shellcheck source=lib_topo.sh
. "$here/lib_topo.sh"
plan 51

# Service ports: TCP and UDP for each method.
declare -A tport=([nat]=80 [dr]=81 [tun]=82) uport=([nat]=53 [dr]=54 [tun]=55)
declare -A flag=([nat]=-m [dr]=-g [tun]=-i) sport=([nat]=30000 [dr]=31000 [tun]=32000)

# restore: "ipvsadm -R" in the director of the commands on stdin, one
# program for all of them. It exits with the status of its last line, but
# reports every failure on stderr: a message fails it too.
restore() {
	local err
	err=$(nx $d ipvsadm -R 2>&1) && [ -z "$err" ]
}

# service METHOD: a TCP and a UDP service of that method over both real
# servers, round robin.
service() {
	local m=$1 a=$vip i
	[ "$m" = nat ] && a=$nvip
	{
		echo "-A -t $a:${tport[$m]} -s rr"
		echo "-A -u $a:${uport[$m]} -s rr"
		for i in 1 2; do
			echo "-a -t $a:${tport[$m]} -r 10.0.0.1$i:${tport[$m]} ${flag[$m]}"
			echo "-a -u $a:${uport[$m]} -r 10.0.0.1$i:${uport[$m]} ${flag[$m]}"
		done
	} | restore
}

# others N FILE...: as comments, the first N lines of the FILEs that are
# not answers ("rs1 ..." or "rs2 ..."), after the file's name when there
# are several (what grep -v | head | sed printed).
others() {
	local n=$1 f l
	shift
	for f in "$@"; do
		while IFS= read -r l; do
			[[ $l =~ ^rs[12]\  ]] && continue
			[ $((n--)) -gt 0 ] || return 0
			if [ $# -gt 1 ]; then
				echo "# $f:$l"
			else
				echo "# $l"
			fi
		done <"$f"
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
	local l n1=0 n2=0
	while IFS= read -r l; do
		case $l in
		"rs1 "*) n1=$((n1 + 1)) ;;
		"rs2 "*) n2=$((n2 + 1)) ;;
		esac
	done <"$1"
	echo "$n1 $n2"
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
		"$reqs" "$(count "^rs[12] ${tport[$m]} $client\$" "$(<"$tmp/$m.tcp")")"
	nx $c $peer udp $a "${uport[$m]}" "$reqs" --sport "${sport[$m]}" >"$tmp/$m.udp"
	check_eq "$m: $reqs UDP request/replies answered, $((reqs / 2)) by each real server" \
		"$((reqs / 2)) $((reqs / 2))" "$(spread "$tmp/$m.udp")"
	check_eq "$m: every UDP answer carries its request" "$reqs" \
		"$(count "^rs[12] ${uport[$m]} $client q[0-9]+\$" "$(<"$tmp/$m.udp")")"
	others 5 "$tmp/$m.tcp" "$tmp/$m.udp"
	# The service's connections: the third field of its TCP line.
	conns=
	while read -r -a w; do
		[ "${w[0]}" = TCP ] && conns+=${conns:+$'\n'}${w[2]}
	done < <(nx $d ipvsadm -Ln --stats -t "$a:${tport[$m]}")
	check_eq "$m: ipvsadm --stats counts $reqs TCP connections" "$reqs" "$conns"
done
comment <<<"$(nx $d ipvsadm -Ln)"

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
	others 3 "$tmp/$m.frag"
	count "^rs[12] ${uport[$m]} $client q[0-9]+\$" "$(<"$tmp/$m.frag")"
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
while IFS= read -r l; do
	[[ $l =~ ^(generic-receive-offload|rx-gro-list): ]] && echo "# dc: $l"
done < <(nx $d ethtool -k dc)
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
restore <<-EOF
	-A -u $nvip:56 -s rr
	-a -u $nvip:56 -r 10.0.0.11:56 -m
EOF
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
# The name of the real server that answered (the answer's first word).
read -r rs _ <"$tmp/flow"
nx $c $peer unreach $nvip 53 10.0.1.2 40000 --badsum >/dev/null
nx $c $peer unreach $nvip 53 10.0.1.2 40000 >/dev/null
poll 30 test -s "$tmp/watch1" -o -s "$tmp/watch2"
sleep 1
kill $w1 $w2 2>/dev/null
wait $w1 $w2 2>/dev/null || true
rip=10.0.0.1${rs#rs}
# What the two watchers received, in one list.
mapfile -t errs <"$tmp/watch1"
mapfile -t -O "${#errs[@]}" errs <"$tmp/watch2"
check_eq "nat: the client's port-unreachable about a reply reaches its real server translated" \
	"10.0.1.2 $rip:53 10.0.1.2:40000" "${errs[0]}"
check_eq "nat: one with a bad checksum is dropped, not re-checksummed and passed on" \
	"1" "${#errs[@]}"

# Idle and closed connections age out with the configured timeouts
# (ipvsadm --set TCP TCPFIN UDP), on services made after the change.
# conns OPTION VIP:PORT: "active inactive" connections of a service.
# (The lines of the real servers, "->": the header's has no numbers.)
conns() {
	local l w a=0 i=0
	while IFS= read -r l; do
		[[ $l == *"->"* ]] || continue
		read -r -a w <<<"$l"
		[[ ${w[4]} =~ ^[0-9]+$ ]] && a=$((a + w[4]))
		[[ ${w[5]} =~ ^[0-9]+$ ]] && i=$((i + w[5]))
	done < <(nx $d ipvsadm -Ln "$1" "$2")
	echo "$a $i"
}
restore <<-EOF
	--set ${timeouts[*]}
	-A -t $nvip:84
	-a -t $nvip:84 -r 10.0.0.11 -m
	-A -t $vip:83
	-a -t $vip:83 -r 10.0.0.12 -g
	-A -u $nvip:57
	-a -u $nvip:57 -r 10.0.0.11 -m
EOF
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
	"$(count '^TCP .* CLOSE +10\.0\.1\.3:' "$(nx $d ipvsadm -Lnc)")"
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
	"$(count ' 10\.0\.1\.3:' "$(nx $d ipvsadm -Lnc)")"

# Path MTU: 1480 on the way to the real servers leaves 1460 for what a
# tunnel carries; a client sending 1500-byte packets with DF is told so
# and its retry goes through.
ip -force -n $d -batch - <<-EOF
	route add 10.0.0.11/32 dev lan mtu 1480
	route add 10.0.0.12/32 dev lan mtu 1480
EOF
check_eq "tun: a $((pmtu_put / 1000)) KB upload through a path of MTU 1480 succeeds" "ok" \
	"$(nx $c $peer put $vip 82 "$pmtu_put")"
# learned: the client's route to the VIP (kept in $route, shown below)
# has MTU 1460.
learned() {
	route=$(ip -n $c route get $vip)
	[[ $route == *"mtu 1460"* ]]
}
check "tun: the client learned MTU 1460 from frag-needed" learned
comment <<<"$route"

rm -rf "$tmp"
cleanup
# All gone: the EXIT trap would only look again (programs for nothing).
trap - EXIT
check_eq "no module reference held" "0" "$(nfvs_refcnt)"
check "nfvs unloads" nfvs_unload
tap_done
