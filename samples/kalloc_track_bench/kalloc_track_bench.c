// SPDX-License-Identifier: GPL-2.0
/*
 * A benchmark of kalloc_track against the mechanisms it competes with:
 * raw kmalloc()/kfree(), devres, KUnit resources and ref_tracker.
 *
 * It is a KUnit suite so that kunit.py builds and runs it like the tests,
 * on UML and on QEMU, but it prints figures, not verdicts: its only
 * assertions are about correctness (every allocation succeeded, every
 * release freed). It lives among the samples because it measures the
 * API as its users call it, whether the library is configured in or out.
 *
 * Each row keeps N objects live and then, without sleeping, measures
 * allocate+free pairs: "fifo" frees the oldest live object, "lifo" the
 * newest, "random" one picked by a fixed pseudo-random sequence. A row
 * prints the median of several repetitions in ns per pair, and the
 * median of the ratios of each repetition to a repetition of raw
 * kmalloc()+kfree(), at the same live count and in the same order,
 * timed just before it. Two yardstick rows add to kmalloc() what a
 * tracker cannot do without: "kmalloc+hashed line" one scattered 64-byte
 * line per object (see struct kb_line), "kmalloc+irqsave lock" a lock
 * round trip with interrupts off on each side (see kb_irqlock_setup()).
 *
 * Module parameters (kalloc_track_bench.<name>= on the command line):
 * max_live, the largest live count measured; pairs, the pairs timed per
 * repetition; reps, the repetitions; mt_pairs, the pairs per thread of the
 * multi-CPU rows; only, a prefix of the mechanisms to measure.
 */

#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/hash.h>
#include <linux/kalloc_track.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/ref_tracker.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

/* The defaults are a smoke run; make bench sets the full one. */
static unsigned long max_live = 1024;
module_param(max_live, ulong, 0444);
MODULE_PARM_DESC(max_live, "Largest live count measured, up to 262144 (default 1024)");

static unsigned int pairs = 256;
module_param(pairs, uint, 0444);
MODULE_PARM_DESC(pairs, "Pairs timed per repetition (default 256)");

static unsigned int reps = 5;
module_param(reps, uint, 0444);
MODULE_PARM_DESC(reps, "Repetitions per row, the median is printed (default 5)");

static unsigned int mt_pairs = 2000;
module_param(mt_pairs, uint, 0444);
MODULE_PARM_DESC(mt_pairs, "Pairs per thread in the multi-CPU rows (default 2000)");

static char *only;
module_param(only, charp, 0444);
MODULE_PARM_DESC(only, "Measure only the mechanisms whose name starts with this, and kmalloc (for profiling)");

#define KB_MAX_REPS	15

enum kb_pattern { KB_FIFO, KB_LIFO, KB_RANDOM };
static const char * const kb_pattern_name[] = { "fifo", "lifo", "random" };

struct kb_ctx {
	struct kunit *test;
	struct kunit sub;		/* owner of the KUnit resources */
	struct device *dev;
	struct kalloc_track *t;
#ifdef CONFIG_REF_TRACKER
	struct ref_tracker_dir dir;
	struct ref_tracker **refs;
#endif
	struct kb_line *line;		/* the yardstick's table */
	unsigned int line_bits;
	spinlock_t lock;		/* the other yardstick's lock */
	unsigned long locked;		/* what it protects */
	void **slot;
	size_t size;
	unsigned long live;		/* objects the row keeps live */
	unsigned long n;		/* slots in use */
	unsigned long bad;		/* releases that did not release */
};

struct kb_mech {
	const char *name;
	/* Freeing searches a list: fewer pairs at large live counts. */
	bool linear;
	/* Not a mechanism: left out of the memory table. */
	bool yardstick;
	int (*setup)(struct kb_ctx *c);
	void *(*alloc)(struct kb_ctx *c, unsigned long i);
	void (*free)(struct kb_ctx *c, unsigned long i);
	void (*teardown)(struct kb_ctx *c);
};

static int kb_raw_setup(struct kb_ctx *c)
{
	return 0;
}

