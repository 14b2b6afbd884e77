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
#
# A program start is dear on the debug kernel: the script reads listings
# with the shell's builtins rather than grep, awk or sed, and sets up each
# service with one ipvsadm -R.

# The script's directory, without starting dirname.
here=.
[[ $0 == */* ]] && here=${0%/*}
# shellcheck source=lib.sh
. "$here/lib.sh"
# shellcheck source=lib_nat.sh
. "$here/lib_nat.sh"
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
	local w
	while read -r -a w; do
		[ "${w[3]}" = "10.0.1.2:$1" ] && [[ ${w[4]} == *:8080 ]] && echo "${w[2]}"
	done < <(dx ipvsadm -Lnc)
}

# has RE FILE: a line of FILE matches RE (grep -q -E).
has() {
	[ -n "$(matching "$1" "$(<"$2")")" ]
}

# rr_service -t|-u PORT: the service VIP:PORT, round robin over both real
# servers, NAT, on the same port (nat_service's), by one ipvsadm -R.
# ipvsadm -R exits with the status of its last line, but reports every
# failure on stderr: a message fails it too.
rr_service() {
	local err
	err=$(dx ipvsadm -R 2>&1 <<-EOF
		-A $1 $vip:$2 -s rr
		-a $1 $vip:$2 -r 10.0.2.2:$2 -m
		-a $1 $vip:$2 -r 10.0.3.2:$2 -m
	EOF
	) && [ -z "$err" ]
}

setup() {
	nat_setup 2 rs_serve || return 1
	dx iptables -t nat -A POSTROUTING -j MASQUERADE
}

# fetch N PROTO: N answers through the virtual service, one per line.
fetch() {
	local i
	for ((i = 1; i <= $1; i++)); do
		if [ "$2" = tcp ]; then
			ip netns exec $c socat -T 5 - TCP:$vip:80 </dev/null
		else
			echo q | ip netns exec $c socat -T 5 - UDP:$vip:53,sourceport=$((20000 + i))
		fi
	done
}

tmp=$(mktemp -d)
cleanup() {
	nat_cleanup
	rm -rf "$tmp"
}
# The TCP connections and UDP flows of the round robin (even numbers).
nt=$(volume 6 2)
nu=$(volume 4 2)
check "nfvs loads" nfvs_load
check "topology comes up" setup
check "TCP service with two NAT real servers" rr_service -t 80
check "UDP service with the same real servers" rr_service -u 53

answers=$(fetch "$nt" tcp)
comment "tcp: " <<<"$answers"
check_eq "$nt TCP connections: $((nt / 2)) to each real server (rr)" "$((nt / 2)) $((nt / 2))" \
	"$(count '^rs1 ' "$answers") $(count '^rs2 ' "$answers")"
check_eq "real servers see the client's address, not the director's" "$nt" \
	"$(count ' 10.0.1.2$' "$answers")"

answers=$(fetch "$nu" udp)
comment "udp: " <<<"$answers"
check_eq "$nu UDP flows: $((nu / 2)) to each real server" "$((nu / 2)) $((nu / 2))" \
	"$(count '^rs1 ' "$answers") $(count '^rs2 ' "$answers")"

stats=$(dx ipvsadm -Ln --stats)
comment <<<"$stats"
# The fields of the TCP service's line: connections, packets in, out...
svc=()
while read -r -a w; do
	[ "${w[0]}" = TCP ] && [ "${w[1]}" = "$vip:80" ] && svc=("${w[@]}")
done <<<"$stats"
# counted: the service has incoming and outgoing packets (ipvsadm may
# print a count as 12K: not 0 is more than 0).
counted() {
	[ "${svc[3]:-0}" != 0 ] && [ "${svc[4]:-0}" != 0 ]
}
check_eq "ipvsadm --stats: $nt TCP connections on the service" "$nt" "${svc[2]}"
check_eq "ipvsadm --stats: $((nt / 2)) connections on each TCP real server" "$((nt / 2)) $((nt / 2))" \
	"$(field 3 '-> 10.0.[23].2:80' "$stats")"
check "incoming and outgoing packets counted" counted
check_eq "closed TCP connections are inactive on their real servers" "0 0" \
	"$(field 5 '-> 10.0.[23].2:80' "$(dx ipvsadm -Ln)")"
check_eq "conntrack=0: no conntrack entry for the virtual service" "0" \
	"$(count . "$(dx conntrack -L -d $vip 2>/dev/null)")"
# refused81: a connection to the VIP's port 81 fails.
refused81() {
	! ip netns exec $c socat -T 2 - TCP:$vip:81 </dev/null
}
check "a port without a service is left to the local stack" refused81

# The largest UDP timeout nfvs takes (INT_MAX / HZ seconds; ipvsadm stops
# at 31 days), with the conntrack bridge on: the connection's conntrack
# entry follows it, and must not wrap (conntrack compares 32-bit jiffies as
# signed) into an entry born expired. The value for each HZ is tried by
# one nfvs_genl.py process (a Python start is dear on the debug kernel),
# the smallest first: the kernel takes each up to its HZ's, which is the
# last taken and stays, and refuses the larger ones.
for hz in 1000 300 250 100; do
	echo "hz$hz set-config --udp $((2147483647 / hz))"
done | dx python3 -S "$here/nfvs_genl.py" batch "$tmp"
for hz in 100 250 300 1000; do
	max=$((2147483647 / hz))
	[ "$(<"$tmp/hz$hz.rc")" = 0 ] && break
done 2>/dev/null
echo "# largest UDP timeout: $max s"
dx sysctl -qw net.nfvs.conntrack=1
echo q | ip netns exec $c socat -T 5 - UDP:$vip:53,sourceport=30053 >/dev/null
ct=$(matching 'sport=30053 ' "$(dx conntrack -L -p udp -d $vip --dport 53 2>/dev/null)")
echo "# ${ct:-no entry}"
check "UDP timeout $max s, conntrack=1: the entry lives more than a day" \
	test "$(field 3 ^ "$ct")" -gt 86400 2>/dev/null
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
s.sendto(data, peer)' >"$tmp/udp" &
poll 10 has ready "$tmp/udp"
# fwmark7: the mark, the service and its real server.
fwmark7() {
	dx iptables -t mangle -A PREROUTING -d $vip -p udp --dport 5353 -j MARK --set-mark 7 &&
		dx python3 -S "$here/nfvs_genl.py" add-service fwmark 7 --sched rr --helper ftp &&
		dx ipvsadm -a -f 7 -r 10.0.2.2 -m
}
check "fwmark 7 (UDP 5353) with the FTP helper, NAT to rs1" fwmark7
check_eq "fwmark service with the FTP helper: a UDP reply that reads like a 227 comes back unchanged" \
	"$line" "$(echo "$line" | ip netns exec $c socat -T 5 - UDP:$vip:5353)"

# Conntrack's INVALID verdict is conntrack's own: with the bridge on, a
# reset that conntrack rejects (2^30 before the window: "invalid rst")
# changes nothing in nfvs. Were nfvs to take it, its connection would
# close and, 10 s later, take the valid conntrack entry and the client's
# connection with it.
dx sysctl -qw net.nfvs.conntrack=1
check "TCP service :8080 with two NAT real servers, conntrack=1" rr_service -t 8080
dx iptables -A INPUT -d $vip -p tcp --dport 8080 -m conntrack --ctstate INVALID
fifo=$tmp/fifo
mkfifo "$fifo"
ip netns exec $c python3 -S "$here/lbpeer.py" session tcp $vip 8080 \
	<"$fifo" >"$tmp/session" &
exec 7>"$fifo"
echo GET >&7
poll 10 has '^rs' "$tmp/session"
# The client's port: the first entry's, as its original direction has it.
cport=
while IFS= read -r l; do
	[[ $l =~ .*\ sport=([0-9]*)\ dport=8080\  ]] && { cport=${BASH_REMATCH[1]}; break; }
done < <(dx conntrack -L -p tcp -d $vip --dport 8080 2>/dev/null)
echo "# client port ${cport:-none}; $(matching '^rs' "$(<"$tmp/session")")"
check_eq "a session to :8080: ESTABLISHED in nfvs" "ESTABLISHED" "$(conn_state "$cport")"
echo RST >&7
poll 10 has '^rst sent' "$tmp/session"
sleep 1
invalid=$(field 1 'ctstate INVALID' "$(dx iptables -nvxL INPUT)")
echo "# INVALID packets to :8080 on INPUT: ${invalid:-none}"
check "conntrack found the stale reset INVALID" test "${invalid:-0}" -ge 1
check_eq "an INVALID reset leaves the nfvs connection ESTABLISHED" "ESTABLISHED" \
	"$(conn_state "$cport")"
sleep 11
# established: the session's conntrack entry is ESTABLISHED.
established() {
	[[ $(dx conntrack -L -p tcp -d $vip --dport 8080 --sport "$cport" 2>/dev/null) == *ESTABLISHED* ]]
}
check "11 s later, the conntrack entry is still there, ESTABLISHED" established
echo GET >&7
# session_answers: the session's answers so far ("rsI ..." lines; not
# "rst sent"): their count in answers_n, the first and the last in
# answer_first and answer_last.
session_answers() {
	local l
	answers_n=0 answer_first='' answer_last=''
	while IFS= read -r l; do
		[[ $l == rs[0-9]* ]] || continue
		answers_n=$((answers_n + 1))
		[ -n "$answer_first" ] || answer_first=$l
		answer_last=$l
	done <"$tmp/session"
}
two_answers() {
	session_answers
	[ "$answers_n" -ge 2 ]
}
poll 10 two_answers
session_answers
check_eq "and the session still gets its answer, from the same real server" \
	"2 $answer_first" "$answers_n $answer_last"

# ctnetlink lets root take an entry's helper away; nfvs's helper is how the
# entry gives its connection back when it dies. Without it, the connection
# takes its reference back itself when it ends: nothing is left behind
# when nfvs unloads (slab objects remaining would warn).
ctl() {
	dx conntrack -L -p tcp -d $vip --dport 8080 --sport "$cport" 2>/dev/null
}
# ctl_has TEXT: the entry, as ctl lists it, holds TEXT.
ctl_has() {
	[[ $(ctl) == *"$1"* ]]
}
ctl_lacks() {
	! ctl_has "$1"
}
check "the session's conntrack entry has nfvs's helper" ctl_has helper=nfvs
# 7.3 no longer lets ctnetlink take a helper away (EOPNOTSUPP): there the
# entry keeps nfvs's helper; 6.1 and 6.12 do.
res=$(dx python3 -S "$here/ct_helper.py" none tcp 10.0.1.2 "$cport" $vip 8080 2>&1)
echo "# ctnetlink, helper none: $res"
case $res in
ok)
	ok "ctnetlink takes the helper away"
	check "the entry has no helper now" ctl_lacks helper=
	;;
"ERR 95 "*)
	ok "ctnetlink refuses to take the helper away on $(uname -r) (EOPNOTSUPP)"
	check "the entry keeps nfvs's helper" ctl_has helper=nfvs
	;;
*)
	not_ok "ctnetlink takes the helper away, or refuses with EOPNOTSUPP"
	;;
esac
nfvs_kmsg_mark "nat-orphan-$nfvs_sfx"
exec 7>&-
dx sysctl -qw net.nfvs.conntrack=0

cleanup
# All gone: the EXIT trap would only look again (programs for nothing).
trap - EXIT
check_eq "no module reference held" "0" "$(nfvs_refcnt)"
check "nfvs unloads" nfvs_unload
check_eq "no kernel warning (nothing of nfvs left behind)" "" \
	"$(nfvs_klog_problems "nat-orphan-$nfvs_sfx")"
tap_done
