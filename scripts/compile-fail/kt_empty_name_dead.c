// SPDX-License-Identifier: GPL-2.0
/*
 * Must not compile: an add with an empty literal name in code that the
 * compiler drops (a branch on a constant that is false, and a static
 * inline helper nobody calls): the name check must not depend on the
 * code being emitted. scripts/lint.sh builds this inside the applied
 * tree and expects the error below.
 * expect: kalloc_track: a name has 1 to KALLOC_TRACK_NAME_MAX characters
 */
#include <linux/kalloc_track.h>

static DEFINE_KALLOC_TRACK(kt_empty_name_dead_tracker, "compile-fail");

static inline void *kt_empty_name_dead_unused(void)
{
	return kalloc_track_add(&kt_empty_name_dead_tracker, "", 8,
				GFP_KERNEL);
}

void *kt_empty_name_dead_user(void);
void *kt_empty_name_dead_user(void)
{
	if (IS_ENABLED(CONFIG_KALLOC_TRACK_NEVER_SET))
		return kalloc_track_add(&kt_empty_name_dead_tracker, "", 8,
					GFP_KERNEL);
	return NULL;
}
