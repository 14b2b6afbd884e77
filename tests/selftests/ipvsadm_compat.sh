#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Debian's unmodified ipvsadm drives nfvs (ipvs_compat=1, family "IPVS")
# exactly as it drives in-tree IPVS:
#
#   init namespace of the guest (no traffic, no other namespace)
#
#   pass 1, reference:  modprobe ip_vs  -> ipvsadm ... (data/ipvsadm_compat.cmds)
#                       ipvsadm -C; rmmod ip_vs_* ip_vs
#   pass 2, subject:    insmod nfvs.ko  -> the same ipvsadm ...
#                       ipvsadm -C; rmmod nfvs
#
# Every command's stdout, stderr and exit status of pass 2 must equal pass 1:
# one result per command, with the difference as "# " lines. The commands
# cover services by address:port and firewall mark, schedulers rr, wrr, lc and
# wlc, persistence, one-packet scheduling, NAT/DR/TUN real servers, weights,
# thresholds, -E/-e/-d/-D, -Z, --set/--timeout, -S/-C/-R, listings with
# --stats/--rate/-c, /proc/net/ip_vs*, the net.ipv4.vs sysctls, and mistakes. (/proc/net/ip_vs is
# compared with its services and real servers sorted: their order there is
# the kernel's hash and list order; ipvsadm sorts what it shows.)
#
# NFVS_LB=ipvs runs pass 2 against in-tree IPVS too (proves this script);
# the default is NFVS_LB=nfvs. NFVS_COMPAT_SAVE=DIR keeps both passes' files
# (DIR/ipvsadm_compat.tar).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
plan 133

subject=${NFVS_LB:-nfvs}
cmds=$(dirname "$0")/data/ipvsadm_compat.cmds
work=$(mktemp -d)

# ipvs_modules: the loaded in-tree IPVS modules, ip_vs last.

cleanup() {
	# ipvsadm with neither nfvs nor ip_vs loaded would modprobe ip_vs.
	if nfvs_loaded || grep -q '^ip_vs ' /proc/modules; then
		ipvsadm -C >/dev/null 2>&1
	fi
	nfvs_loaded && rmmod nfvs
	ipvs_unload >/dev/null 2>&1
	if [ -n "${NFVS_COMPAT_SAVE:-}" ]; then
		mkdir -p "$NFVS_COMPAT_SAVE" && tar -C "$work" -cf "$NFVS_COMPAT_SAVE/ipvsadm_compat.tar" .
	fi
	rm -rf "$work"
}
trap cleanup EXIT

# commands: the command lines, without comments and blank lines.
commands() {
	sed -e 's/[[:space:]]*#.*//' -e '/^[[:space:]]*$/d' "$cmds"
}

# proc_sorted: /proc/net/ip_vs with its services, and each service's real
# servers, sorted: the kernel lists them in hash and insertion order.
proc_sorted() {
	awk 'NR <= 3 { printf "0\t%05d\t\t%s\n", NR, $0; next }
	     !/^  ->/ { svc = $0 }
	     { printf "1\t%s\t%d\t%s\n", svc, /^  ->/, $0 }' |
		LC_ALL=C sort | cut -f4-
}

# The sysctls nfvs provides (Documentation/sysctl.rst); in-tree IPVS has
# more, for its sync daemon and estimators, which nfvs does not offer.
NFVS_SYSCTLS="amemthresh|drop_entry|drop_packet|conntrack|secure_tcp|snat_reroute"
NFVS_SYSCTLS+="|expire_nodest_conn|sloppy_tcp|expire_quiescent_template"
NFVS_SYSCTLS+="|nat_icmp_send|pmtu_disc|conn_reuse_mode|schedule_icmp"
resizable=

# table_size_free: a listing with the table size of its header masked.
table_size_free() {
	sed -E 's/^(IP Virtual Server version [0-9.]+) \(size=[0-9]+\)$/\1 (size=N)/'
}

# same_output NNN: the two passes' texts of command NNN are the same (with
# the table size masked when in-tree IPVS's table is resizable).
same_output() {
	if [ -n "$resizable" ]; then
		cmp -s <(table_size_free <"$work/ref/$1") <(table_size_free <"$work/got/$1")
	else
		cmp -s "$work/ref/$1" "$work/got/$1"
	fi
}

