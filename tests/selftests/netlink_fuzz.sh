#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The generic netlink control plane survives malformed input and refuses bad
# requests cleanly:
#
#   fz-SFX (network namespace, no links)
#     netlink_fuzz.py --10,000 random/malformed messages--> genl family nfvs
#                                                  (and IPVS, the compat one)
#     nfvs_genl.py / ipvsadm --valid and invalid requests--> nfvs / IPVS
#
# A few services and destinations are set up; then targeted bad requests
# must each fail with the errno in-tree IPVS gives, a non-empty extack
# message and no change to the table. Then the fuzzer (seed printed;
# NFVS_FUZZ_SEED reproduces, NFVS_FUZZ_COUNT changes the count) checks that
# every answer is a well-formed ack, error, NLMSG_DONE or data message
# (10,000 messages, spread over make check's kernels: NFVS_SPREAD, lib.sh). After
# it the kernel still answers, the nfvs and IPVS views of the table agree
# with "ipvsadm -Sn", every destination belongs to a service, a flush
# empties the table and the module unloads.
#
# In the debug profile (debug_profile, lib.sh) the fuzzer sends 1,000
# messages: the debug kernel runs the whole corpus alone, and each message
# costs it many times what it costs a Debian kernel. Every targeted check
# still runs; the IPVS family the fuzzer also feeds is nfvs's own, not
# in-tree IPVS, and stays.
#
# NFVS_LB=ipvs runs the same against in-tree ip_vs (family IPVS) instead, to
# validate the test; checks that in-tree does not meet (extack messages,
# checks in-tree leaves to ipvsadm) are then skipped.
#
# A program start is dear on the debug kernel (a Python one takes seconds
# there): the requests between two readings of the table by ipvsadm go to
# one nfvs_genl.py process (gb), and what the shell can do itself it does
# with its builtins ($(<FILE) for cat, $SRANDOM for od, sort only where
# two tables differ as they are).

