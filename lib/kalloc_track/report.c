// SPDX-License-Identifier: GPL-2.0
/*
 * kalloc_track reports: stack traces, leak and double-free reports, and
 * the text of the debugfs files. Every format is built by a function
 * that the KUnit tests call directly.
 */

#define pr_fmt(fmt) "kalloc_track: " fmt

#include <kunit/static_stub.h>
#include <kunit/visibility.h>
#include <linux/jiffies.h>
#include <linux/moduleparam.h>
#include <linux/printk.h>
#include <linux/ratelimit.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>
#include <linux/stacktrace.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/workqueue.h>

#include "internal.h"

/*
 * Stack traces of adds and releases, when CONFIG_KALLOC_TRACK_STACKS is
 * set and the key is on: kalloc_track.stacks= on the command line, or
 * /sys/module/kalloc_track/parameters/stacks at run time. Off, they cost
 * a patched-out branch.
 */
DEFINE_STATIC_KEY_FALSE(kt_stacks_enabled);

#if IS_ENABLED(CONFIG_KUNIT)
/* Whether adds and releases record stacks right now. */
bool kt_stacks_active(void)
{
	return static_key_enabled(&kt_stacks_enabled);
}
EXPORT_SYMBOL_IF_KUNIT(kt_stacks_active);
#endif

#ifdef CONFIG_KALLOC_TRACK_STACKS
static bool kt_stacks_wanted = true;
static bool kt_stacks_ready;

static int kt_stacks_apply(bool on)
{
	int ret;

	if (!on) {
		static_branch_disable(&kt_stacks_enabled);
		return 0;
	}
	ret = stack_depot_init();
	if (ret)
		return ret;
	static_branch_enable(&kt_stacks_enabled);
	return 0;
}

static int kt_stacks_set(const char *val, const struct kernel_param *kp)
{
	bool on;
	int ret;

	ret = kstrtobool(val, &on);
	if (ret)
		return ret;
	/* On the command line: applied by kt_stacks_setup() at init. */
	if (!READ_ONCE(kt_stacks_ready)) {
		kt_stacks_wanted = on;
		return 0;
	}
	return kt_stacks_apply(on);
}

static int kt_stacks_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%c\n",
			  static_key_enabled(&kt_stacks_enabled) ? 'Y' : 'N');
}

static const struct kernel_param_ops kt_stacks_ops = {
	.set = kt_stacks_set,
	.get = kt_stacks_get,
};
module_param_cb(stacks, &kt_stacks_ops, NULL, 0644);
MODULE_PARM_DESC(stacks, "Record stack traces of adds and releases (default: on)");

int kt_stacks_setup(void)
{
	WRITE_ONCE(kt_stacks_ready, true);
	return kt_stacks_apply(kt_stacks_wanted);
}

depot_stack_handle_t kt_save_stack(gfp_t gfp)
{
	unsigned long entries[KT_STACK_DEPTH];
	unsigned int n;

	if (!static_branch_unlikely(&kt_stacks_enabled))
		return 0;
	/* Skip kt_save_stack() and the kalloc_track function calling it. */
	n = stack_trace_save(entries, ARRAY_SIZE(entries), 2);
	return stack_depot_save(entries, n, gfp);
}
#else
int kt_stacks_setup(void)
{
	return 0;
}

depot_stack_handle_t kt_save_stack(gfp_t gfp)
{
	return 0;
}
#endif /* CONFIG_KALLOC_TRACK_STACKS */

/* One lock-free budget for the reports a caller can trigger at will. */
static DEFINE_RATELIMIT_STATE(kt_report_rs, DEFAULT_RATELIMIT_INTERVAL,
			      DEFAULT_RATELIMIT_BURST);

/**
 * kt_format_leak() - format the report line of one leaked allocation
 * @buf: where to write
 * @len: size of @buf
 * @t: the tracker
 * @rec: the leaked allocation
 * @now: jiffies at the start of the report
 *
 * Return: the number of characters written, as scnprintf().
 */
