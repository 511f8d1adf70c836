// SPDX-License-Identifier: GPL-2.0
/*
 * Must not compile: plan entries that together break the budget. scripts/lint.sh builds this inside the applied
 * tree and expects the error below.
 * expect: kalloc_track plan \'kt_bufs\': entries over the plan\'s budget
 */
#include <linux/kalloc_track_plan.h>
#include <linux/sizes.h>

#define KT_BUFS(X) (X(a, SZ_4K, GFP_KERNEL) X(b, SZ_4K, GFP_KERNEL))

KALLOC_TRACK_PLAN_LIMITED(kt_bufs, KT_BUFS, 0, SZ_8K - 1);