static void *kb_raw_alloc(struct kb_ctx *c, unsigned long i)
{
	return kmalloc(c->size, GFP_KERNEL);
}

static void kb_raw_free(struct kb_ctx *c, unsigned long i)
{
	kfree(c->slot[i]);
	c->slot[i] = NULL;
}

/*
 * Free what a row left live with @free. A slot left empty by a failed
 * allocation has nothing to free (and, for ref_tracker, no tracker).
 */
static void kb_free_left(struct kb_ctx *c,
			 void (*free)(struct kb_ctx *c, unsigned long i))
{
	unsigned long i;

	for (i = 0; i < c->n; i++)
		if (c->slot[i])
			free(c, i);
}

static void kb_raw_teardown(struct kb_ctx *c)
{
	kb_free_left(c, kb_raw_free);
}

/*
 * A yardstick, not a mechanism: kmalloc() plus one 64-byte line of
 * metadata per live object, at hash_ptr() of its address in a table of
 * as many lines as objects live (at least 8): 16 MiB at 262,144 live,
 * about what kalloc_track's records and buckets take. The allocation
 * writes the line, the free reads and clears it. No lock, no chain, no
 * check: objects whose lines collide share one. hash_ptr() scatters
 * neighbouring objects, so their lines are not read in runs, and the
 * line's load depends on nothing but the address, so it may overlap
 * with kfree()'s own work. Its rows show what one such line adds to a
 * pair, not a bound on what a tracker must cost.
 */
struct kb_line {
	unsigned long addr;
	size_t size;
	u8 rest[64 - sizeof(unsigned long) - sizeof(size_t)];
};

static_assert(sizeof(struct kb_line) == 64);

static int kb_line_setup(struct kb_ctx *c)
{
	c->line_bits = order_base_2(max(c->live, 8UL));
	c->line = kvcalloc(1UL << c->line_bits, sizeof(*c->line), GFP_KERNEL);
	return c->line ? 0 : -ENOMEM;
}

static void *kb_line_alloc(struct kb_ctx *c, unsigned long i)
{
	void *p = kmalloc(c->size, GFP_KERNEL);
	struct kb_line *line;

	if (p) {
		line = &c->line[hash_ptr(p, c->line_bits)];
		WRITE_ONCE(line->addr, (unsigned long)p);
		WRITE_ONCE(line->size, c->size);
	}
	return p;
}

static void kb_line_free(struct kb_ctx *c, unsigned long i)
{
	struct kb_line *line = &c->line[hash_ptr(c->slot[i], c->line_bits)];

	if (READ_ONCE(line->addr) == (unsigned long)c->slot[i])
		WRITE_ONCE(line->addr, 0);
	kfree(c->slot[i]);
	c->slot[i] = NULL;
}

static void kb_line_teardown(struct kb_ctx *c)
{
	kb_free_left(c, kb_line_free);
	kvfree(c->line);
	c->line = NULL;
}

/*
 * A yardstick, not a mechanism: kmalloc() plus one round trip of a
 * spinlock taken with interrupts disabled on each side of a pair, the
 * least that a tracker which takes a lock usable from any context pays
 * (ref_tracker, devres and kmemleak do too, and so does kalloc_track:
 * one shard lock per add and per release). It protects a counter. On
 * UML, disabling and enabling interrupts are calls into its signal
 * handling, so this row costs more there than on hardware.
 */
static int kb_irqlock_setup(struct kb_ctx *c)
{
	spin_lock_init(&c->lock);
	c->locked = 0;
	return 0;
}

static void *kb_irqlock_alloc(struct kb_ctx *c, unsigned long i)
{
	void *p = kmalloc(c->size, GFP_KERNEL);
	unsigned long flags;

	if (p) {
		spin_lock_irqsave(&c->lock, flags);
		c->locked++;
		spin_unlock_irqrestore(&c->lock, flags);
	}
	return p;
}

static void kb_irqlock_free(struct kb_ctx *c, unsigned long i)
{
	unsigned long flags;

	spin_lock_irqsave(&c->lock, flags);
	c->locked--;
	spin_unlock_irqrestore(&c->lock, flags);
	kfree(c->slot[i]);
	c->slot[i] = NULL;
}

