// SPDX-License-Identifier: GPL-2.0
/*
 * Must not compile: the buffers of one plan allocated as another plan. scripts/lint.sh builds this inside the applied
 * tree and expects the error below.
 * expect: kalloc_track plan \'kt_bufs\': the buffers are not a struct kt_bufs
 */
#include <linux/kalloc_track_plan.h>
#include <linux/sizes.h>

#define KT_BUFS(X) (X(a, 64, GFP_KERNEL))
#define KT_OTHER(X) (X(a, 64, GFP_KERNEL))

KALLOC_TRACK_PLAN(kt_bufs, KT_BUFS);
KALLOC_TRACK_PLAN(kt_other, KT_OTHER);

int kt_plan_wrong_bufs_user(struct kalloc_track *t, struct kt_other *o);
int kt_plan_wrong_bufs_user(struct kalloc_track *t, struct kt_other *o)
{
	return kalloc_track_plan_alloc(t, kt_bufs, o);
}
