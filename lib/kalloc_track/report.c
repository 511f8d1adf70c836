// SPDX-License-Identifier: GPL-2.0
/*
 * kalloc_track reports: stack traces, leak and double-free reports, and
 * the text of the debugfs files. Every format is built by a function
 * that the KUnit tests call directly.
 */

#define pr_fmt(fmt) "kalloc_track: " fmt

#include <kunit/visibility.h>
#include <linux/ftrace.h>
#include <linux/hash.h>
#include <linux/jiffies.h>
#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/printk.h>
#include <linux/randomize_kstack.h>
#include <linux/ratelimit.h>
#include <linux/rethook.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/stacktrace.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include <asm/sections.h>

#include "internal.h"

/*
 * Stack traces, when CONFIG_KALLOC_TRACK_STACKS is set, at the level
 * kalloc_track.stacks= sets on the command line or
 * /sys/module/kalloc_track/parameters/stacks at run time:
 *
 * 0 - none;
 * 1 - of adds (the default): what leak reports group by, and what a
 *     double-free report shows for the allocation;
 * 2 - of adds and releases: double-free reports also show the stack of
 *     the first release.
 *
 * With kalloc_track.stack_reuse=1, either is unwound once per call site
 * and stack depth and then reused (see kt_save_stack()).
 *
 * Off, each costs a patched-out branch.
 */
DEFINE_STATIC_KEY_FALSE(kt_stacks_enabled);
DEFINE_STATIC_KEY_FALSE(kt_release_stacks_enabled);

#define KT_STACKS_ADDS		1
#define KT_STACKS_ALL		2

#if IS_ENABLED(CONFIG_KUNIT)
/* Whether adds record stacks right now. */
bool kt_stacks_active(void)
{
	return static_key_enabled(&kt_stacks_enabled);
}
EXPORT_SYMBOL_IF_KUNIT(kt_stacks_active);
#endif

#ifdef CONFIG_KALLOC_TRACK_STACKS
/* The level in effect, as set above. */
VISIBLE_IF_KUNIT int kt_stacks_level(void)
{
	if (static_key_enabled(&kt_release_stacks_enabled))
		return KT_STACKS_ALL;
	return static_key_enabled(&kt_stacks_enabled) ? KT_STACKS_ADDS : 0;
}
EXPORT_SYMBOL_IF_KUNIT(kt_stacks_level);

static int kt_stacks_wanted = KT_STACKS_ADDS;
static bool kt_stacks_ready;

VISIBLE_IF_KUNIT int kt_stacks_apply(int level)
{
	int ret;

	if (level < 0 || level > KT_STACKS_ALL)
		return -EINVAL;
	if (level < KT_STACKS_ALL)
		static_branch_disable(&kt_release_stacks_enabled);
	if (!level) {
		static_branch_disable(&kt_stacks_enabled);
		return 0;
	}
	ret = stack_depot_init();
	if (ret)
		return ret;
	static_branch_enable(&kt_stacks_enabled);
	if (level == KT_STACKS_ALL)
		static_branch_enable(&kt_release_stacks_enabled);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kt_stacks_apply);

static int kt_stacks_set(const char *val, const struct kernel_param *kp)
{
	unsigned int level;
	bool on;

	/* 0, 1 or 2; or a boolean, as before levels: y is 1. */
	if (kstrtouint(val, 0, &level)) {
		if (kstrtobool(val, &on))
			return -EINVAL;
		level = on ? KT_STACKS_ADDS : 0;
	}
	if (level > KT_STACKS_ALL)
		return -EINVAL;
	/* On the command line: applied by kt_stacks_setup() at init. */
	if (!READ_ONCE(kt_stacks_ready)) {
		kt_stacks_wanted = level;
		return 0;
	}
	return kt_stacks_apply(level);
}

static int kt_stacks_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", kt_stacks_level());
}

static const struct kernel_param_ops kt_stacks_ops = {
	.set = kt_stacks_set,
	.get = kt_stacks_get,
};
module_param_cb(stacks, &kt_stacks_ops, NULL, 0644);
MODULE_PARM_DESC(stacks, "Stack traces: 0 none, 1 of adds (default), 2 of adds and releases");

