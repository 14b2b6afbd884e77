#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The conntrack bridge: a stateful firewall with DROP policies on the
# director, NAT, DR and TUN services behind it, net.ipv4.vs.conntrack=1.
# The ruleset is the one of the issue (iptables-legacy, iptables-nft, and
# the same with nft "ct state"):
#
#   INPUT   policy DROP: INVALID counted and dropped; TCP SYN to a service
#           port in state NEW accepted; ESTABLISHED,RELATED accepted
#   FORWARD policy DROP: INVALID counted and dropped; ESTABLISHED,RELATED
#           accepted
#
# The same scenarios then run against in-tree IPVS in the same guest, and
# both results are printed side by side (in-tree IPVS is expected to fail
# DR and TUN: its entries stay NEW and the client's ACKs are INVALID).
# The topology is lib_topo.sh's.
#
# In the debug profile (lib.sh) every scenario runs once, with a tenth of
# the requests. The first scenarios run with the nft ruleset alone: the
# two iptables backends match the same states that nfvs gives the
# entries, and iptables-legacy's xt_state still runs in the gateway and
# nat table scenarios. conntrack -D is tried on a NAT connection only (a
# flush then ends one of each method the same way), both orders of the
# LOCAL_IN hooks of priority 100 are tried with NAT alone, and in-tree
# IPVS, which only the Debian kernels compare, is left out. A request is given
# 10 s there rather than 3, and a back-to-back connection may take the
# median's time before it counts as having waited a second.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib_topo.sh
. "$(dirname "$0")/lib_topo.sh"
# The debug profile leaves out 18 results of the first scenarios, 6 of
# conntrack -D, 8 of the hook orders and in-tree IPVS's.
if debug_profile; then plan 58; else plan 91; fi
rulesets="iptables-legacy iptables-nft nft"
debug_profile && rulesets=nft

declare -A port=([nat]=80 [dr]=81 [tun]=82) addr=([nat]=$nvip [dr]=$vip [tun]=$vip)
declare -A flag=([nat]=-m [dr]=-g [tun]=-i) result
n=${NFVS_FIREWALL_REQUESTS:-$(volume 100)}
tmp=$(mktemp -d)
timeout=3
debug_profile && timeout=10

# services: the three services, by one ipvsadm -R.
services() {
	local m i
	for m in nat dr tun; do
		echo "-A -t ${addr[$m]}:${port[$m]} -s rr"
		for i in 1 2; do
			echo "-a -t ${addr[$m]}:${port[$m]} -r 10.0.0.1$i:${port[$m]} ${flag[$m]}"
		done
	done | nx $d ipvsadm -R
}

# ruleset iptables-legacy|iptables-nft|nft
ruleset() {
	local ipt=$1
	if [ "$ipt" = nft ]; then
		fw_loaded+=" nft"
		nx $d nft -f - <<-EOF
		table inet fw {
			chain input {
				type filter hook input priority 0; policy drop;
				ct state invalid counter name invalid_in drop
				iif lo accept
				ip daddr { $vip, $nvip } tcp dport { 80, 81, 82 } tcp flags & (syn | ack) == syn ct state new accept
				ct state established,related accept
			}
			chain forward {
				type filter hook forward priority 0; policy drop;
				ct state invalid counter name invalid_fwd drop
				ct state established,related accept
			}
			counter invalid_in { }
			counter invalid_fwd { }
		}
		EOF
		return
	fi
	# The rules of nine iptables commands, in one iptables-restore.
	fw_loaded+=" $ipt"
	nx $d "$ipt-restore" <<-EOF
		*filter
		:INPUT DROP [0:0]
		:FORWARD DROP [0:0]
		:OUTPUT ACCEPT [0:0]
		-A INPUT -m state --state INVALID -j DROP
		-A INPUT -i lo -j ACCEPT
		-A INPUT -p tcp -d $vip -m multiport --dports 81,82 --syn -m state --state NEW -j ACCEPT
		-A INPUT -p tcp -d $nvip --dport 80 --syn -m state --state NEW -j ACCEPT
		-A INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT
		-A FORWARD -m state --state INVALID -j DROP
		-A FORWARD -m state --state ESTABLISHED,RELATED -j ACCEPT
		COMMIT
	EOF
}