# The script's directory, without starting dirname.
here=.
[[ $0 == */* ]] && here=${0%/*}
# shellcheck source=lib.sh
. "$here/lib.sh"
plan 98

ns=fz-$nfvs_sfx
lb=${NFVS_LB:-nfvs}
# 32 random bits (getrandom), as od used to read them from /dev/urandom.
seed=${NFVS_FUZZ_SEED:-$SRANDOM}
count=${NFVS_FUZZ_COUNT:-$(spread_share "$(volume 10000 1000)")}
# The batches' results (gb) and the fuzzer's log.
tmp=$(mktemp -d)
log=$tmp/fuzz.log

case $lb in
nfvs)	fam=nfvs; also=(--also IPVS) ;;
ipvs)	fam=IPVS; also=() ;;
*)	skip_all "NFVS_LB must be nfvs or ipvs" ;;
esac
command -v python3 >/dev/null || skip_all "no python3"
command -v ipvsadm >/dev/null || skip_all "no ipvsadm"

cleanup() {
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# G ARGS...: nfvs_genl.py on the family under test, in the namespace.
G() {
	ip netns exec "$ns" python3 -S "$here/nfvs_genl.py" --family "$fam" "$@"
}

# gb: the commands on stdin, one a line ("NAME [--family F] [--legacy-nest]
# COMMAND ARGS..."), run by one nfvs_genl.py process on the family under
# test: the same requests as separate runs, without a Python start for
# each. What command NAME printed and returned is in $tmp/NAME.out, .err
# and .rc (each name is used once in the script).
gb() {
	G batch "$tmp"
}

# ran NAME: the batched command NAME succeeded.
ran() {
	[ "$(<"$tmp/$1.rc")" = 0 ]
}

# lines FILE [PREFIX]: how many lines FILE has (that begin with PREFIX).
lines() {
	local l n=0
	while IFS= read -r l; do
		[[ $l == "${2:-}"* ]] && n=$((n + 1))
	done <"$1"
	echo $n
}

# check_table DESC EXPECTED ACTUAL: check_eq of two tables ("ipvsadm -Sn"
# lines) sorted. sort is a program start: ACTUAL is sorted only when the
# two differ as they are, and EXPECTED (often sorted already) only when
# they still differ (the same lines sort the same).
check_table() {
	local want=$2 got=$3
	if [ "$want" != "$got" ]; then
		got=$(sort <<<"$got")
		[ "$want" = "$got" ] || want=$(sort <<<"$want")
	fi
	check_eq "$1" "$want" "$got"
}

# refused DESC ERRNOS CMD...: CMD (a nfvs_genl.py command) must be refused
# with one of ERRNOS (e.g. "22" or "22|34"), with an extack message, and
# leave the table as it was. With refused_core, the refusal comes from the
# generic netlink core (no extack expected). The cases are queued; refused_run
# runs them all in one nfvs_genl.py process (gb: the table before, the
# command, the table after, for each; a Python start costs more than all the
# requests) and prints three TAP lines per case, two for refused_core.
rq_desc=()
rq_want=()
rq_core=()
rq_cmd=()
refused_core() {
	nfvs_core=1 refused "$@"
}

refused() {
	rq_desc+=("$1")
	rq_want+=("$2")
	rq_core+=("${nfvs_core:-}")
	shift 2
	rq_cmd+=("$(printf '%q ' "$@")")
}

# refused_run [LINE...]: the queued cases, then gb's LINEs, in one batch.
refused_run() {
	local i d=$tmp desc want err rc rcs
	{
		for i in "${!rq_cmd[@]}"; do
			printf 'b%d save\nc%d %s\na%d save\n' "$i" "$i" "${rq_cmd[$i]}" "$i"
		done
		printf '%s\n' "$@"
	} | gb
	for i in "${!rq_cmd[@]}"; do
		desc=${rq_desc[$i]} want=${rq_want[$i]}
		# A case the batch did not reach has no files.
		{
			err=$(<"$d/c$i.err")
			rc=$(<"$d/c$i.rc")
			rcs=$(<"$d/b$i.rc")$'\n'$(<"$d/a$i.rc")
		} 2>/dev/null
		if [ "$rc" = 2 ] && [[ $err =~ \(errno\ ($want)\) ]]; then
			ok "$desc: refused with errno $want"
		else
			not_ok "$desc: refused with errno $want"
			echo "#   exit ${rc:-(did not run)}: $err"
		fi
		if [ -n "${rq_core[$i]}" ]; then
			:
		elif [[ $err =~ \(errno\ [0-9]+\):\ .+ ]]; then
			ok "$desc: with an extack message"
		elif [ "$lb" = ipvs ]; then
			skip "$desc: with an extack message" "in-tree ip_vs sets none here"
		else
			not_ok "$desc: with an extack message"
			echo "#   got: $err"
		fi
		if [ "$rcs" = "0
0" ]; then
			check_table "$desc: table unchanged" "$(<"$d/b$i.out")" \
				"$(<"$d/a$i.out")"
		else
			not_ok "$desc: table unchanged"
			echo "#   the table could not be read: $(cat "$d/b$i.err" "$d/a$i.err" 2>&1)"
		fi
	done
	rq_desc=() rq_want=() rq_core=() rq_cmd=()
}

# dests_have_services TABLE: every "-a SVC -r ..." line of TABLE ("ipvsadm
# -Sn") follows its "-A SVC ..." line.
dests_have_services() {
	local -A svc=()
	local w bad=0
	while read -r -a w; do
		if [ "${w[0]}" = -A ]; then
			svc["${w[1]} ${w[2]}"]=1
		elif [ "${w[0]}" = -a ] && [ -z "${svc["${w[1]} ${w[2]}"]:-}" ]; then
			echo "orphan: ${w[*]}"
			bad=1
		fi
	done <<<"$1"
	return $bad
}

# setup_lines P: gb's commands for a valid table to start from (4 services
# and 5 destinations), named P1 to P9.
setup_lines() {
	local l
	while IFS= read -r l; do
		echo "$1$l"
	done <<-'EOF'
		1 add-service tcp 10.0.0.1:80 --sched rr
		2 add-service udp 10.0.0.1:53 --sched wlc
		3 add-service fwmark 5 --sched rr
		4 add-service tcp 10.0.0.2:0 --sched wlc --persistent 600 --netmask 255.255.255.0
		5 add-dest tcp 10.0.0.1:80 10.0.1.2:80 --fwd nat --weight 3
		6 add-dest tcp 10.0.0.1:80 10.0.1.3:80 --fwd dr --weight 1
		7 add-dest tcp 10.0.0.1:80 10.0.1.4:8080 --fwd tun --weight 2 --u-thresh 100 --l-thresh 10
		8 add-dest udp 10.0.0.1:53 10.0.1.2:53 --fwd nat
		9 add-dest fwmark 5 10.0.1.5:0 --fwd dr
	EOF
}

# setup_ok P: every command of "setup_lines P" ran and succeeded.
setup_ok() {
	local i
	for i in {1..9}; do
		ran "$1$i" || return 1
	done
}

check "$lb loads" lb_load
check "namespace $ns" ip netns add "$ns"
check "loopback up" ip -n "$ns" link set lo up
# GET_INFO, then the table to start from: one batch.
{
	echo "info info"
	setup_lines s
} | gb
check "GET_INFO answers" ran info
check "set up 4 services and 5 destinations" setup_ok s
want="-A -f 5 -s rr
-A -t 10.0.0.1:80 -s rr
-A -t 10.0.0.2:0 -s wlc -p 600 -M 255.255.255.0
-A -u 10.0.0.1:53 -s wlc
-a -f 5 -r 10.0.1.5:0 -g -w 1
-a -t 10.0.0.1:80 -r 10.0.1.2:80 -m -w 3
-a -t 10.0.0.1:80 -r 10.0.1.3:80 -g -w 1
-a -t 10.0.0.1:80 -r 10.0.1.4:8080 -i -w 2 --tun-type ipip
-a -u 10.0.0.1:53 -r 10.0.1.2:53 -m -w 1"
check_table "ipvsadm -Sn shows the table as set up" "$want" \
	"$(ip netns exec "$ns" ipvsadm -Sn)"

# Targeted bad input; errnos are in-tree IPVS's.
refused "unknown scheduler" 2 add-service tcp 10.0.0.9:80 --sched nosuch
refused "weight 0x80000000 (negative as int)" "22|34" \
	add-dest tcp 10.0.0.1:80 10.0.1.9:80 --weight 0x80000000
refused "weight -1" "22|34" add-dest tcp 10.0.0.1:80 10.0.1.9:80 --weight -1
refused "lower threshold above upper" "22|34" \
	add-dest tcp 10.0.0.1:80 10.0.1.9:80 --u-thresh 5 --l-thresh 10
refused "duplicate service" 17 add-service tcp 10.0.0.1:80 --sched wlc
refused "duplicate destination" 17 \
	add-dest tcp 10.0.0.1:80 10.0.1.2:80 --fwd dr --weight 7
refused "destination for a missing service" 3 \
	add-dest tcp 10.0.0.99:80 10.0.1.2:80
refused "editing a missing service" 3 set-service tcp 10.0.0.99:80 --sched rr
refused "deleting a missing service" 3 del-service tcp 10.0.0.99:80
refused "deleting a missing destination" 2 del-dest tcp 10.0.0.1:80 10.0.1.99:80
refused "service without scheduler" 22 add-service tcp 10.0.0.9:80 --omit sched
refused "service without address family" 22 add-service tcp 10.0.0.9:80 --omit af
refused "service without port" 22 add-service tcp 10.0.0.9:80 --omit port
refused "service without flags" 22 add-service tcp 10.0.0.9:80 --omit flags
refused "NEW_SERVICE without a service" 22 add-service tcp 10.0.0.9:80 --no-svc
refused "destination without weight" 22 add-dest tcp 10.0.0.1:80 10.0.1.9:80 --omit weight
refused "destination without forwarding method" 22 \
	add-dest tcp 10.0.0.1:80 10.0.1.9:80 --omit fwd
refused "NEW_DEST without a destination" 22 add-dest tcp 10.0.0.1:80 10.0.1.9:80 --no-dest
refused "address family 99" 97 add-service fwmark 9 --af 99
refused_core "unknown command 99" 95 raw 99
refused_core "NLM_F_DUMP on NEW_SERVICE" 95 raw new-service --dump
if [ "$lb" = nfvs ]; then
	# in-tree: EINVAL on 6.1, accepted on 6.12
	refused "upper threshold above INT_MAX" 22 \
		add-dest tcp 10.0.0.1:80 10.0.1.9:80 --u-thresh 0x80000000
	refused "forwarding method 5" 22 add-dest tcp 10.0.0.1:80 10.0.1.9:80 --fwd 5
	refused "forwarding method 4 (bypass)" 22 add-dest tcp 10.0.0.1:80 10.0.1.9:80 --fwd 4
else
	skip "upper threshold above INT_MAX refused" "in-tree 6.12 accepts it"
	skip "unknown forwarding method refused" "in-tree masks it with IP_VS_CONN_F_FWD_MASK"
fi
# In-tree accepts port 0 without persistence (ipvsadm refuses it); record
# what nfvs does (in the same batch, after the cases).
refused_run "port0 add-service tcp 10.0.0.9:0 --sched rr" \
	"port0del del-service tcp 10.0.0.9:0"
errno=
[[ $(<"$tmp/port0.err") =~ \(errno\ ([0-9]*)\) ]] && errno=${BASH_REMATCH[1]}
echo "# port 0 for a non-persistent TCP service: errno $errno"
check_table "the table is still as set up" "$want" "$(ip netns exec "$ns" ipvsadm -Sn)"

# Clients built on older netlink libraries (moby/ipvs, used by kube-proxy
# and Docker) send nests without NLA_F_NESTED, and an empty service nest
# with their dumps; in-tree IPVS takes both, so the IPVS family must.
# One batch for these and the highest mark below.
legacy="--family IPVS --legacy-nest"
gb <<-EOF
	l1 $legacy add-service tcp 10.0.0.7:80 --sched rr
	l2 $legacy add-dest tcp 10.0.0.7:80 10.0.1.7:80 --fwd nat
	l3 $legacy list-dests tcp 10.0.0.7:80
	l4 $legacy raw get-service --dump --attr-hex 04000100
	l5 $legacy del-service tcp 10.0.0.7:80
	l6 del-service tcp 10.0.0.7:80
	fw add-service fwmark 4294967295 --sched rr
	fwsave save
EOF
check "IPVS family: service added with nests lacking NLA_F_NESTED" ran l1
check "IPVS family: destination added the same way" ran l2
# The first five fields of each line, as cut -d' ' -f1-5 gives them.
dests=
while IFS= read -r line; do
	[[ $line =~ ^[^\ ]*(\ [^\ ]*){0,4} ]]
	dests+=${BASH_REMATCH[0]}$'\n'
done <"$tmp/l3.out"
check_eq "IPVS family: listed the same way" "10.0.1.7:80 fwd nat weight 1" \
	"${dests%$'\n'}"
check "IPVS family: service dump with an empty service nest" ran l4
check "IPVS family: deleted the same way" ran l5

# The highest mark, which ipvsadm prints as a signed number (the fuzzer
# found it: save must print what ipvsadm prints, or its check below fails).
check "fwmark 4294967295 added" ran fw
check_table "fwmark 4294967295: nfvs_genl.py save and ipvsadm -Sn agree" \
	"$(ip netns exec "$ns" ipvsadm -Sn)" "$(<"$tmp/fwsave.out")"
G del-service fwmark 4294967295 2>/dev/null

# The fuzzer.
echo "# fuzzing $fam${also[*]:+ and ${also[*]#--also }} with seed $seed (NFVS_FUZZ_SEED)"
start=$EPOCHSECONDS
ip netns exec "$ns" python3 -S "$here/netlink_fuzz.py" --family "$fam" "${also[@]}" \
	--seed "$seed" --count "$count" >"$log" 2>&1
rc=$?
# Its log as comments: one "#" in place of those a line begins with.
while IFS= read -r line || [ -n "$line" ]; do
	echo "#${line#"${line%%[!#]*}"}"
done <"$log"
check_eq "$count fuzz messages, every answer well-formed (seed $seed)" 0 "$rc"
echo "# fuzzing took $((EPOCHSECONDS - start)) s"

# The table as the fuzz left it, read once by ipvsadm and once by each
# family (the checks below share the readings), then the flush: one batch.
sn=$(ip netns exec "$ns" ipvsadm -Sn)
gb <<-EOF
	pinfo info
	plist list-services
	psave save
	pipvs --family IPVS save
	pflush flush
	pempty save
EOF
check "the kernel still answers GET_INFO" ran pinfo
check "and a dump" ran plist
check "every destination belongs to a service" dests_have_services "$sn"
check_table "nfvs_genl.py save and ipvsadm -Sn agree" "$sn" "$(<"$tmp/psave.out")"
if [ "$lb" = nfvs ]; then
	check_table "the nfvs and IPVS families show the same table" \
		"$(<"$tmp/psave.out")" "$(<"$tmp/pipvs.out")"
	check_eq "the same number of services in /proc/net/ip_vs" \
		"$(lines "$tmp/plist.out")" \
		"$(ip netns exec "$ns" awk '/^(TCP|UDP|SCTP|FWM) / { n++ } END { print n + 0 }' \
			/proc/net/ip_vs)"
fi
echo "# table after fuzzing: $(lines "$tmp/plist.out") services, $(lines "$tmp/psave.out" -a) destinations"
check "flush" ran pflush
check_table "flush empties the table" "" "$(<"$tmp/pempty.out")"
check_eq "ipvsadm agrees" "" "$(ip netns exec "$ns" ipvsadm -Sn)"
setup_lines t | gb
check "the table works again after the fuzz" setup_ok t
check_table "and shows as set up" "$want" "$(ip netns exec "$ns" ipvsadm -Sn)"
check "namespace with services deleted" ip netns del "$ns"
sleep 1
check "$lb unloads" lb_unload
tap_done