int kt_stacks_setup(void)
{
	WRITE_ONCE(kt_stacks_ready, true);
	return kt_stacks_apply(kt_stacks_wanted);
}

/*
 * Reused stacks, with kalloc_track.stack_reuse=1 (off by default: every
 * stack is then exact). An unwind costs more than the rest of a pair
 * (UML's unwinder reads every word of the stack above it, x86's ORC one
 * decodes a table entry per frame), and code allocates and releases from
 * few places: so a stack is kept, per CPU, under its call site (the
 * return address into the caller of kalloc_track_add() or
 * kalloc_track_release()) and the offset of our frame in the stack, and
 * a later add or release from the same site at the same depth reuses it
 * rather than unwinding again, with KT_STACK_KEPT set in the handle,
 * which reports print. Two call chains that reach one site at exactly
 * the same depth share the stack of the first: that is the price, which
 * is why it is asked for. The site itself, which a report prints apart,
 * is always exact. Leak reports group by the stack without the mark.
 *
 * Only task context is cached: an interrupt may run on the stack of the
 * task it interrupted, at any depth. Nothing is while the kernel stack's
 * offset is randomised per system call, or when the site is a tracer's
 * return trampoline (a kretprobe, rethook or function_graph tracer hooked
 * the return of our function): every call would seem to come from one
 * site. A stack is kept only if the site is in it, which it is not when
 * the unwinder replaced the trampoline with the real return address.
 * Slots are direct-mapped: two keys in one slot evict each other, and
 * unwind each time.
 */
struct kt_stack_slot {
	unsigned long site;		/* return address of the call */
	unsigned int depth;		/* offset of our frame, KT_STACK_RELEASE */
	unsigned int gen;		/* kt_stack_gen when it was kept */
	depot_stack_handle_t stack;
};

/*
 * Set in a slot's depth for a release: an add and a release from one
 * site (a plan's adds and its rollback) reach us through different
 * calls, so their frames are not at the same distance from the site's.
 */
#define KT_STACK_RELEASE	BIT(31)
static_assert(THREAD_SIZE - 1 < KT_STACK_RELEASE);

static bool kt_stack_reuse __read_mostly;

/* As param_set_bool(), but the store is marked: adds read it locklessly. */
static int kt_stack_reuse_set(const char *val, const struct kernel_param *kp)
{
	bool on;
	int ret;

	ret = kstrtobool(val ?: "1", &on);
	if (ret)
		return ret;
	WRITE_ONCE(kt_stack_reuse, on);
	return 0;
}

static int kt_stack_reuse_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%c\n", READ_ONCE(kt_stack_reuse) ? 'Y' : 'N');
}

static const struct kernel_param_ops kt_stack_reuse_ops = {
	.flags = KERNEL_PARAM_OPS_FL_NOARG,	/* a bare flag means on */
	.set = kt_stack_reuse_set,
	.get = kt_stack_reuse_get,
};
module_param_cb(stack_reuse, &kt_stack_reuse_ops, NULL, 0644);
MODULE_PARM_DESC(stack_reuse, "Unwind once per call site and stack depth and reuse the stack (faster; two call chains at one site and depth share a stack, marked as kept); default off");

#if IS_ENABLED(CONFIG_KUNIT)
/* Set kalloc_track.stack_reuse; return what it was. */
bool kt_stack_reuse_apply(bool on)
{
	bool was = READ_ONCE(kt_stack_reuse);

	WRITE_ONCE(kt_stack_reuse, on);
	return was;
}
EXPORT_SYMBOL_IF_KUNIT(kt_stack_reuse_apply);
#endif

#define KT_STACK_SLOT_BITS	6

struct kt_stack_cache {
	struct kt_stack_slot slot[1 << KT_STACK_SLOT_BITS];
};

static DEFINE_PER_CPU(struct kt_stack_cache, kt_stack_cache);

/*
 * Bumped when a module comes, before any of its code runs, and when it
 * goes, so that no site of code that was at its addresses before (a
 * module unloaded) is reused; code placed where a module's init text
 * was, which no event announces, is not module text, which
 * kt_site_cacheable() checks. A zeroed slot never matches: no site is
 * 0. Kept handles stay valid: stack_depot_save() never evicts a stack.
 */
static atomic_t kt_stack_gen = ATOMIC_INIT(0);

