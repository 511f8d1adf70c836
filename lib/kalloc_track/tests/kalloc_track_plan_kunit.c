// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for kalloc_track plans: all-or-nothing allocation, rollback
 * with a failure injected at every entry, release of partly released
 * plans, and the run-time checks of plans the compiler did not see.
 * The compile-time checks are proven by scripts/compile-fail/.
 */

#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/kalloc_track_plan.h>
#include <linux/kallsyms.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/stackdepot.h>

#include "../internal.h"
#include "kt_test.h"

#define KT_TEST_BUFS(X) (						\
	X(rx_ring, SZ_2K, GFP_KERNEL)					\
	X(tx_ring, SZ_4K, GFP_KERNEL)					\
	X(stats, 24, GFP_KERNEL | __GFP_ZERO)				\
	X(scratch, 100, GFP_KERNEL))

KALLOC_TRACK_PLAN_LIMITED(kt_test_bufs, KT_TEST_BUFS, SZ_4K, SZ_8K);

#define KT_TEST_BUFS_N		4
#define KT_TEST_BUFS_BYTES	(SZ_2K + SZ_4K + 24 + 100)

#define KT_ONE_BUF(X)	(X(only, 8, GFP_ATOMIC))

KALLOC_TRACK_PLAN(kt_one_buf, KT_ONE_BUF);

static void kalloc_track_plan_alloc_all(struct kunit *test)
{
	struct kalloc_track *t = kt_test_tracker(test, "kunit-plan");
	struct kt_test_bufs bufs = { };
	const struct kalloc_track_freed *h;
	struct kalloc_track_stats st;
	unsigned long *entries;
	struct kt_record *rec;
	char caller[KSYM_NAME_LEN];
	void *rx;
	u8 *z;
	int i;

	KUNIT_ASSERT_EQ(test, kalloc_track_plan_alloc(t, kt_test_bufs, &bufs),
			0);
	KUNIT_EXPECT_NOT_NULL(test, bufs.rx_ring);
	KUNIT_EXPECT_NOT_NULL(test, bufs.tx_ring);
	KUNIT_EXPECT_NOT_NULL(test, bufs.scratch);
	KUNIT_ASSERT_NOT_NULL(test, bufs.stats);
	z = bufs.stats;
	for (i = 0; i < 24; i++)
		KUNIT_EXPECT_EQ(test, z[i], 0);
	st = kt_stats(test, t);
	KUNIT_EXPECT_EQ(test, st.live, KT_TEST_BUFS_N);
	KUNIT_EXPECT_EQ(test, st.live_bytes, KT_TEST_BUFS_BYTES);

	/* Each entry under its own name and size, charged to this test. */
	rec = kt_test_record(t, bufs.tx_ring);
	KUNIT_ASSERT_NOT_NULL(test, rec);
	KUNIT_EXPECT_STREQ(test, rec->name, "tx_ring");
	KUNIT_EXPECT_EQ(test, rec->size, SZ_4K);
	KUNIT_EXPECT_EQ(test, (__force unsigned int)rec->gfp,
			(__force unsigned int)(GFP_KERNEL));
	snprintf(caller, sizeof(caller), "%ps", (void *)rec->caller);
	KUNIT_EXPECT_STREQ(test, caller, "kalloc_track_plan_alloc_all");
	/* With stacks, the stack starts there too. */
	if (rec->stack) {
		KUNIT_ASSERT_GT(test, stack_depot_fetch(rec->stack, &entries), 0);
		KUNIT_EXPECT_EQ(test, entries[0], rec->caller);
	}

	rx = bufs.rx_ring;
	KUNIT_EXPECT_EQ(test, kalloc_track_plan_release(t, kt_test_bufs, &bufs),
			0);
	/* Released by this test too, rx_ring last of all. */
	h = kt_test_last_release(t, rx);
	KUNIT_EXPECT_EQ(test, h->addr, (unsigned long)rx);
	snprintf(caller, sizeof(caller), "%ps", (void *)h->release_ip);
	KUNIT_EXPECT_STREQ(test, caller, "kalloc_track_plan_alloc_all");
	KUNIT_EXPECT_NULL(test, bufs.rx_ring);
	KUNIT_EXPECT_NULL(test, bufs.tx_ring);
	KUNIT_EXPECT_NULL(test, bufs.stats);
	KUNIT_EXPECT_NULL(test, bufs.scratch);
	st = kt_stats(test, t);
	KUNIT_EXPECT_EQ(test, st.live, 0);
	KUNIT_EXPECT_EQ(test, st.releases, KT_TEST_BUFS_N);
}

