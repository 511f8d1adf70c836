/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kalloc_track internals shared by core.c and the KUnit tests.
 */
#ifndef _LIB_KALLOC_TRACK_INTERNAL_H
#define _LIB_KALLOC_TRACK_INTERNAL_H

#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/cache.h>
#include <linux/hash.h>
#include <linux/jump_label.h>
#include <linux/kalloc_track.h>
#include <linux/limits.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>
#include <linux/stackdepot.h>
#include <linux/types.h>

#include <asm/page.h>

/*
 * A KUnit static stub of ours, compiled in only when this library's own
 * tests are built, not whenever KUnit is: while any KUnit test runs, the
 * redirect looks for a stub on every call of a stubbed function, which a
 * kernel that runs other suites (or the benchmark, a KUnit suite itself)
 * would pay on every add, and it keeps the payload's allocation out of
 * line. Tests that stub need CONFIG_KALLOC_TRACK_KUNIT_TEST. Only in
 * task context: an interrupt that comes while a test runs finds the
 * test as current, and KUnit's lookup of its stubs takes a spinlock_t,
 * which must not be taken in hard interrupt context; nor is a test's
 * stub meant for an interrupt's call.
 */
#if IS_ENABLED(CONFIG_KALLOC_TRACK_KUNIT_TEST)
#include <kunit/static_stub.h>
#define KT_STUB_REDIRECT(...)						\
do {									\
	if (in_task())							\
		KUNIT_STATIC_STUB_REDIRECT(__VA_ARGS__);		\
} while (0)
#else
#define KT_STUB_REDIRECT(...)	do { } while (0)
#endif

/*
 * One live allocation. Records live in their own slab cache, apart from
 * the payload, so that the payload keeps kmalloc()'s alignment and size
 * class and a record is found from the payload's address alone.
 *
 * Chains are singly linked, as rhashtable's: a lookup walks the chain
 * anyway and knows the link to unhook, so an add or a release writes
 * only the bucket, the record itself, and at most the record the lookup
 * walked just before it, never one that may be cold.
 */
struct kt_record {
	struct kt_record *next;		/* in a bucket, the pool or a list */
	unsigned long addr;		/* the payload */
	const char *name;
	unsigned long caller;		/* return address of the add */
	u32 size;			/* at most KMALLOC_MAX_SIZE */
	gfp_t gfp;
	u32 stamp;			/* jiffies at the add, truncated */
	depot_stack_handle_t stack;	/* of the add, 0 without stacks */
};

/*
 * 48 bytes; with the table (one pointer per bucket, at most one record
 * per bucket on average), 56 to 64 bytes of metadata per live allocation.
 */
static_assert(sizeof(struct kt_record) <= 48 || !IS_ENABLED(CONFIG_64BIT));
static_assert(KMALLOC_MAX_SIZE <= U32_MAX);
static_assert(sizeof(depot_stack_handle_t) == sizeof(u32));

/* One chain of a shard's table. */
struct kt_bucket {
	struct kt_record *first;
};

/* log2 of the buckets of a tracker's first table. */
#define KT_FIRST_BITS		3

/*
 * One shard of a tracker: the records whose payload lies in the pages
 * that hash to it, with their own lock, table, record pool, accounting
 * and release history. A tracker has one shard per CPU or so, allocated
 * at its first add; with one CPU, one shard.
 *
 * @lock protects every field. Only the owner of an old table migrates it
 * (under the lock), and only kt_grow() or the deferred work install a
 * new table, once ->resizing is theirs.
 */
struct kalloc_track_shard {
	spinlock_t lock;		/* protects the fields below @salt */
	/*
	 * The same in every shard of a tracker, and never changed once the
	 * shards are published: kept here rather than in the tracker, so
	 * that a reader who got the shards through rcu_dereference() sees
	 * them, ordered by the address dependency.
	 */
	u8 set_bits;			/* log2 of the tracker's shards */
	u32 salt;			/* of the shard and bucket hashes */
	u8 bits;			/* log2 of the buckets of @table */
	u8 old_bits;
	bool resizing;			/* a new table is being allocated */
	unsigned int migrated;		/* buckets of @old_table moved */
	unsigned int pooled;		/* records in @pool */
	struct kt_bucket *table;
	struct kt_bucket *old_table;	/* being moved into @table, or NULL */
	struct kt_record *pool;		/* released records, for the next adds */
	unsigned long live;
	u64 adds;
	u64 releases;
	unsigned long history_next;
	struct kalloc_track_freed history[KALLOC_TRACK_HISTORY];
	struct kt_bucket first[1 << KT_FIRST_BITS];
} ____cacheline_aligned_in_smp;

/* Records kept per shard for the next adds. */
#define KT_POOL_MAX		16
/* Most shards per tracker, and shards per possible CPU. */
#define KT_MAX_SHARD_BITS	5
#define KT_SHARDS_PER_CPU	8

