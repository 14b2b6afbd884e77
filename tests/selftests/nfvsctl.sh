#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# nfvsctl (tools/nfvsctl, built on the host: make tools) against the real
# module, with Debian's ipvsadm as the independent witness:
#
#   init namespace of the guest: nfvs loaded with ipvs_compat=1
#
#   1. the table data/nfvsctl.cases: every command line's exit status
#      (0, 1 usage, 2 kernel refusal); what an accepted one did, as
#      ipvsadm -Sn, the sysctls or nfvsctl's output show it; that a refused
#      one printed why and changed nothing
#   2. a configuration made with nfvsctl reads back identically with
#      ipvsadm -Sn, and ipvsadm -R of that text is what nfvsctl shows (no
#      thresholds there: ipvsadm -S does not save them)
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib_nfvsctl.sh
. "$(dirname "$0")/lib_nfvsctl.sh"
plan 156

cases=$(dirname "$0")/data/nfvsctl.cases
tmp=$(mktemp -d)

cleanup() {
	nfvs_loaded && { ipvsadm -C; nfvs_unload; }
	rm -rf "$tmp"
}
trap cleanup EXIT

nfvsctl_start ipvsadm python3

# state: what a refused command must leave alone.
state() {
	ipvsadm -Sn
	grep -r . /proc/sys/net/nfvs/
}

# json_true EXPR: stdin is one JSON document j for which EXPR holds.
json_true() {
	python3 -S -c 'import json, sys
j = json.load(sys.stdin)
sys.exit(0 if eval(sys.argv[1]) else 1)' "$1"
}

# check_case CHECK: the check of one case, after the command ran
# (its output in $tmp/out and $tmp/err).
check_case() {
	local kind=${1%% *} arg=${1#* }
	case "$kind" in
	save) ipvsadm -Sn | grep -qxF -- "$arg" ;;
	nosave) ! ipvsadm -Sn | grep -qF -- "$arg" ;;
	empty) [ -z "$(ipvsadm -Sn)" ] ;;
	list) ipvsadm -Ln --thresholds | grep -qE -- "$arg" ;;
	sysctl)
		[ "$(cat "/proc/sys/net/nfvs/${arg%% *}")" = "${arg#* }" ] &&
			[ "$(cat "/proc/sys/net/ipv4/vs/${arg%% *}")" = "${arg#* }" ]
		;;
	out) grep -qF -- "$arg" "$tmp/out" ;;
	err) grep -qF -- "$arg" "$tmp/err" ;;
	json) json_true "$arg" <"$tmp/out" ;;
	*) echo "# unknown check \"$kind\"" && false ;;
	esac
}

# run_case LINE: one case of the table, one result.
run_case() {
	local line=$1 args want check rc desc fail=
	local -a argv
	args=${line%% ; *}
	want=${line#* ; }
	check=
	if [ "${want#* ; }" != "$want" ]; then
		check=${want#* ; }
		want=${want%% ; *}
	fi
	read -ra argv <<<"$args"
	desc="nfvsctl $args: $want${check:+, $check}"
	rm -f "$tmp/witness"
	# The state before a refused command: the one the last refused
	# command left, when no command was accepted since.
	if [ "$want" != OK ] && ! mv "$tmp/known" "$tmp/before" 2>/dev/null; then
		state >"$tmp/before"
	fi
	rm -f "$tmp/known"
	"$nfvsctl" "${argv[@]}" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	case "$want" in
	OK)
		[ $rc -eq 0 ] || fail="exit status $rc"
		if [ -z "$fail" ] && [ "${argv[0]}" = -j ] &&
		   ! json_true True <"$tmp/out" 2>/dev/null; then
			fail="not one JSON document"
		fi
		;;
	"BAD "[12])
		if [ $rc -ne "${want#BAD }" ]; then
			fail="exit status $rc"
		elif [ ! -s "$tmp/err" ]; then
			fail="no error message"
		elif ! state >"$tmp/known" || ! cmp -s "$tmp/before" "$tmp/known"; then
			fail="the refused command changed something"
			rm -f "$tmp/known"
		fi
		;;
	*) fail="bad case (want OK, BAD 1 or BAD 2)" ;;
	esac
	if [ -z "$fail" ] && [ -n "$check" ] && ! check_case "$check"; then
		fail="check failed"
		case "$check" in
		save* | nosave* | empty) ipvsadm -Sn >"$tmp/witness" ;;
		list*) ipvsadm -Ln --thresholds >"$tmp/witness" ;;
		esac
	fi
	if [ -z "$fail" ]; then
		ok "$desc"
		return
	fi
	not_ok "$desc"
	echo "#   $fail"
	sed 's/^/#   stdout: /' "$tmp/out" | head -n 5
	sed 's/^/#   stderr: /' "$tmp/err" | head -n 5
	[ -f "$tmp/witness" ] && sed 's/^/#   ipvsadm: /' "$tmp/witness"
}

