#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Persistence (timeout, netmask, quiescent templates), fwmark services,
# one-packet scheduling, and what quiescing or removing a real server does
# to connections (weight 0, expire_nodest_conn). NAT services over two
# real servers, round robin; the topology is lib_topo.sh's.
#
# In the debug profile (debug_profile, lib.sh) every check still runs, with
# fewer flows and connections (half, about) and longer timeouts: the debug
# kernel took more than 10 s between a client's last flow and the listing
# of its template, so the templates a check lists or uses live 60 s, UDP
# flows that must last across a few commands 60 s, and a client waits
# 10 s for an answer. The templates must still be gone within their
# timeout and 20 s; the later sections run meanwhile, and the script
# sleeps through what is left of that wait rather than poll the table for
# it (a poll starts programs).
#
# Programs are dear there too (a start costs about 0.3 s): a service is
# set up by one ipvsadm -R, and the answers and ipvsadm's listings are
# read and counted in bash.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib_topo.sh
. "$(dirname "$0")/lib_topo.sh"
plan 28

# nat PROTO VIP:PORT [OPTIONS...]: a NAT service over both real servers;
# with fwd=-g, direct routing.
nat() {
	local p=$1 s=$2 i
	shift 2
	{
		echo "-A $p $s -s rr $*"
		for i in 1 2; do
			echo "-a $p $s -r 10.0.0.1$i ${fwd:--m}"
		done
	} | ipvsadm_rules "$d"
}

