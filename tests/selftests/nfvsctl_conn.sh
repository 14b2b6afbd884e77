#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# nfvsctl conn show against conntrack -L, on lib_topo.sh's topology with
# net.nfvs.conntrack=1, services made with nfvsctl in the director:
#
#   NAT 10.0.9.101:80, DR 10.0.9.100:81, TUN 10.0.9.100:82 (rr over rs1, rs2)
#   and NAT UDP 10.0.9.101:53
#
#   1. two TCP connections held open per method and two UDP flows: every
#      connection nfvsctl lists is "ok", and its original and reply tuples
#      are those conntrack -L shows; the NAT reply comes from the real server
#   2. conntrack -D of one held connection's entry: nfvsctl no longer lists
#      it as ok (gone with the entry, or flagged ct-missing)
#   3. an entry to a virtual service that nfvs never saw (conntrack -I) is
#      listed as nfvs-missing, and by "conn show mismatch"
#   4. 600 more UDP flows: the dump takes many netlink messages, each part
#      going on from where the last stopped; nfvsctl lists every connection
#      of ipvsadm -Lnc once
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib_nfvsctl.sh
. "$(dirname "$0")/lib_nfvsctl.sh"
# shellcheck source=lib_topo.sh
. "$(dirname "$0")/lib_topo.sh"
plan 16

declare -A port=([nat]=80 [dr]=81 [tun]=82) addr=([nat]=$nvip [dr]=$vip [tun]=$vip)
declare -A fwd=([nat]=nat [dr]=dr [tun]=tun)
tmp=$(mktemp -d)
holders=()

cleanup() {
	[ ${#holders[@]} -gt 0 ] && kill "${holders[@]}" 2>/dev/null
	topo_down
	nfvs_loaded && nfvs_unload
	rm -rf "$tmp"
}
trap cleanup EXIT

nfvsctl_start conntrack python3
topo_up --tcp 80 81 82 --udp 53

ctl() {
	nx "$d" "$nfvsctl" "$@"
}

if ! ctl conn show >/dev/null 2>"$tmp/err"; then
	if grep -q EOPNOTSUPP "$tmp/err"; then
		# The module must have it: a failure, never a skip.
		not_ok "conn show: the module answers NFVS_CMD_GET_CONN"
		tap_done
	fi
	not_ok "nfvsctl conn show works on an empty table"
	sed 's/^/# /' "$tmp/err"
fi

setup() {
	local m i
	ctl sysctl conntrack 1 || return 1
	for m in nat dr tun; do
		ctl service add tcp "${addr[$m]}:${port[$m]}" sched rr || return 1
		for i in 1 2; do
			ctl dest add tcp "${addr[$m]}:${port[$m]}" "10.0.0.1$i" \
				fwd "${fwd[$m]}" || return 1
		done
	done
	ctl service add udp "$nvip:53" sched rr &&
		ctl dest add udp "$nvip:53" 10.0.0.11 fwd nat &&
		ctl dest add udp "$nvip:53" 10.0.0.12 fwd nat
}
check "services by nfvsctl, net.nfvs.conntrack=1 by nfvsctl" setup

# Two connections held open per method.
mkfifo "$tmp/hold"
exec 7<>"$tmp/hold"
for m in nat dr tun; do
	nx "$c" $peer tcp "${addr[$m]}" "${port[$m]}" 2 --hold <&7 >"$tmp/held-$m" &
	holders+=($!)
done
for m in nat dr tun; do
	for i in $(seq 50); do
		[ "$(grep -c . "$tmp/held-$m")" -ge 2 ] && break
		sleep 0.2
	done
done
check_eq "two UDP flows answered" 2 \
	"$(nx "$c" $peer udp "$nvip" 53 2 | grep -c '^rs[12] 53 ')"
sleep 1

ctl -j conn show >"$tmp/conns.json" 2>"$tmp/err"
check "nfvsctl -j conn show succeeds" test -s "$tmp/conns.json"
nx "$d" conntrack -L 2>/dev/null >"$tmp/ct"
sed 's/^/# conntrack: /' "$tmp/ct"
ctl -n conn show | sed 's/^/# nfvsctl: /'

# compare.py: one result line per check, from nfvsctl's JSON and conntrack -L.
python3 -S - "$tmp/conns.json" "$tmp/ct" "$vip" "$nvip" >"$tmp/results" <<'EOF'
import json, re, sys
conns = json.load(open(sys.argv[1]))["connections"]
vips = set(sys.argv[3:5])
ct = set()
for line in open(sys.argv[2]):
    words = line.split()
    kv = [w.split("=", 1) for w in words if "=" in w]
    tup = [v for k, v in kv if k in ("src", "dst", "sport", "dport")]
    if len(tup) < 8 or words[0] not in ("tcp", "udp") or tup[1] not in vips:
        continue
    ct.add((words[0],) + tuple(tup[:8]))
mine = set()
bad = []
for c in conns:
    if c["check"] != "ok":
        bad.append("%s %s:%d -> %s:%d: %s" % (c["protocol"], c["client"]["address"],
                   c["client"]["port"], c["virtual"]["address"], c["virtual"]["port"], c["check"]))
        continue
    r = c["conntrack"]["reply"]
    mine.add((c["protocol"], c["client"]["address"], c["virtual"]["address"],
              str(c["client"]["port"]), str(c["virtual"]["port"]),
              r["src"]["address"], r["dst"]["address"],
              str(r["src"]["port"]), str(r["dst"]["port"])))
    if c["forward"] == "nat" and r["src"]["address"] != c["real"]["address"]:
        bad.append("nat reply not from the real server: %r" % (c,))
tcp = sum(1 for c in conns if c["protocol"] == "tcp" and c["state"] == "ESTABLISHED")
udp = sum(1 for c in conns if c["protocol"] == "udp")
print("%s - six ESTABLISHED TCP connections and two UDP flows listed (%d, %d)"
      % ("ok" if tcp == 6 and udp == 2 else "not ok", tcp, udp))
print("%s - every connection is ok (joined, reply tuple right)%s"
      % ("not ok" if bad else "ok", "".join("\n# " + b for b in bad)))
print("%s - nfvsctl's tuples are conntrack -L's (%d and %d)%s"
      % ("ok" if mine == ct else "not ok", len(mine), len(ct),
         "".join("\n# only nfvsctl: %s" % (t,) for t in mine - ct) +
         "".join("\n# only conntrack: %s" % (t,) for t in ct - mine)))
EOF
while IFS= read -r line; do
	case "$line" in
	"ok - "*) ok "${line#ok - }" ;;
	"not ok - "*) not_ok "${line#not ok - }" ;;
	*) echo "$line" ;;
	esac
