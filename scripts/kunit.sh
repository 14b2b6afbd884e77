#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# KUnit tests of nfvs on a User-Mode Linux kernel (a debug kernel: KASAN and
# lockdep). Builds that kernel once from linux-source-6.1 into the cache,
# keyed by tests/kunit/nfvs.kunitconfig; builds nfvs_kunit.ko (nfvs.ko plus
# the suites of tests/kunit/) in build/uml/; boots UML on the host's root and
# loads and unloads the module NFVS_KUNIT_LOADS times (tests/kunit/uml-init.sh).
#
# Prints one TAP line per test case on stdout, "ok - kunit: SUITE.CASE", then
# "ok - kunit: console clean", and "not ok" lines for anything else that went
# wrong; diagnostics start with "# ". Exits non-zero iff a line is "not ok".
# The console is kept in build/uml/console.log.
#
#   scripts/kunit.sh                 build, boot, parse
#   scripts/kunit.sh --build         only build (make check: before any guest)
#   scripts/kunit.sh --parse FILE    only parse a saved console (UML's stdout)
set -uo pipefail
. "$(dirname "$0")/lib.sh"

NFVS_KUNIT_LOADS=${NFVS_KUNIT_LOADS:-3}
NFVS_KUNIT_TIMEOUT=${NFVS_KUNIT_TIMEOUT:-1200}
KSRC=$NFVS_CACHE/linux-source-6.1
KCONFIG=$NFVS_TOP/tests/kunit/nfvs.kunitconfig

# parse_console FILE [TIMED_OUT [UML_RC [SUITES]]]: the TAP lines. Every
# suite that ran must have run once per load of the module; SUITES (names,
# space separated) are those that must have run.
parse_console() {
	awk -v timed_out="${2:-0}" -v uml_rc="${3:-0}" -v suites="${4:-}" \
		-v timeout="$NFVS_KUNIT_TIMEOUT" -v console_bad="$NFVS_CONSOLE_BAD" '
	function fail(msg) { print "not ok - kunit: " msg; bad = 1 }
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
				print "not ok - kunit: " key diags[key]; bad = 1
			} else if (key in skip) {
				print "ok - kunit: " key " # SKIP " skip[key]
			} else {
				print "ok - kunit: " key
			}
		}
		if (ndirty) {
			print "not ok - kunit: console clean"
			for (i = 1; i <= ndirty && i <= 10; i++)
				print "# " dirty[i]
			bad = 1
		} else {
			print "ok - kunit: console clean"
		}
		if (insuite)
			fail(suite " did not complete")
		if (!insmods)
			fail("module loaded (no insmod result on the console)")
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
		if (timed_out)
			fail("UML finished within " timeout " s")
		else if (!done)
			fail("UML finished (the init script did not reach its end)")
		else if (uml_rc != 0)
			fail("UML exited with status " uml_rc)
		exit bad
	}' "$1"
}

# The UML kernel for the current kunitconfig, built once.
uml_kernel() {
	local key dir log
	key=$(sha256sum "$KCONFIG" | cut -c1-12)
	dir=$NFVS_CACHE/uml-$key
	log=$NFVS_CACHE/uml-$key.log
	mkdir -p "$NFVS_CACHE"
	exec 9>"$NFVS_CACHE/uml.lock"
	flock 9
	nfvs_linux_source >/dev/null || { echo "linux-source-6.1 not available"; return 1; }
	if [ ! -x "$dir/linux" ]; then
		nfvs_log "nfvs: building the UML kernel in $dir (log: $log)"
		(cd "$KSRC" && python3 tools/testing/kunit/kunit.py build \
			--kunitconfig="$KCONFIG" --build_dir="$dir" \
			--jobs="$(nproc)") >"$log" 2>&1
		if [ ! -x "$dir/linux" ]; then
			echo "UML kernel build failed (see $log)"
			return 1
		fi
	fi
	exec 9>&-
	echo "$dir"
}

# build: the UML kernel (once) and nfvs_kunit.ko in $NFVS_BUILD/uml, unless
# that module is newer than every source it is built from.
build() {
	local umldir out=$NFVS_BUILD/uml
	if ! umldir=$(uml_kernel); then
		echo "not ok - kunit: UML kernel built ($umldir)"
		return 1
	fi
	if [ -f "$out/nfvs_kunit.ko" ] && [ -f "$out/.nfvs-uml" ] &&
	   [ "$(cat "$out/.nfvs-uml")" = "$umldir" ] &&
	   [ -z "$(cd "$NFVS_TOP" && find $NFVS_SOURCES -newer "$out/nfvs_kunit.ko" -print -quit)" ]; then
		return 0
	fi
	nfvs_stage_sources "$out"
	chmod +x "$out/tests/kunit/uml-init.sh"
	if ! make -C "$KSRC" O="$umldir" ARCH=um M="$out" NFVS_KUNIT=1 \
		NFVS_WERROR=y -j"$(nproc)" modules >"$out/build.log" 2>&1 ||
		[ ! -f "$out/nfvs_kunit.ko" ]; then
		echo "not ok - kunit: module built (see $out/build.log)"
		grep -E 'error|warning' "$out/build.log" | head -n 20 | sed 's/^/# /'
		return 1
	fi
	echo "$umldir" >"$out/.nfvs-uml"
}

run() {
	local umldir out=$NFVS_BUILD/uml suites rc timed_out=0 t0
	t0=$(date +%s)
	build || return 1
	umldir=$(cat "$out/.nfvs-uml")

	# uml_dir: what a crashed UML leaves behind stays in the build dir.
	timeout -k 10 "$NFVS_KUNIT_TIMEOUT" "$umldir/linux" mem=512M \
		uml_dir="$out/" rootfstype=hostfs rootflags=/ ro \
		init="$out/tests/kunit/uml-init.sh" -- \
		"$out/nfvs_kunit.ko" "$NFVS_KUNIT_LOADS" \
		</dev/null >"$out/console.log" 2>&1
	rc=$?
	[ $rc -eq 124 ] || [ $rc -eq 137 ] && timed_out=1
	echo "# UML console: $out/console.log ($(($(date +%s) - t0)) s in all)"

	suites=$(sed -n '/^static struct kunit_suite /,/^};/s/^\t\.name = "\(.*\)",$/\1/p' \
		"$out"/tests/kunit/*.c)
	parse_console "$out/console.log" "$timed_out" "$rc" "$suites"
}

case "${1:-}" in
--parse)
	if [ $# -ne 2 ] || [ ! -r "$2" ]; then
		nfvs_die "usage: $0 --parse CONSOLE"
	fi
	parse_console "$2"
	;;
--build)
	NFVS_BUILD=$(mkdir -p "$NFVS_BUILD" && cd "$NFVS_BUILD" && pwd)
	build && echo "ok - kunit: UML kernel and nfvs_kunit.ko built"
	;;
"")
	NFVS_BUILD=$(mkdir -p "$NFVS_BUILD" && cd "$NFVS_BUILD" && pwd)
	run
	;;
*)
	nfvs_die "usage: $0 [--build | --parse CONSOLE]"
	;;
esac
