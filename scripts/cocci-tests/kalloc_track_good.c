// SPDX-License-Identifier: GPL-2.0
/* Correct uses of kalloc_track: the cocci rule must stay silent. */
#include <linux/kalloc_track.h>
#include <linux/slab.h>
#include <linux/string.h>

struct foo { int x; char buf[16]; };

int good_checked(struct kalloc_track *t)
{
	struct foo *f;

	f = kalloc_track_add(t, "foo", sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	f->x = 1;
	memset(f->buf, 0, sizeof(f->buf));
	kalloc_track_release(t, &f);
	return 0;
}

int good_checked_eq(struct kalloc_track *t)
{
	char *buf = NULL;

	buf = kalloc_track_add_zeroed(t, "buf", 64, GFP_KERNEL);
	if (buf == NULL)
		return -ENOMEM;
	buf[0] = 'x';
	kalloc_track_release(t, &buf);
	kalloc_track_release(t, &buf);	/* NULL: a defined no-op */
	return 0;
}

int good_reuse_after_release(struct kalloc_track *t)
{
	struct foo *f;

	f = kalloc_track_add(t, "foo", sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	kalloc_track_release(t, &f);
	f = kalloc_track_add(t, "again", sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	f->x = 2;
	kalloc_track_release(t, &f);
	return 0;
}

void good_plain_kmalloc(void)
{
	char *p = kmalloc(16, GFP_KERNEL);

	kfree(p);
}

/* A KUnit assertion is a NULL check: it ends the test on NULL. */
void good_kunit_checked(struct kunit *test, struct kalloc_track *t)
{
	struct foo *f;

	f = kalloc_track_add(t, "foo", sizeof(*f), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f);
	f->x = 3;
	kalloc_track_release(t, &f);
}