# flush_ruleset: no rule and ACCEPT policies again in the filter tables
# loaded since the last flush (fw_loaded: "iptables-legacy", "iptables-nft",
# "iptables" or "nft"), in one shell: a program started costs the debug
# kernel a good part of a second.
fw_loaded=
flush_ruleset() {
	local ipt cmds=
	for ipt in $fw_loaded; do
		if [ "$ipt" = nft ]; then
			cmds+="nft delete table inet fw;"
		else
			cmds+="printf '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n' | $ipt-restore;"
		fi
	done
	fw_loaded=
	[ -z "$cmds" ] || nx $d sh -c "$cmds" 2>/dev/null
	return 0
}

# invalid IPT: packets the INVALID rules dropped, INPUT and FORWARD.
invalid() {
	if [ "$1" = nft ]; then
		nx $d nft list counters table inet fw |
			awk '/packets/ { s += $2 } END { print s + 0 }'
	else
		nx $d "$1" -L -n -v -x |
			awk '/INVALID/ && $3 == "DROP" { s += $1 } END { print s + 0 }'
	fi
}

# scenario IPT METHOD N [TIMEOUT]: N requests through the firewall, each
# given TIMEOUT seconds (default 3: a loaded machine may stall a guest for
# a second; 10 in the debug profile); prints "answered invalid".
scenario() {
	local ipt=$1 m=$2 n=$3 ok
	nx $c $peer tcp "${addr[$m]}" "${port[$m]}" "$n" --timeout "${4:-$timeout}" >"$tmp/out"
	ok=$(grep -c -E "^rs[12] ${port[$m]} " "$tmp/out")
	echo "$ok $(invalid "$ipt")"
}

check "nfvs loads" nfvs_load
topo_up --tcp 80 81 82 --udp 53
check "services: NAT, DR and TUN over two real servers" services
check "net.ipv4.vs.conntrack=1" nx $d sysctl -qw net.ipv4.vs.conntrack=1

for ipt in $rulesets; do
	for m in nat dr tun; do
		flush_ruleset
		nx $d conntrack -F 2>/dev/null
		ruleset "$ipt" || { not_ok "$ipt ruleset"; continue; }
		# Entries made, counted as conntrack's NEW events (6.1's
		# "insert" statistic counts only entries made over netlink).
		ip netns exec $d conntrack -E -e NEW -p tcp >"$tmp/events" 2>/dev/null &
		ev=$!
		t0=$SECONDS
		sleep 0.5
		read -r ok inv <<<"$(scenario "$ipt" "$m" "$n")"
		sleep 0.5
		kill "$ev"
		wait "$ev" 2>/dev/null
		result[nfvs-$ipt-$m]="$ok/$n answered, $inv INVALID"
		echo "# $ipt, $m: $((SECONDS - t0)) s"
		check_eq "$ipt, $m: $n of $n requests through the firewall" "$n" "$ok"
		check_eq "$ipt, $m: no packet INVALID" "0" "$inv"
		ins=$(grep -c NEW "$tmp/events")
		check "$ipt, $m: one conntrack entry per connection ($ins for $n)" \
			test "$ins" -ge "$n" -a "$ins" -le $((n + n / 10))
	done
done

