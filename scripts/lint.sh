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

echo "== sparse C=2 W=1"
build=$KT_BUILD/lint
mkdir -p "$build"
if [ ! -f "$build/.config" ]; then
	printf 'CONFIG_KUNIT=y\nCONFIG_KALLOC_TRACK_KUNIT_TEST=y\nCONFIG_DEBUG_FS=y\n' \
		>"$build/.config"
	make -s ARCH=um O="$build" olddefconfig
fi
log=$build/sparse.log
make -s ARCH=um O="$build" -j"$KT_JOBS" C=2 W=1 \
	lib/kalloc_track/ lib/kalloc_track/tests/ >"$log" 2>&1 || fail=1
if grep -E '(warning|error):' "$log" | grep -E 'kalloc_track' ; then
	fail=1
fi
echo "sparse: $(grep -cE '(warning|error):' "$log" || true) findings in the build, $(grep -E '(warning|error):' "$log" | grep -c kalloc_track || true) in our files"

[ $fail = 0 ] || kt_die "lint found problems"
echo "lint: clean"
