/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kalloc_track plans: a fixed set of named allocations, declared once,
 * checked at compile time, and allocated all or nothing through a
 * tracker. See Documentation/core-api/kalloc_track.rst.
 */
#ifndef _LINUX_KALLOC_TRACK_PLAN_H
#define _LINUX_KALLOC_TRACK_PLAN_H

#include <linux/array_size.h>
#include <linux/build_bug.h>
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/gfp_types.h>
#include <linux/kalloc_track.h>
#include <linux/slab.h>
#include <linux/types.h>

/**
 * struct kalloc_track_plan_entry - one allocation of a plan
 * @name: what the memory is for, as for kalloc_track_add()
 * @size: bytes to allocate
 * @gfp: allocation flags
 */
struct kalloc_track_plan_entry {
	const char *name;
	size_t size;
	gfp_t gfp;
};

/**
 * struct kalloc_track_plan - a set of allocations made all or nothing
 * @name: the plan's name, for reports
 * @entries: the allocations, in the order of the pointers they fill
 * @n: number of @entries
 * @max_size: largest entry in bytes, 0 for no limit
 * @budget: largest total of the entries in bytes, 0 for no limit
 *
 * Declared with KALLOC_TRACK_PLAN() or KALLOC_TRACK_PLAN_LIMITED(), which
 * also define the structure of pointers it fills, one per entry.
 */
struct kalloc_track_plan {
	const char *name;
	const struct kalloc_track_plan_entry *entries;
	unsigned int n;
	size_t max_size;
	size_t budget;
};

/* GFP bits that slab rejects (GFP_SLAB_BUG_MASK in mm/internal.h). */
#define KALLOC_TRACK_PLAN_BAD_GFP	(__GFP_DMA32 | __GFP_HIGHMEM |	\
					 ~__GFP_BITS_MASK)

/*
 * The entries of a plan are an X-macro in parentheses, which keeps
 * checkpatch happy about a macro of several statements: unwrapped here,
 * and expanded with @M once per entry.
 */
#define __KT_UNPAREN(...)	__VA_ARGS__
#define __KT_EXPAND(x)		x
#define __KT_LIST(LIST, M)	__KT_EXPAND(__KT_UNPAREN LIST(M))

/*
 * One entry, as a member of the plan's structure of pointers: a second
 * entry of the same name is a duplicate member, which the compiler
 * reports as such. The checks are declarations of the same structure,
 * so that they name the entry in their message. Each entry starts with
 * the ';' that ends the one before, so that no macro here ends with one.
 */
