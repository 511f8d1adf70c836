#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bisectability: every commit of the series, as git am applies it, must
# build with every option of ours that exists at that commit, and the
# kalloc_track suites present at that commit must pass. Runs through
# git rebase --exec in a worktree of its own, with one build directory.
set -eu
. "$(dirname "$0")/common.sh"

"$KT_TOP/scripts/prepare-tree.sh"
wt=$(kt_applied_tree bisect)
export KT_BISECT_BUILD=$KT_BUILD/bisect
mkdir -p "$KT_BISECT_BUILD"
rm -f "$KT_BISECT_BUILD"/step-*.json
git -C "$wt" -c core.hooksPath=/dev/null rebase -q \
	--exec "$KT_TOP/scripts/bisect-step.sh" "$KT_BASE_TAG" ||
	{ git -C "$wt" rebase --abort 2>/dev/null || true; kt_die "a commit of the series does not build or pass"; }
echo "bisect: every commit builds and passes its suites"
