// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for what kalloc_track shows: the debugfs table and stats,
 * the leak and double-free reports, stack traces, and scoped use. A
 * format is an interface, so each one is parsed and checked.
 */

#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kalloc_track.h>
#include <linux/kallsyms.h>
#include <linux/kstrtox.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/stackdepot.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "kt_test.h"

#define KT_TEXT_SIZE	(4 * PAGE_SIZE)

/* Render one of the debugfs texts into a NUL-terminated buffer. */
static char *kt_render(struct kunit *test,
		       void (*show)(struct seq_file *, struct kalloc_track *),
		       struct kalloc_track *t)
{
	struct seq_file m = { .size = KT_TEXT_SIZE };

	m.buf = kunit_kzalloc(test, m.size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m.buf);
	show(&m, t);
	KUNIT_ASSERT_FALSE(test, seq_has_overflowed(&m));
	KUNIT_ASSERT_LT(test, m.count, m.size);
	m.buf[m.count] = '\0';
	return m.buf;
}

static bool kt_stacks_on(void)
{
	return kt_stacks_active();
}

/* The value of "key: value" in a stats text, or -1. */
static long long kt_stat(char *text, const char *key)
{
	char *copy = kstrdup(text, GFP_KERNEL), *s = copy, *line;
	long long val = -1;
	size_t len = strlen(key);

	while (s && (line = strsep(&s, "\n"))) {
		if (strncmp(line, key, len) || strncmp(line + len, ": ", 2))
			continue;
		if (kstrtoll(line + len + 2, 10, &val))
			val = -2;
		break;
	}
	kfree(copy);
	return val;
}

