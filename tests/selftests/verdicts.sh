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
#
# A program started costs a third of a second on the debug kernel: the
# tables and counters are read once each and parsed with bash, and one
# start of malformed.py lists or sends the classes of every method.
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
# shellcheck source=lib_nat.sh
. "$here/lib_nat.sh"
# The debug profile leaves out in-tree IPVS's result.
if debug_profile; then plan 27; else plan 28; fi

mark=verdicts-$nfvs_sfx
nat_servers=1
# The packets of each class; the seconds the answers are given.
count=$(volume 3 1)
settle=2
debug_profile && settle=4

command -v python3 >/dev/null || skip_all "no python3"
command -v ipvsadm >/dev/null || skip_all "no ipvsadm"
command -v nft >/dev/null || skip_all "no nft"

# rs1 is a NAT, DR (VIP on lo, no ARP for it) and TUN (tunl0) real server:
# its addresses and sysctls first, each kind in one program, then the
# server.
rs_serve() {
	modprobe -q ipip &&
		ip -n "$1" -batch - <<-EOF &&
			addr add $vip/32 dev lo
			link set tunl0 up
		EOF
		ip netns exec "$1" sysctl -qw net.ipv4.conf.all.arp_ignore=1 \
			net.ipv4.conf.all.arp_announce=2 net.ipv4.conf.all.rp_filter=0 \
			net.ipv4.conf.tunl0.rp_filter=0 &&
		nat_greet "$1" "rs$2" --tcp 80 8080 8081 --udp 53
}

# The methods: "METHOD PORT CPORT CLASSES" (CLASSES: malformed.py's
# --only, "" for all of them; the UDP ones go to VIP:53); as malformed.py's
# --method arguments, for one run that does them all; each one's port.
methods="nat 80 41000
dr 8080 42000 tcp_good,ip_options
tun 8081 43000 tcp_good,ip_options"
method_args=()
declare -A method_port
while read -r m port cport only; do
	method_args+=(--method "$m:$port:$cport${only:+:$only}")
	method_port[$m]=$port
done <<<"$methods"

# classes: "METHOD NAME PROTO IPID DPORT PORT..." a line.
classes=$(python3 -S "$here/malformed.py" classes --ifname cd \
	--dst-mac 00:00:00:00:00:00 --list --count "$count" "${method_args[@]}" |
	while read -r m name proto id ports; do
		[ "$proto" = udp ] && echo "$m $name $proto $id 53 $ports" ||
			echo "$m $name $proto $id ${method_port[$m]} $ports"
	done)

# want METHOD NAME: the verdict asserted, connections/arrived/answered.
want() {
	case $2 in
	tcp_good | udp_good | ip_options) echo "$count/$count/$count" ;;
	ip_* | tcp_truncated | udp_truncated | tcp_doff_small) echo 0/0/0 ;;
	*) echo "$count/$count/0" ;;
	esac
}

# nft_counters NS HOOK RULES: a fresh ruleset in NS with one chain at HOOK
# (priority -300), with RULES (one a line).
nft_counters() {
	printf '%s\n' "flush ruleset" "table ip v {" "chain c {" \
		"type filter hook $2 priority -300;" "$3" "}" "}" |
		ip netns exec "$1" nft -f -
}

# counters: one nft counter per class and method in rs1 (arrivals, by IP
# ID and port) and in the client (answers, by port), zeroed.
counters() {
	local m name proto id dport ports arrived="" answered=""
	while read -r m name proto id dport ports; do
		arrived+="ip id $id $proto dport $dport counter comment \"$m-$name\""$'\n'
		answered+="ip saddr $vip $proto dport { ${ports// /, } } counter comment \"$m-$name\""$'\n'
	done <<<"$classes"
	nft_counters "$rs1" prerouting "$arrived" &&
		nft_counters "$c" input "$answered"
}

# counted RULESET ARRAY: the packets of each counter of RULESET (nft list
# ruleset's), into the associative ARRAY by comment.
counted() {
	local -n into=$2
	local l re='packets ([0-9]+) .*comment "([^"]*)"'
	into=()
	# shellcheck disable=SC2034 # into is the caller's array
	while IFS= read -r l; do
		[[ $l =~ $re ]] && into[${BASH_REMATCH[2]}]=${BASH_REMATCH[1]}
	done <<<"$1"
	return 0
}

# send LB: the classes from the client, then each one's figures into
# fig[LB-METHOD-NAME] as "connections/arrived/answered", from the tables
# and counters as they were right after (a closed DR connection lasts
# 10 s, an unanswered SYN's 60 s: a slow kernel reads them all at once).
# One run of malformed.py sends the classes of every method.
declare -A fig
send() {
	local lb=$1 out line m name proto id dport ports p n rc=0
	local dev addr mac="" table rs1_rules c_rules
	local -A conns=() arrived=() answered=()
	while read -r dev _ addr _; do
		[ "${dev%@*}" = dc ] && mac=$addr
	done <<<"$(ip -n "$d" -br link show dev dc)"
	out=$(ip netns exec "$c" python3 -S "$here/malformed.py" classes \
		--ifname cd --dst-mac "$mac" --count "$count" "${method_args[@]}" 2>&1) ||
		rc=1
	while IFS= read -r line; do
		# One "#" in front, whatever the line had.
		echo "#${line#"${line%%[!#]*}"}"
	done <<<"$out"
	# The answers of a greeter under TCG: give them a moment.
	sleep "$settle"
	table=$(dx cat /proc/net/ip_vs_conn) &&
		rs1_rules=$(ip netns exec "$rs1" nft list ruleset) &&
		c_rules=$(ip netns exec "$c" nft list ruleset) || rc=1
	# The balancer's connections from the client (10.0.1.2), by its port
	# (hex).
	while read -r _ from p _; do
		[ "$from" = 0A000102 ] && conns[$p]=$((${conns[$p]:-0} + 1))
	done <<<"$table"
	counted "$rs1_rules" arrived
	counted "$c_rules" answered
	while read -r m name proto id dport ports; do
		n=0
		for p in $ports; do
			printf -v p '%04X' "$p"
			n=$((n + ${conns[$p]:-0}))
		done
		fig[$lb-$m-$name]="$n/${arrived[$m-$name]:-}/${answered[$m-$name]:-}"
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

# services: the NAT services (nat_service's), the DR and TUN ones, in one
# ipvsadm -R, which goes on past a failed line and says why: it must say
# nothing.
services() {
	local err
	err=$(dx ipvsadm -R 2>&1 <<-EOF
		-A -t $vip:80 -s rr
		-a -t $vip:80 -r 10.0.2.2:80 -m
		-A -u $vip:53 -s rr
		-a -u $vip:53 -r 10.0.2.2:53 -m
		-A -t $vip:8080 -s rr
		-a -t $vip:8080 -r 10.0.2.2:8080 -g
		-A -t $vip:8081 -s rr
		-a -t $vip:8081 -r 10.0.2.2:8081 -i
	EOF
	) && [ -z "$err" ]
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
# The namespaces are gone: nothing left for the EXIT trap to clean up
# (ipvs_half sets it again for its own).
trap - EXIT
check "nfvs unloads" nfvs_unload

# ipvs_half: in-tree IPVS gets the same packets, and the figures are
# printed beside nfvs's.
ipvs_half() {
	local m name proto id dport ports
	if modprobe ip_vs 2>/dev/null; then
		ok "in-tree IPVS loads, for the same packets"
		trap cleanup EXIT
		setup && services && counters && send ipvs >/dev/null
		cleanup
		trap - EXIT
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
tap_done
