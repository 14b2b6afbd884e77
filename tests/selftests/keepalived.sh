#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Debian's unmodified keepalived (health checker only) drives nfvs through
# the IPVS-compatible interface (ipvs_compat=1):
#
#   director: init namespace, keepalived -C
#     VS TCP 10.0.0.10:80 wrr NAT  -> 10.0.1.2:8080 w1, 10.0.2.2:8080 w2
#     VS TCP 10.0.0.20:80 rr DR, persistence 60
#                                  -> 10.0.1.2:80 w1 (inhibit_on_failure),
#                                     10.0.2.2:80 w3
#
#   director                                   rs1-SFX
#   nfk1SFX 10.0.1.1/24 ------veth------ eth0 10.0.1.2/24  listens :8080, :80
#   director                                   rs2-SFX
#   nfk2SFX 10.0.2.1/24 ------veth------ eth0 10.0.2.2/24  listens :8080, :80
#
# TCP_CHECK health checks (delay_loop 1, connect_timeout 1) against socat
# listeners. keepalived brings up both services with their real servers,
# forwarding methods and weights; removes a real server whose listener stops
# and adds it back when it returns; sets an inhibit_on_failure server's
# weight to 0 and back; and on SIGTERM stops cleanly, removing the services.
#
# NFVS_LB=ipvs runs the same against in-tree IPVS (proves this script);
# NFVS_COMPAT_SAVE=DIR keeps the configuration and keepalived's log.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
plan 19

subject=${NFVS_LB:-nfvs}
rs1=rs1-$nfvs_sfx
rs2=rs2-$nfvs_sfx
dir=$(mktemp -d)
declare -A listener
kpid=

cleanup() {
	local p
	[ -n "$kpid" ] && kill "$kpid" 2>/dev/null && wait "$kpid" 2>/dev/null
	for p in "${listener[@]}"; do
		kill "$p" 2>/dev/null
	done
	ip netns del "$rs1" 2>/dev/null
	ip netns del "$rs2" 2>/dev/null
	# ipvsadm with neither nfvs nor ip_vs loaded would modprobe ip_vs.
	if nfvs_loaded || grep -q '^ip_vs ' /proc/modules; then
		ipvsadm -C >/dev/null 2>&1
	fi
	nfvs_loaded && rmmod nfvs
	ipvs_unload 2>/dev/null
	[ -n "${NFVS_COMPAT_SAVE:-}" ] && mkdir -p "$NFVS_COMPAT_SAVE" &&
		cp -r "$dir"/. "$NFVS_COMPAT_SAVE"/
	rm -rf "$dir"
}
trap cleanup EXIT

setup_topology() {
	local i ns
	for i in 1 2; do
		ns=rs$i-$nfvs_sfx
		ip netns add "$ns" || return 1
		ip link add "nfk$i$nfvs_sfx" type veth peer name eth0 netns "$ns" || return 1
		ip addr add "10.0.$i.1/24" dev "nfk$i$nfvs_sfx" &&
			ip link set "nfk$i$nfvs_sfx" up &&
			ip -n "$ns" addr add "10.0.$i.2/24" dev eth0 &&
			ip -n "$ns" link set eth0 up &&
			ip -n "$ns" link set lo up || return 1
	done
}

# listen NS PORT: a TCP listener in a real server's namespace.
listen() {
	ip netns exec "$1" socat TCP-LISTEN:"$2",fork,reuseaddr SYSTEM:'echo ok' \
		</dev/null >/dev/null 2>&1 &
	listener[$1:$2]=$!
}

unlisten() {
	kill "${listener[$1:$2]}"
	wait "${listener[$1:$2]}" 2>/dev/null
	unset "listener[$1:$2]"
}

