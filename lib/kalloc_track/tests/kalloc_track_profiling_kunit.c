// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit test of kalloc_track and memory allocation profiling: payloads
 * must be charged in /proc/allocinfo to the line that called
 * kalloc_track_add(), not to lib/kalloc_track. The tag of an object is
 * read where slab keeps it, as lib/tests/slub_kunit.c reads slab internals;
 * that is why this suite can only be built in.
 */

#include <kunit/test.h>
#include <linux/alloc_tag.h>
#include <linux/kalloc_track.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "kt_test.h"
#include "../../../mm/slab.h"

/* The allocation tag charged for a slab object, or NULL. */
static const struct codetag *kt_tag_of(const void *p)
{
	const struct codetag *ct;
	struct slabobj_ext *ext;
	unsigned long obj_exts;
	struct slab *slab;

	slab = virt_to_slab(p);
	if (!slab)
		return NULL;
	obj_exts = slab_obj_exts(slab);
	if (!obj_exts)
		return NULL;
	get_slab_obj_exts(obj_exts);
	ext = slab_obj_ext(slab->slab_cache, slab, obj_exts, p);
	ct = slab_obj_ext_codetag_ref(slab, ext)->ct;
	put_slab_obj_exts(obj_exts);
	return ct;
}

static bool kt_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static void kt_expect_charged_here(struct kunit *test, const void *p,
				   const char *func, int line)
{
	const struct codetag *ct = kt_tag_of(p);
	bool here;

	KUNIT_ASSERT_NOT_NULL(test, ct);
	here = kt_ends_with(ct->filename, "tests/kalloc_track_profiling_kunit.c");
	KUNIT_EXPECT_TRUE_MSG(test, here, "charged to %s:%u", ct->filename,
			      ct->lineno);
	KUNIT_EXPECT_EQ(test, ct->lineno, line);
	KUNIT_EXPECT_STREQ(test, ct->function, func);
}

static void kalloc_track_allocinfo_charges_caller(struct kunit *test)
{
	const char *unknown = "unknown";
	const struct codetag *ct;
	struct kalloc_track *t;
	void *p, *z, *a, *u, *ua;
	int line;

	if (!mem_alloc_profiling_enabled())
		kunit_skip(test, "allocation profiling is disabled");

	t = kt_test_tracker(test, "kunit-profiling");

	line = __LINE__ + 1;
	p = kalloc_track_add(t, "profiled", 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	kt_expect_charged_here(test, p, __func__, line);

	line = __LINE__ + 1;
	z = kalloc_track_add_zeroed(t, "zeroed", 100, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, z);
	kt_expect_charged_here(test, z, __func__, line);

	line = __LINE__ + 1;
	a = kalloc_track_add_array(t, "array", 4, 24, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	kt_expect_charged_here(test, a, __func__, line);

	/* A name the compiler does not know takes the other bodies. */
	static_assert(!__kalloc_track_name_known(unknown));
	line = __LINE__ + 1;
	u = kalloc_track_add(t, unknown, 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, u);
	kt_expect_charged_here(test, u, __func__, line);

	line = __LINE__ + 1;
	ua = kalloc_track_add_array(t, unknown, 4, 24, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ua);
	kt_expect_charged_here(test, ua, __func__, line);
	kalloc_track_release(t, &u);
	kalloc_track_release(t, &ua);

	/* Our own metadata is ours: charged to lib/kalloc_track. */
	ct = kt_tag_of(kt_test_record(t, p));
	KUNIT_ASSERT_NOT_NULL(test, ct);
	KUNIT_EXPECT_TRUE_MSG(test,
			      kt_ends_with(ct->filename, "lib/kalloc_track/core.c"),
			      "record charged to %s", ct->filename);

	kalloc_track_release(t, &p);
	kalloc_track_release(t, &z);
	kalloc_track_release(t, &a);
	KUNIT_EXPECT_EQ(test, kalloc_track_destroy(t), 0);
}

static struct kunit_case kalloc_track_profiling_cases[] = {
	KUNIT_CASE(kalloc_track_allocinfo_charges_caller),
	{}
};

static struct kunit_suite kalloc_track_profiling_suite = {
	.name = "kalloc_track_profiling",
	.test_cases = kalloc_track_profiling_cases,
};

kunit_test_suite(kalloc_track_profiling_suite);

MODULE_DESCRIPTION("KUnit test of kalloc_track with allocation profiling");
MODULE_LICENSE("GPL");