# sorted ITEM...: the distinct ITEMs, sorted, on one line (as "sort -u |
# xargs").
sorted() {
	local -a s=()
	local x i j
	for x in "$@"; do
		[ -n "$x" ] || continue
		for ((i = 0; i < ${#s[@]}; i++)); do
			[ "${s[i]}" = "$x" ] && continue 2
			[[ ${s[i]} > $x ]] && break
		done
		# Shift the greater ones up one, x in their place.
		for ((j = ${#s[@]}; j > i; j--)); do
			s[j]=${s[j - 1]}
		done
		s[i]=$x
	done
	echo "${s[*]}"
}

# servers FILE: the distinct real servers that answered, "rs1 rs2" order.
servers() {
	local -a names=()
	local w
	while read -r w _; do
		names+=("$w")
	done <"$1"
	sorted "${names[@]}"
}

# nwords TEXT: TEXT's words (wc -w).
nwords() {
	local -a w
	read -r -d '' -a w <<<"$1"
	echo "${#w[@]}"
}

# starting PREFIX FILE: the lines of FILE that start with PREFIX (grep -c
# "^PREFIX").
starting() {
	local n=0 line
	while IFS= read -r line; do
		[[ $line == "$1"* ]] && n=$((n + 1))
	done <"$2"
	echo "$n"
}

# persist_conns -u|-t VIP:PORT: "rs1 rs2" PersistConn counters (ipvsadm prints
# no Forward column with --persistent-conn).
persist_conns() {
	local arrow addr n out=''
	while read -r arrow addr _ n _; do
		[ "$arrow" = "->" ] && [[ $addr == [0-9]* ]] && out+="${out:+ }$n"
	done < <(nx $d ipvsadm -Ln --persistent-conn "$1" "$2")
	echo "$out"
}

# ask PROTO ADDR PORT N [--bind ADDR]: N answers, one per line.
ask() {
	nx $c $peer "$@"
}

check "nfvs loads" nfvs_load
topo_up --tcp 80 81 --udp 53 54 57 $vip:58
tmp=$(mktemp -d)
nx $d ipvsadm --set 30 10 2

# Persistence timeouts (ptime for the first service, plong for the others),
# the UDP timeout of flows that must outlive a few commands, how long a
# client waits for an answer, and the volumes (the debug profile's are in
# the header).
ptime=10 plong=30 flow_s=10 reply_s=2
if debug_profile; then
	ptime=60 plong=60 flow_s=60 reply_s=10
fi
p_first=$(volume 6 3)
p_other=$(volume 4 2)
nm_rounds=$(volume 2 1)
fw_rounds=$(volume 4 2)
fwp_rounds=$(volume 2 1)

# Persistence: one client, one real server, for the timeout. 10 s, not
# less: a loaded CI host once took more than 3 s between the first client's
# last flow and the template count below, and the template was gone.
check "persistent UDP service, $ptime s" nat -u $nvip:53 -p "$ptime"
ask udp $nvip 53 "$p_first" --bind 10.0.1.2 >"$tmp/p1"
first=$(servers "$tmp/p1")
check_eq "persistence: $p_first flows of a client go to one real server" "1" \
	"$(nwords "$first")"
ask udp $nvip 53 "$p_other" --bind 10.0.1.3 >"$tmp/p2"
check "persistence: another client (netmask /32) gets the other real server" \
	test "$(servers "$tmp/p2")" != "$first"
check_eq "persistence: one template per client" "1 1" "$(persist_conns -u $nvip:53)"
sleep 1
ask udp $nvip 53 3 --bind 10.0.1.2 >"$tmp/p3"
check_eq "persistence: within the timeout the client stays" "$first" \
	"$(servers "$tmp/p3")"

# A quiesced real server keeps its persistent clients, unless
# expire_quiescent_template says otherwise.
rip=10.0.0.1${first#rs}
nx $d ipvsadm -e -u $nvip:53 -r $rip -m -w 0
ask udp $nvip 53 3 --bind 10.0.1.2 >"$tmp/p4"
check_eq "weight 0: a persistent client still goes to its real server" "$first" \
	"$(servers "$tmp/p4")"
nx $d sysctl -qw net.ipv4.vs.expire_quiescent_template=1
ask udp $nvip 53 3 --bind 10.0.1.2 >"$tmp/p5"
check "expire_quiescent_template=1: the client moves off the quiesced server" \
	test "$(servers "$tmp/p5")" = "$(servers "$tmp/p2")"
nx $d sysctl -qw net.ipv4.vs.expire_quiescent_template=0
nx $d ipvsadm -e -u $nvip:53 -r $rip -m -w 1

# Flows expire after 2 s, templates ptime s after their last flow: gone
# within the timeout and 20 s of the last flow above. The sections below
# run in that time; the check comes after them, and sleeps only what is
# left of the timeout (in the debug profile most of those 80 s).
p_last=$SECONDS
templates_gone() {
	[ "$(persist_conns -u $nvip:53)" = "0 0" ]
}

# Netmask: a /24 is one client.
check "persistent UDP service, netmask /24" nat -u $nvip:54 -p "$plong" -M 255.255.255.0
for ((i = 0; i < nm_rounds; i++)); do
	for a in 2 3 4; do
		ask udp $nvip 54 2 --bind 10.0.1.$a
	done
done >"$tmp/m"
check_eq "netmask /24: $((6 * nm_rounds)) flows from 3 addresses go to one real server" "1" \
	"$(nwords "$(servers "$tmp/m")")"

# fwmark: two ports, one service.
nx $d iptables -t mangle -A PREROUTING -d $nvip -p tcp -m multiport \
	--dports 80,81 -j MARK --set-mark 7
check "fwmark service over both real servers" nat -f 7
for ((i = 0; i < fw_rounds; i++)); do
	ask tcp $nvip 80 1
	ask tcp $nvip 81 1
done >"$tmp/f"
fw_n=$((2 * fw_rounds))
# Of the answers ("SERVER PORT CLIENT"): those as expected, and the
# "SERVER PORT" pairs.
good=0 pairs=() re='^rs[12] 8[01] 10.0.1.2$'
while IFS= read -r line; do
	[[ $line =~ $re ]] && good=$((good + 1))
	read -r srv port _ <<<"$line"
	pairs+=("$srv${port:+ $port}")
done <"$tmp/f"
check_eq "fwmark: $fw_n connections to ports 80 and 81 answered, each port once per round" \
	"$fw_n" "$good"
check_eq "fwmark: the two ports share one round robin" "rs1 80 rs2 81" \
	"$(sorted "${pairs[@]}")"
fwm=''
while read -r kind _ conns _; do
	[ "$kind" = FWM ] && fwm+="${fwm:+$'\n'}$conns"
done < <(nx $d ipvsadm -Ln --stats -f 7)
check_eq "fwmark: ipvsadm counts $fw_n connections on FWM 7" "$fw_n" "$fwm"
nx $d ipvsadm -D -f 7
check "persistent fwmark service" nat -f 7 -p "$plong"
for ((i = 0; i < fwp_rounds; i++)); do
	ask tcp $nvip 80 1
	ask tcp $nvip 81 1
done >"$tmp/fp"
check_eq "persistent fwmark: both ports of a client go to one real server" "1" \
	"$(nwords "$(servers "$tmp/fp")")"

# One-packet scheduling: every datagram is scheduled, no connection kept
# (so no reply is translated: direct routing).
fwd=-g check "one-packet UDP service (direct routing)" nat -u $vip:58 -o
printf '1\n2\n3\n4\n' | nx $c $peer session udp $vip 58 >"$tmp/o"
check_eq "one-packet: 4 datagrams of one socket, 2 to each real server" \
	"2 2" "$(starting "rs1 " "$tmp/o") $(starting "rs2 " "$tmp/o")"
# Active and inactive connections over the listing's "->" lines (its
# header's words count as 0).
act=0 inact=0
while IFS= read -r line; do
	[[ $line == *"->"* ]] || continue
	read -r _ _ _ _ x y _ <<<"$line"
	[[ $x =~ ^[0-9]+$ ]] && act=$((act + x))
	[[ $y =~ ^[0-9]+$ ]] && inact=$((inact + y))
done < <(nx $d ipvsadm -Ln -u $vip:58)
check_eq "one-packet: no connection kept" "0 0" "$act $inact"

# Weight 0 quiesces a real server: new flows go elsewhere, a flow it
# already has stays.
check "UDP service for quiescing and removal" nat -u $nvip:57
nx $d ipvsadm --set 30 10 "$flow_s"
coproc Q { nx $c $peer session udp $nvip 57; }
read -r -u "${Q[0]}" _
echo >&"${Q[1]}"
read -r -u "${Q[0]}" qrs _
nx $d ipvsadm -e -u $nvip:57 -r "10.0.0.1${qrs#rs}" -m -w 0
ask udp $nvip 57 4 >"$tmp/q"
check_eq "weight 0: 4 new flows avoid the quiesced real server" "0" \
	"$(starting "$qrs " "$tmp/q")"
echo >&"${Q[1]}"
read -r -u "${Q[0]}" qrs2 _
check_eq "weight 0: the flow it has stays on it" "$qrs" "$qrs2"
eval "exec ${Q[1]}>&-"
wait "$Q_PID" 2>/dev/null
nx $d ipvsadm -e -u $nvip:57 -r "10.0.0.1${qrs#rs}" -m -w 1

# Removing a real server: its connections are dropped, or with
# expire_nodest_conn=1 ended, so that a UDP flow is scheduled anew.
# removal EXPIRE: the answers of a UDP flow before and after its real
# server is removed.
removal() {
	local rs
	nx $d sysctl -qw net.ipv4.vs.expire_nodest_conn="$1"
	coproc S { nx $c $peer session udp $nvip 57 --timeout "$reply_s"; }
	read -r -u "${S[0]}" _
	echo >&"${S[1]}"
	read -r -u "${S[0]}" rs _
	nx $d ipvsadm -d -u $nvip:57 -r "10.0.0.1${rs#rs}"
	echo >&"${S[1]}"
	read -r -u "${S[0]}" after _
	echo "$rs $after"
	eval "exec ${S[1]}>&-"
	wait "$S_PID" 2>/dev/null
	nx $d ipvsadm -a -u $nvip:57 -r "10.0.0.1${rs#rs}" -m
}
# has_line REGEX TEXT: a line of TEXT matches REGEX (grep -q -E).
has_line() {
	local line
	while IFS= read -r line; do
		[[ $line =~ $1 ]] && return 0
	done <<<"$2"
	return 1
}
r=$(removal 0)
check "expire_nodest_conn=0: a flow to a removed real server is dropped" \
	has_line '^rs[12] ERR$' "$r"
r=$(removal 1)
check "expire_nodest_conn=1: the flow is scheduled to the other real server" \
	has_line '^(rs1 rs2|rs2 rs1)$' "$r"
echo "# $r"

left=$((p_last + ptime - 2 - SECONDS))
[ "$left" -gt 0 ] && sleep "$left"
left=$((p_last + ptime + 20 - SECONDS))
[ "$left" -gt 0 ] || left=1
check "persistence: templates expire after the timeout" \
	poll "$left" templates_gone

nx $d ipvsadm -Ln | comment
rm -rf "$tmp"
cleanup
check_eq "no module reference held" "0" "$(nfvs_refcnt)"
check "nfvs unloads" nfvs_unload
tap_done
