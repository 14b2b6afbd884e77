#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The benchmark inside one guest (bench/run.sh boots it): the same topology
# and the same ipvsadm configuration for each balancer in turn, in-tree IPVS
# and nfvs, each with conntrack=0 and conntrack=1, one unloaded before the
# next is loaded. Prints TAP (one line per measurement) and writes every
# sample to $NFVS_RESULTS/bench.tsv as
#   kernel  balancer  metric  sample  value
#
#   gen 10.0.1.2 --- 10.0.1.1 lb 10.0.2.1 --- 10.0.2.2,.3 rs
#      10.0.3.1 -------------------------------- 10.0.3.2
#
# gen sends (pktgen for UDP, bench/nbench for TCP), lb is the director (VIP
# 10.0.9.1), rs the real servers. DR replies come back over the direct
# link (rs routes what it sends from the VIP there); NAT replies go through
# the director. UDP is dropped on arrival at rs (tc), after it is counted.
#
# Knobs (NFVS_GUEST_ENV): NFVS_BENCH_BALANCERS, NFVS_BENCH_SIZES,
# NFVS_BENCH_REPS (samples per figure), NFVS_BENCH_WINDOW (seconds each).
# shellcheck disable=SC2317
. "$NFVS_TOP/tests/selftests/lib.sh"

balancers=${NFVS_BENCH_BALANCERS:-"ipvs-ct0 ipvs-ct1 nfvs-ct0 nfvs-ct1"}
sizes=${NFVS_BENCH_SIZES:-"1000 100000 1000000"}
reps=${NFVS_BENCH_REPS:-5}
window=${NFVS_BENCH_WINDOW:-2}
nbench=$(dirname "$(dirname "$NFVS_KO")")/bench/nbench
out=${NFVS_RESULTS:-/tmp}/bench.tsv
kernel=$(uname -r)
vip=10.0.9.1
src_ip=0	# the next client address of the connection-rate tests
pin0="" pin1=""	# CPU pinning, with two CPUs

cleanup() {
	ns_del gen lb rs
}
trap cleanup EXIT

# measure DESC CMD...: one test that passes when CMD succeeds; CMD's output
# (comment lines) goes into the TAP stream.
measure() {
	local desc=$1
	shift
	if "$@"; then
		ok "$desc"
	else
		not_ok "$desc"
	fi
}

say() { echo "# $(cut -d' ' -f1 /proc/uptime)s $*"; }

# record BALANCER METRIC SAMPLE VALUE
record() {
	printf '%s\t%s\t%s\t%s\t%s\n' "$kernel" "$1" "$2" "$3" "$4" >>"$out"
}

