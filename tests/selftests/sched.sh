#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Schedulers on the real datapath (NAT), driven by ipvsadm:
#
#   client c-SFX                  director d-SFX
#   10.0.1.2/24, and              10.0.1.1/24, VIP 10.0.1.100
#   10.0.1.10-69 --------veth---- dc
#                                 drs1 10.0.2.1/24 --veth-- 10.0.2.2 rs1-SFX
#                                 drs2 10.0.3.1/24 --veth-- 10.0.3.2 rs2-SFX
#                                 drs3 10.0.4.1/24 --veth-- 10.0.4.2 rs3-SFX
#
# The real servers greet each TCP connection with their name and hold it
# until the client closes its side (dash's builtins only: a fork per
# connection is what costs under emulation); they answer a UDP request with their
# name and the request. sched_client.py makes the connections.
#
#   wrr      weights 3 and 1 split 200 connections 75/25
#   sh       a client address stays on one server; with sh-fallback, the
#            clients of a quiesced server move and nobody else does
#   lc, wlc  connections held open on one server send new ones to the other
#   mh       removing one of three servers moves its clients only
#   -x, -y   rr with rs1's upper threshold 3: of 8 connections held open
#            rs1 takes 3; raised to 5 (ipvsadm -e), 2 of 4 more
#   UDP      200 requests, each from a port of its own (mh-port), answered
#            (a request is sent again once if unanswered, as UDP clients do)
#
# In the debug profile (debug_profile, lib.sh) every scheduler and check
# still runs, with fewer connections: 40 for wrr (its order is exact, so
# 30 of 40 is as telling as 150 of 200), 2 per client for sh, 4 and 2 new
# ones for lc and wlc, 30 clients for mh (10.0.1.10-39; about 10 of them
# on the server removed, enough to tell a third from all or none) and 30
# UDP requests.
# The waits for connections to be held or closed are three times as long,
# for a kernel that is that much slower.
#
# Programs are dear there (a start costs about 0.3 s): a service is set up
# by one ipvsadm -R, and the outputs of the clients and of ipvsadm are
# counted and compared in bash (one sort where an order is needed).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib_nat.sh
. "$(dirname "$0")/lib_nat.sh"
plan 47

client=$nfvs_dir/sched_client.py
# The volumes (the debug profile's in the header) and how long to wait for
# connections to be held or closed.
wrr_n=$(volume 200 40)
sh_each=$(volume 3 2)
lc_new=$(volume 10 4)
lc_back=$(volume 5 2)
mh_n=$(volume 60 30)
udp_n=$(volume 200 30)
wait_s=20
debug_profile && wait_s=60
tmp=$(mktemp -d)

cleanup() {
	nat_cleanup
	rm -rf "$tmp"
}

# rs_serve NS I: over TCP :80 a greeting, then the connection is held until
# the client closes it; over UDP :53 an answer with the request.
rs_serve() {
	nat_greet "$1" "rs$2" --hold --tcp 80 --quote --udp 53
}

# service SCHED [FLAGS] RS:WEIGHT...: a fresh TCP service on $vip:80 (the
# one of the call before deleted first).
tcp80=
service() {
	local sched=$1 flags=$2 rs
	shift 2
	{
		[ -n "$tcp80" ] && echo "-D -t $vip:80"
		echo "-A -t $vip:80 -s $sched${flags:+ -b $flags}"
		for rs in "$@"; do
			echo "-a -t $vip:80 -r 10.0.$((${rs%:*} + 1)).2:80 -m -w ${rs#*:}"
		done
	} | ipvsadm_rules "$d"
	tcp80=1
}

# weight RS W: sets real server RS's weight.
weight() {
	dx ipvsadm -e -t $vip:80 -r "10.0.$(($1 + 1)).2:80" -m -w "$2"
}

# tcp N [SRC...]: "SRC SERVER" for N connections.
tcp() {
	ip netns exec $c python3 -S "$client" tcp $vip 80 "$@"
}

