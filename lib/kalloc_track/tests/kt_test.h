/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the kalloc_track KUnit suites.
 */
#ifndef _LIB_KALLOC_TRACK_TESTS_KT_TEST_H
#define _LIB_KALLOC_TRACK_TESTS_KT_TEST_H

#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/kalloc_track.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

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

/* The shards of a tracker the test owns: nothing frees them meanwhile. */
#define kt_test_shards(t)	kt_shards_held(t, true)

/* The shard that holds, or would hold, @p; NULL before the first add. */
static inline struct kalloc_track_shard *
kt_test_shard(struct kalloc_track *t, const void *p)
{
	struct kalloc_track_shard *shards = kt_test_shards(t);

	if (!shards)
		return NULL;
	return &shards[kt_shard_index(shards, (unsigned long)p)];
}

static inline unsigned int kt_test_nr_shards(struct kalloc_track *t)
{
	return kt_test_shards(t) ? kt_nr_shards(kt_test_shards(t)) : 0;
}

static inline unsigned int kt_test_no_shard_bits(void)
{
	return 0;
}

static inline unsigned int kt_test_max_shard_bits(void)
{
	return KT_MAX_SHARD_BITS;
}

/*
 * Give every tracker whose first add the test makes from here on one
 * shard, whatever the CPUs, for a test that needs all its records in one
 * table: the shards are set up at the first add.
 */
static inline void kt_test_one_shard(struct kunit *test)
{
	/* Our stubs exist only with CONFIG_KALLOC_TRACK_KUNIT_TEST. */
	BUILD_BUG_ON(!IS_ENABLED(CONFIG_KALLOC_TRACK_KUNIT_TEST));
	kunit_activate_static_stub(test, kt_shard_bits, kt_test_no_shard_bits);
}

/* The same with the most shards a tracker can have. */
static inline void kt_test_most_shards(struct kunit *test)
{
	/* Our stubs exist only with CONFIG_KALLOC_TRACK_KUNIT_TEST. */
	BUILD_BUG_ON(!IS_ENABLED(CONFIG_KALLOC_TRACK_KUNIT_TEST));
	kunit_activate_static_stub(test, kt_shard_bits, kt_test_max_shard_bits);
}

static inline bool kt_test_any_resizing(struct kalloc_track *t)
{
	unsigned long flags;
	unsigned int i;
	bool resizing = false;

	for (i = 0; i < kt_test_nr_shards(t); i++) {
		spin_lock_irqsave(&kt_test_shards(t)[i].lock, flags);
		resizing |= kt_test_shards(t)[i].resizing;
		spin_unlock_irqrestore(&kt_test_shards(t)[i].lock, flags);
	}
	return resizing;
}

/*
 * Wait until no resize of @t is requested or running, then finish the
 * migrations under way. One flush is not enough: an add on another CPU
 * may ask for a resize while the work is running.
 */
static inline void kt_test_wait_resize(struct kalloc_track *t)
{
	int i = 0;

	do {
		kt_flush_work();
	} while (kt_test_any_resizing(t) && ++i < 1000);
	kt_migrate_all(t);
}

/*
 * Whether every shard of @t keeps at most one record per bucket, the
 * bound that keeps adds and releases O(1), with no help from deferred
 * work. On failure, the figures of the first shard over it.
 */
static inline bool kt_test_load_bounded(struct kunit *test,
					struct kalloc_track *t)
{
	struct kalloc_track_shard *s;
	unsigned long flags, live;
	unsigned int i, bits;

	for (i = 0; i < kt_test_nr_shards(t); i++) {
		s = &kt_test_shards(t)[i];
		spin_lock_irqsave(&s->lock, flags);
		live = s->live;
		bits = s->bits;
		spin_unlock_irqrestore(&s->lock, flags);
		/* Logged with the lock dropped: kunit_info() allocates. */
		if (live > 1UL << bits) {
			kunit_info(test, "shard %u: %lu live in %u buckets",
				   i, live, 1U << bits);
			return false;
		}
	}
	return true;
}

/*
 * Keep @t's tables as they are, as if a resize were under way on every
 * shard, until the test runs kt_resize() itself. @t must have shards
 * (an add was made).
 */
