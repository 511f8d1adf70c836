// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit stress tests for kalloc_track: concurrent adds and releases from
 * kthreads, a timer and a hard interrupt, and a model-based random test.
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/kalloc_track.h>
#include <linux/kthread.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timer.h>

#include "kt_test.h"

#define KT_THREADS	4
#define KT_THREAD_OPS	20000
#define KT_THREAD_SLOTS	64
#define KT_POOL		128

struct kt_stress;

struct kt_stress_thread {
	struct kt_stress *s;
	struct task_struct *task;
	unsigned int id;
};

/*
 * Everything the threads and the timer touch lives here, in memory that
 * the cleanup action frees only after it stopped them: a failed
 * assertion ends the test early, and its stack with it.
 */
struct kt_stress {
	struct kalloc_track t;
	struct timer_list timer;
	struct kt_stress_thread th[KT_THREADS];
	struct completion done[KT_THREADS];
	atomic_long_t adds;
	atomic_long_t releases;
	atomic_long_t timer_adds;
	atomic_long_t timer_releases;
	atomic_t errors;
	/* Blocks handed from the threads to the timer, which frees them. */
	spinlock_t pool_lock;
	void *pool[KT_POOL];
	unsigned int pool_n;
};

static bool kt_pool_push(struct kt_stress *s, void *p)
{
	unsigned long flags;
	bool ok;

	spin_lock_irqsave(&s->pool_lock, flags);
	ok = s->pool_n < KT_POOL;
	if (ok)
		s->pool[s->pool_n++] = p;
	spin_unlock_irqrestore(&s->pool_lock, flags);
	return ok;
}

static void *kt_pool_pop(struct kt_stress *s)
{
	unsigned long flags;
	void *p = NULL;

	spin_lock_irqsave(&s->pool_lock, flags);
	if (s->pool_n)
		p = s->pool[--s->pool_n];
	spin_unlock_irqrestore(&s->pool_lock, flags);
	return p;
}

static void kt_stress_release(struct kt_stress *s, void **p,
			      atomic_long_t *count)
{
	if (kalloc_track_release(&s->t, p) == KALLOC_TRACK_RELEASED)
		atomic_long_inc(count);
	else
		atomic_inc(&s->errors);
}

/* Softirq context: free what the threads handed over, add and free one. */
static void kt_stress_timer(struct timer_list *timer)
{
	struct kt_stress *s = timer_container_of(s, timer, timer);
	void *p;
	int i;

	for (i = 0; i < 16 && (p = kt_pool_pop(s)); i++)
		kt_stress_release(s, &p, &s->timer_releases);

	p = kalloc_track_add(&s->t, "timer", 32, GFP_ATOMIC);
	if (p) {
		atomic_long_inc(&s->timer_adds);
		kt_stress_release(s, &p, &s->timer_releases);
	}
	mod_timer(&s->timer, jiffies + 1);
}

