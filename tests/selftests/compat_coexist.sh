#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The two compat states of nfvs, in the init namespace of the guest:
#
#   (a) no in-tree ip_vs:  insmod nfvs.ko            (ipvs_compat=1)
#         genl "nfvs" + "IPVS", /proc/net/ip_vs*, net.ipv4.vs.* == net.nfvs.*
#         ipvsadm ------------------------------> nfvs
#                          modprobe ip_vs            refused, one log line
#
#   (b) modprobe ip_vs:    insmod nfvs.ko            fails, one log line
#                          insmod nfvs.ko ipvs_compat=0
#         ipvsadm --- genl "IPVS" -------------> in-tree ip_vs
#                     /proc/net/ip_vs*, net.ipv4.vs.*   (in-tree's, unchanged)
#         nfvs_genl.py -- genl "nfvs" ---------> nfvs
#                     /proc/net/nfvs*, net.nfvs.*
#
# With compat on, nfvs offers the whole IPVS interface; beside in-tree ip_vs
# it refuses compat with one kernel-log line naming the way out, and with
# ipvs_compat=0 it touches none of in-tree's names, nor in-tree's packets
# (both balance NAT traffic side by side in namespaces of their own, and
# route their replies again by snat_reroute alike). A sysctl of a
# behaviour nfvs lacks takes only the value of what nfvs does.
# Unloading nfvs leaves in-tree ip_vs working.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
plan 75

genl_py=$(dirname "$0")/nfvs_genl.py

cleanup() {
	# ipvsadm with neither nfvs nor ip_vs loaded would modprobe ip_vs.
	if nfvs_loaded || grep -q '^ip_vs ' /proc/modules; then
		ipvsadm -C >/dev/null 2>&1
	fi
	declare -F pair_cleanup >/dev/null && pair_cleanup
	nfvs_loaded && rmmod nfvs
	ipvs_unload
}
trap cleanup EXIT

# family NAME: a genl family of that name is registered. (A dump, not "genl
# ctrl get": looking IPVS up by name autoloads ip_vs, by its module alias.)
family() {
	genl ctrl list 2>/dev/null | grep -q "Name: $1\$"
}

# nfvs_family_answers: the nfvs family replies to a request.
nfvs_family_answers() {
	if [ -f "$genl_py" ]; then
		python3 -S "$genl_py" --family nfvs info
	else
		family nfvs
	fi
}

# names: in-tree IPVS's names visible to users (sysctls and /proc/net).
names() {
	ls /proc/sys/net/ipv4/vs 2>/dev/null | sed 's|^|net.ipv4.vs.|'
	ls -d /proc/net/ip_vs* 2>/dev/null
}

command -v ipvsadm >/dev/null || skip_all "ipvsadm is not installed"
modinfo ip_vs >/dev/null 2>&1 || skip_all "no in-tree ip_vs module for $(uname -r)"
nfvs_loaded && rmmod nfvs
ipvs_unload || skip_all "in-tree ip_vs is in use"

# (a) Compat on, no in-tree ip_vs.
check "nfvs loads with ipvs_compat=1 (the default)" nfvs_load
check_eq "parameter ipvs_compat reads Y" "Y" \
	"$(cat /sys/module/nfvs/parameters/ipvs_compat 2>&1)"
check "genl family nfvs exists" family nfvs
check "genl family IPVS exists" family IPVS
header=$(ipvsadm -Ln 2>&1 | head -n 1)
check_eq "ipvsadm -Ln works" "IP Virtual Server version 1.2.1 (size=N)" \
	"$(sed 's/size=[0-9]*/size=N/' <<<"$header")"
check "ipvsadm -A adds a service" ipvsadm -A -t 10.0.0.1:80 -s rr
check "/proc/net/ip_vs shows it" grep -q '^TCP  0A000001:0050 rr' /proc/net/ip_vs
check "/proc/net/ip_vs_conn exists" test -r /proc/net/ip_vs_conn
check "/proc/net/ip_vs_stats exists" test -r /proc/net/ip_vs_stats
check "ipvsadm -C" ipvsadm -C
check_eq "in-tree ip_vs was not loaded (ipvsadm loads it when IPVS is missing)" \
	"" "$(awk '$1 ~ /^ip_vs/ { print $1 }' /proc/modules)"
check_eq "net.ipv4.vs.conntrack exists, 0" "0" "$(sysctl -n net.ipv4.vs.conntrack 2>&1)"
sysctl -qw net.nfvs.conntrack=1
check_eq "net.nfvs.conntrack=1 reads back as net.ipv4.vs.conntrack" "1" \
	"$(sysctl -n net.ipv4.vs.conntrack 2>&1)"