while IFS= read -r line; do
	run_case "$line"
done < <(sed -e '/^[[:space:]]*#/d' -e '/^[[:space:]]*$/d' "$cases")

# Round trip: nfvsctl -> ipvsadm -Sn -> ipvsadm -R -> nfvsctl.
"$nfvsctl" service flush
ipvsadm -C
while IFS= read -r line; do
	read -ra argv <<<"$line"
	"$nfvsctl" "${argv[@]}" || not_ok "round trip setup: nfvsctl $line"
done <<'EOF'
service add tcp 10.1.0.1:80 sched wrr
dest add tcp 10.1.0.1:80 10.2.0.1:8080 fwd nat weight 3
dest add tcp 10.1.0.1:80 10.2.0.2:8080 fwd nat weight 2
service add udp 10.1.0.1:53 sched sh flags sh-port persistent 600 netmask /24
dest add udp 10.1.0.1:53 10.2.0.3 fwd dr
dest add udp 10.1.0.1:53 10.2.0.4 fwd tun weight 0
service add tcp 10.1.0.2:443 sched mh flags mh-fallback
dest add tcp 10.1.0.2:443 10.2.0.5
service add fwmark 42 sched lc persistent 30
dest add fwmark 42 10.2.0.6 fwd dr weight 7
EOF
cat >"$tmp/want" <<'EOF'
-A -t 10.1.0.1:80 -s wrr
-a -t 10.1.0.1:80 -r 10.2.0.1:8080 -m -w 3
-a -t 10.1.0.1:80 -r 10.2.0.2:8080 -m -w 2
-A -t 10.1.0.2:443 -s mh -b mh-fallback
-a -t 10.1.0.2:443 -r 10.2.0.5:443 -g -w 1
-A -u 10.1.0.1:53 -s sh -p 600 -M 255.255.255.0 -b sh-port
-a -u 10.1.0.1:53 -r 10.2.0.3:53 -g -w 1
-a -u 10.1.0.1:53 -r 10.2.0.4:53 -i -w 0 --tun-type ipip
-A -f 42 -s lc -p 30
-a -f 42 -r 10.2.0.6:0 -g -w 7
EOF
ipvsadm -Sn >"$tmp/saved"
if cmp -s <(sort "$tmp/want") <(sort "$tmp/saved"); then
	ok "a configuration made with nfvsctl reads back identically with ipvsadm -Sn"
else
	not_ok "a configuration made with nfvsctl reads back identically with ipvsadm -Sn"
	diff -u "$tmp/want" "$tmp/saved" | sed 's/^/# /'
fi
"$nfvsctl" -j service show >"$tmp/json-before"
"$nfvsctl" -n service show >"$tmp/text-before"
ipvsadm -C
check_eq "nfvsctl shows nothing after ipvsadm -C" '{"services":[]}' \
	"$("$nfvsctl" -j service show)"
ipvsadm -R <"$tmp/saved"
"$nfvsctl" -j service show >"$tmp/json-after"
"$nfvsctl" -n service show >"$tmp/text-after"
if cmp -s "$tmp/json-before" "$tmp/json-after" &&
   cmp -s "$tmp/text-before" "$tmp/text-after"; then
	ok "a configuration restored with ipvsadm -R shows in nfvsctl as it was made"
else
	not_ok "a configuration restored with ipvsadm -R shows in nfvsctl as it was made"
	diff -u "$tmp/text-before" "$tmp/text-after" | sed 's/^/# /'
	diff -u "$tmp/json-before" "$tmp/json-after" | sed 's/^/# /'
fi
check_eq "nfvsctl -j service show counts the restored services" 4 \
	"$(json_true 'print(len(j["services"])) or True' <"$tmp/json-after")"
ipvsadm -C

check "nfvs unloads" nfvs_unload
tap_done