/* Leaks printed one by one at destroy; the rest are counted. */
#define KT_LEAKS_PRINTED	32
/* Distinct allocation sites whose leaks are grouped at destroy. */
#define KT_LEAK_SITES		16
/* Frames kept per stack trace. */
#define KT_STACK_DEPTH		16

/* Longest line of a report, as built by the kt_format_*() functions. */
#define KT_REPORT_LEN		256

/* The layout of a table, in grains and regions: see kt_bucket_index(). */
#define KT_GRAIN_SHIFT		3
#define KT_REGION_BITS		(PAGE_SHIFT - KT_GRAIN_SHIFT)

/* Largest table: 4M buckets. */
#define KT_MAX_BITS		22
/* Buckets of an old table moved per add and per release while it grows. */
#define KT_MIGRATE_STEP		4

/* What a tracker asks the deferred work for, in ->pending. */
#define KT_WANT_DEBUGFS		BIT(0)
#define KT_WANT_RESIZE		BIT(1)

/* Report levels, for kt_report_line(). */
enum kt_level { KT_ERR, KT_WARN };

/*
 * The shards of @t, for a caller that keeps them from being freed by
 * other means than rcu_read_lock(), which @held says (for lockdep): the
 * deferred work's claim, destroy itself, an open debugfs file (destroy
 * removes the files, waiting for their readers, before it frees the
 * shards), or a test that owns @t.
 */
#define kt_shards_held(t, held)	rcu_dereference_protected((t)->shards, held)

/* How many shards @shards, a tracker's set, has. */
static inline unsigned int kt_nr_shards(const struct kalloc_track_shard *shards)
{
	return 1U << shards[0].set_bits;
}

/*
 * Where an address goes. The shard is picked by page, not by object:
 * objects that one CPU allocates come from the same slab pages, so that
 * CPUs allocating and freeing at the same time mostly use different
 * shards and do not bounce each other's cache lines. Each tracker salts
 * the page hash with its own random value, so that two busy pages that
 * happen to share a shard do so in one tracker, not in all of them. In
 * the shard's table, see kt_bucket_index().
 */
static inline unsigned int kt_shard_index(const struct kalloc_track_shard *shards,
					  unsigned long addr)
{
	if (!shards[0].set_bits)
		return 0;
	return hash_32((u32)(addr >> PAGE_SHIFT) ^ shards[0].salt,
		       shards[0].set_bits);
}

struct dentry;
struct module;
struct seq_file;

/* core.c */
void *kt_add(struct kalloc_track *t, const char *name, size_t size,
	     gfp_t gfp, unsigned long caller, bool name_known);
int kt_release(struct kalloc_track *t, const void *p, unsigned long ip);
void kt_free_record(struct kt_record *rec);
void kt_migrate_all(struct kalloc_track *t);

/* report.c: stacks, reports and the text of the debugfs files. */
DECLARE_STATIC_KEY_FALSE(kt_stacks_enabled);
DECLARE_STATIC_KEY_FALSE(kt_release_stacks_enabled);
depot_stack_handle_t kt_save_stack(unsigned long site, gfp_t gfp,
				   bool release);
void kt_stack_cache_flush(void);
bool kt_stack_kept(depot_stack_handle_t stack);

/* Set in a stack handle when it was kept from an earlier add or release. */
#define KT_STACK_KEPT		BIT(0)
/* The line before a kept stack's frames in the debugfs listing. */
#define KT_KEPT_ADD_LINE	"  # kept from an earlier add at that site and depth"
static_assert(!(KT_STACK_KEPT >> STACK_DEPOT_EXTRA_BITS));

int kt_stacks_setup(void);
int kt_format_leak(char *buf, size_t len, const struct kalloc_track *t,
		   const struct kt_record *rec, unsigned long now);
int kt_format_double_free(char *buf, size_t len,
			  const struct kalloc_track *t,
			  const struct kalloc_track_freed *h,
			  unsigned long ip);
void kt_report_line(enum kt_level level, const char *line);
__printf(2, 3) void kt_report(enum kt_level level, const char *fmt, ...);
__printf(2, 3) void kt_report_ratelimited(enum kt_level level,
					  const char *fmt, ...);

/*
 * A report line about @t, which starts with its owner's name. The name
 * is read under RCU: the unload of a module it lives in redirects it
 * (see kt_module_going()), and the module's memory goes only after a
 * grace period. That holds while @t is set up; a destroyed tracker's
 * owner is not redirected, and must outlive it (see kalloc_track_init()).
 */
