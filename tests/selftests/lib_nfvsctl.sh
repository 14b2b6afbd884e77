# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034
# The start of the nfvsctl selftests (sourced after lib.sh): $nfvsctl is
# the host's build of the tool (make tools).
nfvsctl=$(cd "$(dirname "$0")/../.." && pwd)/tools/nfvsctl/nfvsctl

# nfvsctl_start PROGRAM...: skipped without the programs, failed without
# the tool, and nfvs loaded alone (no in-tree ip_vs).
nfvsctl_start() {
	local p
	for p in "$@"; do
		command -v "$p" >/dev/null || skip_all "$p is not installed"
	done
	if [ ! -x "$nfvsctl" ]; then
		not_ok "nfvsctl is built ($nfvsctl missing: run make tools on the host)"
		tap_done
	fi
	nfvs_loaded && nfvs_unload
	[ -z "$(ipvs_modules)" ] || ipvs_unload || skip_all "in-tree ip_vs is in use"
	if ! nfvs_load; then
		not_ok "nfvs loads"
		tap_done
	fi
	ok "nfvs loads"
}
