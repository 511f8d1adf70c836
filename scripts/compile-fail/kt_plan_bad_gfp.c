// SPDX-License-Identifier: GPL-2.0
/*
 * Must not compile: a plan entry with __GFP_HIGHMEM. scripts/lint.sh builds this inside the applied
 * tree and expects the error below.
 * expect: kalloc_track plan entry \'high\': GFP flags that slab rejects
 */
#include <linux/kalloc_track_plan.h>
#include <linux/sizes.h>

#define KT_BUFS(X) (X(high, 64, GFP_KERNEL | __GFP_HIGHMEM))

KALLOC_TRACK_PLAN(kt_bufs, KT_BUFS);