# A live connection's entry, for each method: ESTABLISHED and ASSURED, the
# real server in the reply tuple for NAT; its timeout nfvs's connection's
# plus 5 s (not conntrack's 5 days, nor its 5 minutes for unacknowledged
# data in DR and TUN), and gone when the connection ends. With a 10 s
# ESTABLISHED timeout, the entry's own end would come 5 s after the
# connection's.
# nfvs_left PORT: the seconds nfvs's ESTABLISHED connection to PORT has
# left (/proc/net/ip_vs_conn), nothing when there is none.
nfvs_left() {
	nx $d awk -v p="$(printf '%04X' "$1")" \
		'$5 == p && $8 == "ESTABLISHED" { print $9; exit }' /proc/net/ip_vs_conn
}

# nfvs_gone PORT: nfvs has no ESTABLISHED connection to PORT.
nfvs_gone() {
	[ -z "$(nfvs_left "$1")" ]
}
nx $d ipvsadm --set 10 0 0
for m in nat dr tun; do
	coproc HOLD { nx $c $peer tcp "${addr[$m]}" "${port[$m]}" 1 --hold --rst; }
	read -r -u "${HOLD[0]}" rs _
	sleep 1
	# nfvs's time left first, then the entry's, and the seconds between
	# the two reads: on a slow kernel listing the entries takes seconds.
	left=$(nfvs_left "${port[$m]}")
	t_left=$SECONDS
	nx $d conntrack -L -p tcp --orig-dst "${addr[$m]}" --dport "${port[$m]}" \
		2>/dev/null | grep ESTABLISHED >"$tmp/ct"
	t_read=$((SECONDS - t_left))
	sed 's/^/# /' "$tmp/ct"
	check "$m: the live connection's entry is ESTABLISHED and ASSURED" \
		grep -q 'ESTABLISHED.*ASSURED' "$tmp/ct"
	if [ "$m" = nat ]; then
		check "nat: the reply tuple comes from the real server" \
			grep -q -E "src=10\\.0\\.0\\.1${rs#rs} dst=10\\.0\\.1\\.2 sport=80 " "$tmp/ct"
	fi
	ct_left=$(awk '{ print $3; exit }' "$tmp/ct")
	echo "# $m: the entry has ${ct_left:-?} s left, nfvs's connection ${left:-?} s (read $t_read s before)"
	check "$m: the entry's timeout is nfvs's connection's and 5 s" \
		test "${ct_left:-0}" -ge "$((${left:-99} - t_read))" -a "${ct_left:-99}" -le "$((${left:-0} + 7))"
	# (Only this connection's entry: earlier ones may still close.)
	cport=$(sed -n 's/^[^=]* src=[^ ]* dst=[^ ]* sport=\([0-9]*\) .*/\1/p' "$tmp/ct" | head -n 1)
	# In the debug profile, where each poll costs that kernel a good part
	# of a second, the wait is slept until a second before nfvs's
	# connection ends, and polled from there.
	wait_s=$((t_left + ${left:-0} - 1 - SECONDS))
	debug_profile && [ "$wait_s" -gt 0 ] && sleep "$wait_s"
	poll 30 nfvs_gone "${port[$m]}"
	check_eq "$m: the entry ends with nfvs's connection" "" \
		"$(nx $d conntrack -L -p tcp --orig-dst "${addr[$m]}" --dport "${port[$m]}" \
			--sport "${cport:-0}" 2>/dev/null)"
	# The end of its stdin: the client resets its connection, which
	# nfvs has forgotten (a FIN would be retransmitted for a minute,
	# INVALID to the firewall checks that follow).
	eval "exec ${HOLD[1]}>&-"
	wait "$HOLD_PID" 2>/dev/null
done
nx $d ipvsadm --set 900 120 300

