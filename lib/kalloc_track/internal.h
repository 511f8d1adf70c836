/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kalloc_track internals shared by core.c and the KUnit tests.
 */
#ifndef _LIB_KALLOC_TRACK_INTERNAL_H
#define _LIB_KALLOC_TRACK_INTERNAL_H

#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/jump_label.h>
#include <linux/kalloc_track.h>
#include <linux/list.h>
#include <linux/stackdepot.h>
#include <linux/types.h>

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

/* Largest table: 4M buckets. */
#define KT_MAX_BITS		22

/* What a tracker asks the deferred work for, in ->pending. */
#define KT_WANT_DEBUGFS		BIT(0)
#define KT_WANT_RESIZE		BIT(1)

/* Report levels, for kt_report_line(). */
enum kt_level { KT_ERR, KT_WARN };

struct module;
struct seq_file;

/* core.c */
void kt_free_record(struct kt_record *rec);

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
void kt_report_line(enum kt_level level, const char *line);
__printf(2, 3) void kt_report(enum kt_level level, const char *fmt, ...);
__printf(2, 3) void kt_report_ratelimited(enum kt_level level,
					  const char *fmt, ...);
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

/* Rows of the "allocations" listing copied per lock hold. */
#define KT_ROWS_BATCH		16

/* One live allocation, as copied out for the "allocations" listing. */
struct kt_row {
	char name[KALLOC_TRACK_NAME_MAX + 1];	/* a copy: see kt_listing_fill() */
	size_t size;
	unsigned long caller;
	unsigned long stamp;
	gfp_t gfp;
	depot_stack_handle_t stack;
};

/*
 * A listing of the "allocations" file in progress (seq_file private
 * data). Rows are copied out of the table KT_ROWS_BATCH at a time under
 * the tracker's lock, and formatted with the lock released.
 */
struct kt_listing {
	struct kalloc_track *t;
	struct hlist_head *table;	/* the table being listed */
	unsigned int bits;
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

/* A stack trace of the caller, when stacks are on; free when off. */
static inline depot_stack_handle_t kt_stack(gfp_t gfp)
{
	if (static_branch_unlikely(&kt_stacks_enabled))
		return kt_save_stack(gfp);
	return 0;
}

/* debugfs.c, called by the deferred work and by destroy */
void kt_debugfs_create(struct kalloc_track *t);
void kt_debugfs_remove(struct kalloc_track *t);

#if IS_ENABLED(CONFIG_KUNIT)
void kt_flush_work(void);
long kt_bad_tracker_count(void);
bool kt_tracker_listed(const struct kalloc_track *t);
bool kt_stacks_active(void);
int kt_stacks_apply(bool on);
struct kt_record *kt_alloc_record(gfp_t gfp);
void kt_resize(struct kalloc_track *t);
void kt_register(struct kalloc_track *t);
unsigned int kt_grow_bits(unsigned int bits);
void *kt_alloc_payload(size_t size, gfp_t gfp, unsigned long caller);
struct hlist_head *kt_alloc_table(unsigned int bits);
int kt_module_going(struct module *mod);
void kt_report_ratelimit_reset(void);
#endif

#endif /* _LIB_KALLOC_TRACK_INTERNAL_H */
