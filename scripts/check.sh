#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: everything the project tests, in one TAP stream ending with
# "N passed, N failed" (", N skipped" when any); exits non-zero on any
# failure.
#
#   1. dependencies from Debian's archive (scripts/deps.sh)
#   2. on the host: the harness's own parsers, style gates, the docs
#   3. every build, before any guest boots but the debug kernel's
#      selftests (which start once their module is built): the debug
#      kernel (once per configuration, cached), nfvs.ko with warnings as
#      errors for every kernel of the matrix (and nfvs_kunit.ko for the
#      debug kernel), nfvsctl, the guests' initramfs
#   4. the guests, as many at once as there are CPUs free for them
#      (nfvs_cpus: the CPU count, lowered by a cgroup's CPU quota), the
#      longest first: the selftests of each kernel split into
#      NFVS_SHARDS boots (default 4) by their expected cost
#      (tests/selftests/costs), the debug kernel's into NFVS_DEBUG_SHARDS
#      (2), KUnit in one of those (first there, with 2 loads of
#      nfvs_kunit.ko); beside them from the start, the
#      harness canaries (which mostly wait)
#   5. with NFVS_SLOW=1, the slow tier (tests/slow/packages.sh: the Debian
#      packages, lintian, make install, DKMS, the packages on a fresh
#      Debian 12 booted on its own kernel), which CI runs
#   6. the time each phase, each guest and each guest script took
#
# Time limits are per script (scripts/vm/run.sh), never per run: a slow or
# loaded machine makes make check longer, not red. scripts/cpulimit.sh 1.2
# make check reproduces a slow machine.
#
# NFVS_SERIES picks the kernels; the default, "6.1 6.12 7.3 debug", is the
# three of Debian and the debug kernel of scripts/debug-kernel.sh (KASAN,
# lockdep, kmemleak), which runs the selftests of
# tests/debug-kernel/selftests on 2 vCPUs in their debug profile, and its
# detector canaries (Documentation/testing.rst, "The debug kernel").
# NFVS_KVM=1 uses KVM; NFVS_JOBS sets how many guests run at once.
set -uo pipefail
export NFVS_SERIES=${NFVS_SERIES:-"6.1 6.12 7.3 debug"}
. "$(dirname "$0")/lib.sh"

res=$NFVS_BUILD/check
rm -rf "$res" && mkdir -p "$res"
t0=$(date +%s)

# phase NAME CMD...: runs CMD, its result lines into $res/NAME.txt; a CMD
# that fails without saying what failed still counts as a failure. Its
# start and end (seconds since make check began) go to $res/times.
phase() {
	local name=$1 rc p0
	shift
	p0=$(date +%s)
	"$@" >"$res/$name.txt" 2>"$res/$name.err"
	rc=$?
	if [ $rc -ne 0 ] && ! grep -q '^not ok' "$res/$name.txt"; then
		echo "not ok - $name: exited with status $rc" >>"$res/$name.txt"
		sed 's/^/# /' "$res/$name.err" | tail -n 10 >>"$res/$name.txt"
	fi
	echo "$name $((p0 - t0)) $(($(date +%s) - t0))" >>"$res/times"
}

# cost SERIES SCRIPT: the seconds SCRIPT is expected to take on SERIES, at
# one CPU (tests/selftests/costs; 60 for a script not listed there).
cost() {
	awk -v s="$1" -v t="$2" '$1 == t && ($2 == s || $2 == "*") { c = $3 }
		END { print c ? c : 60 }' "$NFVS_TOP/tests/selftests/costs"
}

# listed FILE: the selftests a list names (tests/.../NAME lines), as paths.
listed() {
	grep -v '^#' "$1" | sed 's|^|tests/selftests/|; s|$|.sh|'
}

# stock_series: the Debian kernels of NFVS_SERIES (all but "debug"), one a
# line.
stock_series() {
	printf '%s\n' $NFVS_SERIES | grep -vx debug
}