# DR and TUN with the director as the real servers' gateway: the client
# comes from its own link, the replies pass the director's FORWARD chain
# and match ESTABLISHED there. Their source is the VIP, one of the
# director's own addresses: routing takes them only with accept_local.
ip -n $c route replace $vip via 10.0.1.1
nx $d sysctl -qw net.ipv4.conf.lan.accept_local=1
ng=$(volume 50)
for m in dr tun; do
	flush_ruleset
	ruleset iptables-legacy || { not_ok "gateway ruleset"; continue; }
	read -r ok inv <<<"$(scenario iptables-legacy "$m" "$ng")"
	check_eq "gateway, $m: $ng of $ng requests through the firewall" "$ng" "$ok"
	check_eq "gateway, $m: no packet INVALID" "0" "$inv"
	# (At least two replies a connection: its SYN-ACK and its answer.)
	fwd=$(nx $d iptables-legacy -L FORWARD -v -x -n |
		awk '/ESTABLISHED/ { print $1; exit }')
	check "gateway, $m: the replies passed FORWARD as ESTABLISHED ($fwd)" \
		test "${fwd:-0}" -ge $((2 * ng))
done
ip -n $c route replace $vip via 10.0.0.1
nx $d sysctl -qw net.ipv4.conf.lan.accept_local=0

# The Antefacto example (LVS-HOWTO): INPUT accepts NEW, ESTABLISHED and
# RELATED per service, FORWARD only ESTABLISHED and RELATED, policies DROP;
# two NAT services. An ICMP error of a real server about a NAT flow is
# RELATED and reaches the client translated.
antefacto() {
	local s
	flush_ruleset
	# The rules of its iptables commands in one iptables-restore, the
	# services in one ipvsadm -R.
	fw_loaded+=" iptables"
	{
		echo "*filter"
		echo ":INPUT DROP [0:0]"
		echo ":FORWARD DROP [0:0]"
		echo ":OUTPUT ACCEPT [0:0]"
		for s in tcp:80 udp:53 udp:56; do
			echo "-A INPUT -p ${s%:*} -d $nvip --dport ${s#*:} -m state --state NEW,ESTABLISHED,RELATED -j ACCEPT"
		done
		echo "-A FORWARD -m state --state RELATED"
		echo "-A FORWARD -m state --state ESTABLISHED,RELATED -j ACCEPT"
		echo "COMMIT"
	} | nx $d iptables-restore || return 1
	nx $d ipvsadm -R <<-EOF
		-A -u $nvip:53 -s rr
		-a -u $nvip:53 -r 10.0.0.11 -m
		-a -u $nvip:53 -r 10.0.0.12 -m
		-A -u $nvip:56 -s rr
		-a -u $nvip:56 -r 10.0.0.11 -m
	EOF
}
na=$(volume 20)
check "Antefacto ruleset and a second NAT service (UDP)" antefacto
check_eq "Antefacto: $na TCP requests to the first service" "$na" \
	"$(nx $c $peer tcp $nvip 80 "$na" | grep -c '^rs[12] 80 10.0.1.2$')"
check_eq "Antefacto: $na UDP requests to the second service" "$na" \
	"$(nx $c $peer udp $nvip 53 "$na" | grep -c -E '^rs[12] 53 10.0.1.2 q[0-9]+$')"
check_eq "a real server's port-unreachable passes FORWARD as RELATED, translated" \
	"refused" "$(nx $c $peer refused $nvip 56)"
check "the FORWARD RELATED rule saw it" bash -c \
	"ip netns exec $d iptables -L FORWARD -v -x -n | awk '/state RELATED *\$/ && \$1 > 0 { f = 1 } END { exit !f }'"
flush_ruleset

# A client reusing its port at once, 100 times: no SYN dropped, no stall.
# (A port above the ephemeral range: no earlier connection holds it.) A
# dropped SYN is sent again after a second; the debug kernel may take
# most of a second for any connection, and there a connection has waited
# when it took a second more than the median.
nr=$(volume 100)
nx $c $peer tcp $nvip 80 "$nr" --sport 61100 --time --timeout "$timeout" >"$tmp/reuse"
check_eq "$nr back-to-back connections from one client port answered" "$nr" \
	"$(grep -c '^rs[12] 80 10.0.1.2 ' "$tmp/reuse")"
limit=900
debug_profile &&
	limit=$((900 + $(awk '$NF ~ /^[0-9]+$/ { print $NF }' "$tmp/reuse" |
		sort -n | awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)] + 0 }')))