static void kb_irqlock_teardown(struct kb_ctx *c)
{
	kb_free_left(c, kb_irqlock_free);
	KUNIT_EXPECT_EQ(c->test, c->locked, 0);
}

static int kb_devres_setup(struct kb_ctx *c)
{
	c->dev = kunit_device_register(c->test, "kalloc_track_bench");
	return IS_ERR(c->dev) ? PTR_ERR(c->dev) : 0;
}

static void *kb_devres_alloc(struct kb_ctx *c, unsigned long i)
{
	return devm_kmalloc(c->dev, c->size, GFP_KERNEL);
}

static void kb_devres_free(struct kb_ctx *c, unsigned long i)
{
	devm_kfree(c->dev, c->slot[i]);
	c->slot[i] = NULL;
}

static void kb_devres_teardown(struct kb_ctx *c)
{
	/* Frees what is left at once, as a driver's unbind does. */
	kunit_device_unregister(c->test, c->dev);
}

static int kb_kunit_setup(struct kb_ctx *c)
{
	kunit_init_test(&c->sub, "kalloc_track_bench", NULL);
	return 0;
}

static void *kb_kunit_alloc(struct kb_ctx *c, unsigned long i)
{
	return kunit_kmalloc(&c->sub, c->size, GFP_KERNEL);
}

static void kb_kunit_free(struct kb_ctx *c, unsigned long i)
{
	kunit_kfree(&c->sub, c->slot[i]);
	c->slot[i] = NULL;
}

static void kb_kunit_teardown(struct kb_ctx *c)
{
	kunit_cleanup(&c->sub);
}

#ifdef CONFIG_REF_TRACKER
static int kb_ref_setup(struct kb_ctx *c)
{
	ref_tracker_dir_init(&c->dir, 0, "kalloc_track_bench");
	return 0;
}

static void *kb_ref_alloc(struct kb_ctx *c, unsigned long i)
{
	void *p = kmalloc(c->size, GFP_KERNEL);

	if (p && ref_tracker_alloc(&c->dir, &c->refs[i], GFP_KERNEL)) {
		kfree(p);
		return NULL;
	}
	return p;
}

static void kb_ref_free(struct kb_ctx *c, unsigned long i)
{
	ref_tracker_free(&c->dir, &c->refs[i]);
	kfree(c->slot[i]);
	c->slot[i] = NULL;
}

static void kb_ref_teardown(struct kb_ctx *c)
{
	kb_free_left(c, kb_ref_free);
	ref_tracker_dir_exit(&c->dir);
}
#endif

static int kb_kt_setup(struct kb_ctx *c)
{
	int ret;

	c->t = kzalloc_obj(*c->t);
	if (!c->t)
		return -ENOMEM;
	ret = kalloc_track_init(c->t, "kalloc_track_bench");
	if (ret) {
		kfree(c->t);
		c->t = NULL;
	}
	return ret;
}

static void *kb_kt_alloc(struct kb_ctx *c, unsigned long i)
{
	return kalloc_track_add(c->t, "bench", c->size, GFP_KERNEL);
}

static void kb_kt_free(struct kb_ctx *c, unsigned long i)
{
	/* Checked at teardown, so that the timed loop does what raw does. */
	c->bad += kalloc_track_release(c->t, &c->slot[i]) !=
		  KALLOC_TRACK_RELEASED;
}

static void kb_kt_teardown(struct kb_ctx *c)
{
	kb_free_left(c, kb_kt_free);
	KUNIT_EXPECT_EQ(c->test, c->bad, 0);
	c->bad = 0;
	KUNIT_EXPECT_EQ(c->test, kalloc_track_destroy(c->t), 0);
	kfree(c->t);
	c->t = NULL;
}

