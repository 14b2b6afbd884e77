#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# nfvs registers its four IPv4 hooks at the documented priorities, and only
# while it is loaded:
#
#   hook         priority  function
#   input        100       nfvs_in            (after filter INPUT, 0)
#   forward       99       nfvs_forward_icmp
#   forward      100       nfvs_out           (after filter FORWARD, 0)
#   postrouting   99       nfvs_post_routing  (before SNAT/MASQUERADE, 100)
#
# Read two ways: `nft list hooks ip` (needs nfnetlink_hook, which Debian's
# 6.1 kernel lacks) and the nfvs_hookdump test module (every kernel).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
plan 8

# nft_hooks: "<hook> <priority> <function>" for the [nfvs] lines of
# `nft list hooks ip`.
nft_hooks() {
	nft list hooks ip | awk '
		/hook [a-z]+ \{/ { hook = $2 }
		/\[nfvs\]/ { printf "%s %d %s\n", hook, $1, $2 }'
}

# A filter INPUT chain from each iptables backend, to check the order.
iptables-legacy -A INPUT -j ACCEPT
iptables-nft -A INPUT -j ACCEPT

check "nfvs loads" nfvs_load
got=$(nfvs_hooks | grep ' nfvs_')
check_eq "hookdump: nfvs hooks at the documented priorities" "$NFVS_EXPECTED_HOOKS" "$got"

# Relative order: the filter INPUT chains (priority 0) run before nfvs_in.
order=$(nfvs_hooks | awk '$1 == "input" { printf "%s@%s ", $3, $2 }')
echo "# input hooks: $order"
# iptables-legacy's filter hook is iptable_filter_hook in older kernels
# and ipt_do_table itself later; iptables-nft's is nft_do_chain_ipv4.
for f in "legacy (iptable_filter_hook|ipt_do_table)" "nft (nft_do_chain_ipv4)"; do
	if grep -qE "${f#* }@0 .*nfvs_in@100 " <<<"$order"; then
		ok "hookdump: iptables-${f%% *} filter INPUT runs before nfvs_in"
	else
		not_ok "hookdump: iptables-${f%% *} filter INPUT runs before nfvs_in"
	fi
done

if modprobe -q nfnetlink_hook 2>/dev/null; then
	check_eq "nft list hooks ip: nfvs hooks at the documented priorities" \
		"$NFVS_EXPECTED_HOOKS" "$(nft_hooks)"
else
	skip "nft list hooks ip: nfvs hooks at the documented priorities" \
		"no nfnetlink_hook in $(uname -r)"
fi

check "nfvs unloads" nfvs_unload
check_eq "hookdump: no nfvs hook left after rmmod" "" "$(nfvs_hooks | grep ' nfvs_')"
if grep -q '^nfnetlink_hook ' /proc/modules; then
	check_eq "nft list hooks ip: no nfvs hook left after rmmod" "" "$(nft_hooks)"
else
	skip "nft list hooks ip: no nfvs hook left after rmmod" \
		"no nfnetlink_hook in $(uname -r)"
fi
iptables-legacy -D INPUT -j ACCEPT
iptables-nft -D INPUT -j ACCEPT
tap_done
