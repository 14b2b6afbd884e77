#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What becomes of each class of malformed packet at a director, not only
# that nothing crashes (malformed.sh): the topology of lib_nat.sh with one
# real server, rs1, which answers every connection and datagram: TCP
# VIP:80 and UDP VIP:53 by NAT, TCP VIP:8080 by DR and TCP VIP:8081 by TUN
# (rs1 has the VIP on lo and a tunl0). The client sends, from an AF_PACKET
# socket (malformed.py classes), three packets of each class, each from its
# own source port, with the class's IP ID:
#
#   tcp_good, udp_good     a well-formed SYN / datagram (the control)
#   ip_options             a SYN with IP options (NOPs, record route)
#   ip_bad_csum            the IP header checksum wrong
#   ip_truncated           16 bytes of IP header
#   ip_ihl_small/_big      IHL 4; IHL 15 (longer than the packet)
#   ip_totlen_big          a total length longer than the frame
#   tcp_truncated          12 bytes of TCP header
#   tcp_doff_small/_big    data offset 4; 15 (longer than the segment)
#   tcp_bad_csum           the TCP checksum wrong
#   udp_truncated          6 bytes of UDP header
#   udp_len_big/_small     a UDP length past the packet's end; below 8
#   udp_bad_csum           the UDP checksum wrong
#
# to the NAT services, and tcp_good and ip_options to the DR and TUN ones.
# For each, three figures: the connections nfvs made (/proc/net/ip_vs_conn,
# by source port), the packets that reached the real server (nft in rs1, by
# IP ID and port) and the answers that reached the client (nft in the
# client, by port). The verdicts asserted (connections/arrived/answered, of
# 3; "want" below):
#
#   3/3/3  the well formed ones and those with IP options, every method
#   0/0/0  a bad or short IP header (the stack drops it before nfvs), a
#          TCP or UDP header too short to hold its ports, a TCP data
#          offset below 5 (nfvs takes nothing it cannot parse)
#   3/3/0  the rest: the packet opens a connection and goes on as it came
#          (nfvs does not read past the ports, as in-tree IPVS), and the
#          real server drops it: what is corrupt stays corrupt (NAT's
#          checksum update must not make a bad checksum good)
#
# The IP options verdict was 3/0/0 before: the stack had written the
# director into the record route option when it took the packet for local
# delivery, without a new header checksum, and rs1 dropped it.
# Then in-tree IPVS, in the same guest, gets the same packets (the
# reference, printed beside nfvs's figures, not asserted).
#
# In the debug profile (lib.sh) each class is sent once, not three times
# (the verdicts are then of 1), the answers are given 4 s instead of 2, and
# in-tree IPVS, which only the Debian kernels compare, is left out.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib_nat.sh
. "$(dirname "$0")/lib_nat.sh"
# The debug profile leaves out in-tree IPVS's result.
if debug_profile; then plan 27; else plan 28; fi

here=$(cd "$(dirname "$0")" && pwd)
mark=verdicts-$nfvs_sfx
tmp=$(mktemp -d)
nat_servers=1
# The packets of each class; the seconds the answers are given.
count=$(volume 3 1)
settle=2
debug_profile && settle=4

command -v python3 >/dev/null || skip_all "no python3"
command -v ipvsadm >/dev/null || skip_all "no ipvsadm"
command -v nft >/dev/null || skip_all "no nft"

# rs1 is a NAT, DR (VIP on lo, no ARP for it) and TUN (tunl0) real server.
rs_serve() {
	nat_greet "$1" "rs$2" --tcp 80 8080 8081 --udp 53 &&
		ip -n "$1" addr add "$vip/32" dev lo &&
		ip netns exec "$1" sysctl -qw net.ipv4.conf.all.arp_ignore=1 \
			net.ipv4.conf.all.arp_announce=2 net.ipv4.conf.all.rp_filter=0 &&
		modprobe -q ipip && ip -n "$1" link set tunl0 up &&
		ip netns exec "$1" sysctl -qw net.ipv4.conf.tunl0.rp_filter=0
}

# The methods: "METHOD PORT CPORT CLASSES" (CLASSES: malformed.py's
# --only, "" for all of them; the UDP ones go to VIP:53).
methods="nat 80 41000
dr 8080 42000 tcp_good,ip_options
tun 8081 43000 tcp_good,ip_options"

# classes: "METHOD NAME PROTO IPID DPORT PORT..." a line.
classes=$(while read -r m port cport only; do
	python3 -S "$here/malformed.py" classes --ifname cd \
		--dst-mac 00:00:00:00:00:00 --list --cport "$cport" --count "$count" \
		${only:+--only "$only"} |
		while read -r name proto id ports; do
			[ "$proto" = udp ] && echo "$m $name $proto $id 53 $ports" ||
				echo "$m $name $proto $id $port $ports"
		done
done <<<"$methods")

# want METHOD NAME: the verdict asserted, connections/arrived/answered.
want() {
	case $2 in
	tcp_good | udp_good | ip_options) echo "$count/$count/$count" ;;
	ip_* | tcp_truncated | udp_truncated | tcp_doff_small) echo 0/0/0 ;;
	*) echo "$count/$count/0" ;;
	esac
}

# nft_counters NS HOOK: a fresh ruleset in NS with one chain at HOOK
# (priority -300), whose rules are read from stdin.
nft_counters() {
	{
		echo "flush ruleset"
		echo "table ip v {"
		echo "chain c {"
		echo "type filter hook $2 priority -300;"
		cat
		printf "}\n}\n"
	} | ip netns exec "$1" nft -f -
}

