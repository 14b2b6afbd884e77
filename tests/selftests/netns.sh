#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# nfvs state is per network namespace, follows namespaces as they come and
# go, and leaves nothing behind:
#
#   client                  router                     server
#   c-SFX                   r-SFX                      s-SFX
#   10.0.1.2/24 --veth-- 10.0.1.1/24  10.0.2.1/24 --veth-- 10.0.2.2/24
#
# (plus 20 more namespaces created and deleted one after the other)
#
# With nfvs loaded, each namespace has its own net.nfvs sysctls and hooks;
# traffic through and to the router is untouched; deleting namespaces and
# unloading the module while namespaces live leaves no hook, sysctl or
# namespace behind.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

c=c-$nfvs_sfx
r=r-$nfvs_sfx
s=s-$nfvs_sfx
data=$(mktemp)

cleanup() {
	for ns in $c $r $s; do
		ip netns del "$ns" 2>/dev/null
	done
	rm -f "$data"
}
trap cleanup EXIT

# net_namespaces: namespaces whose teardown has not run yet.
net_namespaces() {
	nfvs_hooks >/dev/null && cat /sys/module/nfvs_hookdump/parameters/live_netns
}

namespaces_are() {
	[ "$(net_namespaces)" = "$1" ]
}

# wait_namespaces N: namespace teardown is asynchronous; wait for N live.
wait_namespaces() {
	poll 20 namespaces_are "$1" && return 0
	echo "# live namespaces: $(net_namespaces), expected $1"
	return 1
}

setup_topology() {
	ip netns add $c && ip netns add $r && ip netns add $s || return 1
	ip -n $r link add cr type veth peer name rc netns $c
	ip -n $r link add sr type veth peer name rs netns $s
	ip -n $c addr add 10.0.1.2/24 dev rc
	ip -n $r addr add 10.0.1.1/24 dev cr
	ip -n $r addr add 10.0.2.1/24 dev sr
	ip -n $s addr add 10.0.2.2/24 dev rs
	for ns in $c $r $s; do
		ip -n "$ns" link set lo up
	done
	ip -n $c link set rc up && ip -n $r link set cr up &&
	ip -n $r link set sr up && ip -n $s link set rs up &&
	ip -n $c route add default via 10.0.1.1 &&
	ip -n $s route add default via 10.0.2.1 &&
	ip netns exec $r sysctl -qw net.ipv4.ip_forward=1
}

tcp_transfer_ok() {
	local want got
	want=$(sha256sum <"$data")
	ip netns exec $s socat -u "FILE:$data" TCP-LISTEN:8080,reuseaddr &
	sleep 0.5
	got=$(ip netns exec $c timeout 30 socat -u TCP:10.0.2.2:8080 STDOUT | sha256sum)
	wait
	[ "$want" = "$got" ]
}

baseline=$(net_namespaces)
head -c 1M /dev/urandom >"$data"

check "nfvs loads" nfvs_load
check "three namespaces and their links come up" setup_topology

check_eq "router namespace has nfvs's hooks" "$NFVS_EXPECTED_HOOKS" \
	"$(nfvs_hooks $r | grep ' nfvs_')"
check_eq "router namespace has net.nfvs.conntrack, default 0" "0" \
	"$(ip netns exec $r sysctl -n net.nfvs.conntrack 2>&1)"
ip netns exec $r sysctl -qw net.nfvs.conntrack=1
check_eq "setting it in the router namespace leaves the initial one alone" \
	"1 0" "$(ip netns exec $r sysctl -n net.nfvs.conntrack) $(sysctl -n net.nfvs.conntrack)"
sysctl -qw net.nfvs.conntrack=1
ip netns exec $r sysctl -qw net.nfvs.conntrack=0
check_eq "and the other way round" \
	"0 1" "$(ip netns exec $r sysctl -n net.nfvs.conntrack) $(sysctl -n net.nfvs.conntrack)"
sysctl -qw net.nfvs.conntrack=0
check "out-of-range value refused" bash -c "! sysctl -qw net.nfvs.conntrack=2"
check_eq "and the value kept" "0" "$(sysctl -n net.nfvs.conntrack)"

check "ping client -> server through the router" \
	ip netns exec $c ping -c 3 -i 0.2 -W 2 10.0.2.2
check "ping client -> router" ip netns exec $c ping -c 3 -i 0.2 -W 2 10.0.1.1
check "1 MB over TCP through the router arrives intact" tcp_transfer_ok

check "unload with the namespaces alive" nfvs_unload
check_eq "no nfvs hook left in the router namespace" "" "$(nfvs_hooks $r | grep ' nfvs_')"
check "no net/nfvs sysctls left in the router namespace" \
	ip netns exec $r test ! -e /proc/sys/net/nfvs
check "ping through the router without nfvs" ip netns exec $c ping -c 1 -W 2 10.0.2.2

check "nfvs loads with the namespaces alive" nfvs_load
check_eq "existing namespaces get nfvs's hooks" "$NFVS_EXPECTED_HOOKS" \
	"$(nfvs_hooks $r | grep ' nfvs_')"
check "ping through the router after the reload" ip netns exec $c ping -c 1 -W 2 10.0.2.2
cleanup

churn_ok=0
for i in $(seq 20); do
	ip netns add "churn$i-$nfvs_sfx" &&
		ip netns exec "churn$i-$nfvs_sfx" test -e /proc/sys/net/nfvs/conntrack &&
		ip netns del "churn$i-$nfvs_sfx" && churn_ok=$((churn_ok + 1))
done
check_eq "20 namespaces created and deleted, each with net.nfvs" 20 "$churn_ok"

check "every deleted namespace is torn down" wait_namespaces "$baseline"
check_eq "the initial namespace still has exactly nfvs's hooks" \
	"$NFVS_EXPECTED_HOOKS" "$(nfvs_hooks | grep ' nfvs_')"
check_eq "no module reference held" "0" "$(nfvs_refcnt)"
check "nfvs unloads" nfvs_unload
tap_done
