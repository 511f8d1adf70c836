// SPDX-License-Identifier: GPL-2.0
/* Planted by scripts/bite.sh: a leak. The kmemleak scan must report it. */
#include <kunit/test.h>
#include <linux/slab.h>

static void *kt_planted_sink;

static void kt_planted_leak(struct kunit *test)
{
	kt_planted_sink = kmalloc(256, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, kt_planted_sink);
	kt_planted_sink = NULL;	/* the only pointer is gone */
}

static struct kunit_case kt_planted_cases[] = {
	KUNIT_CASE(kt_planted_leak),
	{}
};

static struct kunit_suite kt_planted_suite = {
	.name = "kalloc_track_planted",
	.test_cases = kt_planted_cases,
};
kunit_test_suite(kt_planted_suite);
MODULE_LICENSE("GPL");
