#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# KUnit tests of nfvs on make check's debug kernel (scripts/debug-kernel.sh:
# KASAN, lockdep, kmemleak): nfvs_kunit.ko (nfvs.ko plus the suites of
# tests/kunit/, built for that kernel by scripts/build-matrix.sh) is loaded
# and unloaded NFVS_KUNIT_LOADS times (2) in a guest of one vCPU
# (tests/kunit/kunit.sh under scripts/vm/run.sh, whose checks of the
# console, the detectors and kmemleak's scan apply).
#
# Prints one TAP line per test case on stdout, "ok - KVER: kunit: SUITE.CASE",
# then the guest's own lines (console clean, KASAN, lockdep and kmemleak on
# to the end), and "not ok" lines for anything else that went wrong;
# diagnostics start with "# ". Exits non-zero iff a line is "not ok".
#
#   scripts/kunit.sh                    build what is missing (the debug
#                                       kernel, nfvs_kunit.ko), boot, parse
#   scripts/kunit.sh --parse FILE       only parse a saved log: result lines
#                                       "ok - kunit: SUITE.CASE"
#   scripts/kunit.sh --parse-guest FILE the guest's parse (tests/kunit/kunit.sh):
#                                       "ok - SUITE.CASE", and every suite of
#                                       tests/kunit/*.c must have run
set -uo pipefail
. "$(dirname "$0")/lib.sh"

