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
plan 27

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
pin=
trap 'cleanup; [ -n "$pin" ] && kill "$pin" 2>/dev/null' EXIT

# ours: the inode numbers of the namespaces this script made (and deleted).
ours=()

# ns_inum NAME: a named namespace's inode number (as in /proc/PID/ns/net).
ns_inum() {
	stat -L -c %i "/run/netns/$1"
}

# ns_add NAME: ip netns add, remembering the namespace's inode number.
ns_add() {
	ip netns add "$1" || return 1
	ours+=("$(ns_inum "$1")")
}

# alive INUM...: which of these namespaces have not been torn down yet
# (nfvs_hookdump lists the inode numbers of the live namespaces). Other
# scripts' namespaces may still be dying meanwhile: they do not count.
alive() {
	nfvs_hooks >/dev/null || { echo "no nfvs_hookdump"; return; }
	grep -Fxf <(printf '%s\n' "$@") \
		/sys/module/nfvs_hookdump/parameters/live_netns
}

gone() {
	[ -z "$(alive "$@")" ]
}

setup_topology() {
	ns_add $c && ns_add $r && ns_add $s || return 1
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
	local want got srv
	want=$(sha256sum <"$data")
	ip netns exec $s socat -u "FILE:$data" TCP-LISTEN:8080,reuseaddr &
	srv=$!
	sleep 0.5
	got=$(ip netns exec $c timeout 30 socat -u TCP:10.0.2.2:8080 STDOUT | sha256sum)
	wait $srv
	[ "$want" = "$got" ]
}

head -c 1M /dev/urandom >"$data"

# One namespace that a process pins after ip netns del, for the whole
# script: the check of the others' teardown must see it alive while the
# process lives, and gone after. (Made first: the kernel reuses a freed
# namespace's inode number, and the pinned one's is not freed meanwhile.)
ip netns add "pinned-$nfvs_sfx"
pinned=$(ns_inum "pinned-$nfvs_sfx")
ip netns exec "pinned-$nfvs_sfx" sleep 600 &
pin=$!
pin_in() {
	[ "$(stat -L -c %i /proc/$pin/ns/net 2>/dev/null)" = "$pinned" ]
}
check "a process in the namespace to pin" poll 20 pin_in
ip netns del "pinned-$nfvs_sfx"

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
	ns_add "churn$i-$nfvs_sfx" &&
		ip netns exec "churn$i-$nfvs_sfx" test -e /proc/sys/net/nfvs/conntrack &&
		ip netns del "churn$i-$nfvs_sfx" && churn_ok=$((churn_ok + 1))
done
check_eq "20 namespaces created and deleted, each with net.nfvs" 20 "$churn_ok"

check_eq "every namespace made here has its inode number" 23 "${#ours[@]}"
# Teardown is asynchronous, and slow on a loaded machine: wait for it.
if poll 60 gone "${ours[@]}"; then
	ok "every deleted namespace is torn down"
else
	not_ok "every deleted namespace is torn down"
	echo "# of ${#ours[@]} deleted namespaces, still alive: $(alive "${ours[@]}" | tr "\n" " ")"
fi
check_eq "a deleted namespace that a process pins is seen alive" \
	"$pinned" "$(alive "$pinned")"
kill $pin
wait $pin 2>/dev/null
check "and torn down once the process exits" poll 60 gone "$pinned"
check_eq "the initial namespace still has exactly nfvs's hooks" \
	"$NFVS_EXPECTED_HOOKS" "$(nfvs_hooks | grep ' nfvs_')"
check_eq "no module reference held" "0" "$(nfvs_refcnt)"
check "nfvs unloads" nfvs_unload
tap_done
