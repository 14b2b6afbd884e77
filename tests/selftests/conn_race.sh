#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A flow's first packets handled on two CPUs at once (two senders, one per
# CPU, with the same flows, in step: the veth hands each packet to the
# receive path on its sender's CPU). Both reach nfvs's lookup before either
# has made the connection; one connection must come of it, and one
# persistence template per client, as if the packets had come one after
# the other. In the NAT topology of lib_nat.sh (the real servers drop the
# datagrams):
#
#   VIP:54/udp  rr                 500 flows from one client address
#   VIP:55/udp  rr, persistent     100 client addresses (.110 on), two flows each,
#                                  one per sender
#
# Needs 2 CPUs (make check boots this script's guest with 2 vCPUs). The
# same runs against in-tree IPVS in the same guest; its figures are printed,
# not judged.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib_nat.sh
. "$(dirname "$0")/lib_nat.sh"
plan 7

flows=${NFVS_RACE_FLOWS:-500}
clients=100
tmp=$(mktemp -d)
declare -A result

cleanup() {
	nat_cleanup
	rm -rf "$tmp"
}

[ "$(nproc)" -ge 2 ] || skip_all "one CPU: nothing runs at once"

rs_drop() {
	ip netns exec "$1" iptables -A INPUT -p udp -j DROP
}

# senders: one sender per CPU, in step: before each flow both wait for the
# other (a barrier in shared memory), then send its first datagram at once.
# The flows of :54 (ports 20000 on, the same for both), then a flow to :55
# from each client address (port 21000 for the first sender, 22000 for the
# second).
senders() {
	ip netns exec "$c" python3 -S - "$vip" "$flows" "$clients" <<-'EOF'
	import mmap, os, socket, struct, sys
	vip, flows, clients = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
	shared = mmap.mmap(-1, 8)
	pid = os.fork()
	me = 1 if pid == 0 else 0
	os.sched_setaffinity(0, {me})
	def step(k):
	    shared[4 * me:4 * me + 4] = struct.pack("I", k)
	    while struct.unpack("I", shared[4 * (1 - me):4 * (1 - me) + 4])[0] < k:
	        pass
	def send(k, src, port, dport):
	    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
	    s.bind((src, port))
	    step(k)
	    s.sendto(b"x", (vip, dport))
	    s.close()
	for k in range(flows):
	    send(k + 1, "10.0.1.2", 20000 + k, 54)
	for i in range(clients):
	    send(flows + i + 1, "10.0.1.%d" % (110 + i), 21000 + 1000 * me, 55)
	if pid:
	    os.waitpid(pid, 0)
	else:
	    os._exit(0)
	EOF
}

# race LB: the scenario on the balancer loaded; prints "connections of :54,
# templates of :55, clients of :55 split over two real servers".
race() {
	local stats lnc conns tpl split
	dx ipvsadm -C
	nat_service -u 54 -s rr && nat_service -u 55 -s rr -p 60 || return 1
	senders
	sleep 1
	stats=$(dx ipvsadm -Ln --stats)
	conns=$(awk -v v="$vip:54" '$1 == "UDP" && $2 == v { print $3 }' <<<"$stats")
	lnc=$(dx ipvsadm -Lnc)
	tpl=$(dx ipvsadm -Ln --persistent-conn -u "$vip:55" |
		awk '$1 == "->" && $2 ~ /^[0-9]/ { n += $4 } END { print n + 0 }')
	split=$(awk -v v="$vip:55" '$1 == "UDP" && $5 == v && $4 !~ /:0$/ {
			split($4, a, ":"); split($6, r, ":")
			if (!(a[1] in rs)) rs[a[1]] = r[1]
			else if (rs[a[1]] != r[1]) n++
		} END { print n + 0 }' <<<"$lnc")
	echo "${conns:-?} $tpl $split"
}

check "nfvs loads" nfvs_load
addrs=()
for i in $(seq 0 $((clients - 1))); do
	addrs+=("10.0.1.$((110 + i))")
done
check "topology comes up" nat_setup 2 rs_drop "${addrs[@]}"

read -r conns tpl split <<<"$(race nfvs)"
result[nfvs]="$conns connections, $tpl templates, $split clients split"
check_eq "$flows flows sent from two CPUs at once: $flows connections" \
	"$flows" "$conns"
check_eq "$clients persistent clients, two flows each from two CPUs: $clients templates" \
	"$clients" "$tpl"
check_eq "no client's flows on two real servers" "0" "$split"
dx ipvsadm -C
check_eq "no module reference held" "0" "$(nfvs_refcnt)"
check "nfvs unloads" nfvs_unload

if modprobe ip_vs 2>/dev/null; then
	read -r conns tpl split <<<"$(race ipvs)"
	result[ipvs]="$conns connections, $tpl templates, $split clients split"
	dx ipvsadm -C
	ipvs_unload
fi
echo "# side by side ($flows flows, $clients persistent clients, $(nproc) CPUs):"
echo "# nfvs:         ${result[nfvs]}"
echo "# in-tree IPVS: ${result[ipvs]:-not run}"
cleanup
tap_done
