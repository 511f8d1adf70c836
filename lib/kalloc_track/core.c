// SPDX-License-Identifier: GPL-2.0
/*
 * kalloc_track - owner-scoped tracked allocations
 *
 * Each live allocation has a record in its tracker's hash table, keyed by
 * the payload's address. A release looks the address up in the table and
 * never reads the payload, so a double, invalid or wrong-owner free is
 * told apart without touching memory that may already be free:
 *
 * - found in the table: released;
 * - found among the tracker's last KALLOC_TRACK_HISTORY releases: double
 *   free;
 * - found in another tracker's table: wrong owner;
 * - otherwise: invalid free.
 *
 * Only the first case is on the fast path. It takes the lock of one of
 * the tracker's shards (picked by the address's page) once per add and
 * once per release, and needs no slab operation for the record in the
 * steady state: released records are kept in a small pool for the next
 * adds.
 *
 * A shard's table doubles when it holds more records than buckets. The
 * add that finds it full allocates the new table itself when its GFP
 * flags allow (deferred work does it otherwise), and every later add and
 * release moves KT_MIGRATE_STEP buckets of the old table into the new
 * one, so that chains stay short whether or not deferred work ever gets
 * to run: an owner that allocates in a tight loop on one CPU keeps O(1)
 * adds and releases.
 *
 * A tracker is debugging infrastructure, so whatever a buggy caller does
 * with it (a NULL or zeroed tracker, a second init of a live one, an add
 * racing with destroy, a module unloaded with its tracker still set up)
 * is refused with an error code, a counter and one line, never a crash.
 */

#define pr_fmt(fmt) "kalloc_track: " fmt

#include <kunit/visibility.h>
#include <linux/atomic.h>
#include <linux/debugobjects.h>
#include <linux/init.h>
#include <linux/jhash.h>
#include <linux/jiffies.h>
#include <linux/kalloc_track.h>
#include <linux/kmemleak.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/overflow.h>
#include <linux/printk.h>
#include <linux/random.h>
#include <linux/rculist.h>
#include <linux/rwsem.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/wait_bit.h>
#include <linux/workqueue.h>

#include "internal.h"

/* Grow a table by this many bits once it holds more records than buckets. */
#define KT_GROW_BITS		1
/* Buckets moved per lock hold while a table grows. */
#define KT_MIGRATE_BATCH	64

/*
 * GFP bits that apply to our own metadata: how hard to try and whom to
 * charge, not where the memory comes from or what it holds (__GFP_DMA
 * and __GFP_ZERO are for the payload only).
 *
 * - __GFP_ACCOUNT: a record exists only because of the caller's add, so
 *   it is charged to the same memory cgroup as the payload; otherwise a
 *   container could pin 64 bytes of unaccounted memory per allocation.
 * - __GFP_NOLOCKDEP: the caller told lockdep that reclaim from this
 *   allocation cannot deadlock; the record is allocated in the same
 *   context, so the same holds for it.
 */
#define KT_META_GFP	(__GFP_HIGH | __GFP_IO | __GFP_FS | __GFP_RECLAIM | \
			 __GFP_NOWARN | __GFP_RETRY_MAYFAIL | __GFP_NOFAIL | \
			 __GFP_NORETRY | __GFP_MEMALLOC | __GFP_NOMEMALLOC | \
			 __GFP_ACCOUNT | __GFP_NOLOCKDEP)

/* Bits of an add's GFP flags that its tables are not allocated with. */
#define KT_SHARED_GFP_DROP	(__GFP_ACCOUNT | __GFP_HIGH | __GFP_MEMALLOC | \
				 __GFP_NOFAIL)

/* GFP bits that slab rejects (GFP_SLAB_BUG_MASK in mm/internal.h). */
#define KT_BAD_GFP	(__GFP_DMA32 | __GFP_HIGHMEM | ~__GFP_BITS_MASK)

static_assert((KALLOC_TRACK_HISTORY & (KALLOC_TRACK_HISTORY - 1)) == 0);
static_assert(KT_FIRST_BITS < KT_MAX_BITS);
static_assert(KT_MAX_BITS < 32);

/*
 * Records are hidden from kmemleak (kmemleak_ignore()): they are neither
 * scanned, so that the pointer a record holds does not keep its payload
 * "referenced" and kmemleak still reports a payload whose owner lost
 * every pointer to it, nor reported themselves, as a record that only a
 * chain or the pool points to would be. SLAB_NOLEAKTRACE would do that
 * too, but would also hide the records from /proc/allocinfo.
 */
static struct kmem_cache *kt_record_cache;

/*
 * All trackers that have been used, so that a release that misses its
 * own tracker can tell a wrong-owner free from an invalid one.
 *
 * Readers walk the list under RCU, one tracker lock at a time, so that a
 * stream of bad releases never holds a global lock or keeps interrupts
 * off for longer than one lookup; the unload of a module walks it under
 * kt_names_rwsem and this lock instead (see kt_module_going()).
 * kt_trackers_lock serialises writers and protects every tracker's
 * ->listed and ->pending; it is taken with interrupts disabled and nests
 * outside tracker and shard locks. kt_debug_fixup_free() takes it from
 * within kfree() and vfree(): nothing may free memory while it holds a
 * tracker's or a shard's lock.
 * kalloc_track_destroy() waits for an RCU grace period after unlisting,
 * so that a reader never sees a tracker its owner has freed (but for one
 * freed without destroy, which kt_debug_fixup_free() unlists as its
 * memory goes, with no grace period).
 */
static LIST_HEAD(kt_trackers);
static DEFINE_SPINLOCK(kt_trackers_lock);

/*
 * Where the unload's walk of the list is (see kt_module_going()), under
 * kt_trackers_lock. A tracker may leave the list other than through its
 * destroy: kt_debug_fixup_free() unlists one whose memory is being freed
 * in use, and cannot wait for anyone. The walk sleeps between trackers
 * and batches, so it looks at a tracker only under kt_trackers_lock and
 * while it is still the one here; the fix-up moves this on when it
 * unlists that very tracker. A tracker is told by its address: if one
 * freed under the walk had its memory reused for a new tracker, and the
 * fix-up then unlisted every tracker up to that new one, the walk would
 * take it for the old one and redirect only part of it. That takes
 * several trackers freed in use, each an ODEBUG report, during one
 * unload.
 */
static struct kalloc_track *kt_walk_pos;

/* The tracker after @t on the list, or NULL; under kt_trackers_lock. */
static inline struct kalloc_track *kt_list_next(struct kalloc_track *t)
{
	lockdep_assert_held(&kt_trackers_lock);
	return list_is_last(&t->node, &kt_trackers) ? NULL :
		list_next_entry(t, node);
}

/*
 * Take @t, a listed tracker, off the list: by its destroy, or by the
 * ODEBUG fix-up as its memory is freed. The unload's walk, if it is at
 * @t, goes on from the next one.
 */
static void kt_unlist_locked(struct kalloc_track *t)
{
	lockdep_assert_held(&kt_trackers_lock);
	if (kt_walk_pos == t)
		kt_walk_pos = kt_list_next(t);
	list_del_rcu(&t->node);
	WRITE_ONCE(t->listed, false);
	t->pending = 0;
}

/*
 * Names are not copied, and the unload of a module redirects those of
 * its strings that listed trackers point to (see kt_module_going()),
 * trackers being destroyed included. A destroy unlists its tracker and
 * then reports its leaks by name, so it holds this for reading from
 * before it unlists the tracker until its reports are out, and
 * kt_module_going() holds it for writing while it redirects: a module
 * cannot go while a destroy that the redirecting would miss still reads
 * names. A destroy waits for the work and for debugfs readers before it
 * takes this, so that an unload, and the destroys queued behind the
 * unload, do not wait for those (but for the destroys, under way, of
 * the trackers that live in the module being unloaded).
 */
static DECLARE_RWSEM(kt_names_rwsem);

/* Calls on a NULL or never initialised tracker, which have no counters. */
static atomic_long_t kt_bad_trackers = ATOMIC_LONG_INIT(0);

/*
 * Every internal allocation goes through one of these helpers, so that
 * the tests can fail each one deterministically with a static stub.
 */
VISIBLE_IF_KUNIT struct kt_record *kt_alloc_record(gfp_t gfp)
{
	struct kt_record *rec;

	KT_STUB_REDIRECT(kt_alloc_record, gfp);
	if (unlikely(!kt_record_cache))
		return NULL;
	rec = kmem_cache_alloc(kt_record_cache, gfp);
	if (rec)
		kmemleak_ignore(rec);
	return rec;
}
EXPORT_SYMBOL_IF_KUNIT(kt_alloc_record);

void kt_free_record(struct kt_record *rec)
{
	KT_STUB_REDIRECT(kt_free_record, rec);
	kmem_cache_free(kt_record_cache, rec);
}
EXPORT_SYMBOL_IF_KUNIT(kt_free_record);

