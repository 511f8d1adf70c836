// SPDX-License-Identifier: GPL-2.0
/*
 * Must not compile: a plan entry whose name kalloc_track would refuse at
 * every add. scripts/lint.sh builds this inside the applied tree and
 * expects the error below.
 * expect: name longer than KALLOC_TRACK_NAME_MAX
 */
#include <linux/kalloc_track_plan.h>

#define KT_BUFS(X) (X(a_name_that_goes_on_and_on_and_on_well_past_the_sixty_four_characters, 64, GFP_KERNEL))

KALLOC_TRACK_PLAN(kt_bufs, KT_BUFS);
