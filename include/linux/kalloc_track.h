/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kalloc_track - owner-scoped tracked allocations
 *
 * A tracker belongs to one owner (a driver, a subsystem instance). Code
 * allocates through it with kalloc_track_add() and frees with
 * kalloc_track_release(), which NULLs the caller's pointer. The tracker
 * records name, size, GFP flags and caller of every live allocation,
 * catches double, invalid and wrong-owner frees without reading the
 * memory being freed, keeps per-owner accounting with optional limits,
 * and reports leaks when it is destroyed.
 *
 * See Documentation/core-api/kalloc_track.rst.
 */
#ifndef _LINUX_KALLOC_TRACK_H
#define _LINUX_KALLOC_TRACK_H

#include <linux/alloc_tag.h>
#include <linux/atomic.h>
#include <linux/build_bug.h>
#include <linux/cache.h>
#include <linux/cleanup.h>
#include <linux/compiler.h>
#include <linux/gfp_types.h>
#include <linux/list.h>
#include <linux/slab.h>
#include <linux/spinlock_types.h>
#include <linux/types.h>

/* Longest allocation name accepted, not counting the terminating NUL. */
#define KALLOC_TRACK_NAME_MAX	64

/*
 * A name whose length is a constant expression, a string literal always,
 * is checked when the caller is built, as fortify's strlen() tells one:
 * an empty or longer one does not build, nor NULL (or any void *). Other
 * names are checked at each add. None of these evaluates @name.
 */
#define __kalloc_track_name_void(name)					\
	__builtin_types_compatible_p(typeof(name), void *)

/* @name, or a stand-in for a void * one, which has its own error. */
#define __kalloc_track_name_str(name)					\
	__builtin_choose_expr(__kalloc_track_name_void(name), "-", (name))

#define __kalloc_track_name_known(name)					\
	__is_constexpr(__builtin_strlen(__kalloc_track_name_str(name)))

/* The length of a known name; 1 for others. */
#define __kalloc_track_name_len(name)					\
	__builtin_choose_expr(__kalloc_track_name_known(name),		\
			      __builtin_strlen(__kalloc_track_name_str(name)), 1)

/*
 * A build error if @name is known and bad, in code the compiler drops
 * too. Block-scope static_assert()s rather than BUILD_BUG_ON_ZERO()
 * expressions, whose struct makes clang 14 and 16 read __func__ as "".
 */
#define __kalloc_track_check_name(name)					\
do {									\
	static_assert(!__kalloc_track_name_void(name),			\
		      "kalloc_track: a name is a string, not NULL");	\
	static_assert(__kalloc_track_name_len(name) >= 1 &&		\
		      __kalloc_track_name_len(name) <=			\
		      KALLOC_TRACK_NAME_MAX,				\
		      "kalloc_track: a name has 1 to KALLOC_TRACK_NAME_MAX characters"); \
} while (0)

/* Releases remembered per shard of a tracker to recognise a double free. */
#define KALLOC_TRACK_HISTORY	16

/* kalloc_track_release() results that are not errors. */
#define KALLOC_TRACK_RELEASED	0
#define KALLOC_TRACK_WAS_NULL	1

/**
 * struct kalloc_track_stats - accounting of one tracker
 * @live: allocations currently tracked
 * @live_bytes: bytes currently tracked
 * @peak_bytes: highest @live_bytes seen, counting the bytes of adds
 *	under way, which reserve their size before they allocate
 * @meta_bytes: memory the tracker uses for its bookkeeping: shards,
 *	tables, and records live or pooled, at the record cache's object
 *	size (slab pages' own overhead is not counted)
 * @adds: successful adds
 * @releases: successful releases
 * @failed: adds that failed because memory ran out
 * @refused: adds refused by a limit
 * @bad_input: calls rejected for bad arguments or a destroyed tracker
 * @double_frees: releases of an address this tracker released recently
 * @foreign_frees: releases of an address owned by another tracker
 * @invalid_frees: releases of an address that was never tracked
 * @leaks: allocations still live when the tracker was destroyed
 * @max_size: limit on one allocation in bytes, 0 for none
 * @max_live_bytes: limit on @live_bytes, 0 for none
 */