# selftests SERIES: the selftests a kernel runs, one a line: all of them
# but those of tests/selftests/once that go to another Debian kernel (the
# Nth of that list to the Nth kernel, spread), and on the debug kernel
# those of tests/debug-kernel/selftests and KUnit (tests/kunit/kunit.sh:
# in a debug boot it costs the run no boot of its own).
selftests() {
	local t i=0 k n once
	if [ "$1" = debug ]; then
		echo tests/kunit/kunit.sh
		listed "$NFVS_TOP/tests/debug-kernel/selftests"
		return
	fi
	k=$(spread "$1")
	n=${k#*/} k=${k%/*}
	once=$(listed "$NFVS_TOP/tests/selftests/once" | while read -r t; do
		[ $((i % n)) -ne "$k" ] && echo "$t"
		i=$((i + 1))
	done)
	for t in "$NFVS_TOP"/tests/selftests/*.sh; do
		case ${t##*/} in lib*.sh) continue ;; esac
		t=${t#"$NFVS_TOP"/}
		grep -qxF "$t" <<<"$once" || echo "$t"
	done
}

# plan_guests: the guest jobs, one line each: "COST NAME SERIES SCRIPT...".
# Each kernel's scripts go to NFVS_SHARDS boots of unequal sizes, in the
# proportions K, K-1, ..., 1 (4: 40%, 30%, 20% and 10% of the kernel's
# expected time): the scheduler starts the largest first, and the boots
# left for the end, when fewer guests are there to share the CPUs, are
# short. The debug kernel's go to NFVS_DEBUG_SHARDS boots (2) of equal
# sizes: they are the run's longest, started first and side by side
# (start_debug), and the run cannot end before the longest of them.
# Each script goes to the boot that would be the least full for
# its size, the most expensive first; those of
# tests/selftests/smp (races between CPUs) to a boot of their own with 2
# vCPUs and a host thread for each, "vms-SERIES", on the debug kernel and
# on the newest Debian kernel of the series only (a boot of 2 vCPUs costs
# two guests' CPU).
plan_guests() {
	local s t shards equal smp c newest races list
	smp=$(listed "$NFVS_TOP/tests/selftests/smp")
	newest=$(stock_series | sort -V | tail -n 1)
	for s in $NFVS_SERIES; do
		shards=${NFVS_SHARDS:-4} equal=0
		[ "$s" = debug ] && shards=${NFVS_DEBUG_SHARDS:-2} equal=1
		list=$(selftests "$s")
		if [ "$s" = debug ] || [ "$s" = "$newest" ]; then
			races=$(grep -xF "$smp" <<<"$list")
			c=0
			for t in $races; do
				c=$((c + $(cost "$s" "$(basename "$t" .sh)")))
			done
			[ -n "$races" ] && echo "$c vms-$s $s" $races
		fi
		while read -r t; do
			grep -qxF "$t" <<<"$smp" && continue
			echo "$(cost "$s" "$(basename "$t" .sh)") $t"
		done <<<"$list" | sort -rn | awk -v s="$s" -v k="$shards" -v equal="$equal" '
		function share(i) { return equal ? 1 : k + 1 - i }
		{
			m = 1
			for (i = 2; i <= k; i++)
				if ((load[i] + $1) / share(i) < (load[m] + $1) / share(m))
					m = i
			load[m] += $1; list[m] = list[m] " " $2
		}
		END {
			for (i = 1; i <= k; i++)
				if (list[i] != "")
					print load[i] + 0, "vm" i "-" s, s list[i]
		}' | while read -r c n s t; do
			# In a boot, the scripts run in the order of their names.
			echo "$c $n $s $(printf '%s\n' $t | sort | tr '\n' ' ')"
		done
	done
}

