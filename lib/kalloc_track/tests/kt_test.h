/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the kalloc_track KUnit suites.
 */
#ifndef _LIB_KALLOC_TRACK_TESTS_KT_TEST_H
#define _LIB_KALLOC_TRACK_TESTS_KT_TEST_H

#include <kunit/test.h>
#include <linux/kalloc_track.h>
#include <linux/spinlock.h>

#include "../internal.h"

static inline void kt_test_destroy(void *data)
{
	struct kalloc_track *t = data;

	if (!t->dead)
		kalloc_track_destroy(t);
}

/* A tracker destroyed at the end of the test unless the test did it. */
static inline struct kalloc_track *kt_test_tracker(struct kunit *test,
						   const char *owner)
{
	struct kalloc_track *t;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_ASSERT_EQ(test, kalloc_track_init(t, owner), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kt_test_destroy,
							t), 0);
	return t;
}

/* The record of @p, or NULL. */
static inline struct kt_record *kt_test_record(struct kalloc_track *t,
					       const void *p)
{
	struct kt_record *rec, *found = NULL;
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&t->lock, flags);
	for (i = 0; i < 1U << t->bits && !found; i++)
		hlist_for_each_entry(rec, &t->table[i], node)
			if (rec->addr == (unsigned long)p)
				found = rec;
	spin_unlock_irqrestore(&t->lock, flags);
	return found;
}

#endif /* _LIB_KALLOC_TRACK_TESTS_KT_TEST_H */
