#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The connection table as users read it: /proc/net/ip_vs_conn and
# ipvsadm -Lnc, for NAT connections through the director:
#
#   client c-SFX           director d-SFX                    rs1-SFX
#   10.0.1.2/24 --veth-- 10.0.1.1/24, VIP 10.0.1.100  10.0.2.1/24 --veth-- 10.0.2.2/24
#                                                    10.0.3.1/24 --veth-- 10.0.3.2/24
#                                                                          rs2-SFX
#
#   VIP:80/tcp, VIP:53/udp, VIP:54/udp  --rr, NAT-->  10.0.2.2, 10.0.3.2
#
# Four TCP connections are held open, then closed; four UDP flows get an
# answer; then 3000 UDP flows (one datagram each, from 3000 source ports;
# the real servers drop them) must each be listed exactly once, however the
# file is read: cat, small reads, a second pass after a seek to 0, ipvsadm.
# Finally nfvs unloads while a reader keeps the file open mid-table, and
# with ipvs_compat=0 the same list is /proc/net/nfvs_conn.
#
# In the debug profile (lib.sh) two TCP connections and two UDP flows
# (one to each real server) are listed, and the bulk is 300 flows, not
# 3000: still some twenty kilobytes of lines, several times the page a
# read returns at most, so that every way of reading still stops and
# resumes the walk of the table.
#
# A program start is dear on the debug kernel: the script reads the table
# and the answers with the shell's builtins rather than cat, grep, awk or
# cut, and sets up the services with one ipvsadm -R.