slow=$(awk -v l="$limit" '$NF !~ /^[0-9]+$/ || $NF >= l' "$tmp/reuse" | wc -l)
check_eq "none of them waited a second" "0" "$slow"
echo "# slowest: $(awk '{ print $NF }' "$tmp/reuse" | sort -n | tail -n 1) ms (limit $limit ms)"

# nfvs's expiry takes the entry with it, in its zone.
flush_ruleset
nx $d iptables -t raw -A PREROUTING -j CT --zone 5
# (6 s: the debug kernel takes seconds to list the entries.)
nx $d ipvsadm --set 6 2 2
coproc HOLD { nx $c $peer tcp $nvip 80 1 --hold; }
read -r -u "${HOLD[0]}" _
check_eq "zone 5: the connection's entry is there" "1" \
	"$(nx $d conntrack -L -w 5 -p tcp --orig-dst $nvip 2>/dev/null | grep -c ESTABLISHED)"
sleep 8
check_eq "zone 5: nfvs's connection expired" "0" \
	"$(nx $d ipvsadm -Lnc | grep -c ESTABLISHED)"
check_eq "zone 5: and its conntrack entry with it" "0" \
	"$(nx $d conntrack -L -w 5 -p tcp --orig-dst $nvip 2>/dev/null | grep -c ESTABLISHED)"
kill "$HOLD_PID" 2>/dev/null
wait "$HOLD_PID" 2>/dev/null

# The other way: an entry deleted by conntrack -D, by a flush or by its own
# timeout ends its nfvs connection, and the destinations' counters follow.
nx $d ipvsadm --set 900 120 300
# conns METHOD...: for each method (separated by "|"), its service's
# ESTABLISHED connections in nfvs, their entries in conntrack (by the
# original tuple), and its destinations' active connections. The three
# tables are read once, by one shell in the director, and counted in
# bash: a program started costs the debug kernel a good part of a second.
conns() {
	local m out line sect a b c svc sep=
	local tuple=' dst=([^ ]+) sport=[0-9]+ dport=([0-9]+) '
	local -a f
	out=$(nx $d sh -c 'ipvsadm -Lnc; echo =; conntrack -L -p tcp 2>/dev/null; echo =; ipvsadm -Ln')
	for m in "$@"; do
		a=0 b=0 c=0 sect=0 svc=
		while IFS= read -r line; do
			[ "$line" = = ] && { sect=$((sect + 1)); continue; }
			case $sect in
			0)
				[[ $line == *ESTABLISHED*" ${addr[$m]}:${port[$m]} "* ]] &&
					a=$((a + 1))
				;;
			1)
				# The original tuple is the line's first (the
				# leftmost match).
				[[ $line == *ESTABLISHED* && $line =~ $tuple ]] &&
					[ "${BASH_REMATCH[1]}:${BASH_REMATCH[2]}" = "${addr[$m]}:${port[$m]}" ] &&
					b=$((b + 1))
				;;
			2)
				read -ra f <<<"$line"
				case ${f[0]:-} in
				TCP | UDP | SCTP | FWM) svc="${f[0]} ${f[1]:-}" ;;
				esac
				if [ "${f[0]:-}" = "->" ] && [ "$svc" = "TCP ${addr[$m]}:${port[$m]}" ] &&
				     [[ ${f[4]:-} =~ ^[0-9]+$ ]]; then
					c=$((c + f[4]))
				fi
				;;
			esac
		done <<<"$out"
		printf '%s%s %s %s' "$sep" "$a" "$b" "$c"
		sep='|'
	done
}
# hold METHOD...: one open connection to each method's service, until
# release.
mkfifo "$tmp/hold"
exec 7<>"$tmp/hold"
holders=()
hold() {
	local m i
	for m in "$@"; do
		# (Emptied first: the test below must not find an earlier
		# holder's answer before this one's redirection empties it.)
		: >"$tmp/held-$m"
		nx $c $peer tcp "${addr[$m]}" "${port[$m]}" 1 --hold \
			<&7 >"$tmp/held-$m" &
		holders+=($!)
	done
	# Each has its answer.
	for m in "$@"; do
		for ((i = 0; i < 50; i++)); do
			[ -s "$tmp/held-$m" ] && break
			sleep 0.2
		done
	done
}
release() {
	kill "${holders[@]}" 2>/dev/null
	wait "${holders[@]}" 2>/dev/null
	holders=()
}
# In the debug profile conntrack -D is tried on the NAT connection alone:
# the flush that follows ends a connection of each method by the same
# deletion of its entry, and checks its counters as well.
dmethods="nat dr tun"
debug_profile && dmethods=nat
for m in $dmethods; do
	hold $m
	check_eq "zone 5, $m: a live connection, both sides" "1 1 1" "$(conns $m)"
	# nfvs's own dump (NFVS_CMD_GET_CONN) names the entry's zone.
	dump=$(nx $d python3 -S "$(dirname "$0")/nfvs_genl.py" --family nfvs list-conns 2>&1)
	check_eq "zone 5, $m: the netlink dump shows it bridged, in zone 5" "1" \
		"$(grep -c -E " ${addr[$m]}:${port[$m]} [0-9.:]+ $m ESTABLISHED expires [0-9]+ flags 0x4 zone 5 " <<<"$dump")" ||
		sed 's/^/# dump: /' <<<"$dump"
	nx $d conntrack -D -w 5 -p tcp --orig-dst "${addr[$m]}" \
		--dport "${port[$m]}" >/dev/null 2>&1
	sleep 0.5
	check_eq "zone 5, $m: conntrack -D ends nfvs's connection, counters follow" \
		"0 0 0" "$(conns $m)"
	release
