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
 * Only the first case is on the fast path. The table grows from deferred
 * work, in batches of buckets, so that no add or release ever walks more
 * than a short chain or allocates the table itself.
 *
 * A tracker is debugging infrastructure, so whatever a buggy caller does
 * with it (a NULL or zeroed tracker, a second init of a live one, an add
 * racing with destroy, a module unloaded with its tracker still set up)
 * is refused with an error code, a counter and one line, never a crash.
 */

#define pr_fmt(fmt) "kalloc_track: " fmt

#include <kunit/static_stub.h>
#include <kunit/visibility.h>
#include <linux/atomic.h>
#include <linux/hash.h>
#include <linux/init.h>
#include <linux/jiffies.h>
#include <linux/kalloc_track.h>
#include <linux/kmemleak.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/overflow.h>
#include <linux/printk.h>
#include <linux/rculist.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/wait_bit.h>
#include <linux/workqueue.h>

#include "internal.h"

/* Grow a table by this many bits once it holds two records per bucket. */
#define KT_GROW_BITS		2
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

/* GFP bits that slab rejects (GFP_SLAB_BUG_MASK in mm/internal.h). */
#define KT_BAD_GFP	(__GFP_DMA32 | __GFP_HIGHMEM | ~__GFP_BITS_MASK)

static_assert((KALLOC_TRACK_HISTORY & (KALLOC_TRACK_HISTORY - 1)) == 0);
static_assert(KT_MAX_BITS > KALLOC_TRACK_INLINE_BITS);

/*
 * Records are known to kmemleak but never scanned (kmemleak_no_scan()):
 * the pointer a record holds does not keep its payload "referenced", so
 * kmemleak still reports a payload whose owner lost every pointer to it.
 * SLAB_NOLEAKTRACE would do that too, but would also hide the records
 * from /proc/allocinfo.
 */
static struct kmem_cache *kt_record_cache;

/*
 * All trackers that have been used, so that a release that misses its
 * own tracker can tell a wrong-owner free from an invalid one.
 *
 * Readers walk the list under RCU, one tracker lock at a time, so that a
 * stream of bad releases never holds a global lock or keeps interrupts
 * off for longer than one lookup. kt_trackers_lock serialises writers
 * and protects every tracker's ->listed and ->pending; it is taken with
 * interrupts disabled and nests outside tracker locks.
 * kalloc_track_destroy() waits for an RCU grace period after unlisting,
 * so that a reader never sees a tracker its owner has freed.
 */
static LIST_HEAD(kt_trackers);
static DEFINE_SPINLOCK(kt_trackers_lock);

/* Calls on a NULL or never initialised tracker, which have no counters. */
static atomic_long_t kt_bad_trackers = ATOMIC_LONG_INIT(0);

/*
 * Every internal allocation goes through one of these helpers, so that
 * the tests can fail each one deterministically with a static stub.
 */
VISIBLE_IF_KUNIT struct kt_record *kt_alloc_record(gfp_t gfp)
{
	struct kt_record *rec;

	KUNIT_STATIC_STUB_REDIRECT(kt_alloc_record, gfp);
	if (unlikely(!kt_record_cache))
		return NULL;
	rec = kmem_cache_alloc(kt_record_cache, gfp);
	if (rec)
		kmemleak_no_scan(rec);
	return rec;
}
EXPORT_SYMBOL_IF_KUNIT(kt_alloc_record);

void kt_free_record(struct kt_record *rec)
{
	KUNIT_STATIC_STUB_REDIRECT(kt_free_record, rec);
	kmem_cache_free(kt_record_cache, rec);
}
EXPORT_SYMBOL_IF_KUNIT(kt_free_record);

VISIBLE_IF_KUNIT void *kt_alloc_payload(size_t size, gfp_t gfp,
					unsigned long caller)
{
	KUNIT_STATIC_STUB_REDIRECT(kt_alloc_payload, size, gfp, caller);
	/* _noprof: /proc/allocinfo charges the tag of our caller's site. */
	return kmalloc_node_track_caller_noprof(size, gfp, NUMA_NO_NODE,
						caller);
}
EXPORT_SYMBOL_IF_KUNIT(kt_alloc_payload);

