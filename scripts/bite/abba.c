// SPDX-License-Identifier: GPL-2.0
/* Planted by scripts/bite.sh: an AB-BA lock order. Lockdep must see it. */
#include <kunit/test.h>
#include <linux/spinlock.h>

static DEFINE_SPINLOCK(kt_planted_a);
static DEFINE_SPINLOCK(kt_planted_b);

static void kt_planted_abba(struct kunit *test)
{
	spin_lock(&kt_planted_a);
	spin_lock(&kt_planted_b);
	spin_unlock(&kt_planted_b);
	spin_unlock(&kt_planted_a);

	spin_lock(&kt_planted_b);
	spin_lock(&kt_planted_a);
	spin_unlock(&kt_planted_a);
	spin_unlock(&kt_planted_b);
}

static struct kunit_case kt_planted_cases[] = {
	KUNIT_CASE(kt_planted_abba),
	{}
};

static struct kunit_suite kt_planted_suite = {
	.name = "kalloc_track_planted",
	.test_cases = kt_planted_cases,
};
kunit_test_suite(kt_planted_suite);
MODULE_LICENSE("GPL");
