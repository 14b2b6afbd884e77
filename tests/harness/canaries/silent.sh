#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Harness canary: exits 0 without reporting a single result.
exit 0