# The script's directory, without starting dirname.
here=.
[[ $0 == */* ]] && here=${0%/*}
# shellcheck source=lib.sh
. "$here/lib.sh"
# shellcheck source=lib_nat.sh
. "$here/lib_nat.sh"
# The TCP connections, and as many UDP flows; six results for each.
nc=$(volume 4 2)
plan $((29 + 6 * nc))

client=10.0.1.2
genl_py=$here/nfvs_genl.py
tmp=$(mktemp -d)
bulk=$(volume 3000)

cleanup() {
	nat_cleanup
	rm -rf "$tmp"
}

command -v ipvsadm >/dev/null || skip_all "ipvsadm is not installed"
command -v python3 >/dev/null || skip_all "no python3"

# rs_serve NS I: over TCP :80 a greeting, then the connection is held until
# the client closes it; an answer over UDP :53; UDP :54 dropped.
rs_serve() {
	nat_greet "$1" "rs$2" --peer --hold --tcp 80 --udp 53 &&
		ip netns exec "$1" iptables -A INPUT -p udp --dport 54 -j DROP
}

# services: nat_service's three services (round robin over both real
# servers, NAT, on the same port) by one ipvsadm -R. It exits with the
# status of its last line, but reports every failure on stderr: a message
# fails it too.
services() {
	local p err
	err=$(for p in "-t 80" "-u 53" "-u 54"; do
		echo "-A ${p% *} $vip:${p#* } -s rr"
		echo "-a ${p% *} $vip:${p#* } -r 10.0.2.2:${p#* } -m"
		echo "-a ${p% *} $vip:${p#* } -r 10.0.3.2:${p#* } -m"
	done | dx ipvsadm -R 2>&1) && [ -z "$err" ]
}

# answered FILE...: how many lines of the FILEs are answers ("rsN ...").
answered() {
	local f n=0
	for f in "$@"; do
		n=$((n + $(count '^rs' "$(<"$f")")))
	done
	echo $n
}

# name FILE: the first word of each line of FILE, as cut -d' ' -f1 prints
# it: the name of the real server that answered.
name() {
	local l
	while IFS= read -r l || [ -n "$l" ]; do
		echo "${l%% *}"
	done <"$1"
}

# hexip A.B.C.D: the address as /proc/net/ip_vs_conn prints it.
hexip() {
	local IFS=.
	# shellcheck disable=SC2086
	printf '%02X%02X%02X%02X' $1
}

# rip NAME: the real server's address, from the name it answers with.
rip() {
	case "$1" in
	rs1) echo 10.0.2.2 ;;
	rs2) echo 10.0.3.2 ;;
	*) echo "?" ;;
	esac
}

# row PROTO CPORT: the line of /proc/net/ip_vs_conn (in $conns) for a
# client port.
row() {
	local l w cp
	printf -v cp %04X "$2"
	while IFS= read -r l; do
		read -r -a w <<<"$l"
		[ "${w[0]}" = "$1" ] && [ "${w[2]}" = "$cp" ] && printf '%s\n' "$l"
	done <<<"$conns"
}

# expect_row DESC PROTO CPORT VPORT RIP STATE MIN MAX: the line reads exactly
# as IPVS would print it, with an expiry between MIN and MAX seconds.
expect_row() {
	local desc=$1 proto=$2 cport=$3 vport=$4 rip=$5 state=$6 min=$7 max=$8
	local line exp want
	line=$(row "$proto" "$cport")
	exp=$(field 9 ^ "$line")
	want=$(printf '%-3s %08X %04X %08X %04X %08X %04X %-11s %7u' "$proto" \
		"0x$(hexip $client)" "$cport" "0x$(hexip $vip)" "$vport" \
		"0x$(hexip "$rip")" "$vport" "$state" "${exp:-0}")
	check_eq "$desc" "$want" "$line"
	if [ -n "$exp" ] && [ "$exp" -ge "$min" ] && [ "$exp" -le "$max" ]; then
		ok "$desc: expires in $exp s ($min..$max)"
	else
		not_ok "$desc: expires in ${exp:-?} s, not in $min..$max"
	fi
}

# lnc PROTO CPORT: the ipvsadm -Lnc line of a client port, as
# "state source virtual destination".
lnc() {
	local w
	while read -r -a w; do
		[ "${w[0]}" = "$1" ] && [ "${w[3]}" = "$client:$2" ] &&
			echo "${w[2]} ${w[3]} ${w[4]} ${w[5]}"
	done <<<"$ipvsadm_conns"
}

check "nfvs loads" nfvs_load
check "topology comes up" nat_setup 2 rs_serve
check "NAT services: TCP :80, UDP :53 and :54 over two real servers" services
check_eq "empty table: the header only" \
	"Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData" \
	"$(dx cat /proc/net/ip_vs_conn)"

# Four TCP connections, each held open by a socat whose stdin is a FIFO
# (made by one mkfifo).
fifos=()
for ((i = 1; i <= nc; i++)); do
	fifos+=("$tmp/in$i")
done
mkfifo "${fifos[@]}" "$tmp/reader"
fds=()
for ((i = 1; i <= nc; i++)); do
	ip netns exec $c socat -t 2 - TCP:$vip:80,sourceport=$((41000 + i)) \
		<"$tmp/in$i" >"$tmp/out$i" 2>/dev/null &
	exec {fd}>"$tmp/in$i"
	fds+=("$fd")
done
for _ in {1..50}; do
	[ "$(answered "$tmp"/out*)" = "$nc" ] && break
	sleep 0.2
done
check_eq "$nc TCP connections answered" "$nc" "$(answered "$tmp"/out*)"
for ((i = 1; i <= nc; i++)); do
	echo q | ip netns exec $c socat -T 5 - UDP:$vip:53,sourceport=$((42000 + i)) \
		>"$tmp/udp$i"
done
check_eq "$nc UDP flows answered" "$nc" "$(answered "$tmp"/udp*)"

conns=$(dx cat /proc/net/ip_vs_conn)
comment <<<"$conns"
check_eq "$((2 * nc)) connections listed" "$((2 * nc))" "$(count '^(TCP|UDP) ' "$conns")"
for ((i = 1; i <= nc; i++)); do
	expect_row "TCP $client:$((41000 + i)) ESTABLISHED to its real server" \
		TCP $((41000 + i)) 80 "$(rip "$(name "$tmp/out$i")")" \
		ESTABLISHED 800 900
done
for ((i = 1; i <= nc; i++)); do
	expect_row "UDP $client:$((42000 + i)) to its real server" \
		UDP $((42000 + i)) 53 "$(rip "$(name "$tmp/udp$i")")" \
		UDP 200 300
done

ipvsadm_conns=$(dx ipvsadm -Lnc)
comment <<<"$ipvsadm_conns"
check_eq "ipvsadm -Lnc: $((2 * nc)) entries" "$((2 * nc))" \
	"$(count '^(TCP|UDP) ' "$ipvsadm_conns")"
check_eq "ipvsadm -Lnc: TCP $client:41001 ESTABLISHED, VIP and real server" \
	"ESTABLISHED $client:41001 $vip:80 $(rip "$(name "$tmp/out1")"):80" \
	"$(lnc TCP 41001)"
check_eq "ipvsadm -Lnc: UDP $client:42001, VIP and real server" \
	"UDP $client:42001 $vip:53 $(rip "$(name "$tmp/udp1")"):53" \
	"$(lnc UDP 42001)"
# The lines of this namespace's table (wc -l).
mapfile -t own </proc/net/ip_vs_conn
check_eq "another namespace's table is empty" "1" "${#own[@]}"

# Closing: the client's EOF ends each server's cat, both sides send FIN.
for fd in "${fds[@]}"; do
	exec {fd}>&-
done
wait_closed() {
	local i
	for i in {1..50}; do
		[ "$(count '^TCP .* (TIME_WAIT|CLOSE) ' "$(dx cat /proc/net/ip_vs_conn)")" = "$nc" ] &&
			return 0
		sleep 0.2
	done
	return 1
}
check "closed TCP connections leave ESTABLISHED" wait_closed
conns=$(dx cat /proc/net/ip_vs_conn)
while IFS= read -r l; do
	[[ $l == TCP* ]] && echo "# $l"
done <<<"$conns"
for ((i = 1; i <= nc; i++)); do
	state=$(field 8 ^ "$(row TCP $((41000 + i)))")
	[ "$state" = CLOSE ] || state=TIME_WAIT
	expect_row "TCP $client:$((41000 + i)) after close: $state" \
		TCP $((41000 + i)) 80 "$(rip "$(name "$tmp/out$i")")" \
		"$state" 1 120
done
check_eq "closed TCP connections are inactive on their real servers" "0 0" \
	"$(field 5 '-> 10.0.[23].2:80' "$(dx ipvsadm -Ln)")"

# Many flows: every one listed once, whichever way the file is read.
ip netns exec $c python3 -S - "$client" "$vip" "$bulk" <<'EOF'
import socket, sys
client, vip, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
for port in range(30000, 30000 + n):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((client, port))
    s.sendto(b"x", (vip, 54))
    s.sendto(b"x", (vip, 54))
    s.close()
EOF
sleep 1		# the table finishes growing
stats=$(dx ipvsadm -Ln --stats)
svc54=
while read -r -a w; do
	[ "${w[0]}" = UDP ] && [ "${w[1]}" = "$vip:54" ] && svc54+=${svc54:+$'\n'}${w[2]}
done <<<"$stats"
check_eq "$bulk connections on the UDP :54 service" "$bulk" "$svc54"

# bulk_count: "lines distinct" of the :54 flows in stdin (one awk: the
# lines are too many for a loop of the shell).
bulk_count() {
	awk '/^UDP .* 0036 / { n++; if (!seen[$3]++) u++ } END { print n + 0, u + 0 }'
}
start=${EPOCHREALTIME/./}
check_eq "cat: $bulk flows, each once" "$bulk $bulk" \
	"$(dx cat /proc/net/ip_vs_conn | bulk_count)"
echo "# cat of $((bulk + 2 * nc)) lines: $(((${EPOCHREALTIME/./} - start) / 1000)) ms"
check_eq "reads of 97 bytes: $bulk flows, each once" "$bulk $bulk" \
	"$(dx dd if=/proc/net/ip_vs_conn bs=97 status=none | bulk_count)"
check_eq "reads of 4000 bytes, seek to 0, reads of 333 bytes: twice $bulk flows" \
	"$((2 * bulk)) $bulk" "$(dx python3 -S -c '
import os, sys
fd = os.open("/proc/net/ip_vs_conn", os.O_RDONLY)
for size in (4000, 333):
    os.lseek(fd, 0, os.SEEK_SET)
    while True:
        b = os.read(fd, size)
        if not b:
            break
        sys.stdout.buffer.write(b)
' | bulk_count)"
check_eq "ipvsadm -Lnc: $bulk flows, each once" "$bulk $bulk" "$(dx ipvsadm -Lnc |
	awk -v v="$vip:54" '$1 == "UDP" && $5 == v { n++; if (!seen[$4]++) u++ } END { print n + 0, u + 0 }')"

# A reader stopped in the middle of the table holds an entry; unloading
# nfvs closes its file under it (the read then fails, the kernel stays
# quiet). Its FIFO was made with the others.
dx python3 -S -c '
import os, sys
fd = os.open("/proc/net/ip_vs_conn", os.O_RDONLY)
os.read(fd, 1000)
print("reading", flush=True)
sys.stdin.read()
try:
    os.read(fd, 1000)
    print("read")
except OSError as e:
    print("errno", e.errno)
' <"$tmp/reader" >"$tmp/reader.out" &
reader=$!
exec {rfd}>"$tmp/reader"
# reading: the reader said it reads (quiet while its output file is not
# there yet).
reading() {
	[[ $(<"$tmp/reader.out") == *reading* ]] 2>/dev/null
}
for _ in {1..50}; do
	reading && break
	sleep 0.2
done
check "a reader holds the file open mid-table" reading
check "nfvs unloads with connections listed and a reader mid-table" nfvs_unload
exec {rfd}>&-
wait $reader
mapfile -t said <"$tmp/reader.out"
check_eq "the reader's next read fails with EIO" "errno 5" "${said[*]: -1}"

# ipvs_compat=0: the same list under nfvs's own name.
check "nfvs loads with ipvs_compat=0" insmod "$NFVS_KO" ipvs_compat=0
# nfvs_family_service: the service and its real server by one
# nfvs_genl.py process (a Python start is dear on the debug kernel).
nfvs_family_service() {
	dx python3 -S "$genl_py" --family nfvs batch "$tmp" <<-EOF || return 1
		svc add-service udp $vip:53 --sched rr
		dest add-dest udp $vip:53 10.0.2.2:53 --fwd nat
	EOF
	[ "$(<"$tmp/svc.rc")" = 0 ] && [ "$(<"$tmp/dest.rc")" = 0 ]
}
check "UDP :53 service through the nfvs family" nfvs_family_service
echo q | ip netns exec $c socat -T 5 - UDP:$vip:53,sourceport=42009 >"$tmp/udp9"
check_eq "UDP flow answered by rs1" "rs1 $client" "$(<"$tmp/udp9")"
check "no /proc/net/ip_vs_conn with ipvs_compat=0" dx test ! -e /proc/net/ip_vs_conn
conns=$(dx cat /proc/net/nfvs_conn)
expect_row "/proc/net/nfvs_conn lists the flow" UDP 42009 53 10.0.2.2 UDP 200 300

cleanup
# All gone: the EXIT trap would only look again (programs for nothing).
trap - EXIT
check_eq "no module reference held" "0" "$(nfvs_refcnt)"
check "nfvs unloads" nfvs_unload
tap_done