done <"$tmp/results"

# conntrack -D of one NAT connection's entry.
cport=$(python3 -S -c 'import json, sys
c = [c for c in json.load(open(sys.argv[1]))["connections"]
     if c["protocol"] == "tcp" and c["virtual"]["port"] == 80]
print(c[0]["client"]["port"] if c else "")' "$tmp/conns.json")
check "conntrack -D deletes the entry of NAT connection :$cport" \
	nx "$d" conntrack -D -p tcp --orig-dst "$nvip" --dport 80 --sport "$cport"
sleep 1
left=$(ctl -j conn show proto tcp client "10.0.1.2:$cport" | python3 -S -c '
import json, sys
print(" ".join(c["check"] for c in json.load(sys.stdin)["connections"]))')
echo "# after conntrack -D: [$left]"
check "nfvsctl reports the change (connection gone, or ct-missing)" \
	test "$left" = "" -o "$left" = ct-missing

# An entry nfvs never saw.
check "conntrack -I an entry to $nvip:80 from 10.0.1.9:4000" \
	nx "$d" conntrack -I -p tcp -s 10.0.1.9 -d "$nvip" --sport 4000 --dport 80 \
	-r "$nvip" -q 10.0.1.9 --reply-port-src 80 --reply-port-dst 4000 \
	--state ESTABLISHED -t 100 -u SEEN_REPLY
check_eq "nfvsctl conn show mismatch lists it as nfvs-missing" nfvs-missing \
	"$(ctl -j conn show mismatch client 10.0.1.9 | python3 -S -c '
import json, sys
print(" ".join(c["check"] for c in json.load(sys.stdin)["connections"]))')"
check "and the human table says so too" \
	sh -c "ip netns exec $d $nfvsctl -n conn show mismatch | grep -q '10.0.1.9:4000.*nfvs-missing'"

# A dump in many parts.
check_eq "600 more UDP flows answered" 600 \
	"$(nx "$c" $peer udp "$nvip" 53 600 --sport 20000 | grep -c '^rs[12] 53 ')"
nx "$d" ipvsadm -Lnc | awk 'NR > 2 { print tolower($1), $4, $5 }' |
	sort >"$tmp/ipvsadm"
ctl -j conn show | python3 -S -c '
import json, sys
for c in json.load(sys.stdin)["connections"]:
    if c["check"] != "nfvs-missing":
        print("%s %s:%d %s:%d" % (c["protocol"], c["client"]["address"],
              c["client"]["port"], c["virtual"]["address"], c["virtual"]["port"]))
' | sort >"$tmp/nfvsctl"
echo "# ipvsadm -Lnc: $(wc -l <"$tmp/ipvsadm"), nfvsctl: $(wc -l <"$tmp/nfvsctl")"
check "ipvsadm -Lnc lists over 600 connections" \
	test "$(wc -l <"$tmp/ipvsadm")" -gt 600
check_eq "nfvsctl conn show lists each of them once" "" \
	"$(diff "$tmp/ipvsadm" "$tmp/nfvsctl" | head -n 5)"

kill "${holders[@]}" 2>/dev/null
wait "${holders[@]}" 2>/dev/null
holders=()
tap_done