void kt_stack_cache_flush(void)
{
	atomic_inc(&kt_stack_gen);
}
EXPORT_SYMBOL_IF_KUNIT(kt_stack_cache_flush);

/* Frames of ours that an unwind may show above the call site. */
#define KT_STACK_OURS		8

/*
 * Unwind an add or a release from @site, and keep the frames from @site
 * on: how many of ours come before it depends on the unwinder (UML's
 * skips none) and on what the compiler inlined or turned into a tail
 * call.
 * Return: the stack, or 0; *@found says whether @site was in it.
 */
VISIBLE_IF_KUNIT noinline depot_stack_handle_t
kt_unwind(unsigned long site, gfp_t gfp, bool *found)
{
	unsigned long entries[KT_STACK_OURS + KT_STACK_DEPTH];
	unsigned int n, i;

	KT_STUB_REDIRECT(kt_unwind, site, gfp, found);
	n = stack_trace_save(entries, ARRAY_SIZE(entries), 0);
	for (i = 0; i < n && entries[i] != site; i++)
		;
	*found = i < n;
	if (!*found)
		i = 0;
	return stack_depot_save(entries + i, min(n - i, KT_STACK_DEPTH), gfp);
}
EXPORT_SYMBOL_IF_KUNIT(kt_unwind);