topo() {
	local ns r0 l1
	for ns in gen lb rs; do
		ip netns add $ns && ip -n $ns link set lo up || return 1
	done
	ip -n gen link add g0 type veth peer name l0 netns lb &&
	ip -n lb link add l1 type veth peer name r0 netns rs &&
	ip -n gen link add g1 type veth peer name r1 netns rs || return 1
	ip -n gen addr add 10.0.1.2/24 dev g0
	ip -n gen addr add 10.0.3.1/24 dev g1
	ip -n lb addr add 10.0.1.1/24 dev l0
	ip -n lb addr add 10.0.2.1/24 dev l1
	ip -n lb addr add $vip/32 dev lo
	ip -n rs addr add 10.0.2.2/24 dev r0
	ip -n rs addr add 10.0.2.3/24 dev r0
	ip -n rs addr add 10.0.3.2/24 dev r1
	ip -n rs addr add $vip/32 dev lo
	for ns in gen:g0 gen:g1 lb:l0 lb:l1 rs:r0 rs:r1; do
		ip -n "${ns%:*}" link set "${ns#*:}" up || return 1
	done
	# Fixed neighbours between director and real servers: under a flood,
	# the ARP replies wait in the director's backlog with the flood and
	# are dropped, the entries stay INCOMPLETE, and nothing reaches the
	# real servers for seconds (seen on 7.3 at large tables, for both
	# balancers, with path() below).
	r0=$(ip -n rs -br link show r0 | awk '{ print $3 }')
	l1=$(ip -n lb -br link show l1 | awk '{ print $3 }')
	ip -n lb neigh replace 10.0.2.2 lladdr "$r0" dev l1 nud permanent &&
	ip -n lb neigh replace 10.0.2.3 lladdr "$r0" dev l1 nud permanent &&
	ip -n rs neigh replace 10.0.2.1 lladdr "$l1" dev r0 nud permanent || return 1
	ip -n gen route add default via 10.0.1.1
	ip -n lb route add 10.1.0.0/15 via 10.0.1.2
	ip -n rs route add default via 10.0.2.1
	# DR: what the real servers send from the VIP goes back directly.
	ip -n rs rule add from $vip lookup 100
	ip -n rs route add default via 10.0.3.1 dev r1 table 100
	nx rs sysctl -qw net.ipv4.conf.all.arp_ignore=1 \
		net.ipv4.conf.all.arp_announce=2
	nx lb sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.l0.rp_filter=0
	nx gen sysctl -qw net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.g1.rp_filter=0 \
		net.ipv4.ip_local_port_range="1024 65000"
	# Two CPUs: the sender on CPU 0, the director's work on CPU 1 (RPS).
	if [ "$(nproc)" -ge 2 ]; then
		nx lb sh -c 'echo 2 >/sys/class/net/l0/queues/rx-0/rps_cpus'
		pin0="taskset -c 0" pin1="taskset -c 1"
	fi
	# UDP ends at the real servers' door, counted: no ICMP errors back.
	modprobe -q sch_ingress; modprobe -q cls_flower; modprobe -q act_gact
	tc -n rs qdisc add dev r0 clsact &&
	tc -n rs filter add dev r0 ingress protocol ip flower ip_proto udp \
		action drop || return 1
	# The TCP servers of the connection-rate tests, NAT on 80, DR on 81.
	nx rs $pin1 "$nbench" serve 80 &
	nx rs $pin1 "$nbench" serve 81 &
	modprobe pktgen || return 1
	lb_mac=$(ip -n lb -br link show l0 | awk '{ print $3 }')
}

# Conntrack sized for the largest test, in every balancer's run alike.
conntrack_setup() {
	modprobe nf_conntrack || return 1
	echo 1048576 >/sys/module/nf_conntrack/parameters/hashsize
	sysctl -qw net.netfilter.nf_conntrack_max=4194304
}

