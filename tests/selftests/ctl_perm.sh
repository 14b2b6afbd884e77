#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Who may change nfvs's tables, and whose tables they are:
#
#   initial namespace          a-SFX            b-SFX        user namespace
#   root: 1 service            root: 1 service   (empty)      owned by nobody
#   nobody: EPERM for every                                   + its own netns:
#     mutating command                                        its root may
#                                                             change that netns
#
# (a) nobody (uid 65534, no capabilities) gets EPERM for every mutating
#     command, through the nfvs and the IPVS families, and from ipvsadm; the
#     table and timeouts stay as they were. What the GET commands do for
#     nobody is recorded: all of them succeed or all fail with EPERM.
# (b) nobody creates a user namespace with a network namespace
#     ("unshare --user --map-root-user --net"): its root holds CAP_NET_ADMIN
#     over that netns only, and neither nfvs nor in-tree IPVS lets it
#     change anything there (CAP_NET_ADMIN in the initial user namespace,
#     GENL_ADMIN_PERM); nfvs's sysctls there are read-only. A socket opened
#     in the initial netns stays read-only after unshare(CLONE_NEWUSER).
#     After (c), nfvs reloaded with userns_admin=1 lets that root change
#     its own netns's table and sysctls, through both families.
# (c) tables are per netns: what is added in a-SFX is invisible from b-SFX and
#     from the initial netns (ipvsadm and nfvs_genl.py) and the other way
#     round; deleting a-SFX with services in it leaves nothing behind and the
#     module unloads.
#
# NFVS_LB=ipvs runs the same against in-tree ip_vs (family IPVS only), with
# (b) expecting in-tree's EPERM.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
plan 61

# nobody runs the client from a copy: the tree may sit where only root can
# read (a clone in /root).
here=$(mktemp -d)
chmod 755 "$here"
cp "$(dirname "$0")"/nfvs_genl.py "$(dirname "$0")"/nfvs_genl_impl.py "$here/"
genl=$here/nfvs_genl.py
a=a-$nfvs_sfx
b=b-$nfvs_sfx
lb=${NFVS_LB:-nfvs}
case $lb in
nfvs)	fams="nfvs IPVS" ;;
ipvs)	fams="IPVS" ;;
*)	skip_all "NFVS_LB must be nfvs or ipvs" ;;
esac
command -v python3 >/dev/null || skip_all "no python3"
command -v ipvsadm >/dev/null || skip_all "no ipvsadm"
command -v setpriv >/dev/null || skip_all "no setpriv"

cleanup() {
	ip netns del "$a" 2>/dev/null
	ip netns del "$b" 2>/dev/null
	rm -rf "$here"
}
trap cleanup EXIT

nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"
}

# errno_of CMD...: the errno a nfvs_genl.py command reports, 0 on success,
# "exit N" when it failed otherwise.
errno_of() {
	local err rc
	err=$("$@" 2>&1 >/dev/null)
	rc=$?
	if [ $rc -eq 0 ]; then
		echo 0
	elif [[ $err =~ \(errno\ ([0-9]+)\) ]]; then
		echo "${BASH_REMATCH[1]}"
	else
		echo "exit $rc: $err"
	fi
}

# errno_in DIR NAME: the same for a command of a nfvs_genl.py batch run in
# DIR; "did not run" when the batch never got to it.
errno_in() {
	local err rc
	rc=$(cat "$1/$2.rc" 2>/dev/null) || { echo "did not run"; return; }
	err=$(cat "$1/$2.err")
	if [ "$rc" -eq 0 ]; then
		echo 0
	elif [[ $err =~ \(errno\ ([0-9]+)\) ]]; then
		echo "${BASH_REMATCH[1]}"
	else
		echo "exit $rc: $err"
	fi
}

# state: the initial netns's table and timeouts, as root sees them.
state() {
	local d
	d=$(mktemp -d)
	printf 's save\nc get-config\n' |
		python3 -S "$genl" --family "${fams%% *}" batch "$d"
	sort "$d/s.out"
	cat "$d/c.out"
	rm -rf "$d"
}

# Every mutating command with arguments that would succeed for root.
mutating=(
	"add-service tcp 10.0.0.5:80 --sched rr"
	"set-service tcp 10.0.0.1:80 --sched wlc"
	"del-service tcp 10.0.0.1:80"
	"add-dest tcp 10.0.0.1:80 10.0.1.5:80 --fwd nat"
	"set-dest tcp 10.0.0.1:80 10.0.1.2:80 --fwd nat --weight 9"
	"del-dest tcp 10.0.0.1:80 10.0.1.2:80"
	"new-daemon backup --ifn lo --syncid 9"
	"del-daemon master"
	"set-config --tcp 1234"
	"zero"
	"zero tcp 10.0.0.1:80"
	"flush"
)
getters=(
	"info"
	"list-services"
	"get-service tcp 10.0.0.1:80"
	"list-dests tcp 10.0.0.1:80"
	"get-config"
	"list-daemons"
)

