#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Harness canary: a script that outlives the host's limits (no progress
# for NFVS_VM_STALL seconds, or NFVS_VM_TIMEOUT for the whole boot).
echo "ok 1 - started"
sleep 1000