static const struct kb_mech kb_mechs[] = {
	{
		.name = "kmalloc+kfree",
		.setup = kb_raw_setup,
		.alloc = kb_raw_alloc,
		.free = kb_raw_free,
		.teardown = kb_raw_teardown,
	}, {
		.name = "kmalloc+hashed line",
		.yardstick = true,
		.setup = kb_line_setup,
		.alloc = kb_line_alloc,
		.free = kb_line_free,
		.teardown = kb_line_teardown,
	}, {
		.name = "kmalloc+irqsave lock",
		.yardstick = true,
		.setup = kb_irqlock_setup,
		.alloc = kb_irqlock_alloc,
		.free = kb_irqlock_free,
		.teardown = kb_irqlock_teardown,
	}, {
		.name = "devm_kmalloc+devm_kfree",
		.linear = true,
		.setup = kb_devres_setup,
		.alloc = kb_devres_alloc,
		.free = kb_devres_free,
		.teardown = kb_devres_teardown,
	}, {
		.name = "kunit_kmalloc+kunit_kfree",
		.linear = true,
		.setup = kb_kunit_setup,
		.alloc = kb_kunit_alloc,
		.free = kb_kunit_free,
		.teardown = kb_kunit_teardown,
	},
#ifdef CONFIG_REF_TRACKER
	{
		.name = "ref_tracker+kmalloc",
		.setup = kb_ref_setup,
		.alloc = kb_ref_alloc,
		.free = kb_ref_free,
		.teardown = kb_ref_teardown,
	},
#endif
	{
		.name = "kalloc_track",
		.setup = kb_kt_setup,
		.alloc = kb_kt_alloc,
		.free = kb_kt_free,
		.teardown = kb_kt_teardown,
	},
};

