#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The project's style gates, as result lines ("ok - style: ..."):
# checkpatch (from linux-source-6.1) on every C file, shellcheck on every
# shell script, an SPDX line first everywhere, and kernel-version tests only
# in the compat header.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
cd "$NFVS_TOP" || exit 1

COMPAT=src/compat/compat.h
rc=0

result() {
	local desc=$1 out=$2
	if [ -z "$out" ]; then
		echo "ok - style: $desc"
	else
		echo "not ok - style: $desc"
		sed 's/^/# /' <<<"$out" | head -n 20
		rc=1
	fi
}

# sources NAME-PATTERN...: the tree's files of those names, build products
# left out: from git where the tree is a clone, else (a release tarball, git
# archive) found on disk.
sources() {
	local a=() p

	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git ls-files -co --exclude-standard "$@"
		return
	fi
	for p in "$@"; do
		a+=(${a[0]+-o} -name "$p")
	done
	find . \( -path ./build -o -path ./.git -o -path './debian/*' \) -prune -o \
		-type f \( "${a[@]}" \) ! -name '*.mod.c' -print | sed 's|^\./||' | sort
}

c_files=$(sources '*.c' '*.h')
sh_files=$(sources '*.sh' '*init-stage1')
# An empty list would pass every gate below.
echo "# style: $(wc -w <<<"$c_files") C files, $(wc -w <<<"$sh_files") shell scripts"
result "C files found" "$([ -n "$c_files" ] || echo none)"
result "shell scripts found" "$([ -n "$sh_files" ] || echo none)"

ksrc=$(nfvs_linux_source) || { echo "not ok - style: linux-source-6.1 for checkpatch"; exit 1; }
checkpatch=$ksrc/scripts/checkpatch.pl

# What each check said of a file is kept in the cache, under a key made of
# everything that decides it: the file's content and name, the checker
# and its data, its options and, for shellcheck -x, the libraries a script
# may source (lib*.sh: every "." in the tree sources one). Only an
# unchanged file under an unchanged checker is not checked again (beside
# the guests, checkpatch on every file takes two minutes of a CPU); a
# checker that did not run to its end (exit status above 1) is not kept.
memo=$NFVS_CACHE/style
mkdir -p "$memo" 2>/dev/null || memo=
cp_id=$(cat "$checkpatch" "$(dirname "$checkpatch")"/spelling.txt \
	"$(dirname "$checkpatch")"/const_structs.checkpatch 2>&1 | sha256sum)
sc_id=$( (shellcheck --version
	for f in $sh_files; do
		case ${f##*/} in lib*.sh) cat "$f" ;; esac
	done) 2>&1 | sha256sum)

# memoized ID CMD... FILE: CMD's output, from the cache when FILE was
# checked before by the checker ID with the same options.
memoized() {
	local id=$1 f=${*: -1} key rc
	shift
	if [ -z "$memo" ]; then
		"$@"
		return
	fi
	key=$(printf '%s\n' "$id" "$*" | cat - "$f" | sha256sum | cut -c1-32)
	if [ -f "$memo/$key" ]; then
		cat "$memo/$key"
		return
	fi
	"$@" >"$memo/$key.$$" 2>&1
	rc=$?
	cat "$memo/$key.$$"
	if [ $rc -le 1 ]; then
		mv "$memo/$key.$$" "$memo/$key"
	else
		rm -f "$memo/$key.$$"
	fi
}

checkpatch_one() {
	local ignore=()
	# The one place where kernel versions may be compared.
	[ "$1" = "$COMPAT" ] && ignore=("--ignore=LINUX_VERSION_CODE,CONSTANT_COMPARISON")
	memoized "$cp_id" checkpatch_run "${ignore[@]}" -f "$1"
}

# checkpatch_run [OPTION...] -f FILE: what checkpatch says is wrong; its
# exit status (1: something is).
checkpatch_run() {
	local out rc
	out=$(perl "$checkpatch" --no-tree --strict --terse --show-types "$@")
	rc=$?
	grep -v '^total: 0 errors, 0 warnings' <<<"$out"
	return $rc
}

shellcheck_one() {
	memoized "$sc_id" shellcheck -x -P SCRIPTDIR -S warning "$1"
}

# each WHAT FUNC FILE...: FUNC FILE for every FILE, as many at a time as
# there are CPUs, then a result "WHAT FILE" for each, in order (FUNC's
# output is what is wrong).
each() {
	local what=$1 fn=$2 f i=0 dir
	shift 2
	dir=$(mktemp -d)
	for f in "$@"; do
		i=$((i + 1))
		"$fn" "$f" >"$dir/$i" 2>&1 &
		[ "$i" -lt "$cpus" ] || wait -n
	done
	wait
	i=0
	for f in "$@"; do
		i=$((i + 1))
		result "$what $f" "$(cat "$dir/$i")"
	done
	rm -rf "$dir"
}

cpus=$(nfvs_cpus)
# shellcheck disable=SC2086
each checkpatch checkpatch_one $c_files
# shellcheck disable=SC2086
each shellcheck shellcheck_one $sh_files

result "SPDX identifier on the first lines of every source file" "$(
	for f in $c_files $sh_files Kbuild Makefile; do
		head -n 2 "$f" | grep -q 'SPDX-License-Identifier:' || echo "$f"
	done)"
result "kernel versions compared only in $COMPAT" "$(
	grep -ln 'LINUX_VERSION_CODE\|KERNEL_VERSION' $c_files | grep -vx "$COMPAT")"
# tests/selftests/lib.sh: the host holds a script to the count it declares.
result "every selftest declares its plan (plan N, or NFVS_PLAN for another)" "$(
	for f in tests/selftests/*.sh; do
		case $f in */lib*.sh) continue ;; esac
		grep -qE '(^|[;{] *|then )plan [0-9$"]|NFVS_PLAN=[0-9]' "$f" || echo "$f"
	done)"
exit $rc
