// SPDX-License-Identifier: GPL-2.0
/*
 * Must not compile: an add with an empty literal name in a branch that
 * the compiler drops (IS_ENABLED() of an option that is never set): the
 * name check must not depend on the code being emitted. scripts/lint.sh
 * builds this inside the applied tree and expects the error below.
 * expect: kalloc_track: a name has 1 to KALLOC_TRACK_NAME_MAX characters
 */
#include <linux/kalloc_track.h>

static DEFINE_KALLOC_TRACK(kt_empty_name_dead_tracker, "compile-fail");

void *kt_empty_name_dead_user(void);
void *kt_empty_name_dead_user(void)
{
	if (IS_ENABLED(CONFIG_KALLOC_TRACK_NEVER_SET))
		return kalloc_track_add(&kt_empty_name_dead_tracker, "", 8,
					GFP_KERNEL);
	return NULL;
}
