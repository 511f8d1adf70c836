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
ours="include/linux/kalloc_track.h include/linux/kalloc_track_plan.h
lib/kalloc_track samples/kalloc_track"

echo "== checkpatch --strict"
for p in "$KT_TOP"/patches/*.patch; do
	out=$(./scripts/checkpatch.pl --strict --color=never "$p" 2>&1 || true)
	if printf '%s\n' "$out" | grep -q '^\(ERROR\|WARNING\):' ||
	   ! printf '%s\n' "$out" | grep -q '^total: 0 errors, 0 warnings, '; then
		printf '%s: %s\n' "${p##*/}" "$out"
		fail=1
	fi
	n=$(printf '%s\n' "$out" | grep -c '^CHECK:' || true)
	echo "${p##*/}: $(printf '%s\n' "$out" | grep -c '^ERROR:' || true) errors, $(printf '%s\n' "$out" | grep -c '^WARNING:' || true) warnings, $n checks"
	[ "$n" = 0 ] || printf '%s\n' "$out" | grep -A1 '^CHECK:' | sed 's/^/    /'
done

echo "== kernel-doc -Wall -Werror"
files=$(find $ours -name '*.[ch]' 2>/dev/null | sort)
# shellcheck disable=SC2086
./scripts/kernel-doc -none -Wall -Werror $files || fail=1

# Our sources, matched by path (the cache directory has our name too).
mine='(lib|samples|scripts)/kalloc_track/|include/linux/kalloc_track(_plan)?\.h|core-api/kalloc_track\.rst'

echo "== gcc W=1 (UML)"
# Every option, so that every line of ours is compiled: stacks,
# profiling, debugfs, the tests, and the sample as a module.
build=$KT_BUILD/lint
frag="CONFIG_MODULES=y CONFIG_MODULE_UNLOAD=y CONFIG_KUNIT=y
CONFIG_KALLOC_TRACK_KUNIT_TEST=y CONFIG_DEBUG_FS=y CONFIG_DEBUG_KERNEL=y
CONFIG_FRAME_POINTER=y CONFIG_KALLOC_TRACK_STACKS=y
CONFIG_MEM_ALLOC_PROFILING=y CONFIG_KALLOC_TRACK_PROFILING_KUNIT_TEST=y
CONFIG_SAMPLES=y CONFIG_SAMPLE_KALLOC_TRACK=m
CONFIG_SAMPLE_KALLOC_TRACK_KUNIT_TEST=y CONFIG_SAMPLE_KALLOC_TRACK_BENCH=y"
mkdir -p "$build"
if [ "$(cat "$build/lint.config" 2>/dev/null)" != "$frag" ]; then
	printf '%s\n' $frag >"$build/.config"
	make -s ARCH=um O="$build" olddefconfig
	for opt in $frag; do
		grep -qx "$opt" "$build/.config" || kt_die "lint config lacks $opt"
	done
	printf '%s' "$frag" >"$build/lint.config"
fi
log=$build/gcc.log
# Touch ours, so that every file of ours is compiled, and warns, again.
find lib/kalloc_track samples/kalloc_track samples/kalloc_track_bench -name '*.c' -exec touch {} +
make -s ARCH=um O="$build" -j"$KT_JOBS" W=1 lib/kalloc_track/ \
	lib/kalloc_track/tests/ samples/kalloc_track/ >"$log" 2>&1 || fail=1
if grep -E '(warning|error):' "$log" | grep -E "$mine"; then
	fail=1
fi
echo "gcc $(gcc -dumpversion): $(grep -cE '(warning|error):' "$log" || true) findings in the build, $(grep -E '(warning|error):' "$log" | grep -cE "$mine" || true) in our files"

