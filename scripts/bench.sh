#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: run samples/kalloc_track_bench on the applied series and
# print its tables.
#
#   uml     UML (one CPU), library with stacks compiled in, one build
#           run with kalloc_track.stacks=0, 1 (adds) and 2 (adds and
#           releases), and 1 and 2 again with kalloc_track.stack_reuse=1
#   off     UML, library configured out (the API is kmalloc/kfree)
#   uml-smp UML with two virtual CPUs (CONFIG_SMP, ncpus=2): the
#           multi-CPU rows, and the one-thread rows of kalloc_track
#           and raw kmalloc with two CPUs' shards; each virtual CPU a
#           host thread, not emulated; skipped on a host with one CPU
#   smp     x86_64 QEMU -smp 2 (TCG): the multi-CPU rows only
#
# UML runs call the kernel directly rather than through kunit.py run,
# which appends mem=1G: a row keeps a mechanism's fill and a raw one
# live at once, and 262,144 devm_kmalloc(4096) objects take 2 GiB
# (kmalloc-8k, with devres's header) beside raw's 1 GiB.
#
# Usage: bench.sh [RUN...]; KT_BENCH_ARGS overrides the bench's
# parameters (default: the full run).
set -eu
. "$(dirname "$0")/common.sh"

"$KT_TOP/scripts/prepare-tree.sh"
wt=$(kt_applied_tree bench)
cfg=$KT_TOP/scripts/configs
runs=${*:-uml off uml-smp smp}
params=${KT_BENCH_ARGS:-kalloc_track_bench.max_live=262144 kalloc_track_bench.pairs=4096 kalloc_track_bench.reps=5 kalloc_track_bench.mt_pairs=200000}
out=$KT_BUILD/bench.txt
limit=3600
mkdir -p "$KT_BUILD"
: >"$out"
fail=0

table() {
	local title=$1 log=$2
	{
		echo "== $title"
		grep -o 'kt_bench: .*' "$log" | sed 's/^kt_bench: //'
	} | tee -a "$out"
	(cd "$wt" && ./tools/testing/kunit/kunit.py parse "$log") |
		grep -E '^\[.*\] (Testing complete|.*FAILED|.*CRASHED)' ||
		true
	grep -q '^ok .* kalloc_track_bench' "$log" ||
		grep -q 'ok [0-9]* kalloc_track_bench$' "$log" ||
		{ echo "bench: $title did not pass"; fail=1; }
}

# uml NAME CONFIG FILTER RUN...: build CONFIG in build dir NAME and boot
# it once per RUN ("label:kernel args") with the suites that FILTER
# (a kunit.filter_glob) selects, each boot in $KT_BUILD/NAME.label.log
# and given $limit seconds.
uml() {
	local name=$1 config=$2 filter=$3 b=$KT_BUILD/$1
	shift 3
	(cd "$wt" && ./tools/testing/kunit/kunit.py build --build_dir="$b" \
		--jobs="$KT_JOBS" --kunitconfig="$config") >"$b.build.log" 2>&1 ||
		{ tail -n 30 "$b.build.log"; kt_die "bench build $name failed"; }
	for run in "$@"; do
		# shellcheck disable=SC2086
		timeout -k 30 "$limit" "$b/linux" mem=6G console=tty kunit_shutdown=halt \
			kunit.filter_glob="$filter" kunit.timeout=3000 \
			$params ${run#*:} </dev/null 2>&1 |
			tr -d '\r' >"$b.${run%%:*}.log" || true
		table "UML, $name, ${run%%:*}" "$b.${run%%:*}.log"
	done
}

# smp_up LABEL: whether the uml-smp boot LABEL brought up two CPUs.
smp_up() {
	grep -q 'smp: Brought up .* 2 CPUs' "$KT_BUILD/bench-uml-smp.$1.log" &&
		return 0
	echo "bench: uml-smp $1: UML did not bring up 2 CPUs"
	fail=1
	return 1
}

for r in $runs; do
	case $r in
	uml)	uml bench "$cfg/bench.config" kalloc_track_bench \
			"stacks-off:kalloc_track.stacks=0" \
			"stacks-of-adds:kalloc_track.stacks=1" \
			"stacks-of-adds-and-releases:kalloc_track.stacks=2" \
			"stacks-of-adds-reused:kalloc_track.stacks=1 kalloc_track.stack_reuse=1" \
			"stacks-of-adds-and-releases-reused:kalloc_track.stacks=2 kalloc_track.stack_reuse=1" ;;
	off)	uml bench-off "$cfg/bench-off.config" kalloc_track_bench \
			"configured-out:" ;;
	uml-smp)
		if [ "$(nproc)" -lt 2 ]; then
			echo "bench: uml-smp needs two host CPUs; skipped"
			continue
		fi
		# SMP UML needs the seccomp userspace mode. Each boot takes
		# under a minute: a hang in bring-up should not cost the
		# hour a full run may.
		limit=900 uml bench-uml-smp "$cfg/bench-uml-smp.config" \
			kalloc_track_bench.kb_multi_cpu \
			"two-cpus:ncpus=2 seccomp=on"
		smp_up two-cpus || continue
		# One thread, kalloc_track and raw kmalloc only, with the
		# shards of two CPUs: each table sees part of the pages.
		limit=900 uml bench-uml-smp "$cfg/bench-uml-smp.config" \
			kalloc_track_bench.kb_pairs \
			"sharded:ncpus=2 seccomp=on kalloc_track_bench.only=kalloc_track"
		smp_up sharded || true ;;
	smp)
		kt_tcg_only
		b=$KT_BUILD/bench-smp
		# shellcheck disable=SC2086
		(cd "$wt" && ./tools/testing/kunit/kunit.py run --build_dir="$b" \
			--jobs="$KT_JOBS" --timeout=3000 --arch=x86_64 \
			--kunitconfig="$cfg/x86-bench.config" \
			--qemu_args=-smp --qemu_args=2 \
			--kernel_args="$params" \
			'kalloc_track_bench.kb_multi_cpu') >"$b.run.log" 2>&1 || true
		table "x86_64 QEMU -smp 2 (TCG)" "$b/test.log" ;;
	*)	kt_die "unknown run $r" ;;
	esac
done
echo "bench: tables in $out"
[ $fail = 0 ] || kt_die "a benchmark run failed"
