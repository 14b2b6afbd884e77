#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Harness canary: the guest kernel crashes in the middle of a test.
echo "ok 1 - before the crash"
sync
echo c >/proc/sysrq-trigger