static u32 kb_next(u32 *x)
{
	/* xorshift32: the same sequence for every mechanism */
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

static int kb_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static u64 kb_median(u64 *v, unsigned int n)
{
	sort(v, n, sizeof(*v), kb_cmp_u64, NULL);
	return v[n / 2];
}

/* Fill @c with @live objects; false if an allocation failed. */
static bool kb_fill(const struct kb_mech *m, struct kb_ctx *c,
		    unsigned long live)
{
	for (c->n = 0; c->n < live; c->n++) {
		c->slot[c->n] = m->alloc(c, c->n);
		if (!c->slot[c->n])
			return false;
	}
	return true;
}

/*
 * Time @n pairs. With nothing live, allocate and free one object; else
 * free one live object and allocate its replacement in its slot. FIFO
 * walks the slots in allocation order, so the slot freed is always the
 * oldest; LIFO reuses the last slot, always the newest.
 */
static u64 kb_time(const struct kb_mech *m, struct kb_ctx *c,
		   enum kb_pattern pat, unsigned long n, unsigned long *head,
		   u32 *seed, bool *ok)
{
	unsigned long k, i;
	u64 t0 = ktime_get_ns();

	for (k = 0; k < n; k++) {
		if (!c->n) {
			c->slot[0] = m->alloc(c, 0);
			if (!c->slot[0]) {
				*ok = false;
				break;
			}
			m->free(c, 0);
			continue;
		}
		switch (pat) {
		case KB_FIFO:
			i = *head;
			*head = (*head + 1) % c->n;
			break;
		case KB_LIFO:
			i = c->n - 1;
			break;
		default:
			i = kb_next(seed) % c->n;
			break;
		}
		m->free(c, i);
		c->slot[i] = m->alloc(c, i);
		if (!c->slot[i]) {
			*ok = false;
			break;
		}
	}
	return ktime_get_ns() - t0;
}

/*
 * The fill and the timed repetitions of one row. They run in a kthread
 * of their own, not in the test's: while a KUnit test runs, every
 * function with a KUnit static stub (the library's allocation helpers)
 * looks the test's stubs up on each call, a cost that only exists
 * under KUnit. In a kthread, as in production, that check is one
 * pointer test.
 *
 * A mechanism's repetitions alternate with repetitions of raw kmalloc()
 * on a fill of its own, at the same live count and in the same order,
 * so that each repetition has a raw one timed just before it: the
 * machine's speed drifts over seconds (under a hypervisor, by a factor
 * of two), and a ratio of two rows timed seconds apart would show the
 * drift as much as the mechanism.
 */
struct kb_job {
	const struct kb_mech *m, *raw;	/* @raw NULL for the raw row */
	struct kb_ctx *c, *rc;
	enum kb_pattern pat;
	unsigned long live, n, raw_n;
	unsigned int nr;
	u64 ns[KB_MAX_REPS];
	u64 raw_ns[KB_MAX_REPS];
	bool ok;
	struct completion done;
};

static int kb_job_fn(void *data)
{
	struct kb_job *j = data;
	unsigned long head = 0, raw_head = 0;
	u32 seed = 2463534242U, raw_seed = seed;
	unsigned int r;

	j->ok = !j->raw || kb_fill(j->raw, j->rc, j->live);
	if (j->ok)
		j->ok = kb_fill(j->m, j->c, j->live);
	/* No sleep between the fill and the measurement. */
	for (r = 0; r < j->nr && j->ok; r++) {
		if (j->raw)
			j->raw_ns[r] = kb_time(j->raw, j->rc, j->pat, j->raw_n,
					       &raw_head, &raw_seed, &j->ok);
		if (j->ok)
			j->ns[r] = kb_time(j->m, j->c, j->pat, j->n, &head,
					   &seed, &j->ok);
	}
	complete(&j->done);
	return 0;
}

/*
 * One row: median ns per pair over the repetitions, 0 on failure. With
 * @raw, also the median over the repetitions of the ratio to the raw
 * repetition timed just before, in hundredths, in @ratio.
 */
static u64 kb_row(struct kunit *test, const struct kb_mech *m,
		  struct kb_ctx *c, const struct kb_mech *raw,
		  struct kb_ctx *rc, size_t size, unsigned long live,
		  enum kb_pattern pat, unsigned long *n_pairs, u64 *ratio)
{
	struct kb_job *j = kunit_kzalloc(test, sizeof(*j), GFP_KERNEL);
	struct task_struct *task;
	unsigned long n = max(pairs, 1U);
	unsigned int r;

	KUNIT_ASSERT_NOT_NULL(test, j);
	if (m->linear && live > 1024)
		n = max(16UL, n * 1024 / live);
	*n_pairs = n;
	c->size = size;
	c->live = live;
	c->n = 0;
	rc->size = size;
	rc->live = live;
	rc->n = 0;
	/* Raw first: its setup holds nothing to undo if @m's fails. */
	if (raw)
		KUNIT_ASSERT_EQ(test, raw->setup(rc), 0);
	KUNIT_ASSERT_EQ(test, m->setup(c), 0);
	*j = (struct kb_job){
		.m = m, .c = c, .raw = raw, .rc = rc, .pat = pat,
		.live = live, .n = n, .raw_n = max(pairs, 1U),
		.nr = clamp(reps, 1U, KB_MAX_REPS),
	};
	init_completion(&j->done);
	task = kthread_run(kb_job_fn, j, "kt_bench");
	if (IS_ERR(task))
		j->ok = false;
	else
		wait_for_completion(&j->done);
	m->teardown(c);
	if (raw)
		raw->teardown(rc);
	KUNIT_EXPECT_TRUE_MSG(test, j->ok, "%s%s: an allocation failed",
			      m->name, raw ? " or its raw rows" : "");
	if (!j->ok)
		return 0;
	if (raw) {
		/* ns[r] / n against raw_ns[r] / raw_n, rounded to hundredths. */
		for (r = 0; r < j->nr; r++)
			j->raw_ns[r] = (mul_u64_u64_div_u64(j->ns[r],
							    j->raw_n * 1000ULL,
							    max(j->raw_ns[r] * n,
								1ULL)) + 5) / 10;
		*ratio = kb_median(j->raw_ns, j->nr);
	}
	/* Rounded to the nearest ns per pair. */
	return div64_u64(kb_median(j->ns, j->nr) + n / 2, n);
}

static const unsigned long kb_lives[] = { 0, 1024, 16384, 262144 };
static const size_t kb_sizes[] = { 64, 4096 };

static void kb_ctx_free(void *data)
{
	struct kb_ctx *c = data;

#ifdef CONFIG_REF_TRACKER
	vfree(c->refs);
#endif
	vfree(c->slot);
}

/* A context whose arrays go with the test, however it ends. */
static struct kb_ctx *kb_ctx(struct kunit *test)
{
	unsigned long n = max(max_live, 1UL);
	struct kb_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->test = test;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kb_ctx_free, c),
			0);
	c->slot = vcalloc(n, sizeof(*c->slot));
	KUNIT_ASSERT_NOT_NULL(test, c->slot);