static int kt_stress_thread(void *data)
{
	struct kt_stress_thread *th = data;
	struct kt_stress *s = th->s;
	void *slot[KT_THREAD_SLOTS] = { };
	struct rnd_state rnd;
	unsigned int i, k;

	prandom_seed_state(&rnd, 0x6b74 + th->id);
	for (i = 0; i < KT_THREAD_OPS && !kthread_should_stop(); i++) {
		k = prandom_u32_state(&rnd) % KT_THREAD_SLOTS;
		if (slot[k]) {
			kt_stress_release(s, &slot[k], &s->releases);
			continue;
		}
		slot[k] = kalloc_track_add(&s->t, "thread",
					   1 + prandom_u32_state(&rnd) % 256,
					   GFP_KERNEL);
		if (!slot[k])
			continue;
		atomic_long_inc(&s->adds);
		if (i % 8 == 0 && kt_pool_push(s, slot[k]))
			slot[k] = NULL;
		if (i % 512 == 0)
			cond_resched();
	}
	for (k = 0; k < KT_THREAD_SLOTS; k++)
		if (slot[k])
			kt_stress_release(s, &slot[k], &s->releases);
	complete(&s->done[th->id]);
	/* Exit only through kthread_stop(), so that it is always valid. */
	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

/* Threads first, then the timer, then the tracker: nothing runs on. */
static void kt_stress_cleanup(void *data)
{
	struct kt_stress *s = data;
	int i;
	void *p;

	for (i = 0; i < KT_THREADS; i++)
		if (s->th[i].task)
			kthread_stop(s->th[i].task);
	timer_shutdown_sync(&s->timer);
	/* Blocks a failed test left in the pool go back too. */
	while ((p = kt_pool_pop(s)))
		if (kalloc_track_release(&s->t, &p))
			kfree(p);
	if (!s->t.dead)
		kalloc_track_destroy(&s->t);
}

static void kalloc_track_concurrent_threads_and_timer(struct kunit *test)
{
	struct kalloc_track_stats st;
	struct task_struct *task;
	struct kt_stress *s;
	void *p;
	int i;

	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_EQ(test, kalloc_track_init(&s->t, "kunit-stress"), 0);
	spin_lock_init(&s->pool_lock);
	timer_setup(&s->timer, kt_stress_timer, 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kt_stress_cleanup,
							s), 0);
	mod_timer(&s->timer, jiffies + 1);

	for (i = 0; i < KT_THREADS; i++) {
		init_completion(&s->done[i]);
		s->th[i].s = s;
		s->th[i].id = i;
		task = kthread_run(kt_stress_thread, &s->th[i], "kt_stress/%d",
				   i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(task));
		s->th[i].task = task;
	}
	for (i = 0; i < KT_THREADS; i++)
		KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&s->done[i],
								  60 * HZ), 0);

	/* Let the timer drain the pool, then stop it for good. */
	for (i = 0; i < 250 && READ_ONCE(s->pool_n); i++)
		msleep(20);
	timer_shutdown_sync(&s->timer);
	while ((p = kt_pool_pop(s)))
		kt_stress_release(s, &p, &s->releases);

	st = (struct kalloc_track_stats){ };
	KUNIT_EXPECT_EQ(test, kalloc_track_get_stats(&s->t, &st), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&s->errors), 0);
	KUNIT_EXPECT_GT(test, atomic_long_read(&s->timer_releases), 0);
	KUNIT_EXPECT_GT(test, atomic_long_read(&s->timer_adds), 0);
	KUNIT_EXPECT_EQ(test, st.live, 0);
	KUNIT_EXPECT_EQ(test, st.live_bytes, 0);
	KUNIT_EXPECT_EQ(test, st.adds, atomic_long_read(&s->adds) +
				       atomic_long_read(&s->timer_adds));
	KUNIT_EXPECT_EQ(test, st.releases,
			atomic_long_read(&s->releases) +
			atomic_long_read(&s->timer_releases));
	KUNIT_EXPECT_EQ(test, st.double_frees + st.invalid_frees +
			      st.foreign_frees + st.bad_input, 0);
	KUNIT_EXPECT_EQ(test, kalloc_track_destroy(&s->t), 0);
}

/*
 * Model-based test: random operations on a tracker and on a reference
 * model of it, with the results and the whole accounting compared after
 * every operation.
 */
#define KT_MODEL_OPS	100000
#define KT_MODEL_SLOTS	256
#define KT_MODEL_SEED	0x6b616c6c6f63ULL

struct kt_model {
	struct kalloc_track *t;
	void *slot[KT_MODEL_SLOTS];
	size_t size[KT_MODEL_SLOTS];
	unsigned long recent[KALLOC_TRACK_HISTORY];
	unsigned int recent_next;
	struct kalloc_track_stats st;
};

static bool kt_model_live(struct kt_model *m, unsigned long addr)
{
	int i;

	for (i = 0; i < KT_MODEL_SLOTS; i++)
		if ((unsigned long)m->slot[i] == addr)
			return true;
	return false;
}

static bool kt_model_recent(struct kt_model *m, unsigned long addr)
{
	int i;

	for (i = 0; i < KALLOC_TRACK_HISTORY; i++)
		if (m->recent[i] == addr)
			return true;
	return false;
}