# spread SERIES: "K/N", SERIES's place K (from 0) among the N Debian
# kernels of the matrix: the tests that spread a corpus over the kernels (a
# fuzzer's seeds and counts) send kernel K its part (NFVS_SPREAD,
# tests/selftests/lib.sh). The debug kernel runs only some scripts
# (tests/debug-kernel/selftests): it is not one of the N, and is "0/1".
spread() {
	local k=0 n=0 s
	[ "$1" = debug ] && { echo "0/1"; return; }
	for s in $NFVS_SERIES; do
		[ "$s" = debug ] && continue
		[ "$s" = "$1" ] && k=$n
		n=$((n + 1))
	done
	echo "$k/$n"
}

# run_jobs: reads jobs "COST NAME CMD..." and runs each as a phase, the
# most expensive first: one per CPU (nfvs_cpus), and up to as many again
# while half a CPU is measured idle (guests spend much of their time
# waiting: timeouts, expiry, sleeps; a guest uses about two thirds of a CPU
# on average), so that each has at least about half a CPU. A "vms" boot
# has 2 vCPUs: it counts twice, and needs a whole CPU idle to start beside
# others. It comes first in the queue, whatever its cost, but a job that
# cannot start yet holds up none behind it: the next that fits starts
# (the short 2-vCPU boot, first in the queue and waiting for a CPU idle
# beside the debug boot, which uses about one, once kept every Debian boot
# waiting for six minutes). The debug kernel's boots, started before
# (start_debug), count once each, although they have 2 vCPUs.
run_jobs() {
	local slots cost name cmd n free w pid i running next early
	local -A weight=()
	local -a queue
	slots=$(nfvs_cpus)
	{
		echo "# $(${NFVS_QEMU:-qemu-system-x86_64} --version | head -n 1)"
		echo "# guests: $slots at a time, up to $((2 * slots)) while a CPU is idle"
		cat "$res/early.txt" 2>/dev/null
	} >"$res/jobs.txt"
	early=$(cat "$res/early.pids" 2>/dev/null)
	mapfile -t queue < <(awk '{ print ($2 ~ /-debug$|^vms-/) ? 2 : 1, $0 }' |
		sort -k1,1rn -k2,2rn)
	free=
	while [ ${#queue[@]} -gt 0 ]; do
		running=0
		for pid in $(jobs -rp); do
			running=$((running + ${weight[$pid]:-1}))
		done
		# The debug boots started before (start_debug): 2 vCPUs each,
		# but on one host thread (NFVS_DEBUG_TCG=single), at most a
		# CPU, and they wait as the others do: one each, and whether
		# another guest fits beside them is the idle CPU's to say.
		for pid in $early; do
			kill -0 "$pid" 2>/dev/null && running=$((running + 1))
		done
		next=
		for i in "${!queue[@]}"; do
			read -r w cost name cmd <<<"${queue[$i]}"
			n=$((running + w))
			# Within the CPUs; alone, whatever its weight; or up to
			# twice the CPUs while half a CPU a weight is idle.
			if [ "$n" -le "$slots" ] || [ "$running" -eq 0 ] ||
			   { [ -n "$free" ] && [ "$n" -le $((2 * slots)) ] &&
			     [ "$free" -ge $((50 * w)) ]; }; then
				next=$i
				break
			fi
		done
		if [ -z "$next" ]; then
			free=$(nfvs_cpu_free 15)
			continue
		fi
		[ "$n" -le "$slots" ] && free=
		echo "# $name: expected ${cost} s, started at $(($(date +%s) - t0)) s with weight $running running${free:+ (${free}% of a CPU idle)}" >>"$res/jobs.txt"
		# shellcheck disable=SC2086
		phase "$name" $cmd &
		weight[$!]=$w
		unset "queue[$next]"
		free=
		sleep 5
	done
	wait
}

# guest_jobs: the jobs of the selftest guests, "COST NAME CMD...", one a
# line (plan_guests). A "vms" boot, the races, has 2 vCPUs on a host
# thread each; the debug kernel's other boots run their 2 vCPUs as
# NFVS_DEBUG_TCG says (QEMU's tcg,thread=; run.sh's NFVS_VM_TCG): single
# (the default), both on one host thread, or multi, one each.
guest_jobs() {
	local cost name s scripts env
	plan_guests | while read -r cost name s scripts; do
		env=
		if [ "${name%%-*}" = vms ]; then
			env="NFVS_VM_SMP=2 NFVS_VM_TCG=multi "
		elif [ "$s" = debug ]; then
			env="NFVS_VM_TCG=${NFVS_DEBUG_TCG:-single} "
		fi
		echo "$cost $name env NFVS_VM_NAME=${name%%-*} $env" \
			"NFVS_SPREAD=$(spread "$s") $NFVS_TOP/scripts/vm/run.sh $s $scripts"
	done
}

# start_debug: the debug kernel's selftest boots (guest_jobs), started at
# once, while the other kernels' modules build: the longest job of the
# run, it is its critical path, and those builds (about two minutes of
# both CPUs) no longer wait in front of it. Their lines go to $res/early,
# their pids to $res/early.pids (run_jobs counts each as a guest), and what
# jobs.txt says of them to $res/early.txt.
start_debug() {
	local cost name cmd
	guest_jobs | awk '$2 ~ /-debug$/' >"$res/early"
	while read -r cost name cmd <&3; do
		echo "# $name: expected ${cost} s, started at $(($(date +%s) - t0)) s, before the other kernels' builds" >>"$res/early.txt"
		# shellcheck disable=SC2086
		phase "$name" $cmd </dev/null &
		echo $! >>"$res/early.pids"
	done 3<"$res/early"
}

# guest_phase: the selftest guests and the slow tier, as run_jobs
# schedules them. The canaries mostly wait for the time limits they test
# (their four boots need about a minute of CPU in all): they run beside the
# others from the start, not in a CPU's slot, and not last.
guest_phase() {
	local canary sampler
	# How much CPU the guests left unused, every 30 s (timings).
	while f=$(nfvs_cpu_free 30); do
		echo "$(($(date +%s) - t0)) $f"
	done >"$res/cpu" 2>/dev/null &
	sampler=$!
	phase canary "$NFVS_TOP/tests/harness/canary.sh" &
	canary=$!
	{
		if [ "${NFVS_SLOW:-0}" = 1 ]; then
			echo "$(cost slow slow) slow $NFVS_TOP/tests/slow/packages.sh"
		fi
		guest_jobs | grep -vxF -f "$res/early"
	} | tee "$res/plan" | run_jobs
	cat "$res/early" >>"$res/plan"
	wait "$canary"
	kill "$sampler" 2>/dev/null
	wait "$sampler" 2>/dev/null
	echo "0 canary" >>"$res/plan"
	# A job that left no end time did not run to its end.
	while read -r cost name _; do
		grep -q "^$name " "$res/times" ||
			echo "not ok - $name: the job ran to its end" >>"$res/$name.txt"
	done <"$res/plan"
}

# timings: where the time went, as comment lines: each phase, each guest
# boot, and each guest script on each kernel, the slowest first.
timings() {
	echo "# time: phases (start, end and duration in s since make check began):"
	awk '{ printf "#   %-14s %5d %5d %5d\n", $1, $2, $3, $3 - $2 }' "$res/times"
	# The CPU the guest phase left idle (percent of one CPU, each value
	# over the 30 s before the time shown): where a run could have gone
	# faster with more guests at once.
	if [ -s "$res/cpu" ]; then
		awk -v cpus="$(nfvs_cpus)" '{ n++; s += $2 } END {
			printf "# time: CPU idle during the guests, %% of one CPU of %d: %d on average\n", cpus, s / n
		}' "$res/cpu"
		awk '{ printf "%d:%d ", $1, $2 } END { print "" }' "$res/cpu" | fold -s -w 72 |
			sed 's/ *$//; s/^/#   /'
	fi
	# A script's "CPU" is the guest's busy time; the last line, what
	# the kernel's boots cost the host (qemu's CPU time, run.sh).
	echo "# time: guest scripts, seconds taken/seconds of CPU, slowest first (kernels: $NFVS_SERIES):"
	cat "$res"/vm*.txt 2>/dev/null | awk -v series="$NFVS_SERIES" '
	/^# time: [^:]+: [^:]+: [0-9?]+ s(, busy [0-9?]+ s)?$/ {
		split($0, f, ": ")
		k = f[2]; t = f[3]; v = f[4]; b = v
		sub(/ s.*/, "", v)
		if (!sub(/.*, busy /, "", b)) b = "?"
		sub(/ s$/, "", b)
		debug = k ~ /-nfvs-debug$/
		for (i = 1; i <= ns; i++)
			if (debug ? sv[i] == "debug" : sv[i] != "debug" && (index(k, sv[i] ".") == 1 || k == sv[i]))
				col = i
		if (t == "host CPU of the boot") {
			host[col] += v
			next
		}
		sec[t, col] = v "/" b
		if (!(t in seen)) { seen[t] = 1; names[++n] = t }
		if (v + 0 > max[t]) max[t] = v + 0
		total[col] += v
		btotal[col] += b
	}
	BEGIN { ns = split(series, sv, " ") }
	END {
		for (i = 1; i <= n; i++)
			order[i] = i
		for (i = 1; i <= n; i++)
			for (j = i + 1; j <= n; j++)
				if (max[names[order[j]]] > max[names[order[i]]]) {
					x = order[i]; order[i] = order[j]; order[j] = x
				}
		line = sprintf("#   %-18s", "script")
		for (c = 1; c <= ns; c++)
			line = line sprintf(" %9s", sv[c])
		print line
		for (i = 1; i <= n; i++) {
			t = names[order[i]]
			line = sprintf("#   %-18s", t)
			for (c = 1; c <= ns; c++)
				line = line sprintf(" %9s", ((t, c) in sec) ? sec[t, c] : "-")
			print line
		}
		line = sprintf("#   %-18s", "total")
		for (c = 1; c <= ns; c++)
			line = line sprintf(" %9s", (c in total) ? total[c] "/" btotal[c] : "-")
		print line
		line = sprintf("#   %-18s", "host CPU (s)")
		for (c = 1; c <= ns; c++)
			line = line sprintf(" %9s", (c in host) ? host[c] : "-")
		print line
	}'
}