#ifdef CONFIG_REF_TRACKER
	c->refs = vcalloc(n, sizeof(*c->refs));
	KUNIT_ASSERT_NOT_NULL(test, c->refs);
#endif
	return c;
}

static const char *kb_config(void)
{
	if (!IS_ENABLED(CONFIG_KALLOC_TRACK))
		return "kalloc_track configured out (plain kmalloc/kfree)";
	if (IS_ENABLED(CONFIG_KALLOC_TRACK_STACKS))
		return "kalloc_track with CONFIG_KALLOC_TRACK_STACKS (see kalloc_track.stacks)";
	return "kalloc_track without stacks";
}

/* ns per allocate+free pair, by live count, pattern and object size. */
static void kb_pairs(struct kunit *test)
{
	struct kb_ctx *c = kb_ctx(test), *rc = kb_ctx(test);
	unsigned int s, l, p, m;
	unsigned long n;
	u64 ratio;

	pr_info("kt_bench: %s; %u cpus; median of %u reps\n", kb_config(),
		num_online_cpus(), clamp(reps, 1U, KB_MAX_REPS));
	pr_info("kt_bench: %-26s %6s %7s %-6s %9s %8s %6s\n", "mechanism",
		"size", "live", "order", "ns/pair", "x raw", "pairs");
	for (s = 0; s < ARRAY_SIZE(kb_sizes); s++) {
		for (l = 0; l < ARRAY_SIZE(kb_lives); l++) {
			if (kb_lives[l] > max_live)
				continue;
			for (p = 0; p < ARRAY_SIZE(kb_pattern_name); p++) {
				u64 ns;

				if (!kb_lives[l] && p)
					break;
				for (m = 0; m < ARRAY_SIZE(kb_mechs); m++) {
					if (m && only &&
					    !strstarts(kb_mechs[m].name, only))
						continue;
					ratio = 0;
					ns = kb_row(test, &kb_mechs[m], c,
						    m ? &kb_mechs[0] : NULL, rc,
						    kb_sizes[s], kb_lives[l], p,
						    &n, &ratio);
					if (!m && ns)
						ratio = 100;
					pr_info("kt_bench: %-26s %6zu %7lu %-6s %9llu %5llu.%02llu %6lu\n",
						kb_mechs[m].name, kb_sizes[s],
						kb_lives[l],
						kb_lives[l] ? kb_pattern_name[p] : "-",
						ns, ratio / 100, ratio % 100, n);
				}
			}
		}
	}
}

/* kalloc_track's own figure, per live allocation; -1 if it has none. */
static long kb_accounted(struct kalloc_track *t,
			 const struct kalloc_track_stats *st)
{
	if (!IS_ENABLED(CONFIG_KALLOC_TRACK) || !st->live)
		return -1;
	return st->meta_bytes / st->live;
}

/* Slab and vmalloc pages in use, per-CPU deltas included. */
static long kb_pages(void)
{
	long pages = 0;
	int nid, cpu;

	for_each_online_node(nid) {
		struct pglist_data *pgdat = NODE_DATA(nid);

		/* The _B items are kept in pages at node level. */
		pages += node_page_state_pages(pgdat, NR_SLAB_UNRECLAIMABLE_B);
		pages += node_page_state_pages(pgdat, NR_SLAB_RECLAIMABLE_B);
		pages += node_page_state_pages(pgdat, NR_VMALLOC);
		for_each_online_cpu(cpu) {
			struct per_cpu_nodestat *d =
				per_cpu_ptr(pgdat->per_cpu_nodestats, cpu);

			pages += d->vm_node_stat_diff[NR_SLAB_UNRECLAIMABLE_B];
			pages += d->vm_node_stat_diff[NR_SLAB_RECLAIMABLE_B];
			pages += d->vm_node_stat_diff[NR_VMALLOC];
		}
	}
	return pages;
}