static void kt_model_add(struct kunit *test, struct kalloc_track *t,
			 struct kt_model *m, unsigned int k, size_t size)
{
	static const char * const names[] = { "rx", "tx", "ctl", "fw" };
	bool refuse;
	void *p;

	refuse = (m->st.max_size && size > m->st.max_size) ||
		 (m->st.max_live_bytes &&
		  m->st.live_bytes + size > m->st.max_live_bytes);
	p = kalloc_track_add(t, names[k % ARRAY_SIZE(names)], size,
			     GFP_KERNEL | __GFP_NOWARN);
	if (refuse) {
		KUNIT_ASSERT_NULL(test, p);
		m->st.refused++;
		return;
	}
	if (!p) {		/* A genuine allocation failure. */
		m->st.failed++;
		return;
	}
	m->slot[k] = p;
	m->size[k] = size;
	m->st.live++;
	m->st.live_bytes += size;
	m->st.peak_bytes = max(m->st.peak_bytes, m->st.live_bytes);
	m->st.adds++;
}

static void kt_model_release(struct kunit *test, struct kalloc_track *t,
			     struct kt_model *m, unsigned int k)
{
	unsigned long addr = (unsigned long)m->slot[k];

	KUNIT_ASSERT_EQ(test, kalloc_track_release(t, &m->slot[k]),
			KALLOC_TRACK_RELEASED);
	KUNIT_ASSERT_NULL(test, m->slot[k]);
	m->st.live--;
	m->st.live_bytes -= m->size[k];
	m->st.releases++;
	m->recent[m->recent_next++ % KALLOC_TRACK_HISTORY] = addr;
}

/* Release an address the tracker does not own right now. */
static void kt_model_bad_release(struct kunit *test, struct kalloc_track *t,
				 struct kt_model *m, u32 r)
{
	unsigned long addr;
	void *p;
	int want;

	if (r & 1) {
		addr = m->recent[(r >> 1) % KALLOC_TRACK_HISTORY];
		if (!addr || kt_model_live(m, addr))
			return;
	} else {
		addr = (unsigned long)m->slot[(r >> 1) % KT_MODEL_SLOTS];
		if (!addr)
			return;
		/* Interior: kmalloc() aligns to 8, so never another start. */
		addr += 1 + (r >> 16) % 7;
		if (kt_model_live(m, addr))
			return;
	}
	want = kt_model_recent(m, addr) ? -EALREADY : -ENOENT;
	p = (void *)addr;
	KUNIT_ASSERT_EQ(test, kalloc_track_release(t, &p), want);
	KUNIT_ASSERT_PTR_EQ(test, p, (void *)addr);
	if (want == -EALREADY)
		m->st.double_frees++;
	else
		m->st.invalid_frees++;
}

static void kt_model_check(struct kunit *test, struct kalloc_track *t,
			   struct kt_model *m, unsigned int op)
{
	struct kalloc_track_stats st;

	KUNIT_ASSERT_EQ(test, kalloc_track_get_stats(t, &st), 0);
	KUNIT_ASSERT_EQ_MSG(test, st.live, m->st.live, "op %u", op);
	KUNIT_ASSERT_EQ_MSG(test, st.live_bytes, m->st.live_bytes, "op %u", op);
	KUNIT_ASSERT_EQ_MSG(test, st.peak_bytes, m->st.peak_bytes, "op %u", op);
	KUNIT_ASSERT_EQ_MSG(test, st.adds, m->st.adds, "op %u", op);
	KUNIT_ASSERT_EQ_MSG(test, st.releases, m->st.releases, "op %u", op);
	KUNIT_ASSERT_EQ_MSG(test, st.refused, m->st.refused, "op %u", op);
	KUNIT_ASSERT_EQ_MSG(test, st.failed, m->st.failed, "op %u", op);
	KUNIT_ASSERT_EQ_MSG(test, st.double_frees, m->st.double_frees,
			    "op %u", op);
	KUNIT_ASSERT_EQ_MSG(test, st.invalid_frees, m->st.invalid_frees,
			    "op %u", op);
	KUNIT_ASSERT_EQ_MSG(test, st.foreign_frees, 0, "op %u", op);
	KUNIT_ASSERT_EQ_MSG(test, st.bad_input, 0, "op %u", op);
	KUNIT_ASSERT_EQ_MSG(test, st.max_size, m->st.max_size, "op %u", op);
	KUNIT_ASSERT_EQ_MSG(test, st.max_live_bytes, m->st.max_live_bytes,
			    "op %u", op);
}