# lb_up BALANCER: loads it and configures the same services with ipvsadm.
lb_up() {
	local lb=${1%-ct*} ct=${1#*-ct} d
	if [ "$lb" = nfvs ]; then
		insmod "$NFVS_KO" || return 1
	else
		modprobe ip_vs && modprobe ip_vs_rr || return 1
	fi
	nx lb sysctl -qw net.ipv4.vs.conntrack="$ct" || return 1
	if [ "$ct" = 1 ]; then
		# A stateful firewall's minimum: conntrack runs in the director's
		# namespace (in-tree IPVS does not start it by itself) and a
		# rule looks at the state. The same for both balancers.
		nx lb nft -f - <<-EOF || return 1
		table ip bench {
			chain bforward { type filter hook forward priority 0; ct state invalid counter; }
			chain binput { type filter hook input priority 0; ct state invalid counter; }
		}
		EOF
		nx lb sysctl -qw net.netfilter.nf_conntrack_udp_timeout=900 \
			net.netfilter.nf_conntrack_udp_timeout_stream=900
	fi
	nx lb ipvsadm --set 0 0 900 || return 1
	nx lb ipvsadm -A -u $vip:5000 -s rr &&
	nx lb ipvsadm -A -t $vip:80 -s rr &&
	nx lb ipvsadm -A -t $vip:81 -s rr || return 1
	for d in 10.0.2.2 10.0.2.3; do
		nx lb ipvsadm -a -u $vip:5000 -r $d:5000 -m &&
		nx lb ipvsadm -a -t $vip:80 -r $d:80 -m &&
		nx lb ipvsadm -a -t $vip:81 -r $d:81 -g || return 1
	done
}

lb_down() {
	local lb=${1%-ct*} m
	nx lb nft delete table ip bench 2>/dev/null
	if [ "$lb" = nfvs ]; then
		rmmod nfvs || return 1
	else
		nx lb ipvsadm -C
		for m in $(awk '$1 ~ /^ip_vs/ { print $1 }' /proc/modules); do
			[ "$m" = ip_vs ] || rmmod "$m"
		done
		rmmod ip_vs || return 1
	fi
	nx lb conntrack -F >/dev/null 2>&1
	settle_memory
}

# The connections the director holds (the destinations' counters).
lb_conns() {
	nx lb ipvsadm -Ln | awk '$1 == "->" && $2 ~ /:/ { n += $5 + $6 }
		END { print n + 0 }'
}

ct_count() {
	nx lb cat /proc/sys/net/netfilter/nf_conntrack_count 2>/dev/null || echo 0
}

# Empty slabs back to the page allocator, so that growth is measured.
# Also waits until the last balancer's connections are freed (a million
# of them go after a grace period, for tens of seconds under emulation):
# slab no longer shrinking, then the next one is measured on a quiet guest.
settle_memory() {
	local f prev now i
	sync
	echo 3 >/proc/sys/vm/drop_caches
	now=$(memory_kb)
	for ((i = 0; i < 60; i++)); do
		sleep 2
		for f in /sys/kernel/slab/*/shrink; do
			echo 1 >"$f" 2>/dev/null
		done
		prev=$now
		now=$(memory_kb)
		[ $((prev - now)) -lt 1024 ] && break
	done
}

# memory_kb: slab plus vmalloc (hash tables), in KiB.
memory_kb() {
	awk '$1 == "Slab:" || $1 == "VmallocUsed:" { n += $2 } END { print n }' \
		/proc/meminfo
}

ip_plus() {
	local a=$1 n=$2 o1 o2 o3 o4 v
	IFS=. read -r o1 o2 o3 o4 <<<"$a"
	v=$(((o1 << 24) + (o2 << 16) + (o3 << 8) + o4 + n))
	echo "$((v >> 24 & 255)).$((v >> 16 & 255)).$((v >> 8 & 255)).$((v & 255))"
}

# pg FILE:COMMAND...: each COMMAND written to /proc/net/pktgen/FILE in
# gen, in order, by one shell (a program started costs more than the
# writes under emulation); a refused one is reported.
pg() {
	local a script=
	for a in "$@"; do
		script="$script echo '${a#*:}' >/proc/net/pktgen/${a%%:*} ||
			echo '# pktgen refused: ${a%%:*}: ${a#*:}' >&2;"
	done
	nx gen sh -c "$script"
}

# pg_setup DST DPORT NIPS NPORTS COUNT [SRC]: pktgen on g0, UDP to
# DST:DPORT from NIPS addresses (SRC, default 10.1.0.1, on) times NPORTS
# ports (1000 on), both stepped with each packet: NIPS and NPORTS coprime
# give NIPS*NPORTS flows.
pg_setup() {
	local src=${6:-10.1.0.1}
	pg "kpktgend_0:rem_device_all" "kpktgend_0:add_device g0" \
		"g0:count $5" "g0:clone_skb 0" "g0:pkt_size 60" "g0:delay 0" \
		"g0:dst $1" "g0:dst_mac $lb_mac" \
		"g0:udp_dst_min $2" "g0:udp_dst_max $2" \
		"g0:src_min $src" "g0:src_max $(ip_plus "$src" $(($3 - 1)))" \
		"g0:udp_src_min 1000" "g0:udp_src_max $((1000 + $4))"
}

rs_rx() {
	nx rs cat /sys/class/net/r0/statistics/rx_packets
}

# path: where the packets go, for a window that delivered nothing (taken
# twice, a second apart, while pktgen still sends): the sender's g0, the
# director's l0 in (and dropped) and l1 out, the real servers' r0, the
# backlog drops, the director's neighbours. Only then: its seven programs
# would cost more than a one-second window under emulation.
path() {
	local s=/sys/class/net d drops=0 a b rest
	while read -r a b rest; do
		drops=$((drops + 0x$b))
	done </proc/net/softnet_stat
	echo "g0_tx=$(nx gen cat $s/g0/statistics/tx_packets)" \
		"l0_rx=$(nx lb cat $s/l0/statistics/rx_packets)" \
		"l0_drop=$(nx lb cat $s/l0/statistics/rx_dropped)" \
		"l1_tx=$(nx lb cat $s/l1/statistics/tx_packets)" \
		"r0_rx=$(rs_rx) backlog_drops=$drops" \
		"neigh=$(ip -n lb neigh show dev l1 | awk '{ printf "%s%s:%s", s, $1, $NF; s = "," }')"
}

# udp_rate BALANCER METRIC: the pktgen set up runs without end; the packets
# the real servers receive in each of $reps windows, per second.
udp_rate() {
	local lb=$1 metric=$2 i t0 t1 c0 c1 rate rates=""
	nx gen sh -c 'echo start >/proc/net/pktgen/pgctrl' &
	local pgpid=$!
	sleep 1
	t0=$EPOCHREALTIME
	c0=$(rs_rx)
	for ((i = 1; i <= reps; i++)); do
		sleep "$window"
		t1=$EPOCHREALTIME
		c1=$(rs_rx)
		rate=$(awk -v a="$c0" -v b="$c1" -v s="$t0" -v e="$t1" \
			'BEGIN { printf "%.0f", (b - a) / (e - s) }')
		record "$lb" "$metric" "$i" "$rate"
		[ "$c1" = "$c0" ] &&
			say "$lb $metric window $i delivered nothing: $(path); a second later $(sleep 1; path)"
		rates="$rates $rate"
		t0=$t1
		c0=$c1
	done
	nx gen sh -c 'echo stop >/proc/net/pktgen/pgctrl'
	wait "$pgpid" 2>/dev/null
	say "$lb $metric pps:$rates"
	[ -n "$rates" ] && [ "${rates##* }" -gt 0 ]
}

# fill N NIPS: sends one packet per flow of an N-flow range until the
# director holds (nearly) N connections, or for NFVS_BENCH_FILL_MAX seconds
# (150: in-tree IPVS's fixed table makes the last passes to a million
# slow); echoes the count, the passes and the seconds.
fill() {
	local n=$1 nips=$2 pass conns t0=$SECONDS
	for ((pass = 1; pass <= 8; pass++)); do
		pg_setup $vip 5000 "$nips" 1000 "$((nips * 1000))"
		nx gen sh -c 'echo start >/proc/net/pktgen/pgctrl'
		conns=$(lb_conns)
		[ "$conns" -ge $((n * 995 / 1000)) ] && break
		[ $((SECONDS - t0)) -ge "${NFVS_BENCH_FILL_MAX:-150}" ] && break
	done
	echo "$conns $pass $((SECONDS - t0))"
}

# conn_rate BALANCER METRIC PORT: TCP connections opened and closed per
# second through the VIP; each sample from a client address of its own,
# so that no port is reused.
conn_rate() {
	local lb=$1 metric=$2 port=$3 i line rates="" src
	for ((i = 1; i <= reps; i++)); do
		src_ip=$((src_ip + 1))
		src=10.0.1.$((100 + src_ip))
		ip -n gen addr add $src/24 dev g0 2>/dev/null
		line=$(nx gen $pin0 "$nbench" connect $vip "$port" \
			"$window" 32 $src)
		set -- $line
		[ "$1" = conns ] || { echo "# nbench: $line" >&2; return 1; }
		record "$lb" "$metric" "$i" "${8%.*}"
		[ "$4" = 0 ] || record "$lb" "$metric-errors" "$i" "$4"
		rates="$rates ${8%.*}"
	done
	say "$lb $metric conn/s:$rates"
	[ "${rates##* }" -gt 0 ]
}

# bench_rates BALANCER: figures 1 and 2 on a fresh table.
bench_rates() {
	local lb=$1
	say "$lb: load"
	if ! lb_up "$lb"; then
		not_ok "$lb: loaded and configured"
		lb_down "$lb"
		return
	fi
	# 1. NAT forwarding of small UDP packets, 64 established flows.
	pg_setup $vip 5000 1 64 0
	measure "$lb: UDP NAT forwarding, 64 flows" udp_rate "$lb" udp_nat_pps
	# 2. New TCP connections per second, NAT and DR.
	measure "$lb: TCP connections per second, NAT" conn_rate "$lb" conn_nat 80
	measure "$lb: TCP connections per second, DR" conn_rate "$lb" conn_dr 81
	# New UDP flows, one packet each (10.2.0.0/16: addresses no other test
	# uses, 1,001,000 flows, more than the windows can use up): what the
	# director alone can do, while the TCP figures include the ends' work.
	pg_setup $vip 5000 1001 1000 0 10.2.0.1
	measure "$lb: new UDP NAT flows per second" udp_rate "$lb" udp_new_pps
	lb_down "$lb" || not_ok "$lb: unloaded"
}

# bench_scale BALANCER: figures 3 and 4, forwarding rate and memory with N
# live connections.
bench_scale() {
	local lb=$1 n nips conns ct m0 m1 passes secs
	lb_up "$lb" || { not_ok "$lb: loaded for the scaling test"; return; }
	m0=$(memory_kb)
	for n in $sizes; do
		case $n in
		1000) nips=1 ;;
		*) nips=$((n / 1000 + 1)) ;;	# coprime with 1000 ports
		esac
		read -r conns passes secs < <(fill "$n" "$nips")
		record "$lb" "fill_s_$n" 1 "$secs"
		ct=$(ct_count)
		m1=$(memory_kb)
		record "$lb" "conns_$n" 1 "$conns"
		record "$lb" "ct_$n" 1 "$ct"
		record "$lb" "mem_kb_$n" 1 "$((m1 - m0))"
		say "$lb: $conns connections ($passes passes, $secs s), $ct conntrack entries, +$((m1 - m0)) KiB"
		pg_setup $vip 5000 "$nips" 1000 0
		measure "$lb: UDP NAT forwarding with $conns connections" \
			udp_rate "$lb" "scale_pps_$n"
	done
	lb_down "$lb" || not_ok "$lb: unloaded after the scaling test"
}

: >"$out"
conntrack_setup || skip_all "no conntrack"
topo || { not_ok "topology"; tap_done; }
ok "topology (sender, director, real servers; $(nproc) CPUs)"

# Plain routing to a real server, no balancer: what the path costs alone.
settle_memory
pg_setup 10.0.2.2 5000 1 64 0
measure "routing only: UDP forwarding, 64 flows" udp_rate none udp_route_pps

# profile BALANCER: where the director's CPU goes while it forwards UDP
# over connections (the first of the sizes) (perf's cpu-clock samples, the CPU that does the
# director's work), into $NFVS_RESULTS/profile-BALANCER.txt.
profile() {
	local lb=$1 f=${NFVS_RESULTS:-/tmp}/profile-$1.txt cpu=0 n nips=1
	[ "$(nproc)" -ge 2 ] && cpu=1
	n=${sizes%% *}
	[ "$n" -gt 1000 ] && nips=$((n / 1000 + 1))
	lb_up "$lb" || { not_ok "$lb: loaded for the profile"; return; }
	fill "$n" "$nips" >/dev/null
	pg_setup $vip 5000 "$nips" 1000 0
	nx gen sh -c 'echo start >/proc/net/pktgen/pgctrl' &
	local pgpid=$!
	sleep 1
	perf record -q -o /tmp/perf.data -e cpu-clock -g -C "$cpu" -- \
		sleep "$((window * reps))" >/dev/null 2>&1
	nx gen sh -c 'echo stop >/proc/net/pktgen/pgctrl'
	wait "$pgpid"
	perf report -q -i /tmp/perf.data --stdio --no-children --sort sym \
		-g none --percent-limit 0.5 >"$f" 2>/dev/null
	measure "$lb: profile taken" test -s "$f"
	head -n 25 "$f" | sed 's/^/# /'
	lb_down "$lb"
}

# The rates of every balancer first, then the scaling tests, whose teardown
# of a million connections would otherwise precede the next rates.
for b in $balancers; do
	if [ -n "${NFVS_BENCH_PROFILE:-}" ]; then
		profile "$b"
	else
		bench_rates "$b"
	fi
done
if [ -z "${NFVS_BENCH_PROFILE:-}" ]; then
	for b in $balancers; do
		bench_scale "$b"
	done
fi
tap_done
