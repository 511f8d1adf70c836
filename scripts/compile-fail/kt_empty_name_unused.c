// SPDX-License-Identifier: GPL-2.0
/*
 * Must not compile: an add with an empty literal name in a static inline
 * helper that nothing calls, as a header may hold: the name check must
 * not depend on the code being emitted. scripts/lint.sh builds this
 * inside the applied tree and expects the error below.
 * expect: kalloc_track: a name has 1 to KALLOC_TRACK_NAME_MAX characters
 */
#include <linux/kalloc_track.h>

static DEFINE_KALLOC_TRACK(kt_empty_name_unused_tracker, "compile-fail");

static inline void *kt_empty_name_unused_helper(void)
{
	return kalloc_track_add(&kt_empty_name_unused_tracker, "", 8,
				GFP_KERNEL);
}
