#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# FTP through the director (issue 6): RELATED data connections for NAT, DR
# and TUN behind the FTP ruleset of the LVS documentation, with no
# conntrack helper rule.
#
#                        LAN 10.0.0.0/24 (bridge in sw-SFX)
#     client c-SFX        director d-SFX          rs1-SFX 10.0.0.11  vsftpd
#     (LAN port down)     lan 10.0.0.1            rs2-SFX 10.0.0.12  vsftpd
#     10.0.1.2 eth1 ----- dc 10.0.1.1             (VIP 10.0.9.100 on lo,
#                         VIPs on lo:              gateway 10.0.0.1)
#                         10.0.9.101 NAT :21 rr -> rs1:21, rs2:21 (-m)
#                         10.0.9.100 DR  :21 rr -> rs1:21, rs2:21 (-g),
#                                    then TUN (-i)
#
# The topology is lib_topo.sh's, with every client packet going through the
# director: the client's LAN port is down and both VIPs are routed over its
# own link, so the director is also the real servers' gateway for DR and TUN
# replies (accept_local: they come from the VIP, one of its addresses).
# net.ipv4.vs.conntrack=1 and, on the director:
#
#   INPUT    -p tcp -m state --state RELATED            (counts)
#            per VIP: -d VIP --dport 21 ACCEPT;
#                     -d VIP RELATED,ESTABLISHED ACCEPT; -d VIP DROP
#   FORWARD  -p tcp -m state --state RELATED            (counts)
#            RELATED,ESTABLISHED ACCEPT; DROP
#
# For each method: a held session per data channel mode (PASV, EPSV, PORT,
# EPRT) shows its expectation in "conntrack -L expect" and its data
# connection reaches the control connection's server; the 10 MB file goes
# both ways with lftp (PORT, PASV, EPSV: lftp speaks EPRT only over IPv6)
# and curl (PORT, EPRT, PASV, EPSV), identical (cmp) and the data connection
# RELATED; 50 parallel sessions each get the file of their own server (the
# servers' banners and files name them). For NAT and DR: hostile commands
# (third-party addresses, numbers out of range, 64 KB lines) leave no
# expectation and no kernel warning.
#
# Then, without the bridge, NAT over a link that loses, duplicates and
# reorders packets (netem), the file both ways, passive and active.
#
# NFVS_FTP_BALANCER=ipvs runs the same against in-tree IPVS (ip_vs_ftp, and
# the "-j CT --helper ftp" rule in raw PREROUTING that it needs). In-tree
# IPVS passes NAT; it fails the data connections of DR and TUN, and on 6.1
# and 6.12 the hostile checks (nf_conntrack_ftp expects ports it wrapped
# at 65536, e.g. EPRT port 70000 as 4464).
#
# The debug profile (debug_profile, lib.sh) runs each of nfvs's FTP paths
# once, at a smaller volume: the debug kernel looks for memory and locking
# bugs in nfvs, which a second client, or a second method or mode through
# the same code, would not show. The file is 1 MB, 8 sessions run in
# parallel and the ports check announces 16 ports. Held sessions: every
# data channel mode through NAT (where the 227 is rewritten), PASV through
# DR (where it is not). Transfers: curl only, one passive and one active
# per method, so that each mode carries the file once and passive and
# active data connections each carry it both ways. The parallel sessions
# and the hostile and ports checks run through NAT only: what DR and TUN
# do otherwise (the 227 left alone, the data connection's addresses) the
# held session and the transfers through them show. The lossy link
# carries the file once passive (get), once active (put). The clients'
# own timeouts are three times as long. In-tree IPVS is left out: the
# Debian kernels compare it.
# This script's directory, without dirname: under emulation each program
# started is dear (the debug profile's scripts count them: NFVS_EXECS,
# scripts/vm/guest.sh), so what bash can do it does itself.
here=${0%/*}
[ "$here" != "$0" ] || here=.
# shellcheck source=lib.sh
. "$here/lib.sh"
# shellcheck source=lib_topo.sh
. "$here/lib_topo.sh"

lb=${NFVS_FTP_BALANCER:-nfvs}
ftppeer="python3 -S $(cd "$here" && pwd)/ftppeer.py"
declare -A addr=([nat]=$nvip [dr]=$vip [tun]=$vip)
declare -A summary
modes_lftp="port pasv epsv"
modes_curl="port eprt pasv epsv"
# What each method runs: the held sessions' modes, the transfers (CLIENT:
# MODE:get|put), whether the parallel sessions and the hostile and ports
# checks run; then the transfers over the lossy link (without the bridge,
# through NAT).
declare -A held_modes xfers parallel_on hostile_on
for m in nat dr tun; do
	held_modes[$m]="pasv epsv port eprt"
	xfers[$m]=
	for mode in $modes_lftp; do
		xfers[$m]+=" lftp:$mode:get lftp:$mode:put"
	done
	for mode in $modes_curl; do
		xfers[$m]+=" curl:$mode:get curl:$mode:put"
	done
done
parallel_on=([nat]=1 [dr]=1 [tun]=1)
hostile_on=([nat]=1 [dr]=1)
lossy_xfers="lftp:pasv:get lftp:port:put curl:pasv:put curl:port:get"
# The file's size in MB, the parallel sessions, the client data ports one
# session announces (more than the 8 that nfvs keeps waiting), and the
# factor of the clients' own timeouts.
mb=$(volume 10 1)
npar=$(volume 50 8)
nports=$(volume 40 16)
tmul=1
if debug_profile; then
	[ "$lb" = nfvs ] || skip_all "the debug profile runs nfvs, not in-tree IPVS"
	held_modes=([nat]="pasv epsv port eprt" [dr]=pasv [tun]="")
	xfers=([nat]="curl:pasv:get curl:port:put"
		[dr]="curl:epsv:put curl:eprt:get"
		[tun]="curl:pasv:put curl:port:get")
	parallel_on=([nat]=1)
	hostile_on=([nat]=1)
	lossy_xfers="curl:pasv:get curl:port:put"
	tmul=3
fi

# planned: the results for nfvs: the five steps of the setup; per method
# three for each held session (and the 227's address for PASV), two per
# transfer, two for the parallel sessions, four for the hostile and ports
# checks; one for the port reuse (NAT) and one for the turn to TUN; four
# for nf_conntrack_ftp's helper; one, and one per transfer, for the lossy
# link; seven for the live unload.
planned() {
	local n=5 m mode x
	for m in nat dr tun; do
		for mode in ${held_modes[$m]}; do
			n=$((n + 3))
			[ "$mode" = pasv ] && n=$((n + 1))
		done
		read -ra x <<<"${xfers[$m]}"
		n=$((n + 2 * ${#x[@]}))
		[ -n "${parallel_on[$m]:-}" ] && n=$((n + 2))
		[ -n "${hostile_on[$m]:-}" ] && n=$((n + 4))
	done
	read -ra x <<<"$lossy_xfers"
	echo $((n + 2 + 4 + 1 + ${#x[@]} + 7))
}
# The checks of nf_conntrack_ftp's helper beside the balancer are nfvs's.
if [ "$lb" = nfvs ]; then plan "$(planned)"; else plan 148; fi

for p in vsftpd lftp curl conntrack iptables ipvsadm python3; do
	command -v $p >/dev/null || skip_all "no $p"
done
getent passwd ftp >/dev/null || skip_all "no user ftp (vsftpd's anonymous user)"
case $lb in nfvs | ipvs) ;; *) skip_all "NFVS_FTP_BALANCER=$lb: nfvs or ipvs" ;; esac
tmp=$(mktemp -d)
big=$tmp/big
t0=$SECONDS

# ftp_cleanup: once (the end calls it before the exit would).
ftp_cleanup() {
	trap - EXIT
	cleanup
	rm -rf "$tmp"
}
trap ftp_cleanup EXIT

# count_lines STRING: how many lines of stdin contain STRING (with an empty
# STRING, the lines not empty): grep -Fc by bash, without a program.
count_lines() {
	local line n=0
	while IFS= read -r line || [ -n "$line" ]; do
		[[ -n $line && $line == *"$1"* ]] && n=$((n + 1))
	done
	echo "$n"
}

# lines_with STRING: the lines of stdin that contain STRING (grep -F).
lines_with() {
	local line
	while IFS= read -r line || [ -n "$line" ]; do
		[[ $line == *"$1"* ]] && echo "$line"
	done
}

# has_line FILE PREFIX: a line of FILE starts with PREFIX (grep -q "^...").
has_line() {
	local line
	while IFS= read -r line || [ -n "$line" ]; do
		[[ $line == "$2"* ]] && return 0
	done <"$1"
	return 1
}

# prefix P FILE: each line of FILE after P (sed "s/^/P/").
prefix() {
	local line
	while IFS= read -r line || [ -n "$line" ]; do
		echo "$1$line"
	done <"$2"
}

# step DESC CMD...: check, with the output of CMD shown when it fails.
step() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		ok "$desc"
	else
		not_ok "$desc"
		sed 's/^/# /' <<<"$out" | head -n 20
	fi
}

balancer_load() {
	lb_load || return 1
	[ "$lb" = nfvs ] || modprobe -a ip_vs_rr ip_vs_ftp nf_conntrack_ftp
}

# ftpd_start: vsftpd on both real servers, each with its own root (the
# big file, "whoami" naming the server, a writable "pub") and banner.
# Their passive port ranges do not overlap: a passive data connection
# (client, any port -> VIP, port) would not tell the director which of two
# servers that announced the same port it is for.
ftpd_start() {
	local i root conf pids=()
	chmod 755 "$tmp"
	mkdir -p "$tmp/empty" "$tmp/rs1/pub" "$tmp/rs2/pub" &&
	chown ftp "$tmp/rs1/pub" "$tmp/rs2/pub" || return 1
	for i in 1 2; do
		root=$tmp/rs$i
		echo "rs$i" >"$root/whoami"
		ln "$big" "$root/big" || return 1
		# The configuration, written by bash (read's status: 1 at the end).
		IFS= read -rd '' conf <<-EOF
		listen=YES
		background=NO
		anonymous_enable=YES
		local_enable=NO
		no_anon_password=YES
		anon_root=$root
		write_enable=YES
		anon_upload_enable=YES
		anon_umask=022
		pasv_enable=YES
		pasv_min_port=4${i}000
		pasv_max_port=4${i}999
		port_enable=YES
		connect_from_port_20=YES
		connect_timeout=3
		accept_timeout=10
		data_connection_timeout=20
		ftpd_banner=rs$i
		seccomp_sandbox=NO
		isolate=NO
		isolate_network=NO
		secure_chroot_dir=$tmp/empty
		xferlog_enable=NO
		dirmessage_enable=NO
		EOF
		printf %s "$conf" >"$tmp/rs$i.conf"
		# Not through nx: $! is then vsftpd itself, in its namespace.
		ip netns exec "rs$i-$nfvs_sfx" vsftpd "$tmp/rs$i.conf" \
			>"$tmp/rs$i.log" 2>&1 &
		pids+=($!)
	done
	for ((i = 0; i < 50; i++)); do
		listens "${pids[0]}" 21 && listens "${pids[1]}" 21 && return 0
		sleep 0.1
	done
	cat "$tmp"/rs?.log >&2
	return 1
}

# listens PID PORT: a TCP socket listens on PORT in the network namespace
# of process PID: its /proc/PID/net/tcp (what ss reads there), read by
# bash; the local address ends in the port in hex, state 0A (LISTEN).
listens() {
	local line want
	printf -v want ':%04X 00000000:0000 0A ' "$2"
	while read -r line; do
		[[ $line == *"$want"* ]] && return 0
	done 2>/dev/null <"/proc/$1/net/tcp"
	return 1
}

# ipvs_restore: the ipvsadm commands on stdin, by one ipvsadm -R in the
# director. Its status is only its last command's: any error message
# fails it too, and is shown.
ipvs_restore() {
	local err
	err=$(nx $d ipvsadm -R 2>&1) && [ -z "$err" ] && return 0
	echo "$err"
	return 1
}

services() {
	local i
	{
		echo "-A -t $nvip:21 -s rr"
		echo "-A -t $vip:21 -s rr"
		for i in 1 2; do
			echo "-a -t $nvip:21 -r 10.0.0.1$i:21 -m"
			echo "-a -t $vip:21 -r 10.0.0.1$i:21 -g"
		done
	} | ipvs_restore || return 1
	nx $d sysctl -qw net.ipv4.vs.conntrack=1
}

to_tun() {
	ipvs_restore <<-EOF
		-e -t $vip:21 -r 10.0.0.11:21 -i
		-e -t $vip:21 -r 10.0.0.12:21 -i
	EOF
}

# ruleset: the rules, appended by one iptables-restore --noflush.
ruleset() {
	local a
	{
		echo "*filter"
		echo "-A INPUT -p tcp -m state --state RELATED"
		echo "-A FORWARD -p tcp -m state --state RELATED"
		for a in $nvip $vip; do
			echo "-A INPUT -p tcp -d $a --dport 21 -j ACCEPT"
			echo "-A INPUT -p tcp -d $a -m state --state RELATED,ESTABLISHED -j ACCEPT"
			echo "-A INPUT -p tcp -d $a -j DROP"
		done
		echo "-A FORWARD -m state --state RELATED,ESTABLISHED -j ACCEPT"
		echo "-A FORWARD -j DROP"
		echo COMMIT
		if [ "$lb" != nfvs ]; then
			echo "*raw"
			echo "-A PREROUTING -p tcp --dport 21 -j CT --helper ftp"
			echo COMMIT
		fi
	} | nx $d iptables-restore --noflush
}

# related: the packets the RELATED counting rules saw since the last -Z
# (each rule's first column), added up by bash.
related() {
	local re='^ *([0-9]+) .*state RELATED *$' line s=0
	while IFS= read -r line; do
		[[ $line =~ $re ]] && s=$((s + BASH_REMATCH[1]))
	done < <(nx $d iptables -L -v -x -n)
	echo "$s"
}

# tally_from, tally M WHAT: how many of the checks between them passed, for
# the summary.
tally_from() {
	g_n=$nfvs_n
	g_f=$nfvs_failed
}
tally() {
	[ "$nfvs_n" -gt "$g_n" ] || return 0
	summary[$1-$2]="$((nfvs_n - g_n - nfvs_failed + g_f))/$((nfvs_n - g_n))"
}

# held M MODE: one session that stops once its data channel is negotiated:
# the director then holds its expectation.
held() {
	local m=$1 mode=$2 a=${addr[$1]} word host port res ex sin sout
	coproc SESS { nx $c $ftppeer session "$a" "$mode" --hold --timeout $((5 * tmul)); }
	# Bash closes a coproc's descriptors once it is reaped: copies.
	exec {sin}<&"${SESS[0]}" {sout}>&"${SESS[1]}"
	read -r -t 20 word host port <&"$sin"
	if [ "$word" = ready ]; then
		ex=$(nx $d conntrack -L expect 2>/dev/null)
		echo >&"$sout"
		read -r -t 20 res <&"$sin"
	else
		res="$word $host $port"
		ex=
	fi
	exec {sin}<&- {sout}>&-
	wait "$SESS_PID" 2>/dev/null
	if [ "$word" != ready ]; then
		not_ok "$m, $mode: data channel negotiated"
		echo "# $res"
		return
	fi
	[ "$mode" = pasv ] &&
		check_eq "$m, pasv: the 227 reply announces the VIP" "$a" "$host"
	if [[ $ex == *"dport=$port "* ]]; then
		ok "$m, $mode: conntrack -L expect shows the expectation (port $port)"
	else
		not_ok "$m, $mode: conntrack -L expect shows the expectation (port $port)"
		sed 's/^/# expect: /' <<<"${ex:-(none)}"
	fi
	read -r word host _ <<<"$res"
	check "$m, $mode: the data connection reaches the control connection's server ($res)" \
		test "$word" = "$host" -a "$word" != "${word#rs}"
	check_eq "$m, $mode: the expectation is gone once used" "0" \
		"$(nx $d conntrack -L expect 2>/dev/null | count_lines "dport=$port ")"
}

lftp_mode() {
	case $1 in
	port) echo "set ftp:passive-mode off;" ;;
	pasv) echo "set ftp:passive-mode on; set ftp:prefer-epsv no;" ;;
	epsv) echo "set ftp:passive-mode on; set ftp:prefer-epsv yes;" ;;
	esac
}

curl_mode() {
	case $1 in
	port) echo "--ftp-port - --disable-eprt" ;;
	eprt) echo "--ftp-port -" ;;
	pasv) echo "--ftp-pasv --disable-epsv" ;;
	epsv) echo "--ftp-pasv" ;;
	esac
}

# xfer M CLIENT MODE get|put: the big file through the service of method
# M; that it arrived identical and whether its data connection was RELATED.
xfer() {
	local m=$1 cl=$2 mode=$3 dir=$4 a=${addr[$1]} f rel
	local what="$1, $2, $3, $4${5:+, $5}" up=up-$1-$2-$3 got=$tmp/got
	local log=$tmp/xfer.log
	# Each xfer removes what it got at its end: none here, unless one was
	# cut short.
	[ ! -e "$got" ] || rm -f "$got"
	# Zeroed only where the RELATED packets are counted.
	[ -z "$xfer_related" ] || nx $d iptables -Z
	if [ "$cl" = lftp ]; then
		local cmd="get big -o $got"
		[ "$dir" = put ] && cmd="cd pub; put $big -o $up"
		nx $c timeout $((60 * tmul)) lftp -c "set net:timeout $((10 * tmul)); set net:max-retries 1;
			set net:persist-retries 0; set net:reconnect-interval-base 1;
			set ftp:ssl-allow no; set ftp:fix-pasv-address no;
			set ftp:auto-passive-mode no; set cmd:fail-exit yes;
			$(lftp_mode "$mode") open ftp://$a; $cmd"
	else
		local to=(-o "$got" "ftp://$a/big")
		[ "$dir" = put ] && to=(-T "$big" "ftp://$a/pub/$up")
		# curl's own --max-time bounds it (no timeout program). Its
		# connect timeout covers the login and the commands up to the
		# data connection, which a lost segment on the lossy link
		# delays by a retransmission: the debug kernel, beside other
		# guests, took more than 3 s for them, and so did 6.1 for
		# lftp's "cd" (twice, its one retry: "max-retries exceeded"),
		# four guests on the 2 CPUs. 10 s, as lftp's net:timeout.
		# shellcheck disable=SC2046
		nx $c curl -sS --connect-timeout $((10 * tmul)) --max-time $((40 * tmul)) \
			--no-ftp-skip-pasv-ip $(curl_mode "$mode") "${to[@]}"
	fi >"$log" 2>&1
	if [ "$dir" = put ]; then
		for f in "$tmp"/rs[12]/pub/"$up"; do
			[ -f "$f" ] && got=$f
		done
	fi
	# cmp, not a digest: byte for byte, and far cheaper under emulation.
	if [ -f "$got" ] && cmp -s "$big" "$got"; then
		ok "$what: $mb MB, identical"
	else
		not_ok "$what: $mb MB, identical"
		echo "# got $(stat -c %s "$got" 2>/dev/null || echo no) bytes"
		tail -n 3 "$log" | sed 's/^/# /'
	fi
	rm -f "$tmp/got" "$tmp"/rs[12]/pub/"$up"
	[ -n "$xfer_related" ] || return 0
	rel=$(related)
	check "$what: the data connection was RELATED ($rel packets)" \
		test "$rel" -gt 0
}
xfer_related=1

# parallel M: npar sessions at once, every data connection on its control
# connection's server.
parallel() {
	local m=$1 good=0 spread seen=() mode banner content rest
	nx $c $ftppeer parallel "${addr[$m]}" "$npar" --timeout $((10 * tmul)) \
		>"$tmp/par" 2>&1
	# "MODE BANNER CONTENT" a session: the good ones have a real server's
	# banner and its content; seen (by index 1, 2) the servers that were.
	while read -r mode banner content rest; do
		[[ $banner == rs[12] ]] || continue
		[ "$banner" = "$content" ] && good=$((good + 1))
		seen[${banner#rs}]=$banner
	done <"$tmp/par"
	check_eq "$m: $npar parallel sessions, each data connection on its control connection's server" \
		"$npar" "$good" ||
		awk '!($2 ~ /^rs[12]$/ && $2 == $3)' "$tmp/par" |
			sed -E 's/:[0-9]+/:PORT/g' | sort | uniq -c |
			head -n 8 | sed 's/^/# /'
	spread=${seen[*]}
	check_eq "$m: the sessions were spread over rs1 and rs2" "rs1 rs2" "$spread"
}

# reuse M: two active sessions in a row announce the same client data port
# (a port reused while the first data connection is in TIME_WAIT); the
# second, on the other real server, gets its data connection too: the
# first one's conntrack entry, whose reply is the same, ends with it.
reuse() {
	local m=$1 got i lines
	mapfile -t lines < <(for i in 1 2; do
		nx $c $ftppeer session "${addr[$m]}" port --data-port 61200 \
			--timeout $((8 * tmul))
	done)
	# Sorted (two lines: in order) and joined with "|", by bash; with
	# more or fewer lines than two the check fails whatever their order.
	if [ ${#lines[@]} -eq 2 ] && [[ ${lines[0]} > ${lines[1]} ]]; then
		lines=("${lines[1]}" "${lines[0]}")
	fi
	printf -v got '%s|' "${lines[@]}"
	got=${got%|}
	check_eq "$m: one client data port for two sessions in a row, on rs1 then rs2" \
		"rs1 rs1|rs2 rs2" "$got"
}

# hostile M: hostile control traffic (ftppeer.py hostile) leaves no
# expectation and no warning, and the service goes on. Whether each line
# reaches the server is the director's choice (conntrack's own helper drops
# a packet with a command it cannot parse, which stalls that session): it
# is shown, not checked.
hostile() {
	local m=$1 ex problems
	nx $d conntrack -F expect >/dev/null 2>&1
	nfvs_kmsg_mark "ftp-$m-$nfvs_sfx"
	nx $c $ftppeer hostile "${addr[$m]}" 10.0.1.2 --timeout $((3 * tmul)) \
		>"$tmp/hostile" 2>&1
	prefix "# $m: " "$tmp/hostile"
	check "$m, hostile: a new session is served afterwards" \
		has_line "$tmp/hostile" 'after: 200'
	ex=$(nx $d conntrack -L expect 2>/dev/null)
	check_eq "$m, hostile: no expectation afterwards" 0 "$(count_lines "" <<<"$ex")" ||
		sed 's/^/# expect: /' <<<"$ex"
	# Not in the way of the next checks.
	nx $d conntrack -F expect >/dev/null 2>&1
	problems=$(nfvs_klog_problems "ftp-$m-$nfvs_sfx")
	check_eq "$m, hostile: no kernel warning" 0 "$(count_lines "" <<<"$problems")" ||
		sed 's/^/# /' <<<"$problems"
}

# ports M: one session announces nports client data ports (from 61300 up
# to 61339 at most, out of the range the other sessions' data sockets take
# theirs from) and uses none: nfvs keeps at most 8 of them waiting
# (in-tree IPVS makes a connection for each: shown with NFVS_LB=ipvs).
ports() {
	local m=$1 sin sout res n from to re='^10\.0\.1\.2:613[0-3][0-9]$'
	coproc PORTS {
		nx $c $ftppeer ports "${addr[$m]}" 10.0.1.2 "$nports" \
			--timeout $((5 * tmul))
	}
	exec {sin}<&"${PORTS[0]}" {sout}>&"${PORTS[1]}"
	read -r -t 30 res <&"$sin"
	# The entries from one of those ports (the 4th column) to the VIP (the
	# 5th), counted by bash.
	n=0
	while read -r _ _ _ from to _; do
		[[ $from =~ $re && $to == "${addr[$m]}:"* ]] && n=$((n + 1))
	done < <(nx $d ipvsadm -Lnc)
	echo >&"$sout"
	exec {sin}<&- {sout}>&-
	wait "$PORTS_PID" 2>/dev/null
	echo "# $m, $lb: $res; data connections waiting: $n"
	if [ "$lb" = nfvs ]; then
		check_eq "$m: $nports client ports announced on one session, 8 data connections wait" \
			"8" "$n"
	fi
}

echo "# balancer: $lb"
step "$lb loads" balancer_load
topo_up
head -c "${mb}M" /dev/urandom >"$big"
ip -n $c -batch - <<-EOF
	link set eth0 down
	addr flush dev eth0
	route replace $vip via 10.0.1.1
EOF
nx $d sysctl -qw net.ipv4.conf.lan.accept_local=1
step "vsftpd on rs1 and rs2" ftpd_start
step "services on port 21: NAT, DR; net.ipv4.vs.conntrack=1" services
step "the FTP ruleset of the LVS documentation" ruleset

for m in nat dr tun; do
	t=$SECONDS
	if [ $m = tun ]; then
		step "the DR service turned to TUN" to_tun
	fi
	tally_from
	for mode in ${held_modes[$m]}; do
		held $m "$mode"
	done
	tally $m expect
	tally_from
	for x in ${xfers[$m]}; do
		IFS=: read -r cl mode dir <<<"$x"
		xfer $m "$cl" "$mode" "$dir"
	done
	tally $m transfers
	tally_from
	[ -n "${parallel_on[$m]:-}" ] && parallel $m
	[ $m = nat ] && reuse $m
	tally $m parallel
	if [ -n "${hostile_on[$m]:-}" ]; then
		tally_from
		hostile $m
		ports $m
		tally $m hostile
	fi
	echo "# $m: $((SECONDS - t)) s"
done

# nf_conntrack_ftp loaded and a raw rule giving its helper to the control
# connections (as in-tree IPVS needs): that helper never sees the packets
# nfvs passes on, and nfvs makes the expectations all the same.
if [ "$lb" = nfvs ]; then
	if modprobe nf_conntrack_ftp 2>/dev/null; then
		nx $d iptables -t raw -A PREROUTING -p tcp --dport 21 -j CT --helper ftp
		xfer nat curl pasv get "nf_conntrack_ftp's helper on the control entry"
		xfer nat curl port get "nf_conntrack_ftp's helper on the control entry"
		nx $d iptables -t raw -F
		rmmod nf_conntrack_ftp 2>/dev/null
	else
		not_ok "nf_conntrack_ftp loads (for the checks of its helper beside nfvs)"
	fi
fi

# Without the conntrack bridge (conntrack=0) the balancer rewrites the 227
# and PORT lines itself and moves the sequence numbers (and SACK blocks)
# of the rest of the control connection. Over a link that loses,
# duplicates and reorders packets both ways (netem at both ends of the
# client's link; SACK on, the default), the file both ways through NAT,
# passive and active, with lftp and curl (curl only in the debug profile).
# No firewall: without the bridge nothing of it is tracked, nothing
# RELATED. (tc -n: tc itself in the namespace, no ip netns exec.)
lossy() {
	local qd=(root netem delay 1ms loss 2% duplicate 1% reorder 5% 50%)
	nx $d iptables -F &&
	nx $d sysctl -qw net.ipv4.vs.conntrack=0 &&
	tc -n $c qdisc add dev eth1 "${qd[@]}" &&
	tc -n $d qdisc add dev dc "${qd[@]}"
}
step "bridge off (net.ipv4.vs.conntrack=0), no firewall, netem on the client's link" lossy
xfer_related=
for x in $lossy_xfers; do
	IFS=: read -r cl mode dir <<<"$x"
	xfer nat "$cl" "$mode" "$dir" "bridge off, lossy link"
done
while IFS= read -r line; do
	[[ $line =~ ^\ *(Sent.*) ]] && echo "# director dc: ${BASH_REMATCH[1]}"
done < <(tc -n $d -s qdisc show dev dc)

# nfvs unloads with FTP state live (bridge on, no netem): a session through
# NAT and one through DR held once their PASV data channel is announced
# (two expectations, control entries with nfvs's helper) and a transfer
# running, slowed down, through NAT. Afterwards no expectation and no entry
# of nfvs's is left, and the held sessions, let go, connect to the ports
# their expectations named: an expectation left behind would take them
# into a module that is gone.
# hold_start I M: session I (pasv) through method M, held at "ready".
# Its input and output are fifos, held open until live_unload lets go:
# descriptors 7 and 8 its input, 5 and 6 its output, which the shell reads
# as it comes (no polling).
hold_start() {
	local in=$tmp/hold$1.in out=$tmp/hold$1.out
	mkfifo "$in" "$out" || return 1
	nx $c $ftppeer session "${addr[$2]}" pasv --hold <"$in" >"$out" 2>&1 &
	case $1 in
	1) exec 7>"$in" 5<"$out" ;;
	2) exec 8>"$in" 6<"$out" ;;
	esac
	hold_read "$1" 20 ready
}
# hold_read I SECONDS [ready]: reads session I's output (descriptor 4 + I)
# line by line for up to SECONDS: until a line starts with "ready", or
# without "ready" until it has given two lines (not empty); fails when
# SECONDS pass or the output ends first. hold_n[I] counts its lines (not
# empty), hold_last[I] is the last one read.
hold_n=() hold_last=()
hold_read() {
	local fd=$((4 + $1)) end=$((SECONDS + $2)) line
	while [ $SECONDS -lt $end ] &&
		IFS= read -r -t $((end - SECONDS)) -u $fd line; do
		[ -n "$line" ] && hold_n[$1]=$((${hold_n[$1]:-0} + 1))
		hold_last[$1]=$line
		if [ -n "${3:-}" ]; then
			[[ $line == ready* ]] && return 0
		elif [ "${hold_n[$1]}" -ge 2 ]; then
			return 0
		fi
	done
	return 1
}
live_unload() {
	local n ex ents mark=ftp-unload-$nfvs_sfx
	nfvs_kmsg_mark "$mark"
	tc -n $d qdisc del dev dc root
	tc -n $c qdisc del dev eth1 root
	nx $d sysctl -qw net.ipv4.vs.conntrack=1
	check "live unload: a PASV session held through NAT" hold_start 1 nat
	check "live unload: a PASV session held through DR" hold_start 2 dr
	# 100 s of transfer, whatever the file's size.
	nx $c curl -sS --limit-rate "$((10 * mb))k" --max-time 60 --ftp-pasv --disable-epsv \
		-o /dev/null "ftp://${addr[nat]}/big" >"$tmp/slow.log" 2>&1 &
	local slow=$!
	ex=$(nx $d conntrack -L expect 2>/dev/null | count_lines "")
	ents=$(nx $d conntrack -L 2>/dev/null | count_lines 'helper=nfvs')
	echo "# before rmmod: $ex expectations, $ents entries with nfvs's helper"
	check "live unload: the held sessions' expectations are there" test "$ex" -ge 2
	check "live unload: nfvs unloads" lb_unload
	ex=$(nx $d conntrack -L expect 2>/dev/null)
	ents=$(nx $d conntrack -L 2>/dev/null | lines_with 'helper=nfvs')
	check_eq "live unload: no expectation left" "" "$ex"
	check_eq "live unload: no entry with nfvs's helper left" "" "$ents"
	echo >&7
	echo >&8
	for n in 1 2; do
		hold_read $n 30
		echo "# held session $n, let go: ${hold_last[$n]}"
	done
	exec 7>&- 8>&- 5<&- 6<&-
	kill "$slow" 2>/dev/null
	wait "$slow" 2>/dev/null
	check_eq "live unload: no kernel warning" "" "$(nfvs_klog_problems "$mark")"
}

if [ "$lb" = nfvs ]; then
	live_unload
	ftp_cleanup
else
	ftp_cleanup
	check "$lb unloads" lb_unload
	rmmod nf_conntrack_ftp 2>/dev/null
fi

echo "# $lb, checks passed per method:"
printf '# %-6s %-10s %-10s %-10s %s\n' method expect transfers parallel hostile
for m in nat dr tun; do
	printf '# %-6s %-10s %-10s %-10s %s\n' $m "${summary[$m-expect]:--}" \
		"${summary[$m-transfers]:--}" "${summary[$m-parallel]:--}" \
		"${summary[$m-hostile]:--}"
done
echo "# time: $((SECONDS - t0)) s"
tap_done
