// SPDX-License-Identifier: GPL-2.0
/* Planted by scripts/bite.sh: a use-after-free. KASAN must catch it. */
#include <kunit/test.h>
#include <linux/slab.h>

static void kt_planted_use_after_free(struct kunit *test)
{
	char *p = kmalloc(32, GFP_KERNEL);
	char *volatile q;

	KUNIT_ASSERT_NOT_NULL(test, p);
	kfree(p);
	q = p;
	q[3] = 'x';
}

static struct kunit_case kt_planted_cases[] = {
	KUNIT_CASE(kt_planted_use_after_free),
	{}
};

static struct kunit_suite kt_planted_suite = {
	.name = "kalloc_track_planted",
	.test_cases = kt_planted_cases,
};
kunit_test_suite(kt_planted_suite);
MODULE_LICENSE("GPL");