int kt_format_leak(char *buf, size_t len, const struct kalloc_track *t,
		   const struct kt_record *rec, unsigned long now)
{
	return scnprintf(buf, len,
			 "%s: leak of '%s' (%zu bytes, %pGg), age %u ms, allocated at %pS",
			 t->owner, rec->name, rec->size, &rec->gfp,
			 jiffies_to_msecs(now - rec->stamp),
			 (void *)rec->caller);
}
EXPORT_SYMBOL_IF_KUNIT(kt_format_leak);

/**
 * kt_format_double_free() - format the report line of a double free
 * @buf: where to write
 * @len: size of @buf
 * @t: the tracker
 * @h: the earlier release of the same address
 * @ip: where the second release comes from
 *
 * Return: the number of characters written, as scnprintf().
 */
int kt_format_double_free(char *buf, size_t len,
			  const struct kalloc_track *t,
			  const struct kalloc_track_freed *h,
			  unsigned long ip)
{
	return scnprintf(buf, len,
			 "%s: double free of '%s' (%zu bytes) from %pS; allocated at %pS, first released at %pS",
			 t->owner, h->name, h->size, (void *)ip,
			 (void *)h->alloc_ip, (void *)h->release_ip);
}
EXPORT_SYMBOL_IF_KUNIT(kt_format_double_free);

void kt_report_leak(const struct kalloc_track *t, const struct kt_record *rec,
		    unsigned long now)
{
	char buf[KT_REPORT_LEN];

	KUNIT_STATIC_STUB_REDIRECT(kt_report_leak, t, rec, now);
	kt_format_leak(buf, sizeof(buf), t, rec, now);
	pr_err("%s\n", buf);
}
EXPORT_SYMBOL_IF_KUNIT(kt_report_leak);

void kt_report_leak_site(const struct kalloc_track *t,
			 depot_stack_handle_t stack, unsigned int n,
			 size_t bytes)
{
	KUNIT_STATIC_STUB_REDIRECT(kt_report_leak_site, t, stack, n, bytes);
	pr_err("%s: %u leak(s) of %zu bytes in all from this stack:\n",
	       t->owner, n, bytes);
	stack_depot_print(stack);
}
EXPORT_SYMBOL_IF_KUNIT(kt_report_leak_site);

/* Where a record was allocated: its stack when there is one. */
static unsigned long kt_site(const struct kt_record *rec)
{
	return rec->stack ? rec->stack : rec->caller;
}

/**
 * kt_report_leaks() - report and free the records of leaked allocations
 * @t: the tracker being destroyed
 * @leaked: the records, taken out of @t's table
 * @bytes: incremented by the leaked bytes
 *
 * Leaks are grouped by allocation site, as ref_tracker does: each leak
 * gets its line (up to KT_LEAKS_PRINTED in all), and each stack is
 * printed once, after the leaks it allocated. Past KT_LEAK_SITES sites,
 * the rest are counted without grouping, so that the work stays linear.
 *
 * Return: the number of leaks.
 */
unsigned int kt_report_leaks(const struct kalloc_track *t,
			     struct hlist_head *leaked, size_t *bytes)
{
	unsigned int total = 0, printed = 0, sites = 0, n;
	unsigned long now = jiffies, site;
	depot_stack_handle_t stack;
	struct kt_record *rec;
	struct hlist_node *tmp;
	size_t site_bytes;
	bool group;

	while (!hlist_empty(leaked)) {
		rec = hlist_entry(leaked->first, struct kt_record, node);
		site = kt_site(rec);
		stack = rec->stack;
		group = sites < KT_LEAK_SITES;
		n = 0;
		site_bytes = 0;
		hlist_for_each_entry_safe(rec, tmp, leaked, node) {
			if (group && kt_site(rec) != site)
				continue;
			if (printed < KT_LEAKS_PRINTED) {
				kt_report_leak(t, rec, now);
				printed++;
			}
			n++;
			site_bytes += rec->size;
			hlist_del(&rec->node);
			kt_free_record(rec);
		}
		if (group) {
			sites++;
			if (stack)
				kt_report_leak_site(t, stack, n, site_bytes);
		}
		total += n;
		*bytes += site_bytes;
	}
	return total;
}