# counters: one nft counter per class and method in rs1 (arrivals, by IP
# ID and port) and in the client (answers, by port), zeroed.
counters() {
	local m name proto id dport ports
	while read -r m name proto id dport ports; do
		echo "ip id $id $proto dport $dport counter comment \"$m-$name\""
	done <<<"$classes" | nft_counters "$rs1" prerouting || return 1
	while read -r m name proto id dport ports; do
		echo "ip saddr $vip $proto dport { ${ports// /, } } counter comment \"$m-$name\""
	done <<<"$classes" | nft_counters "$c" input
}

# counted FILE NAME: the packets counter NAME counted, in a ruleset
# listed into FILE.
counted() {
	awk -v n="\"$2\"" '$0 ~ "comment " n { for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }' "$1"
}

# conns FILE PORTS...: the balancer's connections from the client's PORTS,
# in a copy of /proc/net/ip_vs_conn in FILE.
conns() {
	local f=$1 p hex=
	shift
	for p in "$@"; do
		hex="$hex $(printf '%04X' "$p")"
	done
	awk -v ports="$hex" 'BEGIN { n = split(ports, a, " "); for (i = 1; i <= n; i++) want[a[i]] = 1 }
		$2 == "0A000102" && ($3 in want) { c++ } END { print c + 0 }' "$f"
}

# send LB: the classes from the client, then each one's figures into
# fig[LB-METHOD-NAME] as "connections/arrived/answered", from the tables
# and counters as they were right after (a closed DR connection lasts
# 10 s, an unanswered SYN's 60 s: a slow kernel reads them all at once).
declare -A fig
send() {
	local lb=$1 out m port cport only name proto id dport ports rc=0
	local mac
	mac=$(ip netns exec "$d" cat /sys/class/net/dc/address)
	while read -r m port cport only; do
		out=$(ip netns exec "$c" python3 -S "$here/malformed.py" classes \
			--ifname cd --dst-mac "$mac" --cport "$cport" --count "$count" \
			--tcp-port "$port" ${only:+--only "$only"} 2>&1) || rc=1
		sed 's/^#*/#/' <<<"$out"
	done <<<"$methods"
	# The answers of a greeter under TCG: give them a moment.
	sleep "$settle"
	dx cat /proc/net/ip_vs_conn >"$tmp/conns" &&
		ip netns exec "$rs1" nft list ruleset >"$tmp/rs1" &&
		ip netns exec "$c" nft list ruleset >"$tmp/c" || rc=1
	while read -r m name proto id dport ports; do
		# shellcheck disable=SC2086 # the ports, one word each
		fig[$lb-$m-$name]="$(conns "$tmp/conns" $ports)/$(counted "$tmp/rs1" "$m-$name")/$(counted "$tmp/c" "$m-$name")"
	done <<<"$classes"
	return $rc
}

# setup: the topology; the DR and TUN answers come back from the VIP
# through the director, which takes them for its own (a martian source)
# unless drs1 accepts local sources.
setup() {
	nat_setup 1 rs_serve &&
		dx sysctl -qw net.ipv4.conf.all.rp_filter=0 \
			net.ipv4.conf.drs1.rp_filter=0 net.ipv4.conf.drs1.accept_local=1
}

services() {
	nat_service -t 80 -s rr && nat_service -u 53 -s rr &&
		dx ipvsadm -A -t $vip:8080 -s rr &&
		dx ipvsadm -a -t $vip:8080 -r 10.0.2.2:8080 -g &&
		dx ipvsadm -A -t $vip:8081 -s rr &&
		dx ipvsadm -a -t $vip:8081 -r 10.0.2.2:8081 -i
}

nfvs_kmsg_mark "$mark"
check "nfvs loads" nfvs_load
check "topology comes up" setup
check "NAT TCP and UDP, DR and TUN TCP services" services
check "the counters are in place" counters
check "nfvs: the classes are sent" send nfvs
while read -r m name proto id dport ports; do
	check_eq "nfvs $m $name: connections/arrived/answered" \
		"$(want "$m" "$name")" "${fig[nfvs-$m-$name]}"
done <<<"$classes"
problems=$(nfvs_klog_problems "$mark")
check_eq "no kernel warning" "" "$problems"
cleanup
check "nfvs unloads" nfvs_unload

# ipvs_half: in-tree IPVS gets the same packets, and the figures are
# printed beside nfvs's.
ipvs_half() {
	local m name proto id dport ports
	if modprobe ip_vs 2>/dev/null; then
		ok "in-tree IPVS loads, for the same packets"
		setup && services && counters && send ipvs >/dev/null
		cleanup
		ipvs_unload
	else
		not_ok "in-tree IPVS loads, for the same packets"
	fi
	echo "# side by side: connections made, packets at the real server, answers (of $count)"
	printf '# %-4s %-15s %-8s %-8s %s\n' method class want nfvs "in-tree IPVS"
	while read -r m name proto id dport ports; do
		printf '# %-4s %-15s %-8s %-8s %s\n' "$m" "$name" "$(want "$m" "$name")" \
			"${fig[nfvs-$m-$name]}" "${fig[ipvs-$m-$name]:-not run}"
	done <<<"$classes"
}
debug_profile || ipvs_half
rm -rf "$tmp"
tap_done
