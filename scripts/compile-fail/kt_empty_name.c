// SPDX-License-Identifier: GPL-2.0
/*
 * Must not compile: an add with an empty literal name, which the macro
 * checks when the caller is built. scripts/lint.sh builds this inside
 * the applied tree and expects the error below.
 * expect: kalloc_track: a name has 1 to KALLOC_TRACK_NAME_MAX characters
 */
#include <linux/kalloc_track.h>

static DEFINE_KALLOC_TRACK(kt_empty_name_tracker, "compile-fail");

void *kt_empty_name_user(void);
void *kt_empty_name_user(void)
{
	return kalloc_track_add(&kt_empty_name_tracker, "", 8, GFP_KERNEL);
}
