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
 * Only the first case is on the fast path. The table grows from a work
 * item, in batches of buckets, so that no add or release ever walks more
 * than a short chain or allocates the table itself.
 */

#define pr_fmt(fmt) "kalloc_track: " fmt

#include <kunit/static_stub.h>
#include <kunit/visibility.h>
#include <linux/hash.h>
#include <linux/init.h>
#include <linux/jiffies.h>
#include <linux/kalloc_track.h>
#include <linux/kmemleak.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "internal.h"

/* Grow a table by this many bits once it holds two records per bucket. */
#define KT_GROW_BITS		2
#define KT_MAX_BITS		22
/* Buckets moved per lock hold while a table grows. */
#define KT_MIGRATE_BATCH	64

/*
 * GFP bits that apply to our own metadata: how hard to try, not where
 * the memory comes from (__GFP_DMA, __GFP_ACCOUNT and __GFP_ZERO are for
 * the payload only).
 */
#define KT_META_GFP	(__GFP_HIGH | __GFP_IO | __GFP_FS | __GFP_RECLAIM | \
			 __GFP_NOWARN | __GFP_RETRY_MAYFAIL | __GFP_NOFAIL | \
			 __GFP_NORETRY | __GFP_MEMALLOC | __GFP_NOMEMALLOC)

/* GFP bits that slab rejects (GFP_SLAB_BUG_MASK in mm/internal.h). */
#define KT_BAD_GFP	(__GFP_DMA32 | __GFP_HIGHMEM | ~__GFP_BITS_MASK)

static_assert((KALLOC_TRACK_HISTORY & (KALLOC_TRACK_HISTORY - 1)) == 0);

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
 * own tracker can tell a wrong-owner free from an invalid one. The lock
 * protects kt_trackers and every tracker's ->node and ->listed. It is
 * taken with interrupts disabled, as releases may come from interrupts,
 * and only on the error path of a release, on a tracker's first use and
 * at destroy. It nests outside tracker locks: never take it while
 * holding one.
 */
static LIST_HEAD(kt_trackers);
static DEFINE_SPINLOCK(kt_trackers_lock);

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
	return kvzalloc_objs(struct hlist_head, 1U << bits, GFP_KERNEL);
}
EXPORT_SYMBOL_IF_KUNIT(kt_alloc_table);

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

/*
 * Grow the table by KT_GROW_BITS. The new table is allocated here, in
 * process context, and the records are moved KT_MIGRATE_BATCH buckets
 * per lock hold; lookups meanwhile search the unmigrated part of the old
 * table too. Only this work item changes ->bits and ->old_table.
 */
VISIBLE_IF_KUNIT void kt_resize_work(struct work_struct *work)
{
	struct kalloc_track *t = container_of(work, struct kalloc_track,
					      resize_work);
	struct hlist_head *new, *old;
	struct kt_record *rec;
	struct hlist_node *tmp;
	unsigned int bits, n, i, j;
	unsigned long flags;
	bool again;

	bits = READ_ONCE(t->bits) + KT_GROW_BITS;
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
		queue_work(system_dfl_wq, &t->resize_work);
}
EXPORT_SYMBOL_IF_KUNIT(kt_resize_work);

static void kt_register(struct kalloc_track *t)
{
	unsigned long flags;

	spin_lock_irqsave(&kt_trackers_lock, flags);
	if (!t->listed) {
		INIT_WORK(&t->resize_work, kt_resize_work);
		list_add_tail(&t->node, &kt_trackers);
		WRITE_ONCE(t->listed, true);
		kt_debugfs_add(t);
	}
	spin_unlock_irqrestore(&kt_trackers_lock, flags);
}

/*
 * The next tracker waiting for its debugfs directory, for the debugfs
 * work item. The caller holds kt_debugfs_mutex, which destroy takes too,
 * so the tracker stays valid until the caller lets go of the mutex.
 */
struct kalloc_track *kt_next_debugfs_pending(void)
{
	struct kalloc_track *t, *found = NULL;
	unsigned long flags;

	spin_lock_irqsave(&kt_trackers_lock, flags);
	list_for_each_entry(t, &kt_trackers, node) {
		if (t->debugfs_pending) {
			t->debugfs_pending = false;
			found = t;
			break;
		}
	}
	spin_unlock_irqrestore(&kt_trackers_lock, flags);
	return found;
}