static void kalloc_track_plan_release_twice_and_partly(struct kunit *test)
{
	struct kalloc_track *t = kt_test_tracker(test, "kunit-plan");
	struct kt_test_bufs bufs = { };

	KUNIT_ASSERT_EQ(test, kalloc_track_plan_alloc(t, kt_test_bufs, &bufs),
			0);
	/* One entry released by hand first. */
	KUNIT_EXPECT_EQ(test, kalloc_track_release(t, &bufs.tx_ring), 0);
	KUNIT_EXPECT_EQ(test, kalloc_track_plan_release(t, kt_test_bufs, &bufs),
			0);
	/* Everything is NULL now: a second release is a no-op. */
	KUNIT_EXPECT_EQ(test, kalloc_track_plan_release(t, kt_test_bufs, &bufs),
			0);
	KUNIT_EXPECT_EQ(test, kt_stats(test, t).live, 0);
	KUNIT_EXPECT_EQ(test, kt_stats(test, t).releases, KT_TEST_BUFS_N);
	KUNIT_EXPECT_EQ(test, kt_stats(test, t).double_frees, 0);
	/* And the plan can be allocated again. */
	KUNIT_EXPECT_EQ(test, kalloc_track_plan_alloc(t, kt_test_bufs, &bufs),
			0);
	KUNIT_EXPECT_EQ(test, kalloc_track_plan_release(t, kt_test_bufs, &bufs),
			0);
}

static void kalloc_track_plan_busy_refused(struct kunit *test)
{
	struct kalloc_track *t = kt_test_tracker(test, "kunit-plan");
	struct kt_one_buf one = { };
	struct kt_captured *c;
	void *was;

	KUNIT_ASSERT_EQ(test, kalloc_track_plan_alloc(t, kt_one_buf, &one), 0);
	was = one.only;
	c = kt_test_capture(test);
	/* A second alloc would leak the first: refused, nothing changes. */
	KUNIT_EXPECT_EQ(test, kalloc_track_plan_alloc(t, kt_one_buf, &one),
			-EBUSY);
	KUNIT_EXPECT_PTR_EQ(test, one.only, was);
	KUNIT_EXPECT_EQ(test, kt_stats(test, t).live, 1);
	KUNIT_EXPECT_EQ(test, kt_test_count(c, "plan 'kt_one_buf'"), 1);
	KUNIT_EXPECT_EQ(test, kt_test_count(c, "entry 'only' is allocated already"),
			1);
	KUNIT_EXPECT_EQ(test, kalloc_track_plan_release(t, kt_one_buf, &one), 0);
}

/* Payload allocations fail from the fail_at-th on (0: never). */
struct kt_plan_fault {
	int calls;
	int fail_at;
};

static void *kt_plan_fake_payload(size_t size, gfp_t gfp,
				  unsigned long caller)
{
	struct kt_plan_fault *f = kunit_get_current_test()->priv;

	if (++f->calls == f->fail_at)
		return NULL;
	return kmalloc(size, gfp);
}

static const int kt_plan_fail_at[] = { 1, 2, 3, 4 };

static void kt_plan_fail_desc(const int *at, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "allocation %d of %d fails",
		 *at, KT_TEST_BUFS_N);
}