VISIBLE_IF_KUNIT bool kt_stack_cacheable(void)
{
	if (!READ_ONCE(kt_stack_reuse) || !in_task())
		return false;
#ifdef CONFIG_RANDOMIZE_KSTACK_OFFSET
	if (static_branch_maybe(CONFIG_RANDOMIZE_KSTACK_OFFSET_DEFAULT,
				&randomize_kstack_offset))
		return false;
#endif
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(kt_stack_cacheable);

/*
 * Whether @site may key a kept stack: code of the kernel or of a module,
 * and not a tracer's return trampoline that took our return address.
 * Other trampolines (BPF's, ftrace's, kprobes' instruction slots) live
 * outside that text, and are freed and reused without a module event:
 * checked on every reuse, not only when a stack is kept, as such a
 * trampoline may land where a module's init text was. For a site in a
 * module, that costs a lookup of the module.
 */
VISIBLE_IF_KUNIT bool kt_site_cacheable(unsigned long site)
{
	if (!core_kernel_text(site) && !is_module_text_address(site))
		return false;
	if (is_kretprobe_trampoline(site))
		return false;
#ifdef CONFIG_RETHOOK
	if (is_rethook_trampoline(site))
		return false;
#endif
#ifdef CONFIG_FUNCTION_GRAPH_TRACER
	if (site == (unsigned long)dereference_kernel_function_descriptor(return_to_handler))
		return false;
#endif
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(kt_site_cacheable);

depot_stack_handle_t kt_save_stack(unsigned long site, gfp_t gfp,
				   bool release)
{
	depot_stack_handle_t stack = 0;
	struct kt_stack_cache *cache;
	struct kt_stack_slot *slot;
	unsigned int depth, gen, i;
	bool found;

	if (!kt_stack_cacheable() || !kt_site_cacheable(site))
		return kt_unwind(site, gfp, &found);
	/*
	 * For one site, the calls from there to here are always the same
	 * for adds (kt_add() calls this once), and for releases (through
	 * kt_release()), so the site's frame is at a fixed distance from
	 * this one. The generation is read before the unwind: a module
	 * event meanwhile makes the stack kept below stale at once.
	 */
	depth = (unsigned long)__builtin_frame_address(0) & (THREAD_SIZE - 1);
	if (release)
		depth |= KT_STACK_RELEASE;
	gen = atomic_read(&kt_stack_gen);
	i = hash_long(site ^ depth, KT_STACK_SLOT_BITS);
	/* Only tasks use the slots: preemption off keeps others out. */
	cache = get_cpu_ptr(&kt_stack_cache);
	slot = &cache->slot[i];
	if (slot->site == site && slot->depth == depth && slot->gen == gen)
		stack = slot->stack;
	put_cpu_ptr(&kt_stack_cache);
	if (stack)
		return stack_depot_set_extra_bits(stack, KT_STACK_KEPT);

	stack = kt_unwind(site, gfp, &found);
	if (!stack || !found)
		return stack;
	cache = get_cpu_ptr(&kt_stack_cache);
	slot = &cache->slot[i];
	slot->site = site;
	slot->depth = depth;
	slot->gen = gen;
	slot->stack = stack;
	put_cpu_ptr(&kt_stack_cache);
	return stack;
}

bool kt_stack_kept(depot_stack_handle_t stack)
{
	return stack_depot_get_extra_bits(stack) & KT_STACK_KEPT;
}
EXPORT_SYMBOL_IF_KUNIT(kt_stack_kept);
#else
int kt_stacks_setup(void)
{
	return 0;
}

#if IS_ENABLED(CONFIG_KUNIT)
int kt_stacks_apply(int level)
{
	return level ? -EOPNOTSUPP : 0;
}
EXPORT_SYMBOL_IF_KUNIT(kt_stacks_apply);

int kt_stacks_level(void)
{
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kt_stacks_level);
#endif

depot_stack_handle_t kt_save_stack(unsigned long site, gfp_t gfp,
				   bool release)
{
	return 0;
}

void kt_stack_cache_flush(void)
{
}
EXPORT_SYMBOL_IF_KUNIT(kt_stack_cache_flush);

#if IS_ENABLED(CONFIG_KUNIT)
bool kt_stack_cacheable(void)
{
	return false;
}
EXPORT_SYMBOL_IF_KUNIT(kt_stack_cacheable);

bool kt_stack_reuse_apply(bool on)
{
	return false;
}
EXPORT_SYMBOL_IF_KUNIT(kt_stack_reuse_apply);

bool kt_site_cacheable(unsigned long site)
{
	return false;
}
EXPORT_SYMBOL_IF_KUNIT(kt_site_cacheable);
#endif

bool kt_stack_kept(depot_stack_handle_t stack)
{
	return false;
}
EXPORT_SYMBOL_IF_KUNIT(kt_stack_kept);
#endif /* CONFIG_KALLOC_TRACK_STACKS */

/* One lock-free budget for the reports a caller can trigger at will. */
static DEFINE_RATELIMIT_STATE(kt_report_rs, DEFAULT_RATELIMIT_INTERVAL,
			      DEFAULT_RATELIMIT_BURST);

/**
 * kt_report_line() - print one line of a report
 * @level: KT_ERR or KT_WARN
 * @line: the line, without a newline
 *
 * Every line kalloc_track prints goes through here, so that a test can
 * capture what the library really printed with a static stub.
 */
void kt_report_line(enum kt_level level, const char *line)
{
	KT_STUB_REDIRECT(kt_report_line, level, line);
	if (level == KT_WARN)
		pr_warn("%s\n", line);
	else
		pr_err("%s\n", line);
}
EXPORT_SYMBOL_IF_KUNIT(kt_report_line);

static __printf(2, 0) void kt_vreport(enum kt_level level, const char *fmt,
				       va_list args)
{
	char buf[KT_REPORT_LEN];

	vscnprintf(buf, sizeof(buf), fmt, args);
	kt_report_line(level, buf);
}

/* Format and print one line of a report. */
void kt_report(enum kt_level level, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	kt_vreport(level, fmt, args);
	va_end(args);
}

/* The same, for what a caller can trigger at will. */
void kt_report_ratelimited(enum kt_level level, const char *fmt, ...)
{
	va_list args;

	if (!__ratelimit(&kt_report_rs))
		return;
	va_start(args, fmt);
	kt_vreport(level, fmt, args);
	va_end(args);
}

#if IS_ENABLED(CONFIG_KUNIT)
/* A full budget, so that a test sees every line it causes. */
void kt_report_ratelimit_reset(void)
{
	ratelimit_state_reset_interval(&kt_report_rs,
				       DEFAULT_RATELIMIT_INTERVAL);
}
EXPORT_SYMBOL_IF_KUNIT(kt_report_ratelimit_reset);
#endif

/* The frames of a stack, one report line each. */
static void kt_report_stack(depot_stack_handle_t stack)
{
	unsigned long *entries;
	unsigned int i, n;

	n = stack_depot_fetch(stack, &entries);
	for (i = 0; i < n; i++)
		kt_report(KT_ERR, " %pS", (void *)entries[i]);
}

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
			 "%s: leak of '%.*s' (%u bytes, %pGg), age %u ms, allocated at %pS",
			 READ_ONCE(t->owner), KALLOC_TRACK_NAME_MAX, rec->name,
			 rec->size, &rec->gfp,
			 jiffies_to_msecs((u32)now - rec->stamp),
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
			 "%s: double free of '%.*s' (%zu bytes) from %pS; allocated at %pS, first released at %pS",
			 READ_ONCE(t->owner), KALLOC_TRACK_NAME_MAX, h->name,
			 h->size, (void *)ip, (void *)h->alloc_ip,
			 (void *)h->release_ip);
}
EXPORT_SYMBOL_IF_KUNIT(kt_format_double_free);

