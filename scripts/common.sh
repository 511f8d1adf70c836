# SPDX-License-Identifier: GPL-2.0
# Shared settings for the kalloc_track scripts; sourced, never run.

KT_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KT_CACHE=${KALLOC_TRACK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kalloc_track}
KT_TREE=$KT_CACHE/linux
KT_BASE_TAG=kalloc-track-base
KT_WORK=$KT_CACHE/work
KT_BUILD=$KT_CACHE/build
KT_JOBS=${KT_JOBS:-$(nproc)}

# One identity and one clock for everything we commit, so that the base
# commit and the series are byte-identical on every machine.
export GIT_AUTHOR_NAME="kalloc_track developers"
export GIT_AUTHOR_EMAIL="kalloc-track@lists.infradead.invalid"
export GIT_COMMITTER_NAME="$GIT_AUTHOR_NAME"
export GIT_COMMITTER_EMAIL="$GIT_AUTHOR_EMAIL"
export GIT_AUTHOR_DATE="2026-11-22T00:00:00+0000"
export GIT_COMMITTER_DATE="$GIT_AUTHOR_DATE"

# Debian's Python sees python3-ply and python3-git (checkpatch, kunit.py).
export PATH=/usr/bin:/bin:$PATH

kt_log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
kt_die() { kt_log "$*"; exit 1; }

# Make a reusable worktree of the pristine base and apply patches/ to it
# with git am, as a reviewer does. The worktree is reset in place rather
# than recreated, so that unchanged files keep their mtimes and warm
# builds stay warm.
kt_applied_tree() {
	local name=$1 wt=$KT_WORK/$1
	[ -d "$wt/.git" ] || [ -f "$wt/.git" ] ||
		git -C "$KT_TREE" worktree add -q --detach "$wt" "$KT_BASE_TAG" >&2
	git -C "$wt" am --abort >/dev/null 2>&1 || true
	git -C "$wt" checkout -q --detach "$KT_BASE_TAG" -f
	git -C "$wt" clean -q -fdx
	git -C "$wt" am -q --whitespace=error-all "$KT_TOP"/patches/*.patch >&2 ||
		kt_die "git am of patches/ failed in $wt"
	echo "$wt"
}