static void kt_model_cleanup(void *data)
{
	struct kt_model *m = data;
	int i;

	/* After a failed assertion: forget the tracker, free what is live. */
	if (!m->t->dead)
		kalloc_track_destroy(m->t);
	for (i = 0; i < KT_MODEL_SLOTS; i++)
		kfree(m->slot[i]);
}

static void kalloc_track_model_random_ops(struct kunit *test)
{
	static const size_t max_sizes[] = { 0, 64, 300, 1024 };
	static const size_t max_bytes[] = { 0, 4096, 16384, 65536 };
	struct kalloc_track *t;
	struct rnd_state rnd;
	struct kt_model *m;
	unsigned int op, k;
	int ret;
	u32 r;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_ASSERT_NOT_NULL(test, m);
	KUNIT_ASSERT_EQ(test, kalloc_track_init(t, "kunit-model"), 0);
	m->t = t;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kt_model_cleanup,
							m), 0);
	prandom_seed_state(&rnd, KT_MODEL_SEED);
	kunit_info(test, "seed 0x%llx, %u operations\n", KT_MODEL_SEED,
		   KT_MODEL_OPS);

	for (op = 0; op < KT_MODEL_OPS; op++) {
		r = prandom_u32_state(&rnd);
		k = (r >> 8) % KT_MODEL_SLOTS;
		switch (r % 100) {
		case 0 ... 49:
			if (m->slot[k])
				kt_model_release(test, t, m, k);
			else
				kt_model_add(test, t, m, k,
					     1 + prandom_u32_state(&rnd) % 1500);
			break;
		case 50 ... 89:
			if (m->slot[k])
				kt_model_release(test, t, m, k);
			break;
		case 90 ... 97:
			kt_model_bad_release(test, t, m,
					     prandom_u32_state(&rnd));
			break;
		default:
			m->st.max_size = max_sizes[(r >> 8) % 4];
			m->st.max_live_bytes = max_bytes[(r >> 10) % 4];
			ret = kalloc_track_set_limits(t, m->st.max_size,
						      m->st.max_live_bytes);
			KUNIT_ASSERT_EQ(test, ret, 0);
			break;
		}
		kt_model_check(test, t, m, op);
		if (op % 4096 == 0)
			cond_resched();
	}

	for (k = 0; k < KT_MODEL_SLOTS; k++)
		if (m->slot[k])
			kt_model_release(test, t, m, k);
	kt_model_check(test, t, m, op);
	KUNIT_EXPECT_EQ(test, kalloc_track_destroy(t), 0);
	KUNIT_EXPECT_GT(test, m->st.double_frees, 0);
	KUNIT_EXPECT_GT(test, m->st.invalid_frees, 0);
	KUNIT_EXPECT_GT(test, m->st.refused, 0);
}

/*
 * Stack traces switched on and off at run time while another thread
 * adds and releases: each add and release sees the key one way or the
 * other, and the accounting stays exact.
 */
struct kt_toggle {
	struct kalloc_track *t;
	unsigned long ops;
	atomic_t errors;
};

static int kt_toggle_worker(void *data)
{
	struct kt_toggle *w = data;
	void *p;

	while (!kthread_should_stop()) {
		p = kalloc_track_add(w->t, "toggled", 48, GFP_KERNEL);
		if (!p || kalloc_track_release(w->t, &p))
			atomic_inc(&w->errors);
		w->ops++;
		cond_resched();
	}
	return 0;
}

static void kt_stacks_restore(void *data)
{
	kt_stacks_apply((long)data);
}

