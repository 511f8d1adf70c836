// SPDX-License-Identifier: GPL-2.0
/*
 * Must not compile: a plan entry over the plan's own limit. scripts/lint.sh builds this inside the applied
 * tree and expects the error below.
 * expect: kalloc_track plan entry \'big\': size over the plan\'s max_size
 */
#include <linux/kalloc_track_plan.h>
#include <linux/sizes.h>

#define KT_BUFS(X) (X(small, SZ_1K, GFP_KERNEL) X(big, SZ_4K + 1, GFP_KERNEL))

KALLOC_TRACK_PLAN_LIMITED(kt_bufs, KT_BUFS, SZ_4K, 0);
