// SPDX-License-Identifier: GPL-2.0
/*
 * Must not compile: a plan entry larger than kmalloc() can give. scripts/lint.sh builds this inside the applied
 * tree and expects the error below.
 * expect: kalloc_track plan entry \'huge\': size over KMALLOC_MAX_SIZE
 */
#include <linux/kalloc_track_plan.h>
#include <linux/sizes.h>

#define KT_BUFS(X) (X(huge, KMALLOC_MAX_SIZE + 1, GFP_KERNEL))

KALLOC_TRACK_PLAN(kt_bufs, KT_BUFS);
