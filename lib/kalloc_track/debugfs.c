// SPDX-License-Identifier: GPL-2.0
/*
 * kalloc_track debugfs: /sys/kernel/debug/kalloc_track/<owner>/ holds
 * "allocations" (the live table) and "stats" (counters and limits).
 *
 * Trackers may be set up in any context, so their directories are
 * created by the deferred work of core.c. A tracker's directory is
 * removed by kalloc_track_destroy() before anything else is torn down;
 * debugfs waits for reads in flight, and later reads of a file still
 * open fail with -EIO, so an open file never outlives its tracker's data.
 * Destroy waits for the work to let go of the tracker first, and the work
 * item never runs twice at once, so creations are serialised too.
 */

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "internal.h"

/*
 * Directory names: the owner cut to KT_DIR_OWNER_LEN characters, and a
 * "-N" suffix when that is taken, so that a name is always unique and
 * always fits, however long the owner and however many share it.
 */
#define KT_DIR_OWNER_LEN	KALLOC_TRACK_NAME_MAX
#define KT_DIR_NAME_LEN		(KT_DIR_OWNER_LEN + 12)

static struct dentry *kt_debugfs_root;
/* Suffixes handed out so far; each is used once. */
static atomic_t kt_dir_suffix = ATOMIC_INIT(0);

static int kt_allocations_open(struct inode *inode, struct file *file)
{
	struct kt_listing *l;

	l = __seq_open_private(file, &kt_allocations_seq_ops, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->t = inode->i_private;
	return 0;
}

static const struct file_operations kt_allocations_fops = {
	.owner = THIS_MODULE,
	.open = kt_allocations_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = seq_release_private,
};

static int kt_stats_show(struct seq_file *m, void *v)
{
	kt_show_stats(m, m->private);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kt_stats);

static bool kt_dir_taken(const char *name)
{
	struct dentry *d = debugfs_lookup(name, kt_debugfs_root);

	dput(d);
	return d;
}

static struct dentry *kt_debugfs_mkdir(const char *owner)
{
	char name[KT_DIR_NAME_LEN];
	unsigned int n;

	snprintf(name, sizeof(name), "%.*s", KT_DIR_OWNER_LEN, owner);
	strreplace(name, '/', '_');
	/* Each suffix is handed out once, so this ends. */
	while (kt_dir_taken(name)) {
		n = atomic_inc_return(&kt_dir_suffix);
		snprintf(name, sizeof(name), "%.*s-%u", KT_DIR_OWNER_LEN, owner,
			 n);
		strreplace(name, '/', '_');
	}
	return debugfs_create_dir(name, kt_debugfs_root);
}

/* Called by the deferred work, with the tracker claimed. */
void kt_debugfs_create(struct kalloc_track *t)
{
	char owner[KT_DIR_OWNER_LEN + 1];
	struct dentry *dir;

	if (!kt_debugfs_root)
		kt_debugfs_root = debugfs_create_dir("kalloc_track", NULL);
	if (IS_ERR(kt_debugfs_root)) {
		/*
		 * debugfs=off: no directories, quietly. Anything else (no
		 * memory, debugfs not up yet) is tried again for the next
		 * tracker.
		 */
		if (PTR_ERR(kt_debugfs_root) != -EPERM)
			kt_debugfs_root = NULL;
		return;
	}
	/* A copy, made under RCU: see kt_treport(). */
	rcu_read_lock();
	strscpy(owner, READ_ONCE(t->owner), sizeof(owner));
	rcu_read_unlock();
	dir = kt_debugfs_mkdir(owner);
	if (IS_ERR(dir)) {
		kt_treport_ratelimited(KT_WARN, t, "no debugfs directory (%pe)",
				       dir);
		return;
	}
	debugfs_create_file("allocations", 0400, dir, t, &kt_allocations_fops);
	debugfs_create_file("stats", 0400, dir, t, &kt_stats_fops);
	t->debugfs = dir;
}

/* Called by kalloc_track_destroy() once the work let go of @t; sleeps. */
void kt_debugfs_remove(struct kalloc_track *t)
{
	debugfs_remove(t->debugfs);
	t->debugfs = NULL;
}

/* The directory of a tracker freed without destroy, removed by a work. */
struct kt_orphan {
	struct work_struct work;
	struct dentry *dir;
};

static void kt_orphan_fn(struct work_struct *work)
{
	struct kt_orphan *o = container_of(work, struct kt_orphan, work);

	debugfs_remove(o->dir);
	kfree(o);
}

/*
 * Remove @dir, whose tracker's memory is being freed, from a work: this
 * may run in any context. Without memory for the work, the directory
 * stays, and reading its files would read the freed tracker.
 */
void kt_debugfs_orphan(struct dentry *dir)
{
	struct kt_orphan *o;

	if (IS_ERR_OR_NULL(dir))
		return;
	o = kmalloc_obj(*o, GFP_ATOMIC | __GFP_NOWARN);
	if (!o)
		return;
	INIT_WORK(&o->work, kt_orphan_fn);
	o->dir = dir;
	schedule_work(&o->work);
}
