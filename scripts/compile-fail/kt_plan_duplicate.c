// SPDX-License-Identifier: GPL-2.0
/*
 * Must not compile: two plan entries of the same name. scripts/lint.sh builds this inside the applied
 * tree and expects the error below.
 * expect: error: duplicate member
 */
#include <linux/kalloc_track_plan.h>
#include <linux/sizes.h>

#define KT_BUFS(X) (X(rx, 64, GFP_KERNEL) X(tx, 64, GFP_KERNEL) X(rx, 128, GFP_KERNEL))

KALLOC_TRACK_PLAN(kt_bufs, KT_BUFS);
