// SPDX-License-Identifier: GPL-2.0
/*
 * Must not compile: a tracker defined with a NULL owner. scripts/lint.sh
 * builds this inside the applied tree and expects the error below.
 * expect: kalloc_track: the owner of a tracker cannot be NULL
 */
#include <linux/kalloc_track.h>

static DEFINE_KALLOC_TRACK(kt_no_owner, NULL);

void *kt_null_owner_user(void);
void *kt_null_owner_user(void)
{
	return kalloc_track_add(&kt_no_owner, "x", 8, GFP_KERNEL);
}