struct kalloc_track_stats {
	unsigned long live;
	size_t live_bytes;
	size_t peak_bytes;
	size_t meta_bytes;
	u64 adds;
	u64 releases;
	unsigned long failed;
	unsigned long refused;
	unsigned long bad_input;
	unsigned long double_frees;
	unsigned long foreign_frees;
	unsigned long invalid_frees;
	unsigned long leaks;
	size_t max_size;
	size_t max_live_bytes;
};

#ifdef CONFIG_KALLOC_TRACK

struct dentry;
struct kalloc_track_shard;

/* One remembered release; see KALLOC_TRACK_HISTORY. */
struct kalloc_track_freed {
	unsigned long addr;
	const char *name;
	size_t size;
	unsigned long alloc_ip;
	unsigned long release_ip;
	/* depot_stack_handle_t, 0 without; the extra bits may say kept */
	u32 alloc_stack;
	u32 release_stack;
};

/**
 * struct kalloc_track - an owner's allocation tracker
 * @lock: protects @dead and the error counters, limits and leak count
 *	of @stats; taken with interrupts disabled, never on the fast path
 * @dead: set by kalloc_track_destroy() (or, with
 *	CONFIG_KALLOC_TRACK_DEBUG_OBJECTS, as a tracker in use is freed);
 *	later calls are refused
 * @gone: kalloc_track_destroy() has finished; a second, concurrent
 *	destroy, or the unload of the module the tracker lives in, waits
 *	for it
 * @listed: @node is on the global list of trackers (under its lock)
 * @busy: the deferred work uses the tracker; kalloc_track_destroy()
 *	waits for it to clear
 * @pending: deferred work asked for this tracker (under the list's lock)
 * @owner: name of the owner, shown in reports; never NULL once the
 *	tracker is set up, which is how a zeroed tracker is told apart
 * @shards: the live allocations, split by address into shards that each
 *	have their own lock, table, accounting and release history; NULL
 *	until the first add allocates them, and RCU-protected
 * @live_bytes: bytes live, and bytes of adds under way (reserved against
 *	@stats.max_live_bytes before anything is allocated)
 * @peak_bytes: highest @live_bytes of a successful add
 * @node: entry on the global list of trackers, RCU-protected
 * @debugfs: the tracker's debugfs directory, or NULL; set by the
 *	deferred work, cleared by kalloc_track_destroy()
 * @stats: the counters and limits that are not per shard
 *
 * Embed it in the owner's structure and set it up with
 * kalloc_track_init(), or define it with DEFINE_KALLOC_TRACK(), which
 * initialises everything statically; neither allocates anything. The
 * fields are private to lib/kalloc_track.
 */
struct kalloc_track {
	/* Protects the tracker's cold state; see @lock above. */
	spinlock_t lock;
	bool dead;
	bool gone;
	bool listed;
	bool busy;
	u8 pending;
	const char *owner;
	struct kalloc_track_shard __rcu *shards;
	struct list_head node;
	struct dentry *debugfs;
	/*
	 * Written by every add and release, on any CPU: a cache line of
	 * their own, so that the fields above, which they only read, are
	 * not invalidated each time.
	 */
	atomic_long_t live_bytes ____cacheline_aligned_in_smp;
	atomic_long_t peak_bytes;
	struct kalloc_track_stats stats ____cacheline_aligned_in_smp;
};

/*
 * Everything is set statically, the list node included, so that nothing
 * needs to be published when a static tracker is first used. A NULL or
 * empty owner is refused at compile time where the macro can see it.
 * For trackers in static memory only, through DEFINE_KALLOC_TRACK*():
 * lockdep wants a statically initialised lock to be static. Set up a
 * tracker elsewhere with kalloc_track_init().
 */
#define KALLOC_TRACK_INIT(name, _owner, _max_size, _max_live_bytes) {	\
	.lock = __SPIN_LOCK_UNLOCKED(name.lock),			\
	.owner = (_owner) + BUILD_BUG_ON_ZERO(				\
		__builtin_types_compatible_p(typeof(_owner), void *),	\
		"kalloc_track: the owner of a tracker cannot be NULL") +	\
		BUILD_BUG_ON_ZERO(sizeof(_owner) == 1,			\
		"kalloc_track: the owner of a tracker cannot be empty"),	\
	.node = LIST_HEAD_INIT((name).node),				\
	.stats = {							\
		.max_size = (_max_size),				\
		.max_live_bytes = (_max_live_bytes),			\
	},								\
}