VISIBLE_IF_KUNIT struct hlist_head *kt_alloc_table(unsigned int bits)
{
	KUNIT_STATIC_STUB_REDIRECT(kt_alloc_table, bits);
	/* A failure only leaves chains longer: no warning. */
	return kvzalloc_objs(struct hlist_head, 1U << bits,
			     GFP_KERNEL | __GFP_NOWARN);
}
EXPORT_SYMBOL_IF_KUNIT(kt_alloc_table);

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
 * table and no owner, and its lock may not be a valid one, so it is
 * refused before anything in it is touched.
 */
static bool kt_usable(const struct kalloc_track *t, const char *what,
		      unsigned long ip)
{
	if (likely(t && READ_ONCE(t->table) && READ_ONCE(t->owner)))
		return true;
	atomic_long_inc(&kt_bad_trackers);
	kt_report_ratelimited(KT_ERR, "%s from %pS refused: %s tracker", what,
			      (void *)ip, t ? "uninitialised" : "NULL");
	return false;
}

static inline struct hlist_head *kt_bucket(struct hlist_head *table,
					   unsigned int bits,
					   unsigned long addr)
{
	return &table[hash_long(addr, bits)];
}

static struct kt_record *kt_lookup_locked(struct kalloc_track *t,
					  unsigned long addr)
{
	struct kt_record *rec;
	unsigned int i;

	lockdep_assert_held(&t->lock);

	hlist_for_each_entry(rec, kt_bucket(t->table, t->bits, addr), node)
		if (rec->addr == addr)
			return rec;
	if (!t->old_table)
		return NULL;
	i = hash_long(addr, t->old_bits);
	if (i < t->migrated)
		return NULL;
	hlist_for_each_entry(rec, &t->old_table[i], node)
		if (rec->addr == addr)
			return rec;
	return NULL;
}

static const struct kalloc_track_freed *
kt_history_lookup_locked(struct kalloc_track *t, unsigned long addr)
{
	unsigned int i, slot;

	lockdep_assert_held(&t->lock);

	/* Newest first, so that the report names the latest release. */
	for (i = 1; i <= KALLOC_TRACK_HISTORY; i++) {
		slot = (t->history_next - i) & (KALLOC_TRACK_HISTORY - 1);
		if (t->history[slot].addr == addr)
			return &t->history[slot];
	}
	return NULL;
}