void kt_report_leak(const struct kalloc_track *t, const struct kt_record *rec,
		    unsigned long now)
{
	char buf[KT_REPORT_LEN];

	KT_STUB_REDIRECT(kt_report_leak, t, rec, now);
	kt_format_leak(buf, sizeof(buf), t, rec, now);
	kt_report_line(KT_ERR, buf);
}
EXPORT_SYMBOL_IF_KUNIT(kt_report_leak);

void kt_report_leak_site(const struct kalloc_track *t,
			 depot_stack_handle_t stack, unsigned int n,
			 size_t bytes)
{
	KT_STUB_REDIRECT(kt_report_leak_site, t, stack, n, bytes);
	if (kt_stack_kept(stack))
		kt_treport(KT_ERR, t,
			   "%u leak(s) of %zu bytes in all from this stack (kept from an earlier add at that site and depth):",
			   n, bytes);
	else
		kt_treport(KT_ERR, t,
			   "%u leak(s) of %zu bytes in all from this stack:",
			   n, bytes);
	kt_report_stack(stack);
}
EXPORT_SYMBOL_IF_KUNIT(kt_report_leak_site);

/*
 * Where a record was allocated: its stack when there is one, kept or
 * unwound alike.
 */
static unsigned long kt_site(const struct kt_record *rec)
{
	if (rec->stack)
		return stack_depot_set_extra_bits(rec->stack, 0);
	return rec->caller;
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
			     struct kt_record **leaked, size_t *bytes)
{
	unsigned int total = 0, printed = 0, sites = 0, n;
	unsigned long now = jiffies, site;
	struct kt_record *rec, **link;
	depot_stack_handle_t stack;
	size_t site_bytes;
	bool group, kept;

	while (*leaked) {
		rec = *leaked;
		site = kt_site(rec);
		stack = rec->stack;
		group = sites < KT_LEAK_SITES;
		kept = false;
		n = 0;
		site_bytes = 0;
		link = leaked;
		while ((rec = *link)) {
			if (group && kt_site(rec) != site) {
				link = &rec->next;
				continue;
			}
			if (printed < KT_LEAKS_PRINTED) {
				kt_report_leak(t, rec, now);
				printed++;
			}
			kept |= kt_stack_kept(rec->stack);
			n++;
			site_bytes += rec->size;
			*link = rec->next;
			kt_free_record(rec);
		}
		if (group) {
			sites++;
			/* Marked kept if any of the group's adds was. */
			stack = stack_depot_set_extra_bits(stack,
							   kept ? KT_STACK_KEPT : 0);
			if (stack)
				kt_report_leak_site(t, stack, n, site_bytes);
		}
		total += n;
		*bytes += site_bytes;
		cond_resched();
	}
	return total;
}

/*
 * @stack under @title, which says when the stack was kept from an earlier
 * @kind (add or release) rather than unwound.
 */
static void kt_report_titled_stack(const struct kalloc_track *t,
				   const char *title, const char *kind,
				   depot_stack_handle_t stack)
{
	if (kt_stack_kept(stack))
		kt_treport(KT_ERR, t,
			   "%s (the stack kept from an earlier %s at that site and depth):",
			   title, kind);
	else
		kt_treport(KT_ERR, t, "%s:", title);
	kt_report_stack(stack);
}

