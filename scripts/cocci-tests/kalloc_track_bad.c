// SPDX-License-Identifier: GPL-2.0
/* Inputs the kalloc_track.cocci rule must report, one per function. */
#include <linux/kalloc_track.h>
#include <linux/slab.h>
#include <linux/string.h>

struct foo { int x; char buf[16]; };

void bad_kfree(struct kalloc_track *t)
{
	struct foo *f;

	f = kalloc_track_add(t, "foo", sizeof(*f), GFP_KERNEL);
	if (!f)
		return;
	kfree(f);
}

void bad_kvfree(struct kalloc_track *t)
{
	char *buf;

	buf = kalloc_track_add_zeroed(t, "buf", 64, GFP_KERNEL);
	if (!buf)
		return;
	kvfree(buf);
}

void bad_kfree_sensitive(struct kalloc_track *t)
{
	u8 *key;

	key = kalloc_track_add_array(t, "key", 4, 8, GFP_KERNEL);
	if (!key)
		return;
	kfree_sensitive(key);
}

int bad_use_after_release(struct kalloc_track *t)
{
	struct foo *f;

	f = kalloc_track_add(t, "foo", sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	kalloc_track_release(t, &f);
	return f->x;
}

void bad_unchecked(struct kalloc_track *t)
{
	struct foo *f;

	f = kalloc_track_add(t, "foo", sizeof(*f), GFP_KERNEL);
	f->x = 1;
	kalloc_track_release(t, &f);
}
