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
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
plan 98

here=$(cd "$(dirname "$0")" && pwd)
ns=fz-$nfvs_sfx
lb=${NFVS_LB:-nfvs}
seed=${NFVS_FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
count=${NFVS_FUZZ_COUNT:-$(spread_share "$(volume 10000 1000)")}
log=$(mktemp)

case $lb in
nfvs)	fam=nfvs; also=(--also IPVS) ;;
ipvs)	fam=IPVS; also=() ;;
*)	skip_all "NFVS_LB must be nfvs or ipvs" ;;
esac
command -v python3 >/dev/null || skip_all "no python3"
command -v ipvsadm >/dev/null || skip_all "no ipvsadm"

cleanup() {
	ip netns del "$ns" 2>/dev/null
	rm -f "$log"
}
trap cleanup EXIT

# G ARGS...: nfvs_genl.py on the family under test, in the namespace.
G() {
	ip netns exec "$ns" python3 -S "$here/nfvs_genl.py" --family "$fam" "$@"
}

# table: the namespace's table as "ipvsadm -Sn" would print it, sorted.
table() {
	G save | sort
}

# refused DESC ERRNOS CMD...: CMD (a nfvs_genl.py command) must be refused
# with one of ERRNOS (e.g. "22" or "22|34"), with an extack message, and
# leave the table as it was. With refused_core, the refusal comes from the
# generic netlink core (no extack expected). The cases are queued; refused_run
# runs them all in one nfvs_genl.py process (batch: the table before, the
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

