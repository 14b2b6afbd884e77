#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Harness canary for the debug kernel, run as debug_<bug>.sh (symbolic
# links): all results ok, but loading nfvs_debug_canary.ko with bug=<bug>
# commits a bug that the kernel's detector for it must report.
name=$(basename "$0" .sh)
ko=$(dirname "$NFVS_KO")/debug_canary/nfvs_debug_canary.ko
insmod "$ko" bug="${name#debug_}"
rmmod nfvs_debug_canary
echo "ok 1 - the test itself passed"
echo "1..1"