int kalloc_track_init(struct kalloc_track *t, const char *owner);
unsigned int kalloc_track_destroy(struct kalloc_track *t);
int kalloc_track_set_limits(struct kalloc_track *t, size_t max_size,
			    size_t max_live_bytes);
int kalloc_track_get_stats(struct kalloc_track *t,
			   struct kalloc_track_stats *st);

void *kalloc_track_add_noprof(struct kalloc_track *t, const char *name,
			      size_t size, gfp_t gfp)
	__must_check __alloc_size(3);
void *kalloc_track_add_array_noprof(struct kalloc_track *t,
				    const char *name, size_t n, size_t size,
				    gfp_t gfp)
	__must_check __alloc_size(3, 4);
void *__kalloc_track_add_literal_noprof(struct kalloc_track *t,
					const char *name, size_t size,
					gfp_t gfp)
	__must_check __alloc_size(3);
void *__kalloc_track_add_array_literal_noprof(struct kalloc_track *t,
					      const char *name, size_t n,
					      size_t size, gfp_t gfp)
	__must_check __alloc_size(3, 4);
int __kalloc_track_release(struct kalloc_track *t, const void *p);

/* Documented at their bodies, kalloc_track_add{,_array}_noprof(). */
#define kalloc_track_add(t, name, size, gfp)				\
({									\
	const char *__kt_name = (name);					\
	struct kalloc_track *__kt_t = (t);				\
	size_t __kt_size = (size);					\
	gfp_t __kt_gfp = (gfp);						\
									\
	__kalloc_track_check_name(name);				\
	alloc_hooks(__builtin_choose_expr(__kalloc_track_name_known(name), \
		__kalloc_track_add_literal_noprof(__kt_t, __kt_name,	\
						  __kt_size, __kt_gfp),	\
		kalloc_track_add_noprof(__kt_t, __kt_name, __kt_size,	\
					__kt_gfp)));			\
})

/**
 * kalloc_track_add_zeroed() - allocate zeroed memory tracked by @t
 * @t: the tracker
 * @name: what the memory is for, as for kalloc_track_add()
 * @size: bytes to allocate
 * @gfp: allocation flags
 *
 * Context: As kalloc_track_add().
 * Return: As kalloc_track_add().
 */
#define kalloc_track_add_zeroed(t, name, size, gfp)			\
	kalloc_track_add(t, name, size, (gfp) | __GFP_ZERO)

#define kalloc_track_add_array(t, name, n, size, gfp)			\
({									\
	const char *__kt_name = (name);					\
	struct kalloc_track *__kt_t = (t);				\
	size_t __kt_n = (n), __kt_size = (size);			\
	gfp_t __kt_gfp = (gfp);						\
									\
	__kalloc_track_check_name(name);				\
	alloc_hooks(__builtin_choose_expr(__kalloc_track_name_known(name), \
		__kalloc_track_add_array_literal_noprof(__kt_t, __kt_name,	\
							__kt_n, __kt_size,	\
							__kt_gfp),	\
		kalloc_track_add_array_noprof(__kt_t, __kt_name, __kt_n, \
					      __kt_size, __kt_gfp)));	\
})

/**
 * kalloc_track_release() - free tracked memory and NULL the pointer
 * @t: the tracker that allocated the memory
 * @pp: address of the caller's pointer, of any pointer type
 *
 * Looks *@pp up by address in @t, without reading the memory it points
 * to. When @t owns it, frees it and sets *@pp to NULL. Otherwise frees
 * nothing, leaves *@pp alone, logs one ratelimited line and counts the
 * misuse.
 *
 * Context: Any context. Takes the lock of one shard of @t with interrupts
 * disabled.
 * Return:
 * * %KALLOC_TRACK_RELEASED (0) - freed, *@pp is NULL
 * * %KALLOC_TRACK_WAS_NULL (1) - *@pp was already NULL, nothing done
 *   (on a destroyed tracker too, as kfree(NULL))
 * * -EALREADY - double free: @t released this address recently
 * * -EXDEV - wrong owner: another tracker owns this address
 * * -ENOENT - invalid free: no tracker owns this address
 * * -EINVAL - @t is NULL, not set up, or destroyed
 */