done
hold nat dr tun
check_eq "zone 5: three live connections" "1 1 1|1 1 1|1 1 1" \
	"$(conns nat dr tun)" || {
	cat "$tmp"/held-* | sed 's/^/# held: /'
	nx $d ipvsadm -Lnc | sed 's/^/# nfvs: /'
	nx $d ipvsadm -Ln | sed 's/^/# nfvs: /'
	nx $d conntrack -L 2>&1 | sed 's/^/# ct: /'
}
nx $d conntrack -F >/dev/null 2>&1
sleep 0.5
check_eq "zone 5: conntrack -F ends them all" "0 0 0|0 0 0|0 0 0" \
	"$(conns nat dr tun)"
release
nx $d iptables -t raw -F
# conntrack -U cannot reach zone 5 (conntrack-tools 1.4.7): zone 0.
hold nat
check_eq "zone 0: a live connection, both sides" "1 1 1" "$(conns nat)"
nx $d conntrack -U -p tcp --orig-dst $nvip --timeout 1 >/dev/null 2>&1
# Conntrack finds it timed out on its next walk (a listing is one).
for _ in 1 2 3 4 5 6 7 8 9 10; do
	sleep 1
	nx $d conntrack -L >/dev/null 2>&1
	[ "$(conns nat)" = "0 0 0" ] && break
done
check_eq "an entry's own timeout ends nfvs's connection" "0 0 0" \
	"$(conns nat)"
release

# Turning the bridge off affects new connections only.
nx $d ipvsadm --set 900 120 300
coproc HOLD { nx $c $peer session tcp $nvip 80; }
read -r -u "${HOLD[0]}" _
nx $d sysctl -qw net.ipv4.vs.conntrack=0
no=$(volume 5)
nx $c $peer tcp $nvip 80 "$no" >"$tmp/off"
echo >&"${HOLD[1]}"
read -r -u "${HOLD[0]}" before _
check_eq "conntrack=0 at run time: new connections served" "$no" \
	"$(grep -c '^rs[12] 80 ' "$tmp/off")"