KUNIT_ARRAY_PARAM(kt_plan_fail, kt_plan_fail_at, kt_plan_fail_desc);

static void kalloc_track_plan_rollback(struct kunit *test)
{
	struct kalloc_track *t = kt_test_tracker(test, "kunit-plan");
	const int *at = test->param_value;
	struct kt_test_bufs bufs = { };
	struct kalloc_track_stats st;
	struct kt_plan_fault *f;

	f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f);
	f->fail_at = *at;
	test->priv = f;
	kunit_activate_static_stub(test, kt_alloc_payload,
				   kt_plan_fake_payload);

	KUNIT_EXPECT_EQ(test, kalloc_track_plan_alloc(t, kt_test_bufs, &bufs),
			-ENOMEM);
	KUNIT_EXPECT_EQ(test, f->calls, *at);
	KUNIT_EXPECT_NULL(test, bufs.rx_ring);
	KUNIT_EXPECT_NULL(test, bufs.tx_ring);
	KUNIT_EXPECT_NULL(test, bufs.stats);
	KUNIT_EXPECT_NULL(test, bufs.scratch);
	/* What was allocated before the failure was released, not leaked. */
	st = kt_stats(test, t);
	KUNIT_EXPECT_EQ(test, st.live, 0);
	KUNIT_EXPECT_EQ(test, st.live_bytes, 0);
	KUNIT_EXPECT_EQ(test, st.adds, *at - 1);
	KUNIT_EXPECT_EQ(test, st.releases, *at - 1);
	KUNIT_EXPECT_EQ(test, st.failed, 1);
	KUNIT_EXPECT_EQ(test, kalloc_track_destroy(t), 0);
}

/* The tracker under test, destroyed at the third payload allocation. */
struct kt_plan_race {
	struct kalloc_track *t;
	int calls;
	unsigned int leaks;
};

static void *kt_plan_destroying_payload(size_t size, gfp_t gfp,
					unsigned long caller)
{
	struct kt_plan_race *r = kunit_get_current_test()->priv;

	if (++r->calls == 3)
		r->leaks = kalloc_track_destroy(r->t);
	return kmalloc(size, gfp);
}

/*
 * A destroy between two entries of a plan alloc: the destroy forgets the
 * entries made so far as leaks and refuses their releases, so the plan
 * frees them itself, and still leaves every member NULL.
 */
static void kalloc_track_plan_destroyed_midway(struct kunit *test)
{
	struct kalloc_track *t = kt_test_tracker(test, "kunit-plan");
	struct kt_test_bufs bufs = { };
	struct kt_plan_race *r;
	struct kt_captured *c;

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	r->t = t;
	test->priv = r;
	c = kt_test_capture(test);
	kunit_activate_static_stub(test, kt_alloc_payload,
				   kt_plan_destroying_payload);

	KUNIT_EXPECT_EQ(test, kalloc_track_plan_alloc(t, kt_test_bufs, &bufs),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, r->calls, 3);
	KUNIT_EXPECT_EQ(test, r->leaks, 2);
	KUNIT_EXPECT_NULL(test, bufs.rx_ring);
	KUNIT_EXPECT_NULL(test, bufs.tx_ring);
	KUNIT_EXPECT_NULL(test, bufs.stats);
	KUNIT_EXPECT_NULL(test, bufs.scratch);
	/* The third add saw the destroy; the two undone were refused. */
	KUNIT_EXPECT_EQ(test, kt_test_count(c, "add of 'stats' from"), 1);
	KUNIT_EXPECT_EQ(test, kt_test_count(c, "refused: tracker destroyed"), 3);
	KUNIT_EXPECT_EQ(test, kt_stats(test, t).leaks, 2);
}