build_tools() {
	local rc=0
	if make -C "$NFVS_TOP/tools/nfvsctl" >"$res/tools.log" 2>&1; then
		echo "ok - build nfvsctl"
	else
		echo "not ok - build nfvsctl (see ${res#"$NFVS_TOP"/}/tools.log)"
		grep -E 'error|warning|nfvsctl:' "$res/tools.log" | head -n 20 | sed 's/^/# /'
		rc=1
	fi
	# The benchmark's TCP ends (tests/selftests/bench_smoke.sh).
	if nfvs_build_nbench >"$res/nbench.log" 2>&1; then
		echo "ok - build bench/nbench"
	else
		echo "not ok - build bench/nbench"
		head -n 20 "$res/nbench.log" | sed 's/^/# /'
		rc=1
	fi
	return $rc
}

# debug_kernel: make check's debug kernel, built once per configuration
# (scripts/debug-kernel.sh: cached in ~/.cache/nfvs).
debug_kernel() {
	local dir
	if dir=$("$NFVS_TOP/scripts/debug-kernel.sh"); then
		echo "ok - debug kernel $(cat "$dir/kernelrelease") (KASAN, lockdep, kmemleak)"
	else
		echo "not ok - debug kernel: scripts/debug-kernel.sh failed"
		return 1
	fi
}