sysctl -qw net.ipv4.vs.conntrack=0
check_eq "net.ipv4.vs.conntrack=0 reads back as net.nfvs.conntrack" "0" \
	"$(sysctl -n net.nfvs.conntrack 2>&1)"
# A sysctl of a behaviour nfvs lacks is fixed: the value of what nfvs does
# is taken, any other refused (in-tree IPVS takes it: see (b)).
err=$(sysctl -w net.ipv4.vs.secure_tcp=1 2>&1 >/dev/null)
check "net.ipv4.vs.secure_tcp=1 (a defense mode nfvs lacks) is refused" \
	grep -q "Operation not supported" <<<"$err"
echo "# $err"
check_eq "and secure_tcp still reads 0" "0" "$(sysctl -n net.nfvs.secure_tcp 2>&1)"
check "net.ipv4.vs.secure_tcp=0 is taken" sysctl -qw net.ipv4.vs.secure_tcp=0
check "net.nfvs.amemthresh=2048 is refused" bash -c '! sysctl -qw net.nfvs.amemthresh=2048 2>/dev/null'
check_eq "net.ipv4.vs.* has net.nfvs.*'s names but nfvs's own conn_max" \
	"$(cd /proc/sys/net/nfvs && for f in *; do [ "$f" = conn_max ] || printf '%s ' "$f"; done)" \
	"$(ls /proc/sys/net/ipv4/vs | tr '\n' ' ')"
check "net.nfvs.conn_max exists" test -e /proc/sys/net/nfvs/conn_max
# While nfvs holds the IPVS names, in-tree ip_vs is refused up front (it
# would otherwise trip over /proc/net/ip_vs and warn).
before=$(dmesg | grep -c 'refusing to load ip_vs')
check "modprobe ip_vs is refused while nfvs has the IPVS interface" \
	bash -c '! modprobe ip_vs'
check_eq "with one kernel-log line saying why" "1" \
	"$(($(dmesg | grep -c 'nfvs: refusing to load ip_vs: .*ipvs_compat=0') - before))"
check "and ipvsadm still drives nfvs" ipvsadm -Ln
check "nfvs unloads" nfvs_unload
check_eq "and takes the IPVS names along" "" "$(names)"
check "and family IPVS" bash -c "$(declare -f family); ! family IPVS"

# (b) In-tree ip_vs loaded first.
check "in-tree ip_vs loads" modprobe ip_vs
check "in-tree ip_vs answers ipvsadm" ipvsadm -A -t 10.0.0.1:80 -s rr
before_names=$(names)
run_estimation=$(sysctl -n net.ipv4.vs.run_estimation 2>&1)
log_before=$(dmesg | wc -l)
if insmod "$NFVS_KO" 2>/dev/null; then
	not_ok "insmod nfvs.ko (ipvs_compat=1) refused while ip_vs is loaded"
	rmmod nfvs
else
	ok "insmod nfvs.ko (ipvs_compat=1) refused while ip_vs is loaded"
fi
# The first unsigned load of a boot adds the kernel's taint line.
log=$(dmesg | tail -n +$((log_before + 1)) | grep -w nfvs |
	grep -v 'module verification failed')
echo "$log" | sed 's/^/# kernel log: /'
check_eq "exactly one kernel-log line from nfvs about it" 1 "$(grep -c . <<<"$log")"
check "it names ip_vs" grep -qw ip_vs <<<"$log"
check "it names the way out, ipvs_compat=0" grep -q 'ipvs_compat=0' <<<"$log"
check "nfvs loads beside it with ipvs_compat=0" insmod "$NFVS_KO" ipvs_compat=0
check_eq "parameter ipvs_compat reads N" "N" \
	"$(cat /sys/module/nfvs/parameters/ipvs_compat 2>&1)"
check_eq "in-tree's sysctls and /proc/net entries unchanged" "$before_names" "$(names)"
check_eq "in-tree-only net.ipv4.vs.run_estimation still there" "1" \
	"$(sysctl -n net.ipv4.vs.run_estimation 2>&1)"
[ "$run_estimation" = 1 ] || echo "# before nfvs: $run_estimation"
check "nfvs has /proc/net/nfvs" test -e /proc/net/nfvs
check_eq "nfvs's /proc/net entries" "/proc/net/nfvs /proc/net/nfvs_conn /proc/net/nfvs_stats" \
	"$(echo /proc/net/nfvs*)"
if sysctl -qw net.ipv4.vs.secure_tcp=1 2>/dev/null; then
	echo "# in-tree IPVS takes net.ipv4.vs.secure_tcp=1 (nfvs refuses it)"
	sysctl -qw net.ipv4.vs.secure_tcp=0
else
	echo "# in-tree IPVS refuses net.ipv4.vs.secure_tcp=1 too"