/**
 * kalloc_track_init() - set up a tracker
 * @t: the tracker, new or destroyed
 * @owner: name of the owner, shown in reports; it must outlive @t
 *
 * The tracker starts with no limits; see kalloc_track_set_limits(). It
 * allocates nothing until the first add.
 *
 * Context: Any context.
 * Return: 0, or -EINVAL if @t or @owner is NULL or @owner is empty.
 */
int kalloc_track_init(struct kalloc_track *t, const char *owner)
{
	if (!t || !owner || !*owner) {
		pr_err("init: NULL tracker or empty owner name\n");
		return -EINVAL;
	}
	memset(t, 0, sizeof(*t));
	spin_lock_init(&t->lock);
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
 * Return: 0, or -EINVAL if @t is NULL or destroyed.
 */
int kalloc_track_set_limits(struct kalloc_track *t, size_t max_size,
			    size_t max_live_bytes)
{
	unsigned long flags;
	int ret = 0;

	if (!t) {
		pr_err("set_limits: NULL tracker\n");
		return -EINVAL;
	}
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
		pr_err_ratelimited("%s: set_limits on a destroyed tracker\n",
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
 * Return: 0, or -EINVAL if @t is NULL (then @st is zeroed).
 */
int kalloc_track_get_stats(struct kalloc_track *t,
			   struct kalloc_track_stats *st)
{
	unsigned long flags;

	if (!t) {
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

static void kt_count(struct kalloc_track *t, unsigned long *counter)
{
	unsigned long flags;

	spin_lock_irqsave(&t->lock, flags);
	(*counter)++;
	spin_unlock_irqrestore(&t->lock, flags);
}

static void *kt_add(struct kalloc_track *t, const char *name, size_t size,
		    gfp_t gfp, unsigned long caller)
{
	struct kt_record *rec;
	const char *why;
	unsigned long flags;
	size_t max_size, limit = 0;
	bool grow;
	void *p;

	if (unlikely(!t)) {
		pr_err_ratelimited("add from %pS: NULL tracker\n",
				   (void *)caller);
		return NULL;
	}
	why = kt_check_add(t, name, size, gfp);
	if (unlikely(why)) {
		kt_count(t, &t->stats.bad_input);
		pr_err_ratelimited("%s: add of '%.*s' (%zu bytes, %pGg) from %pS refused: %s\n",
				   t->owner, KALLOC_TRACK_NAME_MAX, name, size,
				   &gfp, (void *)caller, why);
		return NULL;
	}
	max_size = READ_ONCE(t->stats.max_size);
	if (unlikely(max_size && size > max_size)) {
		kt_count(t, &t->stats.refused);
		pr_warn_ratelimited("%s: add of '%s' (%zu bytes) from %pS refused: over the %zu byte limit per allocation\n",
				    t->owner, name, size, (void *)caller,
				    max_size);
		return NULL;
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
	if (unlikely(t->dead)) {
		why = "tracker destroyed";
		t->stats.bad_input++;
	} else if (unlikely(t->stats.max_live_bytes &&
			    t->stats.live_bytes + size > t->stats.max_live_bytes)) {
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
			queue_work(system_dfl_wq, &t->resize_work);
		return p;
	}
	spin_unlock_irqrestore(&t->lock, flags);
	kfree(p);
	kt_free_record(rec);
	if (why)
		pr_err_ratelimited("%s: add of '%s' from %pS refused: %s\n",
				   t->owner, name, (void *)caller, why);
	else
		pr_warn_ratelimited("%s: add of '%s' (%zu bytes) from %pS refused: over the %zu byte limit of live memory\n",
				    t->owner, name, size, (void *)caller,
				    limit);
	return NULL;

fail:
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
 * never with kfree(). The name is not copied.
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

	if (unlikely(check_mul_overflow(n, size, &bytes))) {
		if (t)
			kt_count(t, &t->stats.bad_input);
		pr_err_ratelimited("%s: add of '%.*s' from %pS refused: %zu x %zu bytes overflows\n",
				   t ? t->owner : "(null)",
				   KALLOC_TRACK_NAME_MAX, name, (void *)_RET_IP_,
				   n, size);
		return NULL;
	}
	return kt_add(t, name, bytes, gfp | __GFP_ZERO, _RET_IP_);
}
EXPORT_SYMBOL_GPL(kalloc_track_add_array_noprof);

/* Copy the owner of @addr, if another tracker has it, into @owner. */
static bool kt_find_owner(struct kalloc_track *self, unsigned long addr,
			  char *owner, size_t len)
{
	struct kalloc_track *t;
	unsigned long flags;
	bool found = false;

	spin_lock_irqsave(&kt_trackers_lock, flags);
	list_for_each_entry(t, &kt_trackers, node) {
		if (t == self)
			continue;
		spin_lock(&t->lock);
		found = !!kt_lookup_locked(t, addr);
		if (found)
			strscpy(owner, t->owner, len);
		spin_unlock(&t->lock);
		if (found)
			break;
	}
	spin_unlock_irqrestore(&kt_trackers_lock, flags);
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
		pr_err_ratelimited("%s: release of %p from %pS refused: it belongs to tracker '%s'\n",
				   t->owner, (void *)addr, (void *)ip, owner);
		return -EXDEV;
	}

	kt_count(t, &t->stats.invalid_frees);
	pr_err_ratelimited("%s: invalid free of %p from %pS: not tracked, nothing freed\n",
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

	if (unlikely(!t)) {
		pr_err_ratelimited("release from %pS: NULL tracker\n",
				   (void *)ip);
		return -EINVAL;
	}

	if (unlikely(!p) && likely(!READ_ONCE(t->dead)))
		return KALLOC_TRACK_WAS_NULL;

	/* Outside the lock: a stack costs more than the rest of a release. */
	stack = kt_stack(GFP_NOWAIT);

	spin_lock_irqsave(&t->lock, flags);
	if (unlikely(t->dead)) {
		t->stats.bad_input++;
		spin_unlock_irqrestore(&t->lock, flags);
		pr_err_ratelimited("%s: release from %pS refused: tracker destroyed\n",
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
 * until kalloc_track_init() sets it up again. Nothing may use @t
 * concurrently with this call.
 *
 * Context: Process context; may sleep.
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

	might_sleep();
	if (!t) {
		pr_err("destroy: NULL tracker\n");
		return 0;
	}
	spin_lock_irqsave(&t->lock, flags);
	if (t->dead) {
		t->stats.bad_input++;
		spin_unlock_irqrestore(&t->lock, flags);
		pr_err("%s: destroyed twice\n", t->owner);
		return 0;
	}
	t->dead = true;
	spin_unlock_irqrestore(&t->lock, flags);

	if (t->listed) {
		spin_lock_irqsave(&kt_trackers_lock, flags);
		list_del(&t->node);
		WRITE_ONCE(t->listed, false);
		t->debugfs_pending = false;
		spin_unlock_irqrestore(&kt_trackers_lock, flags);
		/* Waits for debugfs readers; later reads get -EIO. */
		kt_debugfs_remove(t);
		cancel_work_sync(&t->resize_work);
	}

	/*
	 * ->dead keeps adds and releases out and no resize is running, so
	 * the tables are ours: gather the leaks, then report them without
	 * the lock held.
	 */
	if (t->old_table) {
		for (i = t->migrated; i < 1U << t->old_bits; i++)
			hlist_for_each_entry_safe(rec, tmp, &t->old_table[i], node)
				hlist_add_head(&rec->node, &leaked);
		if (t->old_table != t->inline_table)
			kvfree(t->old_table);
		t->old_table = NULL;
	}
	for (i = 0; i < 1U << t->bits; i++)
		hlist_for_each_entry_safe(rec, tmp, &t->table[i], node)
			hlist_add_head(&rec->node, &leaked);
	if (t->table != t->inline_table)
		kvfree(t->table);
	memset(t->inline_table, 0, sizeof(t->inline_table));
	t->table = t->inline_table;
	t->bits = KALLOC_TRACK_INLINE_BITS;

	leaks = kt_report_leaks(t, &leaked, &bytes);

	spin_lock_irqsave(&t->lock, flags);
	t->stats.leaks += leaks;
	t->stats.live = 0;
	t->stats.live_bytes = 0;
	spin_unlock_irqrestore(&t->lock, flags);

	if (leaks)
		pr_err("%s: %u allocation(s) of %zu bytes leaked at destroy%s\n",
		       t->owner, leaks, bytes,
		       leaks > KT_LEAKS_PRINTED ? ", first ones listed" : "");
	return leaks;
}
EXPORT_SYMBOL_GPL(kalloc_track_destroy);

static int __init kalloc_track_setup(void)
{
	kt_record_cache = kmem_cache_create("kalloc_track_record",
					    sizeof(struct kt_record), NULL, 0);
	if (!kt_record_cache)
		pr_err("no record cache: every add will fail\n");
	if (kt_stacks_setup())
		pr_err("no stack depot: stack traces stay off\n");
	return 0;
}
core_initcall(kalloc_track_setup);
