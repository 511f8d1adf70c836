// SPDX-License-Identifier: GPL-2.0
/*
 * Must not compile: an add with an empty literal name in a user built
 * with tracking configured out, whose names the header checks as it
 * does with tracking on. scripts/lint.sh builds this inside the applied
 * tree and expects the error below.
 * expect: kalloc_track: a name has 1 to KALLOC_TRACK_NAME_MAX characters
 */
#undef CONFIG_KALLOC_TRACK
#include <linux/kalloc_track.h>

void *kt_empty_name_off_user(void);
void *kt_empty_name_off_user(void)
{
	return kalloc_track_add(NULL, "", 8, GFP_KERNEL);
}
