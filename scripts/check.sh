#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: everything the project tests, in one TAP stream ending with
# "N passed, N failed" (", N skipped" when any); exits non-zero on any
# failure.
#
#   1. dependencies from Debian's archive (scripts/deps.sh)
#   2. on the host: the harness's own parsers, style gates, nfvs.ko built
#      with warnings as errors for every kernel of the matrix, nfvsctl
#   3. in parallel: KUnit on User-Mode Linux, the selftests in one QEMU boot
#      per kernel, and the harness canaries (deliberate failures that must
#      be reported as failures)
#
# NFVS_SERIES="6.1 6.12 7.3" picks the kernels; NFVS_KVM=1 uses KVM;
# NFVS_SLOW=1 adds the slow tier (tests/slow/packages.sh: the Debian
# packages, lintian, make install, DKMS, the packages on a fresh Debian 12
# booted on its own kernel), which CI runs.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

res=$NFVS_BUILD/check
rm -rf "$res" && mkdir -p "$res"
t0=$(date +%s)

# phase NAME CMD...: runs CMD, its result lines into $res/NAME.txt; a CMD
# that fails without saying what failed still counts as a failure.
phase() {
	local name=$1 rc
	shift
	"$@" >"$res/$name.txt" 2>"$res/$name.err"
	rc=$?
	if [ $rc -ne 0 ] && ! grep -q '^not ok' "$res/$name.txt"; then
		echo "not ok - $name: exited with status $rc" >>"$res/$name.txt"
		sed 's/^/# /' "$res/$name.err" | tail -n 10 >>"$res/$name.txt"
	fi
	echo "# $name: $(($(date +%s) - t0)) s since start" >>"$res/$name.txt"
}

build_tools() {
	local rc=0
	if make -C "$NFVS_TOP/tools/nfvsctl" >"$res/tools.log" 2>&1; then
		echo "ok - build nfvsctl"
	else
		echo "not ok - build nfvsctl (see ${res#"$NFVS_TOP"/}/tools.log)"
		grep -E 'error|warning|nfvsctl:' "$res/tools.log" | head -n 20 | sed 's/^/# /'
		rc=1
	fi
	# The benchmark's TCP ends (tests/selftests/bench_smoke.sh).
	if nfvs_build_nbench >"$res/nbench.log" 2>&1; then
		echo "ok - build bench/nbench"
	else
		echo "not ok - build bench/nbench"
		head -n 20 "$res/nbench.log" | sed 's/^/# /'
		rc=1
	fi
	return $rc
}

# The documentation renders without a warning (make htmldocs, Sphinx -W).
htmldocs() {
	if make -s -C "$NFVS_TOP" htmldocs >"$res/htmldocs.log" 2>&1; then
		echo "ok - docs: make htmldocs renders Documentation/ without a warning"
	else
		echo "not ok - docs: make htmldocs renders Documentation/ without a warning"
		grep -v '^nfvs: open' "$res/htmldocs.log" | head -n 20 | sed 's/^/# /'
		return 1
	fi
}

run_all() {
	echo "# nfvs make check: kernels $NFVS_SERIES"
	phase deps "$NFVS_TOP/scripts/deps.sh"
	cat "$res/deps.txt"
	if grep -q '^not ok' "$res/deps.txt"; then
		return
	fi
	echo "ok - deps: Debian packages and kernels installed"

	for p in harness:tests/harness/parsers.sh docs:tests/harness/docs.py \
		 style:scripts/style.sh \
		 build:scripts/build-matrix.sh; do
		phase "${p%%:*}" "$NFVS_TOP/${p#*:}"
		cat "$res/${p%%:*}.txt"
	done
	phase htmldocs htmldocs
	cat "$res/htmldocs.txt"
	# The guests run the nfvsctl and nbench built here.
	phase tools build_tools
	cat "$res/tools.txt"

	phase kunit "$NFVS_TOP/scripts/kunit.sh" &
	for s in $NFVS_SERIES; do
		phase "vm-$s" "$NFVS_TOP/scripts/vm/run.sh" "$s" &
	done
	phase canary "$NFVS_TOP/tests/harness/canary.sh" &
	wait
	# After the guests, not beside them: two minutes more rather than a
	# busier host under the timing-sensitive selftests.
	if [ "${NFVS_SLOW:-0}" = 1 ]; then
		phase slow "$NFVS_TOP/tests/slow/packages.sh"
	fi
	cat "$res/kunit.txt"
	for s in $NFVS_SERIES; do
		cat "$res/vm-$s.txt"
	done
	cat "$res/canary.txt"
	[ "${NFVS_SLOW:-0}" = 1 ] && cat "$res/slow.txt"
	echo "# make check took $(($(date +%s) - t0)) s"
}

run_all | "$NFVS_TOP/scripts/tap-summary.sh"