# count SERVER: connections that SERVER answered, of tcp's output on stdin
# (lines "SRC SERVER").
count() {
	local n=0 srv
	while read -r _ srv _; do
		[ "$srv" = "$1" ] && n=$((n + 1))
	done
	echo "$n"
}

# lines_of WORD FILE: the lines of FILE that are WORD.
lines_of() {
	local n=0 line
	while IFS= read -r line; do
		[ "$line" = "$1" ] && n=$((n + 1))
	done <"$2"
	echo "$n"
}

# active RS: active connections of real server RS.
active() {
	local r=10.0.$(($1 + 1)).2:80 addr act
	while read -r _ addr _ _ act _; do
		[ "$addr" = "$r" ] && echo "$act"
	done < <(dx ipvsadm -Ln -t $vip:80)
}

# uniq_c: "uniq -c" of the sorted lines on stdin ("%7d LINE" for each run
# of equal lines).
uniq_c() {
	local line prev n=0
	while IFS= read -r line; do
		if [ "$n" -gt 0 ] && [ "$line" = "$prev" ]; then
			n=$((n + 1))
			continue
		fi
		[ "$n" -gt 0 ] && printf '%7d %s\n' "$n" "$prev"
		prev=$line n=1
	done
	[ "$n" -gt 0 ] && printf '%7d %s\n' "$n" "$prev"
}