static bool kt_needs_grow_locked(struct kalloc_track *t)
{
	lockdep_assert_held(&t->lock);
	return t->stats.live > (2UL << t->bits) && t->bits < KT_MAX_BITS &&
	       !t->resizing && !t->dead;
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
 * kalloc_track_destroy() waits for the claim to go after it unlisted the
 * tracker (the module notifier relies on RCU instead). Nothing global is held while a tracker is
 * handled, so a destroy waits only for work on its own tracker, never
 * for an allocation made for another one.
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

	spin_lock_irqsave(&kt_trackers_lock, flags);
	if (t->listed) {
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
 * Grow @t's table by KT_GROW_BITS. The new table is allocated here, in
 * process context, and the records are moved KT_MIGRATE_BATCH buckets
 * per lock hold; lookups meanwhile search the unmigrated part of the old
 * table too. Only this function changes ->bits and ->old_table of a live
 * tracker, with the tracker claimed (or, in tests, with ->resizing set
 * so that nothing else resizes it).
 */
VISIBLE_IF_KUNIT void kt_resize(struct kalloc_track *t)
{
	struct hlist_head *new, *old;
	struct kt_record *rec;
	struct hlist_node *tmp;
	unsigned int bits, n, i, j;
	unsigned long flags;
	bool again;

	bits = kt_grow_bits(READ_ONCE(t->bits));
	new = kt_alloc_table(bits);
	if (!new) {
		/* Chains just get longer; a later add tries again. */
		spin_lock_irqsave(&t->lock, flags);
		t->resizing = false;
		spin_unlock_irqrestore(&t->lock, flags);
		return;
	}

	spin_lock_irqsave(&t->lock, flags);
	old = t->table;
	t->old_table = old;
	t->old_bits = t->bits;
	t->migrated = 0;
	t->table = new;
	t->bits = bits;
	spin_unlock_irqrestore(&t->lock, flags);

	n = 1U << t->old_bits;
	for (i = 0; i < n; i += KT_MIGRATE_BATCH) {
		spin_lock_irqsave(&t->lock, flags);
		for (j = i; j < min(n, i + KT_MIGRATE_BATCH); j++) {
			hlist_for_each_entry_safe(rec, tmp, &old[j], node) {
				hlist_del(&rec->node);
				hlist_add_head(&rec->node,
					       kt_bucket(new, bits, rec->addr));
			}
		}
		t->migrated = min(n, i + KT_MIGRATE_BATCH);
		spin_unlock_irqrestore(&t->lock, flags);
		cond_resched();
	}

	spin_lock_irqsave(&t->lock, flags);
	t->old_table = NULL;
	t->resizing = false;
	again = kt_needs_grow_locked(t);
	if (again)
		t->resizing = true;
	spin_unlock_irqrestore(&t->lock, flags);

	if (old != t->inline_table)
		kvfree(old);
	if (again)
		kt_request(t, KT_WANT_RESIZE);
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
		t->listed = true;
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
 * if @t is set up and not destroyed (a second init would corrupt it).
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
		kt_report_ratelimited(KT_ERR, "%s: init of a tracker in use refused",
				      t->owner);
		return -EBUSY;
	}
	memset(t, 0, sizeof(*t));
	spin_lock_init(&t->lock);
	INIT_LIST_HEAD(&t->node);
	t->owner = owner;
	t->table = t->inline_table;
	t->bits = KALLOC_TRACK_INLINE_BITS;
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
		t->stats.max_size = max_size;
		t->stats.max_live_bytes = max_live_bytes;
	}
	spin_unlock_irqrestore(&t->lock, flags);
	if (ret)
		kt_report_ratelimited(KT_ERR, "%s: set_limits on a destroyed tracker",
				      t->owner);
	return ret;
}
EXPORT_SYMBOL_GPL(kalloc_track_set_limits);

/**
 * kalloc_track_get_stats() - read a tracker's accounting
 * @t: the tracker
 * @st: where to store a consistent snapshot
 *
 * Context: Any context. Takes @t's lock with interrupts disabled.
 * Return: 0, or -EINVAL if @t is NULL or not set up (then @st is zeroed).
 */
int kalloc_track_get_stats(struct kalloc_track *t,
			   struct kalloc_track_stats *st)
{
	unsigned long flags;

	if (!kt_usable(t, "get_stats", _RET_IP_)) {
		*st = (struct kalloc_track_stats){ };
		return -EINVAL;
	}
	spin_lock_irqsave(&t->lock, flags);
	*st = t->stats;
	spin_unlock_irqrestore(&t->lock, flags);
	return 0;
}
EXPORT_SYMBOL_GPL(kalloc_track_get_stats);