/*
 * Memory per live allocation beyond the payload, two ways. "slab growth"
 * is the growth of slab and vmalloc pages while N 64-byte objects are
 * live, less the growth for raw kmalloc(), divided by N: it sees every
 * mechanism, but slab keeps some empty pages from earlier rows, so it
 * can read low, and it moves in whole pages. ref_tracker's stack depot
 * pages are not slab and are not counted. "accounted" is what
 * kalloc_track_get_stats() reports in meta_bytes, divided by N: shards,
 * tables, and records live and pooled at the record cache's object size.
 */
static void kb_memory(struct kunit *test)
{
	struct kb_ctx *c = kb_ctx(test);
	unsigned int l, m;

	pr_info("kt_bench: %-26s %7s %12s %10s\n", "mechanism", "live",
		"slab growth", "accounted");
	for (l = 1; l < ARRAY_SIZE(kb_lives); l++) {
		long raw = 0, delta, before, accounted;
		struct kalloc_track_stats st;

		if (kb_lives[l] > max_live)
			continue;
		for (m = 0; m < ARRAY_SIZE(kb_mechs); m++) {
			const struct kb_mech *mech = &kb_mechs[m];

			if (mech->yardstick)
				continue;
			c->size = 64;
			c->live = kb_lives[l];
			c->n = 0;
			KUNIT_ASSERT_EQ(test, mech->setup(c), 0);
			before = kb_pages();
			KUNIT_EXPECT_TRUE(test, kb_fill(mech, c, kb_lives[l]));
			delta = (kb_pages() - before) * (long)PAGE_SIZE;
			accounted = -1;
			if (c->t) {
				KUNIT_EXPECT_EQ(test,
						kalloc_track_get_stats(c->t, &st), 0);
				accounted = kb_accounted(c->t, &st);
			}
			mech->teardown(c);
			if (!m) {
				raw = delta;
				continue;
			}
			if (accounted < 0)
				pr_info("kt_bench: %-26s %7lu %12ld %10s\n",
					mech->name, kb_lives[l],
					(delta - raw) / (long)kb_lives[l], "-");
			else
				pr_info("kt_bench: %-26s %7lu %12ld %10ld\n",
					mech->name, kb_lives[l],
					(delta - raw) / (long)kb_lives[l],
					accounted);
		}
	}
}

/* Threads of the multi-CPU rows: FIFO with 64 objects live each. */
#define KB_MT_LIVE	64

struct kb_thread {
	struct kalloc_track *t;		/* NULL: raw kmalloc */
	struct completion *go;
	struct completion done;
	unsigned int pairs;
	bool ok;
};

static int kb_thread_fn(void *data)
{
	struct kb_thread *th = data;
	void *live[KB_MT_LIVE] = { };
	unsigned int k, i;

	wait_for_completion(th->go);
	th->ok = true;
	for (k = 0; k < th->pairs + KB_MT_LIVE; k++) {
		i = k % KB_MT_LIVE;
		if (th->t) {
			if (live[i] && kalloc_track_release(th->t, &live[i]))
				th->ok = false;
			live[i] = kalloc_track_add(th->t, "mt", 64, GFP_KERNEL);
		} else {
			kfree(live[i]);
			live[i] = kmalloc(64, GFP_KERNEL);
		}
		if (!live[i])
			th->ok = false;
	}
	for (i = 0; i < KB_MT_LIVE; i++) {
		if (th->t)
			kalloc_track_release(th->t, &live[i]);
		else
			kfree(live[i]);
	}
	complete(&th->done);
	return 0;
}

enum kb_mt_mode { KB_MT_RAW, KB_MT_OWN, KB_MT_SHARED };
static const char * const kb_mt_name[] = {
	"kmalloc+kfree", "kalloc_track, tracker per thread",
	"kalloc_track, shared tracker",
};

