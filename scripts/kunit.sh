#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Apply patches/ to a fresh worktree of the base with git am, as a
# reviewer does, and run the kalloc_track suites under UML: once with
# kunit.py's default config (all tests, as a CI bot runs them) and once
# with lib/kalloc_track/tests/.kunitconfig. Each configuration keeps its
# own build directory, so warm runs stay warm.
#
# Usage: kunit.sh [CONFIG...], CONFIG in: default kunitconfig profiling
set -eu
. "$(dirname "$0")/common.sh"

"$KT_TOP/scripts/prepare-tree.sh"
wt=$(kt_applied_tree kunit)
mkdir -p "$KT_BUILD"
configs=${*:-default kunitconfig profiling}

kunit() {
	local name=$1 json=$KT_BUILD/$1.json
	shift
	rm -f "$json"
	echo "== kunit.py run $* (build dir $KT_BUILD/$name)"
	(cd "$wt" && ./tools/testing/kunit/kunit.py run \
		--build_dir="$KT_BUILD/$name" --jobs="$KT_JOBS" \
		--json="$json" "$@") || true
	results="$results $name=$json"
}

results=
for c in $configs; do
	case $c in
	default)
		# The default config builds every test (KUNIT_ALL_TESTS);
		# the filter runs our suites only.
		kunit default 'kalloc_track*' ;;
	kunitconfig)
		kunit kunitconfig --kunitconfig=lib/kalloc_track/tests ;;
	profiling)
		# Stacks on (UML unwinds only with frame pointers), and
		# /proc/allocinfo attribution checked.
		kunit profiling --kunitconfig=lib/kalloc_track/tests \
			--kconfig_add CONFIG_DEBUG_KERNEL=y \
			--kconfig_add CONFIG_FRAME_POINTER=y \
			--kconfig_add CONFIG_KALLOC_TRACK_STACKS=y \
			--kconfig_add CONFIG_MEM_ALLOC_PROFILING=y \
			--kconfig_add CONFIG_KALLOC_TRACK_PROFILING_KUNIT_TEST=y ;;
	*)
		kt_die "unknown configuration $c" ;;
	esac
done
# shellcheck disable=SC2086
python3 "$KT_TOP/scripts/kunit-summary.py" $results | tee "$KT_BUILD/summary.kunit"
case " $configs " in
*" kunitconfig "*)
	# The benchmark's smoke run (small counts) is part of the
	# kunitconfig suites: it must have run and printed its tables.
	echo "== benchmark smoke run (kunitconfig; make bench for the full one)"
	log=$KT_BUILD/kunitconfig/test.log
	if grep -q 'kt_bench: ' "$log"; then
		grep -o 'kt_bench: .*' "$log" | sed 's/^kt_bench: //'
	else
		echo "kunit: the benchmark printed nothing"
		exit 1
	fi ;;
esac