static void kalloc_track_stacks_toggled_while_adding(struct kunit *test)
{
	long was = kt_stacks_level();
	struct task_struct *task;
	struct kalloc_track_stats st;
	struct kt_toggle *w;
	int i;

	if (kt_stacks_apply(1))
		kunit_skip(test, "stack traces are not built in");
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kt_stacks_restore,
							(void *)was),
			0);
	w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, w);
	w->t = kt_test_tracker(test, "kunit-toggle");
	task = kthread_run(kt_toggle_worker, w, "kt_toggle");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	for (i = 0; i < 20; i++) {
		kt_stacks_apply(i % 3);
		usleep_range(1000, 2000);
	}
	kthread_stop(task);

	KUNIT_EXPECT_EQ(test, atomic_read(&w->errors), 0);
	KUNIT_EXPECT_GT(test, w->ops, 0);
	KUNIT_EXPECT_EQ(test, kalloc_track_get_stats(w->t, &st), 0);
	KUNIT_EXPECT_EQ(test, st.live, 0);
	KUNIT_EXPECT_EQ(test, st.adds, w->ops);
	KUNIT_EXPECT_EQ(test, st.releases, w->ops);
}

/*
 * kalloc_track_get_stats() racing with destroy: destroy moves the
 * shards' counters into the tracker as it unpublishes the shards, and a
 * reader must see either all of them in the shards or all of them moved,
 * never a total that goes backwards or counts twice. With nothing added
 * or released meanwhile, every read must give the same adds and
 * releases, and live plus leaks must stay the number of records.
 */
#define KT_STATS_LIVE	2048
#define KT_STATS_GONE	512

struct kt_stats_reader {
	struct kalloc_track *t;
	unsigned long reads;
	unsigned long bad;
	struct kalloc_track_stats first_bad;
};

static int kt_stats_reader_fn(void *data)
{
	struct kt_stats_reader *r = data;
	struct kalloc_track_stats st;

	while (!kthread_should_stop()) {
		kalloc_track_get_stats(r->t, &st);
		if (st.adds != KT_STATS_LIVE + KT_STATS_GONE ||
		    st.releases != KT_STATS_GONE ||
		    st.live + st.leaks != KT_STATS_LIVE) {
			if (!r->bad++)
				r->first_bad = st;
		}
		r->reads++;
		cond_resched();
	}
	return 0;
}

/* Free what destroy forgot, once the tracker is gone: runs after it. */
static void kt_free_forgotten_array(void *data)
{
	void **p = data;
	int i;

	for (i = 0; i < KT_STATS_LIVE; i++)
		kt_test_free_forgotten(p[i]);
}