static void kalloc_track_stats_format(struct kunit *test)
{
	static const char * const keys[] = {
		"owner", "live", "live_bytes", "peak_bytes", "meta_bytes",
		"adds", "releases", "failed", "refused", "bad_input",
		"double_frees", "foreign_frees", "invalid_frees", "leaks",
		"max_size", "max_live_bytes",
	};
	struct kalloc_track *t = kt_test_tracker(test, "kunit-stats");
	char *text, *copy, *s, *line;
	void *a, *b, *stale;
	unsigned int i = 0;

	kalloc_track_set_limits(t, 1000, 5000);
	a = kalloc_track_add(t, "a", 300, GFP_KERNEL);
	b = kalloc_track_add(t, "b", 700, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_EXPECT_NULL(test, kalloc_track_add(t, "c", 1001, GFP_KERNEL));
	/* Size 0: an empty literal name would not build. */
	KUNIT_EXPECT_NULL(test, kalloc_track_add(t, "d", 0, GFP_KERNEL));
	stale = b;
	kalloc_track_release(t, &b);
	kalloc_track_release(t, &stale);

	text = kt_render(test, kt_show_stats, t);
	/* Every key, once, in this order, and nothing else. */
	copy = kunit_kstrdup(test, text, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, copy);
	s = copy;
	while ((line = strsep(&s, "\n")) && *line) {
		KUNIT_ASSERT_LT(test, i, ARRAY_SIZE(keys));
		KUNIT_EXPECT_TRUE_MSG(test, strstarts(line, keys[i]) &&
				      line[strlen(keys[i])] == ':',
				      "line %u: '%s'", i, line);
		i++;
	}
	KUNIT_EXPECT_EQ(test, i, ARRAY_SIZE(keys));
	KUNIT_EXPECT_TRUE(test, strstarts(text, "owner: kunit-stats\n"));
	KUNIT_EXPECT_EQ(test, kt_stat(text, "live"), 1);
	KUNIT_EXPECT_EQ(test, kt_stat(text, "live_bytes"), 300);
	KUNIT_EXPECT_EQ(test, kt_stat(text, "peak_bytes"), 1000);
	KUNIT_EXPECT_EQ(test, kt_stat(text, "adds"), 2);
	KUNIT_EXPECT_EQ(test, kt_stat(text, "releases"), 1);
	KUNIT_EXPECT_EQ(test, kt_stat(text, "refused"), 1);
	KUNIT_EXPECT_EQ(test, kt_stat(text, "bad_input"), 1);
	KUNIT_EXPECT_EQ(test, kt_stat(text, "double_frees"), 1);
	KUNIT_EXPECT_EQ(test, kt_stat(text, "invalid_frees"), 0);
	KUNIT_EXPECT_EQ(test, kt_stat(text, "max_size"), 1000);
	KUNIT_EXPECT_EQ(test, kt_stat(text, "max_live_bytes"), 5000);
	kalloc_track_release(t, &a);
}

struct kt_parsed_row {
	char *name, *size, *gfp, *age, *caller;
	unsigned int frames;
};

/* Parse the allocations text into rows; returns the number of rows. */
static unsigned int kt_parse_table(struct kunit *test, char *text,
				   struct kt_parsed_row *rows, unsigned int max)
{
	char *s = kunit_kstrdup(test, text, GFP_KERNEL), *line;
	unsigned int n = 0;

	KUNIT_ASSERT_NOT_NULL(test, s);
	line = strsep(&s, "\n");
	KUNIT_EXPECT_STREQ(test, line, "# name\tsize\tgfp\tage_ms\tcaller");
	while (s && (line = strsep(&s, "\n")) && *line) {
		if (strstarts(line, "  ")) {
			KUNIT_ASSERT_GT(test, n, 0);
			/* A kept stack's mark is not a frame. */
			if (strcmp(line, KT_KEPT_ADD_LINE))
				rows[n - 1].frames++;
			continue;
		}
		KUNIT_ASSERT_NE_MSG(test, line[0], '#', "'%s'", line);
		KUNIT_ASSERT_LT(test, n, max);
		rows[n].name = strsep(&line, "\t");
		rows[n].size = strsep(&line, "\t");
		rows[n].gfp = strsep(&line, "\t");
		rows[n].age = strsep(&line, "\t");
		rows[n].caller = line;
		KUNIT_ASSERT_NOT_NULL(test, rows[n].caller);
		KUNIT_EXPECT_NULL(test, strchr(rows[n].caller, '\t'));
		rows[n].frames = 0;
		n++;
	}
	return n;
}

static void kalloc_track_allocations_format(struct kunit *test)
{
	struct kalloc_track *t = kt_test_tracker(test, "kunit-table");
	static const char * const names[] = { "rx ring", "tx", "fw-image" };
	static const size_t sizes[] = { 1024, 64, 3000 };
	static const char * const gfps[] = {
		"GFP_KERNEL", "GFP_ATOMIC", "GFP_KERNEL|__GFP_ZERO",
	};
	const gfp_t flags[] = { GFP_KERNEL, GFP_ATOMIC, GFP_KERNEL | __GFP_ZERO };
	struct kt_parsed_row rows[4];
	unsigned int n, i, j, age;
	unsigned long size;
	char *text, want[64];
	void *p[3];

	for (i = 0; i < 3; i++) {
		p[i] = kalloc_track_add(t, names[i], sizes[i], flags[i]);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	text = kt_render(test, kt_show_allocations, t);
	n = kt_parse_table(test, text, rows, ARRAY_SIZE(rows));
	KUNIT_ASSERT_EQ(test, n, 3);
	for (i = 0; i < 3; i++) {
		for (j = 0; j < n; j++)
			if (!strcmp(rows[j].name, names[i]))
				break;
		KUNIT_ASSERT_LT_MSG(test, j, n, "no row for %s", names[i]);
		KUNIT_EXPECT_EQ(test, kstrtoul(rows[j].size, 10, &size), 0);
		KUNIT_EXPECT_EQ(test, size, sizes[i]);
		KUNIT_EXPECT_STREQ(test, rows[j].gfp, gfps[i]);
		KUNIT_EXPECT_EQ(test, kstrtouint(rows[j].age, 10, &age), 0);
		snprintf(want, sizeof(want), "%s+", __func__);
		if (IS_ENABLED(CONFIG_KALLSYMS))
			KUNIT_EXPECT_TRUE_MSG(test,
					      strstarts(rows[j].caller, want),
					      "caller '%s'", rows[j].caller);
		if (kt_stacks_on())
			KUNIT_EXPECT_GT(test, rows[j].frames, 0);
		else
			KUNIT_EXPECT_EQ(test, rows[j].frames, 0);
	}
	for (i = 0; i < 3; i++)
		kalloc_track_release(t, &p[i]);
	text = kt_render(test, kt_show_allocations, t);
	KUNIT_EXPECT_EQ(test, kt_parse_table(test, text, rows, 1), 0);
}

static void kt_stack_reuse_restore(void *data)
{
	kt_stack_reuse_apply((long)data);
}

/* Set kalloc_track.stack_reuse for the rest of @test. */
static void kt_test_stack_reuse(struct kunit *test, bool on)
{
	long was = kt_stack_reuse_apply(on);

	KUNIT_ASSERT_EQ(test,
			kunit_add_action_or_reset(test, kt_stack_reuse_restore,
						  (void *)was), 0);
}

/* What the library really printed for a double free. */
static void kalloc_track_double_free_report(struct kunit *test)
{
	struct kalloc_track *t = kt_test_tracker(test, "kunit-df");
	const struct kalloc_track_freed *h;
	struct kt_captured *c;
	const char *line;
	char want[96];
	void *p, *stale;

	/* Exact stacks, as by default: a reused one would be marked. */
	kt_test_stack_reuse(test, false);
	p = kalloc_track_add(t, "twice", 96, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	stale = p;
	KUNIT_ASSERT_EQ(test, kalloc_track_release(t, &p), 0);
	c = kt_test_capture(test);
	KUNIT_ASSERT_EQ(test, kalloc_track_release(t, &stale), -EALREADY);

	line = kt_test_line(c, "kunit-df: double free of 'twice' (96 bytes) from ");
	KUNIT_ASSERT_NOT_NULL_MSG(test, line, "%u lines, first '%s'", c->n,
				  c->line[0]);
	KUNIT_EXPECT_NOT_NULL(test, strstr(line, "; allocated at "));
	KUNIT_EXPECT_NOT_NULL(test, strstr(line, ", first released at "));
	if (IS_ENABLED(CONFIG_KALLSYMS)) {
		snprintf(want, sizeof(want), "from %s+", __func__);
		KUNIT_EXPECT_NOT_NULL(test, strstr(line, want));
		snprintf(want, sizeof(want), "allocated at %s+", __func__);
		KUNIT_EXPECT_NOT_NULL(test, strstr(line, want));
		snprintf(want, sizeof(want), "first released at %s+", __func__);
		KUNIT_EXPECT_NOT_NULL(test, strstr(line, want));
	}
	h = kt_test_last_release(t, stale);
	KUNIT_EXPECT_EQ(test, h->addr, (unsigned long)stale);
	if (kt_stacks_on()) {
		KUNIT_EXPECT_NE(test, h->alloc_stack, 0);
		KUNIT_EXPECT_NOT_NULL(test, kt_test_line(c, "kunit-df: allocated by:"));
		/* Each stack is followed by its frames. */
		KUNIT_EXPECT_GT(test, c->n, 2);
	} else {
		KUNIT_EXPECT_EQ(test, h->alloc_stack, 0);
		KUNIT_EXPECT_EQ(test, c->n, 1);
	}
	/* Release stacks are recorded at kalloc_track.stacks=2 only. */
	if (kt_stacks_level() == 2) {
		KUNIT_EXPECT_NE(test, h->release_stack, 0);
		KUNIT_EXPECT_NOT_NULL(test, kt_test_line(c, "kunit-df: first released by:"));
	} else {
		KUNIT_EXPECT_EQ(test, h->release_stack, 0);
		KUNIT_EXPECT_NULL(test, kt_test_line(c, "kunit-df: first released by:"));
	}
}

static void kt_stacks_level_restore(void *data)
{
	kt_stacks_apply((long)data);
}

/*
 * kalloc_track.stacks= levels: 1 records the stacks of adds only, 2 those
 * of releases too, and a double-free report then shows both.
 */
static void kalloc_track_stack_levels(struct kunit *test)
{
	struct kalloc_track *t = kt_test_tracker(test, "kunit-levels");
	const struct kalloc_track_freed *h;
	long level = kt_stacks_level();
	struct kt_captured *c;
	void *p, *stale;
	int want;

	/* Exact stacks, as by default: a reused one would be marked. */
	kt_test_stack_reuse(test, false);
	if (kt_stacks_apply(1))
		kunit_skip(test, "stack traces are not built in");
	KUNIT_ASSERT_EQ(test,
			kunit_add_action_or_reset(test, kt_stacks_level_restore,
						  (void *)level), 0);
	KUNIT_EXPECT_EQ(test, kt_stacks_apply(3), -EINVAL);
	KUNIT_EXPECT_EQ(test, kt_stacks_level(), 1);
	for (want = 1; want <= 2; want++) {
		KUNIT_ASSERT_EQ(test, kt_stacks_apply(want), 0);
		KUNIT_EXPECT_EQ(test, kt_stacks_level(), want);
		p = kalloc_track_add(t, "levels", 8, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p);
		stale = p;
		KUNIT_ASSERT_EQ(test, kalloc_track_release(t, &p), 0);
		c = kt_test_capture(test);
		KUNIT_ASSERT_EQ(test, kalloc_track_release(t, &stale), -EALREADY);
		h = kt_test_last_release(t, stale);
		KUNIT_EXPECT_NE(test, h->alloc_stack, 0);
		KUNIT_EXPECT_EQ(test, h->release_stack != 0, want == 2);
		KUNIT_EXPECT_NOT_NULL(test, kt_test_line(c, "kunit-levels: allocated by:"));
		KUNIT_EXPECT_EQ(test,
				!!kt_test_line(c, "kunit-levels: first released by:"),
				want == 2);
	}
	KUNIT_ASSERT_EQ(test, kt_stacks_apply(0), 0);
	KUNIT_EXPECT_EQ(test, kt_stacks_level(), 0);
}

#ifdef CONFIG_KALLOC_TRACK_STACKS
#define KT_COUNTED_UNWINDS	4

/* Stacks for the counted unwinds, saved beforehand, one per unwind. */
struct kt_unwinds {
	unsigned int n;
	depot_stack_handle_t stack[KT_COUNTED_UNWINDS];
};

/*
 * Unwinds of adds or releases from tasks, counted: each returns a stack
 * of its own, made in advance, as a release may not sleep.
 */
static depot_stack_handle_t kt_counted_unwind(unsigned long site, gfp_t gfp,
					      bool *found)
{
	struct kt_unwinds *u = kunit_get_current_test()->priv;

	*found = true;
	if (!in_task() || u->n >= KT_COUNTED_UNWINDS)
		return 0;
	return u->stack[u->n++];
}

/* An unwind whose trace misses the call site, as under a tracer. */
static depot_stack_handle_t kt_unwind_without_site(unsigned long site,
						   gfp_t gfp, bool *found)
{
	depot_stack_handle_t stack = kt_counted_unwind(site, gfp, found);

	*found = false;
	return stack;
}

/*
 * Whether @addr is in the function @func, as far as kallsyms tells: a
 * tracer that hooked our return (function_graph, a kretprobe) puts its
 * trampoline there instead.
 */
static bool kt_site_is(unsigned long addr, const char *func)
{
	char name[KSYM_NAME_LEN];

	if (!IS_ENABLED(CONFIG_KALLSYMS))
		return true;
	snprintf(name, sizeof(name), "%ps", (void *)addr);
	return !strcmp(name, func);
}

/* One release site, reached directly or one frame deeper. */
static noinline int kt_release_site(struct kalloc_track *t, void **p)
{
	return kalloc_track_release(t, p);
}

static noinline int kt_release_deeper(struct kalloc_track *t, void **p)
{
	int ret = kt_release_site(t, p);

	/* Not a tail call: this frame stays on the stack. */
	OPTIMIZER_HIDE_VAR(ret);
	return ret;
}

/*
 * Keep a test's calls on one CPU's kept stacks, and other tasks' calls
 * from evicting them meanwhile: preemption off, but only migration off
 * on PREEMPT_RT, where the calls take sleeping locks (another task's
 * call may then evict a slot, and fail the test, one time in 64).
 */
static void kt_pin(void)
{
	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		migrate_disable();
	else
		preempt_disable();
}

static void kt_unpin(void)
{
	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		migrate_enable();
	else
		preempt_enable();
}

#define KT_REUSED_OBJECTS	8

/* The objects of kalloc_track_release_stacks_reused(), and their fate. */
struct kt_reused {
	struct kalloc_track *t;
	void *p[KT_REUSED_OBJECTS];	/* NULLed by their release */
	void *q[KT_REUSED_OBJECTS];	/* the addresses */
	int ret[KT_REUSED_OBJECTS];
	depot_stack_handle_t stack[KT_REUSED_OBJECTS];
};

/*
 * Release object @i through @release, and read its release stack at once
 * (0 if the release failed): a later release in the same shard is the
 * shard's last one.
 */
static void kt_release_nth(struct kt_reused *r, unsigned int i,
			   int (*release)(struct kalloc_track *, void **))
{
	r->ret[i] = release(r->t, &r->p[i]);
	r->stack[i] = r->ret[i] ? 0 :
		kt_test_last_release(r->t, r->q[i])->release_stack;
}

/* @stack without KT_STACK_KEPT, to compare stacks. */
static depot_stack_handle_t kt_plain(depot_stack_handle_t stack)
{
	return stack_depot_set_extra_bits(stack, 0);
}

static void kt_forget_kept_stacks(void *data)
{
	kt_stack_cache_flush();
}

/*
 * Set @level and kalloc_track.stack_reuse=1 for the rest of @test, from
 * an empty cache, and make @u's stacks; skip if stacks cannot be kept.
 * Return: a module for kt_module_going(), which only looks at its
 * address.
 */
static struct module *kt_reuse_setup(struct kunit *test, long level,
				     struct kt_unwinds *u)
{
	long was = kt_stacks_level();
	struct module *mod;
	unsigned int i;

	if (kt_stacks_apply(level))
		kunit_skip(test, "no stack depot");
	KUNIT_ASSERT_EQ(test,
			kunit_add_action_or_reset(test, kt_stacks_level_restore,
						  (void *)was), 0);
	KUNIT_ASSERT_EQ(test,
			kunit_add_action_or_reset(test, kt_forget_kept_stacks,
						  NULL), 0);
	kt_test_stack_reuse(test, true);
	if (!kt_stack_cacheable())
		kunit_skip(test, "stacks are not kept here (randomize_kstack_offset)");
	mod = kunit_kzalloc(test, sizeof(*mod), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mod);
	for (i = 0; i < KT_COUNTED_UNWINDS; i++) {
		unsigned long fake[2] = { _THIS_IP_, i + 1 };

		u->stack[i] = stack_depot_save(fake, ARRAY_SIZE(fake), GFP_KERNEL);
		KUNIT_ASSERT_NE(test, u->stack[i], 0);
	}
	return mod;
}

/*
 * At kalloc_track.stacks=2 with kalloc_track.stack_reuse=1, a release's
 * stack is unwound once per site and stack depth, per CPU, and reused,
 * marked as kept; a module going away forgets every kept stack. The
 * releases run with preemption off, so that they use one CPU's kept
 * stacks and no other task's call evicts them, and are checked
 * afterwards. A module coming or going elsewhere during the test
 * forgets the kept stacks too, and fails it: no module loads while the
 * suites run at boot.
 */
static void kalloc_track_release_stacks_reused(struct kunit *test)
{
	struct kt_reused r = { .t = kt_test_tracker(test, "kunit-reused") };
	const char *kept = "kunit-reused: first released by (the stack kept from";
	struct kt_unwinds u = { };
	unsigned long *entries, ip;
	struct kt_captured *c;
	struct module *mod;
	int going;
	unsigned int i;

	mod = kt_reuse_setup(test, 2, &u);
	for (i = 0; i < ARRAY_SIZE(r.p); i++) {
		r.p[i] = kalloc_track_add(r.t, "reused", 16, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, r.p[i]);
		r.q[i] = r.p[i];
	}

	/* Real stacks: from the release site on, a frame more when deeper. */
	kt_stack_cache_flush();
	kt_pin();
	kt_release_nth(&r, 0, kt_release_site);
	ip = r.ret[0] ? 0 : kt_test_last_release(r.t, r.q[0])->release_ip;
	kt_release_nth(&r, 1, kt_release_deeper);
	kt_unpin();
	if (!r.ret[0] && !kt_site_is(ip, "kt_release_site")) {
		for (i = 0; i < ARRAY_SIZE(r.p); i++)
			kalloc_track_release(r.t, &r.p[i]);
		kunit_skip(test, "a tracer took the return of kalloc_track_release()");
	}
	KUNIT_ASSERT_NE(test, r.stack[0], 0);
	KUNIT_ASSERT_NE(test, r.stack[1], 0);
	KUNIT_EXPECT_FALSE(test, kt_stack_kept(r.stack[0]));
	KUNIT_EXPECT_FALSE(test, kt_stack_kept(r.stack[1]));
	KUNIT_EXPECT_NE(test, r.stack[0], r.stack[1]);
	KUNIT_ASSERT_GT(test, stack_depot_fetch(r.stack[0], &entries), 0);
	KUNIT_EXPECT_EQ(test, entries[0], ip);

	/* Counted: the same site and depth again reuses, and says so. */
	test->priv = &u;
	kunit_activate_static_stub(test, kt_unwind, kt_counted_unwind);
	kt_stack_cache_flush();
	kt_pin();
	kt_release_nth(&r, 2, kt_release_site);
	kt_release_nth(&r, 3, kt_release_site);
	kt_release_nth(&r, 4, kt_release_deeper);
	kt_unpin();
	/* What a module's unload does (it may sleep): nothing kept is reused. */
	going = kt_module_going(mod);
	kt_pin();
	kt_release_nth(&r, 5, kt_release_site);
	kt_unpin();
	kunit_deactivate_static_stub(test, kt_unwind);

	KUNIT_EXPECT_EQ(test, going, 0);
	for (i = 0; i < 6; i++) {
		KUNIT_EXPECT_EQ(test, r.ret[i], 0);
		KUNIT_EXPECT_NULL(test, r.p[i]);
	}
	KUNIT_EXPECT_EQ(test, u.n, 3);
	KUNIT_EXPECT_EQ(test, r.stack[2], u.stack[0]);
	KUNIT_EXPECT_TRUE(test, kt_stack_kept(r.stack[3]));
	KUNIT_EXPECT_EQ(test, kt_plain(r.stack[3]), u.stack[0]);
	KUNIT_EXPECT_EQ(test, r.stack[4], u.stack[1]);
	KUNIT_EXPECT_EQ(test, r.stack[5], u.stack[2]);

	/* A trace without the release site is never kept. */
	u.n = 0;
	kunit_activate_static_stub(test, kt_unwind,
				   kt_unwind_without_site);
	kt_stack_cache_flush();
	kt_pin();
	kt_release_nth(&r, 6, kt_release_site);
	kt_release_nth(&r, 7, kt_release_site);
	kt_unpin();
	kunit_deactivate_static_stub(test, kt_unwind);
	KUNIT_EXPECT_EQ(test, r.ret[6], 0);
	KUNIT_EXPECT_EQ(test, r.ret[7], 0);
	KUNIT_EXPECT_EQ(test, u.n, 2);
	KUNIT_EXPECT_EQ(test, r.stack[6], u.stack[0]);
	KUNIT_EXPECT_EQ(test, r.stack[7], u.stack[1]);

	/* A double-free report says which first-release stack was kept. */
	for (i = 2; i <= 3; i++) {
		c = kt_test_capture(test);
		KUNIT_EXPECT_EQ(test, kalloc_track_release(r.t, &r.q[i]), -EALREADY);
		KUNIT_EXPECT_EQ(test, !!kt_test_line(c, kept), i == 3);
		KUNIT_EXPECT_EQ(test,
				!!kt_test_line(c, "kunit-reused: first released by:"),
				i == 2);
	}
}

/* One add site, reached directly or one frame deeper. */
static noinline void *kt_add_site(struct kalloc_track *t)
{
	void *p = kalloc_track_add(t, "kept", 16, GFP_NOWAIT);

	/* Not a tail call: the site is in this function. */
	OPTIMIZER_HIDE_VAR(p);
	return p;
}

static noinline void *kt_add_deeper(struct kalloc_track *t)
{
	void *p = kt_add_site(t);

	OPTIMIZER_HIDE_VAR(p);
	return p;
}

#define KT_KEPT_ADDS	9

/* The stack of the add of @p (0 if there is no such add). */
static depot_stack_handle_t kt_add_stack(struct kalloc_track *t, void *p)
{
	struct kt_record *rec = p ? kt_test_record(t, p) : NULL;

	return rec ? rec->stack : 0;
}

/* Whether the stack of the add of @p starts at the add's call site. */
static bool kt_stack_at_site(struct kalloc_track *t, void *p)
{
	struct kt_record *rec = kt_test_record(t, p);
	unsigned long *entries;

	return rec && rec->stack &&
	       stack_depot_fetch(rec->stack, &entries) > 0 &&
	       entries[0] == rec->caller;
}

/* How many times @line is a whole line of @text. */
static unsigned int kt_count_lines(const char *text, const char *line)
{
	size_t len = strlen(line);
	unsigned int n = 0;
	const char *s;

	for (s = text; (s = strstr(s, line)); s += len)
		if ((s == text || s[-1] == '\n') && s[len] == '\n')
			n++;
	return n;
}

/*
 * With kalloc_track.stack_reuse=1, the stack of an add is unwound once
 * per site and stack depth, per CPU, as a release's is, and reused,
 * marked as kept; leak reports group kept and unwound stacks of one
 * site together and say that the group's stack was kept; a double-free
 * report and the debugfs listing say so of the allocation's stack. The
 * adds run with preemption off, as the releases of
 * kalloc_track_release_stacks_reused() do, with the same caveat.
 */
static void kalloc_track_add_stacks_reused(struct kunit *test)
{
	static const char kept_alloc[] =
		"kunit-addkept: allocated by (the stack kept from";
	static const char kept_leaks[] =
		"kunit-addkept: 2 leak(s) of 32 bytes in all from this stack (kept from";
	struct kalloc_track *t = kt_test_tracker(test, "kunit-addkept");
	depot_stack_handle_t stack[KT_KEPT_ADDS];
	struct kt_unwinds u = { };
	void *p[KT_KEPT_ADDS] = { };
	struct kt_captured *c;
	struct kt_record *rec;
	struct module *mod;
	void *stale, *array;
	unsigned long site;
	int going;
	unsigned int i;

	mod = kt_reuse_setup(test, 1, &u);

	/*
	 * The shards and a depot pool, allocated outside the sections
	 * below, where adds may not sleep; and the add site, which a
	 * tracer's trampoline may have taken.
	 */
	p[0] = kalloc_track_add(t, "warm", 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p[0]);
	KUNIT_ASSERT_EQ(test, kalloc_track_release(t, &p[0]), 0);
	p[0] = kt_add_site(t);
	KUNIT_ASSERT_NOT_NULL(test, p[0]);
	rec = kt_test_record(t, p[0]);
	KUNIT_ASSERT_NOT_NULL(test, rec);
	site = rec->caller;
	KUNIT_ASSERT_EQ(test, kalloc_track_release(t, &p[0]), 0);
	if (!kt_site_is(site, "kt_add_site"))
		kunit_skip(test, "a tracer took the return of kalloc_track_add()");
	/* Kernel or module text keys kept stacks; the heap or a stack not. */
	KUNIT_EXPECT_TRUE(test, kt_site_cacheable(site));
	KUNIT_EXPECT_FALSE(test, kt_site_cacheable((unsigned long)mod));
	KUNIT_EXPECT_FALSE(test, kt_site_cacheable((unsigned long)&site));
	KUNIT_EXPECT_FALSE(test, kt_site_cacheable(0));

	/* Real stacks: from the add's site on, a frame more when deeper. */
	kt_stack_cache_flush();
	kt_pin();
	p[0] = kt_add_site(t);
	p[1] = kt_add_deeper(t);
	array = kalloc_track_add_array(t, "kept-array", 2, 8, GFP_NOWAIT);
	kt_unpin();
	KUNIT_ASSERT_NOT_NULL(test, array);
	for (i = 0; i < 2; i++) {
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
		stack[i] = kt_add_stack(t, p[i]);
		KUNIT_ASSERT_NE(test, stack[i], 0);
		KUNIT_EXPECT_FALSE(test, kt_stack_kept(stack[i]));
	}
	KUNIT_EXPECT_NE(test, stack[0], stack[1]);
	KUNIT_EXPECT_TRUE(test, kt_stack_at_site(t, p[0]));
	KUNIT_EXPECT_TRUE(test, kt_stack_at_site(t, p[1]));
	KUNIT_EXPECT_TRUE(test, kt_stack_at_site(t, array));
	KUNIT_EXPECT_EQ(test, kalloc_track_release(t, &array), 0);

	/* Counted: the same site and depth again reuses, and says so. */
	test->priv = &u;
	kunit_activate_static_stub(test, kt_unwind, kt_counted_unwind);
	kt_stack_cache_flush();
	kt_pin();
	p[2] = kt_add_site(t);
	p[3] = kt_add_site(t);
	p[4] = kt_add_deeper(t);
	kt_unpin();
	/* What a module's unload does (it may sleep): nothing kept is reused. */
	going = kt_module_going(mod);
	kt_pin();
	p[5] = kt_add_site(t);
	p[6] = kt_add_site(t);
	kt_unpin();
	kunit_deactivate_static_stub(test, kt_unwind);
	KUNIT_EXPECT_EQ(test, going, 0);
	for (i = 2; i <= 6; i++) {
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
		stack[i] = kt_add_stack(t, p[i]);
	}
	KUNIT_EXPECT_EQ(test, u.n, 3);
	KUNIT_EXPECT_EQ(test, stack[2], u.stack[0]);
	KUNIT_EXPECT_TRUE(test, kt_stack_kept(stack[3]));
	KUNIT_EXPECT_EQ(test, kt_plain(stack[3]), u.stack[0]);
	KUNIT_EXPECT_EQ(test, stack[4], u.stack[1]);
	KUNIT_EXPECT_EQ(test, stack[5], u.stack[2]);
	KUNIT_EXPECT_TRUE(test, kt_stack_kept(stack[6]));
	KUNIT_EXPECT_EQ(test, kt_plain(stack[6]), u.stack[2]);
	/* The listing marks the two kept stacks, and only them. */
	KUNIT_EXPECT_EQ(test,
			kt_count_lines(kt_render(test, kt_show_allocations, t),
				       KT_KEPT_ADD_LINE), 2);

	/* A trace without the add's site is never kept. */
	u.n = 0;
	kunit_activate_static_stub(test, kt_unwind, kt_unwind_without_site);
	kt_stack_cache_flush();
	kt_pin();
	p[7] = kt_add_site(t);
	p[8] = kt_add_site(t);
	kt_unpin();
	kunit_deactivate_static_stub(test, kt_unwind);
	KUNIT_EXPECT_EQ(test, u.n, 2);
	KUNIT_EXPECT_EQ(test, kt_add_stack(t, p[7]), u.stack[0]);
	KUNIT_EXPECT_EQ(test, kt_add_stack(t, p[8]), u.stack[1]);

	/* A double-free report says which allocation stack was kept. */
	for (i = 5; i <= 6; i++) {
		stale = p[i];
		KUNIT_EXPECT_EQ(test, kalloc_track_release(t, &p[i]), 0);
		c = kt_test_capture(test);
		KUNIT_EXPECT_EQ(test, kalloc_track_release(t, &stale), -EALREADY);
		KUNIT_EXPECT_EQ(test, !!kt_test_line(c, kept_alloc), i == 6);
		KUNIT_EXPECT_EQ(test,
				!!kt_test_line(c, "kunit-addkept: allocated by:"),
				i == 5);
	}

	/*
	 * A leak report groups an unwound stack and the same stack kept,
	 * and marks the group; p[2] and p[3] are left to leak.
	 */
	for (i = 0; i < KT_KEPT_ADDS; i++)
		if (i != 2 && i != 3)
			kalloc_track_release(t, &p[i]);
	c = kt_test_capture(test);
	KUNIT_EXPECT_EQ(test, kalloc_track_destroy(t), 2);
	KUNIT_EXPECT_NOT_NULL_MSG(test, kt_test_line(c, kept_leaks),
				  "%u lines, first '%s'", c->n, c->line[0]);
	KUNIT_EXPECT_EQ(test, kt_test_count(c, "kunit-addkept: 1 leak(s)"), 0);
	kfree(p[2]);
	kfree(p[3]);
}
#endif

struct kt_sites {
	unsigned int leaks;
	unsigned int sites;
	unsigned int n[4];
	size_t bytes[4];
};

static void kt_fake_report_leak(const struct kalloc_track *t,
				const struct kt_record *rec, unsigned long now)
{
	struct kt_sites *s = kunit_get_current_test()->priv;

	s->leaks++;
}

static void kt_fake_report_leak_site(const struct kalloc_track *t,
				     depot_stack_handle_t stack,
				     unsigned int n, size_t bytes)
{
	struct kt_sites *s = kunit_get_current_test()->priv;

	if (s->sites < ARRAY_SIZE(s->n)) {
		s->n[s->sites] = n;
		s->bytes[s->sites] = bytes;
	}
	s->sites++;
}

/* Not tail calls: the caller recorded must be these functions. */
static noinline void *kt_leak_from_a(struct kalloc_track *t)
{
	void *p = kalloc_track_add(t, "site-a", 10, GFP_KERNEL);

	OPTIMIZER_HIDE_VAR(p);
	return p;
}

static noinline void *kt_leak_from_b(struct kalloc_track *t)
{
	void *p = kalloc_track_add(t, "site-b", 100, GFP_KERNEL);

	OPTIMIZER_HIDE_VAR(p);
	return p;
}

/*
 * Leak @n allocations from kt_leak_from_b() if @b, else kt_leak_from_a(): a loop
 * with a visible count would be unrolled into distinct call sites.
 */
static noinline void kt_leak_n(struct kalloc_track *t, void **p, int n,
			       bool b)
{
	int i;

	OPTIMIZER_HIDE_VAR(n);
	for (i = 0; i < n; i++)
		p[i] = b ? kt_leak_from_b(t) : kt_leak_from_a(t);
}

static void kalloc_track_leaks_grouped_by_stack(struct kunit *test)
{
	struct kalloc_track *t = kt_test_tracker(test, "kunit-sites");
	struct kt_sites *s;
	void *p[5];
	int i;

	if (!kt_stacks_on())
		kunit_skip(test, "stack traces are off");
	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	test->priv = s;
	kt_leak_n(t, p, 3, false);
	kt_leak_n(t, p + 3, 2, true);
	for (i = 0; i < 5; i++)
		KUNIT_ASSERT_NOT_NULL(test, p[i]);

	kunit_activate_static_stub(test, kt_report_leak, kt_fake_report_leak);
	kunit_activate_static_stub(test, kt_report_leak_site,
				   kt_fake_report_leak_site);
	KUNIT_EXPECT_EQ(test, kalloc_track_destroy(t), 5);
	KUNIT_EXPECT_EQ(test, s->leaks, 5);
	KUNIT_ASSERT_EQ(test, s->sites, 2);
	KUNIT_EXPECT_EQ(test, s->n[0] + s->n[1], 5);
	KUNIT_EXPECT_TRUE(test, (s->n[0] == 3 && s->bytes[0] == 30 &&
				 s->n[1] == 2 && s->bytes[1] == 200) ||
				(s->n[0] == 2 && s->bytes[0] == 200 &&
				 s->n[1] == 3 && s->bytes[1] == 30));
	for (i = 0; i < 5; i++)
		kfree(p[i]);
}

/* The real report path, printing included: what destroy printed. */
static void kalloc_track_destroy_prints_leaks(struct kunit *test)
{
	static const char * const want[] = {
		"kunit-printed: leak of 'site-a' (10 bytes, GFP_KERNEL), age ",
		"kunit-printed: leak of 'rx-ring' (2048 bytes, GFP_KERNEL|__GFP_ZERO), age ",
		"kunit-printed: 3 allocation(s) of 2068 bytes leaked at destroy",
		"kunit-printed: 2 leak(s) of 20 bytes in all from this stack:",
		"kunit-printed: 1 leak(s) of 2048 bytes in all from this stack:",
	};
	struct kalloc_track *t = kt_test_tracker(test, "kunit-printed");
	struct kalloc_track_stats st;
	struct kt_captured *c;
	const char *line;
	char where[64];
	void *p[3];
	int i;

	/* Exact stacks, as by default. */
	kt_test_stack_reuse(test, false);
	kt_leak_n(t, p, 2, false);
	p[2] = kalloc_track_add(t, "rx-ring", 2048, GFP_KERNEL | __GFP_ZERO);
	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	c = kt_test_capture(test);
	KUNIT_EXPECT_EQ(test, kalloc_track_destroy(t), 3);
	/* One stack per site, printed after its leaks. */
	if (kt_stacks_on()) {
		KUNIT_EXPECT_NOT_NULL(test, kt_test_line(c, want[3]));
		KUNIT_EXPECT_NOT_NULL(test, kt_test_line(c, want[4]));
	}

	KUNIT_EXPECT_EQ(test, kt_test_count(c, want[0]), 2);
	line = kt_test_line(c, want[1]);
	KUNIT_ASSERT_NOT_NULL(test, line);
	if (IS_ENABLED(CONFIG_KALLSYMS)) {
		snprintf(where, sizeof(where), " ms, allocated at %s+", __func__);
		KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(line, where), "'%s'", line);
		KUNIT_EXPECT_EQ_MSG(test, kt_test_count(c, " ms, allocated at kt_leak_from_a+"),
				    2, "'%s'", c->line[0]);
	}
	KUNIT_EXPECT_NOT_NULL(test, kt_test_line(c, want[2]));
	kalloc_track_get_stats(t, &st);
	KUNIT_EXPECT_EQ(test, st.leaks, 3);
	KUNIT_EXPECT_EQ(test, st.live_bytes, 0);
	for (i = 0; i < 3; i++)
		kfree(p[i]);
}

/*
 * More leaks than are printed (KT_LEAKS_PRINTED) from more sites than
 * are grouped (KT_LEAK_SITES): every leak is counted and forgotten,
 * only the first ones get a line, only the first sites a summary.
 * Sites are told apart by stack; distinct fake handles stand in for
 * distinct stacks, and the site report is stubbed, so they are never
 * looked up.
 */
#define KT_MANY_LEAKS	40
#define KT_MANY_SITES	20

static void kt_count_site(const struct kalloc_track *t,
			  depot_stack_handle_t stack, unsigned int n,
			  size_t bytes)
{
	struct kt_sites *s = kunit_get_current_test()->priv;

	s->sites++;
	s->leaks += n;
}

static void kalloc_track_many_leaks_many_sites(struct kunit *test)
{
	static const char summary[] =
		"kunit-many: 40 allocation(s) of 320 bytes leaked at destroy, first ones listed";
	struct kalloc_track *t = kt_test_tracker(test, "kunit-many");
	struct kt_captured *c;
	struct kt_record *rec;
	struct kt_sites *s;
	unsigned long flags;
	void **p;
	int i;

	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	p = kunit_kcalloc(test, KT_MANY_LEAKS, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_NOT_NULL(test, p);
	test->priv = s;
	for (i = 0; i < KT_MANY_LEAKS; i++) {
		p[i] = kalloc_track_add(t, "many", 8, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	kt_test_wait_resize(t);
	for (i = 0; i < KT_MANY_LEAKS; i++) {
		rec = kt_test_record(t, p[i]);
		KUNIT_ASSERT_NOT_NULL(test, rec);
		spin_lock_irqsave(&kt_test_shard(t, p[i])->lock, flags);
		rec->stack = 1 + i % KT_MANY_SITES;
		spin_unlock_irqrestore(&kt_test_shard(t, p[i])->lock, flags);
	}

	c = kt_test_capture(test);
	kunit_activate_static_stub(test, kt_report_leak_site, kt_count_site);
	KUNIT_EXPECT_EQ(test, kalloc_track_destroy(t), KT_MANY_LEAKS);
	KUNIT_EXPECT_EQ(test, kt_test_count(c, "kunit-many: leak of 'many' (8 bytes"),
			KT_LEAKS_PRINTED);
	KUNIT_EXPECT_NOT_NULL(test, kt_test_line(c, summary));
	KUNIT_EXPECT_EQ(test, s->sites, KT_LEAK_SITES);
	/* Two leaks per site for the grouped ones. */
	KUNIT_EXPECT_EQ(test, s->leaks, 2 * KT_LEAK_SITES);
	KUNIT_EXPECT_EQ(test, kt_stats(test, t).leaks, KT_MANY_LEAKS);
	for (i = 0; i < KT_MANY_LEAKS; i++)
		kfree(p[i]);
}

#define KT_LISTING_ROWS	40

/*
 * A listing of @t's "allocations" over KT_LISTING_ROWS live rows, in a
 * seq_file with room for all of them, and no resize behind the test's
 * back: the test runs it. The rows are in @p, all in one shard whatever
 * the CPUs. With several shards, rows in several slab pages could fall
 * in several shards, and if the listing's first batch ended exactly at
 * the end of one, the listing would hold no table that it reads again,
 * and a resize would go unseen.
 */
static void kt_listing_setup(struct kunit *test, struct kalloc_track *t,
			     struct seq_file *m, void **p)
{
	struct kt_listing *l;
	int i;

	l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);
	m->size = 64 * 1024;
	m->buf = kunit_kzalloc(test, m->size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, l);
	KUNIT_ASSERT_NOT_NULL(test, m->buf);
	kt_test_one_shard(test);
	p[0] = kalloc_track_add(t, "row", 16, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p[0]);
	KUNIT_ASSERT_EQ(test, kt_test_nr_shards(t), 1);
	kt_test_block_growth(t);
	for (i = 1; i < KT_LISTING_ROWS; i++) {
		p[i] = kalloc_track_add(t, "row", 16, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	l->t = t;
	m->private = l;
}

/*
 * A listing of the "allocations" file that a resize interrupts: the rows
 * shown are distinct live allocations, the listing ends with the line
 * that says it is incomplete, and nothing is read after it changed.
 */
static unsigned int kt_count_rows(const char *text)
{
	unsigned int rows = 0;
	bool start = true;

	/* Lines, not counting the frames of a stack (indented). */
	for (; *text; text++) {
		if (start && *text != ' ')
			rows++;
		start = *text == '\n';
	}
	return rows;
}

static void kalloc_track_listing_during_resize(struct kunit *test)
{
	struct kalloc_track *t = kt_test_tracker(test, "kunit-listing");
	void *p[KT_LISTING_ROWS], *v;
	struct seq_file m = { };
	unsigned int rows;
	loff_t pos = 0;
	int i, n = KT_LISTING_ROWS;

	kt_listing_setup(test, t, &m, p);
	v = kt_allocations_seq_ops.start(&m, &pos);
	KUNIT_ASSERT_PTR_EQ(test, v, SEQ_START_TOKEN);
	for (i = 0; i < 3; i++) {
		kt_allocations_seq_ops.show(&m, v);
		v = kt_allocations_seq_ops.next(&m, v, &pos);
		KUNIT_ASSERT_NOT_NULL(test, v);
	}
	kt_resize(t);
	for (; v; v = kt_allocations_seq_ops.next(&m, v, &pos))
		kt_allocations_seq_ops.show(&m, v);
	kt_allocations_seq_ops.stop(&m, v);
	KUNIT_ASSERT_LT(test, m.count, m.size);
	m.buf[m.count] = '\0';

	rows = kt_count_rows(m.buf);
	/* Header, then at most one batch, then the marker. */
	KUNIT_EXPECT_LE(test, rows, 2 + KT_ROWS_BATCH);
	KUNIT_EXPECT_GE(test, rows, 2 + 2);
	KUNIT_EXPECT_NOT_NULL(test, strstr(m.buf, "# table resized while listing: incomplete\n"));
	KUNIT_EXPECT_TRUE(test, strends(m.buf, "incomplete\n"));

	/* A listing started after the resize shows every row once. */
	m.count = 0;
	pos = 0;
	for (v = kt_allocations_seq_ops.start(&m, &pos); v;
	     v = kt_allocations_seq_ops.next(&m, v, &pos))
		kt_allocations_seq_ops.show(&m, v);
	KUNIT_ASSERT_LT(test, m.count, m.size);
	m.buf[m.count] = '\0';
	KUNIT_EXPECT_EQ(test, kt_count_rows(m.buf), 1 + n);
	KUNIT_EXPECT_NULL(test, strstr(m.buf, "incomplete"));

	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, kalloc_track_release(t, &p[i]), 0);
}

/*
 * seq_file may stop after ->next() and come back with ->start() at the
 * same position (a full user buffer, a record that overflowed). Each
 * retry must give the same element, the resized marker included, and
 * the end must stay the end.
 */
static void kalloc_track_listing_retries(struct kunit *test)
{
	struct kalloc_track *t = kt_test_tracker(test, "kunit-retry");
	unsigned int shown = 0, markers = 0;
	void *p[KT_LISTING_ROWS], *v, *w;
	struct seq_file m = { };
	loff_t pos = 0;
	int i, n = KT_LISTING_ROWS;

	kt_listing_setup(test, t, &m, p);

	for (v = kt_allocations_seq_ops.start(&m, &pos); v; v = w) {
		kt_allocations_seq_ops.show(&m, v);
		shown++;
		markers += v == KT_RESIZED_TOKEN;
		if (shown == 3)
			kt_resize(t);
		v = kt_allocations_seq_ops.next(&m, v, &pos);
		kt_allocations_seq_ops.stop(&m, v);
		w = kt_allocations_seq_ops.start(&m, &pos);
		KUNIT_ASSERT_PTR_EQ_MSG(test, w, v, "retry at %lld", pos);
	}
	/* The end stays the end. */
	KUNIT_EXPECT_NULL(test, kt_allocations_seq_ops.start(&m, &pos));
	KUNIT_EXPECT_EQ(test, markers, 1);
	/* Header, 16 rows before the resize (a batch), then the marker. */
	KUNIT_EXPECT_EQ(test, shown, 1 + KT_ROWS_BATCH + 1);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, kalloc_track_release(t, &p[i]), 0);
}

static void kalloc_track_stack_recorded_when_on(struct kunit *test)
{
	struct kalloc_track *t = kt_test_tracker(test, "kunit-stack");
	unsigned long *entries;
	struct kt_record *rec;
	void *p;

	p = kalloc_track_add(t, "stacked", 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	rec = kt_test_record(t, p);
	KUNIT_ASSERT_NOT_NULL(test, rec);
	if (!kt_stacks_on()) {
		KUNIT_EXPECT_EQ(test, rec->stack, 0);
	} else {
		KUNIT_ASSERT_NE(test, rec->stack, 0);
		KUNIT_EXPECT_GT(test, stack_depot_fetch(rec->stack, &entries), 0);
	}
	kalloc_track_release(t, &p);
}

static void kalloc_track_scoped_release(struct kunit *test)
{
	struct kalloc_track *t = kt_test_tracker(test, "kunit-scoped");
	struct kalloc_track_stats st;
	void *kept;

	{
		CLASS(kalloc_track, buf)(t, kalloc_track_add(t, "scoped", 40,
							     GFP_KERNEL));
		KUNIT_ASSERT_NOT_NULL(test, buf.p);
		kalloc_track_get_stats(t, &st);
		KUNIT_EXPECT_EQ(test, st.live, 1);
	}
	kalloc_track_get_stats(t, &st);
	KUNIT_EXPECT_EQ(test, st.live, 0);
	KUNIT_EXPECT_EQ(test, st.releases, 1);

	{
		CLASS(kalloc_track, buf)(t, kalloc_track_add(t, "kept", 40,
							     GFP_KERNEL));
		kept = kalloc_track_keep(&buf);
		KUNIT_EXPECT_NULL(test, buf.p);
	}
	KUNIT_ASSERT_NOT_NULL(test, kept);
	kalloc_track_get_stats(t, &st);
	KUNIT_EXPECT_EQ(test, st.live, 1);
	KUNIT_EXPECT_EQ(test, kalloc_track_release(t, &kept), 0);

	{
		/* A failed add leaves nothing to release. */
		CLASS(kalloc_track, buf)(t, kalloc_track_add(t, "buf", 0,
							     GFP_KERNEL));
		KUNIT_EXPECT_NULL(test, buf.p);
	}
	kalloc_track_get_stats(t, &st);
	KUNIT_EXPECT_EQ(test, st.releases, 2);
	KUNIT_EXPECT_EQ(test, st.invalid_frees, 0);
}

static void kalloc_track_debugfs_distinct_dirs(struct kunit *test)
{
	struct kalloc_track *a, *b;

	if (!IS_ENABLED(CONFIG_DEBUG_FS))
		kunit_skip(test, "CONFIG_DEBUG_FS is off");
	a = kt_test_tracker(test, "kunit-dup");
	b = kt_test_tracker(test, "kunit-dup");
	kt_flush_work();
	KUNIT_ASSERT_NOT_NULL(test, a->debugfs);
	KUNIT_ASSERT_NOT_NULL(test, b->debugfs);
	KUNIT_EXPECT_PTR_NE(test, a->debugfs, b->debugfs);
	KUNIT_EXPECT_STREQ(test, a->debugfs->d_name.name, "kunit-dup");
	KUNIT_EXPECT_TRUE_MSG(test, strstarts(b->debugfs->d_name.name,
					      "kunit-dup-"),
			      "'%s'", b->debugfs->d_name.name);

	kalloc_track_destroy(a);
	KUNIT_EXPECT_NULL(test, a->debugfs);
	KUNIT_EXPECT_NOT_NULL(test, b->debugfs);
}

/*
 * The memory of a tracker in use is being freed, without destroy: what
 * ODEBUG's free check calls (with CONFIG_DEBUG_OBJECTS_FREE, from the
 * kfree()). Called here directly, as a real free would be an ODEBUG
 * report. The tracker goes off the list and its directory goes too.
 * That trackers are debug objects at all is shown by the sanitizer runs,
 * which have CONFIG_DEBUG_OBJECTS_FREE: a tracker of any test that is
 * freed while still an active object there is a report that fails them.
 */
static void kalloc_track_freed_without_destroy(struct kunit *test)
{
	struct dentry *root, *dir;
	struct kalloc_track *t;
	struct kt_captured *c;
	unsigned int i;

	if (!IS_ENABLED(CONFIG_KALLOC_TRACK_DEBUG_OBJECTS))
		kunit_skip(test, "CONFIG_KALLOC_TRACK_DEBUG_OBJECTS is off");
	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	/* No add: the shards it would leak are kmemleak's reports. */
	KUNIT_ASSERT_EQ(test, kalloc_track_init(t, "kunit-freed-live"), 0);
	kt_flush_work();
	KUNIT_ASSERT_TRUE(test, kt_tracker_listed(t));
	c = kt_test_capture(test);

#ifdef CONFIG_KALLOC_TRACK_DEBUG_OBJECTS
	KUNIT_EXPECT_FALSE(test, kt_debug_fixup_free(t, ODEBUG_STATE_INACTIVE));
	KUNIT_EXPECT_TRUE(test, kt_tracker_listed(t));
	KUNIT_EXPECT_TRUE(test, kt_debug_fixup_free(t, ODEBUG_STATE_ACTIVE));
#endif
	KUNIT_EXPECT_FALSE(test, kt_tracker_listed(t));
	KUNIT_EXPECT_TRUE(test, t->dead);
	KUNIT_EXPECT_NULL(test, t->debugfs);
	KUNIT_EXPECT_EQ(test, kt_test_count(c, "kunit-freed-live: tracker freed without"),
			1);
	/* Later calls are refused, as after a destroy. */
	KUNIT_EXPECT_NULL(test, kalloc_track_add(t, "late", 8, GFP_KERNEL));
	if (!IS_ENABLED(CONFIG_DEBUG_FS))
		return;
	/* Its directory is removed by a work. */
	root = debugfs_lookup("kalloc_track", NULL);
	KUNIT_ASSERT_NOT_NULL(test, root);
	for (i = 0; i < 100; i++) {
		dir = debugfs_lookup("kunit-freed-live", root);
		dput(dir);
		if (!dir)
			break;
		usleep_range(10000, 20000);
	}
	dput(root);
	KUNIT_EXPECT_NULL(test, dir);
}

/* The trackers of the test below, and which to free at which pause. */
struct kt_walk_frees {
	struct kalloc_track *at, *free[2];
};

static void kt_free_at_pause(struct kalloc_track *t)
{
	struct kt_walk_frees *w = kunit_get_current_test()->priv;

	if (t != w->at)
		return;
#ifdef CONFIG_KALLOC_TRACK_DEBUG_OBJECTS
	kt_debug_fixup_free(w->free[0], ODEBUG_STATE_ACTIVE);
	if (w->free[1])
		kt_debug_fixup_free(w->free[1], ODEBUG_STATE_ACTIVE);
#endif
	w->at = NULL;
}

/* A module unload's walk, with trackers freed at the pause after @at. */
static void kt_walk_with_frees(struct kunit *test, struct module *mod,
			       struct kalloc_track *at,
			       struct kalloc_track *free0,
			       struct kalloc_track *free1)
{
	struct kt_walk_frees *w = test->priv;

	w->at = at;
	w->free[0] = free0;
	w->free[1] = free1;
	kunit_activate_static_stub(test, kt_walk_pause, kt_free_at_pause);
	KUNIT_EXPECT_EQ(test, kt_module_going(mod), 0);
	kunit_deactivate_static_stub(test, kt_walk_pause);
	KUNIT_EXPECT_NULL(test, w->at);
	KUNIT_EXPECT_FALSE(test, kt_tracker_listed(free0));
	if (free1)
		KUNIT_EXPECT_FALSE(test, kt_tracker_listed(free1));
}

/* A record of @t named @name, which the walk must have redirected. */
static void kt_expect_redirected(struct kunit *test, struct kalloc_track *t,
				 void **p)
{
	struct kt_record *rec = kt_test_record(t, *p);

	KUNIT_ASSERT_NOT_NULL(test, rec);
	KUNIT_EXPECT_STREQ(test, rec->name, "(unloaded module)");
	KUNIT_EXPECT_EQ(test, kalloc_track_release(t, p), 0);
}

/*
 * Trackers freed in use while a module unload walks the list: first the
 * one after the tracker the walk is at, then, in a second walk, the one
 * it is at and the next. Each walk goes on past them, and still
 * redirects the names of the trackers after them.
 */
static void kalloc_track_unload_walk_survives_frees(struct kunit *test)
{
	struct kalloc_track *a, *t[3], *e;
	struct module *mod;
	unsigned int i;
	void *pa, *pe;
	char *name;

	if (!IS_ENABLED(CONFIG_KALLOC_TRACK_DEBUG_OBJECTS) ||
	    !IS_ENABLED(CONFIG_MODULES))
		kunit_skip(test, "needs CONFIG_KALLOC_TRACK_DEBUG_OBJECTS and CONFIG_MODULES");
	mod = kunit_kzalloc(test, sizeof(*mod), GFP_KERNEL);
	name = kunit_kzalloc(test, 16, GFP_KERNEL);
	test->priv = kunit_kzalloc(test, sizeof(struct kt_walk_frees),
				   GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mod);
	KUNIT_ASSERT_NOT_NULL(test, name);
	KUNIT_ASSERT_NOT_NULL(test, test->priv);
	strscpy(name, "module-string", 16);
	strscpy(mod->name, "kunit_fake", sizeof(mod->name));
	mod->mem[MOD_RODATA].base = name;
	mod->mem[MOD_RODATA].size = 16;
	a = kt_test_tracker(test, "kunit-walk-a");
	/* Without adds: the shards they would leak are kmemleak's. */
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		t[i] = kunit_kzalloc(test, sizeof(*t[i]), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, t[i]);
		KUNIT_ASSERT_EQ(test, kalloc_track_init(t[i], "kunit-walk"), 0);
	}
	e = kt_test_tracker(test, "kunit-walk-e");
	/* Their directories are made: the fix-up races with no work. */
	kt_flush_work();
	kt_test_capture(test);

	pa = kalloc_track_add(a, name, 8, GFP_KERNEL);
	pe = kalloc_track_add(e, name, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pa);
	KUNIT_ASSERT_NOT_NULL(test, pe);
	/* At t[0], t[1] goes: the walk goes on from t[0] to t[2]. */
	kt_walk_with_frees(test, mod, t[0], t[1], NULL);
	kt_expect_redirected(test, a, &pa);
	kt_expect_redirected(test, e, &pe);

	pe = kalloc_track_add(e, name, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pe);
	/* At t[0], t[0] and t[2] go: the walk goes on at e. */
	kt_walk_with_frees(test, mod, t[0], t[0], t[2]);
	kt_expect_redirected(test, e, &pe);
}

/*
 * Owners longer than a directory name may be: the name is cut, and a
 * second tracker of that owner still gets a distinct directory, with its
 * suffix intact.
 */
static void kalloc_track_debugfs_long_owner(struct kunit *test)
{
	struct kalloc_track *a, *b;
	const char *na, *nb;
	char *owner;

	if (!IS_ENABLED(CONFIG_DEBUG_FS))
		kunit_skip(test, "CONFIG_DEBUG_FS is off");
	/* 100 characters, living as long as the trackers. */
	owner = kunit_kzalloc(test, 101, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, owner);
	memset(owner, 'o', 100);
	memcpy(owner, "kunit-long", 10);
	a = kt_test_tracker(test, owner);
	b = kt_test_tracker(test, owner);
	kt_flush_work();
	KUNIT_ASSERT_NOT_NULL(test, a->debugfs);
	KUNIT_ASSERT_NOT_NULL(test, b->debugfs);
	na = a->debugfs->d_name.name;
	nb = b->debugfs->d_name.name;
	KUNIT_EXPECT_EQ(test, strlen(na), KALLOC_TRACK_NAME_MAX);
	KUNIT_EXPECT_EQ(test, strncmp(na, owner, KALLOC_TRACK_NAME_MAX), 0);
	KUNIT_EXPECT_EQ(test, strncmp(nb, na, KALLOC_TRACK_NAME_MAX), 0);
	KUNIT_EXPECT_EQ(test, nb[KALLOC_TRACK_NAME_MAX], '-');
	KUNIT_EXPECT_GT(test, strlen(nb), KALLOC_TRACK_NAME_MAX + 1);
}

static void kt_unmount(void *data)
{
	kern_unmount(data);
}

static void kt_fput(void *data)
{
	fput(data);
}

/*
 * Keep the real debugfs "stats" file open across destroy and read it
 * before and after: the second read must fail cleanly, not touch the
 * freed tracker.
 */
static void kalloc_track_debugfs_open_across_destroy(struct kunit *test)
{
	struct kalloc_track *t;
	struct vfsmount *mnt;
	unsigned long ubuf;
	struct file *file;
	char path[64], *kbuf;
	loff_t pos = 0;
	ssize_t n;

	if (!IS_ENABLED(CONFIG_DEBUG_FS))
		kunit_skip(test, "CONFIG_DEBUG_FS is off");
	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	kbuf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_ASSERT_NOT_NULL(test, kbuf);
	KUNIT_ASSERT_EQ(test, kalloc_track_init(t, "kunit-open"), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kt_test_destroy,
							t), 0);
	kt_flush_work();
	KUNIT_ASSERT_NOT_NULL(test, t->debugfs);
	snprintf(path, sizeof(path), "kalloc_track/%s/stats",
		 t->debugfs->d_name.name);

	/*
	 * A mount of our own, since nothing mounts debugfs under KUnit. The
	 * tracker's directory names the filesystem type, and the mount
	 * holds its own reference to it.
	 */
	mnt = kern_mount(t->debugfs->d_sb->s_type);
	KUNIT_ASSERT_FALSE(test, IS_ERR(mnt));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kt_unmount, mnt),
			0);
	file = file_open_root_mnt(mnt, path, O_RDONLY, 0);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(file), "open %s: %pe", path, file);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kt_fput, file),
			0);

	ubuf = kunit_vm_mmap(test, NULL, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
			     MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_NE(test, ubuf, 0);
	/*
	 * vfs_read() is not exported to modules, and kernel_read() refuses
	 * debugfs files (they have ->read, not ->read_iter). What we test is
	 * debugfs's proxy ->read, which vfs_read() would call: go straight
	 * to it.
	 */
	n = file->f_op->read(file, (char __user *)ubuf, PAGE_SIZE - 1, &pos);
	KUNIT_ASSERT_GT(test, n, 0);
	KUNIT_ASSERT_EQ(test, copy_from_user(kbuf, (void __user *)ubuf, n), 0);
	KUNIT_EXPECT_TRUE(test, strstarts(kbuf, "owner: kunit-open\nlive: 0\n"));

	KUNIT_EXPECT_EQ(test, kalloc_track_destroy(t), 0);
	memset(t, 0x6b, sizeof(*t));	/* what a freed tracker would hold */
	pos = 0;
	n = file->f_op->read(file, (char __user *)ubuf, PAGE_SIZE - 1, &pos);
	KUNIT_EXPECT_EQ(test, n, -EIO);
	t->dead = true;			/* for kt_test_destroy() */
}