fi
check_eq "net.nfvs.conntrack exists, 0" "0" "$(sysctl -n net.nfvs.conntrack 2>&1)"
sysctl -qw net.nfvs.conntrack=1
check_eq "net.nfvs.conntrack=1 leaves in-tree's net.ipv4.vs.conntrack 0" "0" \
	"$(sysctl -n net.ipv4.vs.conntrack 2>&1)"
sysctl -qw net.nfvs.conntrack=0
check_eq "exactly one genl family IPVS" 1 "$(genl ctrl list | grep -c 'Name: IPVS$')"
check "and one nfvs" family nfvs
check "the nfvs family answers" nfvs_family_answers
check "ipvsadm still drives in-tree ip_vs (-a)" \
	ipvsadm -a -t 10.0.0.1:80 -r 10.0.1.2:8080 -m -w 2
check "in-tree's /proc/net/ip_vs shows the service" \
	grep -q '^TCP  0A000001:0050 rr' /proc/net/ip_vs
check "and its real server" grep -q '^  -> 0A000102:1F90      Masq    2' /proc/net/ip_vs
if [ -f "$genl_py" ]; then
	check_eq "nfvs's own table is empty" "" \
		"$(python3 -S "$genl_py" --family nfvs save 2>&1)"
	out=$(python3 -S "$genl_py" --family nfvs add-service tcp 10.0.0.5:80 --sched rr 2>&1)
	check_eq "nfvs_genl.py --family nfvs adds a service" "status 0: " "status $?: $out"
	check_eq "nfvs shows it" "-A -t 10.0.0.5:80 -s rr" \
		"$(python3 -S "$genl_py" --family nfvs save 2>&1)"
	check "in-tree does not" bash -c "! ipvsadm -Sn | grep -q 10.0.0.5"
	check "/proc/net/ip_vs does not" bash -c "! grep -q 0A000005 /proc/net/ip_vs"
else
	skip "nfvs's own table is separate" "no nfvs_genl.py"
fi

# Both datapaths at once, each in namespaces of its own: in-tree IPVS NAT
# with its conntrack=1 and a MASQUERADE rule (its packets are masqueraded
# and their conntrack entries confirmed: nfvs's POST_ROUTING hook must
# leave them alone), and nfvs NAT with its conntrack bridge beside the same
# rule (nfvs's packets are not masqueraded).
# pair P N: namespaces Pc (client 10.N.1.2), Pd (director 10.N.1.1 and
# 10.N.2.1, VIP 10.N.1.100, MASQUERADE to the real server) and Pr (real
# server 10.N.2.2, greeting with the address it sees on TCP :80).
pair() {
	local p=$1 n=$2 ns out
	for ns in "${p}c" "${p}d" "${p}r"; do
		ip netns add "$ns" && ip -n "$ns" link set lo up || return 1
	done
	ip -n "${p}d" link add dc type veth peer name cd netns "${p}c" &&
	ip -n "${p}d" link add dr type veth peer name rd netns "${p}r" || return 1
	ip -n "${p}c" addr add "10.$n.1.2/24" dev cd && ip -n "${p}c" link set cd up &&
	ip -n "${p}c" route add default via "10.$n.1.1" &&
	ip -n "${p}d" addr add "10.$n.1.1/24" dev dc && ip -n "${p}d" addr add "10.$n.1.100/32" dev dc &&
	ip -n "${p}d" addr add "10.$n.2.1/24" dev dr &&
	ip -n "${p}d" link set dc up && ip -n "${p}d" link set dr up &&
	ip -n "${p}r" addr add "10.$n.2.2/24" dev rd && ip -n "${p}r" link set rd up &&
	ip -n "${p}r" route add default via "10.$n.2.1" || return 1
	ip netns exec "${p}d" sysctl -qw net.ipv4.ip_forward=1 &&
	ip netns exec "${p}d" iptables -t nat -A POSTROUTING -o dr -j MASQUERADE || return 1
	peer_start "${p}r" greet "${p}r" --peer --tcp 80
}
ip_vs_ns=iv-$nfvs_sfx nfvs_ns=nv-$nfvs_sfx
pair_cleanup() {
	ns_del "${ip_vs_ns}c" "${ip_vs_ns}d" "${ip_vs_ns}r" "${nfvs_ns}c" "${nfvs_ns}d" "${nfvs_ns}r"
}
if pair "$ip_vs_ns" 20 && pair "$nfvs_ns" 21; then
	ok "two NAT directors side by side, each with a MASQUERADE rule"
else
	not_ok "two NAT directors side by side, each with a MASQUERADE rule"