#define kalloc_track_release(t, pp)					\
({									\
	typeof(pp) __kt_pp = (pp);					\
	int __kt_ret = __kalloc_track_release((t), *__kt_pp);		\
									\
	if (__kt_ret == KALLOC_TRACK_RELEASED)				\
		*__kt_pp = NULL;					\
	__kt_ret;							\
})

#else /* !CONFIG_KALLOC_TRACK */

struct kalloc_track { };

#define KALLOC_TRACK_INIT(...) { }

static inline int kalloc_track_init(struct kalloc_track *t,
				    const char *owner)
{
	return 0;
}

static inline unsigned int kalloc_track_destroy(struct kalloc_track *t)
{
	return 0;
}

static inline int kalloc_track_set_limits(struct kalloc_track *t,
					  size_t max_size,
					  size_t max_live_bytes)
{
	return 0;
}

static inline int kalloc_track_get_stats(struct kalloc_track *t,
					 struct kalloc_track_stats *st)
{
	*st = (struct kalloc_track_stats){ };
	return 0;
}

/*
 * Names are checked as when tracking is on, so that what builds one way
 * builds the other. The size stays the expression kmalloc() is given.
 */
#define kalloc_track_add(t, name, size, gfp)				\
({									\
	const char *__kt_name = (name);					\
									\
	(void)(t);							\
	(void)__kt_name;						\
	__kalloc_track_check_name(name);				\
	kmalloc(size, gfp);						\
})
#define kalloc_track_add_zeroed(t, name, size, gfp)			\
	kalloc_track_add(t, name, size, (gfp) | __GFP_ZERO)
#define kalloc_track_add_array(t, name, n, size, gfp)			\
({									\
	const char *__kt_name = (name);					\
									\
	(void)(t);							\
	(void)__kt_name;						\
	__kalloc_track_check_name(name);				\
	kcalloc(n, size, gfp);						\
})

#define kalloc_track_release(t, pp)					\
({									\
	typeof(pp) __kt_pp = (pp);					\
	int __kt_ret = *__kt_pp ? KALLOC_TRACK_RELEASED :		\
				  KALLOC_TRACK_WAS_NULL;		\
									\
	(void)(t);							\
	kfree(*__kt_pp);						\
	*__kt_pp = NULL;						\
	__kt_ret;							\
})

#endif /* CONFIG_KALLOC_TRACK */

/**
 * struct kalloc_track_scoped - tracked memory released at scope exit
 * @t: the tracker
 * @p: the memory, or NULL
 *
 * Declare one with CLASS(kalloc_track, name)(tracker, kalloc_track_add(...)).
 * The add is written at the call site, so that /proc/allocinfo charges
 * that line. When the variable goes out of scope, @p is released unless
 * kalloc_track_keep() took it (releasing NULL is a no-op).
 */
struct kalloc_track_scoped {
	struct kalloc_track *t;
	void *p;
};

DEFINE_CLASS(kalloc_track, struct kalloc_track_scoped,
	     kalloc_track_release(_T.t, &_T.p),
	     ((struct kalloc_track_scoped){ .t = tracker, .p = mem }),
	     struct kalloc_track *tracker, void *mem)

/**
 * kalloc_track_keep() - keep scoped memory beyond its scope
 * @s: the scoped variable
 *
 * The memory stays tracked; release it later with kalloc_track_release().
 *
 * Return: the memory, and @s no longer holds it.
 */
#define kalloc_track_keep(s)	__get_and_null((s)->p, NULL)

/**
 * DEFINE_KALLOC_TRACK() - define a tracker with no limits
 * @name: the variable
 * @owner: name of the owner, a string that outlives the tracker
 */
#define DEFINE_KALLOC_TRACK(name, owner)				\
	struct kalloc_track name = KALLOC_TRACK_INIT(name, owner, 0, 0)

/**
 * DEFINE_KALLOC_TRACK_LIMITED() - define a tracker with limits
 * @name: the variable
 * @owner: name of the owner, a string that outlives the tracker
 * @max_size: largest single allocation in bytes, 0 for no limit
 * @max_live_bytes: largest live total in bytes, 0 for no limit
 */
#define DEFINE_KALLOC_TRACK_LIMITED(name, owner, max_size, max_live_bytes) \
	struct kalloc_track name =					\
		KALLOC_TRACK_INIT(name, owner, max_size, max_live_bytes)

#endif /* _LINUX_KALLOC_TRACK_H */