# parse_console FILE PREFIX [SUITES]: the TAP lines of a log of the loads
# (the "nfvs-kunit:" lines of tests/kunit/kunit.sh among KUnit's), each
# result named PREFIX SUITE.CASE. Every suite that ran must have run once
# per load of the module; SUITES (names, space separated) are those that
# must have run.
parse_console() {
	awk -v p="$2" -v suites="${3:-}" -v console_bad="$NFVS_CONSOLE_BAD" '
	function fail(msg) { print "not ok - " p msg; bad = 1 }
	function suite_end(st) {
		if (plan != ncases)
			fail(suite " plan 1.." plan " but " ncases " cases ran")
		if (st != "ok" && !nfail)
			fail(suite " result: " st)
		insuite = 0
	}
	{
		sub(/\r$/, "")
		sub(/^\[ *[0-9]+\.[0-9]+\] /, "")
	}
	/^nfvs-kunit: start / { ndirty = 0; next }
	/^nfvs-kunit: insmod [0-9]+ rc=/ {
		rc = substr($4, 4)
		insmods++
		if (rc == "0")
			loaded[$3] = ++nloaded
		else
			fail("module loaded (insmod " $3 ": rc=" rc ")")
		next
	}
	/^nfvs-kunit: rmmod [0-9]+ rc=/ {
		rc = $0; sub(/^[^=]*=/, "", rc)
		if (rc != "0" && ($3 in loaded))
			fail("module unloaded (rmmod " $3 ": rc=" rc ")")
		next
	}
	/^nfvs-kunit: debug_locks:/ { locks = substr($2, 13); next }
	/^nfvs-kunit: done$/ { done = 1; next }
	$0 ~ console_bad {
		if (ndirty++ < 10)
			dirty[ndirty] = $0
	}
	/^    # Subtest: / {
		if (insuite)
			fail(suite " did not complete")
		suite = substr($0, 16); insuite = 1; plan = -1
		ncases = 0; nfail = 0; diag = ""; ndiag = 0
		if (!(suite in runs))
			suite_order[++nsuites] = suite
		runs[suite]++
		next
	}
	insuite && /^    1\.\.[0-9]+$/ { plan = substr($0, 8) + 0; next }
	insuite && /^    (not )?ok [0-9]+ / {
		line = substr($0, 5); st = "ok"
		if (sub(/^not ok /, "", line))
			st = "not ok"
		else
			sub(/^ok /, "", line)
		sub(/^[0-9]+ /, "", line)
		name = line; dir = ""
		if ((i = index(line, " # ")) > 0) {
			name = substr(line, 1, i - 1); dir = substr(line, i + 3)
		}
		key = suite "." name
		if (!(key in result)) {
			case_order[++ncase_keys] = key; result[key] = "ok"
		}
		if (st != "ok") {
			if (result[key] == "ok")
				diags[key] = diag
			result[key] = "not ok"; nfail++
		} else if (dir ~ /^SKIP/ && !(key in skip)) {
			skip[key] = substr(dir, 6)
		}
		ncases++; total++; diag = ""; ndiag = 0
		next
	}
	insuite && /^(not )?ok [0-9]+ / {
		st = ($1 == "not") ? "not ok" : "ok"
		name = $0; sub(/^(not )?ok [0-9]+ /, "", name); sub(/ # .*/, "", name)
		if (name == suite)
			suite_end(st)
		next
	}
	# What a case logged before its result: the reason it failed.
	insuite && !/^ *KTAP version/ && ndiag++ < 20 {
		line = $0; sub(/^    (# )?/, "", line)
		diag = diag "\n# " line
	}
	END {
		for (i = 1; i <= ncase_keys; i++) {
			key = case_order[i]
			if (result[key] != "ok") {
				print "not ok - " p key diags[key]; bad = 1
			} else if (key in skip) {
				print "ok - " p key " # SKIP " skip[key]
			} else {
				print "ok - " p key
			}
		}
		if (ndirty) {
			print "not ok - " p "console clean"
			for (i = 1; i <= ndirty && i <= 10; i++)
				print "# " dirty[i]
			bad = 1
		} else {
			print "ok - " p "console clean"
		}
		if (insuite)
			fail(suite " did not complete")
		if (!insmods)
			fail("module loaded (no insmod result in the log)")
		if (!nsuites)
			fail("KTAP output found")
		else if (!total)
			fail("test cases ran")
		n = split(suites, want, " ")
		for (i = 1; i <= n; i++)
			if (!(want[i] in runs))
				fail(want[i] " ran")
		for (i = 1; insmods && i <= nsuites; i++)
			if (runs[suite_order[i]] != nloaded)
				fail(suite_order[i] " ran " runs[suite_order[i]] \
				     " times in " nloaded + 0 " loads")
		if (insmods && locks != "1")
			fail("lockdep still on at the end (debug_locks: " locks ")")
		if (!done)
			fail("the loads finished (no \"nfvs-kunit: done\" line)")
		exit bad
	}' "$1"
}

# suites: the names of the suites of tests/kunit/*.c.
suites() {
	sed -n '/^static struct kunit_suite /,/^};/s/^\t\.name = "\(.*\)",$/\1/p' \
		"$NFVS_TOP"/tests/kunit/*.c | tr '\n' ' '
}

# run: the debug kernel and nfvs_kunit.ko (each built when missing or, for
# the module, older than a source), then the guest.
run() {
	local kver ko
	"$NFVS_TOP/scripts/debug-kernel.sh" >/dev/null ||
		{ echo "not ok - kunit: the debug kernel is built (scripts/debug-kernel.sh)"; return 1; }
	kver=$(nfvs_kver debug)
	ko=$NFVS_BUILD/$kver/kunit/nfvs_kunit.ko
	if [ ! -f "$ko" ] ||
	   [ -n "$(cd "$NFVS_TOP" && find $NFVS_SOURCES -newer "$ko" -print -quit)" ]; then
		NFVS_SERIES=debug "$NFVS_TOP/scripts/build-matrix.sh" || return 1
	fi
	NFVS_VM_NAME=kunit NFVS_VM_SMP=1 "$NFVS_TOP/scripts/vm/run.sh" debug tests/kunit/kunit.sh
}

case "${1:-}" in
--parse | --parse-guest)
	if [ $# -ne 2 ] || [ ! -r "$2" ]; then
		nfvs_die "usage: $0 $1 LOG"
	fi
	if [ "$1" = --parse ]; then
		parse_console "$2" "kunit: "
	else
		parse_console "$2" "" "$(suites)"
	fi
	;;
"")
	run
	;;
*)
	nfvs_die "usage: $0 [--parse LOG | --parse-guest LOG]"
	;;
esac