static void kalloc_track_stats_consistent_during_destroy(struct kunit *test)
{
	struct kt_stats_reader *r;
	struct task_struct *task;
	struct kalloc_track *t;
	void *p, **leaked;
	int i;

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	leaked = kunit_kcalloc(test, KT_STATS_LIVE, sizeof(*leaked),
			       GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_ASSERT_NOT_NULL(test, leaked);
	/* Registered before the tracker, so that it runs after its destroy. */
	KUNIT_ASSERT_EQ(test,
			kunit_add_action_or_reset(test, kt_free_forgotten_array,
						  leaked), 0);
	t = kt_test_tracker(test, "kunit-stats-race");
	r->t = t;
	for (i = 0; i < KT_STATS_GONE; i++) {
		p = kalloc_track_add(t, "gone", 32, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p);
		KUNIT_ASSERT_EQ(test, kalloc_track_release(t, &p), 0);
	}
	/* Leaked on purpose: destroy forgets them, the action frees them. */
	for (i = 0; i < KT_STATS_LIVE; i++) {
		leaked[i] = kalloc_track_add(t, "leak", 32, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, leaked[i]);
	}
	kt_test_capture(test);		/* the leak report */
	task = kthread_run(kt_stats_reader_fn, r, "kt_stats_reader");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	/* Let the reader run before and during the destroy. */
	usleep_range(2000, 3000);
	KUNIT_EXPECT_EQ(test, kalloc_track_destroy(t), KT_STATS_LIVE);
	usleep_range(2000, 3000);
	kthread_stop(task);

	KUNIT_EXPECT_GT(test, r->reads, 0);
	KUNIT_EXPECT_EQ_MSG(test, r->bad, 0,
			    "first bad read: adds %llu releases %llu live %lu leaks %lu",
			    r->first_bad.adds, r->first_bad.releases,
			    r->first_bad.live, r->first_bad.leaks);
}

/* What a hard interrupt does to the tracker of the test below. */
#define KT_IRQ_PERIOD_NS	(50 * NSEC_PER_USEC)
#define KT_IRQ_FIRINGS		50
#define KT_IRQ_BAD_FIRINGS	8

struct kt_irq {
	struct kalloc_track t;
	struct hrtimer timer;
	unsigned long firings;
	unsigned long adds, releases, double_frees, invalid_frees;
	unsigned long bad_tries;	/* firings that tried both bad frees */
	unsigned long errors;		/* results other than expected */
	unsigned long not_hardirq;	/* firings outside hard irq context */
	bool first_add;			/* the first add, shards and all */
};

/*
 * Hard interrupt context: the first firing makes the tracker's first add
 * (which sets up its shards); every firing adds and releases; the first
 * few also release the same block again and an address never tracked.
 */
static enum hrtimer_restart kt_irq_fire(struct hrtimer *timer)
{
	struct kt_irq *x = container_of(timer, struct kt_irq, timer);
	/* Inside a block of the test's: never tracked, never freed. */
	void *p, *stale, *bogus = &x->firings;
	bool first;

	if (!in_hardirq())
		x->not_hardirq++;
	first = !rcu_access_pointer(x->t.shards);
	p = kalloc_track_add(&x->t, "hardirq", 40, GFP_ATOMIC);
	if (first && p)
		x->first_add = true;
	if (p) {
		x->adds++;
		stale = p;
		if (kalloc_track_release(&x->t, &p) == KALLOC_TRACK_RELEASED &&
		    !p)
			x->releases++;
		else
			x->errors++;
		if (x->firings < KT_IRQ_BAD_FIRINGS) {
			x->bad_tries++;
			if (kalloc_track_release(&x->t, &stale) == -EALREADY)
				x->double_frees++;
			else
				x->errors++;
			if (kalloc_track_release(&x->t, &bogus) == -ENOENT)
				x->invalid_frees++;
			else
				x->errors++;
		}
	}
	/* Read by the task as it runs. */
	WRITE_ONCE(x->firings, x->firings + 1);
	if (x->firings >= KT_IRQ_FIRINGS)
		return HRTIMER_NORESTART;
	hrtimer_forward_now(timer, ns_to_ktime(KT_IRQ_PERIOD_NS));
	return HRTIMER_RESTART;
}

static void kt_irq_cleanup(void *data)
{
	struct kt_irq *x = data;

	hrtimer_cancel(&x->timer);
	if (!x->t.dead)
		kalloc_track_destroy(&x->t);
}

/*
 * A tracker used from a hard interrupt and from a task at once: adds,
 * releases, a first add, a double free and an invalid free in the
 * interrupt, while the task adds and releases on the same shards. With
 * lockdep (in the UML sanitizer run: x86's checks PREEMPT_RT's rules,
 * where this is skipped), a lock of ours taken in hard interrupt context
 * without interrupts disabled elsewhere is a report; without it, a
 * deadlock the test would not survive.
 */
static void kalloc_track_hardirq_and_task(struct kunit *test)
{
	struct kalloc_track_stats st;
	unsigned long task_adds = 0, deadline;
	void *slot[16] = { };
	struct kt_irq *x;
	unsigned int i, k;

	/*
	 * On PREEMPT_RT spinlock_t sleeps, so hard irq use is not allowed
	 * (as for kmalloc()); and where RT is possible, lockdep checks its
	 * rules on any kernel and reports such use.
	 */
	if (IS_ENABLED(CONFIG_PREEMPT_RT) ||
	    IS_ENABLED(CONFIG_PROVE_RAW_LOCK_NESTING))
		kunit_skip(test, "hard irq use of spinlock_t breaks PREEMPT_RT's rules");
	x = kunit_kzalloc(test, sizeof(*x), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, x);
	KUNIT_ASSERT_EQ(test, kalloc_track_init(&x->t, "kunit-hardirq"), 0);
	hrtimer_setup(&x->timer, kt_irq_fire, CLOCK_MONOTONIC,
		      HRTIMER_MODE_REL_HARD);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kt_irq_cleanup,
							x), 0);
	hrtimer_start(&x->timer, ns_to_ktime(KT_IRQ_PERIOD_NS),
		      HRTIMER_MODE_REL_HARD);

	/* The interrupt makes the first add. */
	deadline = jiffies + 10 * HZ;
	while (!READ_ONCE(x->firings) && time_before(jiffies, deadline))
		usleep_range(10, 50);
	for (i = 0; READ_ONCE(x->firings) < KT_IRQ_FIRINGS &&
	     time_before(jiffies, deadline); i++) {
		k = i % ARRAY_SIZE(slot);
		if (slot[k]) {
			/*
			 * Not while the interrupt frees twice: releases of
			 * ours could push its first release out of the
			 * shard's history in between.
			 */
			if (READ_ONCE(x->firings) < KT_IRQ_BAD_FIRINGS) {
				cond_resched();
				continue;
			}
			KUNIT_EXPECT_EQ(test, kalloc_track_release(&x->t,
								   &slot[k]),
					KALLOC_TRACK_RELEASED);
			continue;
		}
		slot[k] = kalloc_track_add(&x->t, "task", 24, GFP_KERNEL);
		task_adds += !!slot[k];
		if (i % 64 == 0)
			cond_resched();
	}
	hrtimer_cancel(&x->timer);
	for (k = 0; k < ARRAY_SIZE(slot); k++)
		if (slot[k])
			KUNIT_EXPECT_EQ(test, kalloc_track_release(&x->t,
								   &slot[k]),
					KALLOC_TRACK_RELEASED);

	KUNIT_EXPECT_EQ(test, x->firings, KT_IRQ_FIRINGS);
	KUNIT_EXPECT_EQ(test, x->not_hardirq, 0);
	KUNIT_EXPECT_EQ(test, x->errors, 0);
	KUNIT_EXPECT_GT(test, x->adds, 0);
	KUNIT_EXPECT_GT(test, task_adds, 0);
	KUNIT_EXPECT_EQ(test, kalloc_track_get_stats(&x->t, &st), 0);
	KUNIT_EXPECT_EQ(test, st.live, 0);
	KUNIT_EXPECT_EQ(test, st.live_bytes, 0);
	KUNIT_EXPECT_EQ(test, st.adds, task_adds + x->adds);
	KUNIT_EXPECT_EQ(test, st.releases, task_adds + x->releases);
	KUNIT_EXPECT_EQ(test, st.double_frees, x->double_frees);
	KUNIT_EXPECT_EQ(test, st.invalid_frees, x->invalid_frees);
	KUNIT_EXPECT_TRUE(test, x->first_add);
	/* 40 bytes, where the task's 24 come from another cache. */
	KUNIT_EXPECT_GT(test, x->bad_tries, 0);
	KUNIT_EXPECT_EQ(test, x->double_frees, x->bad_tries);
	KUNIT_EXPECT_EQ(test, x->invalid_frees, x->bad_tries);
	KUNIT_EXPECT_EQ(test, kalloc_track_destroy(&x->t), 0);
}

static struct kunit_case kalloc_track_stress_cases[] = {
	KUNIT_CASE_SLOW(kalloc_track_concurrent_threads_and_timer),
	KUNIT_CASE(kalloc_track_hardirq_and_task),
	KUNIT_CASE_SLOW(kalloc_track_model_random_ops),
	KUNIT_CASE(kalloc_track_stacks_toggled_while_adding),
	KUNIT_CASE(kalloc_track_stats_consistent_during_destroy),
	{}
};

static struct kunit_suite kalloc_track_stress_suite = {
	.name = "kalloc_track_stress",
	.test_cases = kalloc_track_stress_cases,
};

kunit_test_suite(kalloc_track_stress_suite);

MODULE_DESCRIPTION("KUnit stress tests for kalloc_track");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