# in8s PREFIX TEXT: the words of TEXT, eight a line, after PREFIX (as
# "xargs -n 8 | sed 's/^/PREFIX/'").
in8s() {
	local -a w
	local i
	read -r -d '' -a w <<<"$2"
	# (xargs runs echo once for no words too.)
	for ((i = 0; i == 0 || i < ${#w[@]}; i += 8)); do
		echo "$1${w[*]:i:8}"
	done
}

# wait_for N FILE: waits until FILE has N lines.
has_lines() {
	local -a lines
	mapfile -t lines <"$2"
	[ "${#lines[@]}" -ge "$1" ]
}
wait_for() {
	poll "$wait_s" has_lines "$@"
}

check "nfvs loads" nfvs_load
addrs=()
for ((i = 10; i <= 9 + mh_n; i++)); do
	addrs+=("10.0.1.$i")
done
check "topology comes up" nat_setup 3 rs_serve "${addrs[@]}"

# wrr: weights 3 and 1.
check "wrr service, weights 3 and 1" service wrr "" 1:3 2:1
out=$(tcp "$wrr_n")
n1=$(count rs1 <<<"$out")
n2=$(count rs2 <<<"$out")
echo "# wrr: rs1 $n1, rs2 $n2"
check_eq "wrr: all $wrr_n connections answered" "$wrr_n" $((n1 + n2))
check "wrr: rs1 takes 75% within 5 points ($n1 of $wrr_n)" \
	test "$n1" -ge $((wrr_n * 70 / 100)) -a "$n1" -le $((wrr_n * 80 / 100))

# sh: 8 clients, 3 connections each (2 in the debug profile).
check "sh service over two servers, sh-fallback" \
	service sh sh-fallback 1:1 2:1
out=$(tcp $((8 * sh_each)) "${addrs[@]:0:8}")
# The distinct "SRC SERVER" lines with their counts (sort | uniq -c); the
# lines alone are "sort -u".
mapfile -t tally < <(sort <<<"$out" | uniq_c)
printf '# sh: %s\n' "${tally[@]}"
check_eq "sh: every connection answered" 0 "$(count none <<<"$out")"
check_eq "sh: each client stays on one server" 8 "${#tally[@]}"
before='' moved=''
for t in "${tally[@]}"; do
	read -r _ t <<<"$t"
	before+="${before:+$'\n'}$t"
	# With rs2 quiesced, its clients expected on rs1.
	[[ $t == *" rs2" ]] && t="${t% rs2} rs1"
	moved+="${moved:+$'\n'}$t"
done
check "sh: the clients spread over both servers" \
	test "$(count rs1 <<<"$before")" -gt 0 -a "$(count rs2 <<<"$before")" -gt 0
check "sh: rs2 quiesced" weight 2 0
after=$(tcp 8 "${addrs[@]:0:8}" | sort)
check_eq "sh-fallback: the clients of rs2 move to rs1, the others stay" \
	"$moved" "$after"

# lc and wlc: three connections held on rs1 send new ones to rs2.
for s in lc wlc; do
	check "$s service, rs2 quiesced" service $s "" 1:2 2:0
	# (Emptied first: wait_for must not count the lines of the loop
	# before, left until the client's redirection empties the file.)
	: >"$tmp/held"
	exec {hold}> >(exec ip netns exec $c python3 -S "$client" hold $vip 80 3 \
			>"$tmp/held")
	check "$s: 3 connections held on rs1" wait_for 3 "$tmp/held"
	mapfile -t held <"$tmp/held"
	check_eq "$s: held connections are rs1's" "rs1 rs1 rs1" "${held[*]}"
	check_eq "$s: ipvsadm shows 3 active connections on rs1" 3 "$(active 1)"
	weight 2 1
	out=$(tcp "$lc_new")
	check_eq "$s: $lc_new new connections go to rs2" "$lc_new" "$(count rs2 <<<"$out")"
	exec {hold}>&-
	for ((i = 0; i < wait_s * 5 / 2; i++)); do
		[ "$(active 1)" = 0 ] && break
		sleep 0.2
	done
	check_eq "$s: closed, the held connections are no longer active" 0 \
		"$(active 1)"
	out=$(tcp "$lc_back")
	check_eq "$s: with rs1 idle, new connections go back to rs1" "$lc_back" \
		"$(count rs1 <<<"$out")"
done

# Thresholds (ipvsadm -x, -y): rr, rs1 takes connections up to its upper
# threshold, rs2 the rest; a higher threshold lets rs1 take more.
thresholds() {
	dx ipvsadm -e -t $vip:80 -r 10.0.2.2:80 -m -w 1 -x "$1" -y 1
}
check "rr service, rs1 with -x 3 -y 1" service rr "" 1:1 2:1
check "rr: ipvsadm -e sets rs1's thresholds" thresholds 3
thr=''
while read -r _ addr x y _; do
	[ "$addr" = 10.0.2.2:80 ] && thr+="${thr:+$'\n'}$x $y"
done < <(dx ipvsadm -Ln --thresholds -t $vip:80)
check_eq "rr: ipvsadm -Ln --thresholds shows them" "3 1" "$thr"
: >"$tmp/held"
exec {hold}> >(exec ip netns exec $c python3 -S "$client" hold $vip 80 8 \
		>"$tmp/held")
check "rr: 8 connections held" wait_for 8 "$tmp/held"
check_eq "rr: rs1 took 3 of them, its upper threshold" "3 5" \
	"$(lines_of rs1 "$tmp/held") $(lines_of rs2 "$tmp/held")"
check_eq "rr: ipvsadm shows 3 active connections on rs1" 3 "$(active 1)"
check "rr: rs1's upper threshold raised to 5" thresholds 5
exec {more}> >(exec ip netns exec $c python3 -S "$client" hold $vip 80 4 \
		>"$tmp/more")
check "rr: 4 more connections held" wait_for 4 "$tmp/more"
check_eq "rr: rs1 took 2 of them, up to its new threshold" 2 \
	"$(lines_of rs1 "$tmp/more")"
exec {hold}>&- {more}>&-

# mh: 60 clients (30 in the debug profile), then one server of three
# removed.
check "mh service over three servers" service mh "" 1:1 2:1 3:1
before=$(tcp "$mh_n" "${addrs[@]}" | sort)
echo "# mh: rs1 $(count rs1 <<<"$before"), rs2 $(count rs2 <<<"$before")," \
	"rs3 $(count rs3 <<<"$before")"
in8s "# mh: " "$before"
check_eq "mh: all $mh_n clients answered" 0 "$(count none <<<"$before")"
check "mh: every server has clients" test "$(count rs1 <<<"$before")" -gt 0 \
	-a "$(count rs2 <<<"$before")" -gt 0 -a "$(count rs3 <<<"$before")" -gt 0
check "mh: rs3 removed" dx ipvsadm -d -t $vip:80 -r 10.0.4.2:80
after=$(tcp "$mh_n" "${addrs[@]}" | sort)
# The clients in both whose server changed, and those of them that were
# not on rs3 (join of the two).
declare -A was
while read -r a srv; do
	[ -n "$a" ] && was[$a]=$srv
done <<<"$before"
moved=0 stayed_moved=0
while read -r a srv; do
	[ -n "$a" ] && [ -n "${was[$a]+1}" ] && [ "${was[$a]}" != "$srv" ] || continue
	moved=$((moved + 1))
	[ "${was[$a]}" != rs3 ] && stayed_moved=$((stayed_moved + 1))
done <<<"$after"
in8s "# mh, without rs3: " "$after"
echo "# mh: $moved of $mh_n clients moved, $stayed_moved of them not from rs3"
check_eq "mh: all $mh_n clients answered by rs1 or rs2" "$mh_n" \
	$(($(count rs1 <<<"$after") + $(count rs2 <<<"$after")))
check "mh: the clients of rs1 and rs2 stay (at most $((mh_n / 30)) moved)" \
	test "$stayed_moved" -le $((mh_n / 30))
check "mh: about a third of the clients moved ($moved of $mh_n)" \
	test "$moved" -ge $((mh_n / 6)) -a "$moved" -le $((mh_n / 2))

# UDP: 200 requests (30 in the debug profile) from ports of their own,
# mh-port over three servers.
check "UDP mh service with mh-port over three servers" ipvsadm_rules "$d" <<-EOF
	-A -u $vip:53 -s mh -b mh-port
	-a -u $vip:53 -r 10.0.2.2:53 -m
	-a -u $vip:53 -r 10.0.3.2:53 -m
	-a -u $vip:53 -r 10.0.4.2:53 -m
EOF
out=$(ip netns exec $c python3 -S "$client" udp $vip 53 "$udp_n")
# Of the answers ("SERVER ok|bad TRIES"): "SERVER ok|bad" for the tally,
# those with " ok ", those sent more than once, those of each server.
pairs=() oks=0 retries=0
declare -A on=([rs1]=0 [rs2]=0 [rs3]=0)
while IFS= read -r line; do
	read -r name res tries _ <<<"$line"
	pairs+=("$name${res:+ $res}")
	[[ $line == *" ok "* ]] && oks=$((oks + 1))
	[[ $tries =~ ^[0-9]+$ ]] && [ "$tries" -gt 1 ] && retries=$((retries + 1))
	for r in rs1 rs2 rs3; do
		[[ $line == "$r "* ]] && on[$r]=$((on[$r] + 1))
	done
done <<<"$out"
mapfile -t tally < <(printf '%s\n' "${pairs[@]}" | sort | uniq_c)
# (xargs: the words on one line.)
read -r -d '' -a words <<<"${tally[*]}"
echo "# udp: ${words[*]}"
dx ipvsadm -Ln --stats -u $vip:53 | comment
check_eq "UDP: $udp_n requests answered with their own content" "$udp_n" "$oks"
check "UDP: at most 2 requests needed sending again ($retries)" \
	test "$retries" -le 2
check "UDP: mh-port spreads one client over all three servers" \
	test "${on[rs1]}" -gt 0 -a "${on[rs2]}" -gt 0 -a "${on[rs3]}" -gt 0

cleanup
check_eq "no module reference held" "0" "$(nfvs_refcnt)"
check "nfvs unloads" nfvs_unload
tap_done