#define __KT_PLAN_MEMBER(name, size, gfp)				\
	; void *name;							\
	static_assert(sizeof(#name) - 1 <= KALLOC_TRACK_NAME_MAX,	\
		"kalloc_track plan entry '" #name "': name longer than KALLOC_TRACK_NAME_MAX"); \
	static_assert((size) > 0,					\
		"kalloc_track plan entry '" #name "': size must be > 0"); \
	static_assert((size) <= KMALLOC_MAX_SIZE,			\
		"kalloc_track plan entry '" #name "': size over KMALLOC_MAX_SIZE"); \
	static_assert(!((gfp) & KALLOC_TRACK_PLAN_BAD_GFP),		\
		"kalloc_track plan entry '" #name "': GFP flags that slab rejects")

#define __KT_PLAN_ENTRY(name, size, gfp)				\
	{ #name, (size), (gfp) },

/* An entry's bytes, as a member of a structure that sums them up. */
#define __KT_PLAN_BYTES(name, size, gfp)				\
	; char name[(size) + 0 * sizeof(gfp)]

#define __KT_PLAN_UNDER_MAX(name, size, gfp)				\
	; static_assert(!__kt_plan_max || (size) <= __kt_plan_max ||	\
			!sizeof(gfp),					\
		"kalloc_track plan entry '" #name "': size over the plan's max_size")

/**
 * KALLOC_TRACK_PLAN_LIMITED() - declare a plan with limits
 * @plan: name of the plan; also the tag of its structure of pointers
 * @LIST: an X-macro, its body in parentheses, that calls its argument
 *	once per entry with the entry's name (a C identifier), size and GFP
 *	flags
 * @_max_size: largest entry in bytes, 0 for no limit
 * @_budget: largest total of the entries in bytes, 0 for no limit
 *
 * Defines struct @plan, with one ``void *`` member per entry, and the
 * plan itself, a static const struct kalloc_track_plan. Every entry is
 * checked at compile time: size above 0, at most KMALLOC_MAX_SIZE and
 * @_max_size, GFP flags that slab accepts, a name no other entry has; so
 * is the total against @_budget. Sizes and flags must be constant
 * expressions. For example::
 *
 *	#define MYDEV_BUFS(X) (					\
 *		X(rx_ring, 16 * SZ_1K, GFP_KERNEL)		\
 *		X(tx_ring, 16 * SZ_1K, GFP_KERNEL)		\
 *		X(stats, sizeof(struct mydev_stats), GFP_KERNEL | __GFP_ZERO))
 *
 *	KALLOC_TRACK_PLAN_LIMITED(mydev_bufs, MYDEV_BUFS, SZ_64K, SZ_64K);
 */
#define KALLOC_TRACK_PLAN_LIMITED(plan, LIST, _max_size, _budget)		\
	struct plan {							\
		__KT_LIST(LIST, __KT_PLAN_MEMBER);			\
	};								\
	static __maybe_unused void __kt_plan_check_##plan(void)	\
	{								\
		enum { __kt_plan_max = (_max_size) };			\
									\
		static_assert((_max_size) <= KMALLOC_MAX_SIZE,		\
			"kalloc_track plan '" #plan "': max_size over KMALLOC_MAX_SIZE"); \
		static_assert(!(_budget) ||				\
			sizeof(struct { __KT_LIST(LIST, __KT_PLAN_BYTES); }) <= \
			(_budget),					\
			"kalloc_track plan '" #plan "': entries over the plan's budget"); \
		__KT_LIST(LIST, __KT_PLAN_UNDER_MAX);			\
	}								\
	static const struct kalloc_track_plan_entry __maybe_unused	\
		__kt_plan_entries_##plan[] = { __KT_LIST(LIST, __KT_PLAN_ENTRY) };	\
	static const struct kalloc_track_plan __maybe_unused		\
		__kt_plan_##plan = {					\
		.name = #plan,						\
		.entries = __kt_plan_entries_##plan,			\
		.n = ARRAY_SIZE(__kt_plan_entries_##plan),		\
		.max_size = (_max_size),					\
		.budget = (_budget),					\
	};								\
	static_assert(sizeof(struct plan) ==				\
		      ARRAY_SIZE(__kt_plan_entries_##plan) * sizeof(void *))

/**
 * KALLOC_TRACK_PLAN() - declare a plan without limits of its own
 * @plan: name of the plan; also the tag of its structure of pointers
 * @LIST: the entries, as for KALLOC_TRACK_PLAN_LIMITED()
 */
#define KALLOC_TRACK_PLAN(plan, LIST)					\
	KALLOC_TRACK_PLAN_LIMITED(plan, LIST, 0, 0)

/* The plan named @plan, once its structure of pointers is @bufs. */
#define __kt_plan_of(plan, bufs) ({					\
	static_assert(__same_type(*(bufs), struct plan),		\
		"kalloc_track plan '" #plan "': the buffers are not a struct " #plan); \
	&__kt_plan_##plan;						\
})

#ifdef CONFIG_KALLOC_TRACK

int kalloc_track_plan_alloc_noprof(struct kalloc_track *t,
				   const struct kalloc_track_plan *plan,
				   void **bufs);
int kalloc_track_plan_release_bufs(struct kalloc_track *t,
				   const struct kalloc_track_plan *plan,
				   void **bufs);

#else /* !CONFIG_KALLOC_TRACK */

static inline int
kalloc_track_plan_release_bufs(struct kalloc_track *t,
			       const struct kalloc_track_plan *plan,
			       void **bufs)
{
	unsigned int i;

	if (!plan || !bufs)
		return -EINVAL;
	for (i = 0; i < plan->n; i++) {
		kfree(bufs[i]);
		bufs[i] = NULL;
	}
	return 0;
}

static inline int
kalloc_track_plan_alloc_noprof(struct kalloc_track *t,
			       const struct kalloc_track_plan *plan,
			       void **bufs)
{
	unsigned int i;

	if (!plan || !bufs)
		return -EINVAL;
	for (i = 0; i < plan->n; i++) {
		if (bufs[i])
			return -EBUSY;
		if (!plan->entries[i].size ||
		    plan->entries[i].size > KMALLOC_MAX_SIZE)
			return -EINVAL;
	}
	for (i = 0; i < plan->n; i++) {
		bufs[i] = kmalloc_noprof(plan->entries[i].size,
					 plan->entries[i].gfp);
		if (!bufs[i]) {
			kalloc_track_plan_release_bufs(t, plan, bufs);
			return -ENOMEM;
		}
	}
	return 0;
}

#endif /* CONFIG_KALLOC_TRACK */

/* Documented at its body, kalloc_track_plan_alloc_noprof(). */
#define kalloc_track_plan_alloc(t, plan, bufs)				\
	alloc_hooks(kalloc_track_plan_alloc_noprof((t),			\
		__kt_plan_of(plan, bufs), (void **)(bufs)))

/**
 * kalloc_track_plan_release() - release every entry of a plan
 * @t: the tracker
 * @plan: the plan's name, as given to KALLOC_TRACK_PLAN()
 * @bufs: the plan's structure of pointers
 *
 * Releases each member of @bufs that is not NULL, as
 * kalloc_track_release() does, and NULLs it. Members already released
 * (NULL) are skipped, so releasing a plan twice, or after releasing some
 * of its entries one by one, is fine.
 *
 * Context: Any context.
 * Return: 0, or the first error of kalloc_track_release(); the other
 * members are released all the same.
 */
#define kalloc_track_plan_release(t, plan, bufs)			\
	kalloc_track_plan_release_bufs((t), __kt_plan_of(plan, bufs),	\
				       (void **)(bufs))

#endif /* _LINUX_KALLOC_TRACK_PLAN_H */