check "conntrack=0 at run time: the open connection goes on" \
	test "${before#rs}" != "$before"
eval "exec ${HOLD[1]}>&-"
wait "$HOLD_PID" 2>/dev/null

cleanup
check_eq "no module reference held" "0" "$(nfvs_refcnt)"
check "nfvs unloads" nfvs_unload

# nf_nat's LOCAL_IN hook has nfvs's priority (NF_IP_PRI_NAT_SRC, 100), and
# of two hooks of one priority the one registered last runs first: nfvs
# loaded into a namespace whose nat table was already there (a director
# whose firewall came up at boot) runs before nf_nat; a nat table made
# after nfvs runs before nfvs, and gives the client's first packet's entry
# a null binding before nfvs sees it. The bridge works the same either way.
natfirst() {
	nx $d nft add table ip natfirst \
		'{ chain input { type nat hook input priority 100; } ; }'
}
# hook_order: the LOCAL_IN hooks of priority 100 in the director, in order.
hook_order() {
	nfvs_hooks $d | awk '$1 == "input" && $2 == 100 { printf "%s%s", s, $3; s = " " }'
}
topo_setup --tcp 80 81 82 2>/dev/null
natfirst
check "nfvs loads after a nat table" nfvs_load
services
nx $d sysctl -qw net.ipv4.vs.conntrack=1
nf=$(volume 20)
# In the debug profile NAT alone, in both orders: DR and TUN take the
# bridge's same path through an entry of either order, and NAT is the
# method whose entry nf_nat may have bound first.
omethods="nat dr tun"
debug_profile && omethods=nat
for order in "nfvs_in nf_nat_ipv4_local_in" "nf_nat_ipv4_local_in nfvs_in"; do
	check_eq "LOCAL_IN at 100: $order" "$order" "$(hook_order)"
	for m in $omethods; do
		flush_ruleset
		nx $d conntrack -F 2>/dev/null
		ruleset iptables-legacy
		read -r ok inv <<<"$(scenario iptables-legacy "$m" "$nf")"
		check_eq "${order%% *} first, $m: $nf of $nf requests through the firewall" "$nf" "$ok"
		check_eq "${order%% *} first, $m: no packet INVALID" "0" "$inv"
	done
	# The nat table again, now after nfvs.
	nx $d nft delete table ip natfirst
	natfirst
done
flush_ruleset
cleanup
check "nfvs unloads" nfvs_unload

# ipvs_half: in-tree IPVS, same guest, same scenarios (iptables-legacy
# ruleset), with fewer requests: a failing one waits for its timeout (a
# second; DR and TUN fail every one); then both results side by side.
ipvs_half() {
	local m ok inv ni=10
	if modprobe ip_vs 2>/dev/null; then
		ok "in-tree IPVS loads, for the same scenarios"
		topo_setup --tcp 80 81 82 2>/dev/null
		services
		nx $d sysctl -qw net.ipv4.vs.conntrack=1
		for m in nat dr tun; do
			flush_ruleset
			nx $d conntrack -F 2>/dev/null
			ruleset iptables-legacy
			read -r ok inv <<<"$(scenario iptables-legacy "$m" $ni 1)"
			result[ipvs-iptables-legacy-$m]="$ok/$ni answered, $inv INVALID"
		done
		cleanup
		ipvs_unload
	else
		not_ok "in-tree IPVS loads, for the same scenarios"
	fi
	echo "# side by side (iptables-legacy ruleset, net.ipv4.vs.conntrack=1):"
	printf '# %-5s %-28s %s\n' method nfvs "in-tree IPVS"
	for m in nat dr tun; do
		printf '# %-5s %-28s %s\n' "$m" "${result[nfvs-iptables-legacy-$m]:-}" \
			"${result[ipvs-iptables-legacy-$m]:-not run}"
	done
}
debug_profile || ipvs_half
rm -rf "$tmp"
tap_done
