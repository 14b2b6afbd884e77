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
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib_topo.sh
. "$(dirname "$0")/lib_topo.sh"

lb=${NFVS_FTP_BALANCER:-nfvs}
ftppeer="python3 -S $(cd "$(dirname "$0")" && pwd)/ftppeer.py"
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

ftp_cleanup() {
	cleanup
	rm -rf "$tmp"
}
trap ftp_cleanup EXIT

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
	local i ns root
	chmod 755 "$tmp"
	mkdir -p "$tmp/empty"
	for i in 1 2; do
		ns=rs$i-$nfvs_sfx
		root=$tmp/rs$i
		mkdir -p "$root/pub" && chown ftp "$root/pub" || return 1
		echo "rs$i" >"$root/whoami"
		ln "$big" "$root/big" || return 1
		cat >"$tmp/rs$i.conf" <<-EOF
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
		nx "$ns" vsftpd "$tmp/rs$i.conf" >"$tmp/rs$i.log" 2>&1 &
	done
	for i in $(seq 50); do
		[ "$(nx rs1-$nfvs_sfx ss -Hltn 'sport = :21' | wc -l)" -ge 1 ] &&
		[ "$(nx rs2-$nfvs_sfx ss -Hltn 'sport = :21' | wc -l)" -ge 1 ] &&
			return 0
		sleep 0.1
	done
	cat "$tmp"/rs?.log >&2
	return 1
}

services() {
	local i
	nx $d ipvsadm -A -t $nvip:21 -s rr &&
	nx $d ipvsadm -A -t $vip:21 -s rr || return 1
	for i in 1 2; do
		nx $d ipvsadm -a -t $nvip:21 -r "10.0.0.1$i:21" -m &&
		nx $d ipvsadm -a -t $vip:21 -r "10.0.0.1$i:21" -g || return 1
	done
	nx $d sysctl -qw net.ipv4.vs.conntrack=1
}

to_tun() {
	nx $d ipvsadm -e -t $vip:21 -r 10.0.0.11:21 -i &&
	nx $d ipvsadm -e -t $vip:21 -r 10.0.0.12:21 -i
}

ruleset() {
	local a
	nx $d iptables -A INPUT -p tcp -m state --state RELATED &&
	nx $d iptables -A FORWARD -p tcp -m state --state RELATED || return 1
	for a in $nvip $vip; do
		nx $d iptables -A INPUT -p tcp -d $a --dport 21 -j ACCEPT &&
		nx $d iptables -A INPUT -p tcp -d $a \
			-m state --state RELATED,ESTABLISHED -j ACCEPT &&
		nx $d iptables -A INPUT -p tcp -d $a -j DROP || return 1
	done
	nx $d iptables -A FORWARD -m state --state RELATED,ESTABLISHED -j ACCEPT &&
	nx $d iptables -A FORWARD -j DROP || return 1
	[ "$lb" = nfvs ] && return 0
	nx $d iptables -t raw -A PREROUTING -p tcp --dport 21 -j CT --helper ftp
}

# related: the packets the RELATED counting rules saw since the last -Z.
related() {
	nx $d iptables -L -v -x -n |
		awk '/state RELATED *$/ { s += $1 } END { print s + 0 }'
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
	if grep -q "dport=$port " <<<"$ex"; then
		ok "$m, $mode: conntrack -L expect shows the expectation (port $port)"
	else
		not_ok "$m, $mode: conntrack -L expect shows the expectation (port $port)"
		sed 's/^/# expect: /' <<<"${ex:-(none)}"
	fi
	read -r word host _ <<<"$res"
	check "$m, $mode: the data connection reaches the control connection's server ($res)" \
		test "$word" = "$host" -a "$word" != "${word#rs}"
	check_eq "$m, $mode: the expectation is gone once used" "0" \
		"$(nx $d conntrack -L expect 2>/dev/null | grep -c "dport=$port ")"
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
	rm -f "$got"
	nx $d iptables -Z
	if [ "$cl" = lftp ]; then
		local cmd="get big -o $got"
		[ "$dir" = put ] && cmd="cd pub; put $big -o $up"
		nx $c timeout 60 lftp -c "set net:timeout 3; set net:max-retries 1;
			set net:persist-retries 0; set net:reconnect-interval-base 1;
			set ftp:ssl-allow no; set ftp:fix-pasv-address no;
			set ftp:auto-passive-mode no; set cmd:fail-exit yes;
			$(lftp_mode "$mode") open ftp://$a; $cmd"
	else
		local to=(-o "$got" "ftp://$a/big")
		[ "$dir" = put ] && to=(-T "$big" "ftp://$a/pub/$up")
		# shellcheck disable=SC2046
		nx $c timeout 60 curl -sS --connect-timeout 3 --max-time 40 \
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
	local m=$1 good spread
	nx $c $ftppeer parallel "${addr[$m]}" "$npar" --timeout $((10 * tmul)) \
		>"$tmp/par" 2>&1
	good=$(awk '$2 ~ /^rs[12]$/ && $2 == $3' "$tmp/par" | wc -l)
	check_eq "$m: $npar parallel sessions, each data connection on its control connection's server" \
		"$npar" "$good" ||
		awk '!($2 ~ /^rs[12]$/ && $2 == $3)' "$tmp/par" |
			sed -E 's/:[0-9]+/:PORT/g' | sort | uniq -c |
			head -n 8 | sed 's/^/# /'
	spread=$(awk '$2 ~ /^rs[12]$/ { print $2 }' "$tmp/par" | sort -u | xargs)
	check_eq "$m: the sessions were spread over rs1 and rs2" "rs1 rs2" "$spread"
}

