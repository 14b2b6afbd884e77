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
# ipvs_compat=0 it touches none of in-tree's names. Unloading nfvs leaves
# in-tree ip_vs working.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

genl_py=$(dirname "$0")/nfvs_genl.py

cleanup() {
	# ipvsadm with neither nfvs nor ip_vs loaded would modprobe ip_vs.
	if nfvs_loaded || grep -q '^ip_vs ' /proc/modules; then
		ipvsadm -C >/dev/null 2>&1
	fi
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
check_eq "net.ipv4.vs.* and net.nfvs.* have the same names" \
	"$(ls /proc/sys/net/nfvs | tr '\n' ' ')" "$(ls /proc/sys/net/ipv4/vs | tr '\n' ' ')"
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
