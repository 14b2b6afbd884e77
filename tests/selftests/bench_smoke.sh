#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The benchmark's machinery (bench/guest.sh, which make bench runs) in
# miniature: in-tree IPVS and nfvs with conntrack=1, one one-second window
# per figure, 1,000 connections. The numbers are not judged here; that
# every figure is measured (pktgen, nbench, the ipvsadm configuration,
# the fill, the counters) and above zero is.
NFVS_RESULTS=$(mktemp -d)
# NFVS_PLAN: bench/guest.sh's results for this configuration.
export NFVS_RESULTS NFVS_BENCH_BALANCERS="ipvs-ct1 nfvs-ct1" \
	NFVS_BENCH_SIZES=1000 NFVS_BENCH_REPS=1 NFVS_BENCH_WINDOW=1 NFVS_PLAN=12
exec bash "$(dirname "$0")/../../bench/guest.sh"