check "$lb loads" lb_load
check "initial netns: a service with a real server" bash -c \
	"python3 -S '$genl' --family ${fams%% *} add-service tcp 10.0.0.1:80 --sched rr &&
	 python3 -S '$genl' --family ${fams%% *} add-dest tcp 10.0.0.1:80 10.0.1.2:80 --fwd nat"
before=$(state)

# (a) nobody: each family's commands run in one nfvs_genl.py process of
# nobody's (batch), each command on its own socket, as separate runs would.
for fam in $fams; do
	d=$(mktemp -d)
	chmod 777 "$d"
	for i in "${!mutating[@]}"; do
		echo "m$i ${mutating[$i]}"
	done >"$d/in"
	for i in "${!getters[@]}"; do
		echo "g$i ${getters[$i]}"
	done >>"$d/in"
	nobody python3 -S "$genl" --family "$fam" batch "$d" <"$d/in"
	for i in "${!mutating[@]}"; do
		check_eq "nobody, family $fam: ${mutating[$i]}: EPERM" 1 "$(errno_in "$d" "m$i")"
	done
	got=""
	for i in "${!getters[@]}"; do
		got="$got $(errno_in "$d" "g$i")"
	done
	rm -rf "$d"
	echo "# nobody, family $fam, GET commands (${getters[*]}):$got"
	case $got in
	" 0 0 0 0 0 0")	ok "nobody, family $fam: every GET command works" ;;
	" 1 1 1 1 1 1")	ok "nobody, family $fam: every GET command fails with EPERM" ;;
	*)		not_ok "nobody, family $fam: GET commands consistent" ;;
	esac
done
check "nobody: ipvsadm -A fails" bash -c "! nobody ipvsadm -A -t 10.0.0.6:80 -s rr"
check "nobody: ipvsadm -C fails" bash -c "! nobody ipvsadm -C"
check "nobody: ipvsadm --set fails" bash -c "! nobody ipvsadm --set 1 2 3"
check_eq "nobody changed nothing" "$before" "$(state)"
check_eq "no sync daemon started" "" "$(python3 -S "$genl" --family "${fams%% *}" list-daemons)"

# (b) a user namespace owned by nobody, with its own netns
if nobody unshare --user --map-root-user --net true 2>/dev/null; then
	# userns CMDS: runs bash -c CMDS as root of a fresh user+net namespace
	userns() {
		nobody unshare --user --map-root-user --net bash -c "$1"
	}
	userns_ok=1
	fam=${fams%% *}
	G="python3 -S $genl --family $fam"
	for f in $fams; do
		check_eq "userns root, own netns, family $f: add-service EPERM" 1 \
			"$(errno_of userns "python3 -S $genl --family $f add-service tcp 10.0.0.8:80 --sched rr")"
	done
	check_eq "userns root, own netns: set-config EPERM too" 1 \
		"$(errno_of userns "$G set-config --tcp 777")"
	if [ "$lb" = nfvs ]; then
		check "userns root, own netns: reads its sysctls, cannot write them" \
			userns "cat /proc/sys/net/nfvs/conntrack >/dev/null &&
				! sh -c 'echo 0 >/proc/sys/net/nfvs/conntrack' 2>/dev/null"
	fi
	# Two batches (one nfvs_genl.py process each) around an ipvsadm check;
	# the script's exit status names the first step that failed.
	script="d=\$(mktemp -d) || exit 9
		$G batch \$d <<'END' || exit 9
10 add-service tcp 10.0.0.8:80 --sched rr
11 add-dest tcp 10.0.0.8:80 10.0.1.8:80 --fwd nat
12 set-dest tcp 10.0.0.8:80 10.0.1.8:80 --fwd nat --weight 4
13 set-service tcp 10.0.0.8:80 --sched wlc
14 set-config --tcp 777
15 zero
16 save
END
		ipvsadm -Sn | grep -q 10.0.0.8:80 || exit 17
		$G batch \$d <<'END' || exit 9