VISIBLE_IF_KUNIT void *kt_alloc_payload(size_t size, gfp_t gfp,
					unsigned long caller)
{
	KT_STUB_REDIRECT(kt_alloc_payload, size, gfp, caller);
	/* _noprof: /proc/allocinfo charges the tag of our caller's site. */
	return kmalloc_node_track_caller_noprof(size, gfp, NUMA_NO_NODE,
						caller);
}
EXPORT_SYMBOL_IF_KUNIT(kt_alloc_payload);

VISIBLE_IF_KUNIT struct kt_bucket *kt_alloc_table(unsigned int bits,
						  gfp_t gfp)
{
	KT_STUB_REDIRECT(kt_alloc_table, bits, gfp);
	/*
	 * A failure only leaves chains longer: no warning, no retrying, no
	 * reserves. A table serves every user of the tracker, so it is not
	 * charged to the memory cgroup of the one whose add grew it.
	 */
	gfp = (gfp & KT_META_GFP & ~KT_SHARED_GFP_DROP) | __GFP_NOWARN;
	if (gfpflags_allow_blocking(gfp))
		return kvzalloc_objs(struct kt_bucket, 1U << bits, gfp);
	/* Not vmalloc() from atomic context, which may be a hard irq. */
	return kzalloc_objs(struct kt_bucket, 1U << bits, gfp);
}
EXPORT_SYMBOL_IF_KUNIT(kt_alloc_table);

/* @n shards, zeroed, for a tracker's first add. */
VISIBLE_IF_KUNIT struct kalloc_track_shard *kt_alloc_shards(unsigned int n,
							    gfp_t gfp)
{
	KT_STUB_REDIRECT(kt_alloc_shards, n, gfp);
	/*
	 * As kt_alloc_table(), except that the add waits for it: it keeps
	 * its caller's __GFP_HIGH and __GFP_NOFAIL, but not the emergency
	 * reserves, for up to 30 KiB of debugging metadata. Several pages
	 * with many CPUs, so no warning: the add fails and is counted.
	 */
	gfp = (gfp & ~(__GFP_ACCOUNT | __GFP_MEMALLOC)) | __GFP_NOWARN;
	if (gfpflags_allow_blocking(gfp))
		return kvzalloc_objs(struct kalloc_track_shard, n, gfp);
	/* The page allocator refuses __GFP_NOFAIL above order 1 here. */
	return kzalloc_objs(struct kalloc_track_shard, n, gfp & ~__GFP_NOFAIL);
}
EXPORT_SYMBOL_IF_KUNIT(kt_alloc_shards);

/*
 * Free a table that is no longer in use. May be called in any context
 * but NMI, with interrupts on or off: a vmalloc()ed table is handed to
 * vfree_atomic(), which frees it from a work item.
 */
static void kt_free_table(struct kt_bucket *table)
{
	if (!table)
		return;
	if (is_vmalloc_addr(table))
		vfree_atomic(table);
	else
		kfree(table);
}

#if IS_ENABLED(CONFIG_KUNIT)
/* Calls refused so far because the tracker was NULL or not set up. */
long kt_bad_tracker_count(void)
{
	return atomic_long_read(&kt_bad_trackers);
}
EXPORT_SYMBOL_IF_KUNIT(kt_bad_tracker_count);

#endif

/*
 * Whether @t can be used at all: not NULL, and set up by
 * kalloc_track_init() or KALLOC_TRACK_INIT(). A zeroed tracker has no
 * owner, and its lock may not be a valid one, so it is refused before
 * anything in it is touched.
 */
static bool kt_usable(const struct kalloc_track *t, const char *what,
		      unsigned long ip)
{
	if (likely(t && READ_ONCE(t->owner)))
		return true;
	atomic_long_inc(&kt_bad_trackers);
	kt_report_ratelimited(KT_ERR, "%s from %pS refused: %s tracker", what,
			      (void *)ip, t ? "uninitialised" : "NULL");
	return false;
}

/*
 * The bucket of @addr in a table of 2^@bits buckets of shard @s. The
 * address space is cut into grains of 8 bytes, and into regions of
 * PAGE_SIZE / 8 grains (fewer in a table of fewer buckets); a region is
 * laid onto the table in address order, one bucket per grain, at an
 * offset hashed from the region: a region's grains take distinct
 * buckets (no two kmalloc() objects share a grain), and each region is
 * placed on its own. The offset is a jhash of the region number, seeded
 * with the tracker's salt, as rhashtable seeds its own: a multiplicative
 * hash such as hash_long() gives consecutive regions offsets in near
 * arithmetic progression, which for some object sizes put the objects of
 * several regions in the same buckets.
 *
 * The objects of a slab page therefore have their buckets in one run of
 * the table, in address order: a FIFO or a scan stays in that run for a
 * page's worth of objects, which the cache prefetches (or, with
 * CONFIG_SLAB_FREELIST_RANDOM, at least keeps), rather than one cold
 * line per operation as a hash of the whole address gives. The cost is
 * spread: a region's objects land together, so with few pages live
 * chain lengths vary more than with a hash of each address. Smaller
 * regions vary less but cut the runs short: with 512-byte regions, FIFO
 * at 262,144 live cost 6.97x raw in make bench, against 5.55x with
 * pages. A small table is in the cache anyway.
 *
 * A page-aligned address is laid out the same way in grains of a page
 * (so in regions of PAGE_SIZE / 8 pages). Objects of a page or more are
 * page-aligned: kmalloc() caches of a page or more are powers of two,
 * aligned to their size, and larger sizes come from the page allocator.
 * With 8-byte grains each would be alone in its region, at a random
 * bucket, one cold line per operation again (FIFO of 4 KiB objects at
 * 262,144 live cost 6.6x to 8.8x raw in make bench, with one shard); in
 * grains of a page, the objects of a slab of consecutive pages take
 * consecutive buckets (2.8x to 3.4x, with one shard). Shards are still
 * picked by page, so with several a table sees only some of a slab's
 * pages and the runs have gaps. Regions of 64 pages, which place more
 * regions and so vary chain lengths less, cost 3.7x to 4.5x: the runs
 * are shorter. Of objects of 512 bytes to 2 KiB, one in 8 to one in 2
 * starts a page and takes this layout; the others take the first. The
 * layout is read off the address alone, as a release must, and is part
 * of the hash, so that the two are placed independently of each other.
 */
static_assert(KMALLOC_MIN_SIZE >= 1 << KT_GRAIN_SHIFT);

static __always_inline unsigned int
kt_grain_index(u32 salt, unsigned long grain, unsigned int shift,
	       unsigned int bits)
{
	u64 region = grain >> min(bits, KT_REGION_BITS);

	return (jhash_3words(lower_32_bits(region), upper_32_bits(region),
			     shift, salt) + grain) & ((1U << bits) - 1);
}

static inline unsigned int kt_bucket_index(const struct kalloc_track_shard *s,
					   unsigned long addr,
					   unsigned int bits)
{
	if (likely(offset_in_page(addr)))
		return kt_grain_index(s->salt, addr >> KT_GRAIN_SHIFT,
				      KT_GRAIN_SHIFT, bits);
	return kt_grain_index(s->salt, addr >> PAGE_SHIFT, PAGE_SHIFT, bits);
}

/* The bucket of @addr in @s's current table. */
static inline struct kt_bucket *kt_bucket(const struct kalloc_track_shard *s,
					  unsigned long addr)
{
	return &s->table[kt_bucket_index(s, addr, s->bits)];
}

/* The link to @addr's record in @b, or to the NULL that ends the chain. */
static inline struct kt_record **kt_chain_find(struct kt_bucket *b,
					       unsigned long addr)
{
	struct kt_record **link = &b->first;

	while (*link && (*link)->addr != addr)
		link = &(*link)->next;
	return link;
}

static inline void kt_chain_add(struct kt_bucket *b, struct kt_record *rec)
{
	rec->next = b->first;
	b->first = rec;
}

/*
 * The link that points to @addr's record, in the table or in the part
 * of the old table not yet migrated; NULL if @addr has none.
 */
static struct kt_record **kt_lookup_locked(struct kalloc_track_shard *s,
					   unsigned long addr)
{
	struct kt_record **link;
	unsigned int i;

	lockdep_assert_held(&s->lock);

	link = kt_chain_find(kt_bucket(s, addr), addr);
	if (*link)
		return link;
	if (!s->old_table)
		return NULL;
	i = kt_bucket_index(s, addr, s->old_bits);
	if (i < s->migrated)
		return NULL;
	link = kt_chain_find(&s->old_table[i], addr);
	return *link ? link : NULL;
}

static const struct kalloc_track_freed *
kt_history_lookup_locked(struct kalloc_track_shard *s, unsigned long addr)
{
	unsigned int i, slot;

	lockdep_assert_held(&s->lock);

	/* Newest first, so that the report names the latest release. */
	for (i = 1; i <= KALLOC_TRACK_HISTORY; i++) {
		slot = (s->history_next - i) & (KALLOC_TRACK_HISTORY - 1);
		if (s->history[slot].addr == addr)
			return &s->history[slot];
	}
	return NULL;
}