refused_run() {
	local i d desc want err rc
	d=$(mktemp -d)
	for i in "${!rq_cmd[@]}"; do
		printf 'b%d save\nc%d %s\na%d save\n' "$i" "$i" "${rq_cmd[$i]}" "$i"
	done | G batch "$d"
	for i in "${!rq_cmd[@]}"; do
		desc=${rq_desc[$i]} want=${rq_want[$i]}
		err=$(cat "$d/c$i.err" 2>/dev/null)
		rc=$(cat "$d/c$i.rc" 2>/dev/null)
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
		if [ "$(cat "$d/b$i.rc" "$d/a$i.rc" 2>/dev/null)" = "0
0" ]; then
			check_eq "$desc: table unchanged" "$(sort "$d/b$i.out")" \
				"$(sort "$d/a$i.out")"
		else
			not_ok "$desc: table unchanged"
			echo "#   the table could not be read: $(cat "$d/b$i.err" "$d/a$i.err" 2>&1)"
		fi
	done
	rm -rf "$d"
	rq_desc=() rq_want=() rq_core=() rq_cmd=()
}

# dests_have_services: every "-a SVC -r ..." line of "ipvsadm -Sn" follows
# its "-A SVC ..." line.
dests_have_services() {
	ip netns exec "$ns" ipvsadm -Sn | awk '
		$1 == "-A" { svc[$2 " " $3] = 1 }
		$1 == "-a" && !(($2 " " $3) in svc) { print "orphan: " $0; bad = 1 }
		END { exit bad }'
}

check "$lb loads" lb_load
check "namespace $ns" ip netns add "$ns"
check "loopback up" ip -n "$ns" link set lo up
check "GET_INFO answers" G info

# A valid table to start from (one nfvs_genl.py process; each command must
# succeed).
setup_ok() {
	local d f n=0 bad=0
	d=$(mktemp -d)
	G batch "$d" <<-'EOF'
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
	for f in "$d"/*.rc; do
		[ -e "$f" ] || continue
		n=$((n + 1))
		[ "$(cat "$f")" = 0 ] || { bad=1; cat "${f%.rc}.err" >&2; }
	done
	rm -rf "$d"
	[ $n -eq 9 ] && [ $bad -eq 0 ]
}
check "set up 4 services and 5 destinations" setup_ok
want="-A -f 5 -s rr
-A -t 10.0.0.1:80 -s rr
-A -t 10.0.0.2:0 -s wlc -p 600 -M 255.255.255.0
-A -u 10.0.0.1:53 -s wlc
-a -f 5 -r 10.0.1.5:0 -g -w 1
-a -t 10.0.0.1:80 -r 10.0.1.2:80 -m -w 3
-a -t 10.0.0.1:80 -r 10.0.1.3:80 -g -w 1
-a -t 10.0.0.1:80 -r 10.0.1.4:8080 -i -w 2 --tun-type ipip
-a -u 10.0.0.1:53 -r 10.0.1.2:53 -m -w 1"
check_eq "ipvsadm -Sn shows the table as set up" "$want" \
	"$(ip netns exec "$ns" ipvsadm -Sn | sort)"

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
refused_run
# In-tree accepts port 0 without persistence (ipvsadm refuses it); record
# what nfvs does.
echo "# port 0 for a non-persistent TCP service: errno $(G add-service tcp 10.0.0.9:0 \
	--sched rr 2>&1 | sed -n 's/.*(errno \([0-9]*\)).*/\1/p')"
G del-service tcp 10.0.0.9:0 2>/dev/null
check_eq "the table is still as set up" "$want" "$(ip netns exec "$ns" ipvsadm -Sn | sort)"

# Clients built on older netlink libraries (moby/ipvs, used by kube-proxy
# and Docker) send nests without NLA_F_NESTED, and an empty service nest
# with their dumps; in-tree IPVS takes both, so the IPVS family must.
legacy() {
	ip netns exec "$ns" python3 -S "$here/nfvs_genl.py" --family IPVS --legacy-nest "$@"
}
check "IPVS family: service added with nests lacking NLA_F_NESTED" \
	legacy add-service tcp 10.0.0.7:80 --sched rr
check "IPVS family: destination added the same way" \
	legacy add-dest tcp 10.0.0.7:80 10.0.1.7:80 --fwd nat
check_eq "IPVS family: listed the same way" "10.0.1.7:80 fwd nat weight 1" \
	"$(legacy list-dests tcp 10.0.0.7:80 | cut -d' ' -f1-5)"
check "IPVS family: service dump with an empty service nest" \
	legacy raw get-service --dump --attr-hex 04000100
check "IPVS family: deleted the same way" legacy del-service tcp 10.0.0.7:80
G del-service tcp 10.0.0.7:80 2>/dev/null

# The highest mark, which ipvsadm prints as a signed number (the fuzzer
# found it: save must print what ipvsadm prints, or its check below fails).
check "fwmark 4294967295 added" G add-service fwmark 4294967295 --sched rr
check_eq "fwmark 4294967295: nfvs_genl.py save and ipvsadm -Sn agree" \
	"$(ip netns exec "$ns" ipvsadm -Sn | sort)" "$(table)"
G del-service fwmark 4294967295 2>/dev/null

# The fuzzer.
echo "# fuzzing $fam${also[*]:+ and ${also[*]#--also }} with seed $seed (NFVS_FUZZ_SEED)"
start=$(date +%s)
ip netns exec "$ns" python3 -S "$here/netlink_fuzz.py" --family "$fam" "${also[@]}" \
	--seed "$seed" --count "$count" >"$log" 2>&1
rc=$?
sed 's/^#*/#/' "$log"
check_eq "$count fuzz messages, every answer well-formed (seed $seed)" 0 "$rc"
echo "# fuzzing took $(($(date +%s) - start)) s"

check "the kernel still answers GET_INFO" G info
check "and a dump" G list-services
check "every destination belongs to a service" dests_have_services
check_eq "nfvs_genl.py save and ipvsadm -Sn agree" \
	"$(ip netns exec "$ns" ipvsadm -Sn | sort)" "$(table)"
if [ "$lb" = nfvs ]; then
	check_eq "the nfvs and IPVS families show the same table" "$(table)" \
		"$(ip netns exec "$ns" python3 -S "$here/nfvs_genl.py" --family IPVS save | sort)"
	check_eq "the same number of services in /proc/net/ip_vs" \
		"$(G list-services | wc -l)" \
		"$(ip netns exec "$ns" awk '/^(TCP|UDP|SCTP|FWM) / { n++ } END { print n + 0 }' \
			/proc/net/ip_vs)"
fi
echo "# table after fuzzing: $(G list-services | wc -l) services, $(G save | grep -c '^-a') destinations"
check "flush" G flush
check_eq "flush empties the table" "" "$(table)"
check_eq "ipvsadm agrees" "" "$(ip netns exec "$ns" ipvsadm -Sn)"
check "the table works again after the fuzz" setup_ok
check_eq "and shows as set up" "$want" "$(ip netns exec "$ns" ipvsadm -Sn | sort)"
check "namespace with services deleted" ip netns del "$ns"
sleep 1
check "$lb unloads" lb_unload
tap_done