18 del-dest tcp 10.0.0.8:80 10.0.1.8:80
19 del-service tcp 10.0.0.8:80
20 add-service fwmark 3 --sched rr
21 flush
22 save
END
		for n in 10 11 12 13 14 15 16 18 19 20 21 22; do
			[ \"\$(cat \$d/\$n.rc)\" = 0 ] || exit \$n
		done
		[ \"\$(cat \$d/16.out)\" = '-A -t 10.0.0.8:80 -s wlc
-a -t 10.0.0.8:80 -r 10.0.1.8:80 -m -w 4' ] || exit 16
		[ ! -s \$d/22.out ] || exit 22
		rm -rf \$d"
	# A socket opened in the initial netns, then unshare(CLONE_NEWUSER):
	# capabilities in the new user namespace do not cover the initial netns.
	fdtest=$(nobody python3 -S - "$here" "$fam" <<-'EOF'
		import ctypes, sys
		sys.path.insert(0, sys.argv[1])
		import nfvs_genl as g
		ipvs = g.Ipvs(sys.argv[2])
		if ctypes.CDLL(None, use_errno=True).unshare(0x10000000) != 0:
		    print("unshare failed"); sys.exit(0)
		try:
		    ipvs.req(g.IPVS_CMD_FLUSH)
		    print("0")
		except g.NetlinkError as e:
		    print(e.errno)
		EOF
	)
	check_eq "initial-netns socket after unshare(CLONE_NEWUSER): flush EPERM" 1 "$fdtest"
	check_eq "the initial netns is untouched" "$before" "$(state)"
else
	userns_ok=0
	skip "user namespaces" "nobody cannot create a user namespace here"
fi

# (c) per-netns tables
check "namespaces $a and $b" bash -c "ip netns add $a && ip netns add $b &&
	ip -n $a link set lo up && ip -n $b link set lo up"
for fam in $fams; do
	check "$a: service and real server added through family $fam" \
		ip netns exec "$a" bash -c \
		"python3 -S '$genl' --family $fam add-service udp 10.0.0.9:53 --sched rr &&
		 python3 -S '$genl' --family $fam add-dest udp 10.0.0.9:53 10.0.1.9:53 --fwd nat &&
		 python3 -S '$genl' --family $fam del-service udp 10.0.0.9:53 &&
		 python3 -S '$genl' --family $fam add-service udp 10.0.0.9:53 --sched rr &&
		 python3 -S '$genl' --family $fam add-dest udp 10.0.0.9:53 10.0.1.9:53 --fwd nat"
	ip netns exec "$a" python3 -S "$genl" --family "$fam" flush
done
check "$a: one more with ipvsadm" ip netns exec "$a" bash -c \
	"python3 -S '$genl' --family ${fams%% *} add-service udp 10.0.0.9:53 --sched rr &&
	 python3 -S '$genl' --family ${fams%% *} add-dest udp 10.0.0.9:53 10.0.1.9:53 --fwd nat &&
	 ipvsadm -A -f 42 -s wlc && ipvsadm -a -f 42 -r 10.0.1.10 -g"
want_a="-A -f 42 -s wlc
-A -u 10.0.0.9:53 -s rr
-a -f 42 -r 10.0.1.10:0 -g -w 1
-a -u 10.0.0.9:53 -r 10.0.1.9:53 -m -w 1"
check_eq "$a: ipvsadm -Sn shows its table" "$want_a" "$(ip netns exec "$a" ipvsadm -Sn | sort)"
for fam in $fams; do
	check_eq "$a: family $fam shows its table" "$want_a" \
		"$(ip netns exec "$a" python3 -S "$genl" --family "$fam" save | sort)"
	check_eq "$b: family $fam shows an empty table" "" \
		"$(ip netns exec "$b" python3 -S "$genl" --family "$fam" list-services)"
	check_eq "initial netns: family $fam shows only its own table" "$before" "$(state)"
done
check_eq "$b: ipvsadm -Sn shows nothing" "" "$(ip netns exec "$b" ipvsadm -Sn)"
check_eq "initial netns: ipvsadm -Sn shows only its own service" \
	"-A -t 10.0.0.1:80 -s rr
-a -t 10.0.0.1:80 -r 10.0.1.2:80 -m -w 1" "$(ipvsadm -Sn | sort)"
# (in-tree answers an empty dump; record what the kernel says)
err=$(ip netns exec "$b" python3 -S "$genl" --family "${fams%% *}" list-dests udp 10.0.0.9:53 2>&1)
echo "# $b: GET_DEST of a service only $a has: rc $? ${err:-(empty dump)}"
check_eq "$b: GET_DEST of $a's service lists nothing" "" "${err//error:*/}"
check "delete $a with its services" ip netns del "$a"
check "delete $b" ip netns del "$b"
check "flush the initial netns" python3 -S "$genl" --family "${fams%% *}" flush

# unload: lb_unload, retried: netns teardown is asynchronous.
unload() {
	local i
	for i in $(seq 50); do
		lb_unload 2>/dev/null && return 0
		sleep 0.2
	done
	return 1
}

# (b, continued) userns_admin=1: a netns's own root configures it.
if [ "$lb" = nfvs ] && [ "$userns_ok" = 1 ]; then
	reload() {
		unload && insmod "$NFVS_KO" userns_admin=1
	}
	check "nfvs reloads with userns_admin=1" reload
	check_eq "userns_admin=1: userns root, own netns: every mutating command works" 0 \
		"$(userns "$script" >/dev/null 2>&1; echo $?)"
	check_eq "userns_admin=1: userns root, own netns: through the IPVS family too" 0 \
		"$(userns "${script//--family nfvs/--family IPVS}" >/dev/null 2>&1; echo $?)"
	check "userns_admin=1: userns root, own netns: writes its sysctls" \
		userns "echo 0 >/proc/sys/net/nfvs/conntrack"
fi
check "$lb unloads" unload
tap_done