/* A limit of the tracker refuses an entry: the same rollback. */
static void kalloc_track_plan_tracker_limit(struct kunit *test)
{
	struct kalloc_track *t = kt_test_tracker(test, "kunit-plan");
	struct kt_test_bufs bufs = { };

	kt_test_capture(test);
	KUNIT_ASSERT_EQ(test, kalloc_track_set_limits(t, 0, SZ_4K), 0);
	KUNIT_EXPECT_EQ(test, kalloc_track_plan_alloc(t, kt_test_bufs, &bufs),
			-ENOMEM);
	KUNIT_EXPECT_NULL(test, bufs.rx_ring);
	KUNIT_EXPECT_EQ(test, kt_stats(test, t).live, 0);
	KUNIT_EXPECT_EQ(test, kt_stats(test, t).refused, 1);
}

/* Plans built by hand, which the compiler did not check. */
static const struct kalloc_track_plan_entry kt_bad_entries[] = {
	{ "fine", 64, GFP_KERNEL },
	{ "empty", 0, GFP_KERNEL },
};

static const struct kalloc_track_plan_entry kt_odd_entries[] = {
	{ "", 64, GFP_KERNEL },
	{ "high", 64, GFP_KERNEL | __GFP_HIGHMEM },
};

static const struct kalloc_track_plan_entry kt_big_entries[] = {
	{ "a", 600, GFP_KERNEL },
	{ "b", 600, GFP_KERNEL },
};

static void kalloc_track_plan_runtime_checks(struct kunit *test)
{
	struct kalloc_track *t = kt_test_tracker(test, "kunit-plan");
	const struct kalloc_track_plan zero = {
		.name = "zero", .entries = kt_bad_entries, .n = 2,
	};
	const struct kalloc_track_plan over_max = {
		.name = "over-max", .entries = kt_big_entries, .n = 2,
		.max_size = 512,
	};
	const struct kalloc_track_plan over_budget = {
		.name = "over-budget", .entries = kt_big_entries, .n = 2,
		.budget = 1000,
	};
	const struct kalloc_track_plan no_entries = {
		.name = "no-entries", .n = 2,
	};
	const struct kalloc_track_plan empty_name = {
		.name = "empty-name", .entries = kt_odd_entries, .n = 1,
	};
	const struct kalloc_track_plan highmem = {
		.name = "highmem", .entries = &kt_odd_entries[1], .n = 1,
	};
	void *bufs[2] = { };
	struct kt_captured *c;

	c = kt_test_capture(test);
	KUNIT_EXPECT_EQ(test, kalloc_track_plan_alloc_noprof(t, &zero, bufs),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, kt_test_count(c, "plan 'zero'"), 1);
	KUNIT_EXPECT_EQ(test, kalloc_track_plan_alloc_noprof(t, &over_max, bufs),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, kt_test_count(c, "over the plan's max_size (entry 0)"),
			1);
	KUNIT_EXPECT_EQ(test, kalloc_track_plan_alloc_noprof(t, &over_budget,
							     bufs), -EINVAL);
	KUNIT_EXPECT_EQ(test, kt_test_count(c, "over the plan's budget (entry 1)"),
			1);
	KUNIT_EXPECT_EQ(test, kalloc_track_plan_alloc_noprof(t, &no_entries,
							     bufs), -EINVAL);
	KUNIT_EXPECT_EQ(test, kalloc_track_plan_alloc_noprof(t, &empty_name,
							     bufs), -EINVAL);
	KUNIT_EXPECT_EQ(test, kt_test_count(c, "entry name NULL, empty"), 1);
	KUNIT_EXPECT_EQ(test, kalloc_track_plan_alloc_noprof(t, &highmem, bufs),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, kt_test_count(c, "entry GFP flags that slab rejects"),
			1);
	KUNIT_EXPECT_EQ(test, kalloc_track_plan_alloc_noprof(t, NULL, bufs),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, kalloc_track_plan_alloc_noprof(t, &zero, NULL),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, kalloc_track_plan_release_bufs(t, NULL, bufs),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, kalloc_track_plan_release_bufs(t, &zero, NULL),
			-EINVAL);
	/* Nothing was allocated by any of them. */
	KUNIT_EXPECT_NULL(test, bufs[0]);
	KUNIT_EXPECT_NULL(test, bufs[1]);
	KUNIT_EXPECT_EQ(test, kt_stats(test, t).adds, 0);
}

