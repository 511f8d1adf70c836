#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# One step of bisect.sh, run by git rebase --exec at each commit.
set -eu
. "$(dirname "$0")/common.sh"
b=$KT_BISECT_BUILD
subject=$(git log -1 --format=%s)
n=$(git rev-list --count "$KT_BASE_TAG"..HEAD)
echo "== bisect step $n: $subject"

printf '%s\n' CONFIG_MODULES=y CONFIG_MODULE_UNLOAD=y CONFIG_KUNIT=y \
	CONFIG_DEBUG_FS=y CONFIG_SAMPLES=y CONFIG_SAMPLE_KALLOC_TRACK=m \
	CONFIG_SAMPLE_KALLOC_TRACK_KUNIT_TEST=y CONFIG_SAMPLE_KALLOC_TRACK_BENCH=y \
	CONFIG_KALLOC_TRACK_KUNIT_TEST=y CONFIG_KALLOC_TRACK_STACKS=y \
	CONFIG_DEBUG_KERNEL=y CONFIG_FRAME_POINTER=y \
	>"$b/.config"
make -s ARCH=um O="$b" olddefconfig
make -s ARCH=um O="$b" -j"$KT_JOBS" all >"$b/step-$n.log" 2>&1 ||
	{ tail -n 30 "$b/step-$n.log"; exit 1; }
if grep -qE '^CONFIG_(SAMPLE_)?KALLOC_TRACK_KUNIT_TEST=y' "$b/.config"; then
	./tools/testing/kunit/kunit.py exec --build_dir="$b" \
		--json="$b/step-$n.json" 'kalloc_track*' >"$b/step-$n.run.log" 2>&1 || true
	python3 "$KT_TOP/scripts/kunit-summary.py" "step-$n=$b/step-$n.json"
else
	echo "step $n: no kalloc_track suites at this commit"
fi