void kt_report_double_free(const struct kalloc_track *t,
			   const struct kalloc_track_freed *h,
			   unsigned long ip)
{
	char buf[KT_REPORT_LEN];

	if (!__ratelimit(&kt_report_rs))
		return;
	kt_format_double_free(buf, sizeof(buf), t, h, ip);
	pr_err("%s\n", buf);
	if (h->alloc_stack) {
		pr_err("%s: allocated by:\n", t->owner);
		stack_depot_print(h->alloc_stack);
	}
	if (h->release_stack) {
		pr_err("%s: first released by:\n", t->owner);
		stack_depot_print(h->release_stack);
	}
}

/**
 * kt_show_stats() - the text of the debugfs "stats" file
 * @m: where to print
 * @t: the tracker
 *
 * One "key: value" line per counter and limit, in a fixed order; limits
 * of 0 mean none.
 */
void kt_show_stats(struct seq_file *m, struct kalloc_track *t)
{
	struct kalloc_track_stats st;

	kalloc_track_get_stats(t, &st);
	seq_printf(m, "owner: %s\n", t->owner);
	seq_printf(m, "live: %lu\n", st.live);
	seq_printf(m, "live_bytes: %zu\n", st.live_bytes);
	seq_printf(m, "peak_bytes: %zu\n", st.peak_bytes);
	seq_printf(m, "adds: %llu\n", st.adds);
	seq_printf(m, "releases: %llu\n", st.releases);
	seq_printf(m, "failed: %lu\n", st.failed);
	seq_printf(m, "refused: %lu\n", st.refused);
	seq_printf(m, "bad_input: %lu\n", st.bad_input);
	seq_printf(m, "double_frees: %lu\n", st.double_frees);
	seq_printf(m, "foreign_frees: %lu\n", st.foreign_frees);
	seq_printf(m, "invalid_frees: %lu\n", st.invalid_frees);
	seq_printf(m, "leaks: %lu\n", st.leaks);
	seq_printf(m, "max_size: %zu\n", st.max_size);
	seq_printf(m, "max_live_bytes: %zu\n", st.max_live_bytes);
}
EXPORT_SYMBOL_IF_KUNIT(kt_show_stats);

static void kt_show_record(struct seq_file *m, const struct kt_record *rec,
			   unsigned long now)
{
	unsigned long *entries;
	unsigned int i, n;

	seq_printf(m, "%s\t%zu\t%pGg\t%u\t%pS\n", rec->name, rec->size,
		   &rec->gfp, jiffies_to_msecs(now - rec->stamp),
		   (void *)rec->caller);
	if (!rec->stack)
		return;
	n = stack_depot_fetch(rec->stack, &entries);
	for (i = 0; i < n; i++)
		seq_printf(m, "  %pS\n", (void *)entries[i]);
}

/**
 * kt_show_allocations() - the text of the debugfs "allocations" file
 * @m: where to print
 * @t: the tracker
 *
 * A header line starting with '#', then one tab-separated line per live
 * allocation: name, size, GFP flags, age in ms and caller. With stacks
 * on, each line is followed by the frames of the add, indented by two
 * spaces. The table is walked one bucket per lock hold, so that a large
 * table does not keep interrupts off for long; a resize in the middle of
 * the walk ends the listing with a line saying so.
 */
void kt_show_allocations(struct seq_file *m, struct kalloc_track *t)
{
	unsigned long flags, now = jiffies;
	struct hlist_head *table;
	struct kt_record *rec;
	unsigned int i, bits;

	seq_puts(m, "# name\tsize\tgfp\tage_ms\tcaller\n");
	/* A resize in progress would split the chains across two tables. */
	if (READ_ONCE(t->listed))
		flush_work(&t->resize_work);

	spin_lock_irqsave(&t->lock, flags);
	table = t->table;
	bits = t->bits;
	spin_unlock_irqrestore(&t->lock, flags);

	for (i = 0; i < 1U << bits; i++) {
		spin_lock_irqsave(&t->lock, flags);
		if (t->table != table || t->old_table) {
			spin_unlock_irqrestore(&t->lock, flags);
			seq_puts(m, "# table resized while listing: incomplete\n");
			return;
		}
		hlist_for_each_entry(rec, &table[i], node)
			kt_show_record(m, rec, now);
		spin_unlock_irqrestore(&t->lock, flags);
	}
}
EXPORT_SYMBOL_IF_KUNIT(kt_show_allocations);
