#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Harness canary: never finishes; the per-script timeout must stop it.
echo "ok 1 - started"
sleep 1000
