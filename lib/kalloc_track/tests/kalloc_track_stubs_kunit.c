// SPDX-License-Identifier: GPL-2.0
/*
 * A user of kalloc_track built as if CONFIG_KALLOC_TRACK=n: the header's
 * stubs must compile to plain kmalloc()/kfree() and still NULL the
 * pointer on release, with no #ifdef in the user.
 */

/* Before any include: build this file against the configured-out API. */
#undef CONFIG_KALLOC_TRACK

#include <kunit/test.h>
#include <linux/kalloc_track.h>
#include <linux/slab.h>

static_assert(sizeof(struct kalloc_track) == 0);

struct kt_stub_user {
	struct kalloc_track tracker;
	u32 *counters;
	char *buf;
};

static DEFINE_KALLOC_TRACK(kt_stub_static, "stub-static");

static void kalloc_track_stubs_are_kmalloc(struct kunit *test)
{
	struct kt_stub_user *u = kunit_kzalloc(test, sizeof(*u), GFP_KERNEL);
	struct kalloc_track_stats st = { .live = 1 };
	u8 *z;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, u);
	KUNIT_EXPECT_EQ(test, kalloc_track_init(&u->tracker, "stub"), 0);
	KUNIT_EXPECT_EQ(test, kalloc_track_set_limits(&u->tracker, 1, 1), 0);

	/* Limits do not exist here: this is plain kmalloc(). */
	u->buf = kalloc_track_add(&u->tracker, "buf", 64, GFP_KERNEL);
	u->counters = kalloc_track_add_array(&u->tracker, "counters", 8,
					     sizeof(*u->counters), GFP_KERNEL);
	z = kalloc_track_add_zeroed(&kt_stub_static, "zeroed", 32, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, u->buf);
	KUNIT_ASSERT_NOT_NULL(test, u->counters);
	KUNIT_ASSERT_NOT_NULL(test, z);
	KUNIT_EXPECT_GE(test, ksize(u->buf), 64);
	for (i = 0; i < 8; i++)
		KUNIT_EXPECT_EQ(test, u->counters[i], 0);
	for (i = 0; i < 32; i++)
		KUNIT_EXPECT_EQ(test, z[i], 0);

	KUNIT_EXPECT_EQ(test, kalloc_track_release(&u->tracker, &u->buf),
			KALLOC_TRACK_RELEASED);
	KUNIT_EXPECT_NULL(test, u->buf);
	KUNIT_EXPECT_EQ(test, kalloc_track_release(&u->tracker, &u->buf),
			KALLOC_TRACK_WAS_NULL);
	KUNIT_EXPECT_EQ(test, kalloc_track_release(&u->tracker, &u->counters),
			KALLOC_TRACK_RELEASED);
	KUNIT_EXPECT_NULL(test, u->counters);
	KUNIT_EXPECT_EQ(test, kalloc_track_release(&kt_stub_static, &z),
			KALLOC_TRACK_RELEASED);
	KUNIT_EXPECT_NULL(test, z);

	KUNIT_EXPECT_EQ(test, kalloc_track_get_stats(&u->tracker, &st), 0);
	KUNIT_EXPECT_EQ(test, st.live, 0);
	KUNIT_EXPECT_EQ(test, kalloc_track_destroy(&u->tracker), 0);
}

static struct kunit_case kalloc_track_stubs_cases[] = {
	KUNIT_CASE(kalloc_track_stubs_are_kmalloc),
	{}
};

static struct kunit_suite kalloc_track_stubs_suite = {
	.name = "kalloc_track_stubs",
	.test_cases = kalloc_track_stubs_cases,
};

kunit_test_suite(kalloc_track_stubs_suite);

MODULE_DESCRIPTION("KUnit test of kalloc_track configured out");
MODULE_LICENSE("GPL");
