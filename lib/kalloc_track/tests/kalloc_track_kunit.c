// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for kalloc_track: adds and releases, leaks, misuse, bad
 * input, injected allocation failures and limits.
 */

#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kalloc_track.h>
#include <linux/kallsyms.h>
#include <linux/kthread.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "kt_test.h"

static void kalloc_track_add_release_accounts(struct kunit *test)
{
	struct kalloc_track *t = kt_test_tracker(test, "kunit");
	struct kalloc_track_stats st;
	void *a, *b, *c;

	a = kalloc_track_add(t, "a", 100, GFP_KERNEL);
	b = kalloc_track_add(t, "b", 200, GFP_KERNEL);
	c = kalloc_track_add(t, "c", 300, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_NOT_NULL(test, c);

	st = kt_stats(test, t);
	KUNIT_EXPECT_EQ(test, st.live, 3);
	KUNIT_EXPECT_EQ(test, st.live_bytes, 600);
	KUNIT_EXPECT_EQ(test, st.peak_bytes, 600);
	KUNIT_EXPECT_EQ(test, st.adds, 3);

	KUNIT_EXPECT_EQ(test, kalloc_track_release(t, &b), KALLOC_TRACK_RELEASED);
	st = kt_stats(test, t);
	KUNIT_EXPECT_EQ(test, st.live, 2);
	KUNIT_EXPECT_EQ(test, st.live_bytes, 400);
	KUNIT_EXPECT_EQ(test, st.peak_bytes, 600);
	KUNIT_EXPECT_EQ(test, st.releases, 1);

	KUNIT_EXPECT_EQ(test, kalloc_track_release(t, &a), KALLOC_TRACK_RELEASED);
	KUNIT_EXPECT_EQ(test, kalloc_track_release(t, &c), KALLOC_TRACK_RELEASED);
	st = kt_stats(test, t);
	KUNIT_EXPECT_EQ(test, st.live, 0);
	KUNIT_EXPECT_EQ(test, st.live_bytes, 0);
	KUNIT_EXPECT_EQ(test, st.releases, 3);
	KUNIT_EXPECT_EQ(test, st.double_frees + st.invalid_frees +
			      st.foreign_frees + st.bad_input + st.failed, 0);
	KUNIT_EXPECT_EQ(test, kalloc_track_destroy(t), 0);
}

struct kt_test_obj {
	int id;
	char tag[12];
};

static void kalloc_track_release_nulls_pointer(struct kunit *test)
{
	struct kalloc_track *t = kt_test_tracker(test, "kunit");
	struct kt_test_obj *obj;
	const char *str;
	u64 *words;

	obj = kalloc_track_add(t, "obj", sizeof(*obj), GFP_KERNEL);
	str = kalloc_track_add(t, "str", 16, GFP_KERNEL);
	words = kalloc_track_add_array(t, "words", 4, sizeof(*words),
				       GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, obj);
	KUNIT_ASSERT_NOT_NULL(test, str);
	KUNIT_ASSERT_NOT_NULL(test, words);

	KUNIT_EXPECT_EQ(test, kalloc_track_release(t, &obj), KALLOC_TRACK_RELEASED);
	KUNIT_EXPECT_NULL(test, obj);
	KUNIT_EXPECT_EQ(test, kalloc_track_release(t, &str), KALLOC_TRACK_RELEASED);
	KUNIT_EXPECT_NULL(test, str);
	KUNIT_EXPECT_EQ(test, kalloc_track_release(t, &words), KALLOC_TRACK_RELEASED);
	KUNIT_EXPECT_NULL(test, words);

	/* Releasing the NULLed pointer again is the defined no-op. */
	KUNIT_EXPECT_EQ(test, kalloc_track_release(t, &obj), KALLOC_TRACK_WAS_NULL);
	KUNIT_EXPECT_EQ(test, kt_stats(test, t).releases, 3);
	KUNIT_EXPECT_EQ(test, kt_stats(test, t).invalid_frees, 0);
}

static void kalloc_track_add_zeroed_and_array(struct kunit *test)
{
	struct kalloc_track *t = kt_test_tracker(test, "kunit");
	u8 *z, *arr;
	size_t i;

	z = kalloc_track_add_zeroed(t, "zeroed", 123, GFP_KERNEL);
	arr = kalloc_track_add_array(t, "array", 7, 9, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, z);
	KUNIT_ASSERT_NOT_NULL(test, arr);
	for (i = 0; i < 123; i++)
		KUNIT_ASSERT_EQ(test, z[i], 0);
	for (i = 0; i < 63; i++)
		KUNIT_ASSERT_EQ(test, arr[i], 0);
	KUNIT_EXPECT_EQ(test, kt_test_record(t, arr)->size, 63);
	KUNIT_EXPECT_TRUE(test, kt_test_record(t, z)->gfp & __GFP_ZERO);
	KUNIT_EXPECT_EQ(test, kt_stats(test, t).live_bytes, 123 + 63);
	kalloc_track_release(t, &z);
	kalloc_track_release(t, &arr);
}

static void kalloc_track_add_records_metadata(struct kunit *test)
{
	struct kalloc_track *t = kt_test_tracker(test, "kunit");
	unsigned long before, after;
	struct kt_record *rec;
	char site[KSYM_SYMBOL_LEN];
	void *p;

	before = jiffies;
	p = kalloc_track_add(t, "metadata", 77, GFP_KERNEL | __GFP_NOWARN);
	after = jiffies;
	KUNIT_ASSERT_NOT_NULL(test, p);
	rec = kt_test_record(t, p);
	KUNIT_ASSERT_NOT_NULL(test, rec);
	KUNIT_EXPECT_STREQ(test, rec->name, "metadata");
	KUNIT_EXPECT_EQ(test, rec->size, 77);
	KUNIT_EXPECT_EQ(test, (__force unsigned int)rec->gfp,
			(__force unsigned int)(GFP_KERNEL | __GFP_NOWARN));
	/* Stamped during the add. */
	KUNIT_EXPECT_LE(test, rec->stamp - (u32)before, (u32)(after - before));
	if (IS_ENABLED(CONFIG_KALLSYMS)) {
		snprintf(site, sizeof(site), "%ps", (void *)rec->caller);
		KUNIT_EXPECT_STREQ(test, site, __func__);
	}
	kalloc_track_release(t, &p);
}

static DEFINE_KALLOC_TRACK(kt_static_tracker, "kunit-static");
static DEFINE_KALLOC_TRACK_LIMITED(kt_static_limited, "kunit-limited",
				   64, 100);

/*
 * Destroy the static trackers and put them back as they were defined,
 * unlisted, whatever way the test ended: ready for another run, and not
 * left for the module notifier to find at rmmod.
 */
static void kt_static_reset(void *data)
{
	if (!kt_static_tracker.dead)
		kalloc_track_destroy(&kt_static_tracker);
	if (!kt_static_limited.dead)
		kalloc_track_destroy(&kt_static_limited);
	kt_static_tracker = (struct kalloc_track)
		KALLOC_TRACK_INIT(kt_static_tracker, "kunit-static", 0, 0);
	kt_static_limited = (struct kalloc_track)
		KALLOC_TRACK_INIT(kt_static_limited, "kunit-limited", 64, 100);
}

static void kalloc_track_static_definers(struct kunit *test)
{
	void *p, *q, *r;

	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kt_static_reset,
							NULL), 0);
	p = kalloc_track_add(&kt_static_tracker, "static", 32, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, kt_stats(test, &kt_static_tracker).live, 1);
	KUNIT_EXPECT_EQ(test, kalloc_track_release(&kt_static_tracker, &p),
			KALLOC_TRACK_RELEASED);

	KUNIT_EXPECT_EQ(test, kt_stats(test, &kt_static_limited).max_size, 64);
	KUNIT_EXPECT_EQ(test, kt_stats(test, &kt_static_limited).max_live_bytes,
			100);
	KUNIT_EXPECT_NULL(test, kalloc_track_add(&kt_static_limited, "big",
						 65, GFP_KERNEL));
	q = kalloc_track_add(&kt_static_limited, "q", 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_NULL(test, kalloc_track_add(&kt_static_limited, "r", 37,
						 GFP_KERNEL));
	r = kalloc_track_add(&kt_static_limited, "r", 36, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_EXPECT_EQ(test, kt_stats(test, &kt_static_limited).refused, 2);
	kalloc_track_release(&kt_static_limited, &q);
	kalloc_track_release(&kt_static_limited, &r);

	KUNIT_EXPECT_EQ(test, kalloc_track_destroy(&kt_static_tracker), 0);
	KUNIT_EXPECT_EQ(test, kalloc_track_destroy(&kt_static_limited), 0);
}

static void kalloc_track_limits_exact(struct kunit *test)
{
	struct kalloc_track *t = kt_test_tracker(test, "kunit");
	void *a, *b, *c;

	KUNIT_ASSERT_EQ(test, kalloc_track_set_limits(t, 100, 0), 0);
	a = kalloc_track_add(t, "at-limit", 100, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, a);
	KUNIT_EXPECT_NULL(test, kalloc_track_add(t, "over", 101, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, kt_stats(test, t).refused, 1);
	kalloc_track_release(t, &a);

	KUNIT_ASSERT_EQ(test, kalloc_track_set_limits(t, 0, 256), 0);
	a = kalloc_track_add(t, "a", 200, GFP_KERNEL);
	b = kalloc_track_add(t, "b", 56, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, a);
	KUNIT_EXPECT_NOT_NULL(test, b);
	KUNIT_EXPECT_EQ(test, kt_stats(test, t).live_bytes, 256);
	KUNIT_EXPECT_NULL(test, kalloc_track_add(t, "one-over", 1, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, kt_stats(test, t).refused, 2);
	KUNIT_EXPECT_EQ(test, kt_stats(test, t).live, 2);

	kalloc_track_release(t, &b);
	c = kalloc_track_add(t, "fits-again", 56, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, c);
	kalloc_track_release(t, &a);
	kalloc_track_release(t, &c);

	/* Clearing the limits lets a large add through. */
	KUNIT_ASSERT_EQ(test, kalloc_track_set_limits(t, 0, 0), 0);
	a = kalloc_track_add(t, "unlimited", 4096, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, a);
	kalloc_track_release(t, &a);
	KUNIT_EXPECT_EQ(test, kt_stats(test, t).refused, 2);
}

#define KT_LEAKS 5

struct kt_leak_log {
	unsigned int n;
	char line[KT_LEAKS][KT_REPORT_LEN];
	const char *name[KT_LEAKS];
	size_t size[KT_LEAKS];
};

static void kt_fake_report_leak(const struct kalloc_track *t,
				const struct kt_record *rec, unsigned long now)
{
	struct kunit *test = kunit_get_current_test();
	struct kt_leak_log *log = test->priv;

	if (log->n < KT_LEAKS) {
		kt_format_leak(log->line[log->n], KT_REPORT_LEN, t, rec, now);
		log->name[log->n] = rec->name;
		log->size[log->n] = rec->size;
	}
	log->n++;
}

static void kalloc_track_destroy_reports_leaks(struct kunit *test)
{
	static const char * const names[KT_LEAKS] = {
		"rx-ring", "tx-ring", "stats", "fw-image", "scratch",
	};
	static const size_t sizes[KT_LEAKS] = { 512, 1024, 40, 3000, 8 };
	struct kalloc_track *t = kt_test_tracker(test, "kunit-leaky");
	struct kalloc_track_stats st;
	struct kt_leak_log *log;
	void *p[KT_LEAKS], *done;
	char want[80];
	unsigned int i, j;

	log = kunit_kzalloc(test, sizeof(*log), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, log);
	test->priv = log;

	for (i = 0; i < KT_LEAKS; i++) {
		p[i] = kalloc_track_add(t, names[i], sizes[i], GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	done = kalloc_track_add(t, "released", 16, GFP_KERNEL);
	kalloc_track_release(t, &done);

	kunit_activate_static_stub(test, kt_report_leak, kt_fake_report_leak);
	KUNIT_EXPECT_EQ(test, kalloc_track_destroy(t), KT_LEAKS);
	kunit_deactivate_static_stub(test, kt_report_leak);

	KUNIT_EXPECT_EQ(test, log->n, KT_LEAKS);
	for (i = 0; i < KT_LEAKS; i++) {
		for (j = 0; j < KT_LEAKS; j++)
			if (log->name[j] == names[i])
				break;
		KUNIT_ASSERT_LT_MSG(test, j, KT_LEAKS, "leak %s not reported",
				    names[i]);
		KUNIT_EXPECT_EQ(test, log->size[j], sizes[i]);
		snprintf(want, sizeof(want),
			 "kunit-leaky: leak of '%s' (%zu bytes, ", names[i],
			 sizes[i]);
		KUNIT_EXPECT_TRUE_MSG(test, strstarts(log->line[j], want),
				      "line '%s'", log->line[j]);
		KUNIT_EXPECT_NOT_NULL(test, strstr(log->line[j],
						   "GFP_KERNEL"));
		KUNIT_EXPECT_NOT_NULL(test, strstr(log->line[j], " ms, allocated at "));
	}

	st = kt_stats(test, t);
	KUNIT_EXPECT_EQ(test, st.leaks, KT_LEAKS);
	KUNIT_EXPECT_EQ(test, st.live, 0);
	KUNIT_EXPECT_EQ(test, st.live_bytes, 0);

	/* Destroy forgets leaks without freeing them: they are still ours. */
	for (i = 0; i < KT_LEAKS; i++) {
		memset(p[i], 0xa5, sizes[i]);
		kfree(p[i]);
	}
}

static void kalloc_track_destroyed_is_inert(struct kunit *test)
{
	struct kalloc_track *t = kt_test_tracker(test, "kunit");
	void *p = kalloc_track_add(t, "before", 8, GFP_KERNEL);
	void *keep = p;

	KUNIT_ASSERT_NOT_NULL(test, p);
	kunit_activate_static_stub(test, kt_report_leak, kt_fake_report_leak);
	test->priv = kunit_kzalloc(test, sizeof(struct kt_leak_log), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, test->priv);
	KUNIT_EXPECT_EQ(test, kalloc_track_destroy(t), 1);
	kunit_deactivate_static_stub(test, kt_report_leak);

	KUNIT_EXPECT_NULL(test, kalloc_track_add(t, "after", 8, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, kalloc_track_release(t, &p), -EINVAL);
	KUNIT_EXPECT_PTR_EQ(test, p, keep);
	KUNIT_EXPECT_EQ(test, kalloc_track_set_limits(t, 1, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, kalloc_track_destroy(t), 0);
	KUNIT_EXPECT_EQ(test, kt_stats(test, t).bad_input, 4);
	KUNIT_EXPECT_EQ(test, kt_stats(test, t).adds, 1);
	kfree(keep);
}

/* Enough live allocations to make the table grow twice. */
#define KT_GROW_N	600

/* Shards of @t whose table grew past the first one. */
static unsigned int kt_test_grown_shards(struct kalloc_track *t)
{
	unsigned int i, grown = 0;

	for (i = 0; i < kt_test_nr_shards(t); i++)
		grown += kt_test_shards(t)[i].bits > KT_FIRST_BITS;
	return grown;
}

static void kalloc_track_table_grows(struct kunit *test)
{
	struct kalloc_track *t = kt_test_tracker(test, "kunit");
	unsigned int i;
	void **p;

	p = kunit_kcalloc(test, KT_GROW_N, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	for (i = 0; i < KT_GROW_N; i++) {
		p[i] = kalloc_track_add(t, "grow", 16 + i % 64, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	/*
	 * No deferred work has run (the test never slept): the adds grew
	 * the tables themselves, and chains stay short.
	 */
	KUNIT_EXPECT_TRUE(test, kt_test_load_bounded(test, t));
	/* Releases run while the tables may be migrating. */
	for (i = 0; i < KT_GROW_N; i += 3)
		KUNIT_ASSERT_EQ(test, kalloc_track_release(t, &p[i]), 0);
	kt_test_wait_resize(t);
	for (i = 0; i < kt_test_nr_shards(t); i++)
		KUNIT_EXPECT_NULL(test, kt_test_shards(t)[i].old_table);
	KUNIT_EXPECT_GT(test, kt_test_grown_shards(t), 0);
	for (i = KT_GROW_N; i-- > 0;)
		if (p[i])
			KUNIT_ASSERT_EQ(test, kalloc_track_release(t, &p[i]), 0);
	KUNIT_EXPECT_EQ(test, kt_stats(test, t).live, 0);
	KUNIT_EXPECT_EQ(test, kt_stats(test, t).releases, KT_GROW_N);
	KUNIT_EXPECT_EQ(test, kalloc_track_destroy(t), 0);
}

/*
 * The bucket index spreads real kmalloc() addresses, for objects of many
 * sizes (small ones packed in slab pages, whose consecutive addresses
 * take consecutive buckets of a region; odd-sized ones; page-sized and
 * larger ones, a few per region) and at several live counts, so table
 * sizes: the chains stay short once the table has grown. A lookup walks
 * the chain of its bucket, so this is what keeps releases O(1).
 */
#define KT_SPREAD_N	16384

static void kt_chain_stats(struct kalloc_track *t, unsigned int *longest,
			   unsigned long *walked)
{
	struct kalloc_track_shard *s;
	struct kt_record *rec;
	unsigned int i, b, len;

	*longest = 0;
	*walked = 0;
	for (i = 0; i < kt_test_nr_shards(t); i++) {
		s = &kt_test_shards(t)[i];
		for (b = 0; b < 1U << s->bits; b++) {
			len = 0;
			for (rec = s->table[b].first; rec; rec = rec->next) {
				len++;
				*walked += len;
			}
			*longest = max(*longest, len);
		}
	}
}

/*
 * @n objects of @size bytes in a tracker of its own, with @shards shards:
 * chains stay short.
 */
static void kt_spread(struct kunit *test, void **p, size_t size,
		      unsigned int n, unsigned int shards)
{
	struct kalloc_track *t = kt_test_tracker(test, "kunit-spread");
	unsigned int longest, i;
	unsigned long walked;

	for (i = 0; i < n; i++) {
		p[i] = kalloc_track_add(t, "spread", size, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	kt_test_wait_resize(t);
	KUNIT_ASSERT_EQ(test, kt_test_nr_shards(t), shards);
	kt_chain_stats(t, &longest, &walked);
	kunit_info(test, "%zu bytes, %u live, %u shards: longest chain %u, %lu.%02lu records looked at per lookup",
		   size, n, kt_test_nr_shards(t), longest, walked / n,
		   walked * 100 / n % 100);
	/*
	 * At most a record per bucket on average: 1.5 looked at. A page's
	 * objects land together, so with few pages live the figure spreads
	 * more than with a hash of each address (up to 3 in simulation);
	 * with many it does not.
	 */
	KUNIT_EXPECT_LE(test, walked, (n < KT_SPREAD_N ? 4UL : 2UL) * n);
	KUNIT_EXPECT_LE(test, longest, 16);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, kalloc_track_release(t, &p[i]), 0);
	KUNIT_EXPECT_EQ(test, kalloc_track_destroy(t), 0);
}

static void kalloc_track_chains_short(struct kunit *test)
{
	/*
	 * Object sizes, and whether to measure them at KT_SPREAD_N live
	 * too: each add unwinds a stack in the sanitizer runs, so only a
	 * few sizes get the big table.
	 */
	static const struct {
		size_t size;
		bool big;
	} sizes[] = {
		{ 8, true }, { 32, false }, { 64, true }, { 192, false },
		{ 256, false }, { 512, false }, { 1024, false },
		{ PAGE_SIZE, true }, { 2 * PAGE_SIZE, false },
	};
	static const unsigned int counts[] = { 500, 1005, KT_SPREAD_N };
	unsigned int k, c, many, shards;
	void **p;

	p = kunit_kcalloc(test, KT_SPREAD_N, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	/*
	 * Whatever the machine, one shard, as on one CPU, where a table
	 * holds every page; and the most shards, where each table holds a
	 * few pages scattered over the address space (objects of 256 bytes
	 * and more: smaller ones at 500 and 1,005 live fill a few pages,
	 * so a few shards).
	 */
	for (many = 0; many < 2; many++) {
		shards = many ? 1U << KT_MAX_SHARD_BITS : 1;
		if (many)
			kt_test_most_shards(test);
		else
			kt_test_one_shard(test);
		for (k = 0; k < ARRAY_SIZE(sizes); k++)
			for (c = 0; c < ARRAY_SIZE(counts); c++)
				if (counts[c] < KT_SPREAD_N || sizes[k].big)
					kt_spread(test, p, sizes[k].size,
						  counts[c], shards);
	}
}

/*
 * The layout of kt_bucket_index(), seen from a table: with one shard,
 * two records of one region and one layout lie as many buckets apart as
 * grains apart, grains of 8 bytes, or of a page for page-aligned
 * addresses. Slab debugging may pad objects of a page off page
 * alignment; then only the first layout is seen.
 */
#define KT_LAYOUT_N	64

struct kt_placed {
	unsigned long addr;
	unsigned int bucket;
};

static unsigned int kt_place(struct kalloc_track *t, struct kt_placed *pl,
			     unsigned int *bits)
{
	struct kalloc_track_shard *s = &kt_test_shards(t)[0];
	struct kt_record *rec;
	unsigned int b, n = 0;
	unsigned long flags;

	spin_lock_irqsave(&s->lock, flags);
	*bits = s->bits;
	for (b = 0; b < 1U << s->bits; b++) {
		for (rec = s->table[b].first; rec && n < KT_LAYOUT_N;
		     rec = rec->next) {
			pl[n].addr = rec->addr;
			pl[n++].bucket = b;
		}
	}
	spin_unlock_irqrestore(&s->lock, flags);
	return n;
}

static unsigned int kt_layout_shift(unsigned long addr)
{
	return offset_in_page(addr) ? KT_GRAIN_SHIFT : PAGE_SHIFT;
}

static void kalloc_track_bucket_layout(struct kunit *test)
{
	static const size_t sizes[] = { 64, PAGE_SIZE };
	unsigned int k, i, j, n, bits, rbits, shift, aligned, checked, bad;
	unsigned long gi, gj, mask;
	struct kalloc_track *t;
	struct kt_placed *pl;
	void **p;

	p = kunit_kcalloc(test, KT_LAYOUT_N, sizeof(*p), GFP_KERNEL);
	pl = kunit_kcalloc(test, KT_LAYOUT_N, sizeof(*pl), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, pl);
	kt_test_one_shard(test);
	for (k = 0; k < ARRAY_SIZE(sizes); k++) {
		t = kt_test_tracker(test, "kunit-layout");
		for (i = 0; i < KT_LAYOUT_N; i++) {
			p[i] = kalloc_track_add(t, "layout", sizes[k],
						GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, p[i]);
		}
		kt_test_wait_resize(t);
		KUNIT_ASSERT_EQ(test, kt_test_nr_shards(t), 1);
		n = kt_place(t, pl, &bits);
		KUNIT_EXPECT_EQ(test, n, KT_LAYOUT_N);
		mask = (1UL << bits) - 1;
		rbits = min(bits, KT_REGION_BITS);
		aligned = 0;
		checked = 0;
		bad = 0;
		for (i = 0; i < n; i++) {
			shift = kt_layout_shift(pl[i].addr);
			aligned += shift == PAGE_SHIFT;
			gi = pl[i].addr >> shift;
			for (j = i + 1; j < n; j++) {
				gj = pl[j].addr >> shift;
				/* Pairs of one layout and one region only. */
				if (kt_layout_shift(pl[j].addr) != shift ||
				    (gi >> rbits) != (gj >> rbits))
					continue;
				bad += ((pl[j].bucket - pl[i].bucket) & mask) !=
				       ((gj - gi) & mask);
				checked++;
			}
		}
		kunit_info(test, "%zu bytes: %u page-aligned, %u pairs in one region",
			   sizes[k], aligned, checked);
		KUNIT_EXPECT_EQ(test, bad, 0);
		if (sizes[k] < PAGE_SIZE || aligned == n)
			KUNIT_EXPECT_GT(test, checked, 0);
		for (i = 0; i < KT_LAYOUT_N; i++)
			KUNIT_ASSERT_EQ(test, kalloc_track_release(t, &p[i]), 0);
		KUNIT_EXPECT_EQ(test, kalloc_track_destroy(t), 0);
	}
}

/*
 * Metadata per live allocation, as kalloc_track_get_stats() accounts it
 * (records live and pooled, tables, beyond the shards themselves), is
 * at most 64 bytes once a table has grown to fit, on 64-bit.
 */
#define KT_META_N	4096

static void kalloc_track_meta_bytes_bounded(struct kunit *test)
{
	struct kalloc_track *t = kt_test_tracker(test, "kunit-meta");
	struct kalloc_track_stats st;
	size_t shards, per_live;
	void **p;
	int i;

	p = kunit_kcalloc(test, KT_META_N, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	st = kt_stats(test, t);
	KUNIT_EXPECT_EQ(test, st.meta_bytes, 0);
	for (i = 0; i < KT_META_N; i++) {
		p[i] = kalloc_track_add(t, "meta", 64, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	kt_test_wait_resize(t);
	st = kt_stats(test, t);
	shards = kt_test_nr_shards(t) * sizeof(struct kalloc_track_shard);
	KUNIT_ASSERT_GT(test, st.meta_bytes, shards);
	per_live = (st.meta_bytes - shards) / st.live;
	kunit_info(test, "%zu bytes of metadata per live allocation, %zu in shards",
		   per_live, shards);
	KUNIT_EXPECT_GE(test, per_live, sizeof(struct kt_record));
	if (IS_ENABLED(CONFIG_64BIT))
		KUNIT_EXPECT_LE(test, per_live, 64);
	for (i = 0; i < KT_META_N; i++)
		KUNIT_ASSERT_EQ(test, kalloc_track_release(t, &p[i]), 0);
	/* Tables stay; records go, but for the pool's. */
	st = kt_stats(test, t);
	/* A table has at most two buckets per record it was grown for. */
	KUNIT_EXPECT_LE(test, st.meta_bytes - shards,
			2 * KT_META_N * sizeof(struct kt_bucket) +
			kt_test_nr_shards(t) * KT_POOL_MAX *
			sizeof(struct kt_record) * 2);
}

/*
 * A tracker has one shard on a uniprocessor and eight per possible CPU
 * (at most 32) otherwise, so that CPUs allocating from their own slab
 * pages mostly take different locks. The line it prints says how many
 * CPUs and shards a run had.
 */
static void kalloc_track_shards_per_cpu(struct kunit *test)
{
	struct kalloc_track *t = kt_test_tracker(test, "kunit-shards");
	void *p;

	p = kalloc_track_add(t, "first", 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	kunit_info(test, "%u possible CPUs, %u online: %u shards",
		   nr_cpu_ids, num_online_cpus(), kt_test_nr_shards(t));
	if (nr_cpu_ids <= 1)
		KUNIT_EXPECT_EQ(test, kt_test_nr_shards(t), 1);
	else
		KUNIT_EXPECT_EQ(test, kt_test_nr_shards(t),
				min(roundup_pow_of_two(nr_cpu_ids *
						       KT_SHARDS_PER_CPU),
				    1UL << KT_MAX_SHARD_BITS));
	KUNIT_EXPECT_EQ(test, kalloc_track_release(t, &p), 0);
}

/*
 * What an owner embeds stays small: at most 256 bytes, or four cache
 * lines where lines are bigger (the atomic counters and the stats have
 * lines of their own on SMP), unless lock debugging or PREEMPT_RT makes
 * every spinlock bigger. And it allocates nothing until its first add.
 */
static void kalloc_track_tracker_is_small(struct kunit *test)
{
	struct kalloc_track *t = kt_test_tracker(test, "kunit-small");
	void *p;

	kunit_info(test, "struct kalloc_track: %zu bytes, a shard: %zu, a record: %zu",
		   sizeof(*t), sizeof(struct kalloc_track_shard),
		   sizeof(struct kt_record));
	if (!IS_ENABLED(CONFIG_DEBUG_SPINLOCK) &&
	    !IS_ENABLED(CONFIG_DEBUG_LOCK_ALLOC) &&
	    !IS_ENABLED(CONFIG_PREEMPT_RT))
		KUNIT_EXPECT_LE(test, sizeof(*t),
				max_t(size_t, 256, 4 * SMP_CACHE_BYTES));
	KUNIT_EXPECT_NULL(test, kt_test_shards(t));
	p = kalloc_track_add(t, "first", 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_NOT_NULL(test, kt_test_shards(t));
	KUNIT_EXPECT_EQ(test, kalloc_track_release(t, &p), 0);
}

/* Growth stops at KT_MAX_BITS exactly, whatever the step. */
static void kalloc_track_grow_bits_capped(struct kunit *test)
{
	unsigned int bits = KT_FIRST_BITS, steps = 0;

	while (bits < KT_MAX_BITS) {
		bits = kt_grow_bits(bits);
		steps++;
		KUNIT_ASSERT_LE(test, bits, KT_MAX_BITS);
	}
	KUNIT_EXPECT_EQ(test, bits, KT_MAX_BITS);
	KUNIT_EXPECT_EQ(test, kt_grow_bits(KT_MAX_BITS - 1), KT_MAX_BITS);
	KUNIT_EXPECT_EQ(test, kt_grow_bits(KT_MAX_BITS), KT_MAX_BITS);
	KUNIT_EXPECT_GT(test, steps, 0);
}

/* A tracker whose table grew is set up again from scratch. */
static void kalloc_track_reinit_after_growth(struct kunit *test)
{
	struct kalloc_track *t = kt_test_tracker(test, "kunit-regrow");
	void **p;
	int i;

	p = kunit_kcalloc(test, KT_GROW_N, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	for (i = 0; i < KT_GROW_N; i++) {
		p[i] = kalloc_track_add(t, "grow", 32, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	kt_test_wait_resize(t);
	KUNIT_EXPECT_GT(test, kt_test_grown_shards(t), 0);
	for (i = 0; i < KT_GROW_N; i++)
		KUNIT_ASSERT_EQ(test, kalloc_track_release(t, &p[i]), 0);
	KUNIT_EXPECT_EQ(test, kalloc_track_destroy(t), 0);
	KUNIT_EXPECT_NULL(test, kt_test_shards(t));

	/* Set up again, nothing is allocated until the first add. */
	KUNIT_ASSERT_EQ(test, kalloc_track_init(t, "kunit-regrow"), 0);
	KUNIT_EXPECT_NULL(test, kt_test_shards(t));
	KUNIT_EXPECT_EQ(test, kt_stats(test, t).adds, 0);
	p[0] = kalloc_track_add(t, "again", 32, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p[0]);
	KUNIT_EXPECT_EQ(test, kt_test_shard(t, p[0])->bits, KT_FIRST_BITS);
	KUNIT_EXPECT_PTR_EQ(test, kt_test_shard(t, p[0])->table,
			    &kt_test_shard(t, p[0])->first[0]);
	KUNIT_EXPECT_EQ(test, kalloc_track_release(t, &p[0]), 0);
	KUNIT_EXPECT_EQ(test, kt_stats(test, t).live, 0);
}

/*
 * A wrong-owner release must find an address in the other tracker's old
 * table while that one is being resized. The state "records still in the
 * old table, none migrated" is set up by hand, as kt_grow() leaves it
 * after switching tables.
 */
static void kalloc_track_wrong_owner_mid_resize(struct kunit *test)
{
	struct kalloc_track *mine = kt_test_tracker(test, "kunit-mine");
	struct kalloc_track *theirs = kt_test_tracker(test, "kunit-resizing");
	struct kalloc_track_shard *s;
	struct kt_bucket *new;
	unsigned long flags;
	void *p, *orig;

	p = kalloc_track_add(theirs, "moving", 48, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	orig = p;
	new = kt_alloc_table(KT_FIRST_BITS + 2, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, new);

	s = kt_test_shard(theirs, p);
	spin_lock_irqsave(&s->lock, flags);
	s->resizing = true;
	s->old_table = s->table;
	s->old_bits = s->bits;
	s->migrated = 0;
	s->table = new;
	s->bits = KT_FIRST_BITS + 2;
	spin_unlock_irqrestore(&s->lock, flags);

	KUNIT_EXPECT_EQ(test, kalloc_track_release(mine, &p), -EXDEV);
	KUNIT_EXPECT_PTR_EQ(test, p, orig);
	KUNIT_EXPECT_EQ(test, kt_stats(test, mine).foreign_frees, 1);
	KUNIT_EXPECT_EQ(test, kalloc_track_release(theirs, &p), 0);

	/* theirs is empty now: end the "resize" by hand. */
	spin_lock_irqsave(&s->lock, flags);
	s->old_table = NULL;
	s->resizing = false;
	spin_unlock_irqrestore(&s->lock, flags);
	KUNIT_EXPECT_EQ(test, kalloc_track_destroy(theirs), 0);
}

/*
 * A module unloaded with a tracker of its own still set up: the tracker
 * is reported and destroyed as the module goes, so that no dangling
 * entry stays on the list. The module is a fake whose data section is
 * the tracker.
 */
static void kalloc_track_module_going(struct kunit *test)
{
	static const char * const want[] = {
		"kunit-forgotten: tracker",
		"of module kunit_fake not destroyed before unload",
		"kunit-forgotten: leak of 'left-behind' (24 bytes",
	};
	struct kalloc_track *t, *survivor;
	const struct kalloc_track_freed *h;
	struct kt_captured *c;
	struct kt_record *rec;
	struct module *mod;
	void *p, *q, *r, *r_addr;
	unsigned int i;
	char *name;

	if (!IS_ENABLED(CONFIG_MODULES))
		kunit_skip(test, "CONFIG_MODULES is off");
	mod = kunit_kzalloc(test, sizeof(*mod), GFP_KERNEL);
	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	name = kunit_kzalloc(test, 16, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mod);
	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_ASSERT_NOT_NULL(test, name);
	/* A string of the module, given to a tracker that outlives it. */
	strscpy(name, "module-string", 16);
	survivor = kt_test_tracker(test, "kunit-survivor");
	q = kalloc_track_add(survivor, name, 8, GFP_KERNEL);
	r = kalloc_track_add(survivor, name, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_ASSERT_NOT_NULL(test, r);
	r_addr = r;
	KUNIT_ASSERT_EQ(test, kalloc_track_release(survivor, &r), 0);
	KUNIT_ASSERT_EQ(test, kalloc_track_init(t, "kunit-forgotten"), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kt_test_destroy,
							t), 0);
	p = kalloc_track_add(t, "left-behind", 24, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	strscpy(mod->name, "kunit_fake", sizeof(mod->name));
	mod->mem[MOD_DATA].base = t;
	mod->mem[MOD_DATA].size = sizeof(*t);
	mod->mem[MOD_RODATA].base = name;
	mod->mem[MOD_RODATA].size = 16;

	c = kt_test_capture(test);
	KUNIT_EXPECT_EQ(test, kt_module_going(mod), 1);
	KUNIT_EXPECT_TRUE(test, t->dead);
	KUNIT_EXPECT_FALSE(test, kt_tracker_listed(t));
	for (i = 0; i < ARRAY_SIZE(want); i++)
		KUNIT_EXPECT_EQ_MSG(test, kt_test_count(c, want[i]), 1, "'%s'",
				    want[i]);
	KUNIT_EXPECT_EQ(test, kt_stats(test, t).leaks, 1);
	/* The survivor no longer points into the module. */
	rec = kt_test_record(survivor, q);
	KUNIT_ASSERT_NOT_NULL(test, rec);
	KUNIT_EXPECT_STREQ(test, rec->name, "(unloaded module)");
	h = kt_test_last_release(survivor, r_addr);
	KUNIT_EXPECT_STREQ(test, h->name, "(unloaded module)");
	KUNIT_EXPECT_STREQ(test, survivor->owner, "kunit-survivor");
	KUNIT_EXPECT_EQ(test, kalloc_track_release(survivor, &q), 0);
	/* No other tracker was in that module: a second pass finds none. */
	KUNIT_EXPECT_EQ(test, kt_module_going(mod), 0);
	kt_test_free_forgotten(p);
}

/*
 * The unload redirects names in batches of buckets, and may sleep
 * between them: with enough records in one shard for 32 batches, every
 * name in the module is redirected, and no other.
 */
#define KT_SCRUB_RECORDS	2048

static void kalloc_track_module_going_scrubs_every_batch(struct kunit *test)
{
	struct kalloc_track *t;
	struct kt_record *rec;
	struct module *mod;
	unsigned int i, moved = 0, kept = 0;
	char *name;
	void **p;

	if (!IS_ENABLED(CONFIG_MODULES))
		kunit_skip(test, "CONFIG_MODULES is off");
	/* One shard: all the records in one table of many batches. */
	kt_test_one_shard(test);
	/* Before the tracker, which is destroyed first, as it names them. */
	mod = kunit_kzalloc(test, sizeof(*mod), GFP_KERNEL);
	name = kunit_kzalloc(test, 16, GFP_KERNEL);
	p = kunit_kcalloc(test, KT_SCRUB_RECORDS, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mod);
	KUNIT_ASSERT_NOT_NULL(test, name);
	KUNIT_ASSERT_NOT_NULL(test, p);
	strscpy(name, "module-string", 16);
	strscpy(mod->name, "kunit_fake", sizeof(mod->name));
	mod->mem[MOD_RODATA].base = name;
	mod->mem[MOD_RODATA].size = 16;
	t = kt_test_tracker(test, "kunit-many");
	for (i = 0; i < KT_SCRUB_RECORDS; i++) {
		p[i] = kalloc_track_add(t, i % 2 ? name : "ours", 8,
					GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	/* 2,048 buckets or more: 32 batches of 64 or more. */
	KUNIT_EXPECT_GE(test, (unsigned int)kt_test_shards(t)->bits, 11U);
	KUNIT_EXPECT_EQ(test, kt_module_going(mod), 0);
	for (i = 0; i < KT_SCRUB_RECORDS; i++) {
		rec = kt_test_record(t, p[i]);
		KUNIT_ASSERT_NOT_NULL(test, rec);
		if (i % 2)
			moved += !strcmp(rec->name, "(unloaded module)");
		else
			kept += !strcmp(rec->name, "ours");
		KUNIT_EXPECT_EQ(test, kalloc_track_release(t, &p[i]), 0);
	}
	KUNIT_EXPECT_EQ(test, moved, KT_SCRUB_RECORDS / 2);
	KUNIT_EXPECT_EQ(test, kept, KT_SCRUB_RECORDS / 2);
}

/* An unload run in a thread of its own, for the test below. */
struct kt_unload {
	struct module mod;
	struct task_struct *task;
	struct completion started, done;
	bool done_during_report;
};

static int kt_unload_fn(void *data)
{
	struct kt_unload *u = data;

	complete(&u->started);
	kt_module_going(&u->mod);
	/* Not back into this module's text, which may be unloading. */
	kthread_complete_and_exit(&u->done, 0);
}

/*
 * The leak report of the destroy under test: start the unload of the
 * module that the leak's name lives in, and once it runs, give it 100 ms
 * to finish while this destroy is still reporting.
 */
static void kt_unload_during_report(const struct kalloc_track *t,
				    const struct kt_record *rec,
				    unsigned long now)
{
	struct kt_unload *u = kunit_get_current_test()->priv;

	if (u->task)
		return;
	u->task = kthread_run(kt_unload_fn, u, "kt_unload");
	if (IS_ERR(u->task))
		return;
	wait_for_completion(&u->started);
	u->done_during_report =
		wait_for_completion_timeout(&u->done, msecs_to_jiffies(100));
}

/*
 * A destroy takes its tracker off the list before it reports the leaks,
 * so the unload of a module whose string names a leak would not see the
 * record, and the report would read the string after the module's
 * memory went. The unload must wait for the report.
 */
static void kalloc_track_module_going_waits_for_destroy(struct kunit *test)
{
	struct kalloc_track *t;
	struct kt_unload *u;
	char *name;
	void *p;

	if (!IS_ENABLED(CONFIG_MODULES))
		kunit_skip(test, "CONFIG_MODULES is off");
	name = kunit_kzalloc(test, 16, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, name);
	strscpy(name, "module-string", 16);
	t = kt_test_tracker(test, "kunit-outside");
	p = kalloc_track_add(t, name, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	/* Not kunit_kzalloc(): the unload's thread may outlive a failure. */
	u = kzalloc_obj(*u);
	if (!u) {
		kalloc_track_release(t, &p);
		KUNIT_FAIL(test, "no memory");
		return;
	}
	init_completion(&u->started);
	init_completion(&u->done);
	test->priv = u;
	/* The module's only memory is a string that names a leak. */
	strscpy(u->mod.name, "kunit_fake", sizeof(u->mod.name));
	u->mod.mem[MOD_RODATA].base = name;
	u->mod.mem[MOD_RODATA].size = 16;

	kunit_activate_static_stub(test, kt_report_leak,
				   kt_unload_during_report);
	KUNIT_EXPECT_EQ(test, kalloc_track_destroy(t), 1);
	kunit_deactivate_static_stub(test, kt_report_leak);
	kt_test_free_forgotten(p);
	if (IS_ERR_OR_NULL(u->task)) {
		KUNIT_FAIL(test, "the unload did not start");
		kfree(u);
		return;
	}
	KUNIT_EXPECT_FALSE(test, u->done_during_report);
	/* Once the destroy is done, the unload goes on. */
	if (!u->done_during_report &&
	    !wait_for_completion_timeout(&u->done, 30 * HZ)) {
		/* Its thread may still use @u: leave it allocated. */
		KUNIT_FAIL(test, "the unload did not end");
		return;
	}
	kfree(u);
}

/* A destroy run in a thread of its own, and an unload, for the test below. */
struct kt_slow_destroy {
	struct kalloc_track t;
	struct module mod;
	char name[16];
	struct completion destroyed, unloaded;
	unsigned int leaks;
};

static int kt_slow_destroy_fn(void *data)
{
	struct kt_slow_destroy *d = data;

	d->leaks = kalloc_track_destroy(&d->t);
	kthread_complete_and_exit(&d->destroyed, 0);
}

static int kt_slow_unload_fn(void *data)
{
	struct kt_slow_destroy *d = data;

	kt_module_going(&d->mod);
	kthread_complete_and_exit(&d->unloaded, 0);
}

/* Let the destroy of @d go on, and wait for it. */
static bool kt_slow_destroy_finish(struct kt_slow_destroy *d)
{
	/* As kt_unclaim() lets go: pairs with destroy's acquire. */
	smp_store_release(&d->t.busy, false);
	wake_up_var(&d->t.busy);
	return wait_for_completion_timeout(&d->destroyed, 30 * HZ);
}

/*
 * A destroy waits for the deferred work to let go of its tracker, which
 * may take long (the work may be reclaiming memory for a table). The
 * unload of a module meanwhile must not wait for it, or every destroy
 * queued behind the unload would too; and it must still redirect the
 * names of the tracker being destroyed, whose leaks are yet to be
 * reported.
 */
static void kalloc_track_unload_does_not_wait_for_slow_destroy(struct kunit *test)
{
	struct task_struct *task;
	struct kt_slow_destroy *d;
	struct kt_record *rec;
	unsigned long unloaded;
	unsigned int i;
	void *p;

	if (!IS_ENABLED(CONFIG_MODULES))
		kunit_skip(test, "CONFIG_MODULES is off");
	/* Not kunit_kzalloc(): the threads may outlive a failure. */
	d = kzalloc_obj(*d);
	KUNIT_ASSERT_NOT_NULL(test, d);
	init_completion(&d->destroyed);
	init_completion(&d->unloaded);
	strscpy(d->name, "module-string", sizeof(d->name));
	strscpy(d->mod.name, "kunit_fake", sizeof(d->mod.name));
	d->mod.mem[MOD_RODATA].base = d->name;
	d->mod.mem[MOD_RODATA].size = sizeof(d->name);
	if (kalloc_track_init(&d->t, "kunit-slow-destroy")) {
		kfree(d);
		KUNIT_FAIL(test, "init failed");
		return;
	}
	p = kalloc_track_add(&d->t, d->name, 8, GFP_KERNEL);
	/* Done with the tracker, then claimed as the work would claim it. */
	kt_flush_work();
	WRITE_ONCE(d->t.busy, true);
	task = kthread_run(kt_slow_destroy_fn, d, "kt_slow_destroy");
	if (IS_ERR(task)) {
		WRITE_ONCE(d->t.busy, false);
		kalloc_track_destroy(&d->t);
		kt_test_free_forgotten(p);
		kfree(d);
		KUNIT_FAIL(test, "no destroy thread");
		return;
	}
	/* The destroy marks the tracker dead, then waits for ->busy. */
	for (i = 0; i < 1000 && !READ_ONCE(d->t.dead); i++)
		usleep_range(1000, 2000);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(d->t.dead));

	task = kthread_run(kt_slow_unload_fn, d, "kt_slow_unload");
	if (IS_ERR(task)) {
		KUNIT_FAIL(test, "no unload thread");
		if (kt_slow_destroy_finish(d)) {
			kt_test_free_forgotten(p);
			kfree(d);
		}
		return;
	}
	unloaded = wait_for_completion_timeout(&d->unloaded, HZ);
	KUNIT_EXPECT_TRUE_MSG(test, unloaded, "the unload waited for a destroy");
	KUNIT_EXPECT_FALSE(test, completion_done(&d->destroyed));
	/* Still listed, so redirected: its leak report names no module. */
	rec = p ? kt_test_record(&d->t, p) : NULL;
	KUNIT_EXPECT_NOT_NULL(test, rec);
	if (rec && unloaded)
		KUNIT_EXPECT_STREQ(test, rec->name, "(unloaded module)");

	if (!kt_slow_destroy_finish(d) ||
	    (!unloaded && !wait_for_completion_timeout(&d->unloaded, 30 * HZ))) {
		/* A thread may still use @d: leave it allocated. */
		KUNIT_FAIL(test, "the destroy or the unload did not end");
		return;
	}
	KUNIT_EXPECT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, d->leaks, 1);
	KUNIT_EXPECT_FALSE(test, kt_tracker_listed(&d->t));
	kt_test_free_forgotten(p);
	kfree(d);
}

static struct kunit_case kalloc_track_cases[] = {
	KUNIT_CASE(kalloc_track_add_release_accounts),
	KUNIT_CASE(kalloc_track_release_nulls_pointer),
	KUNIT_CASE(kalloc_track_add_zeroed_and_array),
	KUNIT_CASE(kalloc_track_add_records_metadata),
	KUNIT_CASE(kalloc_track_static_definers),
	KUNIT_CASE(kalloc_track_limits_exact),
	KUNIT_CASE(kalloc_track_destroy_reports_leaks),
	KUNIT_CASE(kalloc_track_destroyed_is_inert),
	KUNIT_CASE(kalloc_track_table_grows),
	KUNIT_CASE_SLOW(kalloc_track_chains_short),
	KUNIT_CASE(kalloc_track_bucket_layout),
	KUNIT_CASE(kalloc_track_shards_per_cpu),
	KUNIT_CASE(kalloc_track_tracker_is_small),
	KUNIT_CASE(kalloc_track_meta_bytes_bounded),
	KUNIT_CASE(kalloc_track_grow_bits_capped),
	KUNIT_CASE(kalloc_track_reinit_after_growth),
	KUNIT_CASE(kalloc_track_wrong_owner_mid_resize),
	KUNIT_CASE(kalloc_track_module_going),
	KUNIT_CASE(kalloc_track_module_going_waits_for_destroy),
	KUNIT_CASE(kalloc_track_unload_does_not_wait_for_slow_destroy),
	KUNIT_CASE(kalloc_track_module_going_scrubs_every_batch),
	{}
};

static struct kunit_suite kalloc_track_suite = {
	.name = "kalloc_track",
	.test_cases = kalloc_track_cases,
};

/* Misuse: bad frees and bad input. */

static void kalloc_track_release_double_free(struct kunit *test)
{
	struct kalloc_track *t = kt_test_tracker(test, "kunit");
	struct kalloc_track_stats before, after;
	void *p, *copy, *other;

	p = kalloc_track_add(t, "twice", 64, GFP_KERNEL);
	other = kalloc_track_add(t, "bystander", 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, other);
	copy = p;
	KUNIT_ASSERT_EQ(test, kalloc_track_release(t, &p), 0);

	before = kt_stats(test, t);
	KUNIT_EXPECT_EQ(test, kalloc_track_release(t, &copy), -EALREADY);
	after = kt_stats(test, t);
	KUNIT_EXPECT_NOT_NULL(test, copy);
	KUNIT_EXPECT_EQ(test, after.double_frees, 1);
	KUNIT_EXPECT_EQ(test, after.live, before.live);
	KUNIT_EXPECT_EQ(test, after.live_bytes, before.live_bytes);
	KUNIT_EXPECT_EQ(test, after.releases, before.releases);
	KUNIT_EXPECT_EQ(test, kalloc_track_release(t, &other), 0);
}

static void kalloc_track_release_history_is_bounded(struct kunit *test)
{
	struct kalloc_track *t = kt_test_tracker(test, "kunit");
	void *p, *stale, *q[KALLOC_TRACK_HISTORY];
	int i;

	/* History is kept per shard: one shard, so every release counts. */
	kt_test_one_shard(test);
	p = kalloc_track_add(t, "old", 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, kt_test_nr_shards(t), 1);
	stale = p;
	KUNIT_ASSERT_EQ(test, kalloc_track_release(t, &p), 0);
	/*
	 * Churn from another size class, so that @stale is not reused: the
	 * churn stays live until all of it is added, so that each add gets
	 * an address of its own.
	 */
	for (i = 0; i < KALLOC_TRACK_HISTORY; i++) {
		q[i] = kalloc_track_add(t, "churn", 4000, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, q[i]);
	}
	/* One release short of the history's size: still a double free. */
	for (i = 0; i < KALLOC_TRACK_HISTORY - 1; i++)
		KUNIT_ASSERT_EQ(test, kalloc_track_release(t, &q[i]), 0);
	p = stale;
	KUNIT_EXPECT_EQ(test, kalloc_track_release(t, &p), -EALREADY);
	KUNIT_EXPECT_EQ(test, kt_stats(test, t).double_frees, 1);
	/* Beyond the history, it reads as an invalid free. */
	KUNIT_ASSERT_EQ(test,
			kalloc_track_release(t, &q[KALLOC_TRACK_HISTORY - 1]),
			0);
	p = stale;
	KUNIT_EXPECT_EQ(test, kalloc_track_release(t, &p), -ENOENT);
	KUNIT_EXPECT_EQ(test, kt_stats(test, t).invalid_frees, 1);
	KUNIT_EXPECT_EQ(test, kt_stats(test, t).double_frees, 1);
}

enum kt_bad_ptr { KT_STACK, KT_PLAIN_KMALLOC, KT_INTERIOR, KT_FAR_INTERIOR };

static const enum kt_bad_ptr kt_bad_ptrs[] = {
	KT_STACK, KT_PLAIN_KMALLOC, KT_INTERIOR, KT_FAR_INTERIOR,
};

static void kt_bad_ptr_desc(const enum kt_bad_ptr *k, char *desc)
{
	static const char * const names[] = {
		"stack address", "memory from plain kmalloc",
		"interior pointer (+1)", "interior pointer (+64)",
	};

	strscpy(desc, names[*k], KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(kt_bad_ptr, kt_bad_ptrs, kt_bad_ptr_desc);

static void kalloc_track_release_invalid(struct kunit *test)
{
	const enum kt_bad_ptr *kind = test->param_value;
	struct kalloc_track *t = kt_test_tracker(test, "kunit");
	struct kalloc_track_stats before, after;
	char on_stack[16];
	u8 *tracked, *plain = NULL;
	void *bad, *orig;

	tracked = kalloc_track_add(t, "tracked", 128, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tracked);
	switch (*kind) {
	case KT_STACK:
		bad = on_stack;
		break;
	case KT_PLAIN_KMALLOC:
		plain = kmalloc(32, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, plain);
		bad = plain;
		break;
	case KT_INTERIOR:
		bad = tracked + 1;
		break;
	default:
		bad = tracked + 64;
		break;
	}
	orig = bad;

	before = kt_stats(test, t);
	KUNIT_EXPECT_EQ(test, kalloc_track_release(t, &bad), -ENOENT);
	after = kt_stats(test, t);
	KUNIT_EXPECT_PTR_EQ(test, bad, orig);
	KUNIT_EXPECT_EQ(test, after.invalid_frees, before.invalid_frees + 1);
	KUNIT_EXPECT_EQ(test, after.live, 1);
	KUNIT_EXPECT_EQ(test, after.live_bytes, 128);
	KUNIT_EXPECT_EQ(test, after.releases, 0);

	/* Nothing was freed: both blocks are still usable and ours. */
	memset(tracked, 0x5a, 128);
	KUNIT_EXPECT_EQ(test, kalloc_track_release(t, &tracked), 0);
	if (plain) {
		memset(plain, 0x5a, 32);
		kfree(plain);
	}
}

static void kalloc_track_release_wrong_owner(struct kunit *test)
{
	struct kalloc_track *mine = kt_test_tracker(test, "kunit-mine");
	struct kalloc_track *theirs = kt_test_tracker(test, "kunit-theirs");
	void *p, *orig;

	p = kalloc_track_add(mine, "owned", 48, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	orig = p;
	KUNIT_EXPECT_EQ(test, kalloc_track_release(theirs, &p), -EXDEV);
	KUNIT_EXPECT_PTR_EQ(test, p, orig);
	KUNIT_EXPECT_EQ(test, kt_stats(test, theirs).foreign_frees, 1);
	KUNIT_EXPECT_EQ(test, kt_stats(test, mine).live, 1);
	KUNIT_EXPECT_EQ(test, kt_stats(test, theirs).live, 0);
	memset(p, 0, 48);
	KUNIT_EXPECT_EQ(test, kalloc_track_release(mine, &p), 0);
	KUNIT_EXPECT_EQ(test, kt_stats(test, mine).foreign_frees, 0);
}

struct kt_bad_add {
	const char *desc;
	bool null_tracker;
	const char *name;
	bool array;		/* kalloc_track_add_array(@n, @size) */
	size_t n;
	size_t size;
	gfp_t gfp;
};

static const char kt_long_name[] =
	"a-name-of-sixty-five-characters-which-is-one-more-than-allowed-xx";
static_assert(sizeof(kt_long_name) == KALLOC_TRACK_NAME_MAX + 2);

static const struct kt_bad_add kt_bad_adds[] = {
	{ "NULL tracker", true, "x", false, 0, 8, GFP_KERNEL },
	{ "NULL name", false, NULL, false, 0, 8, GFP_KERNEL },
	{ "empty name", false, "", false, 0, 8, GFP_KERNEL },
	{ "name over KALLOC_TRACK_NAME_MAX", false, kt_long_name, false, 0, 8,
	  GFP_KERNEL },
	{ "size 0", false, "x", false, 0, 0, GFP_KERNEL },
	{ "size over KMALLOC_MAX_SIZE", false, "x", false, 0,
	  KMALLOC_MAX_SIZE + 1, GFP_KERNEL },
	{ "size SIZE_MAX", false, "x", false, 0, SIZE_MAX, GFP_KERNEL },
	{ "array count x size overflow", false, "x", true, SIZE_MAX / 2 + 1, 2,
	  GFP_KERNEL },
	{ "array of 0 elements", false, "x", true, 0, 16, GFP_KERNEL },
	{ "__GFP_HIGHMEM", false, "x", false, 0, 8, GFP_KERNEL | __GFP_HIGHMEM },
	{ "__GFP_DMA32", false, "x", false, 0, 8, GFP_KERNEL | __GFP_DMA32 },
};

KUNIT_ARRAY_PARAM_DESC(kt_bad_add, kt_bad_adds, desc);

static void kalloc_track_add_bad_input(struct kunit *test)
{
	const struct kt_bad_add *c = test->param_value;
	struct kalloc_track *t = kt_test_tracker(test, "kunit");
	struct kalloc_track *target = c->null_tracker ? NULL : t;
	long bad = kt_bad_tracker_count();
	struct kalloc_track_stats st;
	void *p;

	if (c->array)
		p = kalloc_track_add_array(target, c->name, c->n, c->size,
					   c->gfp);
	else
		p = kalloc_track_add(target, c->name, c->size, c->gfp);
	KUNIT_EXPECT_NULL(test, p);
	kalloc_track_release(t, &p);	/* should the add wrongly succeed */

	st = kt_stats(test, t);
	KUNIT_EXPECT_EQ(test, st.bad_input, c->null_tracker ? 0 : 1);
	/* A NULL tracker has no counters: the global one counts it. */
	KUNIT_EXPECT_EQ(test, kt_bad_tracker_count() - bad,
			c->null_tracker ? 1 : 0);
	KUNIT_EXPECT_EQ(test, st.live, 0);
	KUNIT_EXPECT_EQ(test, st.adds, 0);
	KUNIT_EXPECT_EQ(test, st.failed, 0);
}

/* A name of KALLOC_TRACK_NAME_MAX characters, measured at the add. */
static void kalloc_track_add_name_at_max_length(struct kunit *test)
{
	struct kalloc_track *t = kt_test_tracker(test, "kunit");
	const char *name = kt_long_name + 1;
	void *p;

	/* Not kt_long_name + 1 itself, whose length gcc knows. */
	static_assert(!__kalloc_track_name_known(name));
	p = kalloc_track_add(t, name, 8, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, p);
	kalloc_track_release(t, &p);
	KUNIT_EXPECT_EQ(test, kt_stats(test, t).bad_input, 0);
}

/* Which add body the macros called, for kalloc_track_add_name_known(). */
static unsigned int kt_literal_adds, kt_other_adds;

static void *kt_count_literal_add(struct kalloc_track *t, const char *name,
				  size_t size, gfp_t gfp)
{
	kt_literal_adds++;
	return NULL;
}

static void *kt_count_other_add(struct kalloc_track *t, const char *name,
				size_t size, gfp_t gfp)
{
	kt_other_adds++;
	return NULL;
}

static void *kt_count_literal_array(struct kalloc_track *t, const char *name,
				    size_t n, size_t size, gfp_t gfp)
{
	kt_literal_adds++;
	return NULL;
}

static void *kt_count_other_array(struct kalloc_track *t, const char *name,
				  size_t n, size_t size, gfp_t gfp)
{
	kt_other_adds++;
	return NULL;
}

/*
 * A name whose length the compiler knows goes to the _literal bodies,
 * which trust its length (checked when the caller was built); any other
 * to the bodies that measure it. Only the length is trusted: the rest of
 * the add, and a NULL name, are checked as for any other.
 */
static void kalloc_track_add_name_known(struct kunit *test)
{
	struct kalloc_track *t = kt_test_tracker(test, "kunit");
	static const char known[] = "static-const";
	const char *hidden = "hidden";
	const char *empty = "";
	void *p;

	/* Facts of the build, checked by each compiler that builds this. */
	static_assert(__kalloc_track_name_known("literal"));
	static_assert(__kalloc_track_name_len("literal") == 7);
	static_assert(!__kalloc_track_name_known(hidden));

	kt_literal_adds = 0;
	kt_other_adds = 0;
	kunit_activate_static_stub(test, __kalloc_track_add_literal_noprof,
				   kt_count_literal_add);
	kunit_activate_static_stub(test, kalloc_track_add_noprof,
				   kt_count_other_add);
	kunit_activate_static_stub(test, __kalloc_track_add_array_literal_noprof,
				   kt_count_literal_array);
	kunit_activate_static_stub(test, kalloc_track_add_array_noprof,
				   kt_count_other_array);
	/* The stubs allocate nothing; each add must reach one. */
	KUNIT_EXPECT_NULL(test, kalloc_track_add(t, "lit", 8, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, kalloc_track_add_zeroed(t, "lit", 8,
							GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, kalloc_track_add_array(t, "lit", 2, 8,
						       GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, kt_literal_adds, 3);
	KUNIT_EXPECT_EQ(test, kt_other_adds, 0);
	KUNIT_EXPECT_NULL(test, kalloc_track_add(t, hidden, 8, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, kalloc_track_add_array(t, hidden, 2, 8,
						       GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, kt_literal_adds, 3);
	KUNIT_EXPECT_EQ(test, kt_other_adds, 2);
	kunit_deactivate_static_stub(test, __kalloc_track_add_literal_noprof);
	kunit_deactivate_static_stub(test, kalloc_track_add_noprof);
	kunit_deactivate_static_stub(test, __kalloc_track_add_array_literal_noprof);
	kunit_deactivate_static_stub(test, kalloc_track_add_array_noprof);

	/* Known names: bad sizes and flags are still refused. */
	KUNIT_EXPECT_NULL(test, kalloc_track_add(t, "lit", 0, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, kalloc_track_add(t, "lit", 8,
						 GFP_KERNEL | __GFP_HIGHMEM));
	/* A _literal body called directly still refuses NULL. */
	KUNIT_EXPECT_NULL(test, __kalloc_track_add_literal_noprof(t, NULL, 8,
								  GFP_KERNEL));
	/* An unknown empty name is refused at the add. */
	KUNIT_EXPECT_NULL(test, kalloc_track_add(t, empty, 8, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, kt_stats(test, t).bad_input, 4);

	p = kalloc_track_add(t, known, 8, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, kalloc_track_release(t, &p), 0);
	p = kalloc_track_add(t, hidden, 8, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, kalloc_track_release(t, &p), 0);
	/*
	 * Known to clang, not to gcc: a short one builds with each (a
	 * function name over KALLOC_TRACK_NAME_MAX fails clang's build and
	 * gcc's add).
	 */
	p = kalloc_track_add(t, __func__, 8, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, kalloc_track_release(t, &p), 0);
	KUNIT_EXPECT_EQ(test, kt_stats(test, t).adds, 3);
}

/*
 * The _literal bodies trust only the length that the macros checked.
 * Called directly, they still refuse NULL and an empty name; a name
 * longer than KALLOC_TRACK_NAME_MAX, which only measuring would find, is
 * taken, and printed cut to that length.
 */
static void kalloc_track_add_literal_direct(struct kunit *test)
{
	struct kalloc_track *t = kt_test_tracker(test, "kunit");
	char want[KALLOC_TRACK_NAME_MAX + 32];
	struct kt_captured *c;
	char *name;
	void *p;

	name = kunit_kzalloc(test, KALLOC_TRACK_NAME_MAX + 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, name);
	memset(name, 'n', KALLOC_TRACK_NAME_MAX + 7);
	c = kt_test_capture(test);
	KUNIT_EXPECT_NULL(test, __kalloc_track_add_literal_noprof(t, NULL, 8,
								  GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, __kalloc_track_add_literal_noprof(t, "", 8,
								  GFP_KERNEL));
	KUNIT_EXPECT_NULL(test,
			  __kalloc_track_add_array_literal_noprof(t, "", 2, 8,
								  GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, kt_test_count(c, "refused: empty name"), 2);
	KUNIT_EXPECT_EQ(test, kt_stats(test, t).bad_input, 3);

	/* Under alloc_hooks(), as the macros call it: this one allocates. */
	p = alloc_hooks(__kalloc_track_add_literal_noprof(t, name, 8,
							  GFP_KERNEL));
	KUNIT_EXPECT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, kalloc_track_release(t, &p), 0);
	KUNIT_EXPECT_EQ(test, kalloc_track_set_limits(t, 4, 0), 0);
	KUNIT_EXPECT_NULL(test,
			  alloc_hooks(__kalloc_track_add_literal_noprof(t, name, 8,
									GFP_KERNEL)));
	snprintf(want, sizeof(want), "kunit: add of '%.*s' (8 bytes)",
		 KALLOC_TRACK_NAME_MAX, name);
	KUNIT_EXPECT_EQ(test, kt_test_count(c, want), 1);
}

static void kalloc_track_null_tracker(struct kunit *test)
{
	struct kalloc_track_stats st = { .live = 1 };
	long before = kt_bad_tracker_count();
	struct kt_captured *c = kt_test_capture(test);
	void *p = &st;

	KUNIT_EXPECT_EQ(test, kalloc_track_init(NULL, "x"), -EINVAL);
	KUNIT_EXPECT_EQ(test, kalloc_track_release(NULL, &p), -EINVAL);
	KUNIT_EXPECT_PTR_EQ(test, p, (void *)&st);
	KUNIT_EXPECT_EQ(test, kalloc_track_set_limits(NULL, 1, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, kalloc_track_get_stats(NULL, &st), -EINVAL);
	KUNIT_EXPECT_EQ(test, st.live, 0);
	KUNIT_EXPECT_EQ(test, kalloc_track_destroy(NULL), 0);
	KUNIT_EXPECT_NULL(test, kalloc_track_add(NULL, "x", 8, GFP_KERNEL));
	/* Every call but init counts; each says so in one line. */
	KUNIT_EXPECT_EQ(test, kt_bad_tracker_count() - before, 5);
	KUNIT_EXPECT_EQ(test, kt_test_count(c, "refused: NULL tracker"), 5);
	KUNIT_EXPECT_EQ(test, kt_test_count(c, "init: NULL tracker"), 1);
}

/*
 * A zeroed tracker, never initialised (a driver that forgot the init):
 * every call is refused, counted and said in one line, and nothing in
 * the tracker is touched, its lock included.
 */
static void kalloc_track_zeroed_tracker(struct kunit *test)
{
	struct kalloc_track *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	long before = kt_bad_tracker_count();
	struct kalloc_track_stats st;
	struct kt_captured *c;
	void *p, *null = NULL;

	KUNIT_ASSERT_NOT_NULL(test, t);
	c = kt_test_capture(test);
	p = kalloc_track_add(t, "x", 8, GFP_KERNEL);
	KUNIT_EXPECT_NULL(test, p);
	KUNIT_EXPECT_NULL(test, kalloc_track_add_array(t, "x", 2, 8, GFP_KERNEL));
	p = &st;
	KUNIT_EXPECT_EQ(test, kalloc_track_release(t, &p), -EINVAL);
	/* As kfree(NULL), whatever the tracker. */
	KUNIT_EXPECT_EQ(test, kalloc_track_release(t, &null),
			KALLOC_TRACK_WAS_NULL);
	KUNIT_EXPECT_EQ(test, kalloc_track_set_limits(t, 1, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, kalloc_track_get_stats(t, &st), -EINVAL);
	KUNIT_EXPECT_EQ(test, kalloc_track_destroy(t), 0);
	KUNIT_EXPECT_EQ(test, kt_bad_tracker_count() - before, 6);
	KUNIT_EXPECT_EQ(test, kt_test_count(c, "uninitialised tracker"), 6);
	KUNIT_EXPECT_FALSE(test, kt_tracker_listed(t));
	KUNIT_EXPECT_NULL(test, memchr_inv(t, 0, sizeof(*t)));
}

/* A second init of a tracker in use is refused, and the tracker works on. */
static void kalloc_track_init_live_refused(struct kunit *test)
{
	static const char want[] =
		"kunit-live: init of a tracker in use refused";
	struct kalloc_track *t = kt_test_tracker(test, "kunit-live");
	struct kt_captured *c = kt_test_capture(test);
	void *p = kalloc_track_add(t, "kept", 40, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, kalloc_track_init(t, "again"), -EBUSY);
	KUNIT_EXPECT_STREQ(test, t->owner, "kunit-live");
	KUNIT_EXPECT_TRUE(test, kt_tracker_listed(t));
	KUNIT_EXPECT_EQ(test, kt_stats(test, t).live, 1);
	KUNIT_EXPECT_EQ(test, kt_stats(test, t).bad_input, 1);
	KUNIT_EXPECT_NOT_NULL(test, kt_test_line(c, want));
	KUNIT_EXPECT_EQ(test, kalloc_track_release(t, &p), 0);
	KUNIT_EXPECT_EQ(test, kalloc_track_destroy(t), 0);
	/* Once destroyed, it may be set up again. */
	KUNIT_EXPECT_EQ(test, kalloc_track_init(t, "kunit-live"), 0);
}

/* As kfree(NULL): releasing NULL is a no-op, on a destroyed tracker too. */
static void kalloc_track_release_null_after_destroy(struct kunit *test)
{
	struct kalloc_track *t = kt_test_tracker(test, "kunit");
	struct kt_captured *c;
	void *p = NULL;

	KUNIT_EXPECT_EQ(test, kalloc_track_destroy(t), 0);
	c = kt_test_capture(test);
	KUNIT_EXPECT_EQ(test, kalloc_track_release(t, &p), KALLOC_TRACK_WAS_NULL);
	KUNIT_EXPECT_EQ(test, kt_stats(test, t).bad_input, 0);
	KUNIT_EXPECT_EQ(test, c->n, 0);
	{
		/* The scoped form that outlives its tracker, silently. */
		CLASS(kalloc_track, buf)(t, NULL);
	}
	KUNIT_EXPECT_EQ(test, c->n, 0);
}

/*
 * The interleaving of an add racing with destroy, one step at a time:
 * the add checked ->dead before destroy set it, and registers the
 * tracker (its first use) after destroy ran. The tracker must stay off
 * the list, and the add must fail.
 */
static DEFINE_KALLOC_TRACK(kt_late_tracker, "kunit-late");

static void kalloc_track_register_after_destroy(struct kunit *test)
{
	struct kalloc_track *t = &kt_late_tracker;

	/*
	 * Static, as DEFINE_KALLOC_TRACK() trackers are: lockdep wants a
	 * statically initialised lock to live in static memory.
	 */
	*t = (struct kalloc_track)KALLOC_TRACK_INIT(kt_late_tracker,
						     "kunit-late", 0, 0);
	KUNIT_ASSERT_FALSE(test, kt_tracker_listed(t));
	KUNIT_EXPECT_EQ(test, kalloc_track_destroy(t), 0);
	kt_register(t);		/* what the racing add does next */
	KUNIT_EXPECT_FALSE(test, kt_tracker_listed(t));
	KUNIT_EXPECT_FALSE(test, t->listed);
	KUNIT_EXPECT_NULL(test, kalloc_track_add(t, "late", 8, GFP_KERNEL));
	KUNIT_EXPECT_FALSE(test, kt_tracker_listed(t));
}

/*
 * An add racing with destroy must not put the dead tracker back on the
 * list (where it would stay once its owner freed it). A tracker defined
 * statically is listed by its first add, so each round races that first
 * add against destroy, then checks the tracker is off the list before it
 * is initialised again (with CONFIG_DEBUG_LIST, a listed node written
 * over is a list corruption report).
 */
#define KT_RACE_ROUNDS	200

struct kt_race {
	struct kalloc_track *t;
	atomic_t tries;
	unsigned long adds;
};

static int kt_race_adder(void *data)
{
	struct kt_race *r = data;
	void *p;

	while (!kthread_should_stop()) {
		atomic_inc(&r->tries);
		p = kalloc_track_add(r->t, "racer", 16, GFP_KERNEL);
		if (p && kalloc_track_release(r->t, &p) == 0)
			r->adds++;
		/* Destroyed in between: forgotten, and ours again. */
		kt_test_free_forgotten(p);
		cond_resched();
	}
	return 0;
}

/* Sleep until the adder has tried an add, for up to a second. */
static void kt_race_wait_try(struct kt_race *r)
{
	unsigned int i;

	for (i = 0; i < 10000 && !atomic_read(&r->tries); i++)
		usleep_range(10, 100);
}

static DEFINE_KALLOC_TRACK(kt_race_tracker, "kunit-race");

static void kalloc_track_add_races_destroy(struct kunit *test)
{
	unsigned int i, raced = 0, refused = 0;
	struct kalloc_track_stats st;
	struct task_struct *task;
	struct kt_race *r;

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	kt_test_capture(test);		/* the leak reports of lost races */
	r->t = &kt_race_tracker;
	for (i = 0; i < KT_RACE_ROUNDS; i++) {
		/* A fresh static tracker, not yet listed, each round. */
		kt_race_tracker = (struct kalloc_track)
			KALLOC_TRACK_INIT(kt_race_tracker, "kunit-race", 0, 0);
		atomic_set(&r->tries, 0);
		task = kthread_run(kt_race_adder, r, "kt_race");
		if (IS_ERR(task)) {
			KUNIT_FAIL(test, "kthread_run: %pe", task);
			return;
		}
		/*
		 * With one CPU the adder runs only while this thread sleeps:
		 * let it try once before the destroy in two rounds of three,
		 * and in every round before it is stopped.
		 */
		if (i % 3)
			kt_race_wait_try(r);
		udelay(i % 8);
		kalloc_track_destroy(r->t);
		kt_race_wait_try(r);
		kthread_stop(task);
		/* Re-initialised next round: it must be off the list. */
		KUNIT_ASSERT_FALSE_MSG(test, kt_tracker_listed(r->t),
				       "round %u", i);
		/* Every add was released, refused or reported as a leak. */
		st = kt_stats(test, r->t);
		KUNIT_EXPECT_EQ_MSG(test, st.live_bytes, 0, "round %u", i);
		KUNIT_EXPECT_EQ_MSG(test, st.adds, st.releases + st.leaks,
				    "round %u", i);
		raced += st.adds > 0;
		refused += st.bad_input > 0;
	}
	kunit_info(test, "%lu adds and releases before destroy; %u of %u rounds had adds, %u refused some",
		   r->adds, raced, KT_RACE_ROUNDS, refused);
	/* Not a race unless adds came both before and after destroys. */
	KUNIT_EXPECT_GT(test, raced, 0);
	KUNIT_EXPECT_GT(test, refused, 0);
}

static void kalloc_track_init_bad_owner(struct kunit *test)
{
	struct kalloc_track *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_EXPECT_EQ(test, kalloc_track_init(t, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, kalloc_track_init(t, ""), -EINVAL);
}

static struct kunit_case kalloc_track_misuse_cases[] = {
	KUNIT_CASE(kalloc_track_release_double_free),
	KUNIT_CASE(kalloc_track_release_history_is_bounded),
	KUNIT_CASE_PARAM(kalloc_track_release_invalid, kt_bad_ptr_gen_params),
	KUNIT_CASE(kalloc_track_release_wrong_owner),
	KUNIT_CASE_PARAM(kalloc_track_add_bad_input, kt_bad_add_gen_params),
	KUNIT_CASE(kalloc_track_add_name_at_max_length),
	KUNIT_CASE(kalloc_track_add_name_known),
	KUNIT_CASE(kalloc_track_add_literal_direct),
	KUNIT_CASE(kalloc_track_null_tracker),
	KUNIT_CASE(kalloc_track_zeroed_tracker),
	KUNIT_CASE(kalloc_track_init_live_refused),
	KUNIT_CASE(kalloc_track_release_null_after_destroy),
	KUNIT_CASE(kalloc_track_register_after_destroy),
	KUNIT_CASE_SLOW(kalloc_track_add_races_destroy),
	KUNIT_CASE(kalloc_track_init_bad_owner),
	{}
};

static struct kunit_suite kalloc_track_misuse_suite = {
	.name = "kalloc_track_misuse",
	.test_cases = kalloc_track_misuse_cases,
};

/*
 * Allocation failure, injected at each internal allocation point with
 * static stubs. Records come from a counting kmalloc() pair instead of
 * the record cache, so that every record is seen to be freed.
 */
struct kt_fault_state {
	int records;		/* records allocated and not freed */
	int payloads;		/* payload allocations attempted */
	gfp_t record_gfp;	/* of the last record allocation */
	bool fail_record;
	bool fail_payload;
};

static struct kt_fault_state *kt_fault(void)
{
	return kunit_get_current_test()->priv;
}

static struct kt_record *kt_fake_alloc_record(gfp_t gfp)
{
	struct kt_record *rec;

	kt_fault()->record_gfp = gfp;
	if (kt_fault()->fail_record)
		return NULL;
	rec = kmalloc_obj(*rec, gfp);
	if (rec)
		kt_fault()->records++;
	return rec;
}

static void kt_fake_free_record(struct kt_record *rec)
{
	kt_fault()->records--;
	kfree(rec);
}

static void *kt_fake_alloc_payload(size_t size, gfp_t gfp,
				   unsigned long caller)
{
	kt_fault()->payloads++;
	if (kt_fault()->fail_payload)
		return NULL;
	return kmalloc(size, gfp);
}

static int kt_fault_init(struct kunit *test)
{
	test->priv = kunit_kzalloc(test, sizeof(struct kt_fault_state),
				   GFP_KERNEL);
	if (!test->priv)
		return -ENOMEM;
	kunit_activate_static_stub(test, kt_alloc_record, kt_fake_alloc_record);
	kunit_activate_static_stub(test, kt_free_record, kt_fake_free_record);
	kunit_activate_static_stub(test, kt_alloc_payload,
				   kt_fake_alloc_payload);
	return 0;
}

static void kalloc_track_add_record_alloc_fails(struct kunit *test)
{
	struct kalloc_track *t = kt_test_tracker(test, "kunit");
	struct kalloc_track_stats st;
	void *p;

	kt_fault()->fail_record = true;
	p = kalloc_track_add(t, "no-record", 32, GFP_KERNEL);
	KUNIT_EXPECT_NULL(test, p);
	/* The payload, allocated first, was freed: nothing is lost. */
	KUNIT_EXPECT_EQ(test, kt_fault()->payloads, 1);
	KUNIT_EXPECT_EQ(test, kt_fault()->records, 0);
	st = kt_stats(test, t);
	KUNIT_EXPECT_EQ(test, st.failed, 1);
	KUNIT_EXPECT_EQ(test, st.live, 0);
	KUNIT_EXPECT_EQ(test, st.live_bytes, 0);
	KUNIT_EXPECT_EQ(test, st.adds, 0);

	kt_fault()->fail_record = false;
	p = kalloc_track_add(t, "recovered", 32, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, kalloc_track_release(t, &p), 0);
	/* The record is kept in the pool for the next add... */
	KUNIT_EXPECT_EQ(test, kt_fault()->records, 1);
	p = kalloc_track_add(t, "pooled", 32, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, kt_fault()->records, 1);
	KUNIT_EXPECT_EQ(test, kalloc_track_release(t, &p), 0);
	/* ...and freed with the tracker. */
	KUNIT_EXPECT_EQ(test, kalloc_track_destroy(t), 0);
	KUNIT_EXPECT_EQ(test, kt_fault()->records, 0);
}

static void kalloc_track_add_payload_alloc_fails(struct kunit *test)
{
	struct kalloc_track *t = kt_test_tracker(test, "kunit");
	struct kalloc_track_stats st;
	void *p;

	kt_fault()->fail_payload = true;
	p = kalloc_track_add(t, "no-payload", 32, GFP_KERNEL);
	KUNIT_EXPECT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, kt_fault()->payloads, 1);
	/* No record was taken for it. */
	KUNIT_EXPECT_EQ(test, kt_fault()->records, 0);
	st = kt_stats(test, t);
	KUNIT_EXPECT_EQ(test, st.failed, 1);
	KUNIT_EXPECT_EQ(test, st.live, 0);
	KUNIT_EXPECT_EQ(test, st.live_bytes, 0);
	KUNIT_EXPECT_EQ(test, st.adds, 0);
}

static void kalloc_track_add_refused_frees_both(struct kunit *test)
{
	struct kalloc_track *t = kt_test_tracker(test, "kunit");
	void *a, *b;

	KUNIT_ASSERT_EQ(test, kalloc_track_set_limits(t, 0, 100), 0);
	a = kalloc_track_add(t, "a", 80, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	b = kalloc_track_add(t, "b", 80, GFP_KERNEL);
	KUNIT_EXPECT_NULL(test, b);
	/* Refused before anything was allocated for it. */
	KUNIT_EXPECT_EQ(test, kt_fault()->payloads, 1);
	KUNIT_EXPECT_EQ(test, kt_fault()->records, 1);
	KUNIT_EXPECT_EQ(test, kt_stats(test, t).refused, 1);
	kalloc_track_release(t, &a);
	KUNIT_EXPECT_EQ(test, kalloc_track_destroy(t), 0);
	KUNIT_EXPECT_EQ(test, kt_fault()->records, 0);
}

/*
 * Metadata follows the payload's memory cgroup and lockdep annotation,
 * but not its zone, zeroing or placement.
 */
static void kalloc_track_metadata_gfp(struct kunit *test)
{
	struct kalloc_track *t = kt_test_tracker(test, "kunit");
	gfp_t gfp;
	void *p;

	/* A fresh tracker per case: its pool is empty, a record is allocated. */
	p = kalloc_track_add(t, "accounted", 32,
			     GFP_KERNEL_ACCOUNT | __GFP_ZERO | __GFP_DMA);
	KUNIT_ASSERT_NOT_NULL(test, p);
	gfp = kt_fault()->record_gfp;
	KUNIT_EXPECT_TRUE(test, gfp & __GFP_ACCOUNT);
	KUNIT_EXPECT_FALSE(test, gfp & (__GFP_ZERO | __GFP_DMA));
	KUNIT_EXPECT_TRUE(test, (gfp & GFP_KERNEL) == GFP_KERNEL);
	kalloc_track_release(t, &p);

	t = kt_test_tracker(test, "kunit-2");
	p = kalloc_track_add(t, "nolockdep", 32, GFP_KERNEL | __GFP_NOLOCKDEP);
	KUNIT_ASSERT_NOT_NULL(test, p);
	if (IS_ENABLED(CONFIG_LOCKDEP))	/* else __GFP_NOLOCKDEP is 0 */
		KUNIT_EXPECT_TRUE(test, kt_fault()->record_gfp & __GFP_NOLOCKDEP);
	KUNIT_EXPECT_FALSE(test, kt_fault()->record_gfp & __GFP_ACCOUNT);
	kalloc_track_release(t, &p);

	t = kt_test_tracker(test, "kunit-3");
	p = kalloc_track_add(t, "atomic", 32, GFP_ATOMIC);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_FALSE(test, gfpflags_allow_blocking(kt_fault()->record_gfp));
	kalloc_track_release(t, &p);
}

/* Tables refused, only ever counted by the test's own task. */
static unsigned int kt_fake_tables;

static struct kt_bucket *kt_fake_alloc_table(unsigned int bits, gfp_t gfp)
{
	kt_fake_tables++;
	return NULL;
}

static unsigned int kt_min_bits(struct kalloc_track *t)
{
	unsigned int i, bits = KT_MAX_BITS;

	for (i = 0; i < kt_test_nr_shards(t); i++)
		bits = min_t(unsigned int, bits, kt_test_shards(t)[i].bits);
	return bits;
}

static unsigned int kt_max_bits(struct kalloc_track *t)
{
	unsigned int i, bits = 0;

	for (i = 0; i < kt_test_nr_shards(t); i++)
		bits = max_t(unsigned int, bits, kt_test_shards(t)[i].bits);
	return bits;
}

/*
 * A table that cannot be allocated leaves the chains longer and the
 * tracker working; the next resize succeeds. Adds made in atomic context
 * that cannot allocate the table hand the resize to the deferred work.
 */
static void kalloc_track_table_alloc_fails(struct kunit *test)
{
	struct kalloc_track *t = kt_test_tracker(test, "kunit");
	unsigned int bits[1 << KT_MAX_SHARD_BITS], refused;
	void **p;
	int i, n = 4 << KT_FIRST_BITS;

	p = kunit_kcalloc(test, n, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	/* One shard, so that the adds outgrow its first table. */
	kt_test_one_shard(test);
	/* Run the resize here, where the stub applies, not in an add. */
	for (i = 0; i < n; i++) {
		p[i] = kalloc_track_add(t, "chain", 24, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
		if (!i)
			kt_test_block_growth(t);
	}
	KUNIT_ASSERT_EQ(test, kt_test_nr_shards(t), 1);
	KUNIT_EXPECT_GT(test, kt_stats(test, t).live, 1UL << kt_max_bits(t));

	kunit_activate_static_stub(test, kt_alloc_table, kt_fake_alloc_table);
	kt_resize(t);
	KUNIT_EXPECT_EQ(test, kt_max_bits(t), KT_FIRST_BITS);
	KUNIT_EXPECT_FALSE(test, kt_test_any_resizing(t));
	for (i = 0; i < n; i += 2)
		KUNIT_EXPECT_EQ(test, kalloc_track_release(t, &p[i]), 0);

	/* An atomic add finds the table full and cannot allocate one. */
	refused = kt_fake_tables;
	for (i = 0; i < n; i += 2) {
		p[i] = kalloc_track_add(t, "atomic", 24, GFP_ATOMIC);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	KUNIT_EXPECT_GT(test, kt_fake_tables, refused);
	kunit_deactivate_static_stub(test, kt_alloc_table);
	/* The deferred work grew it. */
	kt_test_wait_resize(t);
	KUNIT_EXPECT_FALSE(test, kt_test_any_resizing(t));
	KUNIT_EXPECT_TRUE(test, kt_test_load_bounded(test, t));

	/* A resize asked for by hand grows every shard by exactly one step. */
	for (i = 0; i < kt_test_nr_shards(t); i++)
		bits[i] = kt_test_shards(t)[i].bits;
	kt_test_block_growth(t);
	kt_resize(t);
	for (i = 0; i < kt_test_nr_shards(t); i++)
		KUNIT_EXPECT_EQ_MSG(test, kt_test_shards(t)[i].bits,
				    kt_grow_bits(bits[i]), "shard %d", i);
	KUNIT_EXPECT_GT(test, kt_min_bits(t), KT_FIRST_BITS);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, kalloc_track_release(t, &p[i]), 0);
	KUNIT_EXPECT_EQ(test, kt_stats(test, t).live, 0);
	KUNIT_EXPECT_EQ(test, kt_stats(test, t).failed, 0);
	KUNIT_EXPECT_EQ(test, kalloc_track_destroy(t), 0);
	KUNIT_EXPECT_EQ(test, kt_fault()->records, 0);
}

static struct kunit_case kalloc_track_faults_cases[] = {
	KUNIT_CASE(kalloc_track_add_record_alloc_fails),
	KUNIT_CASE(kalloc_track_add_payload_alloc_fails),
	KUNIT_CASE(kalloc_track_add_refused_frees_both),
	KUNIT_CASE(kalloc_track_table_alloc_fails),
	KUNIT_CASE(kalloc_track_metadata_gfp),
	{}
};

static struct kunit_suite kalloc_track_faults_suite = {
	.name = "kalloc_track_faults",
	.init = kt_fault_init,
	.test_cases = kalloc_track_faults_cases,
};

kunit_test_suites(&kalloc_track_suite, &kalloc_track_misuse_suite,
		  &kalloc_track_faults_suite);

MODULE_DESCRIPTION("KUnit tests for kalloc_track");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