/* Why an add's arguments are bad, or NULL when they are fine. */
static const char *kt_check_add(struct kalloc_track *t, const char *name,
				size_t size, gfp_t gfp)
{
	size_t len;

	if (!name)
		return "NULL name";
	len = strnlen(name, KALLOC_TRACK_NAME_MAX + 1);
	if (!len)
		return "empty name";
	if (len > KALLOC_TRACK_NAME_MAX)
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
 * Reserve @size bytes against the live limit before anything is
 * allocated, so that an add the limit will refuse never allocates (and
 * never triggers reclaim). Return: true if the add may go on.
 */
static bool kt_reserve(struct kalloc_track *t, size_t size, size_t *limit)
{
	unsigned long flags;
	bool ok;

	spin_lock_irqsave(&t->lock, flags);
	*limit = t->stats.max_live_bytes;
	ok = !*limit || t->stats.live_bytes + t->reserved + size <= *limit;
	if (ok)
		t->reserved += size;
	else
		t->stats.refused++;
	spin_unlock_irqrestore(&t->lock, flags);
	return ok;
}

static void kt_report_over_limit(struct kalloc_track *t, const char *name,
				 size_t size, unsigned long caller,
				 size_t limit)
{
	kt_report_ratelimited(KT_WARN,
			      "%s: add of '%s' (%zu bytes) from %pS refused: over the %zu byte limit of live memory",
			      t->owner, name, size, (void *)caller, limit);
}

static void *kt_add(struct kalloc_track *t, const char *name, size_t size,
		    gfp_t gfp, unsigned long caller)
{
	size_t max_size, limit = 0, reserved = 0;
	struct kt_record *rec;
	const char *why;
	unsigned long flags;
	bool grow;
	void *p;

	if (unlikely(!kt_usable(t, "add", caller)))
		return NULL;
	why = kt_check_add(t, name, size, gfp);
	if (unlikely(why)) {
		kt_count(t, &t->stats.bad_input);
		kt_report_ratelimited(KT_ERR,
				      "%s: add of '%.*s' (%zu bytes, %pGg) from %pS refused: %s",
				      t->owner, KALLOC_TRACK_NAME_MAX, name, size,
				      &gfp, (void *)caller, why);
		return NULL;
	}
	max_size = READ_ONCE(t->stats.max_size);
	if (unlikely(max_size && size > max_size)) {
		kt_count(t, &t->stats.refused);
		kt_report_ratelimited(KT_WARN,
				      "%s: add of '%s' (%zu bytes) from %pS refused: over the %zu byte limit per allocation",
				      t->owner, name, size, (void *)caller,
				      max_size);
		return NULL;
	}
	if (unlikely(READ_ONCE(t->stats.max_live_bytes))) {
		if (!kt_reserve(t, size, &limit)) {
			kt_report_over_limit(t, name, size, caller, limit);
			return NULL;
		}
		reserved = size;
	}
	if (unlikely(!READ_ONCE(t->listed)))
		kt_register(t);

	/* Metadata first: if it fails, there is no payload to lose. */
	rec = kt_alloc_record(gfp & KT_META_GFP);
	if (unlikely(!rec))
		goto fail;
	p = kt_alloc_payload(size, gfp, caller);
	if (unlikely(!p)) {
		kt_free_record(rec);
		goto fail;
	}
	rec->addr = (unsigned long)p;
	rec->name = name;
	rec->size = size;
	rec->gfp = gfp;
	rec->caller = caller;
	rec->stamp = jiffies;
	rec->stack = kt_stack(gfp & KT_META_GFP);

	spin_lock_irqsave(&t->lock, flags);
	t->reserved -= reserved;
	if (unlikely(t->dead)) {
		why = "tracker destroyed";
		t->stats.bad_input++;
	} else if (unlikely(!reserved && t->stats.max_live_bytes &&
			    t->stats.live_bytes + t->reserved + size >
			    t->stats.max_live_bytes)) {
		/* The limit was set while this add was under way. */
		limit = t->stats.max_live_bytes;
		t->stats.refused++;
	} else {
		hlist_add_head(&rec->node,
			       kt_bucket(t->table, t->bits, rec->addr));
		t->stats.live++;
		t->stats.live_bytes += size;
		t->stats.peak_bytes = max(t->stats.peak_bytes,
					  t->stats.live_bytes);
		t->stats.adds++;
		grow = kt_needs_grow_locked(t);
		if (unlikely(grow))
			t->resizing = true;
		spin_unlock_irqrestore(&t->lock, flags);
		if (unlikely(grow))
			kt_request(t, KT_WANT_RESIZE);
		return p;
	}
	spin_unlock_irqrestore(&t->lock, flags);
	kfree(p);
	kt_free_record(rec);
	if (why)
		kt_report_ratelimited(KT_ERR, "%s: add of '%s' from %pS refused: %s",
				      t->owner, name, (void *)caller, why);
	else
		kt_report_over_limit(t, name, size, caller, limit);
	return NULL;

fail:
	spin_lock_irqsave(&t->lock, flags);
	t->reserved -= reserved;
	t->stats.failed++;
	spin_unlock_irqrestore(&t->lock, flags);
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
 * in atomic context. Takes @t's lock with interrupts disabled.
 * Return: the memory, or NULL when an argument is bad (counted in
 * bad_input), a limit is reached (refused) or memory ran out (failed).
 */
void *kalloc_track_add_noprof(struct kalloc_track *t, const char *name,
			      size_t size, gfp_t gfp)
{
	return kt_add(t, name, size, gfp, _RET_IP_);
}
EXPORT_SYMBOL_GPL(kalloc_track_add_noprof);

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
void *kalloc_track_add_array_noprof(struct kalloc_track *t,
				    const char *name, size_t n, size_t size,
				    gfp_t gfp)
{
	size_t bytes;

	if (unlikely(!kt_usable(t, "add", _RET_IP_)))
		return NULL;
	if (unlikely(check_mul_overflow(n, size, &bytes))) {
		kt_count(t, &t->stats.bad_input);
		kt_report_ratelimited(KT_ERR,
				      "%s: add of '%.*s' from %pS refused: %zu x %zu bytes overflows",
				      t->owner, KALLOC_TRACK_NAME_MAX, name,
				      (void *)_RET_IP_, n, size);
		return NULL;
	}
	return kt_add(t, name, bytes, gfp | __GFP_ZERO, _RET_IP_);
}
EXPORT_SYMBOL_GPL(kalloc_track_add_array_noprof);

/*
 * Copy the owner of @addr, if another tracker has it, into @owner. The
 * list is walked under RCU, one tracker lock at a time, so that a bad
 * release costs one short lock hold per tracker and never blocks every
 * other CPU behind a global lock.
 */
static bool kt_find_owner(struct kalloc_track *self, unsigned long addr,
			  char *owner, size_t len)
{
	struct kalloc_track *t;
	unsigned long flags;
	bool found = false;

	rcu_read_lock();
	list_for_each_entry_rcu(t, &kt_trackers, node) {
		if (t == self)
			continue;
		spin_lock_irqsave(&t->lock, flags);
		found = !t->dead && kt_lookup_locked(t, addr);
		if (found)
			strscpy(owner, t->owner, len);
		spin_unlock_irqrestore(&t->lock, flags);
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
	const struct kalloc_track_freed *h;
	struct kalloc_track_freed last;
	char owner[KALLOC_TRACK_NAME_MAX + 1];
	unsigned long flags;

	spin_lock_irqsave(&t->lock, flags);
	h = kt_history_lookup_locked(t, addr);
	if (h) {
		last = *h;
		t->stats.double_frees++;
	}
	spin_unlock_irqrestore(&t->lock, flags);
	if (h) {
		kt_report_double_free(t, &last, ip);
		return -EALREADY;
	}

	if (kt_find_owner(t, addr, owner, sizeof(owner))) {
		kt_count(t, &t->stats.foreign_frees);
		kt_report_ratelimited(KT_ERR,
				      "%s: release of %p from %pS refused: it belongs to tracker '%s'",
				      t->owner, (void *)addr, (void *)ip, owner);
		return -EXDEV;
	}

	kt_count(t, &t->stats.invalid_frees);
	kt_report_ratelimited(KT_ERR, "%s: invalid free of %p from %pS: not tracked, nothing freed",
			      t->owner, (void *)addr, (void *)ip);
	return -ENOENT;
}

/**
 * __kalloc_track_release() - kalloc_track_release() body
 * @t: the tracker
 * @p: the memory to free
 *
 * Call kalloc_track_release() instead, which also NULLs the pointer.
 *
 * Context: Any context. Takes @t's lock with interrupts disabled.
 * Return: As kalloc_track_release().
 */
int __kalloc_track_release(struct kalloc_track *t, const void *p)
{
	unsigned long addr = (unsigned long)p, ip = _RET_IP_, flags;
	struct kalloc_track_freed *h;
	depot_stack_handle_t stack;
	struct kt_record *rec;

	/* As kfree(NULL): nothing to do, whatever state @t is in. */
	if (unlikely(!p))
		return KALLOC_TRACK_WAS_NULL;
	if (unlikely(!kt_usable(t, "release", ip)))
		return -EINVAL;

	/* Outside the lock: a stack costs more than the rest of a release. */
	stack = kt_stack(GFP_NOWAIT);

	spin_lock_irqsave(&t->lock, flags);
	if (unlikely(t->dead)) {
		t->stats.bad_input++;
		spin_unlock_irqrestore(&t->lock, flags);
		kt_report_ratelimited(KT_ERR, "%s: release from %pS refused: tracker destroyed",
				      t->owner, (void *)ip);
		return -EINVAL;
	}
	rec = kt_lookup_locked(t, addr);
	if (unlikely(!rec)) {
		spin_unlock_irqrestore(&t->lock, flags);
		return kt_bad_release(t, addr, ip);
	}
	hlist_del(&rec->node);
	t->stats.live--;
	t->stats.live_bytes -= rec->size;
	t->stats.releases++;
	h = &t->history[t->history_next++ & (KALLOC_TRACK_HISTORY - 1)];
	h->addr = addr;
	h->name = rec->name;
	h->size = rec->size;
	h->alloc_ip = rec->caller;
	h->release_ip = ip;
	h->alloc_stack = rec->stack;
	h->release_stack = stack;
	spin_unlock_irqrestore(&t->lock, flags);

	kfree(p);
	kt_free_record(rec);
	return KALLOC_TRACK_RELEASED;
}
EXPORT_SYMBOL_GPL(__kalloc_track_release);

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
 * Context: Process context; may sleep (it waits for the deferred work
 * and for an RCU grace period).
 * Return: the number of leaks.
 */
unsigned int kalloc_track_destroy(struct kalloc_track *t)
{
	struct kt_record *rec;
	struct hlist_node *tmp;
	HLIST_HEAD(leaked);
	unsigned long flags;
	unsigned int leaks, i;
	size_t bytes = 0;
	bool listed;

	might_sleep();
	if (!kt_usable(t, "destroy", _RET_IP_))
		return 0;
	spin_lock_irqsave(&t->lock, flags);
	if (t->dead) {
		t->stats.bad_input++;
		spin_unlock_irqrestore(&t->lock, flags);
		kt_report_ratelimited(KT_ERR, "%s: destroyed twice", t->owner);
		/* A destroy under way: let it finish before the caller frees. */
		wait_var_event(&t->gone, smp_load_acquire(&t->gone));
		return 0;
	}
	t->dead = true;
	spin_unlock_irqrestore(&t->lock, flags);

	/* ->dead is set, so kt_register() can no longer list @t again. */
	spin_lock_irqsave(&kt_trackers_lock, flags);
	listed = t->listed;
	if (listed) {
		list_del_rcu(&t->node);
		t->listed = false;
		t->pending = 0;
	}
	spin_unlock_irqrestore(&kt_trackers_lock, flags);
	if (listed) {
		/*
		 * The work may hold @t right now: wait for it, then remove
		 * the directory (debugfs waits for readers; later reads get
		 * -EIO). Then let every RCU reader of the list (a wrong-owner
		 * lookup, the module notifier) move past @t.
		 */
		wait_var_event(&t->busy, !smp_load_acquire(&t->busy));
		kt_debugfs_remove(t);
		synchronize_rcu();
	}

	/*
	 * ->dead keeps adds and releases out, and a resize always finishes
	 * its migration before letting go of the tracker, so the table is
	 * ours and ->old_table is NULL: gather the leaks, then report them
	 * without the lock held.
	 */
	for (i = 0; i < 1U << t->bits; i++) {
		hlist_for_each_entry_safe(rec, tmp, &t->table[i], node)
			hlist_add_head(&rec->node, &leaked);
		if (!(i % KT_MIGRATE_BATCH))
			cond_resched();
	}
	if (t->table != t->inline_table)
		kvfree(t->table);
	memset(t->inline_table, 0, sizeof(t->inline_table));
	t->table = t->inline_table;
	t->bits = KALLOC_TRACK_INLINE_BITS;
	t->resizing = false;

	leaks = kt_report_leaks(t, &leaked, &bytes);

	spin_lock_irqsave(&t->lock, flags);
	t->stats.leaks += leaks;
	t->stats.live = 0;
	t->stats.live_bytes = 0;
	spin_unlock_irqrestore(&t->lock, flags);

	if (leaks)
		kt_report(KT_ERR, "%s: %u allocation(s) of %zu bytes leaked at destroy%s",
			  t->owner, leaks, bytes,
			  leaks > KT_LEAKS_PRINTED ? ", first ones listed" : "");
	store_release_wake_up(&t->gone, true);
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
 * Redirect @t's strings that live in @mod, KT_MIGRATE_BATCH buckets per
 * lock hold. Buckets are numbered across the table and the unmigrated
 * part of the old one; a resize that moves records meanwhile restarts
 * the walk, so that no record is missed. Called under rcu_read_lock(),
 * which keeps @t from being freed; a destroyed @t is left alone.
 */
static void kt_scrub_tracker(struct kalloc_track *t, struct module *mod)
{
	struct hlist_head *table = NULL, *old = NULL;
	unsigned int bits = 0, old_bits = 0, migrated = 0, k = 0, n = 0;
	unsigned int end, i;
	struct kt_record *rec;
	unsigned long flags;

	for (;;) {
		spin_lock_irqsave(&t->lock, flags);
		if (t->dead)
			break;
		if (!table || t->table != table || t->old_table != old ||
		    t->migrated != migrated) {
			table = t->table;
			bits = t->bits;
			old = t->old_table;
			old_bits = t->old_bits;
			migrated = t->migrated;
			n = (1U << bits) + (old ? 1U << old_bits : 0);
			k = 0;
			kt_scrub_name(&t->owner, mod);
		}
		end = min(n, k + KT_MIGRATE_BATCH);
		/* Releases since the last batch put names in the history. */
		for (i = 0; i < KALLOC_TRACK_HISTORY; i++)
			kt_scrub_name(&t->history[i].name, mod);
		for (; k < end; k++) {
			i = k - (1U << bits);
			if (k < 1U << bits)
				hlist_for_each_entry(rec, &table[k], node)
					kt_scrub_name(&rec->name, mod);
			else if (i >= migrated)
				hlist_for_each_entry(rec, &old[i], node)
					kt_scrub_name(&rec->name, mod);
		}
		if (k == n)
			break;
		spin_unlock_irqrestore(&t->lock, flags);
	}
	spin_unlock_irqrestore(&t->lock, flags);
}

VISIBLE_IF_KUNIT int kt_module_going(struct module *mod)
{
	struct kalloc_track *t;
	int n = 0;

	while ((t = kt_next_in_module(mod))) {
		kt_report(KT_ERR,
			  "%s: tracker %ps of module %s not destroyed before unload; destroying it now",
			  t->owner, t, mod->name);
		kalloc_track_destroy(t);
		n++;
	}
	rcu_read_lock();
	list_for_each_entry_rcu(t, &kt_trackers, node)
		kt_scrub_tracker(t, mod);
	rcu_read_unlock();
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
