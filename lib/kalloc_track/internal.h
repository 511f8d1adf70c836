/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kalloc_track internals shared by core.c and the KUnit tests.
 */
#ifndef _LIB_KALLOC_TRACK_INTERNAL_H
#define _LIB_KALLOC_TRACK_INTERNAL_H

#include <linux/build_bug.h>
#include <linux/jump_label.h>
#include <linux/kalloc_track.h>
#include <linux/list.h>
#include <linux/stackdepot.h>
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
	depot_stack_handle_t stack;	/* of the add, 0 without stacks */
};

/* The metadata budget of one allocation is one cache line. */
static_assert(sizeof(struct kt_record) <= 64);
static_assert(sizeof(depot_stack_handle_t) == sizeof(u32));

/* Leaks printed one by one at destroy; the rest are counted. */
#define KT_LEAKS_PRINTED	32
/* Distinct allocation sites whose leaks are grouped at destroy. */
#define KT_LEAK_SITES		16
/* Frames kept per stack trace. */
#define KT_STACK_DEPTH		16

/* Longest line of a report, as built by the kt_format_*() functions. */
#define KT_REPORT_LEN		256

struct seq_file;

/* core.c */
void kt_free_record(struct kt_record *rec);
struct kalloc_track *kt_next_debugfs_pending(void);

/* report.c: stacks, reports and the text of the debugfs files. */
DECLARE_STATIC_KEY_FALSE(kt_stacks_enabled);
depot_stack_handle_t kt_save_stack(gfp_t gfp);
int kt_stacks_setup(void);
int kt_format_leak(char *buf, size_t len, const struct kalloc_track *t,
		   const struct kt_record *rec, unsigned long now);
int kt_format_double_free(char *buf, size_t len,
			  const struct kalloc_track *t,
			  const struct kalloc_track_freed *h,
			  unsigned long ip);
void kt_report_leak(const struct kalloc_track *t,
		    const struct kt_record *rec, unsigned long now);
void kt_report_leak_site(const struct kalloc_track *t,
			 depot_stack_handle_t stack, unsigned int n,
			 size_t bytes);
unsigned int kt_report_leaks(const struct kalloc_track *t,
			     struct hlist_head *leaked, size_t *bytes);
void kt_report_double_free(const struct kalloc_track *t,
			   const struct kalloc_track_freed *h,
			   unsigned long ip);
void kt_show_stats(struct seq_file *m, struct kalloc_track *t);
void kt_show_allocations(struct seq_file *m, struct kalloc_track *t);

/* A stack trace of the caller, when stacks are on; free when off. */
static inline depot_stack_handle_t kt_stack(gfp_t gfp)
{
	if (static_branch_unlikely(&kt_stacks_enabled))
		return kt_save_stack(gfp);
	return 0;
}

/* debugfs.c */
void kt_debugfs_add(struct kalloc_track *t);
void kt_debugfs_remove(struct kalloc_track *t);

#if IS_ENABLED(CONFIG_KUNIT)
void kt_debugfs_flush(void);
bool kt_stacks_active(void);
struct kt_record *kt_alloc_record(gfp_t gfp);
void kt_resize_work(struct work_struct *work);
void *kt_alloc_payload(size_t size, gfp_t gfp, unsigned long caller);
struct hlist_head *kt_alloc_table(unsigned int bits);
#endif

#endif /* _LIB_KALLOC_TRACK_INTERNAL_H */
