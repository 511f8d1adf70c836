// SPDX-License-Identifier: GPL-2.0
/*
 * kalloc_track plans: a fixed set of named allocations made all or
 * nothing through one tracker.
 *
 * The compiler checks what the constants of a plan declared with
 * KALLOC_TRACK_PLAN() allow; this checks the rest at run time, for plans
 * built by hand: a plan the compiler did not see, a structure of
 * pointers that is not empty, entries that break the plan's limits.
 */

#include <linux/errno.h>
#include <linux/kalloc_track_plan.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "internal.h"

/* Why @plan cannot be allocated into @bufs as it is, or NULL. */
static const char *kt_plan_check(const struct kalloc_track_plan *plan,
				 unsigned int *bad)
{
	size_t total = 0;
	unsigned int i;

	*bad = 0;
	if (!plan->entries && plan->n)
		return "no entries";
	for (i = 0; i < plan->n; i++) {
		const struct kalloc_track_plan_entry *e = &plan->entries[i];

		*bad = i;
		if (!e->name || !*e->name ||
		    strnlen(e->name, KALLOC_TRACK_NAME_MAX + 1) >
		    KALLOC_TRACK_NAME_MAX)
			return "entry name NULL, empty or over KALLOC_TRACK_NAME_MAX";
		if (!e->size || e->size > KMALLOC_MAX_SIZE)
			return "entry size 0 or over KMALLOC_MAX_SIZE";
		if (e->gfp & KALLOC_TRACK_PLAN_BAD_GFP)
			return "entry GFP flags that slab rejects";
		if (plan->max_size && e->size > plan->max_size)
			return "entry over the plan's max_size";
		if (check_add_overflow(total, e->size, &total) ||
		    (plan->budget && total > plan->budget))
			return "entries over the plan's budget";
	}
	return NULL;
}

/*
 * Release @plan's buffers in @bufs, in reverse, as an unwinding ladder
 * would, recorded as released by @ip, as the adds were recorded as
 * allocated by our caller. Return: the first error, or 0.
 */
static int kt_plan_release(struct kalloc_track *t,
			   const struct kalloc_track_plan *plan, void **bufs,
			   unsigned long ip)
{
	int ret, first = 0;
	unsigned int i;

	for (i = plan->n; i-- > 0;) {
		ret = kt_release(t, bufs[i], ip);
		if (ret == KALLOC_TRACK_RELEASED)
			bufs[i] = NULL;
		if (ret < 0 && !first)
			first = ret;
	}
	return first;
}

/*
 * Undo the first @n entries of a plan alloc that could not finish. A
 * destroy of @t that raced with it refuses the releases, and forgets the
 * entries as leaks without freeing them, as it never frees memory: they
 * were never the caller's, so they are freed here. Every member is NULL
 * again, whatever happened.
 */
static void kt_plan_undo(struct kalloc_track *t, void **bufs,
			 unsigned int n, unsigned long ip)
{
	while (n-- > 0) {
		if (kt_release(t, bufs[n], ip) == -EINVAL &&
		    READ_ONCE(t->dead))
			kfree(bufs[n]);
		bufs[n] = NULL;
	}
}

/**
 * kalloc_track_plan_alloc() - allocate every entry of a plan, or none
 * @t: the tracker
 * @plan: the plan; kalloc_track_plan_alloc() takes its name, as given to
 *	KALLOC_TRACK_PLAN(), and checks at compile time that @bufs is the
 *	plan's structure of pointers
 * @bufs: the plan's structure of pointers, one per entry, all NULL
 *
 * Allocates each entry through @t, under its name, with our caller as
 * the caller, and stores it in its member of @bufs. If one allocation
 * fails, those already made are released (or freed, if a destroy of @t
 * got in between) and every member is NULL again.
 *
 * Context: As kalloc_track_add(), with the plan's GFP flags.
 * Return: 0; -ENOMEM if an allocation failed (or a limit of @t refused
 * it); -EBUSY if a member of @bufs is not NULL (nothing is allocated);
 * -EINVAL for a NULL, uninitialised or destroyed @t, a NULL @bufs or
 * @plan, or an entry that breaks the plan's limits (for plans built by
 * hand).
 */
int kalloc_track_plan_alloc_noprof(struct kalloc_track *t,
				   const struct kalloc_track_plan *plan,
				   void **bufs)
{
	unsigned long ip = _RET_IP_;
	const char *why;
	unsigned int i;

	if (!t || !READ_ONCE(t->owner) || !plan || !bufs) {
		kt_report_ratelimited(KT_ERR,
				      "plan alloc from %pS refused: NULL or uninitialised %s",
				      (void *)ip,
				      !plan ? "plan" : !bufs ? "buffers" : "tracker");
		return -EINVAL;
	}
	why = kt_plan_check(plan, &i);
	if (why) {
		kt_report_ratelimited(KT_ERR, "plan '%s' from %pS refused: %s (entry %u)",
				      plan->name, (void *)ip, why, i);
		return -EINVAL;
	}
	for (i = 0; i < plan->n; i++) {
		if (bufs[i]) {
			kt_report_ratelimited(KT_ERR,
					      "plan '%s' from %pS refused: entry '%s' is allocated already",
					      plan->name, (void *)ip,
					      plan->entries[i].name);
			return -EBUSY;
		}
	}
	for (i = 0; i < plan->n; i++) {
		const struct kalloc_track_plan_entry *e = &plan->entries[i];

		/* Recorded as allocated by our caller, not by us. */
		bufs[i] = kt_add(t, e->name, e->size, e->gfp, ip, false);
		if (!bufs[i]) {
			/* The add logged and counted why, if it was us. */
			kt_plan_undo(t, bufs, i, ip);
			return READ_ONCE(t->dead) ? -EINVAL : -ENOMEM;
		}
	}
	return 0;
}
EXPORT_SYMBOL_GPL(kalloc_track_plan_alloc_noprof);

/**
 * kalloc_track_plan_release_bufs() - kalloc_track_plan_release() body
 * @t: the tracker
 * @plan: the plan
 * @bufs: one pointer per entry of @plan
 *
 * Call kalloc_track_plan_release() instead, which checks at compile
 * time that @bufs belongs to @plan.
 *
 * Context: Any context.
 * Return: As kalloc_track_plan_release().
 */
int kalloc_track_plan_release_bufs(struct kalloc_track *t,
				   const struct kalloc_track_plan *plan,
				   void **bufs)
{
	if (!plan || !bufs || (!plan->entries && plan->n)) {
		kt_report_ratelimited(KT_ERR, "plan release from %pS refused: NULL plan or buffers",
				      (void *)_RET_IP_);
		return -EINVAL;
	}
	return kt_plan_release(t, plan, bufs, _RET_IP_);
}
EXPORT_SYMBOL_GPL(kalloc_track_plan_release_bufs);