#define __kt_treport(report, level, t, fmt, ...)			\
do {									\
	rcu_read_lock();						\
	report(level, "%s: " fmt, READ_ONCE((t)->owner), ##__VA_ARGS__); \
	rcu_read_unlock();						\
} while (0)
#define kt_treport(level, t, fmt, ...)					\
	__kt_treport(kt_report, level, t, fmt, ##__VA_ARGS__)
#define kt_treport_ratelimited(level, t, fmt, ...)			\
	__kt_treport(kt_report_ratelimited, level, t, fmt, ##__VA_ARGS__)
void kt_report_leak(const struct kalloc_track *t,
		    const struct kt_record *rec, unsigned long now);
void kt_report_leak_site(const struct kalloc_track *t,
			 depot_stack_handle_t stack, unsigned int n,
			 size_t bytes);
unsigned int kt_report_leaks(const struct kalloc_track *t,
			     struct kt_record **leaked, size_t *bytes);
void kt_report_double_free(const struct kalloc_track *t,
			   const struct kalloc_track_freed *h,
			   unsigned long ip);
void kt_show_stats(struct seq_file *m, struct kalloc_track *t);

/* Rows of the "allocations" listing copied per lock hold. */
#define KT_ROWS_BATCH		16

/* One live allocation, as copied out for the "allocations" listing. */
struct kt_row {
	char name[KALLOC_TRACK_NAME_MAX + 1];	/* a copy: see kt_listing_fill() */
	size_t size;
	unsigned long caller;
	u32 stamp;
	gfp_t gfp;
	depot_stack_handle_t stack;
};

/*
 * A listing of the "allocations" file in progress (seq_file private
 * data). Rows are copied out of the tables KT_ROWS_BATCH at a time under
 * each shard's lock, and formatted with the lock released.
 */
struct kt_listing {
	struct kalloc_track *t;
	struct kalloc_track_shard *shards;	/* the shards being listed */
	struct kt_bucket *table;	/* the table of @shard being listed */
	unsigned int bits;
	unsigned int shard;		/* shard being listed */
	unsigned int bucket;		/* next bucket to copy from */
	unsigned int skip;		/* rows of @bucket already copied */
	unsigned int n;			/* rows in @row */
	unsigned int i;			/* next row of @row to show */
	loff_t pos;			/* seq_file position of row @i */
	unsigned long now;
	bool resized;			/* the table changed under the listing */
	bool done;			/* the end was reached */
	struct kt_row row[KT_ROWS_BATCH];
};

/* The end-of-listing line when the table changed, for ->show(). */
#define KT_RESIZED_TOKEN	((void *)2)

extern const struct seq_operations kt_allocations_seq_ops;
void kt_show_allocations(struct seq_file *m, struct kalloc_track *t);

/* A stack trace of an add from @site, when stacks are on; free when off. */
static inline depot_stack_handle_t kt_stack(unsigned long site, gfp_t gfp)
{
	if (static_branch_unlikely(&kt_stacks_enabled))
		return kt_save_stack(site, gfp, false);
	return 0;
}

/* A stack trace of a release from @site, at kalloc_track.stacks=2 only. */
static inline depot_stack_handle_t kt_release_stack(unsigned long site,
						    gfp_t gfp)
{
	if (static_branch_unlikely(&kt_release_stacks_enabled))
		return kt_save_stack(site, gfp, true);
	return 0;
}

/* debugfs.c, called by the deferred work and by destroy */
void kt_debugfs_create(struct kalloc_track *t);
void kt_debugfs_remove(struct kalloc_track *t);
void kt_debugfs_orphan(struct dentry *dir);

#if IS_ENABLED(CONFIG_KUNIT)
void kt_flush_work(void);
long kt_bad_tracker_count(void);
bool kt_tracker_listed(const struct kalloc_track *t);
bool kt_stacks_active(void);
int kt_stacks_apply(int level);
int kt_stacks_level(void);
struct kt_record *kt_alloc_record(gfp_t gfp);
void kt_resize(struct kalloc_track *t);
bool kt_grow(struct kalloc_track *t, unsigned int i, unsigned int bits,
	     gfp_t gfp);
void kt_register(struct kalloc_track *t);
unsigned int kt_grow_bits(unsigned int bits);
void *kt_alloc_payload(size_t size, gfp_t gfp, unsigned long caller);
struct kt_bucket *kt_alloc_table(unsigned int bits, gfp_t gfp);
struct kalloc_track_shard *kt_alloc_shards(unsigned int n, gfp_t gfp);
unsigned int kt_shard_bits(void);
int kt_module_going(struct module *mod);
void kt_walk_pause(struct kalloc_track *t);
#ifdef CONFIG_KALLOC_TRACK_DEBUG_OBJECTS
#include <linux/debugobjects.h>
bool kt_debug_fixup_free(void *addr, enum debug_obj_state state);
#endif
depot_stack_handle_t kt_unwind(unsigned long site, gfp_t gfp, bool *found);
bool kt_stack_cacheable(void);
bool kt_stack_reuse_apply(bool on);
bool kt_site_cacheable(unsigned long site);
void kt_report_ratelimit_reset(void);
#endif

#endif /* _LIB_KALLOC_TRACK_INTERNAL_H */