/* Thousands of pairs per second of @nthreads threads, one per CPU. */
static u64 kb_mt_run(struct kunit *test, enum kb_mt_mode mode,
		     unsigned int nthreads)
{
	struct kalloc_track *t = kunit_kcalloc(test, nthreads, sizeof(*t),
					       GFP_KERNEL);
	struct kb_thread *th = kunit_kcalloc(test, nthreads, sizeof(*th),
					     GFP_KERNEL);
	DECLARE_COMPLETION_ONSTACK(go);
	struct task_struct *task;
	unsigned int i, cpu = 0;
	u64 t0, ns;

	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_ASSERT_NOT_NULL(test, th);
	for (i = 0; i < nthreads; i++) {
		if (mode != KB_MT_RAW && (mode == KB_MT_OWN || !i))
			KUNIT_ASSERT_EQ(test, kalloc_track_init(&t[i], "bench_mt"),
					0);
		th[i].t = mode == KB_MT_RAW ? NULL :
			  mode == KB_MT_OWN ? &t[i] : &t[0];
		th[i].go = &go;
		th[i].pairs = mt_pairs;
		init_completion(&th[i].done);
		task = kthread_create(kb_thread_fn, &th[i], "kt_bench/%u", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(task));
		kthread_bind(task, cpu);
		cpu = cpumask_next(cpu, cpu_online_mask);
		wake_up_process(task);
	}
	t0 = ktime_get_ns();
	complete_all(&go);
	for (i = 0; i < nthreads; i++) {
		wait_for_completion(&th[i].done);
		KUNIT_EXPECT_TRUE(test, th[i].ok);
	}
	ns = ktime_get_ns() - t0;
	for (i = 0; i < nthreads; i++)
		if (mode != KB_MT_RAW && (mode == KB_MT_OWN || !i))
			KUNIT_EXPECT_EQ(test, kalloc_track_destroy(&t[i]), 0);
	return div64_u64((u64)mt_pairs * nthreads * NSEC_PER_MSEC, ns ?: 1);
}

/*
 * Throughput of 1 and of 2 threads (when there are 2 CPUs), and the
 * ratio of 2 threads' median to 1 thread's, rounded to two decimals.
 */
static void kb_multi_cpu(struct kunit *test)
{
	unsigned int mode, n, r, nr = clamp(reps, 1U, KB_MAX_REPS);
	unsigned int max_threads = min(num_online_cpus(), 2U);
	u64 v[KB_MAX_REPS], med, one = 0, x;
	char ratio[24];

	pr_info("kt_bench: %-34s %8s %10s %10s %10s %8s\n",
		"multi-CPU (64 B, 64 live each)", "threads", "kpairs/s",
		"min", "max", "x 1 thr");
	for (mode = 0; mode < ARRAY_SIZE(kb_mt_name); mode++) {
		for (n = 1; n <= max_threads; n++) {
			for (r = 0; r < nr; r++)
				v[r] = kb_mt_run(test, mode, n);
			/* kb_median() sorts: v[0] and v[nr - 1] are the ends. */
			med = kb_median(v, nr);
			if (n == 1)
				one = med;
			strscpy(ratio, "-");
			if (one) {
				x = DIV64_U64_ROUND_CLOSEST(med * 100, one);
				snprintf(ratio, sizeof(ratio), "%llu.%02llu",
					 x / 100, x % 100);
			}
			pr_info("kt_bench: %-34s %8u %10llu %10llu %10llu %8s\n",
				kb_mt_name[mode], n, med, v[0], v[nr - 1],
				ratio);
		}
	}
}

static struct kunit_case kb_cases[] = {
	KUNIT_CASE_SLOW(kb_pairs),
	KUNIT_CASE_SLOW(kb_memory),
	KUNIT_CASE_SLOW(kb_multi_cpu),
	{}
};

static struct kunit_suite kb_suite = {
	.name = "kalloc_track_bench",
	.test_cases = kb_cases,
};

kunit_test_suite(kb_suite);

MODULE_DESCRIPTION("Benchmark of kalloc_track against kmalloc, devres, KUnit resources and ref_tracker");
MODULE_LICENSE("GPL");