/* A NULL or zeroed tracker fails safe, with nothing allocated. */
static void kalloc_track_plan_bad_tracker(struct kunit *test)
{
	struct kalloc_track *zeroed;
	struct kt_one_buf one = { };
	struct kt_captured *c;

	zeroed = kunit_kzalloc(test, sizeof(*zeroed), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, zeroed);
	c = kt_test_capture(test);
	KUNIT_EXPECT_EQ(test, kalloc_track_plan_alloc(NULL, kt_one_buf, &one),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, kalloc_track_plan_alloc(zeroed, kt_one_buf, &one),
			-EINVAL);
	KUNIT_EXPECT_NULL(test, one.only);
	KUNIT_EXPECT_EQ(test, kt_test_count(c, "plan alloc from"), 2);
	KUNIT_EXPECT_EQ(test, kalloc_track_plan_release(zeroed, kt_one_buf,
							&one), 0);
}

/* Members of another plan's struct, stale after a destroy: refused. */
static void kalloc_track_plan_release_errors(struct kunit *test)
{
	struct kalloc_track *t = kt_test_tracker(test, "kunit-plan");
	struct kalloc_track *u = kt_test_tracker(test, "kunit-plan-other");
	struct kt_test_bufs bufs = { };
	void *foreign, *lost;

	kt_test_capture(test);
	KUNIT_ASSERT_EQ(test, kalloc_track_plan_alloc(t, kt_test_bufs, &bufs),
			0);
	foreign = kalloc_track_add(u, "foreign", 16, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, foreign);
	lost = bufs.stats;
	bufs.stats = foreign;	/* and the real one is lost: a leak */
	KUNIT_EXPECT_EQ(test, kalloc_track_plan_release(t, kt_test_bufs, &bufs),
			-EXDEV);
	/* The others were released all the same; the foreign one stays. */
	KUNIT_EXPECT_NULL(test, bufs.rx_ring);
	KUNIT_EXPECT_NULL(test, bufs.tx_ring);
	KUNIT_EXPECT_NULL(test, bufs.scratch);
	KUNIT_EXPECT_PTR_EQ(test, bufs.stats, foreign);
	KUNIT_EXPECT_EQ(test, kt_stats(test, t).live, 1);
	KUNIT_EXPECT_EQ(test, kalloc_track_release(u, &foreign), 0);
	/* The lost entry is reported as a leak at destroy, and forgotten. */
	KUNIT_EXPECT_EQ(test, kalloc_track_destroy(t), 1);
	kt_test_free_forgotten(lost);
}

static struct kunit_case kalloc_track_plan_cases[] = {
	KUNIT_CASE(kalloc_track_plan_alloc_all),
	KUNIT_CASE(kalloc_track_plan_release_twice_and_partly),
	KUNIT_CASE(kalloc_track_plan_busy_refused),
	KUNIT_CASE_PARAM(kalloc_track_plan_rollback, kt_plan_fail_gen_params),
	KUNIT_CASE(kalloc_track_plan_destroyed_midway),
	KUNIT_CASE(kalloc_track_plan_tracker_limit),
	KUNIT_CASE(kalloc_track_plan_runtime_checks),
	KUNIT_CASE(kalloc_track_plan_bad_tracker),
	KUNIT_CASE(kalloc_track_plan_release_errors),
	{}
};

static struct kunit_suite kalloc_track_plan_suite = {
	.name = "kalloc_track_plan",
	.test_cases = kalloc_track_plan_cases,
};

kunit_test_suite(kalloc_track_plan_suite);

MODULE_DESCRIPTION("KUnit tests for kalloc_track plans");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