# run_pass DIR: runs every command, saving its stdout, stderr and exit
# status as one text in DIR/NNN (few processes: guests are slow at fork and
# exec; a command that hangs is stopped with the script, by its timeout).
run_pass() {
	local dir=$1 i=0 line n rc
	local -a args
	mkdir -p "$dir"
	: >"$dir/saved"
	while IFS= read -r line; do
		i=$((i + 1))
		printf -v n '%03d' $i
		read -ra args <<<"$line"
		{
			echo "--- stdout"
			case ${args[0]} in
			@proc)
				if [ "${args[1]}" = ip_vs ]; then
					proc_sorted </proc/net/ip_vs
				else
					cat "/proc/net/${args[1]}"
				fi 2>"$dir/err"
				;;
			@sysctl)
				sysctl -a 2>"$dir/err" | LC_ALL=C sort |
					grep -E "^net\.ipv4\.vs\.($NFVS_SYSCTLS) ="
				;;
			-R)
				ipvsadm "${args[@]}" <"$dir/saved" 2>"$dir/err"
				;;
			-S)
				ipvsadm "${args[@]}" </dev/null 2>"$dir/err" >"$dir/saved"
				rc=$?
				cat "$dir/saved"
				(exit $rc)
				;;
			*)
				ipvsadm "${args[@]}" </dev/null 2>"$dir/err"
				;;
			esac
			rc=$?
			echo "--- stderr"
			[ -s "$dir/err" ] && cat "$dir/err"
			echo "--- exit status $rc"
		} >"$dir/$n"
	done < <(commands)
}

command -v ipvsadm >/dev/null || skip_all "ipvsadm is not installed"
modinfo ip_vs >/dev/null 2>&1 || skip_all "no in-tree ip_vs module for $(uname -r)"
nfvs_loaded && rmmod nfvs
[ -z "$(ipvs_modules)" ] || ipvs_unload || skip_all "in-tree ip_vs is in use"

# Pass 1: in-tree IPVS.
check "in-tree ip_vs loads" modprobe ip_vs
# Since 7.x in-tree IPVS resizes its connection table and shows its current
# size in the listings' header; nfvs shows its own. Compare the rest.
[ -e /proc/sys/net/ipv4/vs/conn_lfactor ] && resizable=1
run_pass "$work/ref"
ipvsadm -C
check "every in-tree ip_vs module unloads" ipvs_unload
check_eq "no ip_vs module left (lsmod)" "" "$(lsmod | awk '$1 ~ /^ip_vs/')"

# Pass 2: the subject.
if [ "$subject" = ipvs ]; then
	echo "# NFVS_LB=ipvs: second pass against in-tree IPVS as well"
	check "in-tree ip_vs loads again" modprobe ip_vs
else
	check "nfvs loads (ipvs_compat=1 by default)" nfvs_load
fi
run_pass "$work/got"
if [ "$subject" != ipvs ]; then
	# ipvsadm modprobes ip_vs when it finds no family "IPVS": that would
	# compare in-tree IPVS with itself.
	check_eq "in-tree ip_vs never got loaded during the nfvs pass" "" \
		"$(ipvs_modules | tr '\n' ' ')"
fi
ipvsadm -C

i=0
while IFS= read -r line; do
	i=$((i + 1))
	printf -v n '%03d' $i
	desc="$n ipvsadm $line"
	[ "${line%% *}" = @proc ] && desc="$n cat /proc/net/${line#@proc }"
	[ "$line" = @sysctl ] && desc="$n sysctl net.ipv4.vs (nfvs's names and defaults)"
	if same_output "$n"; then
		ok "$desc: same output, status and error as in-tree"
	else
		not_ok "$desc: same output, status and error as in-tree"
		diff -u --label in-tree --label "$subject" \
			"$work/ref/$n" "$work/got/$n" | sed 's/^/# /'
	fi
done < <(commands)

if [ "$subject" = ipvs ]; then
	check "in-tree ip_vs unloads" ipvs_unload
else
	check "nfvs unloads" nfvs_unload
fi
tap_done