# reuse M: two active sessions in a row announce the same client data port
# (a port reused while the first data connection is in TIME_WAIT); the
# second, on the other real server, gets its data connection too: the
# first one's conntrack entry, whose reply is the same, ends with it.
reuse() {
	local m=$1 got
	got=$(for i in 1 2; do
		nx $c $ftppeer session "${addr[$m]}" port --data-port 61200 \
			--timeout $((8 * tmul))
	done | sort | paste -sd'|')
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
	sed "s/^/# $m: /" "$tmp/hostile"
	check "$m, hostile: a new session is served afterwards" \
		grep -q '^after: 200' "$tmp/hostile"
	ex=$(nx $d conntrack -L expect 2>/dev/null)
	check_eq "$m, hostile: no expectation afterwards" 0 "$(grep -c . <<<"$ex")" ||
		sed 's/^/# expect: /' <<<"$ex"
	# Not in the way of the next checks.
	nx $d conntrack -F expect >/dev/null 2>&1
	problems=$(nfvs_klog_problems "ftp-$m-$nfvs_sfx")
	check_eq "$m, hostile: no kernel warning" 0 "$(grep -c . <<<"$problems")" ||
		sed 's/^/# /' <<<"$problems"
}

# ports M: one session announces nports client data ports (from 61300 up
# to 61339 at most, out of the range the other sessions' data sockets take
# theirs from) and uses none: nfvs keeps at most 8 of them waiting
# (in-tree IPVS makes a connection for each: shown with NFVS_LB=ipvs).
ports() {
	local m=$1 sin sout res n
	coproc PORTS {
		nx $c $ftppeer ports "${addr[$m]}" 10.0.1.2 "$nports" \
			--timeout $((5 * tmul))
	}
	exec {sin}<&"${PORTS[0]}" {sout}>&"${PORTS[1]}"
	read -r -t 30 res <&"$sin"
	n=$(nx $d ipvsadm -Lnc | awk -v v="${addr[$m]}:" \
		'$4 ~ /^10\.0\.1\.2:613[0-3][0-9]$/ && index($5, v) == 1' | wc -l)
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
ip -n $c link set eth0 down
ip -n $c addr flush dev eth0
ip -n $c route replace $vip via 10.0.1.1
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
# RELATED.
lossy() {
	local qd=(root netem delay 1ms loss 2% duplicate 1% reorder 5% 50%)
	nx $d iptables -F &&
	nx $d sysctl -qw net.ipv4.vs.conntrack=0 &&
	nx $c tc qdisc add dev eth1 "${qd[@]}" &&
	nx $d tc qdisc add dev dc "${qd[@]}"
}
step "bridge off (net.ipv4.vs.conntrack=0), no firewall, netem on the client's link" lossy
xfer_related=
for x in $lossy_xfers; do
	IFS=: read -r cl mode dir <<<"$x"
	xfer nat "$cl" "$mode" "$dir" "bridge off, lossy link"
done
nx $d tc -s qdisc show dev dc | sed -n 's/^ *Sent/# director dc: Sent/p'

# nfvs unloads with FTP state live (bridge on, no netem): a session through
# NAT and one through DR held once their PASV data channel is announced
# (two expectations, control entries with nfvs's helper) and a transfer
# running, slowed down, through NAT. Afterwards no expectation and no entry
# of nfvs's is left, and the held sessions, let go, connect to the ports
# their expectations named: an expectation left behind would take them
# into a module that is gone.
# hold_start I M: session I (pasv) through method M, held at "ready".
hold_start() {
	mkfifo "$tmp/hold$1.in" || return 1
	nx $c $ftppeer session "${addr[$2]}" pasv --hold <"$tmp/hold$1.in" \
		>"$tmp/hold$1.out" 2>&1 &
	# Descriptors 7 and 8: the fifos stay open until live_unload lets go.
	case $1 in
	1) exec 7>"$tmp/hold1.in" ;;
	2) exec 8>"$tmp/hold2.in" ;;
	esac
	poll 20 grep -q '^ready' "$tmp/hold$1.out"
}
# lines_ge FILE N: FILE has at least N lines.
lines_ge() {
	[ "$(grep -c . "$1")" -ge "$2" ]
}
live_unload() {
	local n ex ents mark=ftp-unload-$nfvs_sfx
	nfvs_kmsg_mark "$mark"
	nx $d tc qdisc del dev dc root
	nx $c tc qdisc del dev eth1 root
	nx $d sysctl -qw net.ipv4.vs.conntrack=1
	check "live unload: a PASV session held through NAT" hold_start 1 nat
	check "live unload: a PASV session held through DR" hold_start 2 dr
	# 100 s of transfer, whatever the file's size.
	nx $c curl -sS --limit-rate "$((10 * mb))k" --max-time 60 --ftp-pasv --disable-epsv \
		-o /dev/null "ftp://${addr[nat]}/big" >"$tmp/slow.log" 2>&1 &
	local slow=$!
	ex=$(nx $d conntrack -L expect 2>/dev/null | grep -c .)
	ents=$(nx $d conntrack -L 2>/dev/null | grep -c 'helper=nfvs')
	echo "# before rmmod: $ex expectations, $ents entries with nfvs's helper"
	check "live unload: the held sessions' expectations are there" test "$ex" -ge 2
	check "live unload: nfvs unloads" lb_unload
	ex=$(nx $d conntrack -L expect 2>/dev/null)
	ents=$(nx $d conntrack -L 2>/dev/null | grep 'helper=nfvs')
	check_eq "live unload: no expectation left" "" "$ex"
	check_eq "live unload: no entry with nfvs's helper left" "" "$ents"
	echo >&7
	echo >&8
	for n in 1 2; do
		poll 30 lines_ge "$tmp/hold$n.out" 2
		echo "# held session $n, let go: $(tail -n 1 "$tmp/hold$n.out")"
	done
	exec 7>&- 8>&-
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