static bool kt_needs_grow_locked(struct kalloc_track_shard *s)
{
	lockdep_assert_held(&s->lock);
	return s->live > (1UL << s->bits) && s->bits < KT_MAX_BITS &&
	       !s->old_table && !s->resizing;
}

static struct kt_bucket *__kt_migrate_locked(struct kalloc_track_shard *s,
					     unsigned int n)
{
	struct kt_bucket *old = s->old_table;
	struct kt_record *rec;
	unsigned int end;

	lockdep_assert_held(&s->lock);
	end = min(1U << s->old_bits, s->migrated + n);
	for (; s->migrated < end; s->migrated++) {
		while ((rec = old[s->migrated].first)) {
			old[s->migrated].first = rec->next;
			kt_chain_add(kt_bucket(s, rec->addr), rec);
		}
	}
	if (s->migrated < 1U << s->old_bits)
		return NULL;
	s->old_table = NULL;
	/* The first table is part of the shard. */
	return old == s->first ? NULL : old;
}

/*
 * Move up to @n buckets of the old table, if there is one, into the new
 * one. Return: the old table once it is empty, for the caller to free
 * with kt_free_table() after it dropped the lock; else NULL.
 */
static inline struct kt_bucket *kt_migrate_locked(struct kalloc_track_shard *s,
						  unsigned int n)
{
	lockdep_assert_held(&s->lock);
	if (likely(!s->old_table))
		return NULL;
	return __kt_migrate_locked(s, n);
}

/* Finish the migration of @s, KT_MIGRATE_BATCH buckets per lock hold. */
static void kt_migrate_shard(struct kalloc_track_shard *s)
{
	struct kt_bucket *old;
	unsigned long flags;
	bool more;

	do {
		spin_lock_irqsave(&s->lock, flags);
		old = kt_migrate_locked(s, KT_MIGRATE_BATCH);
		more = s->old_table;
		spin_unlock_irqrestore(&s->lock, flags);
		kt_free_table(old);
		cond_resched();
	} while (more);
}

/*
 * Finish the migrations under way, for whoever wants the tables whole:
 * the deferred work, a listing, destroy. The caller keeps @t's shards
 * alive (a claim, an open debugfs file, or destroy itself).
 */
void kt_migrate_all(struct kalloc_track *t)
{
	/* Held by a claim, an open debugfs file, or destroy. */
	struct kalloc_track_shard *shards = kt_shards_held(t, true);
	unsigned int i;

	for (i = 0; shards && i < kt_nr_shards(shards); i++)
		kt_migrate_shard(&shards[i]);
}
EXPORT_SYMBOL_IF_KUNIT(kt_migrate_all);

/* Make @new of @bits the table, the current one the one migrated from. */
static void kt_install_locked(struct kalloc_track_shard *s,
			      struct kt_bucket *new, unsigned int bits)
{
	lockdep_assert_held(&s->lock);
	s->old_table = s->table;
	s->old_bits = s->bits;
	s->migrated = 0;
	s->table = new;
	s->bits = bits;
}

/* The next size of a table of @bits, never above KT_MAX_BITS. */
VISIBLE_IF_KUNIT unsigned int kt_grow_bits(unsigned int bits)
{
	return min(bits + KT_GROW_BITS, KT_MAX_BITS);
}
EXPORT_SYMBOL_IF_KUNIT(kt_grow_bits);

/*
 * Deferred work: debugfs directories (a tracker may be set up in any
 * context) and table growth (which allocates with GFP_KERNEL). One work
 * item serves every tracker; a tracker asks for it by setting bits in
 * ->pending under kt_trackers_lock.
 *
 * The work claims a tracker (->busy) while it uses it, and
 * kalloc_track_destroy() waits for the claim to go once it has marked
 * the tracker dead, which keeps the work from asking for or claiming it
 * again (the module notifier relies on kt_names_rwsem instead).
 * Nothing global is held while a tracker is handled, so a destroy waits
 * only for work on its own tracker, never for an allocation made for
 * another one.
 */
static void kt_work_fn(struct work_struct *work);
static DECLARE_WORK(kt_work, kt_work_fn);
/* Workqueues exist: set by kalloc_track_setup(), which then catches up. */
static bool kt_ready;

static void kt_queue_work(void)
{
	if (likely(READ_ONCE(kt_ready)))
		queue_work(system_dfl_wq, &kt_work);
}

static void kt_request(struct kalloc_track *t, u8 what)
{
	unsigned long flags;
	bool queue = false;

	/* Not for a tracker being destroyed: its destroy cleared ->pending. */
	spin_lock_irqsave(&kt_trackers_lock, flags);
	if (t->listed && !READ_ONCE(t->dead)) {
		t->pending |= what;
		queue = true;
	}
	spin_unlock_irqrestore(&kt_trackers_lock, flags);
	if (queue)
		kt_queue_work();
}

/* Claim the next tracker with pending work; what it asked for in @what. */
static struct kalloc_track *kt_claim_pending(u8 *what)
{
	struct kalloc_track *t, *found = NULL;
	unsigned long flags;

	spin_lock_irqsave(&kt_trackers_lock, flags);
	list_for_each_entry(t, &kt_trackers, node) {
		if (t->pending && !t->busy) {
			*what = t->pending;
			t->pending = 0;
			t->busy = true;
			found = t;
			break;
		}
	}
	spin_unlock_irqrestore(&kt_trackers_lock, flags);
	return found;
}

/*
 * Let go of a claimed tracker. A destroy may be waiting, and may free the
 * tracker as soon as ->busy is clear: nothing touches @t after that.
 */
static void kt_unclaim(struct kalloc_track *t)
{
	unsigned long flags;
	bool again;

	spin_lock_irqsave(&kt_trackers_lock, flags);
	again = t->pending;
	spin_unlock_irqrestore(&kt_trackers_lock, flags);
	store_release_wake_up(&t->busy, false);
	if (again)
		kt_queue_work();
}

/*
 * Grow the table of shard @i of @t by KT_GROW_BITS, to @bits, for an add
 * that found it full and set ->resizing. The add allocates the new table
 * itself, with its own GFP flags when they allow sleeping; otherwise, or
 * if that fails, the deferred work does. The records move over a few
 * buckets at a time as adds and releases go on (kt_migrate_locked()), so
 * that nothing here walks the table. The shards are looked up again
 * under RCU: a destroy may have freed them while this allocated.
 *
 * Return: true if the new table is in place.
 */
VISIBLE_IF_KUNIT bool kt_grow(struct kalloc_track *t, unsigned int i,
			      unsigned int bits, gfp_t gfp)
{
	struct kalloc_track_shard *shards, *s;
	struct kt_bucket *new;
	unsigned long flags;
	bool done = false;

	new = kt_alloc_table(bits, gfpflags_allow_blocking(gfp) ? gfp :
				   GFP_NOWAIT);
	rcu_read_lock();
	shards = rcu_dereference(t->shards);
	if (shards) {
		s = &shards[i];
		spin_lock_irqsave(&s->lock, flags);
		if (new && !s->old_table && bits > s->bits &&
		    !READ_ONCE(t->dead)) {
			kt_install_locked(s, new, bits);
			new = NULL;
			done = true;
		}
		if (done || READ_ONCE(t->dead))
			s->resizing = false;
		spin_unlock_irqrestore(&s->lock, flags);
	}
	rcu_read_unlock();
	kt_free_table(new);
	if (!done && shards && !READ_ONCE(t->dead))
		kt_request(t, KT_WANT_RESIZE);
	return done;
}
EXPORT_SYMBOL_IF_KUNIT(kt_grow);

/*
 * Grow, from the deferred work, every shard of @t whose add could not
 * allocate its new table (->resizing set), and finish the migrations.
 * A table that is still over its load afterwards (adds went on while it
 * waited for the work) grows again, so that the work leaves every
 * table with at most one record per bucket, as the adds would have.
 * The caller holds @t (a claim, or a test), so its shards stay.
 */
VISIBLE_IF_KUNIT void kt_resize(struct kalloc_track *t)
{
	/* Held by the work's claim, or by a test that owns @t. */
	struct kalloc_track_shard *shards = kt_shards_held(t, true), *s;
	struct kt_bucket *new;
	unsigned int i, bits;
	unsigned long flags;
	bool want, grown;

	for (i = 0; shards && i < kt_nr_shards(shards); i++) {
		s = &shards[i];
		do {
			kt_migrate_shard(s);
			spin_lock_irqsave(&s->lock, flags);
			if (kt_needs_grow_locked(s))
				s->resizing = true;
			bits = kt_grow_bits(s->bits);
			want = s->resizing;
			/* At the largest size already: nothing to allocate. */
			if (want && bits <= s->bits) {
				s->resizing = false;
				want = false;
			}
			spin_unlock_irqrestore(&s->lock, flags);
			if (!want)
				break;
			new = kt_alloc_table(bits, GFP_KERNEL);
			spin_lock_irqsave(&s->lock, flags);
			s->resizing = false;
			grown = new && !s->old_table && bits > s->bits &&
				!READ_ONCE(t->dead);
			if (grown) {
				kt_install_locked(s, new, bits);
				new = NULL;
			}
			spin_unlock_irqrestore(&s->lock, flags);
			kt_free_table(new);
		} while (grown);
		kt_migrate_shard(s);
	}
}
EXPORT_SYMBOL_IF_KUNIT(kt_resize);