# listening NS PORT: the listener accepts connections.
listening() {
	local i
	for i in $(seq 50); do
		ip netns exec "$1" socat -u OPEN:/dev/null TCP:127.0.0.1:"$2" \
			2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# table: ipvsadm -Ln reduced to services and their real servers with
# forwarding method and weight, one per line.
table() {
	ipvsadm -Ln 2>&1 | awk 'NR <= 3 { next }
		/^  ->/ { print "-> " $2 " " $3 " " $4; next }
		{ $1 = $1; print }'
}

# table_becomes DESC EXPECTED: one test, polling up to 30 s for the table.
table_becomes() {
	local i got
	for i in $(seq 60); do
		got=$(table)
		[ "$got" = "$2" ] && break
		sleep 0.5
	done
	check_eq "$1" "$2" "$got"
	[ "$got" = "$2" ] || echo "$got" | sed 's/^/#   table: /'
}

cat >"$dir/keepalived.conf" <<'EOF'
global_defs {
	router_id nfvs_selftest
}

virtual_server 10.0.0.10 80 {
	delay_loop 1
	lvs_sched wrr
	lvs_method NAT
	protocol TCP
	real_server 10.0.1.2 8080 {
		weight 1
		TCP_CHECK {
			connect_timeout 1
			retry 1
			delay_before_retry 1
		}
	}
	real_server 10.0.2.2 8080 {
		weight 2
		TCP_CHECK {
			connect_timeout 1
			retry 1
			delay_before_retry 1
		}
	}
}

virtual_server 10.0.0.20 80 {
	delay_loop 1
	lvs_sched rr
	lvs_method DR
	persistence_timeout 60
	protocol TCP
	real_server 10.0.1.2 80 {
		weight 1
		inhibit_on_failure
		TCP_CHECK {
			connect_timeout 1
			retry 1
			delay_before_retry 1
		}
	}
	real_server 10.0.2.2 80 {
		weight 3
		TCP_CHECK {
			connect_timeout 1
			retry 1
			delay_before_retry 1
		}
	}
}
EOF

full="TCP 10.0.0.10:80 wrr
-> 10.0.1.2:8080 Masq 1
-> 10.0.2.2:8080 Masq 2
TCP 10.0.0.20:80 rr persistent 60
-> 10.0.1.2:80 Route 1
-> 10.0.2.2:80 Route 3"

command -v keepalived >/dev/null || skip_all "keepalived is not installed"
command -v ipvsadm >/dev/null || skip_all "ipvsadm is not installed"
command -v socat >/dev/null || skip_all "socat is not installed"
grep -q '^ip_vs ' /proc/modules && skip_all "in-tree ip_vs is loaded"
nfvs_loaded && rmmod nfvs

if [ "$subject" = ipvs ]; then
	echo "# NFVS_LB=ipvs: against in-tree IPVS"
	check "in-tree ip_vs loads" modprobe ip_vs
else
	check "nfvs loads (ipvs_compat=1 by default)" nfvs_load
fi
check "real server namespaces and links come up" setup_topology
for ns in $rs1 $rs2; do
	listen "$ns" 8080
	listen "$ns" 80
done
check "real servers listen" bash -c "$(declare -f listening); listening $rs1 8080 &&
	listening $rs1 80 && listening $rs2 8080 && listening $rs2 80"
check "director reaches the real servers" \
	bash -c "socat -u OPEN:/dev/null TCP:10.0.1.2:8080 && socat -u OPEN:/dev/null TCP:10.0.2.2:80"
check_eq "no virtual service before keepalived starts" "" "$(table)"

if keepalived -t -f "$dir/keepalived.conf" >"$dir/configtest" 2>&1; then
	ok "keepalived accepts the configuration (keepalived -t)"
else
	not_ok "keepalived accepts the configuration (keepalived -t)"
	sed 's/^/# /' "$dir/configtest"
fi
keepalived --dont-fork --check --log-console --log-detail --no-syslog \
	--use-file="$dir/keepalived.conf" --pid="$dir/keepalived.pid" \
	--checkers_pid="$dir/checkers.pid" --vrrp_pid="$dir/vrrp.pid" \
	--bfd_pid="$dir/bfd.pid" >"$dir/log" 2>&1 </dev/null &
kpid=$!

table_becomes "keepalived brings up both services with their real servers" "$full"

unlisten "$rs2" 8080
table_becomes "NAT real server 10.0.2.2:8080 removed when its listener stops" \
	"$(grep -v '10.0.2.2:8080' <<<"$full")"
listen "$rs2" 8080
table_becomes "and added back when it listens again" "$full"

unlisten "$rs1" 80
table_becomes "DR real server 10.0.1.2:80 (inhibit_on_failure) gets weight 0 when its listener stops" \
	"$(sed 's/^-> 10.0.1.2:80 Route 1$/-> 10.0.1.2:80 Route 0/' <<<"$full")"
listen "$rs1" 80
table_becomes "and its weight 1 back when it listens again" "$full"

unlisten "$rs2" 80
table_becomes "DR real server 10.0.2.2:80 removed when its listener stops" \
	"$(grep -v '10.0.2.2:80 ' <<<"$full")"
listen "$rs2" 80
table_becomes "and added back when it listens again" "$full"

check "keepalived is still running" kill -0 "$kpid"
term_wait "$kpid" 20
check_eq "keepalived stops within 20 s of SIGTERM, exit status 0" 0 $?
kpid=
check_eq "keepalived removed the services when it stopped" "" "$(table)"
check_eq "keepalived logged no IPVS or netlink error" "" "$(keepalived_errors "$dir/log")"
if [ "$nfvs_failed" != 0 ]; then
	echo "# keepalived log (last 40 lines):"
	tail -n 40 "$dir/log" | sed 's/^/#   /'
fi

if [ "$subject" != ipvs ]; then
	check_eq "in-tree ip_vs never got loaded (keepalived modprobes it without family IPVS)" \
		"" "$(awk '$1 ~ /^ip_vs/ { print $1 }' /proc/modules | tr '\n' ' ')"
	check "nfvs unloads" nfvs_unload
fi
tap_done
