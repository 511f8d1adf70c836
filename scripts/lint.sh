#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Static checks of the series as applied by git am: checkpatch --strict
# on every patch, kernel-doc -Werror on our sources, and sparse (C=2)
# with W=1 on our directories. Any finding fails.
set -eu
. "$(dirname "$0")/common.sh"

"$KT_TOP/scripts/prepare-tree.sh"
wt=$(kt_applied_tree lint)
cd "$wt"
fail=0
ours="include/linux/kalloc_track.h lib/kalloc_track samples/kalloc_track"

echo "== checkpatch --strict"
# Patches before the MAINTAINERS one add files that no entry covers yet;
# that one warning (FILE_PATH_CHANGES) is expected there and nowhere else.
maint_seen=0
for p in "$KT_TOP"/patches/*.patch; do
	ignore=
	grep -q '^+++ b/MAINTAINERS$' "$p" && maint_seen=1
	[ $maint_seen = 1 ] || ignore=--ignore=FILE_PATH_CHANGES
	out=$(./scripts/checkpatch.pl --strict --color=never -q $ignore "$p" || true)
	if printf '%s\n' "$out" | grep -q '^\(ERROR\|WARNING\):'; then
		printf '%s: %s\n' "${p##*/}" "$out"
		fail=1
	fi
	n=$(printf '%s\n' "$out" | grep -c '^CHECK:' || true)
	echo "${p##*/}: 0 errors, 0 warnings, $n checks"
	[ "$n" = 0 ] || printf '%s\n' "$out" | grep -A1 '^CHECK:' | sed 's/^/    /'
done

echo "== kernel-doc -Wall -Werror"
files=$(find $ours -name '*.[ch]' 2>/dev/null | sort)
# shellcheck disable=SC2086
./scripts/kernel-doc -none -Wall -Werror $files || fail=1

# Our sources, matched by path (the cache directory has our name too).
mine='(lib|samples)/kalloc_track/|include/linux/kalloc_track\.h|core-api/kalloc_track\.rst'

echo "== sparse C=2 W=1"
# Every option, so that every line of ours is compiled: stacks,
# profiling, debugfs, the tests, and the sample as a module.
build=$KT_BUILD/lint
frag="CONFIG_MODULES=y CONFIG_MODULE_UNLOAD=y CONFIG_KUNIT=y
CONFIG_KALLOC_TRACK_KUNIT_TEST=y CONFIG_DEBUG_FS=y CONFIG_DEBUG_KERNEL=y
CONFIG_FRAME_POINTER=y CONFIG_KALLOC_TRACK_STACKS=y
CONFIG_MEM_ALLOC_PROFILING=y CONFIG_SAMPLES=y CONFIG_SAMPLE_KALLOC_TRACK=m
CONFIG_SAMPLE_KALLOC_TRACK_KUNIT_TEST=y"
mkdir -p "$build"
if [ "$(cat "$build/lint.config" 2>/dev/null)" != "$frag" ]; then
	printf '%s\n' $frag >"$build/.config"
	make -s ARCH=um O="$build" olddefconfig
	for opt in $frag; do
		grep -qx "$opt" "$build/.config" || kt_die "lint config lacks $opt"
	done
	printf '%s' "$frag" >"$build/lint.config"
fi
log=$build/sparse.log
make -s ARCH=um O="$build" -j"$KT_JOBS" C=2 W=1 lib/kalloc_track/ \
	lib/kalloc_track/tests/ samples/kalloc_track/ >"$log" 2>&1 || fail=1
if grep -E '(warning|error):' "$log" | grep -E "$mine"; then
	fail=1
fi
echo "sparse: $(grep -cE '(warning|error):' "$log" || true) findings in the build, $(grep -E '(warning|error):' "$log" | grep -cE "$mine" || true) in our files"

echo "== clang W=1 (LLVM=1)"
cbuild=$KT_BUILD/clang
mkdir -p "$cbuild"
if [ "$(cat "$cbuild/lint.config" 2>/dev/null)" != "$frag" ]; then
	printf '%s\n' $frag >"$cbuild/.config"
	make -s ARCH=um LLVM=1 O="$cbuild" olddefconfig
	printf '%s' "$frag" >"$cbuild/lint.config"
fi
clog=$cbuild/build.log
make -s ARCH=um LLVM=1 O="$cbuild" -j"$KT_JOBS" W=1 lib/kalloc_track/ \
	lib/kalloc_track/tests/ samples/kalloc_track/ >"$clog" 2>&1 ||
	{ tail -n 20 "$clog"; fail=1; }
if grep -E '(warning|error):' "$clog" | grep -E "$mine"; then
	fail=1
fi
echo "clang: $(grep -cE '(warning|error):' "$clog" || true) findings in the build, $(grep -E '(warning|error):' "$clog" | grep -cE "$mine" || true) in our files"

echo "== get_maintainer.pl --self-test"
out=$(./scripts/get_maintainer.pl --self-test=patterns,sections 2>&1 || true)
if printf '%s\n' "$out" | grep -i 'kalloc'; then
	fail=1
fi
echo "get_maintainer: $(printf '%s\n' "$out" | grep -ci kalloc || true) findings for our entry"

echo "== htmldocs (core-api)"
docs=$KT_BUILD/htmldocs
mkdir -p "$docs"
make -s O="$docs" SPHINXDIRS=core-api htmldocs >"$docs/build.log" 2>&1 ||
	{ tail -n 20 "$docs/build.log"; fail=1; }
if grep -iE 'warning|error' "$docs/build.log" | grep -E "$mine"; then
	fail=1
fi
echo "htmldocs: $(grep -ciE 'warning|error' "$docs/build.log" || true) warnings in all, $(grep -iE 'warning|error' "$docs/build.log" | grep -cE "$mine" || true) from our files"

[ $fail = 0 ] || kt_die "lint found problems"
echo "lint: clean"