static void kt_work_fn(struct work_struct *work)
{
	struct kalloc_track *t;
	u8 what;

	while ((t = kt_claim_pending(&what))) {
		if (what & KT_WANT_DEBUGFS)
			kt_debugfs_create(t);
		if (what & KT_WANT_RESIZE)
			kt_resize(t);
		kt_unclaim(t);
		cond_resched();
	}
}

#if IS_ENABLED(CONFIG_KUNIT)
/* Let a test see the effect of the deferred work it just caused. */
void kt_flush_work(void)
{
	flush_work(&kt_work);
}
EXPORT_SYMBOL_IF_KUNIT(kt_flush_work);
#endif

#ifdef CONFIG_KALLOC_TRACK_DEBUG_OBJECTS
/*
 * A listed tracker is an active debug object: with
 * CONFIG_DEBUG_OBJECTS_FREE, freeing its memory before destroy is
 * reported at the free, by ODEBUG, and fixed up below.
 */
static const struct debug_obj_descr kt_debug_descr;

/* @t is off the list: its memory may go. */
static void kt_debug_free(struct kalloc_track *t)
{
	debug_object_deactivate(t, &kt_debug_descr);
	debug_object_free(t, &kt_debug_descr);
}

/*
 * The memory of @addr, a tracker that was not destroyed, is being freed.
 * Take it off the list before the memory goes, where every bad release,
 * every init and every module unload would walk into it, and hand its
 * debugfs directory to be removed. Its records, shards and allocations
 * are lost: other CPUs may be using them, and nothing may wait here. The
 * unload's walk notices (kt_walk_pos); but a lookup walking the list
 * under RCU at this very moment, the deferred work if it holds the
 * tracker, or a reader of its debugfs files before the directory goes,
 * may still read or write the freed memory. ODEBUG's report says where
 * it was freed.
 */
VISIBLE_IF_KUNIT bool kt_debug_fixup_free(void *addr,
					  enum debug_obj_state state)
{
	struct kalloc_track *t = addr;
	unsigned long flags;