# The documentation renders without a warning (make htmldocs, Sphinx -W).
htmldocs() {
	if make -s -C "$NFVS_TOP" htmldocs >"$res/htmldocs.log" 2>&1; then
		echo "ok - docs: make htmldocs renders Documentation/ without a warning"
	else
		echo "not ok - docs: make htmldocs renders Documentation/ without a warning"
		grep -v '^nfvs: open' "$res/htmldocs.log" | head -n 20 | sed 's/^/# /'
		return 1
	fi
}

# prepare_guests: each kernel's initramfs and the in-tree selftest, made
# once before the guests boot, two or more at a time.
prepare_guests() {
	local s rc=0
	for s in $NFVS_SERIES; do
		if "$NFVS_TOP/scripts/vm/run.sh" --prepare "$s"; then
			echo "ok - guest initramfs for $s"
		else
			rc=1
		fi
	done
	return $rc
}

# static_checks: the harness's parsers, the docs, the style and the HTML
# docs, one phase each.
static_checks() {
	local p
	for p in harness:tests/harness/parsers.sh docs:tests/harness/docs.py \
		 style:scripts/style.sh; do
		phase "${p%%:*}" "$NFVS_TOP/${p#*:}"
	done
	phase htmldocs htmldocs
}

run_all() {
	echo "# nfvs make check: kernels $NFVS_SERIES"
	phase deps "$NFVS_TOP/scripts/deps.sh" --host
	cat "$res/deps.txt"
	grep -q '^not ok' "$res/deps.txt" && return

	# The kernel that is built, not installed (the debug kernel), needs
	# only linux-source-6.1: on a fresh machine it builds while deps.sh
	# fetches the rest (the kernel packages, the trixie chroot, the slow
	# tier's fresh Debian 12), which waits on the network and the disk
	# more than on the CPUs. nfvs is then built for every kernel: first
	# for the debug kernel (and there nfvs_kunit.ko), whose selftest boot,
	# the critical path, then starts (start_debug); then for the others,
	# beside it. Every other build is over before the other guests: a
	# compiler beside them would take their CPU.
	kernels=
	if [[ " $NFVS_SERIES " == *" debug "* ]]; then
		phase debug debug_kernel &
		kernels=$!
	else
		echo "# KUnit runs on the debug kernel, which NFVS_SERIES leaves out: not run"
	fi
	phase kernels "$NFVS_TOP/scripts/deps.sh"
	[ -n "$kernels" ] && wait "$kernels"
	cat "$res/kernels.txt"
	grep -q '^not ok' "$res/kernels.txt" && return
	echo "ok - deps: Debian packages and kernels installed"
	[ -f "$res/debug.txt" ] && cat "$res/debug.txt"
	: >"$res/early"
	if [[ " $NFVS_SERIES " == *" debug "* ]]; then
		phase build-debug env NFVS_SERIES=debug "$NFVS_TOP/scripts/build-matrix.sh"
		cat "$res/build-debug.txt"
		if ! grep -q '^not ok' "$res/build-debug.txt" &&
		   "$NFVS_TOP/scripts/vm/run.sh" --prepare debug; then
			start_debug
		fi
	fi
	stock=$(stock_series | tr '\n' ' ')
	if [ -n "${stock// /}" ]; then
		phase build env NFVS_SERIES="$stock" "$NFVS_TOP/scripts/build-matrix.sh"
		cat "$res/build.txt"
	fi
	# The guests run the nfvsctl and nbench built here.
	phase tools build_tools
	cat "$res/tools.txt"
	phase initrd prepare_guests
	cat "$res/initrd.txt"

	# The checks of the source tree need no build and little CPU (about a
	# minute, mostly style.sh): they run beside the guests, which leave
	# part of a CPU idle, rather than before them.
	static_checks &
	static=$!
	guest_phase
	wait "$static"
	for pid in $(cat "$res/early.pids" 2>/dev/null); do
		wait "$pid"
	done
	for p in harness docs style htmldocs; do
		cat "$res/$p.txt"
	done
	cat "$res/jobs.txt"
	for s in $NFVS_SERIES; do
		cat "$res"/vm[0-9s]*-"$s".txt
	done
	cat "$res/canary.txt"
	[ "${NFVS_SLOW:-0}" = 1 ] && cat "$res/slow.txt"
	timings
	echo "# make check took $(($(date +%s) - t0)) s"
}

run_all | "$NFVS_TOP/scripts/tap-summary.sh" --expected-skips "$NFVS_TOP/tests/expected-skips"
