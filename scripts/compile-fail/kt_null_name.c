// SPDX-License-Identifier: GPL-2.0
/*
 * Must not compile: an add with a literal NULL name. scripts/lint.sh
 * builds this inside the applied tree and expects the error below.
 * expect: kalloc_track: a name is a string, not NULL
 */
#include <linux/kalloc_track.h>

static DEFINE_KALLOC_TRACK(kt_null_name_tracker, "compile-fail");

void *kt_null_name_user(void);
void *kt_null_name_user(void)
{
	return kalloc_track_add(&kt_null_name_tracker, NULL, 8, GFP_KERNEL);
}
