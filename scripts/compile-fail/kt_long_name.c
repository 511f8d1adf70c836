// SPDX-License-Identifier: GPL-2.0
/*
 * Must not compile: an array add with a literal name of
 * KALLOC_TRACK_NAME_MAX + 1 characters, which the macro checks when the
 * caller is built. scripts/lint.sh builds this inside the applied tree
 * and expects the error below.
 * expect: kalloc_track: a name has 1 to KALLOC_TRACK_NAME_MAX characters
 */
#include <linux/kalloc_track.h>

static DEFINE_KALLOC_TRACK(kt_long_name_tracker, "compile-fail");

#define KT_NAME_65 "a-name-of-sixty-five-characters-which-is-one-more-than-allowed-xx"
static_assert(sizeof(KT_NAME_65) == KALLOC_TRACK_NAME_MAX + 2);

void *kt_long_name_user(void);
void *kt_long_name_user(void)
{
	return kalloc_track_add_array(&kt_long_name_tracker, KT_NAME_65, 2, 8,
				      GFP_KERNEL);
}