fi
check "in-tree IPVS: NAT service, net.ipv4.vs.conntrack=1" ip netns exec "${ip_vs_ns}d" bash -c "
	sysctl -qw net.ipv4.vs.conntrack=1 &&
	ipvsadm -A -t 10.20.1.100:80 -s rr && ipvsadm -a -t 10.20.1.100:80 -r 10.20.2.2:80 -m"
if [ -f "$genl_py" ]; then
	check "nfvs: NAT service, net.nfvs.conntrack=1" ip netns exec "${nfvs_ns}d" bash -c "
		sysctl -qw net.nfvs.conntrack=1 &&
		python3 -S '$genl_py' --family nfvs add-service tcp 10.21.1.100:80 --sched rr &&
		python3 -S '$genl_py' --family nfvs add-dest tcp 10.21.1.100:80 10.21.2.2:80 --fwd masq"
else
	skip "nfvs: NAT service, net.nfvs.conntrack=1" "no nfvs_genl.py"
fi
check_eq "in-tree IPVS: its real server sees the masqueraded director" \
	"${ip_vs_ns}r 10.20.2.1" \
	"$(ip netns exec "${ip_vs_ns}c" socat -T 5 - TCP:10.20.1.100:80 </dev/null 2>&1)"
check "in-tree IPVS: its connection's conntrack entry is confirmed" bash -c \
	"ip netns exec ${ip_vs_ns}d conntrack -L -p tcp -d 10.20.1.100 --dport 80 2>/dev/null | grep -q 'src=10.20.1.2'"
check_eq "nfvs: its real server sees the client, not masqueraded" \
	"${nfvs_ns}r 10.21.1.2" \
	"$(ip netns exec "${nfvs_ns}c" socat -T 5 - TCP:10.21.1.100:80 </dev/null 2>&1)"
check "nfvs: its connection's conntrack entry is there" bash -c \
	"ip netns exec ${nfvs_ns}d conntrack -L -p tcp -d 10.21.1.100 --dport 80 2>/dev/null | grep -q 'src=10.21.1.2'"

# snat_reroute, on both (in-tree's result is the reference): a rule routes
# what comes from the VIP by a table that blackholes the client. With
# snat_reroute=1 (the default) a NAT reply, once it comes from the VIP, is
# routed again and dropped; with 0 it keeps its route and arrives.
# reroute_answer P N: what P's client gets from its VIP.
reroute_answer() {
	ip netns exec "${1}c" socat -T 3 - "TCP:10.$2.1.100:80,connect-timeout=3" </dev/null 2>/dev/null
}
# (The real server sees in-tree's connections masqueraded, nfvs's not.)
for p in "$ip_vs_ns 20 10.20.2.1 net.ipv4.vs in-tree IPVS" \
	"$nfvs_ns 21 10.21.1.2 net.nfvs nfvs"; do
	read -r ns n seen tree who <<<"$p"
	ip -n "${ns}d" rule add from "10.$n.1.100" lookup 100 &&
		ip -n "${ns}d" route add blackhole "10.$n.1.2" table 100
	check_eq "$who: snat_reroute defaults to 1" "1" \
		"$(ip netns exec "${ns}d" sysctl -n "$tree.snat_reroute" 2>&1)"
	check_eq "$who: snat_reroute=1: the reply is routed again, into the blackhole" "" \
		"$(reroute_answer "$ns" "$n")"
	ip netns exec "${ns}d" sysctl -qw "$tree.snat_reroute=0"
	check_eq "$who: snat_reroute=0: the reply keeps its route and arrives" \
		"${ns}r $seen" "$(reroute_answer "$ns" "$n")"
done
pair_cleanup

check "nfvs unloads" nfvs_unload
check_eq "in-tree's names still unchanged" "$before_names" "$(names)"
check_eq "ipvsadm -Sn: in-tree's table intact" \
	"-A -t 10.0.0.1:80 -s rr
-a -t 10.0.0.1:80 -r 10.0.1.2:8080 -m -w 2" "$(ipvsadm -Sn 2>&1)"
check "ipvsadm still drives in-tree ip_vs (-A)" ipvsadm -A -u 10.0.0.1:53 -s wrr
check "/proc/net/ip_vs shows it" grep -q '^UDP  0A000001:0035 wrr' /proc/net/ip_vs
check "ipvsadm -C" ipvsadm -C
check "every in-tree ip_vs module unloads" ipvs_unload

# (c) The refusal is not sticky.
check "nfvs loads with ipvs_compat=1 once ip_vs is gone" nfvs_load
check "ipvsadm -Ln works" ipvsadm -Ln
check "nfvs unloads" nfvs_unload
check_eq "in-tree ip_vs not loaded" "" "$(awk '$1 ~ /^ip_vs/ { print $1 }' /proc/modules)"
tap_done
