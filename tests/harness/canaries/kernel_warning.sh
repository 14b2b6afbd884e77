#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Harness canary: all results ok, but the kernel log shows a warning.
echo "<4>WARNING: CPU: 0 PID: $$ at nfvs harness canary" >/dev/kmsg
echo "ok 1 - the test itself passed"
echo "1..1"
