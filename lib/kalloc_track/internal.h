/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kalloc_track internals shared by core.c and the KUnit tests.
 */
#ifndef _LIB_KALLOC_TRACK_INTERNAL_H
#define _LIB_KALLOC_TRACK_INTERNAL_H

#include <linux/build_bug.h>
#include <linux/kalloc_track.h>
#include <linux/list.h>
#include <linux/types.h>
#include <linux/workqueue_types.h>

/*
 * One live allocation. Records live in their own slab cache, apart from
 * the payload, so that the payload keeps kmalloc()'s alignment and size
 * class and a record is found from the payload's address alone.
 */
struct kt_record {
	struct hlist_node node;		/* in kalloc_track::table */
	unsigned long addr;		/* the payload */
	const char *name;
	size_t size;
	unsigned long caller;		/* return address of the add */
	unsigned long stamp;		/* jiffies at the add */
	gfp_t gfp;
};

/* The metadata budget of one allocation is one cache line. */
static_assert(sizeof(struct kt_record) <= 64);

/* Leaks printed one by one at destroy; the rest are counted. */
#define KT_LEAKS_PRINTED	32

/* Longest line of a report, as built by kt_format_leak(). */
#define KT_REPORT_LEN		256

#if IS_ENABLED(CONFIG_KUNIT)
int kt_format_leak(char *buf, size_t len, const struct kalloc_track *t,
		   const struct kt_record *rec, unsigned long now);
struct kt_record *kt_alloc_record(gfp_t gfp);
void kt_free_record(struct kt_record *rec);
void kt_resize_work(struct work_struct *work);
void *kt_alloc_payload(size_t size, gfp_t gfp, unsigned long caller);
struct hlist_head *kt_alloc_table(unsigned int bits);
void kt_report_leak(const struct kalloc_track *t,
		    const struct kt_record *rec, unsigned long now);
#endif

#endif /* _LIB_KALLOC_TRACK_INTERNAL_H */