void kt_report_double_free(const struct kalloc_track *t,
			   const struct kalloc_track_freed *h,
			   unsigned long ip)
{
	char buf[KT_REPORT_LEN];

	if (!__ratelimit(&kt_report_rs))
		return;
	/* For the owner's name: see kt_treport(). */
	rcu_read_lock();
	kt_format_double_free(buf, sizeof(buf), t, h, ip);
	rcu_read_unlock();
	kt_report_line(KT_ERR, buf);
	if (h->alloc_stack)
		kt_report_titled_stack(t, "allocated by", "add", h->alloc_stack);
	if (h->release_stack)
		kt_report_titled_stack(t, "first released by", "release",
				       h->release_stack);
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
	/* For the owner's name: see kt_treport(). */
	rcu_read_lock();
	seq_printf(m, "owner: %s\n", READ_ONCE(t->owner));
	rcu_read_unlock();
	seq_printf(m, "live: %lu\n", st.live);
	seq_printf(m, "live_bytes: %zu\n", st.live_bytes);
	seq_printf(m, "peak_bytes: %zu\n", st.peak_bytes);
	seq_printf(m, "meta_bytes: %zu\n", st.meta_bytes);
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

/* Buckets looked at per lock hold, so that a sparse table costs little. */
#define KT_LISTING_BUCKETS	256

/*
 * Copy the next rows of the listing out of the tables, shard by shard,
 * under each shard's lock, looking at KT_LISTING_BUCKETS buckets at most.
 * The listing follows one table per shard; if a resize replaced it, or is
 * moving records out of it, the listing stops with a line that says so.
 * It is not a snapshot: an add or release in a bucket being listed may
 * make a row appear twice or not at all, as with any listing of a live
 * table. The shards are used under RCU, which keeps a destroy from
 * freeing them.
 */
static void kt_listing_fill(struct kt_listing *l)
{
	struct kalloc_track *t = l->t;
	struct kalloc_track_shard *shards, *s;
	unsigned int k, looked = 0;
	struct kt_record *rec;
	unsigned long flags;

	rcu_read_lock();
	shards = rcu_dereference(t->shards);
	if (!shards || shards != l->shards) {
		l->resized = shards != l->shards;
		l->done = !l->resized;
		rcu_read_unlock();
		return;
	}
	s = &shards[l->shard];
	spin_lock_irqsave(&s->lock, flags);
	if (!l->bucket && !l->skip) {
		/* A new shard: follow its table from now on. */
		l->table = s->table;
		l->bits = s->bits;
	}
	if (s->table != l->table || s->bits != l->bits || s->old_table) {
		l->resized = true;
		goto out;
	}
	while (l->bucket < 1U << l->bits && l->n < KT_ROWS_BATCH &&
	       looked++ < KT_LISTING_BUCKETS) {
		k = 0;
		for (rec = l->table[l->bucket].first; rec; rec = rec->next) {
			if (k++ < l->skip)
				continue;
			if (l->n == KT_ROWS_BATCH)
				break;
			l->row[l->n] = (struct kt_row){
				.size = rec->size, .caller = rec->caller,
				.stamp = rec->stamp, .gfp = rec->gfp,
				.stack = rec->stack,
			};
			/*
			 * The name is copied, not pointed to: rows wait here
			 * between reads, and a module that owned the string
			 * may be gone by the time they are shown.
			 */
			strscpy(l->row[l->n].name, rec->name,
				sizeof(l->row[0].name));
			l->n++;
			l->skip++;
		}
		if (!rec) {
			/* This bucket is done. */
			l->bucket++;
			l->skip = 0;
		}
	}
	if (l->bucket >= 1U << l->bits) {
		/* This shard is done. */
		l->shard++;
		l->bucket = 0;
		l->skip = 0;
		if (l->shard >= kt_nr_shards(shards))
			l->done = true;
	}
out:
	spin_unlock_irqrestore(&s->lock, flags);
	rcu_read_unlock();
}

/*
 * The element at the listing's position: a row, the resized marker, or
 * NULL at the end. Calling it again gives the same element, as seq_file
 * needs when it retries a position; only ->next() moves on.
 */
static void *kt_listing_current(struct kt_listing *l)
{
	if (l->i == l->n && !l->done && !l->resized) {
		/* A new batch, over as many shards as it takes to fill. */
		l->i = 0;
		l->n = 0;
		do {
			kt_listing_fill(l);
			cond_resched();
		} while (l->n < KT_ROWS_BATCH && !l->done && !l->resized);
	}
	if (l->i < l->n)
		return &l->row[l->i];
	if (l->resized && !l->done)
		return KT_RESIZED_TOKEN;
	return NULL;
}

static void kt_listing_reset(struct kt_listing *l)
{
	struct kalloc_track *t = l->t;

	/* A migration under way would end the listing early. */
	kt_migrate_all(t);
	l->shards = rcu_access_pointer(t->shards);
	l->table = NULL;
	l->bits = 0;
	l->shard = 0;
	l->bucket = 0;
	l->skip = 0;
	l->n = 0;
	l->i = 0;
	l->pos = 0;
	l->now = jiffies;
	l->resized = false;
	l->done = !l->shards;
}

static void *kt_allocations_start(struct seq_file *m, loff_t *pos)
{
	struct kt_listing *l = m->private;

	if (!*pos) {
		kt_listing_reset(l);
		return SEQ_START_TOKEN;
	}
	/* seq_file only ever comes back to where it stopped. */
	if (*pos != l->pos)
		return NULL;
	return kt_listing_current(l);
}

static void *kt_allocations_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct kt_listing *l = m->private;

	if (v == KT_RESIZED_TOKEN)
		l->done = true;
	else if (v != SEQ_START_TOKEN)
		l->i++;
	l->pos = ++*pos;
	return kt_listing_current(l);
}