	if (state != ODEBUG_STATE_ACTIVE)
		return false;
	spin_lock_irqsave(&kt_trackers_lock, flags);
	if (t->listed)
		kt_unlist_locked(t);
	spin_unlock_irqrestore(&kt_trackers_lock, flags);
	WRITE_ONCE(t->dead, true);
	kt_treport(KT_ERR, t,
		   "tracker freed without kalloc_track_destroy(): taken off the list, its allocations lost");
	kt_debugfs_orphan(t->debugfs);
	t->debugfs = NULL;
	kt_debug_free(t);
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(kt_debug_fixup_free);

static const struct debug_obj_descr kt_debug_descr = {
	.name = "kalloc_track",
	.fixup_free = kt_debug_fixup_free,
};

/* @t is listed: an active object, on the stack or not. */
static void kt_debug_activate(struct kalloc_track *t)
{
	if (object_is_on_stack(t))
		debug_object_init_on_stack(t, &kt_debug_descr);
	else
		debug_object_init(t, &kt_debug_descr);
	debug_object_activate(t, &kt_debug_descr);
}
#else
static inline void kt_debug_activate(struct kalloc_track *t)
{
}

static inline void kt_debug_free(struct kalloc_track *t)
{
}
#endif

/*
 * Put @t on the global list, once. Refused when @t was destroyed in the
 * meantime: an add that passed its first check while destroy ran must
 * not put a dead tracker back on the list, where it would stay after
 * its owner freed it. The list lock is taken before the tracker's, as
 * everywhere.
 */
VISIBLE_IF_KUNIT void kt_register(struct kalloc_track *t)
{
	unsigned long flags;
	bool added = false;

	spin_lock_irqsave(&kt_trackers_lock, flags);
	spin_lock(&t->lock);
	if (!t->listed && !t->dead) {
		list_add_tail_rcu(&t->node, &kt_trackers);
		WRITE_ONCE(t->listed, true);
		kt_debug_activate(t);
		if (IS_ENABLED(CONFIG_DEBUG_FS)) {
			t->pending |= KT_WANT_DEBUGFS;
			added = true;
		}
	}
	spin_unlock(&t->lock);
	spin_unlock_irqrestore(&kt_trackers_lock, flags);
	if (added)
		kt_queue_work();
}
EXPORT_SYMBOL_IF_KUNIT(kt_register);

static void kt_count(struct kalloc_track *t, unsigned long *counter)
{
	unsigned long flags;

	spin_lock_irqsave(&t->lock, flags);
	(*counter)++;
	spin_unlock_irqrestore(&t->lock, flags);
}

/*
 * Whether @t is on the global list, found by walking it (under RCU, with
 * interrupts on), so that @t itself may be uninitialised memory.
 */
VISIBLE_IF_KUNIT bool kt_tracker_listed(const struct kalloc_track *t)
{
	struct kalloc_track *pos;
	bool found = false;

	rcu_read_lock();
	list_for_each_entry_rcu(pos, &kt_trackers, node) {
		if (pos == t) {
			found = true;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}
EXPORT_SYMBOL_IF_KUNIT(kt_tracker_listed);

/**
 * kalloc_track_init() - set up a tracker
 * @t: the tracker, new (zeroed or not) or destroyed
 * @owner: name of the owner, shown in reports; it must outlive @t
 *
 * The tracker starts with no limits; see kalloc_track_set_limits(). It
 * allocates nothing until the first add. The caller must have @t to
 * itself: nothing may use it while it is set up.
 *
 * Context: Any context.
 * Return: 0; -EINVAL if @t or @owner is NULL or @owner is empty; -EBUSY
 * if @t is set up and not destroyed, or its destroy is under way (a
 * second init would corrupt it).
 */
int kalloc_track_init(struct kalloc_track *t, const char *owner)
{
	if (!t || !owner || !*owner) {
		kt_report(KT_ERR, "init: NULL tracker or empty owner name");
		return -EINVAL;
	}
	/*
	 * Found on the list by walking it, not by trusting ->listed: @t may
	 * be uninitialised memory. A caller can do this at will, so it gets
	 * an error, a count and a line, not a WARN.
	 */
	if (kt_tracker_listed(t)) {
		kt_count(t, &t->stats.bad_input);
		kt_treport_ratelimited(KT_ERR, t, "init of a tracker in use refused");
		return -EBUSY;
	}
	memset(t, 0, sizeof(*t));
	spin_lock_init(&t->lock);
	INIT_LIST_HEAD(&t->node);
	t->owner = owner;
	kt_register(t);
	return 0;
}
EXPORT_SYMBOL_GPL(kalloc_track_init);

/**
 * kalloc_track_set_limits() - set or clear a tracker's limits
 * @t: the tracker
 * @max_size: largest single allocation in bytes, 0 for no limit
 * @max_live_bytes: largest live total in bytes, 0 for no limit
 *
 * Allocations already live are not affected; adds that would break a
 * limit are refused from now on.
 *
 * Context: Any context. Takes @t's lock with interrupts disabled.
 * Return: 0, or -EINVAL if @t is NULL, not set up or destroyed.
 */
int kalloc_track_set_limits(struct kalloc_track *t, size_t max_size,
			    size_t max_live_bytes)
{
	unsigned long flags;
	int ret = 0;

	if (!kt_usable(t, "set_limits", _RET_IP_))
		return -EINVAL;
	spin_lock_irqsave(&t->lock, flags);
	if (t->dead) {
		t->stats.bad_input++;
		ret = -EINVAL;
	} else {
		/* Adds read both without the lock. */
		WRITE_ONCE(t->stats.max_size, max_size);
		WRITE_ONCE(t->stats.max_live_bytes, max_live_bytes);
	}
	spin_unlock_irqrestore(&t->lock, flags);
	if (ret)
		kt_treport_ratelimited(KT_ERR, t, "set_limits on a destroyed tracker");
	return ret;
}
EXPORT_SYMBOL_GPL(kalloc_track_set_limits);

/* Bytes of a shard's tables and records, beyond the shard itself. */
static size_t kt_shard_meta_locked(const struct kalloc_track_shard *s)
{
	size_t rec = kt_record_cache ? kmem_cache_size(kt_record_cache) :
		     sizeof(struct kt_record);
	size_t bytes = (s->live + s->pooled) * rec;

	if (s->table != s->first)
		bytes += sizeof(struct kt_bucket) << s->bits;
	if (s->old_table && s->old_table != s->first)
		bytes += sizeof(struct kt_bucket) << s->old_bits;
	return bytes;
}

/**
 * kalloc_track_get_stats() - read a tracker's accounting
 * @t: the tracker
 * @st: where to store the figures
 *
 * Each shard is read under its own lock, so that a reader never stops
 * every CPU: with adds and releases under way on other CPUs, the figures
 * are each exact but not all of the same instant. @st->live_bytes
 * counts the adds under way too.
 *
 * Context: Any context. Takes @t's lock and each shard's lock in turn,
 * with interrupts disabled.
 * Return: 0, or -EINVAL if @t is NULL or not set up (then @st is zeroed).
 */
int kalloc_track_get_stats(struct kalloc_track *t,
			   struct kalloc_track_stats *st)
{
	struct kalloc_track_shard *shards, *s;
	unsigned long flags;
	unsigned int i;

	if (!kt_usable(t, "get_stats", _RET_IP_)) {
		*st = (struct kalloc_track_stats){ };
		return -EINVAL;
	}
	/*
	 * Destroy folds the shards' counters into ->stats and unpublishes
	 * the shards in one hold of @t's lock: read both in one too, so
	 * that nothing is counted twice or goes backwards. Under RCU, a
	 * destroy cannot free the shards while they are read.
	 */
	rcu_read_lock();
	spin_lock_irqsave(&t->lock, flags);
	*st = t->stats;
	shards = rcu_dereference(t->shards);
	spin_unlock_irqrestore(&t->lock, flags);
	st->live_bytes = atomic_long_read(&t->live_bytes);
	st->peak_bytes = atomic_long_read(&t->peak_bytes);
	if (shards)
		st->meta_bytes = sizeof(*shards) * kt_nr_shards(shards);
	for (i = 0; shards && i < kt_nr_shards(shards); i++) {
		s = &shards[i];
		spin_lock_irqsave(&s->lock, flags);
		st->live += s->live;
		st->adds += s->adds;
		st->releases += s->releases;
		st->meta_bytes += kt_shard_meta_locked(s);
		spin_unlock_irqrestore(&s->lock, flags);
	}
	rcu_read_unlock();
	return 0;
}
EXPORT_SYMBOL_GPL(kalloc_track_get_stats);

/*
 * Why an add's arguments are bad, or NULL when they are fine. The length
 * of a name that @name_known says the compiler knew was checked when the
 * caller was built (see kalloc_track_add()). A caller of the _literal
 * functions that did not go through the macros is not trusted blindly:
 * NULL and an empty name are still refused, and a name longer than
 * KALLOC_TRACK_NAME_MAX, which only measuring would find, is printed cut
 * to that length, as every name is.
 */
static const char *kt_check_add(struct kalloc_track *t, const char *name,
				size_t size, gfp_t gfp, bool name_known)
{
	if (!name)
		return "NULL name";
	if (!*name)
		return "empty name";
	if (!name_known &&
	    strnlen(name, KALLOC_TRACK_NAME_MAX + 1) > KALLOC_TRACK_NAME_MAX)
		return "name longer than KALLOC_TRACK_NAME_MAX";
	if (!size)
		return "size 0";
	if (size > KMALLOC_MAX_SIZE)
		return "size over KMALLOC_MAX_SIZE";
	if (gfp & KT_BAD_GFP)
		return "GFP flags that slab rejects";
	if (READ_ONCE(t->dead))
		return "tracker destroyed";
	return NULL;
}

/*
 * Count @size bytes as live before anything is allocated, and check the
 * live limit against that count, so that an add the limit will refuse
 * never allocates (and never triggers reclaim), and concurrent adds
 * cannot all pass a check that only one of them fits. Return: 0 if the
 * add may go on; else the limit, and nothing is counted.
 */
static size_t kt_reserve(struct kalloc_track *t, size_t size, long *now)
{
	size_t limit = READ_ONCE(t->stats.max_live_bytes);
	long cur;

	if (likely(!limit)) {
		*now = atomic_long_add_return(size, &t->live_bytes);
		return 0;
	}
	/*
	 * Commit only what fits, so that of two adds racing for the last
	 * bytes under the limit one gets them, rather than both backing off.
	 */
	cur = atomic_long_read(&t->live_bytes);
	do {
		if ((size_t)cur > limit || size > limit - (size_t)cur) {
			kt_count(t, &t->stats.refused);
			return limit;
		}
	} while (!atomic_long_try_cmpxchg(&t->live_bytes, &cur, cur + size));
	*now = cur + size;
	return 0;
}

/* Record @now live bytes as the peak if it is one. */
static void kt_update_peak(struct kalloc_track *t, long now)
{
	long peak = atomic_long_read(&t->peak_bytes);

	while (unlikely(now > peak) &&
	       !atomic_long_try_cmpxchg(&t->peak_bytes, &peak, now))
		;
}

static void kt_report_over_limit(struct kalloc_track *t, const char *name,
				 size_t size, unsigned long caller,
				 size_t limit)
{
	kt_treport_ratelimited(KT_WARN, t,
			       "add of '%.*s' (%zu bytes) from %pS refused: over the %zu byte limit of live memory",
			       KALLOC_TRACK_NAME_MAX, name, size,
			       (void *)caller, limit);
}

/* A record kept by a release, or NULL. */
static struct kt_record *kt_pool_pop_locked(struct kalloc_track_shard *s)
{
	struct kt_record *rec;

	lockdep_assert_held(&s->lock);
	rec = s->pool;
	if (!rec)
		return NULL;
	s->pool = rec->next;
	s->pooled--;
	return rec;
}

/*
 * log2 of the shards per tracker: one with one CPU, a few per CPU beyond.
 * A test that needs one shard on any machine sets it with a static stub.
 */
VISIBLE_IF_KUNIT unsigned int kt_shard_bits(void)
{
	KT_STUB_REDIRECT(kt_shard_bits);
	if (nr_cpu_ids <= 1)
		return 0;
	return min(order_base_2(nr_cpu_ids * KT_SHARDS_PER_CPU),
		   KT_MAX_SHARD_BITS);
}
EXPORT_SYMBOL_IF_KUNIT(kt_shard_bits);

/*
 * Allocate @t's shards at its first add, so that a tracker that is never
 * used costs nothing but itself. Of two first adds racing, one set of
 * shards is kept and the other freed.
 */
static bool kt_setup_shards(struct kalloc_track *t, gfp_t gfp)
{
	unsigned int i, bits = kt_shard_bits();
	struct kalloc_track_shard *shards;
	u32 salt = get_random_u32();
	unsigned long flags;

	shards = kt_alloc_shards(1U << bits, gfp & KT_META_GFP);
	if (!shards)
		return false;
	for (i = 0; i < 1U << bits; i++) {
		spin_lock_init(&shards[i].lock);
		shards[i].set_bits = bits;
		shards[i].salt = salt;
		shards[i].table = shards[i].first;
		shards[i].bits = KT_FIRST_BITS;
	}
	spin_lock_irqsave(&t->lock, flags);
	if (!kt_shards_held(t, lockdep_is_held(&t->lock)) && !t->dead) {
		/* Readers look at the shards under RCU, not @t's lock. */
		rcu_assign_pointer(t->shards, shards);
		shards = NULL;
	}
	spin_unlock_irqrestore(&t->lock, flags);
	kvfree(shards);
	return true;
}

void *kt_add(struct kalloc_track *t, const char *name, size_t size,
	     gfp_t gfp, unsigned long caller, bool name_known)
{
	struct kalloc_track_shard *shards, *s;
	struct kt_record *rec = NULL;
	depot_stack_handle_t stack;
	unsigned int i, grow = 0;
	struct kt_bucket *old;
	size_t max_size, limit;
	unsigned long flags;
	void *p = NULL;
	const char *why;
	long now;

	if (unlikely(!kt_usable(t, "add", caller)))
		return NULL;
	why = kt_check_add(t, name, size, gfp, name_known);
	if (unlikely(why)) {
		kt_count(t, &t->stats.bad_input);
		kt_treport_ratelimited(KT_ERR, t,
				       "add of '%.*s' (%zu bytes, %pGg) from %pS refused: %s",
				       KALLOC_TRACK_NAME_MAX, name, size,
				       &gfp, (void *)caller, why);
		return NULL;
	}
	max_size = READ_ONCE(t->stats.max_size);
	if (unlikely(max_size && size > max_size)) {
		kt_count(t, &t->stats.refused);
		kt_treport_ratelimited(KT_WARN, t,
				       "add of '%.*s' (%zu bytes) from %pS refused: over the %zu byte limit per allocation",
				       KALLOC_TRACK_NAME_MAX, name, size,
				       (void *)caller, max_size);
		return NULL;
	}
	limit = kt_reserve(t, size, &now);
	if (unlikely(limit)) {
		kt_report_over_limit(t, name, size, caller, limit);
		return NULL;
	}
	if (unlikely(!READ_ONCE(t->listed)))
		kt_register(t);
	if (unlikely(!rcu_access_pointer(t->shards)) &&
	    !kt_setup_shards(t, gfp))
		goto fail;

	p = kt_alloc_payload(size, gfp, caller);
	if (unlikely(!p))
		goto fail;
	stack = kt_stack(caller, gfp & KT_META_GFP);

	/*
	 * The shards are used under RCU, which keeps a destroy from freeing
	 * them: destroy unpublishes them, then waits for a grace period.
	 */
	rcu_read_lock();
	shards = rcu_dereference(t->shards);
	if (unlikely(!shards))
		goto dead;
	i = kt_shard_index(shards, (unsigned long)p);
	s = &shards[i];
	spin_lock_irqsave(&s->lock, flags);
	if (unlikely(READ_ONCE(t->dead))) {
		spin_unlock_irqrestore(&s->lock, flags);
		goto dead;
	}
	/*
	 * The record comes from the shard's pool, under the lock taken
	 * anyway; when the pool is empty, it is allocated with the lock
	 * dropped.
	 */
	rec = kt_pool_pop_locked(s);
	if (unlikely(!rec)) {
		spin_unlock_irqrestore(&s->lock, flags);
		rcu_read_unlock();
		rec = kt_alloc_record(gfp & KT_META_GFP);
		if (unlikely(!rec))
			goto fail;
		rcu_read_lock();
		shards = rcu_dereference(t->shards);
		if (unlikely(!shards))
			goto dead;
		s = &shards[i];
		spin_lock_irqsave(&s->lock, flags);
		if (unlikely(READ_ONCE(t->dead))) {
			spin_unlock_irqrestore(&s->lock, flags);
			goto dead;
		}
	}
	rec->addr = (unsigned long)p;
	rec->name = name;
	rec->size = size;
	rec->gfp = gfp;
	rec->caller = caller;
	rec->stamp = jiffies;
	rec->stack = stack;
	kt_chain_add(kt_bucket(s, rec->addr), rec);
	s->live++;
	s->adds++;
	old = kt_migrate_locked(s, KT_MIGRATE_STEP);
	if (unlikely(kt_needs_grow_locked(s))) {
		s->resizing = true;
		grow = kt_grow_bits(s->bits);
	}
	spin_unlock_irqrestore(&s->lock, flags);
	rcu_read_unlock();

	kt_update_peak(t, now);
	kt_free_table(old);
	if (unlikely(grow))
		kt_grow(t, i, grow, gfp);
	return p;

dead:
	rcu_read_unlock();
	atomic_long_sub(size, &t->live_bytes);
	kt_count(t, &t->stats.bad_input);
	kfree(p);
	if (rec)
		kt_free_record(rec);
	kt_treport_ratelimited(KT_ERR, t, "add of '%.*s' from %pS refused: tracker destroyed",
			       KALLOC_TRACK_NAME_MAX, name,
			       (void *)caller);
	return NULL;

fail:
	atomic_long_sub(size, &t->live_bytes);
	kfree(p);
	if (rec)
		kt_free_record(rec);
	kt_count(t, &t->stats.failed);
	return NULL;
}

/**
 * kalloc_track_add() - allocate memory tracked by @t
 * @t: the tracker
 * @name: what the memory is for; it must stay valid until @t is destroyed
 * @size: bytes to allocate, at most KMALLOC_MAX_SIZE and @t's limit
 * @gfp: allocation flags, as for kmalloc()
 *
 * The memory comes from kmalloc() and has its alignment. It is charged
 * to the caller in /proc/allocinfo. Free it with kalloc_track_release(),
 * never with kfree(). The name is not copied. An add that a limit
 * refuses allocates nothing.
 *
 * Context: Any context, with @gfp that fits it: GFP_ATOMIC or GFP_NOWAIT
 * in atomic context. Takes the lock of one shard of @t with interrupts
 * disabled.
 * Return: the memory, or NULL when an argument is bad (counted in
 * bad_input), a limit is reached (refused) or memory ran out (failed).
 */
noinline void *kalloc_track_add_noprof(struct kalloc_track *t,
				       const char *name, size_t size, gfp_t gfp)
{
	KT_STUB_REDIRECT(kalloc_track_add_noprof, t, name, size, gfp);
	/* Never inlined, with LTO either: _RET_IP_ is our caller's. */
	return kt_add(t, name, size, gfp, _RET_IP_, false);
}
EXPORT_SYMBOL_GPL(kalloc_track_add_noprof);

/*
 * kalloc_track_add() of a name that the compiler knew, and that the
 * macro checked when the caller was built.
 */
noinline void *__kalloc_track_add_literal_noprof(struct kalloc_track *t,
						 const char *name, size_t size,
						 gfp_t gfp)
{
	KT_STUB_REDIRECT(__kalloc_track_add_literal_noprof, t, name, size, gfp);
	return kt_add(t, name, size, gfp, _RET_IP_, true);
}
EXPORT_SYMBOL_GPL(__kalloc_track_add_literal_noprof);

static void *kt_add_array(struct kalloc_track *t, const char *name,
			  size_t n, size_t size, gfp_t gfp, unsigned long ip,
			  bool name_known)
{
	size_t bytes;

	if (unlikely(!kt_usable(t, "add", ip)))
		return NULL;
	if (unlikely(check_mul_overflow(n, size, &bytes))) {
		kt_count(t, &t->stats.bad_input);
		kt_treport_ratelimited(KT_ERR, t,
				       "add of '%.*s' from %pS refused: %zu x %zu bytes overflows",
				       KALLOC_TRACK_NAME_MAX, name,
				       (void *)ip, n, size);
		return NULL;
	}
	return kt_add(t, name, bytes, gfp | __GFP_ZERO, ip, name_known);
}

/**
 * kalloc_track_add_array() - allocate a zeroed tracked array, as kcalloc()
 * @t: the tracker
 * @name: what the memory is for, as for kalloc_track_add()
 * @n: number of elements
 * @size: size of one element
 * @gfp: allocation flags; the memory is zeroed whatever they say
 *
 * Context: As kalloc_track_add().
 * Return: As kalloc_track_add(); NULL, as bad input, when @n * @size
 * overflows or is 0.
 */
noinline void *kalloc_track_add_array_noprof(struct kalloc_track *t,
					     const char *name, size_t n,
					     size_t size, gfp_t gfp)
{
	KT_STUB_REDIRECT(kalloc_track_add_array_noprof, t, name, n, size, gfp);
	return kt_add_array(t, name, n, size, gfp, _RET_IP_, false);
}
EXPORT_SYMBOL_GPL(kalloc_track_add_array_noprof);

/* kalloc_track_add_array() of a name checked when the caller was built. */
noinline void *__kalloc_track_add_array_literal_noprof(struct kalloc_track *t,
						       const char *name,
						       size_t n, size_t size,
						       gfp_t gfp)
{
	KT_STUB_REDIRECT(__kalloc_track_add_array_literal_noprof, t, name, n,
			 size, gfp);
	return kt_add_array(t, name, n, size, gfp, _RET_IP_, true);
}
EXPORT_SYMBOL_GPL(__kalloc_track_add_array_literal_noprof);

/*
 * Look @addr up in @t, under RCU, which keeps a destroy from freeing the
 * shards meanwhile. The shard @addr belongs to is returned in @sp, locked
 * with interrupts off (@flags), or NULL if @t has no shards.
 * Return: the link to the record, or NULL if there is none or @t is
 * dead.
 */
static struct kt_record **kt_find_locked(struct kalloc_track *t,
					 unsigned long addr,
					 struct kalloc_track_shard **sp,
					 unsigned long *flags)
{
	struct kalloc_track_shard *shards;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "shard lookup outside RCU");
	shards = rcu_dereference(t->shards);
	if (!shards) {
		*sp = NULL;
		return NULL;
	}
	*sp = &shards[kt_shard_index(shards, addr)];
	spin_lock_irqsave(&(*sp)->lock, *flags);
	if (READ_ONCE(t->dead))
		return NULL;
	return kt_lookup_locked(*sp, addr);
}

/*
 * Copy the owner of @addr, if another tracker has it, into @owner. The
 * list is walked under RCU, one shard lock at a time, so that a bad
 * release costs one short lock hold per tracker and never blocks every
 * other CPU behind a global lock.
 */
static bool kt_find_owner(struct kalloc_track *self, unsigned long addr,
			  char *owner, size_t len)
{
	struct kalloc_track_shard *s;
	struct kalloc_track *t;
	unsigned long flags;
	bool found = false;

	rcu_read_lock();
	list_for_each_entry_rcu(t, &kt_trackers, node) {
		if (t == self)
			continue;
		found = kt_find_locked(t, addr, &s, &flags);
		if (found)
			strscpy(owner, READ_ONCE(t->owner), len);
		if (s)
			spin_unlock_irqrestore(&s->lock, flags);
		if (found)
			break;
	}
	rcu_read_unlock();
	return found;
}

/* The release missed @t's table: say why, count it, free nothing. */
static int kt_bad_release(struct kalloc_track *t, unsigned long addr,
			  unsigned long ip)
{
	char owner[KALLOC_TRACK_NAME_MAX + 1], name[KALLOC_TRACK_NAME_MAX + 1];
	const struct kalloc_track_freed *h = NULL;
	struct kalloc_track_freed last;
	struct kalloc_track_shard *s;
	unsigned long flags;

	rcu_read_lock();
	if (!kt_find_locked(t, addr, &s, &flags) && s && !READ_ONCE(t->dead)) {
		h = kt_history_lookup_locked(s, addr);
		if (h) {
			/*
			 * The name too, while the lock keeps the unload of
			 * a module it may live in from redirecting it.
			 */
			last = *h;
			strscpy(name, h->name, sizeof(name));
			last.name = name;
		}
	}
	if (s)
		spin_unlock_irqrestore(&s->lock, flags);
	rcu_read_unlock();
	if (h) {
		kt_count(t, &t->stats.double_frees);
		kt_report_double_free(t, &last, ip);
		return -EALREADY;
	}

	if (kt_find_owner(t, addr, owner, sizeof(owner))) {
		kt_count(t, &t->stats.foreign_frees);
		kt_treport_ratelimited(KT_ERR, t,
				       "release of %p from %pS refused: it belongs to tracker '%s'",
				       (void *)addr, (void *)ip, owner);
		return -EXDEV;
	}

	kt_count(t, &t->stats.invalid_frees);
	kt_treport_ratelimited(KT_ERR, t, "invalid free of %p from %pS: not tracked, nothing freed",
			       (void *)addr, (void *)ip);
	return -ENOENT;
}

/**
 * __kalloc_track_release() - kalloc_track_release() body
 * @t: the tracker
 * @p: the memory to free
 *
 * Call kalloc_track_release() instead, which also NULLs the pointer.
 *
 * Context: Any context. Takes the lock of one shard of @t with interrupts
 * disabled.
 * Return: As kalloc_track_release().
 */
noinline int __kalloc_track_release(struct kalloc_track *t, const void *p)
{
	return kt_release(t, p, _RET_IP_);
}
EXPORT_SYMBOL_GPL(__kalloc_track_release);

/* A release of @p from @ip: the body of every release. */
int kt_release(struct kalloc_track *t, const void *p, unsigned long ip)
{
	unsigned long addr = (unsigned long)p, flags;
	struct kalloc_track_freed *h;
	struct kalloc_track_shard *s;
	struct kt_record *rec, **link;
	depot_stack_handle_t stack;
	struct kt_bucket *old;
	size_t size;

	/* As kfree(NULL): nothing to do, whatever state @t is in. */
	if (unlikely(!p))
		return KALLOC_TRACK_WAS_NULL;
	if (unlikely(!kt_usable(t, "release", ip)))
		return -EINVAL;

	/* Outside the lock: a stack costs more than the rest of a release. */
	stack = kt_release_stack(ip, GFP_NOWAIT);

	rcu_read_lock();
	link = kt_find_locked(t, addr, &s, &flags);
	if (unlikely(!link)) {
		if (s)
			spin_unlock_irqrestore(&s->lock, flags);
		rcu_read_unlock();
		if (READ_ONCE(t->dead)) {
			kt_count(t, &t->stats.bad_input);
			kt_treport_ratelimited(KT_ERR, t,
					       "release from %pS refused: tracker destroyed",
					       (void *)ip);
			return -EINVAL;
		}
		return kt_bad_release(t, addr, ip);
	}
	rec = *link;
	*link = rec->next;
	s->live--;
	s->releases++;
	size = rec->size;
	h = &s->history[s->history_next++ & (KALLOC_TRACK_HISTORY - 1)];
	h->addr = addr;
	h->name = rec->name;
	h->size = rec->size;
	h->alloc_ip = rec->caller;
	h->release_ip = ip;
	h->alloc_stack = rec->stack;
	h->release_stack = stack;
	if (likely(s->pooled < KT_POOL_MAX)) {
		rec->next = s->pool;
		s->pool = rec;
		s->pooled++;
		rec = NULL;
	}
	old = kt_migrate_locked(s, KT_MIGRATE_STEP);
	spin_unlock_irqrestore(&s->lock, flags);
	rcu_read_unlock();

	atomic_long_sub(size, &t->live_bytes);
	kfree(p);
	if (unlikely(rec))
		kt_free_record(rec);
	kt_free_table(old);
	return KALLOC_TRACK_RELEASED;
}

/**
 * kalloc_track_destroy() - tear a tracker down and report its leaks
 * @t: the tracker
 *
 * Every allocation still live is a leak: it is reported (name, size, GFP
 * flags, age and allocation site) and forgotten, but not freed. The
 * tracker cannot know whether its owner still uses the memory or already
 * freed it behind the tracker's back with kfree(), and freeing it again
 * would turn a leak into a use-after-free or a double free. Once
 * forgotten, a payload nobody points to is what kmemleak reports.
 *
 * Afterwards @t is inert: adds return NULL and releases return -EINVAL,
 * until kalloc_track_init() sets it up again. An add or release racing
 * with this call is refused, not lost; the caller must still not free @t
 * while one may be under way.
 *
 * Context: Process context; may sleep (it waits for the deferred work,
 * for readers of the tracker's debugfs files, for an RCU grace period,
 * and for the unload of a module under way).
 * Return: the number of leaks.
 */
unsigned int kalloc_track_destroy(struct kalloc_track *t)
{
	struct kalloc_track_shard *shards, *s;
	struct kt_record *rec, *leaked = NULL;
	unsigned int leaks, i, j, n = 0;
	unsigned long flags;
	size_t bytes = 0;
	bool listed;

	might_sleep();
	if (!kt_usable(t, "destroy", _RET_IP_))
		return 0;
	spin_lock_irqsave(&t->lock, flags);
	if (t->dead) {
		t->stats.bad_input++;
		spin_unlock_irqrestore(&t->lock, flags);
		kt_treport_ratelimited(KT_ERR, t, "destroyed twice");
		/* A destroy under way: let it finish before the caller frees. */
		wait_var_event(&t->gone, smp_load_acquire(&t->gone));
		return 0;
	}
	WRITE_ONCE(t->dead, true);
	spin_unlock_irqrestore(&t->lock, flags);

	/*
	 * ->dead is set, so kt_register() can no longer list @t, nor
	 * kt_request() ask the work for anything: forget what was asked.
	 * @t stays listed until its leaks are reported, so that the unload
	 * of a module its names live in still redirects them meanwhile.
	 */
	spin_lock_irqsave(&kt_trackers_lock, flags);
	listed = t->listed;
	t->pending = 0;
	spin_unlock_irqrestore(&kt_trackers_lock, flags);
	if (listed) {
		/*
		 * The work may hold @t right now: wait for it, then remove
		 * the directory (debugfs waits for readers; later reads get
		 * -EIO). Both may take long, and are done before
		 * kt_names_rwsem is taken, so that no unload waits for them,
		 * nor, behind the unload, other destroys.
		 */
		wait_var_event(&t->busy, !smp_load_acquire(&t->busy));
		kt_debugfs_remove(t);
	}

	/*
	 * Adds and releases see ->dead under their shard's lock and leave
	 * the tables alone, and nothing starts a new migration: finish the
	 * ones under way.
	 */
	kt_migrate_all(t);

	/*
	 * From here until the leaks are reported, hold off module unloads:
	 * once @t is off the list an unload would not redirect the names
	 * that the report prints. Unlist @t, unpublish the shards and wait
	 * for an RCU grace period: then no CPU is in a shard any more
	 * (everything that uses them does so under RCU), and no RCU reader
	 * of the list is at @t.
	 */
	down_read(&kt_names_rwsem);
	if (listed) {
		spin_lock_irqsave(&kt_trackers_lock, flags);
		kt_unlist_locked(t);
		kt_debug_free(t);
		spin_unlock_irqrestore(&kt_trackers_lock, flags);
	}
	/*
	 * Every shard lock was taken since ->dead was set, so the shards'
	 * counters are final: fold them into ->stats as the shards go, in
	 * one hold of @t's lock, as kalloc_track_get_stats() reads them.
	 */
	spin_lock_irqsave(&t->lock, flags);
	shards = kt_shards_held(t, lockdep_is_held(&t->lock));
	if (shards)
		n = kt_nr_shards(shards);
	for (i = 0; i < n; i++) {
		t->stats.adds += shards[i].adds;
		t->stats.releases += shards[i].releases;
		t->stats.leaks += shards[i].live;
	}
	RCU_INIT_POINTER(t->shards, NULL);
	spin_unlock_irqrestore(&t->lock, flags);
	if (listed || shards)
		synchronize_rcu();

	for (i = 0; i < n; i++) {
		s = &shards[i];
		for (j = 0; j < 1U << s->bits; j++) {
			while ((rec = s->table[j].first)) {
				s->table[j].first = rec->next;
				rec->next = leaked;
				leaked = rec;
			}
			if (!(j % KT_MIGRATE_BATCH))
				cond_resched();
		}
		while ((rec = s->pool)) {
			s->pool = rec->next;
			kt_free_record(rec);
		}
		if (s->table != s->first)
			kvfree(s->table);
	}
	kvfree(shards);

	leaks = kt_report_leaks(t, &leaked, &bytes);

	/* Adds still under way subtract their own reservation. */
	atomic_long_sub(bytes, &t->live_bytes);

	if (leaks)
		kt_treport(KT_ERR, t, "%u allocation(s) of %zu bytes leaked at destroy%s",
			   leaks, bytes,
			   leaks > KT_LEAKS_PRINTED ? ", first ones listed" : "");
	/*
	 * Done with @t before the unload that may be waiting goes on: @t
	 * may live in the module it unloads.
	 */
	store_release_wake_up(&t->gone, true);
	up_read(&kt_names_rwsem);
	return leaks;
}
EXPORT_SYMBOL_GPL(kalloc_track_destroy);

#if IS_ENABLED(CONFIG_MODULES) || IS_ENABLED(CONFIG_KUNIT)
/*
 * A module that forgets to destroy a tracker in its own data would leave
 * a dangling entry on the list, and debugfs files, once its memory is
 * gone. Catch it as the module goes: report it as a leak report does,
 * and destroy the tracker while its memory is still there.
 *
 * Trackers outside the module may still point into it, too: names are
 * not copied, so a record, a remembered release or the owner may name a
 * string of the module, and a later report would read unmapped memory.
 * Those pointers are redirected to a string of ours.
 */
static const char kt_unloaded[] = "(unloaded module)";

static struct kalloc_track *kt_next_in_module(struct module *mod)
{
	struct kalloc_track *t, *found = NULL;
	unsigned long flags;

	spin_lock_irqsave(&kt_trackers_lock, flags);
	list_for_each_entry(t, &kt_trackers, node) {
		if (within_module((unsigned long)t, mod)) {
			found = t;
			break;
		}
	}
	spin_unlock_irqrestore(&kt_trackers_lock, flags);
	return found;
}

static void kt_scrub_name(const char **name, struct module *mod)
{
	if (within_module((unsigned long)*name, mod))
		WRITE_ONCE(*name, kt_unloaded);
}

/*
 * Redirect the strings of shard @si of @t that live in @mod,
 * KT_MIGRATE_BATCH buckets per lock hold. The unmigrated part of an old
 * table is walked before the table, so that a record that migrates
 * meanwhile is still seen; a new table (told by its size too, as a
 * freed table's address may come back) restarts the walk. Called with
 * kt_names_rwsem held for writing, which keeps destroys, the only
 * thing that frees shards, away: so it may sleep between batches. A
 * tracker being destroyed is walked too: it is still listed until its
 * destroy has reported its leaks, which name its records. @t itself is
 * looked at only under kt_trackers_lock, while the walk is at it (see
 * kt_walk_pos). Its shards are a separate allocation, which only a
 * destroy frees: they stay while the shard lock is held, even if @t's
 * memory goes meanwhile (kt_debug_fixup_free() leaks them).
 * Return: false if @t left the list under the walk.
 */
static bool kt_scrub_shard(struct kalloc_track *t, unsigned int si,
			   struct module *mod)
{
	unsigned int bits = 0, old_n = 0, k = 0, end, i;
	struct kt_bucket *table = NULL, *old = NULL;
	struct kalloc_track_shard *shards, *s;
	struct kt_record *rec;
	unsigned long flags;

	for (;;) {
		spin_lock_irqsave(&kt_trackers_lock, flags);
		if (kt_walk_pos != t) {
			spin_unlock_irqrestore(&kt_trackers_lock, flags);
			return false;
		}
		/* A first add may be publishing them: hence the _check. */
		shards = rcu_dereference_check(t->shards,
					       lockdep_is_held_type(&kt_names_rwsem, 0));
		if (!shards || si >= kt_nr_shards(shards)) {
			spin_unlock_irqrestore(&kt_trackers_lock, flags);
			return true;
		}
		s = &shards[si];
		spin_lock(&s->lock);
		spin_unlock(&kt_trackers_lock);
		if (s->table != table || s->bits != bits) {
			table = s->table;
			bits = s->bits;
			old = s->old_table;
			old_n = old ? 1U << s->old_bits : 0;
			k = 0;
		}
		if (old && s->old_table != old) {
			/* Migrated: everything is in the table now. */
			old = NULL;
			k = max(k, old_n);
		}
		/* Releases since the last batch put names in the history. */
		for (i = 0; i < KALLOC_TRACK_HISTORY; i++)
			kt_scrub_name(&s->history[i].name, mod);
		end = min(old_n + (1U << bits), k + KT_MIGRATE_BATCH);
		for (; k < end; k++) {
			if (k < old_n) {
				if (old && k >= s->migrated)
					for (rec = old[k].first; rec;
					     rec = rec->next)
						kt_scrub_name(&rec->name, mod);
				continue;
			}
			for (rec = table[k - old_n].first; rec; rec = rec->next)
				kt_scrub_name(&rec->name, mod);
		}
		spin_unlock_irqrestore(&s->lock, flags);
		if (k == old_n + (1U << bits))
			return true;
		cond_resched();
	}
}

/*
 * Redirect the strings of @t, the listed tracker the walk is at, that
 * live in @mod; as above, a @t that leaves the list is let go.
 */
static void kt_scrub_tracker(struct kalloc_track *t, struct module *mod)
{
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&kt_trackers_lock, flags);
	if (kt_walk_pos != t) {
		spin_unlock_irqrestore(&kt_trackers_lock, flags);
		return;
	}
	spin_lock(&t->lock);
	kt_scrub_name(&t->owner, mod);
	spin_unlock(&t->lock);
	spin_unlock_irqrestore(&kt_trackers_lock, flags);
	/* Each call finds out whether there is a shard @i. */
	for (i = 0; i < 1U << KT_MAX_SHARD_BITS; i++)
		if (!kt_scrub_shard(t, i, mod))
			return;
}

/* Between two trackers of the unload's walk; a test stubs it. */
VISIBLE_IF_KUNIT void kt_walk_pause(struct kalloc_track *t)
{
	KT_STUB_REDIRECT(kt_walk_pause, t);
	cond_resched();
}
EXPORT_SYMBOL_IF_KUNIT(kt_walk_pause);

VISIBLE_IF_KUNIT int kt_module_going(struct module *mod)
{
	struct kalloc_track *t;
	unsigned long flags;
	int n = 0;

	while ((t = kt_next_in_module(mod))) {
		/* Being destroyed: it is unlisted before its destroy ends. */
		if (READ_ONCE(t->dead)) {
			/* Pairs with store_release_wake_up() in destroy. */
			wait_var_event(&t->gone, smp_load_acquire(&t->gone));
			continue;
		}
		kt_treport(KT_ERR, t,
			   "tracker %ps of module %s not destroyed before unload; destroying it now",
			   t, mod->name);
		kalloc_track_destroy(t);
		n++;
	}
	/*
	 * After any destroy that unlisted a tracker has reported. No
	 * destroy unlists while this is held, so the walk needs no RCU and
	 * may sleep: a long one stalls no grace period. A tracker freed in
	 * use may still leave the list meanwhile (kt_debug_fixup_free()),
	 * which moves the walk on past it (kt_walk_pos).
	 */
	down_write(&kt_names_rwsem);
	spin_lock_irqsave(&kt_trackers_lock, flags);
	kt_walk_pos = list_first_entry_or_null(&kt_trackers,
					       struct kalloc_track, node);
	while ((t = kt_walk_pos)) {
		spin_unlock_irqrestore(&kt_trackers_lock, flags);
		kt_scrub_tracker(t, mod);
		kt_walk_pause(t);
		spin_lock_irqsave(&kt_trackers_lock, flags);
		/* Else the fix-up moved it on already. */
		if (kt_walk_pos == t)
			kt_walk_pos = kt_list_next(t);
	}
	spin_unlock_irqrestore(&kt_trackers_lock, flags);
	up_write(&kt_names_rwsem);
	/* Code loaded where @mod was must not reuse its stacks. */
	kt_stack_cache_flush();
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(kt_module_going);
#endif

#ifdef CONFIG_MODULES
static int kt_module_notify(struct notifier_block *nb, unsigned long action,
			    void *data)
{
	if (action == MODULE_STATE_GOING)
		kt_module_going(data);
	/* Before its code runs, where other code may have been. */
	if (action == MODULE_STATE_COMING)
		kt_stack_cache_flush();
	return NOTIFY_DONE;
}

static struct notifier_block kt_module_nb = {
	.notifier_call = kt_module_notify,
};

static int kt_module_setup(void)
{
	return register_module_notifier(&kt_module_nb);
}
#else
static int kt_module_setup(void)
{
	return 0;
}
#endif /* CONFIG_MODULES */

static int __init kalloc_track_setup(void)
{
	kt_record_cache = kmem_cache_create("kalloc_track_record",
					    sizeof(struct kt_record), NULL, 0);
	if (!kt_record_cache)
		pr_err("no record cache: every add will fail\n");
	if (kt_stacks_setup())
		pr_err("no stack depot: stack traces stay off\n");
	if (kt_module_setup())
		pr_err("no module notifier: trackers of unloaded modules go unnoticed\n");
	/* Trackers used before now may be waiting for their directory. */
	WRITE_ONCE(kt_ready, true);
	queue_work(system_dfl_wq, &kt_work);
	return 0;
}
core_initcall(kalloc_track_setup);