static struct kunit_case kalloc_track_report_cases[] = {
	KUNIT_CASE(kalloc_track_stats_format),
	KUNIT_CASE(kalloc_track_allocations_format),
	KUNIT_CASE(kalloc_track_double_free_report),
	KUNIT_CASE(kalloc_track_stack_levels),
#ifdef CONFIG_KALLOC_TRACK_STACKS
	KUNIT_CASE(kalloc_track_release_stacks_reused),
	KUNIT_CASE(kalloc_track_add_stacks_reused),
#endif
	KUNIT_CASE(kalloc_track_leaks_grouped_by_stack),
	KUNIT_CASE(kalloc_track_destroy_prints_leaks),
	KUNIT_CASE(kalloc_track_many_leaks_many_sites),
	KUNIT_CASE(kalloc_track_listing_during_resize),
	KUNIT_CASE(kalloc_track_listing_retries),
	KUNIT_CASE(kalloc_track_stack_recorded_when_on),
	KUNIT_CASE(kalloc_track_scoped_release),
	KUNIT_CASE(kalloc_track_debugfs_distinct_dirs),
	KUNIT_CASE(kalloc_track_freed_without_destroy),
	KUNIT_CASE(kalloc_track_unload_walk_survives_frees),
	KUNIT_CASE(kalloc_track_debugfs_long_owner),
	KUNIT_CASE(kalloc_track_debugfs_open_across_destroy),
	{}
};

static struct kunit_suite kalloc_track_report_suite = {
	.name = "kalloc_track_report",
	.test_cases = kalloc_track_report_cases,
};

kunit_test_suite(kalloc_track_report_suite);

MODULE_DESCRIPTION("KUnit tests for kalloc_track reports and debugfs");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