static inline void kt_test_block_growth(struct kalloc_track *t)
{
	unsigned long flags;
	unsigned int i;

	for (i = 0; i < kt_test_nr_shards(t); i++) {
		spin_lock_irqsave(&kt_test_shards(t)[i].lock, flags);
		kt_test_shards(t)[i].resizing = true;
		spin_unlock_irqrestore(&kt_test_shards(t)[i].lock, flags);
	}
}

/* The latest release remembered by the shard of @p. */
static inline struct kalloc_track_freed *
kt_test_last_release(struct kalloc_track *t, const void *p)
{
	struct kalloc_track_shard *s = kt_test_shard(t, p);

	return &s->history[(s->history_next - 1) & (KALLOC_TRACK_HISTORY - 1)];
}

/*
 * What the library printed during a test: kt_report_line(), which every
 * report goes through, is redirected here by kt_test_capture().
 */
#define KT_TEST_LINES	64

struct kt_captured {
	unsigned int n;		/* lines printed, kept or not */
	char line[KT_TEST_LINES][KT_REPORT_LEN];
};

static struct kt_captured *kt_captured;

static inline void kt_test_capture_line(enum kt_level level,
					const char *line)
{
	if (kt_captured->n < KT_TEST_LINES)
		strscpy(kt_captured->line[kt_captured->n], line, KT_REPORT_LEN);
	kt_captured->n++;
}

/* Capture report lines until the end of the test, with a fresh budget. */
static inline struct kt_captured *kt_test_capture(struct kunit *test)
{
	kt_captured = kunit_kzalloc(test, sizeof(*kt_captured), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, kt_captured);
	kt_report_ratelimit_reset();
	/* Our stubs exist only with CONFIG_KALLOC_TRACK_KUNIT_TEST. */
	BUILD_BUG_ON(!IS_ENABLED(CONFIG_KALLOC_TRACK_KUNIT_TEST));
	kunit_activate_static_stub(test, kt_report_line, kt_test_capture_line);
	return kt_captured;
}

/* How many captured lines contain @s. */
static inline unsigned int kt_test_count(const struct kt_captured *c,
					 const char *s)
{
	unsigned int i, n = 0;

	for (i = 0; i < min(c->n, KT_TEST_LINES); i++)
		if (strstr(c->line[i], s))
			n++;
	return n;
}

/* The first captured line that starts with @prefix, or NULL. */
static inline const char *kt_test_line(const struct kt_captured *c,
				       const char *prefix)
{
	unsigned int i;

	for (i = 0; i < min(c->n, KT_TEST_LINES); i++)
		if (strstarts(c->line[i], prefix))
			return c->line[i];
	return NULL;
}

/*
 * Free memory that a destroyed tracker forgot (a leak it reported): it is
 * the caller's again, and kfree() is the way back.
 */
static inline void kt_test_free_forgotten(void *p)
{
	kfree(p);
}

/* A snapshot of @t's accounting. */
static inline struct kalloc_track_stats kt_stats(struct kunit *test,
						 struct kalloc_track *t)
{
	struct kalloc_track_stats st;

	KUNIT_EXPECT_EQ(test, kalloc_track_get_stats(t, &st), 0);
	return st;
}

/* The record of @p, or NULL. */
static inline struct kt_record *kt_test_record(struct kalloc_track *t,
					       const void *p)
{
	struct kalloc_track_shard *s = kt_test_shard(t, p);
	struct kt_record *rec, *found = NULL;
	unsigned long flags;
	unsigned int i;

	if (!s)
		return NULL;
	spin_lock_irqsave(&s->lock, flags);
	for (i = 0; i < 1U << s->bits && !found; i++)
		for (rec = s->table[i].first; rec; rec = rec->next)
			if (rec->addr == (unsigned long)p)
				found = rec;
	for (i = 0; s->old_table && i < 1U << s->old_bits && !found; i++)
		for (rec = s->old_table[i].first; rec; rec = rec->next)
			if (rec->addr == (unsigned long)p)
				found = rec;
	spin_unlock_irqrestore(&s->lock, flags);
	return found;
}

#endif /* _LIB_KALLOC_TRACK_TESTS_KT_TEST_H */
