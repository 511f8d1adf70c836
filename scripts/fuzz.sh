#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fuzz what parses user input, with libFuzzer under ASan and UBSan:
#   ktplan       the plan compiler (scripts/kalloc_track/), every backend
#   data_plane   samples/kalloc_track/data_plane.c itself, built against
#                the host shim in scripts/fuzz/shim/: module parameters
#                and control-file commands
# Each target first replays its seed corpus (scripts/fuzz/corpus/TARGET
# and the golden tests' plans), then fuzzes for KT_FUZZ_SECONDS (default
# 60) from a working corpus kept in the build cache. Any crash, leak or
# undefined behaviour fails the run; the input is kept next to the
# working corpus. Results go to $KT_BUILD/fuzz.json for make check.
#
# Usage: fuzz.sh [TARGET...]
set -eu
. "$(dirname "$0")/common.sh"

seconds=${KT_FUZZ_SECONDS:-60}
targets=${*:-ktplan data_plane}
out=$KT_BUILD/fuzz
mkdir -p "$out"

if ! clang -fsanitize=fuzzer -x c -o /dev/null - 2>/dev/null <<<'
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return 0; }'; then
	kt_log "installing clang and libFuzzer"
	apt-get install -y -qq clang libclang-rt-dev >/dev/null ||
		kt_die "cannot install clang with libFuzzer"
fi

"$KT_TOP/scripts/prepare-tree.sh"
flags="-O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
-isystem $KT_TREE/tools/include"
build() {
	case $1 in
	ktplan)
		# shellcheck disable=SC2086
		clang $flags -DKTPLAN_FUZZ -o "$out/ktplan_fuzz" \
			"$KT_TOP/scripts/fuzz/ktplan_fuzz.c" \
			"$KT_TOP"/scripts/kalloc_track/*.c
		seeds="$KT_TOP/scripts/fuzz/corpus/ktplan $KT_TOP/scripts/ktplan-tests"
		;;
	data_plane)
		# shellcheck disable=SC2086
		clang $flags -I "$KT_TOP/scripts/fuzz/shim" \
			-I "$KT_TOP/samples/kalloc_track" \
			-o "$out/data_plane_fuzz" \
			"$KT_TOP/scripts/fuzz/data_plane_fuzz.c" \
			"$KT_TOP/samples/kalloc_track/data_plane.c"
		seeds="$KT_TOP/scripts/fuzz/corpus/data_plane"
		;;
	*) kt_die "unknown fuzz target $1" ;;
	esac
}

json= failed=0 pass=0
for t in $targets; do
	build "$t"
	corpus=$out/$t-corpus
	mkdir -p "$corpus"
	status=PASS
	# Replay: every seed must run clean.
	# shellcheck disable=SC2086
	seed_files=$(find $seeds -type f 2>/dev/null | sort)
	# shellcheck disable=SC2086
	if ! "$out/${t}_fuzz" -runs=0 $seed_files >"$out/$t.replay.log" 2>&1; then
		echo "fuzz: $t: a seed fails:"
		grep -E 'ERROR|runtime error|SUMMARY' "$out/$t.replay.log" | head
		status=FAIL
	fi
	# shellcheck disable=SC2086
	cp $seed_files "$corpus"/ 2>/dev/null || true
	if ! (cd "$out" && "./${t}_fuzz" -max_total_time="$seconds" \
		-timeout=10 -rss_limit_mb=2048 -max_len=65536 \
		-artifact_prefix="$out/$t-" "$corpus") >"$out/$t.log" 2>&1; then
		echo "fuzz: $t: finding:"
		grep -E 'ERROR|runtime error|SUMMARY|Test unit written' \
			"$out/$t.log" | head
		status=FAIL
	fi
	echo "fuzz: $t: $(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$out/$t.log" || echo 'no run'); $status"
	if [ $status = PASS ]; then
		pass=$((pass + 1))
	else
		failed=$((failed + 1))
	fi
	json="$json${json:+,}{\"name\": \"$t\", \"status\": \"$status\"}"
done
printf '{"name": "host", "sub_groups": [{"name": "kalloc_track_fuzz", "sub_groups": [], "test_cases": [%s]}], "test_cases": []}\n' \
	"$json" >"$KT_BUILD/fuzz.json"
echo "fuzz: $pass passed, $failed failed"
[ "$failed" = 0 ]