static void kt_allocations_stop(struct seq_file *m, void *v)
{
}

/*
 * Runs with no lock held: the row is a copy, name included, and stack
 * depot handles stay valid for ever.
 */
static int kt_allocations_show(struct seq_file *m, void *v)
{
	struct kt_listing *l = m->private;
	const struct kt_row *row = v;
	unsigned long *entries;
	unsigned int i, n;

	if (v == SEQ_START_TOKEN) {
		seq_puts(m, "# name\tsize\tgfp\tage_ms\tcaller\n");
		return 0;
	}
	if (v == KT_RESIZED_TOKEN) {
		seq_puts(m, "# table resized while listing: incomplete\n");
		return 0;
	}
	seq_printf(m, "%s\t%zu\t%pGg\t%u\t%pS\n", row->name, row->size,
		   &row->gfp, jiffies_to_msecs((u32)l->now - row->stamp),
		   (void *)row->caller);
	if (!row->stack)
		return 0;
	if (kt_stack_kept(row->stack))
		seq_puts(m, KT_KEPT_ADD_LINE "\n");
	n = stack_depot_fetch(row->stack, &entries);
	for (i = 0; i < n; i++)
		seq_printf(m, "  %pS\n", (void *)entries[i]);
	return 0;
}

/*
 * The debugfs "allocations" file: a header line starting with '#', then
 * one tab-separated line per live allocation: name, size, GFP flags, age
 * in ms and caller. With stacks on, each line is followed by the frames
 * of the add, indented by two spaces, after KT_KEPT_ADD_LINE if the
 * stack was reused. A shard's lock is held only to
 * copy KT_ROWS_BATCH rows at a time, never while formatting.
 */
const struct seq_operations kt_allocations_seq_ops = {
	.start = kt_allocations_start,
	.next = kt_allocations_next,
	.stop = kt_allocations_stop,
	.show = kt_allocations_show,
};
EXPORT_SYMBOL_IF_KUNIT(kt_allocations_seq_ops);

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * kt_show_allocations() - the "allocations" text, into one seq_file
 * @m: a seq_file with a buffer large enough for the whole text
 * @t: the tracker
 *
 * Drives kt_allocations_seq_ops as seq_read() does, for the tests.
 */
void kt_show_allocations(struct seq_file *m, struct kalloc_track *t)
{
	struct kt_listing *l;
	void *saved = m->private;
	loff_t pos = 0;
	void *v;

	l = kzalloc_obj(*l, GFP_KERNEL);
	if (!l)
		return;
	l->t = t;
	m->private = l;
	for (v = kt_allocations_start(m, &pos); v;
	     v = kt_allocations_next(m, v, &pos))
		kt_allocations_show(m, v);
	kt_allocations_stop(m, v);
	m->private = saved;
	kfree(l);
}
EXPORT_SYMBOL_IF_KUNIT(kt_show_allocations);
#endif