echo "== compile-fail: what must not build does not"
# Each file of scripts/compile-fail/ is built in the applied tree, with
# the lint configuration, and must fail with the error its "expect:"
# line names.
for f in "$KT_TOP"/scripts/compile-fail/*.c; do
	name=$(basename "$f" .c)
	want=$(sed -n 's/^ \* expect: //p' "$f")
	[ -n "$want" ] || { echo "$name: no 'expect:' line"; fail=1; continue; }
	cp "$f" "lib/kalloc_track/$name.c"
	if make ARCH=um O="$build" "lib/kalloc_track/$name.o" \
		>"$build/$name.log" 2>&1; then
		echo "$name: built, but must not"
		fail=1
	elif ! grep -qF "$want" "$build/$name.log"; then
		echo "$name: failed, but not with '$want':"
		grep -E 'error' "$build/$name.log" | head -n 5
		fail=1
	else
		echo "$name: refused with '$want'"
	fi
	rm -f "lib/kalloc_track/$name.c"
done

echo "== x86_64: clang W=1 (LLVM=1), everything of ours as modules, sparse C=2"
# As allmodconfig builds it: KUnit, the suites and the sample as modules,
# linked by modpost against a vmlinux that exports what it exports. A
# tinyconfig base keeps the build short; any modpost error fails. The
# base needs clang 17, so this runs in scripts/toolroot.sh's root.
cbuild=$KT_BUILD/x86-modules
xfrag="CONFIG_64BIT=y CONFIG_MODULES=y CONFIG_MODULE_UNLOAD=y CONFIG_PRINTK=y
CONFIG_PROC_FS=y CONFIG_SYSFS=y CONFIG_DEBUG_FS=y CONFIG_DEBUG_KERNEL=y
CONFIG_RUNTIME_TESTING_MENU=y
CONFIG_KUNIT=m CONFIG_KALLOC_TRACK_KUNIT_TEST=m CONFIG_KALLOC_TRACK=y
CONFIG_KALLOC_TRACK_STACKS=y CONFIG_MEM_ALLOC_PROFILING=y CONFIG_SAMPLES=y
CONFIG_SAMPLE_KALLOC_TRACK=m CONFIG_SAMPLE_KALLOC_TRACK_KUNIT_TEST=m
CONFIG_SAMPLE_KALLOC_TRACK_BENCH=m"
mkdir -p "$cbuild"
mk="make -s ARCH=x86_64 LLVM=1 O=$cbuild"
cmd="cd $wt"
if [ "$(cat "$cbuild/lint.config" 2>/dev/null)" != "$xfrag" ]; then
	rm -f "$cbuild/lint.config"
	printf '%s\n' $xfrag "# CONFIG_WERROR is not set" >"$cbuild/frag.config"
	cmd="$cmd && $mk tinyconfig >/dev/null &&
	     ./scripts/kconfig/merge_config.sh -m -O $cbuild $cbuild/.config \
		$cbuild/frag.config >/dev/null && $mk olddefconfig"
fi
clog=$cbuild/build.log
slog=$cbuild/sparse.log
# Nothing from an earlier run may answer for this one.
rm -f "$clog" "$slog"
find "$cbuild" -name '*.ko' -delete 2>/dev/null || true
# The names' build-time check rests on __is_constexpr(), on which clang
# must agree with gcc: its compile-fail cases are built with clang too,
# each expected to fail (its log is read below).
cnames="kt_empty_name kt_empty_name_dead kt_empty_name_unused kt_empty_name_off kt_long_name kt_null_name"
trap 'for n in $cnames; do rm -f "$wt/lib/kalloc_track/$n.c"; done' EXIT
for n in $cnames; do
	cp "$KT_TOP/scripts/compile-fail/$n.c" "lib/kalloc_track/$n.c"
	echo "not run" >"$cbuild/$n.clang.log"
done
# The cases run after the module build whether or not it passed, each
# log replaced by its own build's output.
cmd="$cmd && clang --version | head -n 1 && { $mk -j$KT_JOBS W=1 >$clog 2>&1 &&
     make ARCH=x86_64 LLVM=1 O=$cbuild -j$KT_JOBS C=2 W=1 lib/kalloc_track/ \
		samples/kalloc_track/ >$slog 2>&1; ok=\$?;
     for n in $cnames; do
		$mk lib/kalloc_track/\$n.o >$cbuild/\$n.clang.log 2>&1 &&
			echo built >>$cbuild/\$n.clang.log; done; exit \$ok; }"
"$KT_TOP/scripts/toolroot.sh" run "$wt" "$cbuild" -- "$cmd" ||
	{ tail -n 20 "$clog" "$slog" 2>/dev/null || true; fail=1; }
for n in $cnames; do
	rm -f "lib/kalloc_track/$n.c"
	want=$(sed -n 's/^ \* expect: //p' "$KT_TOP/scripts/compile-fail/$n.c")
	if grep -qx "not run" "$cbuild/$n.clang.log"; then
		echo "$n: not built with clang"
		fail=1
	elif grep -qx built "$cbuild/$n.clang.log"; then
		echo "$n: built with clang, but must not"
		fail=1
	elif ! grep -qF "$want" "$cbuild/$n.clang.log"; then
		echo "$n: failed with clang, but not with '$want'"
		fail=1
	else
		echo "$n: refused by clang with '$want'"
	fi
done
for opt in $xfrag; do
	grep -qx "$opt" "$cbuild/.config" || { echo "x86_64 config lacks $opt"; fail=1; }
done
[ $fail = 1 ] || printf '%s' "$xfrag" >"$cbuild/lint.config"
if grep -E '(warning|error):' "$clog" | grep -E "$mine"; then
	fail=1
fi
if grep -E '^(ERROR|WARNING): modpost' "$clog"; then
	fail=1
fi
mods=$(cd "$cbuild" && find lib/kalloc_track samples/kalloc_track samples/kalloc_track_bench -name '*.ko' | sort)
echo "modules:" $mods
[ "$(echo "$mods" | wc -w)" -ge 9 ] || { echo "expected 9 modules of ours"; fail=1; }
echo "clang: $(grep -cE '(warning|error):' "$clog" || true) findings in the build, $(grep -E '(warning|error):' "$clog" | grep -cE "$mine" || true) in our files, $(grep -cE '^(ERROR|WARNING): modpost' "$clog" || true) from modpost"
if grep -q 'not available or not up to date' "$slog" ||
   ! grep -q '  CHECK   .*lib/kalloc_track/core.c' "$slog"; then
	echo "sparse did not run"
	fail=1
fi
if grep -E '(warning|error):' "$slog" | grep -E "$mine"; then
	fail=1
fi
echo "sparse: $(grep -c '  CHECK ' "$slog" || true) files checked, $(grep -E '(warning|error):' "$slog" | grep -cE "$mine" || true) findings in our files"

echo "== ktplan's output: checkpatch --strict on what it generates"
# The header and the module the kernel build generated from the plans of
# the tests and of the sample, as kbuild made them.
for f in "$build/lib/kalloc_track/tests/kt_test_plan.h" \
	 "$build/samples/kalloc_track/kmalloc_demo.c"; do
	if [ ! -s "$f" ]; then
		echo "${f#"$build"/}: not generated"
		fail=1
		continue
	fi
	out=$(./scripts/checkpatch.pl --strict --no-tree --color=never -f "$f" 2>&1 || true)
	if printf '%s\n' "$out" | grep -q '^\(ERROR\|WARNING\):' ||
	   ! printf '%s\n' "$out" | grep -q '^total: 0 errors, 0 warnings, '; then
		printf '%s\n' "$out"
		fail=1
	fi
	echo "${f#"$build"/}: $(printf '%s\n' "$out" | grep '^total:')"
done

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
