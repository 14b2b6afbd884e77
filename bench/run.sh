#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: nfvs against in-tree IPVS, side by side in one guest per
# kernel of the matrix (bench/guest.sh), one guest after the other so that
# they do not share the CPUs. Prints the table of medians and ratios
# (bench/report.py) and leaves build/bench/results.tsv (every sample),
# results.json and report.txt.
#
#   NFVS_BENCH_SERIES="6.1 6.12 7.3"   kernels (default: the matrix)
#   NFVS_BENCH_REPS=5 NFVS_BENCH_WINDOW=2   samples per figure, seconds each
#   NFVS_BENCH_SIZES="1000 100000 1000000"  connection counts for scaling
#   NFVS_BENCH_BALANCERS="ipvs-ct0 ipvs-ct1 nfvs-ct0 nfvs-ct1"
#   NFVS_BENCH_PROFILE=1   instead: a perf profile of each balancer
#                          forwarding (build/bench-<kernel>/results/)
set -uo pipefail
. "$(dirname "$0")/../scripts/lib.sh"

series=${NFVS_BENCH_SERIES:-$NFVS_SERIES}
dir=$NFVS_BUILD/bench
mkdir -p "$dir"

"$NFVS_TOP/scripts/deps.sh" || exit 1
"$NFVS_TOP/scripts/build-matrix.sh" || exit 1
nfvs_build_nbench || exit 1

export NFVS_GUEST_ENV="NFVS_BENCH_REPS NFVS_BENCH_WINDOW NFVS_BENCH_SIZES \
NFVS_BENCH_BALANCERS NFVS_BENCH_PROFILE"
rc=0
: >"$dir/results.tsv"
for s in $series; do
	kver=$(nfvs_kver "$s")
	NFVS_VM_NAME=bench NFVS_VM_SMP=${NFVS_VM_SMP:-2} \
	NFVS_VM_MEM=${NFVS_VM_MEM:-4096} NFVS_VM_TIMEOUT=3600 \
	NFVS_TEST_TIMEOUT=3300 \
		"$NFVS_TOP/scripts/vm/run.sh" "$s" bench/guest.sh || rc=1
	cat "$NFVS_BUILD/bench-$kver/results/bench.tsv" >>"$dir/results.tsv" 2>/dev/null
	grep '^#' "$NFVS_BUILD/bench-$kver/results/01-guest.tap" 2>/dev/null
done
python3 "$NFVS_TOP/bench/report.py" "$dir/results.tsv" "$dir/results.json" |
	tee "$dir/report.txt"
exit $rc
