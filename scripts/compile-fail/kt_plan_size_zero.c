// SPDX-License-Identifier: GPL-2.0
/*
 * Must not compile: a plan entry of size 0. scripts/lint.sh builds this inside the applied
 * tree and expects the error below.
 * expect: kalloc_track plan entry \'empty\': size must be > 0
 */
#include <linux/kalloc_track_plan.h>
#include <linux/sizes.h>

#define KT_BUFS(X) (X(ok, 64, GFP_KERNEL) X(empty, 0, GFP_KERNEL))

KALLOC_TRACK_PLAN(kt_bufs, KT_BUFS);
